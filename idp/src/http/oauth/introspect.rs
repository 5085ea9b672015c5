//! `POST /introspect` (RFC 7662), for confidential clients: is this token active, and what does
//! it carry. Refresh tokens are introspected only by the client they were issued to.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use serde_json::{Value, json};

use super::client_auth;
use crate::oauth::error::OAuthError;
use crate::oauth::grants;
use crate::oauth::params::OAuthForm;
use crate::oauth::tokens::TokenError;
use crate::state::AppState;

pub async fn post_introspect(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<impl IntoResponse, OAuthError> {
    let form = OAuthForm::parse(&headers, &body)?;
    let caller =
        client_auth::authenticate(&state.clients, &state.db, &headers, &form, false).await?;
    let token = form.require("token")?;
    let now = state.now();
    let hint = form.get("token_type_hint");

    let inactive = Json(json!({ "active": false }));
    if hint != Some("refresh_token") {
        match state.tokens.verify_access(token, now).await {
            Ok(claims) => {
                let mut body: Value =
                    serde_json::to_value(&claims).map_err(OAuthError::server_error)?;
                body["active"] = Value::Bool(true);
                body["token_type"] = Value::from("access_token");
                return Ok(Json(body));
            }
            Err(TokenError::Internal(e)) => return Err(OAuthError::server_error(e)),
            Err(_) if hint == Some("access_token") => return Ok(inactive),
            Err(_) => {}
        }
    }
    let Some((record, grant, _)) = grants::find_refresh_with_grant(&state.db, token)
        .await
        .map_err(OAuthError::server_error)?
    else {
        return Ok(inactive);
    };
    let active = grant.client_id == caller.client.client_id
        && record.used_at.is_none()
        && grant.revoked_at.is_none()
        && record.expires_at > now
        && grant.expires_at > now;
    if !active {
        return Ok(inactive);
    }
    Ok(Json(json!({
        "active": true,
        "token_type": "refresh_token",
        "client_id": grant.client_id,
        "sub": grant.user_id,
        "scope": grant.scope,
        "exp": record.expires_at,
        "iss": state.issuer(),
    })))
}
