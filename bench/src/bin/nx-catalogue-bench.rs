//! Catalogue benchmarks against a running server (see `bench/catalogue.sh`): ingesting
//! `enterprise` records over HTTP in batches, looking records up by key, and importing a large
//! CSV file. Request bodies are built before the clock starts, so the figures are the server's.

use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand};
use serde_json::{Value, json};

#[derive(Parser)]
struct Cli {
    /// The server's base URL.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    url: String,
    /// The server's database, for registering the reporting client.
    #[arg(long)]
    database_url: String,
    #[command(subcommand)]
    what: What,
}

#[derive(Subcommand)]
enum What {
    /// POST /api/catalogue/enterprise in batches.
    Ingest {
        #[arg(long, default_value_t = 100_000)]
        records: usize,
        #[arg(long, default_value_t = 1000)]
        batch: usize,
        /// Batches in flight at once.
        #[arg(long, default_value_t = 2)]
        concurrency: usize,
        /// Key prefix, so that runs do not update each other's records.
        #[arg(long, default_value = "BENCH")]
        prefix: String,
    },
    /// GET /api/catalogue/enterprise/{key} of random keys written by `ingest`.
    Lookup {
        #[arg(long, default_value_t = 100_000)]
        records: usize,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        #[arg(long, default_value_t = 16)]
        connections: usize,
        #[arg(long, default_value = "BENCH")]
        prefix: String,
    },
    /// Writes a CSV of enterprise records of just under `megabytes` MiB.
    Csv {
        #[arg(long)]
        out: std::path::PathBuf,
        #[arg(long, default_value_t = 100)]
        megabytes: u64,
    },
    /// Prints an access token that reads and writes `enterprise` records (for wrk).
    Token,
    /// POST /api/catalogue/enterprise/import of a file.
    Import {
        #[arg(long)]
        file: std::path::PathBuf,
    },
}

const AREAS: &[&str] = &[
    "640104", "640105", "640106", "640121", "640202", "640302", "640402", "640502",
];

fn record(prefix: &str, i: usize) -> Value {
    json!({
        "ORG_ID": format!("{prefix}-{i:08}"),
        "ORG_PROPERTY": "1",
        "ORG_CODE": "91640100MA76X12342",
        "ORG_NAME": format!("宁夏基准测试第{i}号科技有限公司"),
        "LEGAL_PERSON": "马丽",
        "REGISTER_TYPE": "159",
        "AREA_COUNTY": AREAS[i % AREAS.len()],
        "LINKMAN": "王强",
        "FAX": "0951-5012346",
        "TEL": "0951-5012345",
        "EMAIL": format!("contact{i}@bench.example.cn"),
        "WEBSITE": "https://bench.example.cn",
        "ADDRESS": format!("宁夏银川市金凤区创业街 {i} 号"),
        "POSTCODE": "750002",
        "INDUSTRY_CODE": "C3990",
        "MAIN_REMARK": "智能硬件研发、生产与销售；软件开发；技术服务",
        "SHARE_TYPE": "3",
        "OPENED_TIME": "2019-06",
        "PHOTO": "https://bench.example.cn/logo.png",
    })
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64) * p) as usize;
    sorted
        .get(i.min(sorted.len().saturating_sub(1)))
        .map(|d| d.as_secs_f64() * 1e3)
        .unwrap_or_default()
}

async fn token(cli: &Cli) -> Result<String, String> {
    let db = idp::db::Db::connect(&cli.database_url, 2)
        .await
        .map_err(|e| e.to_string())?;
    let now = idp::clock::Clock::now(&idp::clock::SystemClock);
    let scope = "catalogue:enterprise:read catalogue:enterprise:write";
    // One reporting organisation for every run, so that each sees the records of earlier ones
    // (records belong to organisations, and keys are per organisation).
    const ORGANISATION: &str = "目录基准测试机构";
    let organisation = match idp::accounts::find_organisation_by_name(&db, ORGANISATION)
        .await
        .map_err(|e| e.to_string())?
    {
        Some(o) => o,
        None => idp::accounts::create_organisation(
            &db,
            ORGANISATION,
            idp::accounts::OrganisationKind::Carrier,
            None,
            now,
        )
        .await
        .map_err(|e| e.to_string())?,
    };
    let registered = idp::oauth::clients::register(
        &db,
        idp::oauth::clients::ClientSpec {
            name: "catalogue benchmark".into(),
            scope: scope.into(),
            grant_types: Some(vec![idp::oauth::clients::GrantType::ClientCredentials]),
            organisation_id: Some(organisation.id),
            ..Default::default()
        },
        now,
    )
    .await
    .map_err(|e| e.to_string())?;
    db.close().await;
    let body: Value = reqwest::Client::new()
        .post(format!("{}/token", cli.url))
        .basic_auth(
            &registered.client.client_id,
            registered.client_secret.as_deref(),
        )
        .form(&[("grant_type", "client_credentials"), ("scope", scope)])
        .send()
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    body["access_token"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("no token: {body}"))
}

