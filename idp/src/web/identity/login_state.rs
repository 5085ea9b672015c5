//! Who is signed in on this browser, kept in the server-side session.

use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use crate::clock::UnixTime;
use crate::oauth::secrets::random_urlsafe;

const KEY: &str = "login";

/// A signed-in user on this browser.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Login {
    pub user_id: String,
    /// When the user last typed their password (OpenID Connect `auth_time`).
    pub auth_time: UnixTime,
    /// A stable public id of this login, kept by grants so that logout can end them.
    pub sid: String,
    /// How the user proved who they are (RFC 8176 values: `pwd`, `otp`).
    #[serde(default = "password_only")]
    pub amr: Vec<String>,
}

fn password_only() -> Vec<String> {
    vec![PASSWORD.to_owned()]
}

/// RFC 8176 method values.
pub const PASSWORD: &str = "pwd";
pub const ONE_TIME_CODE: &str = "otp";

pub use crate::oauth::tokens::{ACR_ONE_FACTOR, ACR_TWO_FACTORS};

impl Login {
    /// Two different kinds of proof make two factors.
    pub fn two_factors(&self) -> bool {
        self.amr.len() >= 2
    }

    pub fn acr(&self) -> &'static str {
        crate::oauth::tokens::acr_of(self.amr.iter().map(String::as_str))
    }
}

pub async fn current(session: &Session) -> Option<Login> {
    session.get::<Login>(KEY).await.ok().flatten()
}

/// Records a fresh login. The session id changes, so an id planted before login is useless.
pub async fn start(
    session: &Session,
    user_id: &str,
    amr: &[&str],
    now: UnixTime,
) -> Result<Login, tower_sessions::session::Error> {
    session.cycle_id().await?;
    let login = Login {
        user_id: user_id.to_owned(),
        auth_time: now,
        sid: format!("sid_{}", random_urlsafe(16)),
        amr: amr.iter().map(|m| (*m).to_owned()).collect(),
    };
    session.insert(KEY, &login).await?;
    Ok(login)
}

/// Adds a second factor to the current login (step-up for a client that asked for two): the
/// login keeps its id, so its grants and sessions stay one; the authentication time moves on.
pub async fn step_up(
    session: &Session,
    mut login: Login,
    method: &str,
    now: UnixTime,
) -> Result<Login, tower_sessions::session::Error> {
    session.cycle_id().await?;
    if !login.amr.iter().any(|m| m == method) {
        login.amr.push(method.to_owned());
    }
    login.auth_time = now;
    session.insert(KEY, &login).await?;
    Ok(login)
}

pub async fn end(session: &Session) -> Result<(), tower_sessions::session::Error> {
    session.flush().await
}
