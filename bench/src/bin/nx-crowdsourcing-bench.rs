//! Crowdsourcing benchmarks (see `bench/crowdsourcing.sh`): seeds a server's database with
//! listed demands and a history of dealt demands with their service orders, responses and
//! deliveries, all in SQL (minutes of HTTP otherwise); mints the tokens the wrk scripts use;
//! and times the statistics page's queries.

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
    /// Inserts `demands` listed demands and `orders` dealt demands with their orders.
    Seed {
        #[arg(long, default_value_t = 100_000)]
        demands: i64,
        #[arg(long, default_value_t = 1_000_000)]
        orders: i64,
    },
    /// Prints `PORTAL=…`, `PROVIDER=…` and `STAFF=…` access tokens (an hour each).
    Tokens,
    /// GET /api/crowdsourcing/statistics `runs` times, as the page reads it and counted
    /// afresh; prints each time.
    Statistics {
        #[arg(long, default_value_t = 5)]
        runs: usize,
        #[arg(long)]
        token: String,
    },
}

const CLASSES: [&str; 8] = [
    "CPSJ", "CPYF", "CPZZ", "RJKF", "JCJC", "ZSCQ", "PPYX", "QYZX",
];
const INDUSTRIES: [&str; 10] = [
    "C3990", "C3911", "M7491", "I6510", "C2710", "A0141", "M7520", "C3831", "E4710", "F5191",
];
/// Restriction regions and the keys stored for them.
const REGIONS: [(&str, &str); 6] = [
    ("640000", ";64;"),
    ("640100", ";6401;"),
    ("640200", ";6402;"),
    ("640300", ";6403;"),
    ("640400", ";6404;"),
    ("640500", ";6405;"),
];

/// An attribute of row `i` that does not follow the others: `i` scrambled (Knuth's
/// multiplicative hash), then divided by a different `salt` per attribute.
fn scrambled(salt: i64) -> String {
    format!("((i * 2654435761) / {salt})")
}
const PROVIDERS: i64 = 1000;

