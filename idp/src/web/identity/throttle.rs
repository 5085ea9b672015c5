//! Slowing down password guessing without handing strangers a way to lock people out.
//!
//! Failures are counted in the database (so every instance sees them) under three keys:
//! - the account *and* the address together: from the third failure in a row that pair is
//!   locked for a time that doubles with each further failure, up to 15 minutes. A stranger who
//!   guesses at someone's account locks only himself out of it;
//! - the address alone, with room for offices behind one NAT ([`ADDRESS_FREE_FAILURES`]);
//! - the account alone, against guessing spread over many addresses, with much more room
//!   ([`ACCOUNT_FREE_FAILURES`]) and not applied at all to an address the account signed in
//!   from successfully within [`KNOWN_FOR`], so its owner at home or at work still gets in
//!   (the "known device" idea of OWASP's guidance; Keycloak and Kanidm separate the owner from
//!   the attacker in the same spirit).
//!
//! An attempt is counted as a failure *before* the password is verified, in one transaction
//! with the check (rows locked on PostgreSQL, the write gate on SQLite): forty attempts in
//! parallel cannot all slip through between a check and a record. A success takes its own
//! count back and forgets the account's failures.

use crate::clock::UnixTime;
use crate::db::{Db, DbError, dialect};
use crate::with_tx;

/// Failures in a row from one address at one account before it locks.
pub const PAIR_FREE_FAILURES: i64 = 3;
/// Failures from one address (all accounts) before it locks.
pub const ADDRESS_FREE_FAILURES: i64 = 20;
/// Failures at one account from addresses it has not signed in from, before it locks for them.
pub const ACCOUNT_FREE_FAILURES: i64 = 50;
const MAX_LOCK: i64 = 15 * 60;
/// How long a successful sign-in makes an address known for its account.
pub const KNOWN_FOR: i64 = 90 * 86_400;

fn lock_seconds(failures: i64, free: i64) -> Option<i64> {
    (failures >= free).then(|| {
        let doublings = (failures - free).min(20) as u32;
        (1i64 << doublings).min(MAX_LOCK)
    })
}

/// The account as the counters name it; a username typed by a stranger can be anything, so
/// only its first 128 characters count.
fn account_name(username: &str) -> String {
    username
        .trim()
        .chars()
        .take(128)
        .collect::<String>()
        .to_lowercase()
}

/// The counters an attempt by `username` from `address` is held to.
struct Keys {
    /// The account as counters and known addresses name it.
    name: String,
    pair: String,
    address: String,
    account: String,
}

impl Keys {
    fn new(username: &str, address: &str) -> Keys {
        let name = account_name(username);
        Keys {
            pair: format!("pair:{name}|{address}"),
            address: format!("ip:{address}"),
            account: format!("user:{name}"),
            name,
        }
    }
}

/// The answer to "may this attempt check a password?".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Go ahead; the attempt is already counted as a failure until [`succeeded`] says otherwise.
    Admitted {
        /// When the address last signed in to this account, if it ever did.
        known_since: Option<UnixTime>,
    },
    /// Locked for this many more seconds; nothing was counted.
    Locked(i64),
}

