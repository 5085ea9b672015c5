//! Liveness and readiness probes for load balancers and orchestrators.

use axum::Json;
use axum::extract::State;
use axum::routing::get;
use axum::{Router, response::IntoResponse};
use serde_json::json;

use crate::error::ApiError;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(get_health))
        .route("/readyz", get(get_ready))
}

/// The process is up and answering.
async fn get_health() -> impl IntoResponse {
    Json(json!({ "status": "ok" }))
}

/// The process can serve: its database answers.
async fn get_ready(State(state): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    state.db.ping().await.map_err(|e| {
        tracing::warn!(error = %e, "readiness check failed");
        ApiError::DatabaseUnavailable
    })?;
    Ok(Json(
        json!({ "status": "ready", "database": format!("{:?}", state.db.backend()).to_lowercase() }),
    ))
}
