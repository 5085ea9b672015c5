//! `GET|POST /userinfo` (OpenID Connect Core §5.3): the user's claims, by the token's scopes.

use axum::Json;
use axum::extract::State;
use serde_json::{Map, Value, json};

use super::bearer::Bearer;
use crate::accounts;
use crate::oauth::error::{ErrorCode, OAuthError};
use crate::oauth::scopes;
use crate::state::AppState;

pub async fn userinfo(
    State(state): State<AppState>,
    bearer: Bearer,
) -> Result<Json<Value>, OAuthError> {
    bearer.require(scopes::OPENID)?;
    let claims = bearer.0;
    let user = accounts::find_user(&state.db, &claims.sub)
        .await
        .map_err(OAuthError::server_error)?
        .filter(|u| !u.disabled)
        .ok_or_else(|| {
            OAuthError::new(ErrorCode::InvalidToken, "the token's user no longer exists")
        })?;
    let mut body = Map::new();
    body.insert("sub".into(), json!(user.id));
    if claims.has_scope(scopes::PROFILE) {
        body.insert("name".into(), json!(user.display_name));
        body.insert("preferred_username".into(), json!(user.username));
        body.insert(
            "roles".into(),
            json!(user.roles.iter().map(|r| r.code()).collect::<Vec<_>>()),
        );
        let organisation = match &user.organisation_id {
            Some(id) => accounts::find_organisation(&state.db, id)
                .await
                .map_err(OAuthError::server_error)?
                .map(|o| json!({ "id": o.id, "name": o.name, "kind": o.kind })),
            None => None,
        };
        body.insert("organisation".into(), organisation.unwrap_or(Value::Null));
    }
    if claims.has_scope(scopes::EMAIL) {
        body.insert("email".into(), json!(user.email));
        // Addresses are entered by administrators, not confirmed by mail.
        body.insert("email_verified".into(), json!(false));
    }
    if claims.has_scope(scopes::PHONE) {
        body.insert("phone_number".into(), json!(user.phone));
    }
    Ok(Json(Value::Object(body)))
}
