//! `POST /api/catalogue/{type}` (one record or an array) and `POST /api/catalogue` (records of
//! several types in order, so a parent earlier in the batch counts for its children).

use axum::body::Body;
use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::{MAX_RECORDS, ReportParams, Summary, record_type, refused_problem, reporter};
use crate::catalogue::idempotency::{self, Stored};
use crate::catalogue::reporting::{Keep, Outcome, Reporting};
use crate::catalogue::spec::{self, RecordType};
use crate::catalogue::store::{Item, Reporter, Source};
use crate::catalogue::validate;
use crate::db::is_unique_violation;
use crate::error::ApiError;
use crate::http::oauth::bearer::ApiBearer;
use crate::state::AppState;

pub async fn post_records(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(params): Query<ReportParams>,
    OriginalUri(uri): OriginalUri,
    bearer: ApiBearer,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let t = record_type(&slug)?;
    let body = read_body(body).await?;
    let value = parse_body(&headers, &body)?;
    let records = match value {
        Value::Array(items) => items,
        object @ Value::Object(_) => vec![object],
        _ => {
            return Err(ApiError::InvalidBody(
                "请求体应为一条记录（对象）或记录数组 / the body must be a record (object) or an array of records".into(),
            ));
        }
    };
    let typed = records.into_iter().map(|r| (t, r)).collect();
    report(&state, &bearer, &params, &uri, &headers, &body, typed).await
}

pub async fn post_mixed(
    State(state): State<AppState>,
    Query(params): Query<ReportParams>,
    OriginalUri(uri): OriginalUri,
    bearer: ApiBearer,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let body = read_body(body).await?;
    let value = parse_body(&headers, &body)?;
    let Value::Array(entries) = value else {
        return Err(ApiError::InvalidBody(
            "请求体应为 [{\"type\": …, \"record\": {…}}, …] / the body must be [{\"type\": …, \"record\": {…}}, …]".into(),
        ));
    };
    let mut typed = Vec::with_capacity(entries.len());
    for (i, mut entry) in entries.into_iter().enumerate() {
        let slug = entry
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let t = spec::record_type(slug).ok_or_else(|| {
            ApiError::InvalidBody(format!(
                "第 {i} 项的 type “{slug}” 不是记录类型 / entry {i}: '{slug}' is not a record type"
            ))
        })?;
        let record = entry
            .get_mut("record")
            .map(Value::take)
            .unwrap_or(Value::Null);
        typed.push((t, record));
    }
    report(&state, &bearer, &params, &uri, &headers, &body, typed).await
}

/// The body, refused past the JSON limit with a problem document (axum's own rejection is
/// plain text).
async fn read_body(body: Body) -> Result<axum::body::Bytes, ApiError> {
    axum::body::to_bytes(body, super::JSON_BODY_LIMIT)
        .await
        .map_err(|_| ApiError::PayloadTooLarge)
}

fn parse_body(headers: &HeaderMap, body: &[u8]) -> Result<Value, ApiError> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json") || v.contains("+json"));
    if !json {
        return Err(ApiError::UnsupportedMediaType {
            expected: "application/json",
        });
    }
    serde_json::from_slice(body).map_err(|e| ApiError::MalformedJson(e.to_string()))
}

