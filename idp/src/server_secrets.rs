//! Secrets every instance must share (the CSRF cookie key): created once in the database by
//! whichever instance starts first, then read by all.

use anyhow::Context;

use crate::clock::UnixTime;
use crate::db::Db;
use crate::oauth::secrets::random_urlsafe;
use crate::with_pool;

/// The named secret, created with `bytes` random bytes if it does not exist yet.
pub async fn get_or_create(
    db: &Db,
    name: &str,
    bytes: usize,
    now: UnixTime,
) -> anyhow::Result<String> {
    with_pool!(db, pool => sqlx::query(
        "INSERT INTO server_secrets (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING",
    )
    .bind(name)
    .bind(random_urlsafe(bytes))
    .bind(now)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))
    .with_context(|| format!("creating the server secret {name}"))?;
    with_pool!(db, pool => sqlx::query_scalar::<_, String>("SELECT value FROM server_secrets WHERE name = $1")
        .bind(name)
        .fetch_one(pool)
        .await)
    .with_context(|| format!("reading the server secret {name}"))
}
