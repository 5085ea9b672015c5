//! Recovery codes: ten single-use codes shown once when a second factor is set up, for the day
//! the phone is lost. Each carries 50 random bits, so a plain SHA-256 of it (as for tokens) is
//! enough to store; only hashes are kept.

use aws_lc_rs::rand::{SecureRandom, SystemRandom};

use crate::clock::UnixTime;
use crate::db::{DbError, Tx};
use crate::oauth::secrets::hash_secret;
use crate::{with_pool, with_tx};

pub const COUNT: usize = 10;
/// Unambiguous when read aloud or off paper: no 0/o, 1/l/i.
const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// As people type it: case, spaces and dashes do not matter.
fn normalise(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

fn new_code() -> String {
    let mut bytes = [0u8; 10];
    // The system RNG failing is not something a caller can handle; fall back to rand's.
    if SystemRandom::new().fill(&mut bytes).is_err() {
        bytes = rand::random();
    }
    let letters: String = bytes
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect();
    format!("{}-{}", &letters[..5], &letters[5..])
}

/// Replaces the user's codes with ten new ones, returned in the clear once.
pub async fn replace(tx: &mut Tx, user_id: &str, now: UnixTime) -> Result<Vec<String>, DbError> {
    with_tx!(tx, conn => sqlx::query("DELETE FROM user_recovery_codes WHERE user_id = $1")
        .bind(user_id)
        .execute(conn)
        .await
        .map(|r| r.rows_affected()))?;
    let mut codes = Vec::with_capacity(COUNT);
    while codes.len() < COUNT {
        let code = new_code();
        if codes.contains(&code) {
            continue;
        }
        with_tx!(tx, conn => sqlx::query(
            "INSERT INTO user_recovery_codes (user_id, code_hash, created_at) VALUES ($1, $2, $3)",
        )
        .bind(user_id)
        .bind(hash_secret(&normalise(&code)))
        .bind(now)
        .execute(conn)
        .await
        .map(|r| r.rows_affected()))?;
        codes.push(code);
    }
    Ok(codes)
}

/// Spends a code: true once per code, false for an unknown or used one.
pub async fn spend(
    db: &crate::db::Db,
    user_id: &str,
    code: &str,
    now: UnixTime,
) -> Result<bool, DbError> {
    let code = normalise(code);
    if code.len() != 10 {
        return Ok(false);
    }
    let spent = with_pool!(db, pool => sqlx::query(
        "UPDATE user_recovery_codes SET used_at = $3 WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL",
    )
    .bind(user_id)
    .bind(hash_secret(&code))
    .bind(now)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(spent == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_as_typed() {
        let code = new_code();
        assert_eq!(code.len(), 11);
        assert_eq!(normalise(&code.to_uppercase().replace('-', " ")).len(), 10);
        assert_eq!(
            normalise(&code),
            normalise(&format!(" {} ", code.to_uppercase()))
        );
    }
}
