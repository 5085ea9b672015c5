//! Removing what has expired: sessions, authorization codes, revoked-token entries, spent
//! refresh tokens and throttle counters, and
//! kept answers of idempotent reporting calls. A job of the runner like every other (one instance
//! at a time), although its deletes would be harmless twice.

use std::time::Duration;

use crate::clock::UnixTime;
use crate::db::{Db, DbError};
use crate::with_pool;

const EVERY: Duration = Duration::from_secs(600);
// Kept a while after expiry so that a late replay is still recognised as one.
const CODE_KEEP: i64 = 3600;
// Delivered or abandoned logout notifications stay a month for whoever asks what happened.
const LOGOUT_KEEP: i64 = 30 * 86_400;

/// Deletes expired rows; returns how many.
pub async fn sweep(db: &Db, now: UnixTime) -> Result<u64, DbError> {
    let statements: [(&str, i64); 9] = [
        ("DELETE FROM sessions WHERE expiry_date < $1", now),
        (
            "DELETE FROM authorization_codes WHERE expires_at < $1",
            now - CODE_KEEP,
        ),
        (
            "DELETE FROM revoked_access_tokens WHERE expires_at < $1",
            now,
        ),
        ("DELETE FROM refresh_tokens WHERE expires_at < $1", now),
        (
            "DELETE FROM oauth_pushed_requests WHERE expires_at < $1",
            now,
        ),
        (
            "DELETE FROM login_throttle WHERE last_failure < $1 AND (locked_until IS NULL OR locked_until < $1)",
            now - 86_400,
        ),
        (
            "DELETE FROM login_known_addresses WHERE last_success < $1",
            now - crate::web::identity::throttle::KNOWN_FOR,
        ),
        (
            "DELETE FROM oauth_logout_outbox WHERE delivered_at < $1 OR abandoned_at < $1",
            now - LOGOUT_KEEP,
        ),
        (
            "DELETE FROM catalogue_idempotency WHERE created_at < $1",
            now - crate::catalogue::idempotency::KEEP_SECONDS,
        ),
    ];
    let mut removed = 0;
    for (sql, cutoff) in statements {
        removed += with_pool!(db, pool => sqlx::query(sql)
            .bind(cutoff)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
    }
    Ok(removed)
}

/// The sweep as a scheduled job, every ten minutes.
pub fn job() -> crate::platform::Job {
    crate::platform::Job::new("housekeeping.sweep", |db, now| async move {
        let removed = sweep(&db, now).await?;
        if removed > 0 {
            tracing::info!(removed, "removed expired rows");
        }
        Ok(())
    })
    .every(EVERY)
}
