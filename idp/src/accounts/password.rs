//! Password hashing with argon2id at OWASP's minimum (m = 19 MiB, t = 2, p = 1, the crate's
//! defaults). Hashing takes tens of milliseconds of CPU, so it runs on the blocking pool.

use std::sync::LazyLock;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

/// A hash of a password nobody knows, verified against when the user does not exist so that an
/// unknown username costs the same time as a wrong password.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    hash_now("not a real password: equalises timing for unknown users")
        .unwrap_or_else(|_| String::from("$argon2id$v=19$m=19456,t=2,p=1$invalid"))
});

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("the password must be at least {min} characters long")]
    TooShort { min: usize },
    #[error("the password must be at most {max} characters long")]
    TooLong { max: usize },
    #[error("password hashing failed: {0}")]
    Hashing(String),
}

pub const MIN_LENGTH: usize = 8;
// Bounds the work an attacker can make one request do.
pub const MAX_LENGTH: usize = 256;

pub fn check_policy(password: &str) -> Result<(), PasswordError> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Err(PasswordError::TooShort { min: MIN_LENGTH });
    }
    if length > MAX_LENGTH {
        return Err(PasswordError::TooLong { max: MAX_LENGTH });
    }
    Ok(())
}

fn hash_now(password: &str) -> Result<String, PasswordError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| PasswordError::Hashing(e.to_string()))
}

/// Hashes a password that passed [`check_policy`] into a PHC string (`$argon2id$…`).
pub async fn hash(password: String) -> Result<String, PasswordError> {
    tokio::task::spawn_blocking(move || hash_now(&password))
        .await
        .map_err(|e| PasswordError::Hashing(e.to_string()))?
}

/// Verifies `password` against `stored`, or against a dummy hash when there is no user, so that
/// both cases take the same time. Returns true only for a real match.
pub async fn verify(password: String, stored: Option<String>) -> bool {
    let has_user = stored.is_some();
    let result = tokio::task::spawn_blocking(move || {
        let stored = stored.unwrap_or_else(|| DUMMY_HASH.clone());
        match PasswordHash::new(&stored) {
            Ok(parsed) => Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok(),
            Err(_) => false,
        }
    })
    .await
    .unwrap_or(false);
    has_user && result
}

/// Forces the dummy hash to be computed now, so the first unknown-user login is not faster.
pub fn warm_up() {
    LazyLock::force(&DUMMY_HASH);
}
