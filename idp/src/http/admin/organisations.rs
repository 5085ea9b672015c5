//! `/api/admin/organisations`: list organisations and freeze or unfreeze their reporting.

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;

use crate::accounts::{self, Organisation};
use crate::catalogue::freeze::{self};
use crate::error::ApiError;
use crate::http::auth::ApiAdmin;
use crate::http::extract::ApiJson;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/organisations", get(list))
        .route("/organisations/{id}", get(show))
        .route("/organisations/{id}/freeze", post(freeze_reporting))
        .route("/organisations/{id}/unfreeze", post(unfreeze_reporting))
}

async fn list(
    State(state): State<AppState>,
    _admin: ApiAdmin,
) -> Result<Json<Vec<Organisation>>, ApiError> {
    Ok(Json(
        accounts::list_organisations(&state.db)
            .await
            .map_err(ApiError::internal)?,
    ))
}

async fn show(
    State(state): State<AppState>,
    _admin: ApiAdmin,
    Path(id): Path<String>,
) -> Result<Json<Organisation>, ApiError> {
    accounts::find_organisation(&state.db, &id)
        .await
        .map_err(ApiError::internal)?
        .map(Json)
        .ok_or_else(|| ApiError::NotFound(format!("机构 / organisation {id}")))
}

#[derive(Deserialize)]
struct Reason {
    #[serde(default)]
    reason: String,
}

async fn freeze_reporting(
    State(state): State<AppState>,
    admin: super::AdminActor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Reason>,
) -> Result<Json<Organisation>, ApiError> {
    set(state, admin, id, true, body.reason).await
}

async fn unfreeze_reporting(
    State(state): State<AppState>,
    admin: super::AdminActor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Reason>,
) -> Result<Json<Organisation>, ApiError> {
    set(state, admin, id, false, body.reason).await
}

async fn set(
    state: AppState,
    admin: super::AdminActor,
    id: String,
    frozen: bool,
    reason: String,
) -> Result<Json<Organisation>, ApiError> {
    freeze::set_frozen(&state.db, &id, frozen, &reason, &admin.0, state.now()).await?;
    accounts::find_organisation(&state.db, &id)
        .await
        .map_err(ApiError::internal)?
        .map(Json)
        .ok_or_else(|| ApiError::NotFound(format!("机构 / organisation {id}")))
}
