//! Second factors for the people who approve money: authenticator-app codes (TOTP) with
//! recovery codes, and passkeys (WebAuthn). Which roles must have one is a setting
//! (`[login] second_factor_roles`); a user holding such a role without a factor is taken to
//! enrolment at the next sign-in.

pub mod passkeys;
pub mod recovery;
pub mod sealing;
pub mod totp;

use super::Role;
use crate::db::{Db, DbError};
use crate::with_pool;

#[derive(Debug, thiserror::Error)]
pub enum SecondFactorError {
    #[error("已启用身份验证器，请先移除 / an authenticator is already set up; remove it first")]
    AlreadyEnrolled,
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Sealing(#[from] sealing::SealingError),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for SecondFactorError {
    fn from(e: sqlx::Error) -> Self {
        SecondFactorError::Db(e.into())
    }
}

/// What second factors a user has.
#[derive(Debug, Clone, Default)]
pub struct Factors {
    pub totp: bool,
    pub passkeys: i64,
    pub recovery_codes_left: i64,
}

impl Factors {
    pub fn any(&self) -> bool {
        self.totp || self.passkeys > 0
    }
}

pub async fn of(db: &Db, user_id: &str) -> Result<Factors, DbError> {
    let (totp, passkeys, left): (i64, i64, i64) = with_pool!(db, pool => sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM user_totp WHERE user_id = $1 AND confirmed_at IS NOT NULL), \
                (SELECT COUNT(*) FROM user_passkeys WHERE user_id = $1), \
                (SELECT COUNT(*) FROM user_recovery_codes WHERE user_id = $1 AND used_at IS NULL)",
    )
    .bind(user_id)
    .fetch_one(pool)
    .await)?;
    Ok(Factors {
        totp: totp > 0,
        passkeys,
        recovery_codes_left: left,
    })
}

/// Whether holding `roles` obliges a second factor under the setting `required`.
pub fn required(roles: &[Role], required: &[Role]) -> bool {
    roles.iter().any(|r| required.contains(r))
}
