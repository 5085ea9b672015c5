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

/// How long the readiness check waits for the database: a load balancer must hear "not ready"
/// at once, not after the pool's wait for a connection.
const READY_WITHIN: std::time::Duration = std::time::Duration::from_millis(800);

/// The process can serve: its database answers.
async fn get_ready(State(state): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    match tokio::time::timeout(READY_WITHIN, state.db.ping()).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => {
            tracing::warn!(error = %format!("{e:#}"), "readiness check failed");
            return Err(ApiError::DatabaseUnavailable);
        }
        Err(_) => {
            tracing::warn!("readiness check: the database did not answer in time");
            return Err(ApiError::DatabaseUnavailable);
        }
    }
    Ok(Json(
        json!({ "status": "ready", "database": format!("{:?}", state.db.backend()).to_lowercase() }),
    ))
}
