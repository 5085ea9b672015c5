//! Password hashing with argon2id at OWASP's minimum (m = 19 MiB, t = 2, p = 1, the crate's
//! defaults). Hashing takes tens of milliseconds of CPU and 19 MiB, so it runs on a few threads
//! of its own, one per core: never on the async workers, and never on tokio's blocking pool,
//! where each of up to hundreds of threads would keep its own 19 MiB in the allocator (a login
//! benchmark grew the server to 900 MB that way). Queued logins wait their turn instead.

use std::cell::RefCell;
use std::sync::mpsc::{Sender, channel};
use std::sync::{Arc, LazyLock, Mutex};

use argon2::password_hash::PasswordHasher;
use argon2::password_hash::phc::{Output, PasswordHash};
use argon2::{Algorithm, Argon2, Block, Params, Version};

/// A hash of a password nobody knows, verified against when the user does not exist so that an
/// unknown username costs the same time as a wrong password.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    hash_now("not a real password: equalises timing for unknown users")
        .unwrap_or_else(|_| String::from("$argon2id$v=19$m=19456,t=2,p=1$invalid"))
});

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("密码至少 {min} 个字符 / the password must be at least {min} characters long")]
    TooShort { min: usize },
    #[error("密码最多 {max} 个字符 / the password must be at most {max} characters long")]
    TooLong { max: usize },
    #[error(
        "这个密码太常见或太容易猜到，请换一个更长、更少见的密码。This password is too common or too easy to guess; choose a longer, less usual one."
    )]
    TooGuessable,
    #[error("password hashing failed: {0}")]
    Hashing(String),
}

pub const MIN_LENGTH: usize = 8;
// Bounds the work an attacker can make one request do.
pub const MAX_LENGTH: usize = 256;

/// zxcvbn's scores 0 and 1 (fewer than a million guesses: common passwords, `12345678`,
/// `Password1`, keyboard walks, repeats) are refused, as NIST SP 800-63B asks of a list of
/// known-bad passwords.
const MIN_SCORE: zxcvbn::Score = zxcvbn::Score::Two;

/// Whether a new password may be set. `user_inputs` are the account's own words (username,
/// name, email), which make a password easier to guess.
pub fn check_policy(password: &str, user_inputs: &[&str]) -> Result<(), PasswordError> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Err(PasswordError::TooShort { min: MIN_LENGTH });
    }
    if length > MAX_LENGTH {
        return Err(PasswordError::TooLong { max: MAX_LENGTH });
    }
    if password.trim().is_empty() || zxcvbn::zxcvbn(password, user_inputs).score() < MIN_SCORE {
        return Err(PasswordError::TooGuessable);
    }
    Ok(())
}

type Job = Box<dyn FnOnce() + Send>;

/// The hashing threads. A compute pool shared by the process, like the runtime itself; it holds
/// no configuration or data.
static HASHERS: LazyLock<Mutex<Sender<Job>>> = LazyLock::new(|| {
    let (sender, receiver) = channel::<Job>();
    let receiver = Arc::new(Mutex::new(receiver));
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2);
    for i in 0..threads {
        let receiver = receiver.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("argon2-{i}"))
            .spawn(move || {
                loop {
                    let job = match receiver.lock() {
                        Ok(receiver) => receiver.recv(),
                        Err(_) => return,
                    };
                    match job {
                        Ok(job) => job(),
                        Err(_) => return,
                    }
                }
            });
        if let Err(e) = spawned {
            tracing::error!(error = %e, "cannot start a password hashing thread");
        }
    }
    Mutex::new(sender)
});

/// Runs `work` on a hashing thread and waits for it without blocking the async worker.
async fn on_hasher<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    let (reply, answer) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || {
        let _ = reply.send(work());
    });
    HASHERS.lock().ok()?.send(job).ok()?;
    answer.await.ok()
}

fn hash_now(password: &str) -> Result<String, PasswordError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| PasswordError::Hashing(e.to_string()))
}

/// Hashes a password that passed [`check_policy`] into a PHC string (`$argon2id$…`).
pub async fn hash(password: String) -> Result<String, PasswordError> {
    on_hasher(move || hash_now(&password))
        .await
        .ok_or_else(|| PasswordError::Hashing("the hashing threads are gone".into()))?
}

/// Verifies `password` against `stored`, or against a dummy hash when there is no user, so that
/// both cases take the same time. Returns true only for a real match.
pub async fn verify(password: String, stored: Option<String>) -> bool {
    let has_user = stored.is_some();
    let result = on_hasher(move || {
        let stored = stored.unwrap_or_else(|| DUMMY_HASH.clone());
        verify_now(password.as_bytes(), &stored)
    })
    .await
    .unwrap_or(false);
    has_user && result
}