#[tokio::main]
async fn main() -> Result<(), String> {
    let cli = Cli::parse();
    match &cli.what {
        What::Csv { out, megabytes } => {
            use std::io::Write;
            let file = std::fs::File::create(out).map_err(|e| e.to_string())?;
            let mut w = std::io::BufWriter::new(file);
            let fields: Vec<String> = record("X", 0)
                .as_object()
                .map(|o| o.keys().cloned().collect())
                .unwrap_or_default();
            writeln!(w, "{}", fields.join(",")).map_err(|e| e.to_string())?;
            let mut written = 0u64;
            let mut i = 0;
            loop {
                let r = record("CSV", i);
                let line: Vec<String> = fields
                    .iter()
                    .map(|f| r[f].as_str().unwrap_or_default().to_owned())
                    .collect();
                let line = line.join(",") + "\n";
                // Just under the limit: the server takes at most 100 MiB.
                if written + line.len() as u64 > megabytes * 1024 * 1024 - 1024 {
                    break;
                }
                written += line.len() as u64;
                w.write_all(line.as_bytes()).map_err(|e| e.to_string())?;
                i += 1;
            }
            w.flush().map_err(|e| e.to_string())?;
            println!("csv: {i} records, {:.1} MB", written as f64 / 1048576.0);
        }
        What::Ingest {
            records,
            batch,
            concurrency,
            prefix,
        } => {
            let token = Arc::new(token(&cli).await?);
            let bodies: Vec<Vec<u8>> = (0..*records)
                .collect::<Vec<_>>()
                .chunks(*batch)
                .map(|c| {
                    let batch: Vec<Value> = c.iter().map(|i| record(prefix, *i)).collect();
                    serde_json::to_vec(&batch).unwrap_or_default()
                })
                .collect();
            let queue = Arc::new(std::sync::Mutex::new(bodies));
            let started = Instant::now();
            let mut workers = Vec::new();
            for _ in 0..*concurrency {
                let (queue, token, url) = (queue.clone(), token.clone(), cli.url.clone());
                workers.push(tokio::spawn(async move {
                    let http = reqwest::Client::new();
                    let mut latencies = Vec::new();
                    let mut errors = 0;
                    // The queue's lock is taken and released inside the closure, not held
                    // for the request.
                    let next = || queue.lock().ok().and_then(|mut q| q.pop());
                    while let Some(body) = next() {
                        let t = Instant::now();
                        let response = http
                            .post(format!("{url}/api/catalogue/enterprise"))
                            .bearer_auth(token.as_str())
                            .header("content-type", "application/json")
                            .body(body)
                            .send()
                            .await;
                        match response {
                            Ok(r) if r.status().is_success() => {
                                let _ = r.bytes().await;
                            }
                            Ok(r) => {
                                errors += 1;
                                eprintln!("{}: {}", r.status(), r.text().await.unwrap_or_default());
                            }
                            Err(e) => {
                                errors += 1;
                                eprintln!("{e}");
                            }
                        }
                        latencies.push(t.elapsed());
                    }
                    (latencies, errors)
                }));
            }
            let mut latencies = Vec::new();
            let mut errors = 0;
            for w in workers {
                let (l, e) = w.await.map_err(|e| e.to_string())?;
                latencies.extend(l);
                errors += e;
            }
            let elapsed = started.elapsed();
            latencies.sort_unstable();
            println!(
                "ingest: {records} records in batches of {batch}, {concurrency} in flight: {:.0} records/s ({:.2} s), batch p50 {:.1} ms, p99 {:.1} ms, errors {errors}",
                *records as f64 / elapsed.as_secs_f64(),
                elapsed.as_secs_f64(),
                percentile(&latencies, 0.5),
                percentile(&latencies, 0.99),
            );
        }
        What::Lookup {
            records,
            seconds,
            connections,
            prefix,
        } => {
            let token = Arc::new(token(&cli).await?);
            let deadline = Instant::now() + Duration::from_secs(*seconds);
            let mut workers = Vec::new();
            for c in 0..*connections {
                let (token, url, prefix, records) =
                    (token.clone(), cli.url.clone(), prefix.clone(), *records);
                workers.push(tokio::spawn(async move {
                    let http = reqwest::Client::builder()
                        .pool_max_idle_per_host(1)
                        .build()
                        .expect("an HTTP client");
                    let mut latencies = Vec::new();
                    let mut errors = 0;
                    // A cheap deterministic spread of keys per connection.
                    let mut i = c * 7919;
                    while Instant::now() < deadline {
                        i = (i * 48271 + 12345) % records;
                        let t = Instant::now();
                        match http
                            .get(format!("{url}/api/catalogue/enterprise/{prefix}-{i:08}"))
                            .bearer_auth(token.as_str())
                            .send()
                            .await
                        {
                            Ok(r) if r.status().is_success() => {
                                let _ = r.bytes().await;
                            }
                            _ => errors += 1,
                        }
                        latencies.push(t.elapsed());
                    }
                    (latencies, errors)
                }));
            }
            let mut latencies = Vec::new();
            let mut errors = 0;
            for w in workers {
                let (l, e) = w.await.map_err(|e| e.to_string())?;
                latencies.extend(l);
                errors += e;
            }
            latencies.sort_unstable();
            println!(
                "lookup by key: {:.0}/s, p50 {:.2} ms, p99 {:.2} ms, errors {errors}",
                latencies.len() as f64 / *seconds as f64,
                percentile(&latencies, 0.5),
                percentile(&latencies, 0.99),
            );
        }
        What::Token => println!("{}", token(&cli).await?),
        What::Import { file } => {
            let token = token(&cli).await?;
            let bytes = tokio::fs::read(file).await.map_err(|e| e.to_string())?;
            let size = bytes.len();
            let started = Instant::now();
            let response = reqwest::Client::new()
                .post(format!("{}/api/catalogue/enterprise/import", cli.url))
                .bearer_auth(&token)
                .header("content-type", "text/csv")
                .body(bytes)
                .timeout(Duration::from_secs(600))
                .send()
                .await
                .map_err(|e| e.to_string())?;
            let status = response.status();
            let body: Value = response.json().await.unwrap_or(Value::Null);
            println!(
                "import: {:.1} MB CSV, {} records, status {status}, {:.2} s ({:.0} records/s)",
                size as f64 / 1048576.0,
                body["received"],
                started.elapsed().as_secs_f64(),
                body["received"].as_f64().unwrap_or_default() / started.elapsed().as_secs_f64(),
            );
        }
    }
    Ok(())
}
