//! tower-sessions' store over our own `sessions` table, on either database, so that any
//! instance can serve any browser. (tower-sessions-sqlx-store targets another sqlx and one
//! backend at a time.)

use async_trait::async_trait;
use time::OffsetDateTime;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{Error, Result, SessionStore};

use crate::clock::Clock;
use crate::db::Db;
use crate::with_pool;

/// Times come from the application's clock, not the system's: a session lasts `ttl` seconds
/// of inactivity as the server counts them (tower-sessions' own expiry, from the system clock,
/// is replaced on every write).
#[derive(Clone)]
pub struct DbSessionStore {
    db: Db,
    clock: std::sync::Arc<dyn Clock>,
    ttl: i64,
}

impl std::fmt::Debug for DbSessionStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DbSessionStore")
            .field("ttl", &self.ttl)
            .finish()
    }
}

impl DbSessionStore {
    pub fn new(db: Db, clock: std::sync::Arc<dyn Clock>, ttl: i64) -> Self {
        DbSessionStore { db, clock, ttl }
    }
}

/// The signed-in user and login id recorded in a session's data, kept in their own columns.
fn owner(record: &Record) -> (Option<String>, Option<String>) {
    let login = record.data.get("login");
    let field = |name: &str| {
        login
            .and_then(|l| l.get(name))
            .and_then(|v| v.as_str())
            .map(str::to_owned)
    };
    (field("user_id"), field("sid"))
}

impl DbSessionStore {
    /// Ends a user's sessions: one login (`login_sid`), or all of them. Returns how many.
    pub async fn end_user_sessions(
        db: &Db,
        user_id: &str,
        login_sid: Option<&str>,
    ) -> std::result::Result<u64, crate::db::DbError> {
        Ok(match login_sid {
            Some(sid) => {
                with_pool!(db, pool => sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND login_sid = $2")
                .bind(user_id)
                .bind(sid)
                .execute(pool)
                .await
                .map(|r| r.rows_affected()))?
            }
            None => with_pool!(db, pool => sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(user_id)
                .execute(pool)
                .await
                .map(|r| r.rows_affected()))?,
        })
    }

    /// Signs a user out everywhere but, when given, the login session `keep_sid`: their
    /// sessions end and every application grant made outside `keep_sid` is revoked (signing out
    /// everywhere, a password change on the account page or from the command line).
    pub async fn sign_out_elsewhere(
        db: &Db,
        user_id: &str,
        keep_sid: Option<&str>,
        reason: &str,
        now: crate::clock::UnixTime,
    ) -> std::result::Result<(), crate::db::DbError> {
        use crate::oauth::grants::{GrantsOf, revoke_grants};
        match keep_sid {
            None => {
                revoke_grants(db, GrantsOf::User(user_id), reason, now).await?;
                Self::end_user_sessions(db, user_id, None).await?;
            }
            Some(sid) => {
                let others = GrantsOf::UserExceptSession {
                    user_id,
                    session_id: sid,
                };
                revoke_grants(db, others, reason, now).await?;
                with_pool!(db, pool => sqlx::query(
                    "DELETE FROM sessions WHERE user_id = $1 AND (login_sid IS NULL OR login_sid <> $2)",
                )
                .bind(user_id)
                .bind(sid)
                .execute(pool)
                .await
                .map(|r| r.rows_affected()))?;
            }
        }
        Ok(())
    }
}

fn backend(e: impl std::fmt::Display) -> Error {
    Error::Backend(e.to_string())
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> Result<()> {
        // A collision of 128 random bits is not expected; if it happens, draw again.
        loop {
            let data =
                serde_json::to_string(&record.data).map_err(|e| Error::Encode(e.to_string()))?;
            let (user_id, login_sid) = owner(record);
            let now = self.clock.now();
            let inserted = with_pool!(&self.db, pool => sqlx::query(
                "INSERT INTO sessions (id, data, expiry_date, user_id, login_sid, created_at) VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (id) DO NOTHING",
            )
            .bind(record.id.to_string())
            .bind(data)
            .bind(now + self.ttl)
            .bind(user_id)
            .bind(login_sid)
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
            .map_err(backend)?;
            if inserted == 1 {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> Result<()> {
        let data = serde_json::to_string(&record.data).map_err(|e| Error::Encode(e.to_string()))?;
        let (user_id, login_sid) = owner(record);
        let now = self.clock.now();
        with_pool!(&self.db, pool => sqlx::query(
            "INSERT INTO sessions (id, data, expiry_date, user_id, login_sid, created_at) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (id) DO UPDATE SET data = excluded.data, expiry_date = excluded.expiry_date, \
             user_id = excluded.user_id, login_sid = excluded.login_sid",
        )
        .bind(record.id.to_string())
        .bind(data)
        .bind(now + self.ttl)
        .bind(user_id)
        .bind(login_sid)
        .bind(now)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
        .map_err(backend)?;
        Ok(())
    }

    async fn load(&self, id: &Id) -> Result<Option<Record>> {
        let now = self.clock.now();
        let row: Option<(String, i64)> = with_pool!(&self.db, pool => sqlx::query_as(
            "SELECT data, expiry_date FROM sessions WHERE id = $1 AND expiry_date > $2",
        )
        .bind(id.to_string())
        .bind(now)
        .fetch_optional(pool)
        .await)
        .map_err(backend)?;
        let Some((data, expiry)) = row else {
            return Ok(None);
        };
        Ok(Some(Record {
            id: *id,
            data: serde_json::from_str(&data).map_err(|e| Error::Decode(e.to_string()))?,
            expiry_date: OffsetDateTime::from_unix_timestamp(expiry)
                .map_err(|e| Error::Decode(e.to_string()))?,
        }))
    }

    async fn delete(&self, id: &Id) -> Result<()> {
        with_pool!(&self.db, pool => sqlx::query("DELETE FROM sessions WHERE id = $1")
            .bind(id.to_string())
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
        .map_err(backend)?;
        Ok(())
    }
}
