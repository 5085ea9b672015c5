//! Storage on SQLite (embedded default) or PostgreSQL through one handle.
//!
//! SQL is written once in the dialect both accept (`$1` placeholders, integer timestamps and
//! money, text ids) and run through [`with_pool!`] / [`with_tx!`]; the few statements that must
//! differ live in [`dialect`].

pub mod coalesce;
pub mod dialect;
mod released;

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use sqlx::ConnectOptions;
use sqlx::{Connection, PgConnection, PgPool, Postgres, Sqlite, SqlitePool, Transaction};

/// A slow statement is logged at debug level only: a catalogue batch insert carries thousands
/// of placeholders, and sqlx logs the whole statement text.
const SLOW_STATEMENT_LEVEL: log::LevelFilter = log::LevelFilter::Debug;
const SLOW_STATEMENT: Duration = Duration::from_secs(1);

/// Which database engine a [`Db`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A connection pool on one of the two supported databases.
#[derive(Clone, Debug)]
pub enum Db {
    /// SQLite allows one writer at a time. Writers of this process queue on the gate (async,
    /// first come first served) instead of SQLite's busy handler, which sleeps and polls.
    Sqlite(SqlitePool, Arc<Semaphore>),
    Postgres(PgPool),
}

/// A write transaction on either database. Code holding one must not use the pool as well:
/// with every pooled connection held by a queued writer, it would wait for itself.
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>, OwnedSemaphorePermit),
    Postgres(Transaction<'static, Postgres>),
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error(
        "unsupported database URL {0}: use sqlite://path/to/file.db or postgres://user@host/db"
    )]
    UnsupportedUrl(String),
    #[error("invalid database URL {url}: {reason}")]
    InvalidUrl { url: String, reason: String },
    // The causes are part of the message (and not a `source`), so `{:#}` prints them once.
    #[error("cannot create the folder {folder} for the SQLite database: {cause}")]
    CreateFolder {
        folder: String,
        cause: std::io::Error,
    },
    #[error("cannot connect to the database at {url}: {cause}")]
    Connect { url: String, cause: sqlx::Error },
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    // Not transparent: the driver's error stays in the chain of every error that wraps this
    // one, so `unreachable` finds a lost database however deep it is.
    #[error("database statement failed: {0}")]
    Query(#[from] sqlx::Error),
}

/// Whether `error` (or anything it wraps) says the database could not be reached: no
/// connection within the pool's bounded wait, or the connection broke. Such a request ends with
/// 503 and `Retry-After`, not 500.
pub fn unreachable(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        matches!(
            cause.downcast_ref::<sqlx::Error>(),
            Some(sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_))
        )
    })
}

/// Requests of this process waiting to start a write transaction: for SQLite's one writer, or
/// for a free PostgreSQL connection. Read by the metrics.
static WAITING_WRITERS: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);

/// How many requests wait to start a write transaction now.
pub fn waiting_writers() -> i64 {
    WAITING_WRITERS.load(std::sync::atomic::Ordering::Relaxed)
}

/// Counts one waiter while it lives (also when its request is dropped while waiting).
struct Waiting;

impl Waiting {
    fn start() -> Waiting {
        WAITING_WRITERS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Waiting
    }
}

impl Drop for Waiting {
    fn drop(&mut self) {
        WAITING_WRITERS.fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
    }
}

/// How long a statement waits for a pooled connection unless the settings say otherwise.
pub const DEFAULT_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);

/// Seconds a client is asked to wait (`Retry-After`) when the database cannot be reached.
pub const RETRY_AFTER_SECONDS: u64 = 5;

/// Runs `$body` with `$pool` bound to the concrete pool of either backend. The body is compiled
/// once per backend, so it must be valid for both (`sqlx::query(..).execute($pool)` is).
#[macro_export]
macro_rules! with_pool {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite($pool, _) => $body,
            $crate::db::Db::Postgres($pool) => $body,
        }
    };
}

/// Like [`with_pool!`] for a [`Tx`]: `$conn` is the transaction's connection.
#[macro_export]
macro_rules! with_tx {
    ($tx:expr, $conn:ident => $body:expr) => {
        match $tx {
            $crate::db::Tx::Sqlite(t, _) => {
                let $conn = &mut **t;
                $body
            }
            $crate::db::Tx::Postgres(t) => {
                let $conn = &mut **t;
                $body
            }
        }
    };
}

/// Where a read runs: on the pool, or inside a write transaction (which must not use the pool,
/// see [`Tx`]). Lets one reader serve both instead of a copy per executor type.
pub enum Reader<'a> {
    Pool(&'a Db),
    /// Reads in a transaction lock the rows they read on PostgreSQL, for the write that follows.
    Tx(&'a mut Tx),
}

impl<'a> From<&'a Db> for Reader<'a> {
    fn from(db: &'a Db) -> Self {
        Reader::Pool(db)
    }
}

