//! Checking the platform's access tokens in a resource server: the signature against the
//! provider's published keys (fetched once, fetched again when a token names a key not yet
//! seen), `typ: at+jwt`, issuer, audience, expiry, and a required scope.

use std::collections::HashMap;
#[cfg(feature = "axum")]
use std::sync::Arc;
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::{Deserialize, Serialize};
use tokio::sync::RwLock;

use crate::error::Error;

/// The claims of a verified access token (RFC 9068).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AccessClaims {
    /// Issuer.
    pub iss: String,
    /// The user, or for `client_credentials` the client.
    pub sub: String,
    /// The client the token was issued to.
    pub client_id: String,
    /// Space-separated scopes.
    pub scope: String,
    /// Expiry (Unix seconds).
    pub exp: i64,
    /// Issued at (Unix seconds).
    pub iat: i64,
    /// Token id.
    pub jti: String,
    /// The organisation the token acts for.
    #[serde(default)]
    pub org: Option<String>,
}

impl AccessClaims {
    /// Whether the token carries `scope`.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scope.split(' ').any(|s| s == scope)
    }
}

/// Why a token was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    /// No usable token, a bad signature, wrong issuer or audience, or expired: HTTP 401.
    #[error("invalid token: {0}")]
    InvalidToken(String),
    /// A good token without the scope the resource needs: HTTP 403.
    #[error("the token lacks the scope {0}")]
    InsufficientScope(String),
}

struct Keys {
    by_kid: HashMap<String, (DecodingKey, Algorithm)>,
    fetched: Option<Instant>,
}

/// Verifies access tokens of one issuer. Cheap to share (`Arc`).
///
/// ```no_run
/// # async fn demo(token: &str) -> Result<(), Box<dyn std::error::Error>> {
/// let verifier = nx_sdk::Verifier::new("https://idp.nxzc.example").await?;
/// let claims = verifier.verify(token, Some("catalogue:carrier:read")).await?;
/// println!("{} acting for {:?}", claims.sub, claims.org);
/// # Ok(()) }
/// ```
pub struct Verifier {
    issuer: String,
    audience: String,
    jwks_uri: url::Url,
    http: reqwest::Client,
    keys: RwLock<Keys>,
}

/// Keys are fetched again for an unknown `kid` at most this often, so garbage tokens cannot make
/// the resource server hammer the provider.
const REFETCH_AFTER: Duration = Duration::from_secs(10);

impl Verifier {
    /// A verifier for the issuer's tokens; the audience is the platform's API (`<issuer>/api`).
    pub async fn new(issuer: &str) -> Result<Verifier, Error> {
        let issuer = issuer.trim_end_matches('/').to_owned();
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        let discovery: serde_json::Value = http
            .get(format!("{issuer}/.well-known/openid-configuration"))
            .send()
            .await?
            .json()
            .await?;
        let jwks_uri = discovery["jwks_uri"]
            .as_str()
            .and_then(|u| url::Url::parse(u).ok())
            .ok_or_else(|| Error::Config("the discovery document has no jwks_uri".into()))?;
        let verifier = Verifier {
            audience: format!("{issuer}/api"),
            issuer,
            jwks_uri,
            http,
            keys: RwLock::new(Keys {
                by_kid: HashMap::new(),
                fetched: None,
            }),
        };
        verifier.refetch().await?;
        Ok(verifier)
    }

    /// Accept tokens for another audience.
    pub fn with_audience(mut self, audience: &str) -> Self {
        self.audience = audience.to_owned();
        self
    }

    async fn refetch(&self) -> Result<(), Error> {
        let set: JwkSet = self
            .http
            .get(self.jwks_uri.clone())
            .send()
            .await?
            .json()
            .await?;
        let mut by_kid = HashMap::new();
        for jwk in &set.keys {
            let (Some(kid), Ok(key)) = (jwk.common.key_id.clone(), DecodingKey::from_jwk(jwk))
            else {
                continue;
            };
            let alg = match &jwk.algorithm {
                jsonwebtoken::jwk::AlgorithmParameters::RSA(_) => Algorithm::RS256,
                jsonwebtoken::jwk::AlgorithmParameters::EllipticCurve(_) => Algorithm::ES256,
                jsonwebtoken::jwk::AlgorithmParameters::OctetKeyPair(_) => Algorithm::EdDSA,
                _ => continue,
            };
            by_kid.insert(kid, (key, alg));
        }
        let mut keys = self.keys.write().await;
        keys.by_kid = by_kid;
        keys.fetched = Some(Instant::now());
        Ok(())
    }

