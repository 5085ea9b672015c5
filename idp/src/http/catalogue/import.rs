//! `POST /api/catalogue/{type}/import`: a CSV (UTF-8 or GBK) or XLSX file as the request body,
//! spooled to a temporary file while it arrives (never held in memory), then read in batches
//! and stored in one transaction with the same checks and answer as a JSON report. In import
//! answers `index` is the file's line (CSV) or row (XLSX) number.

use std::io::Write;

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;

use super::{ReportParams, Summary, record_type, refused_problem, reporter};
use crate::catalogue::reporting::{Keep, Outcome, Reporting, Tally};
use crate::catalogue::sheets::{self, Encoding, Format, SheetError, SheetRow};
use crate::catalogue::store::{Item, RecordResult, Source, Status};
use crate::catalogue::validate;
use crate::error::ApiError;
use crate::http::oauth::bearer::ApiBearer;
use crate::state::AppState;

pub const MAX_IMPORT_BYTES: u64 = 100 * 1024 * 1024;
const BATCH: usize = 1000;
/// Refusals listed in an answer; the counts cover all of them.
const MAX_LISTED: usize = 1000;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn format_of(params: &ReportParams, headers: &HeaderMap) -> Result<Format, ApiError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    match params.format.as_deref() {
        Some("csv") => Ok(Format::Csv),
        Some("xlsx") => Ok(Format::Xlsx),
        Some(other) => Err(ApiError::BadRequest(format!(
            "format 只能是 csv 或 xlsx，收到 {other} / format is csv or xlsx, not {other}"
        ))),
        None if content_type.starts_with(XLSX) => Ok(Format::Xlsx),
        None if content_type.starts_with("text/csv")
            || content_type.starts_with("application/csv")
            || content_type.starts_with("text/plain") =>
        {
            Ok(Format::Csv)
        }
        None => Err(ApiError::UnsupportedMediaType {
            expected: "text/csv or application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }),
    }
}

fn encoding_of(params: &ReportParams) -> Result<Option<Encoding>, ApiError> {
    match params
        .encoding
        .as_deref()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None => Ok(None),
        Some("utf-8" | "utf8") => Ok(Some(Encoding::Utf8)),
        Some("gbk" | "gb18030" | "gb2312") => Ok(Some(Encoding::Gbk)),
        Some(other) => Err(ApiError::BadRequest(format!(
            "encoding 只能是 utf-8 或 gbk，收到 {other} / encoding is utf-8 or gbk, not {other}"
        ))),
    }
}

/// Copies the body to a temporary file, refusing it past the size limit.
async fn spool(body: Body) -> Result<tempfile::NamedTempFile, ApiError> {
    let file = tempfile::NamedTempFile::new().map_err(ApiError::internal)?;
    let (std_file, path) = file.into_parts();
    let mut out = tokio::fs::File::from_std(std_file);
    let mut stream = body.into_data_stream();
    let mut size = 0u64;
    use tokio::io::AsyncWriteExt;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk
            .map_err(|e| ApiError::BadRequest(format!("上传中断 / upload interrupted: {e}")))?;
        size += chunk.len() as u64;
        if size > MAX_IMPORT_BYTES {
            return Err(ApiError::PayloadTooLarge);
        }
        out.write_all(&chunk).await.map_err(ApiError::internal)?;
    }
    out.flush().await.map_err(ApiError::internal)?;
    let std_file = out.into_std().await;
    let mut file = tempfile::NamedTempFile::from_parts(std_file, path);
    file.flush().map_err(ApiError::internal)?;
    Ok(file)
}

pub async fn post_import(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(params): Query<ReportParams>,
    bearer: ApiBearer,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let t = record_type(&slug)?;
    let _timer = ImportTimer(std::time::Instant::now(), t.slug);
    let mode = params.mode()?;
    let unknown = params.unknown()?;
    let format = format_of(&params, &headers)?;
    let encoding = encoding_of(&params)?;
    let reporter = reporter(&state, &bearer, &[t], Source::Import).await?;
    let file = spool(body).await?;

    // The file is read on a blocking thread; batches come over a small channel, so reading
    // waits while the database is busy and memory stays at a few batches.
    let (batches, mut incoming) = tokio::sync::mpsc::channel::<Vec<SheetRow>>(2);
    let reader = tokio::task::spawn_blocking(move || {
        let result = sheets::read(file.path(), format, encoding, t, unknown, BATCH, |rows| {
            batches.blocking_send(rows).is_ok()
        });
        drop(file);
        result
    });

    let mut tx = state.db.begin().await?;
    let mut reporting = Reporting::new(&reporter, mode, Keep::RefusedUpTo(MAX_LISTED), state.now());
    while let Some(rows) = incoming.recv().await {
        let items: Vec<Item> = rows
            .into_iter()
            .map(|row| Item {
                index: row.line as usize,
                record_type: t,
                checked: validate::check_cells(t, row.cells, row.errors),
            })
            .collect();
        reporting.add(&mut tx, items).await?;
    }
    let read = match reader.await {
        Ok(read) => read,
        // A reader library that panics on a hostile file is refused like an unreadable file.
        Err(e) if e.is_panic() => {
            tracing::warn!("the spreadsheet reader panicked on an uploaded file");
            Err(SheetError::Xlsx(
                "文件结构异常 / malformed file structure".into(),
            ))
        }
        Err(e) => return Err(ApiError::internal(e)),
    };
    match read {
        Ok(()) => {}
        Err(SheetError::Header(errors)) => {
            let header = RecordResult {
                index: 1,
                record_type: t.slug,
                key: String::new(),
                status: Status::Refused,
                version: None,
                errors,
                identified: Default::default(),
            };
            let tally = Tally {
                refused: 1,
                results: vec![header],
                ..Default::default()
            };
            return Ok(refused_problem(tally).into_response());
        }
        Err(SheetError::Io(e)) => return Err(ApiError::internal(e)),
        Err(other) => return Err(ApiError::BadRequest(other.to_string())),
    }
    let tally = match reporting.finish() {
        Outcome::Stored(tally) | Outcome::Refused(tally) if tally.received == 0 => {
            return Err(ApiError::InvalidBody(
                "文件中没有数据行 / the file has no data rows".into(),
            ));
        }
        Outcome::Stored(tally) => tally,
        Outcome::Refused(tally) => {
            drop(tx);
            return Ok(refused_problem(tally).into_response());
        }
    };
    tx.commit().await?;
    Ok(axum::Json(Summary::new(mode, tally)).into_response())
}

/// Records how long an import took when it ends, however it ends.
struct ImportTimer(std::time::Instant, &'static str);

impl Drop for ImportTimer {
    fn drop(&mut self) {
        metrics::histogram!(crate::metrics::IMPORT_DURATION, "type" => self.1)
            .record(self.0.elapsed().as_secs_f64());
    }
}
