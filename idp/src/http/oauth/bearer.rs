//! The `Authorization: Bearer` access token of API requests (RFC 6750), checked against our
//! keys, expiry and revocation. Handlers then ask for the scope they need.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;

use crate::oauth::error::{ErrorCode, OAuthError};
use crate::oauth::tokens::{AccessClaims, TokenError};
use crate::state::AppState;

/// A verified access token.
pub struct Bearer(pub AccessClaims);

const NO_TOKEN: &str = "需要访问令牌 / a Bearer access token is required";

/// Names the caller on the request's log span (ids only).
fn record_caller(claims: &AccessClaims) {
    let span = tracing::Span::current();
    span.record("client_id", claims.client_id.as_str());
    span.record("subject", claims.sub.as_str());
}

/// The token of an `Authorization: Bearer` header.
fn bearer_token(parts: &Parts) -> Option<&str> {
    parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
}

impl Bearer {
    /// 403 `insufficient_scope` naming the missing scope, as RFC 6750 §3.1 asks.
    pub fn require(&self, scope: &str) -> Result<(), OAuthError> {
        if self.0.has_scope(scope) {
            Ok(())
        } else {
            Err(OAuthError::new(
                ErrorCode::InsufficientScope,
                format!("this request needs the scope {scope} / 需要权限 {scope}"),
            ))
        }
    }
}

impl FromRequestParts<AppState> for Bearer {
    type Rejection = OAuthError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer_token(parts)
            .ok_or_else(|| OAuthError::new(ErrorCode::InvalidToken, NO_TOKEN))?;
        match state.tokens.verify_access(token, state.now()).await {
            Ok(claims) => {
                record_caller(&claims);
                Ok(Bearer(claims))
            }
            Err(TokenError::Internal(e)) => Err(OAuthError::server_error(e)),
            Err(e) => Err(OAuthError::new(ErrorCode::InvalidToken, e.to_string())),
        }
    }
}

/// [`Bearer`] for the JSON APIs: failures are problem+json (with the RFC 6750 challenge).
pub struct ApiBearer(pub AccessClaims);

impl ApiBearer {
    pub fn require(&self, scope: &str) -> Result<(), crate::error::ApiError> {
        if self.0.has_scope(scope) {
            Ok(())
        } else {
            Err(crate::error::ApiError::MissingScope {
                scope: scope.to_owned(),
            })
        }
    }
}

impl FromRequestParts<AppState> for ApiBearer {
    type Rejection = crate::error::ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        use crate::error::ApiError;
        let token = bearer_token(parts).ok_or_else(|| ApiError::Unauthorized(NO_TOKEN.into()))?;
        match state.tokens.verify_access(token, state.now()).await {
            Ok(claims) => {
                record_caller(&claims);
                Ok(ApiBearer(claims))
            }
            // Kept whole, so a lost database is told apart (503) from a fault (500).
            Err(TokenError::Internal(e)) => Err(ApiError::Internal(e)),
            Err(e) => Err(ApiError::Unauthorized(e.to_string())),
        }
    }
}
