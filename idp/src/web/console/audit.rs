//! `/console/audit`: the administrative audit trail with filters, newest first, and its CSV.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::audit::{self, Entry, Filter};
use crate::error::PageError;
use crate::state::AppState;
use crate::web::auth::ConsoleStaff;
use crate::web::lang::Lang;
use crate::web::pages::render;

struct Row {
    entry: Entry,
    when: String,
}

#[derive(Template)]
#[template(path = "console_audit.html")]
struct AuditPage {
    en: bool,
    filter: Filter,
    rows: Vec<Row>,
    /// The query of this page without paging, for the CSV link and the next page.
    query: String,
    next: Option<i64>,
    error: Option<String>,
}

fn query_of(f: &Filter) -> String {
    serde_urlencoded::to_string([
        ("action", f.action.as_str()),
        ("actor", f.actor.as_str()),
        ("target", f.target.as_str()),
        ("from", f.from.as_str()),
        ("to", f.to.as_str()),
    ])
    .unwrap_or_default()
}

pub async fn get_audit(
    State(state): State<AppState>,
    _staff: ConsoleStaff,
    lang: Lang,
    Query(filter): Query<Filter>,
) -> Result<Response, PageError> {
    let page_size = filter.limit.unwrap_or(100).clamp(1, audit::MAX_ENTRIES);
    let (entries, error) = match audit::list(&state.db, &filter)
        .await
        .map_err(|e| PageError::Internal(e.into()))?
    {
        Ok(entries) => (entries, None),
        Err(message) => (Vec::new(), Some(message)),
    };
    let next = (entries.len() as i64 == page_size)
        .then(|| entries.last().map(|e| e.seq))
        .flatten();
    let page = AuditPage {
        en: lang.en,
        query: query_of(&filter),
        rows: entries
            .into_iter()
            .map(|entry| Row {
                when: crate::clock::shanghai_time(entry.at),
                entry,
            })
            .collect(),
        next,
        error,
        filter,
    };
    let status = if page.error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    Ok(render(lang, status, None, &page))
}

pub async fn get_audit_csv(
    State(state): State<AppState>,
    _staff: ConsoleStaff,
    Query(filter): Query<Filter>,
) -> Result<Response, PageError> {
    let filter = Filter {
        limit: Some(audit::MAX_ENTRIES),
        ..filter
    };
    let entries = audit::list(&state.db, &filter)
        .await
        .map_err(|e| PageError::Internal(e.into()))?
        .map_err(PageError::BadRequest)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"audit.csv\"",
            ),
        ],
        audit::csv(&entries),
    )
        .into_response())
}
