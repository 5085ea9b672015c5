//! Refresh-token rotation, in batches.
//!
//! A rotation spends the presented token and stores its successor. One rotation per commit
//! capped the refresh grant: SQLite takes one writer at a time (near 2,300/s however cheap the
//! rest was), and on PostgreSQL every commit waits for its WAL flush with a pooled connection
//! held. So the rotations waiting at any moment are written together, in one transaction with
//! a fixed number of statements, by one task; each learns whether its rotation won. Lookups of
//! presented tokens are batched the same way ([`crate::db::coalesce`]).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::grants::{Grant, RefreshFound};
use super::secrets::{Secret, SecretKind, hash_secret};
use crate::clock::UnixTime;
use crate::db::coalesce::Coalescer;
use crate::db::{Backend, Db, DbError, dialect};
use crate::{with_pool, with_tx};

const MAX_BATCH: usize = 128;
/// Tasks looking refresh tokens up: one, so that the next batch gathers while a statement
/// runs and batches stay large (two or four tasks measured slower on both databases).
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
        let write_db = db.clone();
        // One task: on SQLite more would only queue at the write gate; on PostgreSQL more
        // tasks made smaller batches and more commits, and measured slower.
        let writes = Coalescer::start(1, MAX_BATCH, move |batch| {
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
        .bind(&jobs)
        .fetch_all(pool)
        .await)?;
    Ok(winners(batch, stored))
}

/// SQLite: one transaction, two statements whatever the batch's size (so both stay prepared):
/// spend the tokens, then store the successors of those spent. A token presented twice in one
/// batch competes once; its later presentations lose, as if they had come after it.
async fn write_batch_sqlite(db: &Db, batch: &[Job]) -> Result<Vec<bool>, DbError> {
    let mut seen = HashSet::new();
    let competing: Vec<bool> = batch
        .iter()
        .map(|job| seen.insert(job.presented_hash.as_str()))
        .collect();
    let jobs: Vec<&Job> = batch
        .iter()
        .zip(&competing)
        .filter_map(|(job, competes)| competes.then_some(job))
        .collect();
    let list = serde_json::to_string(&jobs).unwrap_or_default();

    let mut tx = db.begin().await?;
    let spent: Vec<(String, String)> = with_tx!(&mut tx, conn => sqlx::query_as(dialect::SPEND_REFRESH_BATCH_SQLITE)
        .bind(&list)
        .fetch_all(conn)
        .await)?;
    let spent: HashMap<String, String> = spent.into_iter().collect();
    let successors: Vec<Successor> = jobs
        .iter()
        .filter_map(|job| {
            spent.get(&job.presented_hash).map(|grant_id| Successor {
                next_hash: &job.next_hash,
                grant_id,
                now: job.now,
                expires_at: job.expires_at,
            })
        })
        .collect();
    if !successors.is_empty() {
        let list = serde_json::to_string(&successors).unwrap_or_default();
        with_tx!(&mut tx, conn => sqlx::query(dialect::STORE_SUCCESSORS_SQLITE)
            .bind(&list)
            .execute(conn)
            .await
            .map(|r| r.rows_affected()))?;
    }
    tx.commit().await?;
    Ok(batch
        .iter()
        .zip(competing)
        .map(|(job, competes)| competes && spent.contains_key(&job.presented_hash))
        .collect())
}

#[derive(serde::Serialize)]
struct Successor<'a> {
    next_hash: &'a str,
    grant_id: &'a str,
    now: UnixTime,
    expires_at: UnixTime,
}
