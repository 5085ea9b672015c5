//! What the app's handlers take from a request, checked once here: a signed-in user with a
//! fresh platform access token ([`Platform`]), and a form whose CSRF token is valid
//! ([`CsrfForm`]).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum_csrf::CsrfToken;
use nx_sdk::{Client, Error as SdkError, TokenHolder};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use tower_sessions::Session;

use super::{AppError, AppState, SignedIn, signed_in};

/// A request from a signed-in user, with what a call to the platform takes. Anyone else is
/// sent to log in, and so is a user whose tokens are gone: forgotten by a restart of this app,
/// or refused by the platform (the grant was revoked, say from the platform's account page).
pub(crate) struct Platform {
    pub user: SignedIn,
    /// A current access token, renewed by the SDK when it is about to expire.
    pub token: String,
    pub client: Client,
}

impl FromRequestParts<AppState> for Platform {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        match platform(state, &session).await {
            Ok(Some(found)) => Ok(found),
            Ok(None) => Err(Redirect::to("/login").into_response()),
            Err(e) => Err(e.into_response()),
        }
    }
}

async fn platform(state: &AppState, session: &Session) -> Result<Option<Platform>, AppError> {
    let Some(user) = signed_in(session).await? else {
        return Ok(None);
    };
    let holder: Option<Arc<TokenHolder>> = state.holders.lock().await.get(&user.login_id).cloned();
    let token = match holder {
        Some(holder) => match holder.access_token().await {
            Ok(token) => Some(token),
            // Refused by the provider, or nothing left to renew with: a new login is the way on.
            Err(SdkError::OAuth { .. } | SdkError::Config(_)) => {
                state.holders.lock().await.remove(&user.login_id);
                None
            }
            Err(e) => return Err(e.into()),
        },
        None => None,
    };
    let Some(token) = token else {
        session.flush().await?;
        return Ok(None);
    };
    let client = state.client().await?.clone();
    Ok(Some(Platform {
        user,
        token,
        client,
    }))
}

/// A submitted form of type `T` whose `csrf_token` field matched the browser's CSRF cookie.
/// `T` itself need not carry the token.
pub(crate) struct CsrfForm<T>(pub T);

#[derive(Deserialize)]
struct CsrfField {
    csrf_token: String,
}

impl<T: DeserializeOwned> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = request.into_parts();
        let csrf = CsrfToken::from_request_parts(&mut parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let bytes = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(IntoResponse::into_response)?;
        let bad = |detail: String| AppError::BadRequest(detail).into_response();
        let field: CsrfField = serde_urlencoded::from_bytes(&bytes)
            .map_err(|_| bad("表单缺少 CSRF 令牌。The form lacks its CSRF token.".into()))?;
        csrf.verify(&field.csrf_token)
            .map_err(|_| bad("表单已过期，请重试。The form expired; try again.".into()))?;
        let form = serde_urlencoded::from_bytes(&bytes)
            .map_err(|e| bad(format!("表单有误：{e}。The form is invalid: {e}.")))?;
        Ok(CsrfForm(form))
    }
}