/// Checks and counts one attempt atomically, before its password is verified. Four statements
/// in one transaction whatever the keys: the known-address read, the counters created where
/// missing, read and locked in key order, and all counted by one update.
pub async fn admit(
    db: &Db,
    username: &str,
    address: &str,
    now: UnixTime,
) -> Result<Admission, DbError> {
    let keys = Keys::new(username, address);
    let mut tx = db.begin().await?;
    let known_since: Option<i64> = with_tx!(&mut tx, conn => sqlx::query_scalar(
        "SELECT last_success FROM login_known_addresses WHERE account = $1 AND address = $2",
    )
    .bind(&keys.name)
    .bind(address)
    .fetch_optional(conn)
    .await)?;
    let known = known_since.is_some_and(|at| at > now - KNOWN_FOR);
    // Sorted, so that concurrent attempts lock the rows in one order (no deadlock).
    let mut counted: Vec<(&str, i64)> = vec![
        (&keys.pair, PAIR_FREE_FAILURES),
        (&keys.address, ADDRESS_FREE_FAILURES),
    ];
    if !known {
        counted.push((&keys.account, ACCOUNT_FREE_FAILURES));
    }
    counted.sort();
    let n = counted.len();
    let list = (1..=n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ");
    let rows = (1..=n)
        .map(|i| format!("(${i}, 0, ${}, NULL)", n + 1))
        .collect::<Vec<_>>()
        .join(", ");
    let create = format!(
        "INSERT INTO login_throttle (throttle_key, failures, last_failure, locked_until) \
         VALUES {rows} ON CONFLICT (throttle_key) DO NOTHING"
    );
    with_tx!(&mut tx, conn => {
        let mut q = sqlx::query(&create);
        for (key, _) in &counted {
            q = q.bind(*key);
        }
        q.bind(now).execute(conn).await.map(|r| r.rows_affected())
    })?;
    let read = format!(
        "SELECT throttle_key, failures, locked_until FROM login_throttle \
         WHERE throttle_key IN ({list}) ORDER BY throttle_key{}",
        dialect::for_update(tx.backend())
    );
    let standing: Vec<(String, i64, Option<i64>)> = with_tx!(&mut tx, conn => {
        let mut q = sqlx::query_as(&read);
        for (key, _) in &counted {
            q = q.bind(*key);
        }
        q.fetch_all(conn).await
    })?;
    let locked_for = standing
        .iter()
        .filter_map(|(_, _, until)| until.filter(|u| *u > now).map(|u| u - now))
        .max();
    if let Some(seconds) = locked_for {
        tx.commit().await?;
        return Ok(Admission::Locked(seconds));
    }
    // Each counter's lock, computed from the count it reaches; `$1` is now, then key and lock
    // for each counter.
    let cases = (0..standing.len())
        .map(|i| format!("WHEN ${} THEN ${}", 2 + 2 * i, 3 + 2 * i))
        .collect::<Vec<_>>()
        .join(" ");
    let keys_list = (0..standing.len())
        .map(|i| format!("${}", 2 + 2 * i))
        .collect::<Vec<_>>()
        .join(", ");
    let count = format!(
        "UPDATE login_throttle SET failures = failures + 1, last_failure = $1, \
         locked_until = CASE throttle_key {cases} END WHERE throttle_key IN ({keys_list})"
    );
    with_tx!(&mut tx, conn => {
        let mut q = sqlx::query(&count).bind(now);
        for (key, failures, _) in &standing {
            let free = counted
                .iter()
                .find(|(k, _)| k == key)
                .map_or(PAIR_FREE_FAILURES, |(_, free)| *free);
            q = q.bind(key.as_str()).bind(lock_seconds(failures + 1, free).map(|s| now + s));
        }
        q.execute(conn).await.map(|r| r.rows_affected())
    })?;
    tx.commit().await?;
    Ok(Admission::Admitted { known_since })
}

/// The admitted attempt was right: the account's and the pair's failures are forgotten, the
/// address's count is taken back, and the address becomes known for the account (written at
/// most once a day per address).
pub async fn succeeded(
    db: &Db,
    username: &str,
    address: &str,
    admission: Admission,
    now: UnixTime,
) -> Result<(), DbError> {
    let keys = Keys::new(username, address);
    let mut tx = db.begin().await?;
    // Rows in the order `admit` locks them (`ip:` < `pair:` < `user:`), one statement each, so
    // that a success and a concurrent attempt never wait for each other in a circle.
    debug_assert!(keys.address < keys.pair && keys.pair < keys.account);
    with_tx!(&mut tx, conn => sqlx::query(
        "UPDATE login_throttle SET failures = failures - 1, \
         locked_until = CASE WHEN failures - 1 < $2 THEN NULL ELSE locked_until END \
         WHERE throttle_key = $1 AND failures > 0",
    )
    .bind(&keys.address)
    .bind(ADDRESS_FREE_FAILURES)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?;
    for key in [&keys.pair, &keys.account] {
        with_tx!(&mut tx, conn => sqlx::query("DELETE FROM login_throttle WHERE throttle_key = $1")
            .bind(key)
            .execute(conn)
            .await
            .map(|r| r.rows_affected()))?;
    }
    let fresh = matches!(
        admission,
        Admission::Admitted { known_since: Some(at) } if at > now - 86_400
    );
    if !fresh {
        with_tx!(&mut tx, conn => sqlx::query(
            "INSERT INTO login_known_addresses (account, address, last_success) VALUES ($1, $2, $3) \
             ON CONFLICT (account, address) DO UPDATE SET last_success = excluded.last_success",
        )
        .bind(&keys.name)
        .bind(address)
        .bind(now)
        .execute(conn)
        .await
        .map(|r| r.rows_affected()))?;
    }
    tx.commit().await
}

/// What a locked attempt is told.
pub fn locked_message(lang: crate::web::lang::Lang, seconds: i64) -> String {
    if lang.en {
        format!("Too many failed attempts. Try again in {seconds} s.")
    } else {
        format!("失败次数过多，请 {seconds} 秒后再试。")
    }
}

/// How a signed-in user's password, typed again to confirm a change, fared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordCheck {
    Right,
    Wrong,
    /// Locked for this many seconds; the password was not checked.
    Locked(i64),
}

/// Checks `password` for `username` as a sign-in would be: counted first, forgiven when right.
pub async fn check_password(
    db: &Db,
    username: &str,
    address: &str,
    password: String,
    now: UnixTime,
) -> Result<PasswordCheck, crate::accounts::AccountError> {
    let admission = admit(db, username, address, now).await?;
    if let Admission::Locked(seconds) = admission {
        return Ok(PasswordCheck::Locked(seconds));
    }
    let stored = crate::accounts::password_hash_of(db, username)
        .await?
        .map(|(_, hash)| hash);
    if !crate::accounts::password::verify(password, stored).await {
        return Ok(PasswordCheck::Wrong);
    }
    succeeded(db, username, address, admission, now).await?;
    Ok(PasswordCheck::Right)
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
