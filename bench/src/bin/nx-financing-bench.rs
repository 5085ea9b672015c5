//! Financing benchmarks (see `bench/financing.sh`): seeds a server's database with bridge
//! loans across 20 banks and Ningxia's 22 counties in every state, disbursed over the past
//! year, all in SQL; mints the tokens the wrk script uses; and times the statistics queries.

use std::time::Instant;

use clap::{Parser, Subcommand};
use idp::db::Db;

#[path = "../seed_sql.rs"]
mod seed_sql;
use seed_sql::{case, demo_admin, print_tokens, run, series};

#[derive(Parser)]
struct Cli {
    /// The server's base URL (also its issuer).
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    url: String,
    /// The server's database.
    #[arg(long)]
    database_url: String,
    #[command(subcommand)]
    what: What,
}

#[derive(Subcommand)]
enum What {
    /// Inserts `bridges` bridge loans.
    Seed {
        #[arg(long, default_value_t = 200_000)]
        bridges: i64,
    },
    /// Prints `STAFF=…` and `BANK=…` access tokens (an hour each).
    Tokens,
    /// GET /api/financing/statistics for the past twelve months `runs` times; prints each.
    Statistics {
        #[arg(long, default_value_t = 5)]
        runs: usize,
        #[arg(long)]
        token: String,
    },
}

const BANKS: i64 = 20;
const COUNTIES: [&str; 22] = [
    "640104", "640105", "640106", "640121", "640122", "640181", "640202", "640205", "640221",
    "640302", "640303", "640323", "640324", "640381", "640402", "640422", "640423", "640424",
    "640425", "640502", "640521", "640522",
];
/// Most bridges are back and archived; some are out, a few overdue, some still in review.
const STATES: [&str; 10] = [
    "archived",
    "archived",
    "archived",
    "archived",
    "recovered",
    "recovered",
    "disbursed",
    "overdue",
    "submitted",
    "bank_approved",
];

/// `yyyy-mm` of a Unix time, in China time, as SQL for the backend.
fn month_of(db: &Db, at: &str) -> String {
    match db {
        Db::Sqlite(..) => format!("strftime('%Y-%m', {at} + 28800, 'unixepoch')"),
        Db::Postgres(_) => {
            format!("to_char(to_timestamp({at} + 28800) AT TIME ZONE 'UTC', 'YYYY-MM')")
        }
    }
}