    pub(crate) async fn key(&self, kid: &str) -> Result<(DecodingKey, Algorithm), Rejection> {
        if let Some(found) = self.keys.read().await.by_kid.get(kid) {
            return Ok(found.clone());
        }
        let stale = self
            .keys
            .read()
            .await
            .fetched
            .is_none_or(|at| at.elapsed() >= REFETCH_AFTER);
        if stale {
            // A rotated key: the provider publishes it before signing with it.
            let _ = self.refetch().await;
        }
        self.keys
            .read()
            .await
            .by_kid
            .get(kid)
            .cloned()
            .ok_or_else(|| Rejection::InvalidToken(format!("unknown signing key {kid}")))
    }

    /// Verifies a token and, when given, that it carries `required_scope`.
    pub async fn verify(
        &self,
        token: &str,
        required_scope: Option<&str>,
    ) -> Result<AccessClaims, Rejection> {
        let header = jsonwebtoken::decode_header(token)
            .map_err(|e| Rejection::InvalidToken(e.to_string()))?;
        if header.typ.as_deref() != Some("at+jwt") {
            return Err(Rejection::InvalidToken("not an access token (typ)".into()));
        }
        let kid = header
            .kid
            .ok_or_else(|| Rejection::InvalidToken("no key id".into()))?;
        let (key, alg) = self.key(&kid).await?;
        if header.alg != alg {
            return Err(Rejection::InvalidToken(
                "algorithm does not match the key".into(),
            ));
        }
        let mut validation = Validation::new(alg);
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        let data = jsonwebtoken::decode::<AccessClaims>(token, &key, &validation)
            .map_err(|e| Rejection::InvalidToken(e.to_string()))?;
        if let Some(scope) = required_scope
            && !data.claims.has_scope(scope)
        {
            return Err(Rejection::InsufficientScope(scope.to_owned()));
        }
        Ok(data.claims)
    }
}

/// An axum extractor: the request's verified bearer token. The router's state must give an
/// `Arc<Verifier>` (`FromRef`). Check scopes in the handler with [`AccessClaims::has_scope`]
/// or [`Verified::require`].
#[cfg(feature = "axum")]
pub struct Verified(pub AccessClaims);

#[cfg(feature = "axum")]
impl Verified {
    /// 403 `insufficient_scope` unless the token has `scope`.
    pub fn require(&self, scope: &str) -> Result<(), RejectionResponse> {
        if self.0.has_scope(scope) {
            Ok(())
        } else {
            Err(RejectionResponse(Rejection::InsufficientScope(
                scope.to_owned(),
            )))
        }
    }
}

/// A [`Rejection`] as an HTTP answer with its RFC 6750 challenge.
#[cfg(feature = "axum")]
pub struct RejectionResponse(pub Rejection);

#[cfg(feature = "axum")]
impl axum::response::IntoResponse for RejectionResponse {
    fn into_response(self) -> axum::response::Response {
        use axum::http::{StatusCode, header};
        let (status, challenge) = match &self.0 {
            Rejection::InvalidToken(_) => (
                StatusCode::UNAUTHORIZED,
                "Bearer error=\"invalid_token\"".to_owned(),
            ),
            Rejection::InsufficientScope(scope) => (
                StatusCode::FORBIDDEN,
                format!("Bearer error=\"insufficient_scope\", scope=\"{scope}\""),
            ),
        };
        (
            status,
            [(header::WWW_AUTHENTICATE, challenge)],
            self.0.to_string(),
        )
            .into_response()
    }
}

#[cfg(feature = "axum")]
impl<S> axum::extract::FromRequestParts<S> for Verified
where
    Arc<Verifier>: axum::extract::FromRef<S>,
    S: Send + Sync,
{
    type Rejection = RejectionResponse;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        use axum::extract::FromRef;
        let verifier = Arc::<Verifier>::from_ref(state);
        let token = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or_else(|| RejectionResponse(Rejection::InvalidToken("no bearer token".into())))?;
        verifier
            .verify(token.trim(), None)
            .await
            .map(Verified)
            .map_err(RejectionResponse)
    }
}
