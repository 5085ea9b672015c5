//! Refresh-token rotation, in batches.
//!
//! A rotation spends the presented token and stores its successor. One rotation per commit
//! capped the refresh grant: SQLite takes one writer at a time (near 2,300/s however cheap the
//! rest was), and on PostgreSQL every commit waits for its WAL flush with a pooled connection
//! held (near 2,200/s, the server's CPU half idle). So the rotations waiting at any moment are
//! written together, one transaction and one statement call per batch, by one task on SQLite
//! and a few on PostgreSQL; each learns whether its rotation won. Lookups of presented tokens
//! are batched the same way ([`crate::db::coalesce`]).

use std::collections::HashSet;
use std::sync::Arc;

use super::grants::{Grant, RefreshFound};
use super::secrets::{Secret, SecretKind, hash_secret};
use crate::clock::UnixTime;
use crate::db::coalesce::Coalescer;
use crate::db::{Backend, Db, DbError, dialect};
use crate::{with_pool, with_tx};

const MAX_BATCH: usize = 128;
/// Tasks taking turns at looking refresh tokens up.
const LOOKUP_WORKERS: usize = 1;

#[derive(serde::Serialize)]
struct Job {
    presented_hash: String,
    next_hash: String,
    now: UnixTime,
    expires_at: UnixTime,
}

/// Rotates refresh tokens: spends the presented one and stores its successor, or reports that
/// it was already spent.
#[derive(Clone)]
pub struct Rotations {
    writes: Coalescer<Job, bool>,
    lookups: Coalescer<String, Option<RefreshFound>>,
}

impl Rotations {
    /// Starts the tasks that write rotations and look tokens up; they end when every
    /// `Rotations` is dropped.
    pub fn start(db: Db) -> Self {
        let writers = match db.backend() {
            // One writer at a time anyway; more tasks would only queue at the write gate.
            Backend::Sqlite => 1,
            Backend::Postgres => 1,
        };
        let write_db = db.clone();
        let writes = Coalescer::start(writers, MAX_BATCH, move |batch| {
            let db = write_db.clone();
            async move {
                match db.backend() {
                    Backend::Sqlite => write_batch_sqlite(&db, &batch).await,
                    Backend::Postgres => write_batch_postgres(&db, &batch).await,
                }
            }
        });
        let sql: Arc<str> = super::grants::refresh_batch_sql(&db).into();
        let lookups = Coalescer::start(LOOKUP_WORKERS, MAX_BATCH, move |hashes| {
            let db = db.clone();
            let sql = sql.clone();
            async move { super::grants::find_refresh_batch(&db, &sql, hashes).await }
        });
        Rotations { writes, lookups }
    }

    /// The refresh token `presented`, its grant and user; lookups waiting at the same moment
    /// share one statement.
    pub async fn find(&self, presented: &str) -> Result<Option<RefreshFound>, DbError> {
        self.lookups.ask(hash_secret(presented)).await
    }

    /// Spends `presented` and issues its successor. `None` when `presented` was already spent
    /// (a concurrent request, or reuse).
    pub async fn rotate(
        &self,
        presented: &str,
        grant: &Grant,
        now: UnixTime,
        idle: i64,
    ) -> Result<Option<Secret>, DbError> {
        let next = Secret::generate(SecretKind::RefreshToken);
        let job = Job {
            presented_hash: hash_secret(presented),
            next_hash: next.hash(),
            now,
            expires_at: (now + idle).min(grant.expires_at),
        };
        let won = self.writes.ask(job).await?;
        Ok(won.then_some(next))
    }
}

/// For each job, whether its rotation won: its successor is stored.
fn winners(batch: &[Job], stored: Vec<String>) -> Vec<bool> {
    let stored: HashSet<String> = stored.into_iter().collect();
    batch
        .iter()
        .map(|job| stored.contains(&job.next_hash))
        .collect()
}

/// PostgreSQL: one atomic statement for the whole batch, returning the successors stored. A
/// token presented twice in one batch is spent once: the update touches its row once, and only
/// the successor of the input row it used is inserted.
async fn write_batch_postgres(db: &Db, batch: &[Job]) -> Result<Vec<bool>, DbError> {
    let jobs = serde_json::to_string(batch).unwrap_or_default();
    let stored: Vec<String> = with_pool!(db, pool => sqlx::query_scalar(dialect::ROTATE_REFRESH_BATCH_POSTGRES)
        .persistent(dialect::keep_list_plans(Backend::Postgres))
        .bind(&jobs)
        .fetch_all(pool)
        .await)?;
    Ok(winners(batch, stored))
}

/// SQLite: one transaction and one statement string for the batch, then one query for which
/// successors were stored.
async fn write_batch_sqlite(db: &Db, batch: &[Job]) -> Result<Vec<bool>, DbError> {
    let statements = dialect::rotate_refresh_sqlite_batch(batch.len());
    let check = format!(
        "SELECT token_hash FROM refresh_tokens WHERE {}",
        dialect::in_json_list(Backend::Sqlite, "token_hash", "$1")
    );
    let successors: Vec<&str> = batch.iter().map(|job| job.next_hash.as_str()).collect();
    let successors = serde_json::to_string(&successors).unwrap_or_default();

    let mut tx = db.begin().await?;
    with_tx!(&mut tx, conn => {
        // Not cached: each batch size is its own statement text, and sqlx would keep every one
        // prepared on every pooled connection (the server grew past 200 MB).
        let mut query = sqlx::query(&statements).persistent(false);
        for job in batch {
            query = query
                .bind(&job.presented_hash)
                .bind(&job.next_hash)
                .bind(job.now)
                .bind(job.expires_at);
        }
        query.execute(conn).await.map(|r| r.rows_affected())
    })?;
    let stored: Vec<String> = with_tx!(&mut tx, conn => sqlx::query_scalar(&check)
        .bind(&successors)
        .fetch_all(conn)
        .await)?;
    tx.commit().await?;
    Ok(winners(batch, stored))
}
