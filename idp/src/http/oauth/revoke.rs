//! `POST /revoke` (RFC 7009). Revoking a refresh token ends its whole grant; revoking an access
//! token remembers its `jti` until it expires. An unknown token is not an error (§2.2).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};

use super::client_auth;
use crate::oauth::error::{ErrorCode, OAuthError};
use crate::oauth::grants;
use crate::oauth::params::OAuthForm;
use crate::state::AppState;

pub async fn post_revoke(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<StatusCode, OAuthError> {
    let form = OAuthForm::parse(&headers, &body)?;
    let caller =
        client_auth::authenticate(&state.clients, &state.db, &headers, &form, true).await?;
    let token = form.require("token")?;
    let now = state.now();
    match form.get("token_type_hint") {
        None | Some("access_token") | Some("refresh_token") => {}
        Some(_) => {
            return Err(OAuthError::new(
                ErrorCode::UnsupportedTokenType,
                "token_type_hint must be access_token or refresh_token",
            ));
        }
    }

    if let Some((_, grant, _)) = grants::find_refresh_with_grant(&state.db, token)
        .await
        .map_err(OAuthError::server_error)?
    {
        if grant.client_id == caller.client.client_id {
            let mut tx = state.db.begin().await.map_err(OAuthError::server_error)?;
            grants::revoke_grant(&mut tx, &grant.id, "revoked by the client", now)
                .await
                .map_err(OAuthError::server_error)?;
            tx.commit().await.map_err(OAuthError::server_error)?;
        }
        return Ok(StatusCode::OK);
    }
    // An access token: only its own client may revoke it (RFC 7009 §2.1).
    if let Ok(claims) = state.tokens.verify_access(token, now).await
        && claims.client_id == caller.client.client_id
    {
        grants::revoke_access_token(&state.db, &claims.jti, claims.exp)
            .await
            .map_err(OAuthError::server_error)?;
    }
    Ok(StatusCode::OK)
}
