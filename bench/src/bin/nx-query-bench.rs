//! Data query and risk monitoring benchmarks (see `bench/query.sh`): seeds a server's database
//! with bridge-loan catalogue records across Ningxia's 22 counties over 24 months, in SQL, plus
//! a month of reporting calls from 200 organisations; then times a crosstab (region × month,
//! sum and count), a saved select query's first page, and evaluating every risk indicator.

use std::time::Instant;

use clap::{Parser, Subcommand};
use idp::db::Db;
use serde_json::{Value, json};

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
    /// Inserts `records` bridge-loan catalogue records and a month of reporting calls.
    Seed {
        #[arg(long, default_value_t = 1_000_000)]
        records: i64,
    },
    /// Prints `STAFF=…` (an hour).
    Tokens,
    /// Times the crosstab, the saved query's first page and the risk evaluation.
    Measure {
        #[arg(long)]
        token: String,
        #[arg(long, default_value_t = 5)]
        runs: usize,
    },
}

const REGIONS: [&str; 22] = [
    "兴庆区",
    "西夏区",
    "金凤区",
    "永宁县",
    "贺兰县",
    "灵武市",
    "大武口区",
    "惠农区",
    "平罗县",
    "利通区",
    "红寺堡区",
    "盐池县",
    "同心县",
    "青铜峡市",
    "原州区",
    "西吉县",
    "隆德县",
    "泾源县",
    "彭阳县",
    "沙坡头区",
    "中宁县",
    "海原县",
];

fn months() -> Vec<String> {
    (0..24)
        .map(|m| format!("{}-{:02}", 2025 + m / 12, m % 12 + 1))
        .collect()
}

async fn seed(db: &Db, records: i64) -> Result<(), String> {
    let now = idp::clock::Clock::now(&idp::clock::SystemClock);
    let months = months();
    let months: Vec<&str> = months.iter().map(String::as_str).collect();
    let days: Vec<String> = (1..=28).map(|d| format!("{d:02}")).collect();
    let days: Vec<&str> = days.iter().map(String::as_str).collect();
    run(db, &format!("{} INSERT INTO organisations (id, name, kind, created_at) SELECT 'BENCH-QORG-' || i, '查询基准测试企业 ' || i, 'enterprise', {now} FROM s", series(db, 200))).await?;
    let sql = format!(
        "{} INSERT INTO cat_bridge_loan (record_key, version, is_current, organisation_id, client_id, source, reported_at, \
         \"apply_no\", \"comp_name\", \"bank_region\", \"apply_date\", \"loan_apply\", \"loan_amount\", \"loan_bank\") \
         SELECT 'BQ-' || i, 1, TRUE, 'BENCH-QORG-' || (i % 200 + 1), 'bench', 'import', {now} - i, \
         'BQ-' || i, '基准企业 ' || (i % 5000), {region}, {month} || '-' || {day}, \
         CAST((i * 37) % 9990 + 10 AS TEXT) || '.' || {cents}, CAST((i * 53) % 9990 + 10 AS TEXT) || '.00', '宁夏银行' FROM s",
        series(db, records),
        region = case("((i * 13) / 7)", &REGIONS),
        month = case("i", &months),
        day = case("(i / 24)", &days),
        cents = case("(i / 7)", &["00", "25", "50", "75"]),
    );
    run(db, &sql).await?;
    // A month of reporting calls: every organisation daily, some refusing more than others.
    run(db, &format!("{} INSERT INTO catalogue_report_log (organisation_id, at, received, refused) SELECT 'BENCH-QORG-' || (i % 200 + 1), {now} - (i / 200) * 86400, 100, (i * 7) % 40 FROM s", series(db, 200 * 30))).await?;
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
        "nx-query-bench",
        &[("STAFF", admin, "financing financing:staff")],
    )
    .await
}

