//! Pushed authorization requests (RFC 9126): a client posts its authorization request's
//! parameters to `/par` over an authenticated back channel and gets a one-time `request_uri`;
//! the browser then carries only `client_id` and that reference to `/authorize`. Stored by the
//! SHA-256 of the reference, taken (deleted) on first use, refused once expired.

use crate::db::{Db, DbError};
use crate::oauth::secrets::{hash_secret, random_urlsafe};
use crate::with_pool;

/// The prefix RFC 9126 §2.2 gives every reference.
pub const REQUEST_URI_PREFIX: &str = "urn:ietf:params:oauth:request_uri:";

/// How long a pushed request may wait for its browser (seconds).
pub const LIFETIME_SECONDS: i64 = 90;

/// The most parameters, and the most bytes of them, a pushed request keeps.
pub const MAX_PARAMETERS: usize = 30;
pub const MAX_BYTES: usize = 8 * 1024;

/// Parameters never kept: the client's own credentials, and nesting.
const NOT_KEPT: &[&str] = &["client_secret", "client_assertion", "client_assertion_type"];

/// Why a pushed reference cannot be used.
#[derive(Debug, PartialEq, Eq)]
pub enum TakeRefusal {
    /// Unknown, already used, expired, or pushed by another client.
    Invalid,
}

/// Keeps `pairs` for `client_id`; answers the `request_uri`.
pub async fn push(
    db: &Db,
    client_id: &str,
    pairs: &[(String, String)],
    now: i64,
) -> Result<String, DbError> {
    let kept: Vec<&(String, String)> = pairs
        .iter()
        .filter(|(name, _)| !NOT_KEPT.contains(&name.as_str()))
        .collect();
    let reference = random_urlsafe(32);
    let params = serde_json::to_string(&kept).unwrap_or_else(|_| "[]".into());
    let _gate = db.write_gate().await;
    with_pool!(db, pool => {
        sqlx::query("INSERT INTO oauth_pushed_requests (reference_hash, client_id, params, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(hash_secret(&reference))
            .bind(client_id)
            .bind(&params)
            .bind(now + LIFETIME_SECONDS)
            .execute(pool)
            .await?;
    });
    Ok(format!("{REQUEST_URI_PREFIX}{reference}"))
}

/// Takes the pushed request `request_uri` refers to, once, for `client_id`.
pub async fn take(
    db: &Db,
    client_id: &str,
    request_uri: &str,
    now: i64,
) -> Result<Result<Vec<(String, String)>, TakeRefusal>, DbError> {
    let Some(reference) = request_uri.strip_prefix(REQUEST_URI_PREFIX) else {
        return Ok(Err(TakeRefusal::Invalid));
    };
    let _gate = db.write_gate().await;
    let row: Option<(String, String, i64)> = with_pool!(db, pool => {
        sqlx::query_as("DELETE FROM oauth_pushed_requests WHERE reference_hash = $1 RETURNING client_id, params, expires_at")
            .bind(hash_secret(reference))
            .fetch_optional(pool)
            .await?
    });
    Ok(match row {
        Some((owner, params, expires_at)) if owner == client_id && expires_at > now => {
            Ok(serde_json::from_str(&params).unwrap_or_default())
        }
        _ => Err(TakeRefusal::Invalid),
    })
}
