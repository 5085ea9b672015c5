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
}

pub async fn current(session: &Session) -> Option<Login> {
    session.get::<Login>(KEY).await.ok().flatten()
}

/// Records a fresh login. The session id changes, so an id planted before login is useless.
pub async fn start(
    session: &Session,
    user_id: &str,
    now: UnixTime,
) -> Result<Login, tower_sessions::session::Error> {
    session.cycle_id().await?;
    let login = Login {
        user_id: user_id.to_owned(),
        auth_time: now,
        sid: format!("sid_{}", random_urlsafe(16)),
    };
    session.insert(KEY, &login).await?;
    Ok(login)
}

pub async fn end(session: &Session) -> Result<(), tower_sessions::session::Error> {
    session.flush().await
}
