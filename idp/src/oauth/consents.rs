//! What each user has allowed each client (OpenID Connect Core §3.1.2.4): remembered so the
//! consent page is shown only for scopes not yet granted, listed and withdrawn on the account
//! page.

use super::adapter::ScopeSet;
use crate::clock::UnixTime;
use crate::db::{Db, DbError};
use crate::with_pool;

/// The scopes `user_id` has allowed `client_id`, if any.
pub async fn granted(db: &Db, user_id: &str, client_id: &str) -> Result<Option<ScopeSet>, DbError> {
    let scope: Option<String> = with_pool!(db, pool => sqlx::query_scalar(
        "SELECT scope FROM consents WHERE user_id = $1 AND client_id = $2",
    )
    .bind(user_id)
    .bind(client_id)
    .fetch_optional(pool)
    .await)?;
    Ok(scope.and_then(|s| ScopeSet::parse(&s).ok()))
}

/// Whether the user already allowed every scope of `scope` to the client.
pub async fn covers(
    db: &Db,
    user_id: &str,
    client_id: &str,
    scope: &ScopeSet,
) -> Result<bool, DbError> {
    Ok(granted(db, user_id, client_id)
        .await?
        .is_some_and(|granted| scope.is_subset_of(&granted)))
}

/// Adds `scope` to what the user allowed the client.
pub async fn remember(
    db: &Db,
    user_id: &str,
    client_id: &str,
    scope: &ScopeSet,
    now: UnixTime,
) -> Result<(), DbError> {
    let mut all: Vec<String> = scope.iter().map(str::to_owned).collect();
    if let Some(earlier) = granted(db, user_id, client_id).await? {
        all.extend(earlier.iter().map(str::to_owned));
    }
    let merged = ScopeSet::parse(&all.join(" "))
        .unwrap_or_else(|_| scope.clone())
        .to_text();
    with_pool!(db, pool => sqlx::query(
        "INSERT INTO consents (user_id, client_id, scope, granted_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (user_id, client_id) DO UPDATE SET scope = excluded.scope, granted_at = excluded.granted_at",
    )
    .bind(user_id)
    .bind(client_id)
    .bind(merged)
    .bind(now)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Forgets what the user allowed the client; the next authorization asks again.
pub async fn withdraw(db: &Db, user_id: &str, client_id: &str) -> Result<(), DbError> {
    with_pool!(db, pool => sqlx::query("DELETE FROM consents WHERE user_id = $1 AND client_id = $2")
        .bind(user_id)
        .bind(client_id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// An application the user has authorised.
pub struct AuthorisedApp {
    pub client_id: String,
    pub client_name: String,
    pub scope: String,
}

/// The applications the user has authorised, by name.
pub async fn list(db: &Db, user_id: &str) -> Result<Vec<AuthorisedApp>, DbError> {
    let rows: Vec<(String, String, String)> = with_pool!(db, pool => sqlx::query_as(
        "SELECT c.id, c.name, k.scope FROM consents k JOIN clients c ON c.id = k.client_id \
         WHERE k.user_id = $1 ORDER BY c.name",
    )
    .bind(user_id)
    .fetch_all(pool)
    .await)?;
    Ok(rows
        .into_iter()
        .map(|(client_id, client_name, scope)| AuthorisedApp {
            client_id,
            client_name,
            scope,
        })
        .collect())
}
