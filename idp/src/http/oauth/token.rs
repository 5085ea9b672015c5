//! `POST /token` (RFC 6749 §3.2): the authorization_code, refresh_token and client_credentials
//! grants. Nothing is issued or changed unless every check passes.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::client_auth::{self, AuthenticatedClient};
use crate::oauth::adapter::ScopeSet;
use crate::oauth::clients::{Client, GrantType};
use crate::oauth::code_exchange::{self, CodeRequest, Lifetimes, Redeemed};
use crate::oauth::error::{ErrorCode, OAuthError};
use crate::oauth::grants::{self};
use crate::oauth::params::OAuthForm;
use crate::oauth::tokens::{AccessClaims, IdClaims};
use crate::state::AppState;

#[derive(Debug, Serialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
    pub scope: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
}

impl IntoResponse for TokenResponse {
    fn into_response(self) -> Response {
        let mut response = axum::Json(self).into_response();
        // RFC 6749 §5.1.
        let headers = response.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
        response
    }
}

pub async fn post_token(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<TokenResponse, OAuthError> {
    let form = OAuthForm::parse(&headers, &body)?;
    let grant_type = form.require("grant_type")?;
    let grant = GrantType::from_code(grant_type).ok_or_else(|| {
        OAuthError::new(
            ErrorCode::UnsupportedGrantType,
            format!("grant_type {grant_type} is not supported / 不支持该授权类型"),
        )
    })?;
    let AuthenticatedClient { client, method } =
        client_auth::authenticate(&state.clients, &state.db, &headers, &form, true).await?;
    tracing::Span::current().record("client_id", client.client_id.as_str());
    tracing::debug!(client_id = %client.client_id, auth = ?method, grant_type, "token request");
    if !client.allows_grant(grant) {
        return Err(OAuthError::new(
            ErrorCode::UnauthorizedClient,
            format!("this client may not use {grant_type} / 该客户端无权使用此授权类型"),
        ));
    }
    let issued = match grant {
        GrantType::ClientCredentials => client_credentials(&state, &client, &form).await,
        GrantType::AuthorizationCode => authorization_code(&state, &client, &form).await,
        GrantType::RefreshToken => refresh_token(&state, &client, &form).await,
    }?;
    metrics::counter!(crate::metrics::TOKENS_ISSUED, "grant_type" => grant.code()).increment(1);
    Ok(issued)
}

/// The requested scope, which must be within `allowed`; absent means all of `allowed`.
fn requested_scope(form: &OAuthForm, allowed: &ScopeSet) -> Result<ScopeSet, OAuthError> {
    match form.get("scope") {
        None => Ok(allowed.clone()),
        Some(text) => {
            let scope = ScopeSet::parse(text).map_err(OAuthError::invalid_scope)?;
            if !scope.is_subset_of(allowed) {
                return Err(OAuthError::invalid_scope(
                    "the requested scope exceeds what was granted / 请求的权限超出授权范围",
                ));
            }
            Ok(scope)
        }
    }
}

async fn client_credentials(
    state: &AppState,
    client: &Client,
    form: &OAuthForm,
) -> Result<TokenResponse, OAuthError> {
    // Scopes about a user mean nothing without one.
    let allowed = client
        .allowed_scopes()
        .filter(|s| !crate::oauth::scopes::IDENTITY.contains(&s));
    let scope = requested_scope(form, &allowed)?;
    let now = state.now();
    let claims = AccessClaims {
        iss: String::new(),
        sub: client.client_id.clone(),
        aud: String::new(),
        client_id: client.client_id.clone(),
        scope: scope.to_text(),
        jti: String::new(),
        iat: 0,
        exp: 0,
        gid: None,
        org: client.organisation_id.clone(),
        auth_time: None,
    };
    let (access_token, claims) = state
        .tokens
        .mint_access(claims, now)
        .await
        .map_err(OAuthError::server_error)?;
    Ok(TokenResponse {
        access_token,
        token_type: "Bearer",
        expires_in: claims.exp - now,
        scope: claims.scope,
        refresh_token: None,
        id_token: None,
    })
}

async fn authorization_code(
    state: &AppState,
    client: &Client,
    form: &OAuthForm,
) -> Result<TokenResponse, OAuthError> {
    let code = form.require("code")?;
    let redirect_uri = form.require("redirect_uri")?;
    let verifier = form.get("code_verifier");
    let now = state.now();
    let settings = &state.settings.tokens;

    let Redeemed {
        record,
        user,
        grant,
        refresh_token,
    } = code_exchange::redeem(
        &state.db,
        &CodeRequest {
            client,
            code,
            redirect_uri,
            verifier,
        },
        Lifetimes {
            refresh_idle: settings.refresh_token_idle_ttl,
            grant_absolute: settings.refresh_token_absolute_ttl,
        },
        now,
    )
    .await?;

    let scope = ScopeSet::parse(&record.scope).unwrap_or_else(|_| ScopeSet::empty());
    let (access_token, claims) = mint_user_access(
        state,
        client,
        user.organisation_id.as_deref(),
        &grant,
        &scope,
    )
    .await?;
    let id_token = if scope.contains(crate::oauth::scopes::OPENID) {
        Some(
            state
                .tokens
                .mint_id_token(
                    IdClaims {
                        iss: state.issuer(),
                        sub: &user.id,
                        aud: &client.client_id,
                        azp: &client.client_id,
                        iat: 0,
                        exp: 0,
                        auth_time: record.auth_time,
                        nonce: record.nonce.as_deref(),
                        at_hash: None,
                        // The login id, public by design (it names the session, not its cookie).
                        sid: record.session_id.as_deref(),
                        amr: record
                            .amr
                            .as_deref()
                            .map(|amr| amr.split(' ').filter(|m| !m.is_empty()).collect()),
                        acr: record
                            .amr
                            .as_deref()
                            .map(|amr| crate::oauth::tokens::acr_of(amr.split(' '))),
                    },
                    Some(&access_token),
                    client.id_token_signed_response_alg,
                    now,
                )
                .await
                .map_err(OAuthError::server_error)?,
        )
    } else {
        None
    };
    Ok(TokenResponse {
        access_token,
        token_type: "Bearer",
        expires_in: claims.exp - now,
        scope: claims.scope,
        refresh_token,
        id_token,
    })
}

async fn mint_user_access(
    state: &AppState,
    client: &Client,
    organisation_id: Option<&str>,
    grant: &grants::Grant,
    scope: &ScopeSet,
) -> Result<(String, AccessClaims), OAuthError> {
    let claims = AccessClaims {
        iss: String::new(),
        sub: grant.user_id.clone().unwrap_or_default(),
        aud: String::new(),
        client_id: client.client_id.clone(),
        scope: scope.to_text(),
        jti: String::new(),
        iat: 0,
        exp: 0,
        gid: Some(grant.id.clone()),
        org: organisation_id.map(str::to_owned),
        auth_time: Some(grant.auth_time),
    };
    state
        .tokens
        .mint_access(claims, state.now())
        .await
        .map_err(OAuthError::server_error)
}

async fn refresh_token(
    state: &AppState,
    client: &Client,
    form: &OAuthForm,
) -> Result<TokenResponse, OAuthError> {
    let presented = form.require("refresh_token")?;
    let now = state.now();
    let settings = &state.settings.tokens;
    let invalid = || {
        OAuthError::invalid_grant("the refresh token is invalid or expired / 刷新令牌无效或已过期")
    };

    // Reads through the pool; the transaction only spends and issues. Spending is a conditional
    // update, so two requests with the same token cannot both succeed.
    let (record, grant, user) = state
        .rotations
        .find(presented)
        .await
        .map_err(OAuthError::server_error)?
        .ok_or_else(invalid)?;
    if grant.client_id != client.client_id {
        return Err(OAuthError::invalid_grant(
            "the refresh token was issued to another client",
        ));
    }
    if grant.revoked_at.is_some() || grant.expires_at <= now || record.expires_at <= now {
        return Err(invalid());
    }
    let granted = ScopeSet::parse(&grant.scope).unwrap_or_else(|_| ScopeSet::empty());
    let scope = requested_scope(form, &granted)?;
    if grant.user_id.is_none() || !user.active {
        return Err(invalid());
    }
    let within_grace = record
        .used_at
        .is_some_and(|used| now - used < settings.refresh_token_reuse_grace);

    let idle = settings.refresh_token_idle_ttl;
    let rotated = state
        .rotations
        .rotate(presented, &grant, now, idle)
        .await
        .map_err(OAuthError::server_error)?;
    let next = match rotated {
        Some(next) => next,
        // A concurrent retry inside the configured window gets a sibling token.
        None if within_grace => grants::issue_refresh_now(&state.db, &grant, now, idle)
            .await
            .map_err(OAuthError::server_error)?,
        None => {
            // RFC 9700 §4.14.2: a spent refresh token presented again means one of two parties
            // holds a stolen copy; end the whole family.
            let mut tx = state.db.begin().await.map_err(OAuthError::server_error)?;
            grants::revoke_grant(&mut tx, &grant.id, "refresh token reused", now)
                .await
                .map_err(OAuthError::server_error)?;
            tx.commit().await.map_err(OAuthError::server_error)?;
            tracing::warn!(client_id = %client.client_id, grant = %grant.id, "refresh token reuse; family revoked");
            metrics::counter!(crate::metrics::REFRESH_REUSE).increment(1);
            return Err(OAuthError::invalid_grant(
                "the refresh token was already used / 刷新令牌已被使用",
            ));
        }
    };

    let (access_token, claims) = mint_user_access(
        state,
        client,
        user.organisation_id.as_deref(),
        &grant,
        &scope,
    )
    .await?;
    Ok(TokenResponse {
        access_token,
        token_type: "Bearer",
        expires_in: claims.exp - now,
        scope: claims.scope,
        refresh_token: Some(next.into_string()),
        id_token: None,
    })
}