async fn post(cli: &Cli, token: &str, path: &str, body: &Value) -> Result<(f64, Value), String> {
    let started = Instant::now();
    let response = reqwest::Client::new()
        .post(format!("{}{path}", cli.url))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status();
    let body: Value = response.json().await.map_err(|e| e.to_string())?;
    let ms = started.elapsed().as_secs_f64() * 1e3;
    if !status.is_success() {
        return Err(format!("{path}: {status}: {body}"));
    }
    Ok((ms, body))
}

fn summary(name: &str, mut times: Vec<f64>) {
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    let max = times[times.len() - 1];
    println!(
        "{name}: median {median:.1} ms, max {max:.1} ms over {} runs",
        times.len()
    );
}

async fn measure(cli: &Cli, token: &str, runs: usize) -> Result<(), String> {
    let crosstab = json!({"model": {
        "kind": "crosstab", "dataset": "catalogue:bridge-loan",
        "rows": [{"field": "Bank_region"}], "column": {"field": "Apply_date", "bucket": "month"},
        "measures": [{"aggregate": "sum", "field": "Loan_apply"}, {"aggregate": "count"}]
    }});
    let mut times = Vec::new();
    for _ in 0..runs {
        let (ms, body) = post(cli, token, "/api/financing/query/run", &crosstab).await?;
        times.push(ms);
        if times.len() == 1 {
            println!(
                "   crosstab: {} rows × {} columns, {} records in all",
                body["rows"].as_array().map_or(0, Vec::len),
                body["columns"].as_array().map_or(0, Vec::len),
                body["grand_total"][1]
            );
        }
    }
    summary("crosstab region × month, sum and count (round trip)", times);

    let name = format!("基准：按地区的转贷记录 {}", std::process::id());
    let (_, saved) = post(cli, token, "/api/financing/query/saved", &json!({
        "name": name, "model": {
            "kind": "select", "dataset": "catalogue:bridge-loan",
            "fields": ["Apply_no", "Comp_name", "Bank_region", "Apply_date", "Loan_apply"],
            "filter": {"and": [
                {"cond": {"field": "Bank_region", "op": "eq", "param": "region"}},
                {"cond": {"field": "Loan_apply", "op": "gte", "param": "at_least"}}
            ]},
            "parameters": [{"name": "region", "default": "兴庆区"}, {"name": "at_least", "default": "100"}]
        }
    })).await?;
    let id = saved["id"].as_str().unwrap_or_default().to_owned();
    let mut times = Vec::new();
    for run in 0..runs * 4 {
        let region = REGIONS[run % REGIONS.len()];
        let (ms, body) = post(
            cli,
            token,
            &format!("/api/financing/query/saved/{id}/run"),
            &json!({"arguments": {"region": region, "at_least": "500"}, "limit": 100}),
        )
        .await?;
        if body["rows"].as_array().map_or(0, Vec::len) != 100 {
            return Err(format!("a first page of fewer than 100 rows: {body}"));
        }
        times.push(ms);
    }
    summary("saved select query, first page of 100 (round trip)", times);

    let mut times = Vec::new();
    for _ in 0..runs {
        let (ms, body) = post(cli, token, "/api/financing/risk/evaluate", &json!({})).await?;
        if times.is_empty() {
            let subjects: u64 = body
                .as_array()
                .map(|a| a.iter().filter_map(|e| e["subjects"].as_u64()).sum())
                .unwrap_or(0);
            println!("   evaluation: {subjects} subjects over every indicator");
        }
        times.push(ms);
    }
    summary("evaluating every risk indicator (round trip)", times);
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), String> {
    let cli = Cli::parse();
    let db = Db::connect(&cli.database_url, 2)
        .await
        .map_err(|e| e.to_string())?;
    match &cli.what {
        What::Seed { records } => {
            db.migrate().await.map_err(|e| e.to_string())?;
            seed(&db, *records).await?
        }
        What::Tokens => tokens(&cli, &db).await?,
        What::Measure { token, runs } => measure(&cli, token, *runs).await?,
    }
    db.close().await;
    Ok(())
}
