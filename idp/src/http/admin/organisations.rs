//! `/api/admin/organisations`: list organisations and freeze or unfreeze their reporting.

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;

use crate::accounts::{self, Organisation};
use crate::catalogue::freeze::{self, FreezeError};
use crate::error::ApiError;
use crate::http::extract::ApiJson;
use crate::http::oauth::bearer::ApiBearer;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/organisations", get(list))
        .route("/organisations/{id}", get(show))
        .route("/organisations/{id}/freeze", post(freeze_reporting))
        .route("/organisations/{id}/unfreeze", post(unfreeze_reporting))
}

impl From<FreezeError> for ApiError {
    fn from(e: FreezeError) -> Self {
        match e {
            FreezeError::NoSuchOrganisation(id) => ApiError::NotFound(format!("organisation {id}")),
            FreezeError::ReasonRequired => ApiError::BadRequest(e.to_string()),
            FreezeError::Db(e) => ApiError::internal(e),
        }
    }
}

async fn list(
    State(state): State<AppState>,
    bearer: ApiBearer,
) -> Result<Json<Vec<Organisation>>, ApiError> {
    bearer.require("admin")?;
    Ok(Json(
        accounts::list_organisations(&state.db)
            .await
            .map_err(ApiError::internal)?,
    ))
}

async fn show(
    State(state): State<AppState>,
    bearer: ApiBearer,
    Path(id): Path<String>,
) -> Result<Json<Organisation>, ApiError> {
    bearer.require("admin")?;
    accounts::find_organisation(&state.db, &id)
        .await
        .map_err(ApiError::internal)?
        .map(Json)
        .ok_or_else(|| ApiError::NotFound(format!("organisation {id}")))
}

#[derive(Deserialize)]
struct Reason {
    #[serde(default)]
    reason: String,
}

async fn freeze_reporting(
    State(state): State<AppState>,
    bearer: ApiBearer,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Reason>,
) -> Result<Json<Organisation>, ApiError> {
    set(state, bearer, id, true, body.reason).await
}

async fn unfreeze_reporting(
    State(state): State<AppState>,
    bearer: ApiBearer,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Reason>,
) -> Result<Json<Organisation>, ApiError> {
    set(state, bearer, id, false, body.reason).await
}

async fn set(
    state: AppState,
    bearer: ApiBearer,
    id: String,
    frozen: bool,
    reason: String,
) -> Result<Json<Organisation>, ApiError> {
    bearer.require("admin")?;
    freeze::set_frozen(&state.db, &id, frozen, &reason, &bearer.0.sub, state.now()).await?;
    show(State(state), bearer, Path(id)).await
}