impl<'a> From<&'a mut Tx> for Reader<'a> {
    fn from(tx: &'a mut Tx) -> Self {
        Reader::Tx(tx)
    }
}

impl Reader<'_> {
    /// `FOR UPDATE` where the read is in a transaction on PostgreSQL, else nothing.
    pub fn lock_clause(&self) -> &'static str {
        match self {
            Reader::Pool(_) => "",
            Reader::Tx(tx) => dialect::for_update(tx.backend()),
        }
    }
}

/// Runs `$body` with `$exec` bound to an executor of a [`Reader`]: the pool or the
/// transaction's connection, of either backend. `$exec` may be used once (it can be a `&mut`).
#[macro_export]
macro_rules! with_reader {
    ($reader:expr, $exec:ident => $body:expr) => {
        match $reader {
            $crate::db::Reader::Pool(db) => $crate::with_pool!(db, $exec => $body),
            $crate::db::Reader::Tx(tx) => $crate::with_tx!(tx, $exec => $body),
        }
    };
}

impl Db {
    /// Opens a pool. SQLite files and their folder are created; SQLite runs in WAL mode with a
    /// busy timeout so that concurrent requests wait instead of failing with "database is locked".
    pub async fn connect(url: &str, max_connections: u32) -> Result<Db, DbError> {
        Self::connect_with(url, max_connections, DEFAULT_ACQUIRE_TIMEOUT).await
    }

    /// As [`Db::connect`], with how long a statement waits for a connection before it fails
    /// (and its request ends with 503).
    pub async fn connect_with(
        url: &str,
        max_connections: u32,
        acquire_timeout: Duration,
    ) -> Result<Db, DbError> {
        let shown = redact_url(url);
        if url.starts_with("sqlite:") {
            let in_memory = url.contains(":memory:") || url.contains("mode=memory");
            if !in_memory {
                create_sqlite_folder(url)?;
            }
            let options = SqliteConnectOptions::from_str(url)
                .map_err(|e| DbError::InvalidUrl {
                    url: shown.clone(),
                    reason: e.to_string(),
                })?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
                // 1 MiB of page cache per connection instead of 2: in WAL mode every write
                // makes the other connections drop their caches anyway, so a larger one only
                // costs memory (16 connections × 2 MiB was a third of the server's footprint).
                .pragma("cache_size", "-1024")
                .log_slow_statements(SLOW_STATEMENT_LEVEL, SLOW_STATEMENT);
            // Every connection to ":memory:" is its own database: keep exactly one.
            let max = if in_memory { 1 } else { max_connections };
            let pool = SqlitePoolOptions::new()
                .max_connections(max)
                .acquire_timeout(acquire_timeout)
                .connect_with(options)
                .await
                .map_err(|cause| DbError::Connect { url: shown, cause })?;
            Ok(Db::Sqlite(pool, Arc::new(Semaphore::new(1))))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options = postgres_options(url)?;
            // One direct connection first: the pool would retry until its timeout and then report
            // only "pool timed out", hiding "connection refused" or "database does not exist".
            let probe = PgConnection::connect_with(&options)
                .await
                .map_err(|cause| DbError::Connect {
                    url: shown.clone(),
                    cause,
                })?;
            let _ = probe.close().await;
            postgres_pool(url, options, max_connections, acquire_timeout).await
        } else {
            Err(DbError::UnsupportedUrl(shown))
        }
    }

    /// The pool for statements over lists of values ([`dialect::in_json_list`]): the batched
    /// hot paths. On PostgreSQL, four connections of their own that plan each execution with
    /// its parameters (`plan_cache_mode = force_custom_plan`) while keeping the statement
    /// prepared: a generic plan made while a table was nearly empty (a fresh install) hashes the
    /// whole table and stays cached as the table grows — a third of the refresh grant's
    /// throughput lost within seconds — and preparing afresh each time costs a round trip (a
    /// lone API call's revocation check took twice as long). Other statements keep their
    /// cached plans on the main pool. On SQLite this is the same pool: its planner picks the
    /// index whatever the size, and its one write gate must stay one.
    pub async fn list_pool(&self, url: &str) -> Result<Db, DbError> {
        self.list_pool_with(url, DEFAULT_ACQUIRE_TIMEOUT).await
    }