async fn seed(db: &Db, bridges: i64) -> Result<(), String> {
    let now = idp::clock::Clock::now(&idp::clock::SystemClock);
    run(db, &format!("INSERT INTO organisations (id, name, kind, created_at) VALUES ('BENCH-FENT', '融资基准测试企业', 'enterprise', {now})")).await?;
    run(db, &format!("INSERT INTO users (id, username, password_hash, display_name, organisation_id, created_at, updated_at) VALUES ('bench-fent-user', 'bench-fin-enterprise', '!', '融资基准测试企业用户', 'BENCH-FENT', {now}, {now})")).await?;
    run(
        db,
        "INSERT INTO user_roles (user_id, role) VALUES ('bench-fent-user', 'enterprise')",
    )
    .await?;
    run(db, &format!("{} INSERT INTO organisations (id, name, kind, created_at) SELECT 'BENCH-BANK-' || i, '基准测试银行 ' || i, 'bank', {now} FROM s", series(db, BANKS))).await?;
    run(db, &format!("{} INSERT INTO users (id, username, password_hash, display_name, organisation_id, created_at, updated_at) SELECT 'bench-bank-user-' || i, 'bench-bank-' || i, '!', '基准测试银行信贷员 ' || i, 'BENCH-BANK-' || i, {now}, {now} FROM s", series(db, BANKS))).await?;
    run(db, &format!("{} INSERT INTO user_roles (user_id, role) SELECT 'bench-bank-user-' || i, 'bank_officer' FROM s", series(db, BANKS))).await?;
    // One bridge every ~2.6 minutes over the past year: amounts from 50 万 to 1 000 万, the
    // bridge 95 % of the renewal, 1 to 12 days used.
    let year = 365 * 86_400;
    let created = format!("({now} - {year} + i * {year} / {bridges})");
    let disbursed = format!("(CASE WHEN i % 10 < 8 THEN {created} + 86400 END)");
    let sql = format!(
        "{} INSERT INTO fin_applications (id, product, business, state, enterprise_org_id, applicant_user_id, bank_org_id, region_code, comp_name, amount_fen, record, maturing_fen, renewal_fen, self_raised_fen, loan_due_date, loan_purpose, loan_term_months, loan_rate, disbursed_fen, disbursed_at, disbursed_month, due_at, recovered_at, used_days, fee_fen, submitted_at, created_at, updated_at) \
         SELECT 'BENCH-ZD-' || i, 'bridge', 'bridge', {state}, 'BENCH-FENT', 'bench-fent-user', 'BENCH-BANK-' || ((i * 7) % {BANKS} + 1), {county}, '基准测试企业 ' || (i % 5000), ((i * 31) % 196 + 5) * 5000000, '{{}}', ((i * 31) % 196 + 5) * 5000000, ((i * 31) % 196 + 5) * 5000000, 1000000, '2026-12-31', '流动资金', 12, '4.35%', \
         (CASE WHEN i % 10 < 8 THEN ((i * 31) % 196 + 5) * 4750000 END), {disbursed}, (CASE WHEN i % 10 < 8 THEN {month} END), (CASE WHEN i % 10 < 8 THEN {disbursed} + 864000 END), \
         (CASE WHEN i % 10 < 6 THEN {disbursed} + 86400 * (i % 12 + 1) END), (CASE WHEN i % 10 < 6 THEN i % 12 + 1 END), (CASE WHEN i % 10 < 6 THEN ((i * 31) % 196 + 5) * 4750000 / 10000 * 2 * (i % 12 + 1) END), \
         {created}, {created}, {created} FROM s",
        series(db, bridges),
        state = case("i", &STATES),
        county = case("((i * 13) / 7)", &COUNTIES),
        month = month_of(db, &format!("{created} + 86400")),
    );
    run(db, &sql).await?;
    match db {
        Db::Sqlite(..) => run(db, "ANALYZE").await?,
        Db::Postgres(_) => run(db, "VACUUM ANALYZE").await?,
    }
    Ok(())
}

async fn tokens(cli: &Cli, db: &Db) -> Result<(), String> {
    let admin = demo_admin(db).await?;
    print_tokens(
        &cli.url,
        db,
        "nx-financing-bench",
        &[
            ("STAFF", admin, "financing financing:staff"),
            ("BANK", "bench-bank-user-1".to_owned(), "financing"),
        ],
    )
    .await
}

async fn statistics(cli: &Cli, runs: usize, token: &str) -> Result<(), String> {
    let http = reqwest::Client::new();
    let now = idp::clock::Clock::now(&idp::clock::SystemClock);
    let to = &idp::financing::records::china_date(now)[..7];
    let from = &idp::financing::records::china_date(now - 330 * 86_400)[..7];
    for run in 1..=runs {
        let started = Instant::now();
        let response = http
            .get(format!("{}/api/financing/statistics", cli.url))
            .query(&[("by", "month"), ("from", from), ("to", to)])
            .bearer_auth(token)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let status = response.status();
        let body: serde_json::Value = response.json().await.map_err(|e| e.to_string())?;
        if !status.is_success() {
            return Err(format!("{status}: {body}"));
        }
        println!(
            "statistics {from}..{to}, run {run}: {:.1} ms round trip, {} ms in the server, {} bridges",
            started.elapsed().as_secs_f64() * 1e3,
            body["took_ms"],
            body["bridge"]["total"]["count"]
        );
    }
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), String> {
    let cli = Cli::parse();
    let db = Db::connect(&cli.database_url, 2)
        .await
        .map_err(|e| e.to_string())?;
    match &cli.what {
        What::Seed { bridges } => {
            db.migrate().await.map_err(|e| e.to_string())?;
            seed(&db, *bridges).await?
        }
        What::Tokens => tokens(&cli, &db).await?,
        What::Statistics { runs, token } => statistics(&cli, *runs, token).await?,
    }
    db.close().await;
    Ok(())
}
