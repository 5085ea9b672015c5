//! `/api/catalogue`: the reporting API of every record type, with per-type scopes
//! (`catalogue:<type>:write` to report, `catalogue:<type>:read` to read; `admin` reads all).

mod import;
mod read;
mod report;

use axum::Router;
use axum::routing::{get, post};
use serde::Serialize;

use crate::catalogue::freeze;
use crate::catalogue::query::Visibility;
use crate::catalogue::reporting::{Mode, Tally};
use crate::catalogue::spec::{self, RecordType};
use crate::catalogue::store::{RecordResult, Reporter, Source};
use crate::catalogue::validate::UnknownFields;
use crate::error::{ApiError, Problem};
use crate::http::oauth::bearer::ApiBearer;
use crate::state::AppState;

/// A JSON report may carry up to 10,000 records; imports stream and have their own limit.
pub const JSON_BODY_LIMIT: usize = 64 * 1024 * 1024;
pub const MAX_RECORDS: usize = 10_000;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/catalogue",
            get(read::get_spec).post(report::post_mixed),
        )
        .route(
            "/api/catalogue/{record_type}",
            get(read::get_list).post(report::post_records),
        )
        .route("/api/catalogue/{record_type}/export", get(read::get_export))
        .route(
            "/api/catalogue/{record_type}/import",
            post(import::post_import),
        )
        .route("/api/catalogue/{record_type}/{*key}", get(read::get_record))
}

fn record_type(slug: &str) -> Result<&'static RecordType, ApiError> {
    spec::record_type(slug).ok_or_else(|| {
        ApiError::NotFound(format!(
            "记录类型 {slug}（可用类型见 GET /api/catalogue）/ record type {slug} (see GET /api/catalogue)"
        ))
    })
}

#[derive(Debug, serde::Deserialize, Default)]
struct ReportParams {
    mode: Option<String>,
    unknown: Option<String>,
    format: Option<String>,
    encoding: Option<String>,
}

impl ReportParams {
    fn mode(&self) -> Result<Mode, ApiError> {
        match self.mode.as_deref() {
            None | Some("atomic") => Ok(Mode::Atomic),
            Some("partial") => Ok(Mode::Partial),
            Some(other) => Err(ApiError::BadRequest(format!(
                "mode 只能是 atomic 或 partial，收到 {other} / mode is atomic or partial, not {other}"
            ))),
        }
    }

    fn unknown(&self) -> Result<UnknownFields, ApiError> {
        match self.unknown.as_deref() {
            None | Some("refuse") => Ok(UnknownFields::Refuse),
            Some("ignore") => Ok(UnknownFields::Ignore),
            Some(other) => Err(ApiError::BadRequest(format!(
                "unknown 只能是 refuse 或 ignore，收到 {other} / unknown is refuse or ignore, not {other}"
            ))),
        }
    }
}

/// Checks the write scope and the freeze, and says who is reporting.
async fn reporter(
    state: &AppState,
    bearer: &ApiBearer,
    types: &[&RecordType],
    source: Source,
) -> Result<Reporter, ApiError> {
    for t in types {
        bearer.require(&t.write_scope())?;
    }
    let claims = &bearer.0;
    if claims.org.is_none() {
        return Err(no_organisation());
    }
    if let Some(org) = &claims.org
        && let Some(reason) = freeze::frozen_reason(&state.db, org)
            .await
            .map_err(ApiError::internal)?
    {
        return Err(ApiError::Frozen(reason));
    }
    Ok(Reporter {
        organisation_id: claims.org.clone(),
        client_id: claims.client_id.clone(),
        user_id: (claims.sub != claims.client_id).then(|| claims.sub.clone()),
        source,
    })
}

/// Who may read a type, and whose records they see.
fn visibility(
    bearer: &ApiBearer,
    t: &RecordType,
    organisation: Option<String>,
) -> Result<Visibility, ApiError> {
    if bearer.0.has_scope(crate::oauth::scopes::ADMIN) {
        return Ok(Visibility::All { organisation });
    }
    bearer.require(&t.read_scope())?;
    match &bearer.0.org {
        Some(org) => Ok(Visibility::Own(Some(org.clone()))),
        None => Err(no_organisation()),
    }
}

/// Records belong to organisations: a client registered for none may neither report nor
/// read them (two such clients would otherwise share one namespace, each overwriting and
/// reading the other's records).
fn no_organisation() -> ApiError {
    ApiError::Forbidden(
        "这个客户端不属于任何机构，不能上报或查询目录数据；请为它登记所属机构 / this client belongs to no organisation, so it may neither report nor read catalogue records; register it for one".into(),
    )
}

/// The answer to a report.
#[derive(Debug, Serialize)]
struct Summary {
    mode: Mode,
    received: usize,
    created: usize,
    updated: usize,
    unchanged: usize,
    refused: usize,
    results: Vec<RecordResult>,
    /// Field errors of refused records left out of `results` (see [`MAX_LISTED_ERRORS`]).
    errors_omitted: usize,
}

impl Summary {
    fn new(mode: Mode, mut tally: Tally) -> Self {
        let errors_omitted = cap_errors(&mut tally.results);
        Summary {
            errors_omitted,
            mode,
            received: tally.received,
            created: tally.created,
            updated: tally.updated,
            unchanged: tally.unchanged,
            refused: tally.refused,
            results: tally.results,
        }
    }
}

/// Field errors listed in one answer; the rest are counted in `errors_omitted`.
pub const MAX_LISTED_ERRORS: usize = 1_000;

/// Keeps at most [`MAX_LISTED_ERRORS`] field errors across `results`, returning how many were
/// dropped.
fn cap_errors(results: &mut [RecordResult]) -> usize {
    let mut budget = MAX_LISTED_ERRORS;
    let mut omitted = 0;
    for r in results {
        let keep = r.errors.len().min(budget);
        omitted += r.errors.len() - keep;
        r.errors.truncate(keep);
        budget -= keep;
    }
    omitted
}

/// 422 listing the refused records and fields (up to [`MAX_LISTED_ERRORS`]); nothing was
/// stored.
fn refused_problem(tally: Tally) -> Problem {
    let (received, total_refused, mut refused) = (tally.received, tally.refused, tally.results);
    let omitted = cap_errors(&mut refused);
    let errors: Vec<serde_json::Value> = refused
        .iter()
        .flat_map(|r| {
            r.errors.iter().map(move |e| {
                serde_json::json!({
                    "index": r.index,
                    "type": r.record_type,
                    "key": r.key,
                    "field": e.field,
                    "code": e.code,
                    "message_zh": e.message_zh,
                    "message_en": e.message_en,
                })
            })
        })
        .collect();
    Problem::new(
        axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        "invalid-records",
        "Unprocessable Content",
        format!(
            "{total_refused} 条记录未通过校验，本次未保存任何记录。{total_refused} of {received} records were refused; nothing was stored."
        ),
    )
    .with_extension("received", received.into())
    .with_extension("refused", total_refused.into())
    .with_extension("errors", errors.into())
    .with_extension("errors_omitted", omitted.into())
}
