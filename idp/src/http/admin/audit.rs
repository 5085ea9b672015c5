//! `/api/admin/audit`: the administrative audit trail, newest first, filtered; as JSON or CSV.

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;

use crate::audit::{self, Filter};
use crate::error::ApiError;
use crate::http::auth::ApiAdmin;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/audit", get(list))
}

/// Read beside the filter (a flattened struct would lose the numbers' types in a query).
#[derive(Deserialize)]
struct Format {
    #[serde(default)]
    format: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    _admin: ApiAdmin,
    Query(filter): Query<Filter>,
    Query(params): Query<Format>,
) -> Result<Response, ApiError> {
    let entries = audit::list(&state.db, &filter)
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::BadRequest)?;
    Ok(match params.format.as_deref().unwrap_or("json") {
        "json" => Json(entries).into_response(),
        "csv" => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"audit.csv\"",
                ),
            ],
            audit::csv(&entries),
        )
            .into_response(),
        other => {
            return Err(ApiError::BadRequest(format!(
                "format 须为 json 或 csv / unknown format {other}"
            )));
        }
    })
}
