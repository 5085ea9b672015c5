//! Slowing down password guessing: each failed login for an account, and for a source address,
//! is counted in the database (so every instance sees it). From the third failure in a row the
//! key is locked for a time that doubles with each further failure, up to 15 minutes. A success
//! clears the account's count.

use crate::clock::UnixTime;
use crate::db::{Db, DbError};
use crate::with_pool;

const FREE_FAILURES: i64 = 3;
const MAX_LOCK: i64 = 15 * 60;
// Addresses (shared offices, NAT) get more room than one account.
const ADDRESS_FREE_FAILURES: i64 = 20;

pub fn account_key(username: &str) -> String {
    format!("user:{}", username.to_lowercase())
}

pub fn address_key(address: &str) -> String {
    format!("ip:{address}")
}

/// What the throttle knows of a login attempt before it is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    /// Seconds until the longer-locked of the keys may try again, if locked.
    pub locked_for: Option<i64>,
    /// Whether the account (the first key) has failures on record, to clear on success.
    pub account_failures: bool,
}

/// The standing of `keys` (account first, then address); one query for both.
pub async fn standing(db: &Db, keys: [&str; 2], now: UnixTime) -> Result<Standing, DbError> {
    let (until, account_rows): (Option<i64>, i64) = with_pool!(db, pool => sqlx::query_as(
        "SELECT MAX(locked_until), COUNT(CASE WHEN throttle_key = $1 THEN 1 END) \
         FROM login_throttle WHERE throttle_key IN ($1, $2)",
    )
    .bind(keys[0])
    .bind(keys[1])
    .fetch_one(pool)
    .await)?;
    Ok(Standing {
        locked_for: until.filter(|u| *u > now).map(|u| u - now),
        account_failures: account_rows > 0,
    })
}

fn lock_seconds(failures: i64, free: i64) -> Option<i64> {
    (failures >= free).then(|| {
        let doublings = (failures - free).min(20) as u32;
        (1i64 << doublings).min(MAX_LOCK)
    })
}

pub async fn record_failure(
    db: &Db,
    key: &str,
    is_address: bool,
    now: UnixTime,
) -> Result<(), DbError> {
    let free = if is_address {
        ADDRESS_FREE_FAILURES
    } else {
        FREE_FAILURES
    };
    let mut tx = db.begin().await?;
    let failures: Option<i64> = crate::with_tx!(&mut tx, conn => sqlx::query_scalar(
        "SELECT failures FROM login_throttle WHERE throttle_key = $1",
    )
    .bind(key)
    .fetch_optional(conn)
    .await)?;
    let failures = failures.unwrap_or(0) + 1;
    let locked_until = lock_seconds(failures, free).map(|s| now + s);
    crate::with_tx!(&mut tx, conn => sqlx::query(
        "INSERT INTO login_throttle (throttle_key, failures, last_failure, locked_until) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (throttle_key) DO UPDATE SET failures = excluded.failures, last_failure = excluded.last_failure, \
         locked_until = excluded.locked_until",
    )
    .bind(key)
    .bind(failures)
    .bind(now)
    .bind(locked_until)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?;
    tx.commit().await
}

pub async fn clear(db: &Db, key: &str) -> Result<(), DbError> {
    with_pool!(db, pool => sqlx::query("DELETE FROM login_throttle WHERE throttle_key = $1")
        .bind(key)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::lock_seconds;

    #[test]
    fn locks_start_at_the_third_failure_and_double_up_to_fifteen_minutes() {
        assert_eq!(lock_seconds(2, 3), None);
        assert_eq!(lock_seconds(3, 3), Some(1));
        assert_eq!(lock_seconds(4, 3), Some(2));
        assert_eq!(lock_seconds(8, 3), Some(32));
        assert_eq!(lock_seconds(30, 3), Some(900));
    }
}
