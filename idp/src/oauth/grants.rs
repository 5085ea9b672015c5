//! Authorization codes, grants and refresh tokens in the database: single-use codes, refresh
//! rotation with reuse detection, and revocation of whole grants.

use uuid::Uuid;

use super::secrets::{Secret, SecretKind, hash_secret};
use crate::clock::UnixTime;
use crate::db::{Db, DbError, Tx};
use crate::{with_pool, with_tx};

/// What a code was issued for; stored under the code's hash.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CodeRecord {
    pub client_id: String,
    pub user_id: String,
    pub session_id: Option<String>,
    pub redirect_uri: String,
    pub scope: String,
    pub nonce: Option<String>,
    pub pkce_challenge: Option<String>,
    pub auth_time: i64,
    pub expires_at: i64,
    pub grant_id: Option<String>,
    /// How the user signed in (RFC 8176 values, space-separated).
    pub amr: Option<String>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Grant {
    pub id: String,
    pub client_id: String,
    pub user_id: Option<String>,
    pub session_id: Option<String>,
    pub scope: String,
    pub auth_time: i64,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
}

pub struct NewCode<'a> {
    pub client_id: &'a str,
    pub user_id: &'a str,
    pub session_id: Option<&'a str>,
    pub redirect_uri: &'a str,
    pub scope: &'a str,
    pub nonce: Option<&'a str>,
    pub pkce_challenge: Option<&'a str>,
    pub auth_time: i64,
    pub amr: &'a str,
}

