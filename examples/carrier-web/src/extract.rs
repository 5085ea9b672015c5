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

/// The largest file the app passes on to the platform (the platform has its own limit, 10 MiB
/// by default, and answers 413 past it).
pub(crate) const MAX_UPLOAD: usize = 10 * 1024 * 1024;

/// An upload form (`multipart/form-data`): its `csrf_token` first, checked before anything
/// else is read; then text fields and one file, refused past [`MAX_UPLOAD`] without being held.
pub(crate) struct CsrfUpload {
    pub fields: Vec<(String, String)>,
    pub file: Option<(String, Vec<u8>)>,
}

impl CsrfUpload {
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }
}

impl FromRequest<AppState> for CsrfUpload {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = request.into_parts();
        let csrf = CsrfToken::from_request_parts(&mut parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let bad = |detail: &str| AppError::BadRequest(detail.to_owned()).into_response();
        let mut multipart =
            axum::extract::Multipart::from_request(Request::from_parts(parts, body), state)
                .await
                .map_err(IntoResponse::into_response)?;
        let malformed = "表单有误。The form is invalid.";
        let first = multipart
            .next_field()
            .await
            .map_err(|_| bad(malformed))?
            .filter(|f| f.name() == Some("csrf_token"))
            .ok_or_else(|| bad("表单缺少 CSRF 令牌。The form lacks its CSRF token."))?;
        let token = first.text().await.map_err(|_| bad(malformed))?;
        csrf.verify(&token)
            .map_err(|_| bad("表单已过期，请重试。The form expired; try again."))?;
        let mut upload = CsrfUpload {
            fields: Vec::new(),
            file: None,
        };
        let too_large = "文件过大（上限 10 MiB）。The file is too large (10 MiB at most).";
        while let Some(mut field) = multipart.next_field().await.map_err(|_| bad(malformed))? {
            let name = field.name().unwrap_or_default().to_owned();
            let file_name = field.file_name().map(str::to_owned);
            let limit = if file_name.is_some() {
                MAX_UPLOAD
            } else {
                10_000
            };
            let mut content = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(|_| bad(too_large))? {
                if content.len() + chunk.len() > limit {
                    return Err(bad(if file_name.is_some() {
                        too_large
                    } else {
                        malformed
                    }));
                }
                content.extend_from_slice(&chunk);
            }
            match file_name {
                Some(file_name) if upload.file.is_none() => {
                    upload.file = Some((file_name, content))
                }
                Some(_) => return Err(bad(malformed)),
                None if upload.fields.len() < 50 => upload.fields.push((
                    name,
                    String::from_utf8(content).map_err(|_| bad(malformed))?,
                )),
                None => return Err(bad(malformed)),
            }
        }
        Ok(upload)
    }
}
