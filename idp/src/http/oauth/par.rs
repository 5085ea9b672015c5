//! `POST /par` (RFC 9126): the client authenticates as at the token endpoint and pushes its
//! authorization request; the answer is a one-time `request_uri` valid for 90 seconds.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::client_auth;
use crate::oauth::adapter;
use crate::oauth::error::OAuthError;
use crate::oauth::params::OAuthForm;
use crate::oauth::pushed;
use crate::state::AppState;

pub async fn post_par(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, OAuthError> {
    let form = OAuthForm::parse(&headers, &body)?;
    let caller =
        client_auth::authenticate(&state.clients, &state.db, &headers, &form, true).await?;
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body)
        .map_err(|_| OAuthError::invalid_request("the request body is malformed"))?;
    if pairs.len() > pushed::MAX_PARAMETERS || body.len() > pushed::MAX_BYTES {
        return Err(OAuthError::invalid_request(format!(
            "a pushed request has at most {} parameters and {} bytes",
            pushed::MAX_PARAMETERS,
            pushed::MAX_BYTES
        )));
    }
    // RFC 9126 §2.1: a pushed request cannot itself point to another.
    if form.get("request_uri").is_some() {
        return Err(OAuthError::invalid_request(
            "request_uri is not allowed in a pushed authorization request",
        ));
    }
    if form.get("request").is_some() {
        return Err(OAuthError::invalid_request(
            "request objects are not supported",
        ));
    }
    let client = &caller.client;
    // The redirect URI is checked here, where the error can be answered to the client itself.
    let redirect_uri = form.require("redirect_uri")?;
    if !client
        .redirect_uris
        .iter()
        .any(|registered| adapter::redirect_uri_matches(registered, redirect_uri, client.public))
    {
        return Err(OAuthError::invalid_request(
            "the redirect_uri is not registered for this client",
        ));
    }
    let mut kept = pairs;
    if !kept.iter().any(|(name, _)| name == "client_id") {
        kept.push(("client_id".into(), client.client_id.clone()));
    }
    let request_uri = pushed::push(&state.db, &client.client_id, &kept, state.now())
        .await
        .map_err(OAuthError::server_error)?;
    let mut response = (
        StatusCode::CREATED,
        Json(json!({"request_uri": request_uri, "expires_in": pushed::LIFETIME_SECONDS})),
    )
        .into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}
