//! Password hashing with argon2id at OWASP's minimum (m = 19 MiB, t = 2, p = 1, the crate's
//! defaults). Hashing takes tens of milliseconds of CPU and 19 MiB, so it runs on a few threads
//! of its own, one per core: never on the async workers, and never on tokio's blocking pool,
//! where each of up to hundreds of threads would keep its own 19 MiB in the allocator (a login
//! benchmark grew the server to 900 MB that way). Queued logins wait their turn instead.

use std::sync::mpsc::{Sender, channel};
use std::sync::{Arc, LazyLock, Mutex};

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
