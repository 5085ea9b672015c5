//! Passkeys (WebAuthn) with webauthn-rs: registered from the account page, used to sign in
//! without a password or as the second factor after one. webauthn-rs asks the authenticator
//! for user verification (a PIN or a fingerprint), so a passkey is two factors by itself
//! (something held, and something known or been).
//!
//! Stored per credential: the credential as webauthn-rs serialises it (public key, counter),
//! under its id; the ceremony's challenge state waits in the server-side session.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use webauthn_rs::prelude::{Passkey, Url, Webauthn, WebauthnBuilder};

use super::SecondFactorError;
use crate::clock::UnixTime;
use crate::db::{Db, DbError};
use crate::with_pool;

/// Passkeys one user may register.
pub const MAX_PER_USER: i64 = 10;

/// The relying party for the provider's issuer; `None` where browsers would refuse it (an IP
/// address is no RP ID), and the account page then offers no passkeys.
pub fn relying_party(issuer: &url::Url, name: &str) -> Option<Webauthn> {
    let host = issuer.host_str()?;
    if issuer
        .host()
        .is_some_and(|h| !matches!(h, url::Host::Domain(_)))
    {
        return None;
    }
    let origin = Url::parse(issuer.origin().ascii_serialization().as_str()).ok()?;
    WebauthnBuilder::new(host, &origin)
        .ok()?
        .rp_name(name)
        .build()
        .ok()
}

/// One registered passkey, as the account page lists it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Registered {
    pub credential_id: String,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

pub fn credential_key(id: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(id)
}

pub async fn list(db: &Db, user_id: &str) -> Result<Vec<Registered>, DbError> {
    Ok(with_pool!(db, pool => sqlx::query_as(
        "SELECT credential_id, name, created_at, last_used_at FROM user_passkeys \
         WHERE user_id = $1 ORDER BY created_at, credential_id",
    )
    .bind(user_id)
    .fetch_all(pool)
    .await)?)
}

/// The user's credentials, for a ceremony.
pub async fn credentials(db: &Db, user_id: &str) -> Result<Vec<Passkey>, SecondFactorError> {
    let stored: Vec<String> = with_pool!(db, pool => sqlx::query_scalar(
        "SELECT passkey FROM user_passkeys WHERE user_id = $1 ORDER BY created_at LIMIT 50",
    )
    .bind(user_id)
    .fetch_all(pool)
    .await)?;
    stored
        .iter()
        .map(|json| {
            serde_json::from_str(json)
                .map_err(|e| SecondFactorError::Internal(anyhow::anyhow!("a stored passkey: {e}")))
        })
        .collect()
}

/// Why a passkey was not stored.
#[derive(Debug, thiserror::Error)]
pub enum AddError {
    #[error(
        "每个账号最多登记 {MAX_PER_USER} 个通行密钥 / at most {MAX_PER_USER} passkeys per account"
    )]
    TooMany,
    #[error("该通行密钥已登记 / this passkey is registered already")]
    Duplicate,
    #[error(transparent)]
    Other(#[from] SecondFactorError),
}

pub async fn add(
    db: &Db,
    user_id: &str,
    name: &str,
    passkey: &Passkey,
    now: UnixTime,
) -> Result<String, AddError> {
    let count: i64 = with_pool!(db, pool => sqlx::query_scalar(
        "SELECT COUNT(*) FROM user_passkeys WHERE user_id = $1",
    )
    .bind(user_id)
    .fetch_one(pool)
    .await)
    .map_err(|e| AddError::Other(e.into()))?;
    if count >= MAX_PER_USER {
        return Err(AddError::TooMany);
    }
    let id = credential_key(passkey.cred_id());
    let json = serde_json::to_string(passkey)
        .map_err(|e| AddError::Other(SecondFactorError::Internal(e.into())))?;
    let name: String = name.trim().chars().take(60).collect();
    let stored = with_pool!(db, pool => sqlx::query(
        "INSERT INTO user_passkeys (credential_id, user_id, name, passkey, created_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (credential_id) DO NOTHING",
    )
    .bind(&id)
    .bind(user_id)
    .bind(if name.is_empty() { "通行密钥" } else { name.as_str() })
    .bind(json)
    .bind(now)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))
    .map_err(|e| AddError::Other(e.into()))?;
    if stored == 0 {
        return Err(AddError::Duplicate);
    }
    Ok(id)
}

/// Records a use: the signature counter moves on (a cloned authenticator shows as one that
/// goes back, which webauthn-rs refuses).
pub async fn used(
    db: &Db,
    user_id: &str,
    result: &webauthn_rs::prelude::AuthenticationResult,
    now: UnixTime,
) -> Result<(), SecondFactorError> {
    let id = credential_key(result.cred_id());
    let stored: Option<String> = with_pool!(db, pool => sqlx::query_scalar(
        "SELECT passkey FROM user_passkeys WHERE credential_id = $1 AND user_id = $2",
    )
    .bind(&id)
    .bind(user_id)
    .fetch_optional(pool)
    .await)?;
    let Some(stored) = stored else {
        return Ok(());
    };
    let mut passkey: Passkey = serde_json::from_str(&stored)
        .map_err(|e| SecondFactorError::Internal(anyhow::anyhow!("a stored passkey: {e}")))?;
    passkey.update_credential(result);
    let json =
        serde_json::to_string(&passkey).map_err(|e| SecondFactorError::Internal(e.into()))?;
    with_pool!(db, pool => sqlx::query(
        "UPDATE user_passkeys SET passkey = $3, last_used_at = $4 WHERE credential_id = $1 AND user_id = $2",
    )
    .bind(&id)
    .bind(user_id)
    .bind(json)
    .bind(now)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn remove(db: &Db, user_id: &str, credential_id: &str) -> Result<bool, DbError> {
    let removed = with_pool!(db, pool => sqlx::query(
        "DELETE FROM user_passkeys WHERE credential_id = $1 AND user_id = $2",
    )
    .bind(credential_id)
    .bind(user_id)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(removed == 1)
}
