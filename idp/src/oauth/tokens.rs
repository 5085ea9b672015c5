//! Minting and checking JWTs: access tokens (RFC 9068) and ID tokens (OpenID Connect Core §2).

use std::sync::Arc;

use anyhow::Context;
use jsonwebtoken::{Header, Validation};
use serde::{Deserialize, Serialize};

use super::keys::{Keyring, SigningAlgorithm};
use super::revocation_check::{Question, RevocationCheck};
use super::secrets::{left_half_hash, random_urlsafe};
use crate::clock::UnixTime;
use crate::db::Db;

/// The claims of an access token (RFC 9068 §2.2).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccessClaims {
    pub iss: String,
    /// The user, or for `client_credentials` the client itself.
    pub sub: String,
    pub aud: String,
    pub client_id: String,
    pub scope: String,
    pub jti: String,
    pub iat: i64,
    pub exp: i64,
    /// The grant the token came from; revoking the grant makes the token inactive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gid: Option<String>,
    /// The organisation the token acts for: the user's, or the client's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_time: Option<i64>,
}

impl AccessClaims {
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scope.split(' ').any(|s| s == scope)
    }
}

/// The `acr` values this provider issues: one factor, or two (two kinds of proof in `amr`).
pub const ACR_ONE_FACTOR: &str = "1";
pub const ACR_TWO_FACTORS: &str = "2";

/// The `acr` of a login proved by `methods` (RFC 8176 values).
pub fn acr_of<'a>(methods: impl IntoIterator<Item = &'a str>) -> &'static str {
    if methods.into_iter().filter(|m| !m.is_empty()).count() >= 2 {
        ACR_TWO_FACTORS
    } else {
        ACR_ONE_FACTOR
    }
}

#[derive(Debug, Serialize)]
pub struct IdClaims<'a> {
    pub iss: &'a str,
    pub sub: &'a str,
    pub aud: &'a str,
    pub azp: &'a str,
    pub iat: i64,
    pub exp: i64,
    pub auth_time: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nonce: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at_hash: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<&'a str>,
    /// How the user signed in (RFC 8176).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amr: Option<Vec<&'a str>>,
    /// `1` for one factor, `2` for two.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acr: Option<&'static str>,
}

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("令牌格式有误或签名无效 / the token is malformed or its signature does not verify")]
    Invalid,
    #[error("令牌已过期 / the token has expired")]
    Expired,
    #[error("令牌已被撤销 / the token was revoked")]
    Revoked,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// Signs and checks tokens with the keyring's current key.
pub struct TokenService {
    pub keyring: Keyring,
    pub issuer: String,
    pub audience: String,
    /// ID tokens' algorithm.
    pub algorithm: SigningAlgorithm,
    /// Access tokens' algorithm.
    pub access_algorithm: SigningAlgorithm,
    pub access_ttl: i64,
    pub id_ttl: i64,
    revocations: RevocationCheck,
}

impl TokenService {
    /// `list_db` is [`Db::list_pool`], where the batched revocation checks run.
    pub fn new(
        db: Db,
        list_db: Db,
        issuer: &str,
        algorithm: SigningAlgorithm,
        access_algorithm: SigningAlgorithm,
        access_ttl: i64,
        id_ttl: i64,
    ) -> Arc<Self> {
        Arc::new(TokenService {
            keyring: Keyring::new(db),
            issuer: issuer.to_owned(),
            audience: api_audience(issuer),
            algorithm,
            access_algorithm,
            access_ttl,
            id_ttl,
            revocations: RevocationCheck::start(list_db),
        })
    }

    pub fn new_jti() -> String {
        random_urlsafe(16)
    }

    /// Signs an access token; `claims.iss`, `aud`, `iat`, `exp` and `jti` are filled in here.
    pub async fn mint_access(
        &self,
        mut claims: AccessClaims,
        now: UnixTime,
    ) -> anyhow::Result<(String, AccessClaims)> {
        claims.iss = self.issuer.clone();
        claims.aud = self.audience.clone();
        claims.iat = now;
        claims.exp = now + self.access_ttl;
        claims.jti = Self::new_jti();
        let key = self.keyring.current_of(self.access_algorithm, now).await?;
        let mut header = Header::new(key.alg.jwt_algorithm());
        header.kid = Some(key.kid.clone());
        header.typ = Some("at+jwt".to_owned());
        let token = jsonwebtoken::encode(&header, &claims, &key.encoding)
            .context("signing an access token")?;
        Ok((token, claims))
    }

