//! `/.well-known/openid-configuration` (OpenID Connect Discovery 1.0),
//! `/.well-known/oauth-authorization-server` (RFC 8414) and `/jwks.json`.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::oauth::scopes;
use crate::state::AppState;

pub fn metadata(state: &AppState) -> Value {
    let issuer = state.issuer();
    json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/authorize"),
        "token_endpoint": format!("{issuer}/token"),
        "userinfo_endpoint": format!("{issuer}/userinfo"),
        "jwks_uri": format!("{issuer}/jwks.json"),
        "revocation_endpoint": format!("{issuer}/revoke"),
        "introspection_endpoint": format!("{issuer}/introspect"),
        "end_session_endpoint": format!("{issuer}/logout"),
        "pushed_authorization_request_endpoint": format!("{issuer}/par"),
        "require_pushed_authorization_requests": false,
        "scopes_supported": scopes::all(),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
        "subject_types_supported": ["public"],
        // RS256 (the default) first; a client may register another for its ID tokens.
        "id_token_signing_alg_values_supported": id_token_algs(state),
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "azp", "at_hash", "sid", "amr", "acr",
            "name", "preferred_username", "email", "email_verified", "phone_number", "organisation", "roles"],
        "prompt_values_supported": ["none", "login", "consent"],
        // 1: one factor (a password); 2: two (a password and an authenticator code).
        "acr_values_supported": ["1", "2"],
        "backchannel_logout_supported": true,
        "backchannel_logout_session_supported": true,
        "authorization_response_iss_parameter_supported": true,
        "ui_locales_supported": ["zh-CN", "en"],
        "claims_parameter_supported": false,
        "request_parameter_supported": false,
        "request_uri_parameter_supported": false,
    })
}

fn id_token_algs(state: &AppState) -> Vec<&'static str> {
    use crate::oauth::keys::SigningAlgorithm::*;
    let default = state.settings.tokens.signing_algorithm;
    let mut algs = vec![default.name()];
    algs.extend(
        // What a client may register (EdDSA is refused: the openidconnect crate, under this
        // platform's SDK, cannot verify it).
        [Rs256, Es256]
            .into_iter()
            .filter(|a| *a != default)
            .map(|a| a.name()),
    );
    algs
}

pub async fn get_openid_configuration(State(state): State<AppState>) -> Response {
    cached(Json(metadata(&state)).into_response())
}

pub async fn get_authorization_server(State(state): State<AppState>) -> Response {
    cached(Json(metadata(&state)).into_response())
}

pub async fn get_jwks(State(state): State<AppState>) -> Result<Response, ApiError> {
    let keys = state
        .tokens
        .keyring
        .keys(state.now())
        .await
        .map_err(ApiError::internal)?;
    Ok(cached(Json(keys.jwks()).into_response()))
}

// Short enough that a rotation reaches relying parties quickly.
fn cached(mut response: Response) -> Response {
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=60"),
    );
    response
}
