//! Authenticator-app codes (TOTP, RFC 6238) with totp-rs: SHA-1, six digits, 30-second steps,
//! one step of drift either way — what every authenticator app speaks.
//!
//! Enrolment is two steps: a seed is created unconfirmed and shown (QR code and text); it
//! counts only once a code from it is typed back. A code is accepted once: the step it belongs
//! to is recorded by a conditional update, so a replay in the same window, or an older code
//! after a newer one, is refused on every instance.

use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use totp_rs::{Algorithm, Builder, Totp};

use super::SecondFactorError;
use super::sealing::Sealer;
use crate::clock::UnixTime;
use crate::db::Db;
use crate::{with_pool, with_tx};

/// The name authenticator apps list the account under.
pub const ISSUER: &str = "宁夏众创空间共享平台";
const SEED_BYTES: usize = 20;

fn totp_of(seed: Vec<u8>, username: &str) -> Result<Totp, SecondFactorError> {
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_skew(1)
        .with_step_duration(30)
        .with_secret(seed)
        .with_account_name(username)
        .with_issuer(Some(ISSUER))
        .build()
        .map_err(|e| SecondFactorError::Internal(anyhow::anyhow!("building a TOTP: {e}")))
}

/// What the account page shows while enrolling.
pub struct Enrolment {
    /// The seed in base32, for apps without a camera.
    pub secret: String,
    /// The `otpauth://` address the QR code holds.
    pub url: String,
    /// The QR code, as an SVG document.
    pub qr_svg: String,
}

/// Starts (or restarts) enrolment with a fresh unconfirmed seed. Refused while a confirmed
/// one exists: it must be removed first, with the password and a code.
pub async fn begin(
    db: &Db,
    sealer: &Sealer,
    user_id: &str,
    username: &str,
    now: UnixTime,
) -> Result<Enrolment, SecondFactorError> {
    let mut seed = vec![0u8; SEED_BYTES];
    SystemRandom::new()
        .fill(&mut seed)
        .map_err(|_| SecondFactorError::Internal(anyhow::anyhow!("no randomness")))?;
    let sealed = sealer.seal(&seed, user_id)?;
    let stored = with_pool!(db, pool => sqlx::query(
        "INSERT INTO user_totp (user_id, secret_sealed, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id) DO UPDATE SET secret_sealed = excluded.secret_sealed, \
         created_at = excluded.created_at, last_used_step = NULL \
         WHERE user_totp.confirmed_at IS NULL",
    )
    .bind(user_id)
    .bind(&sealed)
    .bind(now)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    if stored == 0 {
        return Err(SecondFactorError::AlreadyEnrolled);
    }
    enrolment_of(seed, username)
}

fn enrolment_of(seed: Vec<u8>, username: &str) -> Result<Enrolment, SecondFactorError> {
    let totp = totp_of(seed, username)?;
    let url = totp
        .to_url()
        .map_err(|e| SecondFactorError::Internal(anyhow::anyhow!("otpauth URL: {e}")))?;
    let qr_svg = qrcode::QrCode::new(url.as_bytes())
        .map_err(|e| SecondFactorError::Internal(anyhow::anyhow!("QR code: {e}")))?
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .build();
    Ok(Enrolment {
        secret: totp.secret().to_base32(),
        url,
        qr_svg,
    })
}

/// The unconfirmed enrolment again (the page reloaded, or a wrong confirmation code).
pub async fn pending(
    db: &Db,
    sealer: &Sealer,
    user_id: &str,
    username: &str,
) -> Result<Option<Enrolment>, SecondFactorError> {
    let sealed: Option<String> = with_pool!(db, pool => sqlx::query_scalar(
        "SELECT secret_sealed FROM user_totp WHERE user_id = $1 AND confirmed_at IS NULL",
    )
    .bind(user_id)
    .fetch_optional(pool)
    .await)?;
    match sealed {
        None => Ok(None),
        Some(sealed) => Ok(Some(enrolment_of(
            sealer.open(&sealed, user_id)?,
            username,
        )?)),
    }
}

/// How a typed code fared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeCheck {
    Accepted,
    Wrong,
    /// Right, but its step (or a later one) was used already.
    Replayed,
}

/// The step `code` belongs to under the seed stored for `user_id` (confirmed or not).
async fn matching_step(
    db: &Db,
    sealer: &Sealer,
    user_id: &str,
    code: &str,
    confirmed: bool,
    now: UnixTime,
) -> Result<Option<i64>, SecondFactorError> {
    let sealed: Option<String> = with_pool!(db, pool => sqlx::query_scalar(
        "SELECT secret_sealed FROM user_totp WHERE user_id = $1 AND (confirmed_at IS NOT NULL) = $2",
    )
    .bind(user_id)
    .bind(confirmed)
    .fetch_optional(pool)
    .await)?;
    let Some(sealed) = sealed else {
        return Ok(None);
    };
    let totp = totp_of(sealer.open(&sealed, user_id)?, "-")?;
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(None);
    }
    Ok(totp
        .check(&code, u64::try_from(now).unwrap_or(0))
        .and_then(|step| i64::try_from(step).ok()))
}

/// Confirms the pending enrolment with a code from the app; on success the seed counts and ten
/// new recovery codes are returned, once.
pub async fn confirm(
    db: &Db,
    sealer: &Sealer,
    user_id: &str,
    code: &str,
    now: UnixTime,
) -> Result<Option<Vec<String>>, SecondFactorError> {
    let Some(step) = matching_step(db, sealer, user_id, code, false, now).await? else {
        return Ok(None);
    };
    let mut tx = db.begin().await?;
    let confirmed = with_tx!(&mut tx, conn => sqlx::query(
        "UPDATE user_totp SET confirmed_at = $2, last_used_step = $3 WHERE user_id = $1 AND confirmed_at IS NULL",
    )
    .bind(user_id)
    .bind(now)
    .bind(step)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?;
    if confirmed != 1 {
        return Ok(None);
    }
    let codes = super::recovery::replace(&mut tx, user_id, now).await?;
    tx.commit().await?;
    Ok(Some(codes))
}

/// Checks a code against the confirmed seed, accepting each step once.
pub async fn verify(
    db: &Db,
    sealer: &Sealer,
    user_id: &str,
    code: &str,
    now: UnixTime,
) -> Result<CodeCheck, SecondFactorError> {
    let Some(step) = matching_step(db, sealer, user_id, code, true, now).await? else {
        return Ok(CodeCheck::Wrong);
    };
    let taken = with_pool!(db, pool => sqlx::query(
        "UPDATE user_totp SET last_used_step = $2 WHERE user_id = $1 AND confirmed_at IS NOT NULL \
         AND (last_used_step IS NULL OR last_used_step < $2)",
    )
    .bind(user_id)
    .bind(step)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(if taken == 1 {
        CodeCheck::Accepted
    } else {
        CodeCheck::Replayed
    })
}

/// Removes the seed and the recovery codes (the caller checked the password and a code).
pub async fn remove(db: &Db, user_id: &str) -> Result<bool, SecondFactorError> {
    let mut tx = db.begin().await?;
    let removed = with_tx!(&mut tx, conn => sqlx::query("DELETE FROM user_totp WHERE user_id = $1")
        .bind(user_id)
        .execute(conn)
        .await
        .map(|r| r.rows_affected()))?;
    with_tx!(&mut tx, conn => sqlx::query("DELETE FROM user_recovery_codes WHERE user_id = $1")
        .bind(user_id)
        .execute(conn)
        .await
        .map(|r| r.rows_affected()))?;
    tx.commit().await?;
    Ok(removed > 0)
}