/// Stores a new code and returns it in the clear, once.
pub async fn issue_code(
    db: &Db,
    new: NewCode<'_>,
    now: UnixTime,
    ttl: i64,
) -> Result<Secret, DbError> {
    let code = Secret::generate(SecretKind::AuthorizationCode);
    with_pool!(db, pool => sqlx::query(
        "INSERT INTO authorization_codes (code_hash, client_id, user_id, session_id, redirect_uri, scope, \
         nonce, pkce_challenge, auth_time, created_at, expires_at, amr) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(code.hash())
    .bind(new.client_id)
    .bind(new.user_id)
    .bind(new.session_id)
    .bind(new.redirect_uri)
    .bind(new.scope)
    .bind(new.nonce)
    .bind(new.pkce_challenge)
    .bind(new.auth_time)
    .bind(now)
    .bind(now + ttl)
    .bind(new.amr)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(code)
}

pub async fn find_code(db: &Db, code: &str) -> Result<Option<CodeRecord>, DbError> {
    Ok(with_pool!(db, conn => sqlx::query_as::<_, CodeRecord>(
        "SELECT client_id, user_id, session_id, redirect_uri, scope, nonce, pkce_challenge, auth_time, expires_at, grant_id, amr \
         FROM authorization_codes WHERE code_hash = $1",
    )
    .bind(hash_secret(code))
    .fetch_optional(conn)
    .await)?)
}

/// Marks the code redeemed for `grant_id`. False when another request redeemed it first.
pub async fn redeem_code(tx: &mut Tx, code: &str, grant_id: &str) -> Result<bool, DbError> {
    let updated = with_tx!(tx, conn => sqlx::query(
        "UPDATE authorization_codes SET grant_id = $2 WHERE code_hash = $1 AND grant_id IS NULL",
    )
    .bind(hash_secret(code))
    .bind(grant_id)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(updated == 1)
}

pub struct NewGrant<'a> {
    pub client_id: &'a str,
    pub user_id: Option<&'a str>,
    pub session_id: Option<&'a str>,
    pub scope: &'a str,
    pub auth_time: i64,
    pub lifetime: i64,
}

pub async fn create_grant(tx: &mut Tx, new: NewGrant<'_>, now: UnixTime) -> Result<Grant, DbError> {
    let id = format!("gr_{}", Uuid::new_v4().simple());
    with_tx!(tx, conn => sqlx::query(
        "INSERT INTO grants (id, client_id, user_id, session_id, scope, auth_time, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&id)
    .bind(new.client_id)
    .bind(new.user_id)
    .bind(new.session_id)
    .bind(new.scope)
    .bind(new.auth_time)
    .bind(now)
    .bind(now + new.lifetime)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(Grant {
        id,
        client_id: new.client_id.to_owned(),
        user_id: new.user_id.map(str::to_owned),
        session_id: new.session_id.map(str::to_owned),
        scope: new.scope.to_owned(),
        auth_time: new.auth_time,
        expires_at: now + new.lifetime,
        revoked_at: None,
    })
}

/// Revokes a grant: its refresh tokens stop working and access tokens carrying its id turn
/// inactive. Revoking twice keeps the first time and reason.
pub async fn revoke_grant(
    tx: &mut Tx,
    grant_id: &str,
    reason: &str,
    now: UnixTime,
) -> Result<(), DbError> {
    with_tx!(tx, conn => sqlx::query(
        "UPDATE grants SET revoked_at = $2, revoked_reason = $3 WHERE id = $1 AND revoked_at IS NULL",
    )
    .bind(grant_id)
    .bind(now)
    .bind(reason)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Issues a refresh token in the grant's family, expiring after `idle` seconds of disuse but
/// never after the grant itself.
pub async fn issue_refresh(
    tx: &mut Tx,
    grant: &Grant,
    now: UnixTime,
    idle: i64,
) -> Result<Secret, DbError> {
    let token = Secret::generate(SecretKind::RefreshToken);
    with_tx!(tx, conn => sqlx::query(
        "INSERT INTO refresh_tokens (token_hash, grant_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(token.hash())
    .bind(&grant.id)
    .bind(now)
    .bind((now + idle).min(grant.expires_at))
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(token)
}

#[derive(Debug, sqlx::FromRow)]
pub struct RefreshRecord {
    pub grant_id: String,
    pub expires_at: i64,
    pub used_at: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct RefreshWithGrant {
    token_hash: String,
    grant_id: String,
    token_expires_at: i64,
    used_at: Option<i64>,
    client_id: String,
    user_id: Option<String>,
    session_id: Option<String>,
    scope: String,
    auth_time: i64,
    grant_expires_at: i64,
    revoked_at: Option<i64>,
    user_active: Option<bool>,
    user_organisation_id: Option<String>,
}

impl RefreshWithGrant {
    fn split(self) -> RefreshFound {
        let r = self;
        (
            RefreshRecord {
                grant_id: r.grant_id.clone(),
                expires_at: r.token_expires_at,
                used_at: r.used_at,
            },
            Grant {
                id: r.grant_id,
                client_id: r.client_id,
                user_id: r.user_id,
                session_id: r.session_id,
                scope: r.scope,
                auth_time: r.auth_time,
                expires_at: r.grant_expires_at,
                revoked_at: r.revoked_at,
            },
            GrantUser {
                active: r.user_active.unwrap_or(false),
                organisation_id: r.user_organisation_id,
            },
        )
    }
}

/// The grant's user as a refresh needs them: still active, and acting for which organisation.
#[derive(Debug, Clone)]
pub struct GrantUser {
    pub active: bool,
    pub organisation_id: Option<String>,
}

/// A refresh token with its grant and the grant's user.
pub type RefreshFound = (RefreshRecord, Grant, GrantUser);

const REFRESH_WITH_GRANT: &str = "SELECT r.token_hash, r.grant_id, r.expires_at AS token_expires_at, r.used_at, \
     g.client_id, g.user_id, g.session_id, g.scope, g.auth_time, g.expires_at AS grant_expires_at, \
     g.revoked_at, NOT u.disabled AS user_active, u.organisation_id AS user_organisation_id \
     FROM refresh_tokens r JOIN grants g ON g.id = r.grant_id LEFT JOIN users u ON u.id = g.user_id \
     WHERE ";

/// A refresh token, its grant and the grant's user, in one round trip.
pub async fn find_refresh_with_grant(
    db: &Db,
    token: &str,
) -> Result<Option<RefreshFound>, DbError> {
    let sql = format!("{REFRESH_WITH_GRANT}r.token_hash = $1");
    let row = with_pool!(db, conn => sqlx::query_as::<_, RefreshWithGrant>(&sql)
        .bind(hash_secret(token))
        .fetch_optional(conn)
        .await)?;
    Ok(row.map(RefreshWithGrant::split))
}

/// The statement for [`find_refresh_batch`] on `db`'s backend.
pub fn refresh_batch_sql(db: &Db) -> String {
    format!(
        "{REFRESH_WITH_GRANT}{}",
        crate::db::dialect::in_json_list(db.backend(), "r.token_hash", "$1")
    )
}

/// For each of `token_hashes`, its refresh token, grant and user, in one statement (`sql` from
/// [`refresh_batch_sql`]; the hot path of the refresh grant).
pub async fn find_refresh_batch(
    db: &Db,
    sql: &str,
    token_hashes: Vec<String>,
) -> Result<Vec<Option<RefreshFound>>, DbError> {
    let list = serde_json::to_string(&token_hashes).unwrap_or_default();
    let rows = with_pool!(db, conn => sqlx::query_as::<_, RefreshWithGrant>(sql)
        .bind(&list)
        .fetch_all(conn)
        .await)?;
    let mut found: std::collections::HashMap<String, RefreshWithGrant> = rows
        .into_iter()
        .map(|row| (row.token_hash.clone(), row))
        .collect();
    Ok(token_hashes
        .iter()
        .map(|hash| found.remove(hash).map(RefreshWithGrant::split))
        .collect())
}

/// Issues a refresh token in the grant's family outside a transaction (the reuse grace window).
pub async fn issue_refresh_now(
    db: &Db,
    grant: &Grant,
    now: UnixTime,
    idle: i64,
) -> Result<Secret, DbError> {
    let token = Secret::generate(SecretKind::RefreshToken);
    let _gate = db.write_gate().await;
    with_pool!(db, pool => sqlx::query(
        "INSERT INTO refresh_tokens (token_hash, grant_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(token.hash())
    .bind(&grant.id)
    .bind(now)
    .bind((now + idle).min(grant.expires_at))
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(token)
}

/// Remembers a revoked access token until it would have expired anyway.
pub async fn revoke_access_token(db: &Db, jti: &str, expires_at: i64) -> Result<(), DbError> {
    with_pool!(db, pool => sqlx::query(
        "INSERT INTO revoked_access_tokens (jti, expires_at) VALUES ($1, $2) ON CONFLICT (jti) DO NOTHING",
    )
    .bind(jti)
    .bind(expires_at)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Which grants to revoke together.
pub enum GrantsOf<'a> {
    /// Those made in one login session (logout, ending a session on the account page).
    Session {
        user_id: &'a str,
        session_id: &'a str,
    },
    /// Every grant of a user (signing out everywhere).
    User(&'a str),
    /// Every grant of a user but those of one login session (a password change keeps the
    /// browser that made it).
    UserExceptSession {
        user_id: &'a str,
        session_id: &'a str,
    },
    /// A user's grants to one client (withdrawn consent).
    UserClient {
        user_id: &'a str,
        client_id: &'a str,
    },
}

/// Revokes a set of grants at once: their refresh tokens stop working and access tokens carrying
/// their ids turn inactive. Returns how many were revoked now.
pub async fn revoke_grants(
    db: &Db,
    which: GrantsOf<'_>,
    reason: &str,
    now: UnixTime,
) -> Result<u64, DbError> {
    let (condition, first, second) = match which {
        GrantsOf::Session {
            user_id,
            session_id,
        } => (
            "user_id = $3 AND session_id = $4",
            user_id,
            Some(session_id),
        ),
        GrantsOf::User(user_id) => ("user_id = $3", user_id, None),
        GrantsOf::UserExceptSession {
            user_id,
            session_id,
        } => (
            "user_id = $3 AND (session_id IS NULL OR session_id <> $4)",
            user_id,
            Some(session_id),
        ),
        GrantsOf::UserClient { user_id, client_id } => {
            ("user_id = $3 AND client_id = $4", user_id, Some(client_id))
        }
    };
    let sql = format!(
        "UPDATE grants SET revoked_at = $1, revoked_reason = $2 WHERE {condition} AND revoked_at IS NULL \
         RETURNING client_id, user_id, session_id"
    );
    let ended: Vec<super::backchannel::Ended> = with_pool!(db, pool => {
        let mut query = sqlx::query_as(&sql).bind(now).bind(reason).bind(first);
        if let Some(second) = second {
            query = query.bind(second);
        }
        query.fetch_all(pool).await
    })?;
    // The clients that asked to hear of it are told (OpenID Connect Back-Channel Logout).
    super::backchannel::enqueue(db, &ended, now).await?;
    Ok(ended.len() as u64)
}