async fn seed(db: &Db, demands: i64, orders: i64) -> Result<(), String> {
    let now = idp::clock::Clock::now(&idp::clock::SystemClock);
    let classes = CLASSES;
    let regions: Vec<&str> = REGIONS.iter().map(|(r, _)| *r).collect();
    let prefixes: Vec<&str> = REGIONS.iter().map(|(_, p)| *p).collect();
    let areas = ["640104", "640202", "640302", "640402", "640502"];
    let p = PROVIDERS;
    // The enterprise and its user; the providers, their users, profiles and products.
    run(db, &format!("INSERT INTO organisations (id, name, kind, created_at) VALUES ('BENCH-ENT', '众包基准测试企业', 'enterprise', {now})")).await?;
    run(db, &format!("INSERT INTO users (id, username, password_hash, display_name, organisation_id, created_at, updated_at) VALUES ('bench-ent-user', 'bench-enterprise', '!', '基准测试企业用户', 'BENCH-ENT', {now}, {now})")).await?;
    run(
        db,
        "INSERT INTO user_roles (user_id, role) VALUES ('bench-ent-user', 'enterprise')",
    )
    .await?;
    run(db, &format!("{} INSERT INTO organisations (id, name, kind, created_at) SELECT 'BENCH-PRV-' || i, '基准测试服务机构 ' || i, 'service_provider', {now} FROM s", series(db, p))).await?;
    run(db, &format!("{} INSERT INTO users (id, username, password_hash, display_name, organisation_id, created_at, updated_at) SELECT 'bench-prv-user-' || i, 'bench-provider-' || i, '!', '基准测试服务机构用户 ' || i, 'BENCH-PRV-' || i, {now}, {now} FROM s", series(db, p))).await?;
    run(db, &format!("{} INSERT INTO user_roles (user_id, role) SELECT 'bench-prv-user-' || i, 'service_provider' FROM s", series(db, p))).await?;
    run(db, &format!("{} INSERT INTO cs_providers (organisation_id, org_name, area_county, industry_code, profile, updated_at) SELECT 'BENCH-PRV-' || i, '基准测试服务机构 ' || i, {}, {}, '{{}}', {now} FROM s", series(db, p), case("i", &areas), case("i", &INDUSTRIES))).await?;
    run(db, &format!("{} INSERT INTO cs_products (id, organisation_id, service_name, service_class, record, created_at) SELECT 'BENCH-SP-' || i || '-' || k.k, 'BENCH-PRV-' || i, '服务产品', {}, '{{}}', {now} FROM s, (SELECT 0 AS k UNION ALL SELECT 1) k", series(db, p), case("(i + k.k * 3)", &classes))).await?;
    // Listed demands: the portal. Each attribute is drawn on its own, so that filters combine
    // as they would on real demands.
    let listed = format!(
        "{} INSERT INTO cs_demands (id, organisation_id, owner_user_id, state, mode, title, description, fee_fen, cycle_days, expiry_date, expires_at, service_class, industry_code, regions, industries, region_keys, industry_keys, key_project, listed_at, created_at, updated_at) \
         SELECT 'BENCH-DM-' || i, 'BENCH-ENT', 'bench-ent-user', 'listed', {}, '基准测试需求 ' || i, '需求描述', ({} % 500 + 1) * 100000, 30, '2099-12-31', 4102444800, {}, {}, \
         (CASE WHEN {} % 4 = 0 THEN '' ELSE {} END), (CASE WHEN {} % 10 = 0 THEN 'C39' ELSE '' END), \
         (CASE WHEN {} % 4 = 0 THEN '' ELSE {} END), (CASE WHEN {} % 10 = 0 THEN ';C39;' ELSE '' END), FALSE, {now} - i, {now} - i, {now} - i FROM s",
        series(db, demands),
        case(&scrambled(3), &["reward", "tender", "direct"]),
        scrambled(5),
        case(&scrambled(7), &classes),
        case(&scrambled(11), &INDUSTRIES),
        scrambled(13),
        case(&scrambled(17), &regions),
        scrambled(19),
        scrambled(13),
        case(&scrambled(17), &prefixes),
        scrambled(19),
    );
    run(db, &listed).await?;
    // The history: dealt demands, one response and one order each, and first deliveries.
    let start = now - orders - 10 * 86_400;
    run(db, &format!(
        "{} INSERT INTO cs_demands (id, organisation_id, owner_user_id, state, mode, title, fee_fen, cycle_days, expiry_date, expires_at, service_class, industry_code, order_id, selected_at, server_org_id, key_project, listed_at, created_at, updated_at) \
         SELECT 'BENCH-DD-' || i, 'BENCH-ENT', 'bench-ent-user', 'dealt', 'tender', '已成交需求 ' || i, ((i % 500) + 1) * 100000, 30, '2099-12-31', 4102444800, {}, {}, 'BENCH-SO-' || i, {start} + i + 86400 * ((i % 20) + 1), 'BENCH-PRV-' || ((i % {p}) + 1), TRUE, {start} + i, {start} + i, {start} + i FROM s",
        series(db, orders), case("i", &classes), case("i", &INDUSTRIES))).await?;
    run(db, &format!(
        "{} INSERT INTO cs_responses (id, demand_id, provider_org_id, provider_user_id, state, approach, price_fen, duration_days, created_at) \
         SELECT 'BENCH-RS-' || i, 'BENCH-DD-' || i, 'BENCH-PRV-' || ((i % {p}) + 1), 'bench-prv-user-' || ((i % {p}) + 1), 'selected', '方案', ((i % 500) + 1) * 1000, 30, {start} + i FROM s",
        series(db, orders))).await?;
    let states = [
        "completed",
        "completed",
        "completed",
        "completed",
        "completed",
        "completed",
        "completed",
        "in_progress",
        "delivered",
        "refunded",
    ];
    run(db, &format!(
        "{} INSERT INTO cs_orders (id, demand_id, response_id, enterprise_org_id, provider_org_id, provider_region, service_item_id, state, amount_fen, delivery_days, delivery_method, rework_rounds, applied_at, started_at, delivered_at, first_delivered_at, ended_at, created_at, updated_at) \
         SELECT 'BENCH-SO-' || i, 'BENCH-DD-' || i, 'BENCH-RS-' || i, 'BENCH-ENT', 'BENCH-PRV-' || ((i % {p}) + 1), {}, 'BENCH-DD-' || i, {}, ((i % 500) + 1) * 1000, 30, '网络交付', (CASE WHEN i % 7 = 0 THEN 1 ELSE 0 END), {start} + i, {start} + i + 3600, (CASE WHEN i % 10 < 9 THEN {start} + i + 86400 * ((i % 40) + 1) END), (CASE WHEN i % 10 < 9 THEN {start} + i + 86400 * ((i % 40) + 1) END), (CASE WHEN i % 10 < 7 THEN {start} + i + 86400 * 41 END), {start} + i, {start} + i FROM s",
        series(db, orders), case("((i % 1000) + 1)", &["640100", "640200", "640300", "640400", "640500"]), case("i", &states))).await?;
    run(db, &format!(
        "{} INSERT INTO cs_deliveries (id, order_id, round, note, at, decision) SELECT 'BENCH-DL-' || i, 'BENCH-SO-' || i, 1, '交付', {start} + i + 86400 * ((i % 40) + 1), (CASE WHEN i % 10 < 7 THEN 'accepted' END) FROM s WHERE i % 10 < 9",
        series(db, orders))).await?;
    // Statistics for the planners; on PostgreSQL also the visibility map, without which an
    // index-only scan still visits the table (autovacuum does the same in time).
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
        "nx-crowdsourcing-bench",
        &[
            ("PORTAL", "bench-ent-user".to_owned(), "crowdsourcing"),
            ("PROVIDER", "bench-prv-user-1".to_owned(), "crowdsourcing"),
            ("STAFF", admin, "crowdsourcing crowdsourcing:staff"),
        ],
    )
    .await
}

async fn statistics(cli: &Cli, runs: usize, token: &str) -> Result<(), String> {
    let http = reqwest::Client::new();
    for (what, query) in [
        ("counted afresh", "?fresh=true"),
        ("as the page reads it", ""),
    ] {
        for run in 1..=runs {
            let started = Instant::now();
            let response = http
                .get(format!("{}/api/crowdsourcing/statistics{query}", cli.url))
                .bearer_auth(token)
                .send()
                .await
                .map_err(|e| e.to_string())?;
            let status = response.status();
            let body = response.bytes().await.map_err(|e| e.to_string())?;
            if !status.is_success() {
                return Err(format!("{status}: {}", String::from_utf8_lossy(&body)));
            }
            println!(
                "statistics {what}, run {run}: {:.1} ms ({} bytes)",
                started.elapsed().as_secs_f64() * 1e3,
                body.len()
            );
        }
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
        What::Seed { demands, orders } => {
            db.migrate().await.map_err(|e| e.to_string())?;
            seed(&db, *demands, *orders).await?
        }
        What::Tokens => tokens(&cli, &db).await?,
        What::Statistics { runs, token } => statistics(&cli, *runs, token).await?,
    }
    db.close().await;
    Ok(())
}
