//! Client authentication at the token, introspection and revocation endpoints (RFC 6749 §2.3):
//! `client_secret_basic`, `client_secret_post`, or `none` for a public client.

use axum::http::{HeaderMap, header};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::db::Db;
use crate::oauth::params::OAuthForm;
use std::sync::Arc;

use crate::oauth::client_cache::ClientCache;
use crate::oauth::clients::Client;
use crate::oauth::error::OAuthError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMethod {
    Basic,
    Post,
    None,
}

pub struct AuthenticatedClient {
    pub client: Arc<Client>,
    pub method: AuthMethod,
}

fn basic_credentials(headers: &HeaderMap) -> Result<Option<(String, String)>, OAuthError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let bad = || {
        let mut e =
            OAuthError::invalid_client("malformed HTTP Basic credentials / 客户端凭据格式有误");
        e.basic_challenge = true;
        e
    };
    let value = value.to_str().map_err(|_| bad())?;
    let Some(encoded) = value
        .strip_prefix("Basic ")
        .or_else(|| value.strip_prefix("basic "))
    else {
        return Ok(None);
    };
    let decoded = STANDARD.decode(encoded.trim()).map_err(|_| bad())?;
    let decoded = String::from_utf8(decoded).map_err(|_| bad())?;
    let (id, secret) = decoded.split_once(':').ok_or_else(bad)?;
    // RFC 6749 §2.3.1: both parts are form-urlencoded before Base64.
    let decode = |s: &str| {
        serde_urlencoded::from_str::<Vec<(String, String)>>(&format!("v={s}"))
            .ok()
            .and_then(|mut v| v.pop())
            .map(|(_, v)| v)
    };
    Ok(Some((
        decode(id).ok_or_else(bad)?,
        decode(secret).ok_or_else(bad)?,
    )))
}

/// Identifies and authenticates the calling client. Public clients authenticate with `none`
/// only when `allow_public` (the token endpoint, where PKCE protects them).
pub async fn authenticate(
    cache: &ClientCache,
    db: &Db,
    headers: &HeaderMap,
    form: &OAuthForm,
    allow_public: bool,
) -> Result<AuthenticatedClient, OAuthError> {
    let basic = basic_credentials(headers)?;
    let post_secret = form.get("client_secret");
    if basic.is_some() && post_secret.is_some() {
        return Err(OAuthError::invalid_request(
            "use one client authentication method, not two / 只能使用一种客户端认证方式",
        ));
    }
    let (client_id, secret, method) = match (&basic, post_secret) {
        (Some((id, secret)), _) => {
            if form.get("client_id").is_some_and(|form_id| form_id != id) {
                return Err(OAuthError::invalid_request(
                    "client_id does not match the credentials",
                ));
            }
            (id.clone(), Some(secret.clone()), AuthMethod::Basic)
        }
        (None, Some(secret)) => (
            form.require("client_id")?.to_owned(),
            Some(secret.to_owned()),
            AuthMethod::Post,
        ),
        (None, None) => match form.get("client_id") {
            Some(id) => (id.to_owned(), None, AuthMethod::None),
            None => {
                return Err(OAuthError::invalid_client(
                    "client authentication is required / 需要客户端认证",
                ));
            }
        },
    };
    let failed = || {
        let mut e = OAuthError::invalid_client("client authentication failed / 客户端认证失败");
        e.basic_challenge = method == AuthMethod::Basic;
        e
    };
    let client = cache
        .find(db, &client_id)
        .await
        .map_err(OAuthError::server_error)?
        .ok_or_else(failed)?;
    match secret {
        Some(secret) if !client.public && client.secret_matches(&secret) => {}
        None if client.public && allow_public => {}
        _ => return Err(failed()),
    }
    Ok(AuthenticatedClient { client, method })
}