    /// Signs an ID token with `alg` (the client's registered algorithm) or the server's.
    pub async fn mint_id_token(
        &self,
        claims: IdClaims<'_>,
        access_token: Option<&str>,
        alg: Option<SigningAlgorithm>,
        now: UnixTime,
    ) -> anyhow::Result<String> {
        let claims = IdClaims {
            at_hash: access_token.map(left_half_hash),
            iat: now,
            exp: now + self.id_ttl,
            ..claims
        };
        let key = self
            .keyring
            .current_of(alg.unwrap_or(self.algorithm), now)
            .await?;
        let mut header = Header::new(key.alg.jwt_algorithm());
        header.kid = Some(key.kid.clone());
        header.typ = Some("JWT".to_owned());
        jsonwebtoken::encode(&header, &claims, &key.encoding).context("signing an ID token")
    }

    /// Signs other claims with an explicit `typ` (a logout token is `logout+jwt`, so it can
    /// never pass for an ID or access token) and the client's algorithm or the server's.
    pub async fn sign_typed(
        &self,
        claims: &impl Serialize,
        typ: &str,
        alg: Option<SigningAlgorithm>,
        now: UnixTime,
    ) -> anyhow::Result<String> {
        let key = self
            .keyring
            .current_of(alg.unwrap_or(self.algorithm), now)
            .await?;
        let mut header = Header::new(key.alg.jwt_algorithm());
        header.kid = Some(key.kid.clone());
        header.typ = Some(typ.to_owned());
        jsonwebtoken::encode(&header, claims, &key.encoding).context("signing a token")
    }

    /// Checks an access token's signature, issuer, audience and expiry against our clock, then
    /// whether it or its grant was revoked.
    pub async fn verify_access(
        &self,
        token: &str,
        now: UnixTime,
    ) -> Result<AccessClaims, TokenError> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| TokenError::Invalid)?;
        if header.typ.as_deref() != Some("at+jwt") {
            // RFC 9068 §4: an ID token must not be accepted as an access token.
            return Err(TokenError::Invalid);
        }
        let kid = header.kid.ok_or(TokenError::Invalid)?;
        let mut keys = self.keyring.keys(now).await?;
        if keys.find(&kid).is_none() {
            keys = self.keyring.reload(now).await?;
        }
        let key = keys.find(&kid).ok_or(TokenError::Invalid)?;
        let mut validation = Validation::new(key.alg.jwt_algorithm());
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        // Expiry is checked against the application clock below, not the system clock.
        validation.validate_exp = false;
        validation.required_spec_claims.clear();
        let data = jsonwebtoken::decode::<AccessClaims>(token, &key.decoding, &validation)
            .map_err(|_| TokenError::Invalid)?;
        let claims = data.claims;
        if claims.exp <= now {
            return Err(TokenError::Expired);
        }
        if self.is_revoked(&claims).await? {
            return Err(TokenError::Revoked);
        }
        Ok(claims)
    }

    async fn is_revoked(&self, claims: &AccessClaims) -> anyhow::Result<bool> {
        self.revocations
            .is_revoked(Question {
                jti: claims.jti.clone(),
                gid: claims.gid.clone(),
            })
            .await
            .context("checking token revocation")
    }
}

/// Who an `id_token_hint` names: its subject and audience (the client).
pub struct IdTokenHint {
    pub sub: String,
    pub aud: String,
}

impl TokenService {
    /// Checks an ID token we issued, expired or not (OpenID Connect RP-Initiated Logout §2).
    pub async fn verify_id_token_hint(&self, token: &str, now: UnixTime) -> Option<IdTokenHint> {
        #[derive(Deserialize)]
        struct Hint {
            sub: String,
            aud: String,
        }
        let header = jsonwebtoken::decode_header(token).ok()?;
        let kid = header.kid?;
        let keys = self.keyring.keys(now).await.ok()?;
        let key = keys.find(&kid)?;
        let mut validation = Validation::new(key.alg.jwt_algorithm());
        validation.set_issuer(&[&self.issuer]);
        validation.validate_exp = false;
        validation.validate_aud = false;
        validation.required_spec_claims.clear();
        let data = jsonwebtoken::decode::<Hint>(token, &key.decoding, &validation).ok()?;
        Some(IdTokenHint {
            sub: data.claims.sub,
            aud: data.claims.aud,
        })
    }
}

/// The `aud` of access tokens for the platform's own APIs.
pub fn api_audience(issuer: &str) -> String {
    format!("{}/api", issuer.trim_end_matches('/'))
}