    /// As [`Db::list_pool`], with the pool's bounded wait for a connection.
    pub async fn list_pool_with(
        &self,
        url: &str,
        acquire_timeout: Duration,
    ) -> Result<Db, DbError> {
        match self {
            Db::Sqlite(..) => Ok(self.clone()),
            Db::Postgres(_) => {
                let options =
                    postgres_options(url)?.options([("plan_cache_mode", "force_custom_plan")]);
                postgres_pool(url, options, 4, acquire_timeout).await
            }
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(..) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// The pool's open connections and how many of them are idle, for the metrics.
    pub fn pool_counts(&self) -> (u32, u32) {
        match self {
            Db::Sqlite(pool, _) => (pool.size(), pool.num_idle() as u32),
            Db::Postgres(pool) => (pool.size(), pool.num_idle() as u32),
        }
    }

    /// Applies the migrations of this backend (`migrations/sqlite` or `migrations/postgres`).
    pub async fn migrate(&self) -> Result<(), DbError> {
        match self {
            Db::Sqlite(pool, _) => {
                // On a connection of its own, closed afterwards: a migration that widens a
                // CHECK constraint rewrites the schema text, which the connection that wrote
                // it does not parse again (every other connection does, the schema version
                // having moved).
                let mut conn = pool.acquire().await.map_err(DbError::Query)?;
                let ran = sqlx::migrate!("../migrations/sqlite").run(&mut *conn).await;
                conn.close().await.map_err(DbError::Query)?;
                ran?
            }
            Db::Postgres(pool) => sqlx::migrate!("../migrations/postgres").run(pool).await?,
        }
        Ok(())
    }

    /// A round trip to the database, for readiness checks.
    pub async fn ping(&self) -> Result<(), DbError> {
        with_pool!(self, pool => sqlx::query("SELECT 1").execute(pool).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Starts a transaction that will write. On SQLite it takes the write lock up front
    /// (`BEGIN IMMEDIATE`): a deferred transaction that reads and then writes fails at once with
    /// "database is locked" when another writer got there first, whatever the busy timeout.
    pub async fn begin(&self) -> Result<Tx, DbError> {
        let _waiting = Waiting::start();
        Ok(match self {
            Db::Sqlite(pool, gate) => {
                let permit = gate
                    .clone()
                    .acquire_owned()
                    .await
                    .map_err(|_| sqlx::Error::PoolClosed)?;
                Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?, permit)
            }
            Db::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    /// For a single write statement run through the pool: on SQLite, the process's write gate
    /// (held until the guard drops), so writers queue here rather than in SQLite's busy handler.
    pub async fn write_gate(&self) -> Option<OwnedSemaphorePermit> {
        match self {
            Db::Sqlite(_, gate) => gate.clone().acquire_owned().await.ok(),
            Db::Postgres(_) => None,
        }
    }

    pub async fn close(&self) {
        with_pool!(self, pool => pool.close().await)
    }
}

impl Tx {
    pub async fn commit(self) -> Result<(), DbError> {
        match self {
            Tx::Sqlite(t, _) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        match self {
            Tx::Sqlite(..) => Backend::Sqlite,
            Tx::Postgres(_) => Backend::Postgres,
        }
    }
}

/// PostgreSQL connection options from `url`, with slow statements logged.
fn postgres_options(url: &str) -> Result<PgConnectOptions, DbError> {
    Ok(PgConnectOptions::from_str(url)
        .map_err(|e| DbError::InvalidUrl {
            url: redact_url(url),
            reason: e.to_string(),
        })?
        .log_slow_statements(SLOW_STATEMENT_LEVEL, SLOW_STATEMENT))
}

async fn postgres_pool(
    url: &str,
    options: PgConnectOptions,
    max_connections: u32,
    acquire_timeout: Duration,
) -> Result<Db, DbError> {
    let pool = PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(acquire_timeout)
        .connect_with(options)
        .await
        .map_err(|cause| DbError::Connect {
            url: redact_url(url),
            cause,
        })?;
    Ok(Db::Postgres(pool))
}

fn create_sqlite_folder(url: &str) -> Result<(), DbError> {
    let path = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    let path = path.split('?').next().unwrap_or_default();
    if let Some(folder) = Path::new(path).parent()
        && !folder.as_os_str().is_empty()
    {
        std::fs::create_dir_all(folder).map_err(|cause| DbError::CreateFolder {
            folder: folder.display().to_string(),
            cause,
        })?;
    }
    Ok(())
}

/// The URL with any password replaced by `***`, for logs and error messages.
/// Works on text, not a parsed URL, so that a malformed URL is redacted too.
pub fn redact_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return url.to_owned();
    };
    let rest = &url[scheme_end..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let Some(at) = rest[..authority_end].rfind('@') else {
        return url.to_owned();
    };
    match rest[..at].find(':') {
        Some(colon) => format!(
            "{}{}:***{}",
            &url[..scheme_end],
            &rest[..colon],
            &rest[at..]
        ),
        None => url.to_owned(),
    }
}

/// True when the error is a unique-constraint violation, on either backend.
pub fn is_unique_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(e) if e.is_unique_violation())
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn passwords_are_redacted_even_in_malformed_urls() {
        assert_eq!(
            redact_url("postgres://app:s3cret@db:5432/idp"),
            "postgres://app:***@db:5432/idp"
        );
        assert_eq!(
            redact_url("postgres://app:s3cret@[bad"),
            "postgres://app:***@[bad"
        );
        assert_eq!(redact_url("postgres://app@db/idp"), "postgres://app@db/idp");
        assert_eq!(redact_url("sqlite://data/idp.db"), "sqlite://data/idp.db");
    }
}