thread_local! {
    /// This thread's argon2 working memory (19 MiB at our parameters), kept from one hash to
    /// the next. Allocated afresh, as `verify_password` does, each hash paid for 4,864 page
    /// faults and the kernel zeroing them (4–5 % of a login's CPU under `perf`), and the
    /// allocator handed the block back and forth with the OS. Its content needs no clearing:
    /// argon2 writes every block before reading it.
    static WORKING_MEMORY: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// What `argon2`'s own `verify_password` does (the hash's algorithm, version, parameters and
/// salt; the outputs compared in constant time by `Output`'s `PartialEq`), through
/// `hash_password_into_with_memory`, the crate's entry point for caller-provided memory.
fn verify_now(password: &[u8], stored: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (&parsed.salt, &parsed.hash) else {
        return false;
    };
    let Ok(algorithm) = Algorithm::try_from(parsed.algorithm.as_str()) else {
        return false;
    };
    let version = match parsed.version.map(Version::try_from).transpose() {
        Ok(version) => version.unwrap_or_default(),
        Err(_) => return false,
    };
    let Ok(params) = Params::try_from(&parsed) else {
        return false;
    };
    let blocks = params.block_count();
    let argon2 = Argon2::new(algorithm, version, params);
    let mut computed = vec![0u8; expected.len()];
    let hashed = WORKING_MEMORY.with_borrow_mut(|memory| {
        if memory.len() < blocks {
            memory.resize(blocks, Block::default());
        }
        argon2.hash_password_into_with_memory(password, salt, &mut computed, &mut memory[..blocks])
    });
    hashed.is_ok() && Output::new(&computed).is_ok_and(|computed| computed == *expected)
}

/// Forces the dummy hash to be computed now, so the first unknown-user login is not faster.
pub fn warm_up() {
    LazyLock::force(&DUMMY_HASH);
}

#[cfg(test)]
mod tests {
    use argon2::password_hash::{CustomizedPasswordHasher, PasswordVerifier};
    use argon2::{Algorithm, Argon2, Params, Version};

    use super::*;

    /// Hashes made by the crate with other algorithms, versions, costs and output lengths: our
    /// verification with kept memory agrees with the crate's own, for the right password and
    /// for wrong ones, in any order on one thread (so the memory is reused across sizes).
    #[test]
    fn kept_memory_verifies_exactly_as_the_crate_does() {
        let cases = [
            (
                Algorithm::Argon2id,
                Version::V0x13,
                Params::new(19 * 1024, 2, 1, None),
            ),
            (
                Algorithm::Argon2id,
                Version::V0x13,
                Params::new(64, 1, 1, Some(16)),
            ),
            (
                Algorithm::Argon2i,
                Version::V0x13,
                Params::new(256, 3, 2, Some(32)),
            ),
            (
                Algorithm::Argon2d,
                Version::V0x10,
                Params::new(128, 2, 1, Some(64)),
            ),
            (
                Algorithm::Argon2id,
                Version::V0x13,
                Params::new(8 * 1024, 1, 4, None),
            ),
        ];
        for (algorithm, version, params) in cases {
            let params = params.unwrap();
            let hash = Argon2::default()
                .hash_password_customized(
                    b"correct horse",
                    b"salt-of-16-bytes",
                    Some(algorithm.as_str()),
                    Some(version.into()),
                    params.clone(),
                )
                .unwrap()
                .to_string();
            let parsed = PasswordHash::new(&hash).unwrap();
            for attempt in ["correct horse", "correct horsf", "", "correct horse "] {
                let crate_says = Argon2::default()
                    .verify_password(attempt.as_bytes(), &parsed)
                    .is_ok();
                assert_eq!(
                    verify_now(attempt.as_bytes(), &hash),
                    crate_says,
                    "{hash} with {attempt:?}"
                );
                assert_eq!(crate_says, attempt == "correct horse");
            }
        }
    }

    #[test]
    fn malformed_hashes_verify_nothing() {
        let good = hash_now("correct horse battery").unwrap();
        assert!(verify_now(b"correct horse battery", &good));
        let no_output = good.rsplit_once('$').unwrap().0.to_owned();
        let other_algorithm = good.replace("argon2id", "argon2x");
        let bad_version = good.replace("v=19", "v=7");
        for stored in [
            "",
            "plain text",
            "$argon2id$v=19$m=19456,t=2,p=1$invalid",
            no_output.as_str(),
            other_algorithm.as_str(),
            bad_version.as_str(),
        ] {
            assert!(!verify_now(b"correct horse battery", stored), "{stored}");
        }
    }
}

#[cfg(test)]
mod policy_tests {
    use super::{PasswordError, check_policy};

    #[test]
    fn common_and_trivial_passwords_are_refused() {
        for weak in [
            "12345678",
            "password",
            "        ",
            "Password1",
            "qwertyuiop",
            "iloveyou1",
            "aaaaaaaaaaaa",
            "zhangwei2026",
        ] {
            assert!(
                matches!(
                    check_policy(weak, &["zhangwei"]),
                    Err(PasswordError::TooGuessable)
                ),
                "{weak:?} was accepted"
            );
        }
        for fine in [
            "demo-2026",
            "long-enough-1",
            "a-new-password-1",
            "枸杞 滩羊 贺兰山 2026",
        ] {
            assert!(check_policy(fine, &["li"]).is_ok(), "{fine:?} was refused");
        }
        assert!(matches!(
            check_policy("short", &[]),
            Err(PasswordError::TooShort { .. })
        ));
    }
}
