//! Reading the catalogue: the spec, pages of current records with filters, one record with its
//! history, and exports as CSV or XLSX.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::{record_type, visibility};
use crate::catalogue::query::{self, Cursor, Visibility};
use crate::catalogue::sheets::{self, XlsxWriter};
use crate::catalogue::spec::RecordType;
use crate::catalogue::store::{self, Select, Version};
use crate::catalogue::validate::storage_key;
use crate::catalogue::{self as catalogue, VersionView};
use crate::db::Db;
use crate::error::ApiError;
use crate::http::oauth::bearer::ApiBearer;
use crate::state::AppState;

/// The whole spec; public, like the standard it publishes.
pub async fn get_spec() -> Json<Value> {
    Json(catalogue::spec_json())
}

fn params_of(raw: Option<String>) -> Result<Vec<(String, String)>, ApiError> {
    serde_urlencoded::from_str(raw.as_deref().unwrap_or_default())
        .map_err(|e| ApiError::BadRequest(format!("查询参数无法解析 / unreadable query: {e}")))
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn build(
    db: &Db,
    t: &RecordType,
    params: &[(String, String)],
    visibility: &Visibility,
) -> Result<(Select, Option<usize>), ApiError> {
    query::build(db.backend(), t, params, visibility)
        .map_err(|e| ApiError::BadRequest(format!("{} / {}", e.zh, e.en)))
}

fn next_cursor(page: &[(Version, Option<String>)], sorted: bool) -> Option<String> {
    page.last().map(|(v, sort)| {
        Cursor {
            sort_value: if sorted { sort.clone() } else { None },
            version_id: v.version_id,
        }
        .encode()
    })
}

pub async fn get_list(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    RawQuery(raw): RawQuery,
    bearer: ApiBearer,
) -> Result<Json<Value>, ApiError> {
    let t = record_type(&slug)?;
    let params = params_of(raw)?;
    let visibility = visibility(
        &bearer,
        t,
        param(&params, "organisation").map(str::to_owned),
    )?;
    let (select, sorted) = build(&state.db, t, &params, &visibility)?;
    let page = store::select(&state.db, t, &select)
        .await
        .map_err(ApiError::internal)?;
    let full = page.len() as i64 == select.limit;
    let cursor = if full {
        next_cursor(&page, sorted.is_some())
    } else {
        None
    };
    let items: Vec<VersionView> = page
        .into_iter()
        .map(|(v, _)| VersionView::new(t, v))
        .collect();
    Ok(Json(serde_json::json!({
        "type": t.slug,
        "items": items,
        "next_cursor": cursor,
    })))
}

pub async fn get_record(
    State(state): State<AppState>,
    Path((slug, key)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
    bearer: ApiBearer,
) -> Result<Json<Value>, ApiError> {
    let t = record_type(&slug)?;
    let params = params_of(raw)?;
    let visibility = visibility(
        &bearer,
        t,
        param(&params, "organisation").map(str::to_owned),
    )?;
    let parts: Vec<&str> = key.split('/').collect();
    let not_found = || ApiError::NotFound(format!("{} {key}", t.name_zh));
    if parts.len() != t.key.len() {
        return Err(ApiError::BadRequest(format!(
            "{} 的编码由 {} 组成，以 / 分隔 / a {} key is {} joined by /",
            t.name_zh,
            t.key.join(" + "),
            t.name_en,
            t.key.join(" + ")
        )));
    }
    // Keys are per organisation: the caller's own, or the one an administrator names (or the
    // only one that has this key).
    let organisation = match &visibility {
        Visibility::Own(org)
        | Visibility::All {
            organisation: org @ Some(_),
        } => org.clone(),
        Visibility::All { organisation: None } => {
            let owners = store::owners_of(&state.db, t, &parts)
                .await
                .map_err(ApiError::internal)?;
            match owners.as_slice() {
                [] => return Err(not_found()),
                [only] => only.clone(),
                several => {
                    let named: Vec<&str> = several.iter().flatten().map(String::as_str).collect();
                    return Err(ApiError::Conflict(format!(
                        "{} 个机构都上报了 {key}，请用 ?organisation= 指定其一：{} / {} organisations report {key}; name one with ?organisation=: {}",
                        several.len(),
                        named.join("、"),
                        several.len(),
                        named.join(", ")
                    )));
                }
            }
        }
    };
    let storage = store::namespaced(organisation.as_deref(), &storage_key(&parts));
    let versions = store::history(&state.db, t, &storage)
        .await
        .map_err(ApiError::internal)?;
    let Some(current) = versions.iter().find(|v| v.current) else {
        return Err(not_found());
    };
    let visible = match &visibility {
        Visibility::All { .. } => true,
        Visibility::Own(org) => &current.organisation_id == org,
    };
    if !visible {
        return Err(not_found());
    }
    let mut views: Vec<VersionView> = versions
        .into_iter()
        .map(|v| VersionView::new(t, v))
        .collect();
    let current_at = views.iter().position(|v| v.meta.current).unwrap_or(0);
    let current = views.remove(current_at);
    Ok(Json(serde_json::json!({
        "type": t.slug,
        "key": current.key,
        "current": current,
        "history": views,
    })))
}

/// Rows below the title row that one XLSX sheet holds.
const XLSX_MAX_ROWS: usize = 1_048_575;

/// Rows of an export are read this many at a time.
const EXPORT_PAGE: i64 = 1000;

pub async fn get_export(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    RawQuery(raw): RawQuery,
    bearer: ApiBearer,
) -> Result<Response, ApiError> {
    let t = record_type(&slug)?;
    let mut params = params_of(raw)?;
    let visibility = visibility(
        &bearer,
        t,
        param(&params, "organisation").map(str::to_owned),
    )?;
    let format = param(&params, "format").unwrap_or("csv").to_owned();
    let chinese = matches!(param(&params, "titles"), Some("zh" | "chinese"));
    params.retain(|(k, _)| k != "limit" && k != "cursor");
    params.push(("limit".into(), EXPORT_PAGE.to_string()));
    // Checks the filters before the first byte is sent.
    build(&state.db, t, &params, &visibility)?;
    let titles = sheets::titles(t, chinese);
    let filename = format!(
        "{}.{}",
        t.slug,
        if format == "xlsx" { "xlsx" } else { "csv" }
    );
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\""))
        .unwrap_or(HeaderValue::from_static("attachment"));
    match format.as_str() {
        "csv" => {
            let db = state.db.clone();
            let mut first = if chinese {
                // Excel reads UTF-8 only with a byte order mark.
                "\u{feff}".as_bytes().to_vec()
            } else {
                Vec::new()
            };
            first.extend(sheets::csv_line(&titles));
            let start = futures_util::stream::once(async move { Ok::<_, std::io::Error>(first) });
            let pages = futures_util::stream::unfold(
                Some(None::<Cursor>),
                move |cursor: Option<Option<Cursor>>| {
                    let db = db.clone();
                    let params = params.clone();
                    let visibility = visibility.clone();
                    async move {
                        let cursor = cursor?;
                        match export_page(&db, t, &params, &visibility, cursor).await {
                            Ok((rows, next)) => {
                                let mut chunk = Vec::new();
                                for values in rows {
                                    chunk.extend(sheets::csv_line(
                                        t.fields.iter().zip(&values).map(|(f, v)| {
                                            sheets::csv_cell(f, v.as_deref().unwrap_or_default())
                                                .into_owned()
                                        }),
                                    ));
                                }
                                Some((Ok(chunk), next.map(Some)))
                            }
                            Err(e) => {
                                tracing::error!(error = %e, "export failed part way");
                                Some((Err(std::io::Error::other("export failed")), None))
                            }
                        }
                    }
                },
            );
            use futures_util::StreamExt;
            let body = Body::from_stream(start.chain(pages));
            Ok((
                [
                    (
                        header::CONTENT_TYPE,
                        HeaderValue::from_static("text/csv; charset=utf-8"),
                    ),
                    (header::CONTENT_DISPOSITION, disposition),
                ],
                body,
            )
                .into_response())
        }
        "xlsx" => {
            let mut writer = XlsxWriter::new(t.slug, &titles).map_err(ApiError::internal)?;
            let mut cursor = None;
            let mut written = 0usize;
            loop {
                let (rows, next) = export_page(&state.db, t, &params, &visibility, cursor)
                    .await
                    .map_err(ApiError::internal)?;
                written += rows.len();
                if written > XLSX_MAX_ROWS {
                    return Err(ApiError::BadRequest(format!(
                        "XLSX 最多容纳 {XLSX_MAX_ROWS} 行，请缩小筛选范围或使用 format=csv / an XLSX sheet holds at most {XLSX_MAX_ROWS} rows; narrow the filters or use format=csv"
                    )));
                }
                for values in &rows {
                    writer.push(values).map_err(ApiError::internal)?;
                }
                match next {
                    Some(c) => cursor = Some(c),
                    None => break,
                }
            }
            let bytes = tokio::task::spawn_blocking(move || writer.finish())
                .await
                .map_err(ApiError::internal)?
                .map_err(ApiError::internal)?;
            Ok((
                [
                    (
                        header::CONTENT_TYPE,
                        HeaderValue::from_static(
                            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        ),
                    ),
                    (header::CONTENT_DISPOSITION, disposition),
                ],
                bytes,
            )
                .into_response())
        }
        other => Err(ApiError::BadRequest(format!(
            "format 只能是 csv 或 xlsx，收到 {other} / format is csv or xlsx, not {other}"
        ))),
    }
}

type Rows = Vec<Vec<Option<String>>>;

async fn export_page(
    db: &Db,
    t: &'static RecordType,
    params: &[(String, String)],
    visibility: &Visibility,
    cursor: Option<Cursor>,
) -> Result<(Rows, Option<Cursor>), ApiError> {
    let mut params = params.to_vec();
    if let Some(c) = cursor {
        params.push(("cursor".into(), c.encode()));
    }
    let (select, sorted) = build(db, t, &params, visibility)?;
    let page = store::select(db, t, &select)
        .await
        .map_err(ApiError::internal)?;
    let next = if page.len() as i64 == select.limit {
        page.last().map(|(v, sort)| Cursor {
            sort_value: if sorted.is_some() { sort.clone() } else { None },
            version_id: v.version_id,
        })
    } else {
        None
    };
    Ok((page.into_iter().map(|(v, _)| v.values).collect(), next))
}
