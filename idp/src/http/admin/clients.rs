//! `/api/admin/clients`: register, list, show, update, remove clients and rotate secrets.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};

use super::AdminActor;
use crate::audit::{self, Change};
use crate::error::ApiError;
use crate::http::auth::ApiAdmin;
use crate::http::extract::ApiJson;
use crate::oauth::clients::{self, Client, ClientSpec};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/clients", get(list_clients).post(create_client))
        .route(
            "/clients/{client_id}",
            get(get_client).put(update_client).delete(delete_client),
        )
        .route("/clients/{client_id}/secret", post(rotate_secret))
}

async fn list_clients(
    State(state): State<AppState>,
    _admin: ApiAdmin,
) -> Result<Json<Vec<Client>>, ApiError> {
    Ok(Json(clients::list(&state.db).await?))
}

async fn create_client(
    State(state): State<AppState>,
    AdminActor(actor): AdminActor,
    ApiJson(spec): ApiJson<ClientSpec>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let registered = clients::register(&state.db, spec, state.now()).await?;
    let change = Change::new("client.register", "client", &registered.client.client_id)
        .after(&registered.client);
    audit::record(&state.db, &actor, change, state.now()).await;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::to_value(registered).map_err(ApiError::internal)?),
    ))
}

async fn get_client(
    State(state): State<AppState>,
    _admin: ApiAdmin,
    Path(client_id): Path<String>,
) -> Result<Json<Client>, ApiError> {
    clients::find(&state.db, &client_id)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::NotFound(format!("client {client_id}")))
}

async fn update_client(
    State(state): State<AppState>,
    AdminActor(actor): AdminActor,
    Path(client_id): Path<String>,
    ApiJson(spec): ApiJson<ClientSpec>,
) -> Result<Json<Client>, ApiError> {
    let before = clients::find(&state.db, &client_id).await?;
    let updated = clients::update(&state.db, &client_id, spec, state.now()).await;
    state.clients.forget(&client_id);
    let updated = updated?;
    let change = Change::new("client.update", "client", &client_id)
        .before(&before)
        .after(&updated);
    audit::record(&state.db, &actor, change, state.now()).await;
    Ok(Json(updated))
}

async fn delete_client(
    State(state): State<AppState>,
    AdminActor(actor): AdminActor,
    Path(client_id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let before = clients::find(&state.db, &client_id).await?;
    clients::remove(&state.db, &client_id).await?;
    state.clients.forget(&client_id);
    let change = Change::new("client.remove", "client", &client_id).before(&before);
    audit::record(&state.db, &actor, change, state.now()).await;
    Ok(StatusCode::NO_CONTENT)
}

async fn rotate_secret(
    State(state): State<AppState>,
    AdminActor(actor): AdminActor,
    Path(client_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let registered = clients::rotate_secret(&state.db, &client_id, state.now()).await?;
    state.clients.forget(&client_id);
    // The fact of a new secret, never the secret.
    let change = Change::new("client.rotate_secret", "client", &client_id)
        .after(&json!({"secret": "rotated"}));
    audit::record(&state.db, &actor, change, state.now()).await;
    Ok(Json(
        json!({ "client_id": registered.client.client_id, "client_secret": registered.client_secret }),
    ))
}
