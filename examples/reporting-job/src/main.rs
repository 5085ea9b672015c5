//! `reporting-job`: a carrier's backend job that reports a CSV or XLSX file of catalogue records
//! with the `client_credentials` grant, in batches, retrying transient failures with the same
//! idempotency key, and printing what was accepted and what was refused (and why).
//!
//! ```text
//! NX_CLIENT_ID=… NX_CLIENT_SECRET=… reporting-job --type enterprise sample/enterprise.csv
//! ```
//! Exit status: 0 when every row was accepted, 1 when any row was refused, 2 on failure.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use nx_sdk::{Client, Error, MemoryStore, Mode, TokenHolder};
use serde_json::{Map, Value};

#[derive(Parser)]
#[command(about = "Report a CSV or XLSX file of catalogue records to the platform")]
struct Args {
    /// The platform's identity provider.
    #[arg(long, env = "NX_ISSUER", default_value = "http://127.0.0.1:8080")]
    issuer: String,
    #[arg(long, env = "NX_CLIENT_ID")]
    client_id: String,
    #[arg(long, env = "NX_CLIENT_SECRET", hide_env_values = true)]
    client_secret: String,
    /// The record type (e.g. enterprise, carrier, demand); see GET /api/catalogue.
    #[arg(long = "type")]
    record_type: String,
    /// Records per request (at most 10,000).
    #[arg(long, default_value_t = 1000)]
    batch: usize,
    /// Refuse the whole batch when one row is refused, instead of storing the valid rows.
    #[arg(long)]
    atomic: bool,
    /// Tries per batch for transient failures (network, 5xx, 429, 409).
    #[arg(long, default_value_t = 5)]
    tries: u32,
    /// The CSV (UTF-8 or GBK) or XLSX file; the header row holds the element names.
    file: PathBuf,
}

/// A data row: its line (CSV) or row (XLSX) number and the record.
struct Row {
    line: usize,
    record: Value,
}

fn to_record(header: &[String], cells: impl Iterator<Item = String>) -> Value {
    let mut record = Map::new();
    for (name, cell) in header.iter().zip(cells) {
        if !cell.trim().is_empty() {
            record.insert(name.trim().to_owned(), Value::String(cell));
        }
    }
    Value::Object(record)
}

fn read_rows(path: &Path) -> Result<Vec<Row>, String> {
    let xlsx = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    if xlsx {
        use calamine::{Data, Reader};
        let mut book: calamine::Xlsx<_> =
            calamine::open_workbook(path).map_err(|e: calamine::XlsxError| e.to_string())?;
        let sheet = book
            .sheet_names()
            .first()
            .cloned()
            .ok_or("the workbook has no sheet")?;
        let range = book.worksheet_range(&sheet).map_err(|e| e.to_string())?;
        let text = |c: &Data| match c {
            Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
            other => other.to_string(),
        };
        let mut rows = range.rows();
        let header: Vec<String> = rows
            .next()
            .ok_or("the sheet is empty")?
            .iter()
            .map(text)
            .collect();
        Ok(rows
            .enumerate()
            .filter(|(_, r)| r.iter().any(|c| !text(c).trim().is_empty()))
            .map(|(i, r)| Row {
                line: i + 2,
                record: to_record(&header, r.iter().map(text)),
            })
            .collect())
    } else {
        let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        // Chinese Excel saves CSV as GBK; anything that is not UTF-8 is taken as GBK.
        let text = match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => encoding_rs::GB18030.decode(e.as_bytes()).0.into_owned(),
        };
        let text = text.trim_start_matches('\u{feff}');
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(text.as_bytes());
        let header: Vec<String> = reader
            .headers()
            .map_err(|e| e.to_string())?
            .iter()
            .map(str::to_owned)
            .collect();
        let mut rows = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| e.to_string())?;
            if record.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            let line = record
                .position()
                .map(|p| p.line() as usize)
                .unwrap_or_default();
            rows.push(Row {
                line,
                record: to_record(&header, record.iter().map(str::to_owned)),
            });
        }
        Ok(rows)
    }
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    match run(args).await {
        Ok(0) => std::process::exit(0),
        Ok(_) => std::process::exit(1),
        Err(e) => {
            eprintln!("reporting-job: {e}");
            std::process::exit(2);
        }
    }
}

/// Returns how many rows were refused.
async fn run(args: Args) -> Result<usize, String> {
    let rows = read_rows(&args.file)?;
    if rows.is_empty() {
        return Err(format!("{} has no data rows", args.file.display()));
    }
    let client = Client::discover(
        &args.issuer,
        &args.client_id,
        Some(args.client_secret.clone()),
    )
    .await
    .map_err(|e| e.to_string())?;
    let scope = format!("catalogue:{}:write", args.record_type);
    let holder =
        TokenHolder::client_credentials(client, &[&scope], Arc::new(MemoryStore::default()));
    // One catalogue for the whole job: the holder renews the token before a call needs it.
    let catalogue = holder.catalogue();
    let mode = if args.atomic {
        Mode::Atomic
    } else {
        Mode::Partial
    };
    let run_id = format!(
        "job-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or_default()
    );

    let progress = indicatif::ProgressBar::new(rows.len() as u64);
    progress.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} 行 rows ({eta})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let (mut accepted, mut refused) = (0usize, Vec::<String>::new());
    for (b, batch) in rows.chunks(args.batch.clamp(1, 10_000)).enumerate() {
        let key = format!("{run_id}-{b}");
        let records: Vec<Value> = batch.iter().map(|r| r.record.clone()).collect();
        let mut attempt = 0;
        let outcome = loop {
            attempt += 1;
            let result = catalogue
                .upload_values(&args.record_type, &records, mode, Some(&key))
                .await;
            match result {
                Err(e) if e.is_transient() && attempt < args.tries => {
                    progress.println(format!("batch {b}: {e}; retrying (attempt {attempt})"));
                    tokio::time::sleep(Duration::from_millis(500 << attempt.min(5))).await;
                }
                other => break other,
            }
        };
        match outcome {
            Ok(report) => {
                accepted += report.created + report.updated + report.unchanged;
                for r in report
                    .results
                    .iter()
                    .filter(|r| r.status == nx_sdk::RecordStatus::Refused)
                {
                    let line = batch.get(r.index).map(|row| row.line).unwrap_or_default();
                    for e in &r.errors {
                        refused.push(format!(
                            "line {line} ({}): {} {} — {} / {}",
                            r.key,
                            e.field.as_deref().unwrap_or("-"),
                            e.code,
                            e.message_zh,
                            e.message_en
                        ));
                    }
                }
            }
            Err(Error::InvalidRecords { errors }) => {
                for e in errors {
                    let line = batch.get(e.index).map(|row| row.line).unwrap_or_default();
                    refused.push(format!(
                        "line {line} ({}): {} {} — {} / {}",
                        e.key,
                        e.field.as_deref().unwrap_or("-"),
                        e.code,
                        e.message_zh,
                        e.message_en
                    ));
                }
            }
            Err(e) => return Err(format!("batch {b}: {e}")),
        }
        progress.inc(batch.len() as u64);
    }
    progress.finish_and_clear();
    let refused_rows = {
        let mut lines: Vec<&str> = refused.iter().filter_map(|r| r.split(' ').nth(1)).collect();
        lines.dedup();
        lines.len()
    };
    println!(
        "{}: {} rows, {accepted} accepted, {refused_rows} refused",
        args.file.display(),
        rows.len()
    );
    for r in &refused {
        println!("  refused {r}");
    }
    Ok(refused_rows)
}