async fn report(
    state: &AppState,
    bearer: &ApiBearer,
    params: &ReportParams,
    uri: &axum::http::Uri,
    headers: &HeaderMap,
    body: &[u8],
    records: Vec<(&'static RecordType, Value)>,
) -> Result<Response, ApiError> {
    let mode = params.mode()?;
    let unknown = params.unknown()?;
    if records.is_empty() {
        return Err(ApiError::InvalidBody("没有记录 / no records".into()));
    }
    if records.len() > MAX_RECORDS {
        return Err(ApiError::BadRequest(format!(
            "一次最多上报 {MAX_RECORDS} 条记录，收到 {} 条 / at most {MAX_RECORDS} records per call, got {}",
            records.len(),
            records.len()
        )));
    }
    let mut types: Vec<&RecordType> = Vec::new();
    for (t, _) in &records {
        if !types.iter().any(|k| std::ptr::eq(*k, *t)) {
            types.push(t);
        }
    }
    let reporter = reporter(state, bearer, &types, Source::Api).await?;

    let idem_key = match headers.get("idempotency-key") {
        None => None,
        Some(v) => match v.to_str().ok().filter(|k| idempotency::valid_key(k)) {
            Some(k) => Some(k.to_owned()),
            None => {
                return Err(ApiError::BadRequest(
                    "Idempotency-Key 应为 1 到 255 个可见 ASCII 字符 / Idempotency-Key must be 1 to 255 printable ASCII characters".into(),
                ));
            }
        },
    };
    let idem_owner = format!("{}|{}", bearer.0.client_id, bearer.0.sub);
    let hash = idempotency::request_hash(&[
        uri.path().as_bytes(),
        uri.query().unwrap_or_default().as_bytes(),
        body,
    ]);

    let items: Vec<Item> = records
        .into_iter()
        .enumerate()
        .map(|(index, (t, record))| Item {
            index,
            record_type: t,
            checked: validate::check_json(t, &record, unknown),
        })
        .collect();

    let mut tx = state.db.begin().await.map_err(ApiError::internal)?;
    if let Some(key) = &idem_key
        && let Some(stored) = idempotency::find_in(&mut tx, &idem_owner, key)
            .await
            .map_err(ApiError::internal)?
    {
        return replay(stored, &hash);
    }
    let mut reporting = Reporting::new(&reporter, mode, Keep::All, state.now());
    reporting.add(&mut tx, items).await?;
    let tally = match reporting.finish() {
        Outcome::Stored(tally) => tally,
        Outcome::Refused(tally) => {
            // Dropping the transaction rolls back what the valid records wrote.
            drop(tx);
            // The refusal is the answer even when noting it fails.
            let noted = async {
                let mut tx = state.db.begin().await.map_err(ApiError::internal)?;
                log_call(
                    &mut tx,
                    &reporter,
                    tally.received,
                    tally.refused,
                    state.now(),
                )
                .await?;
                tx.commit().await.map_err(ApiError::from)
            };
            if let Err(e) = noted.await {
                tracing::warn!(error = %e, "could not note a refused reporting call");
            }
            return Ok(refused_problem(tally).into_response());
        }
    };
    let (received, refused) = (tally.received, tally.refused);
    let summary = Summary::new(mode, tally);
    let body = serde_json::to_string(&summary).map_err(ApiError::internal)?;
    if let Some(key) = &idem_key {
        let stored = Stored {
            request_hash: hash.clone(),
            status: 200,
            body: body.clone(),
        };
        if let Err(e) = idempotency::save(&mut tx, &idem_owner, key, &stored, state.now()).await {
            if is_unique_violation(&e) {
                // A concurrent retry with the same key got there first; answer as it did.
                drop(tx);
                if let Some(stored) = idempotency::find(&state.db, &idem_owner, key)
                    .await
                    .map_err(ApiError::internal)?
                {
                    return replay(stored, &hash);
                }
            }
            return Err(ApiError::internal(e));
        }
    }
    log_call(&mut tx, &reporter, received, refused, state.now()).await?;
    tx.commit().await.map_err(ApiError::from)?;
    Ok(json_response(StatusCode::OK, body, false))
}

fn replay(stored: Stored, hash: &str) -> Result<Response, ApiError> {
    if stored.request_hash != hash {
        return Err(ApiError::Conflict(
            "这个 Idempotency-Key 已用于另一个请求 / this Idempotency-Key was used for a different request".into(),
        ));
    }
    let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK);
    Ok(json_response(status, stored.body, true))
}

fn json_response(status: StatusCode, body: String, replayed: bool) -> Response {
    let mut response = (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response();
    if replayed {
        response
            .headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    response
}

/// Notes the call for the reporting-compliance indicator.
async fn log_call(
    tx: &mut crate::db::Tx,
    reporter: &Reporter,
    received: usize,
    refused: usize,
    now: i64,
) -> Result<(), ApiError> {
    crate::catalogue::reporting::log_call(
        tx,
        reporter.organisation_id.as_deref(),
        received,
        refused,
        now,
    )
    .await
    .map_err(ApiError::internal)
}
