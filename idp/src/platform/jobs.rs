//! Scheduled work that must run on one instance at a time. Each job holds a lease, a row of
//! `job_leases` naming the instance and when its hold ends, for as long as one run takes: an
//! instance that finds the lease held by another skips that turn, so two instances on one
//! PostgreSQL database never run the same job at once, and a crashed holder's lease lapses.

use std::sync::Arc;
use std::time::Duration;

use futures_util::FutureExt;
use futures_util::future::BoxFuture;

use crate::clock::{Clock, UnixTime};
use crate::db::{Db, DbError};
use crate::with_pool;

/// How long a lease holds without being released. Longer than any run should take; a run that
/// takes longer is cut short by nothing, but its work is written so that a second run is harmless.
pub const LEASE_SECONDS: i64 = 300;

type RunFn = dyn Fn(Db, UnixTime) -> BoxFuture<'static, anyhow::Result<()>> + Send + Sync;

/// A named piece of scheduled work.
#[derive(Clone)]
pub struct Job {
    /// Unique among all jobs: the lease's key (`crowdfunding.close_due`).
    pub name: &'static str,
    /// How often it runs; `None` is the settings' `jobs.interval_ms`.
    pub every: Option<Duration>,
    run: Arc<RunFn>,
}

impl Job {
    pub fn new<F, Fut>(name: &'static str, run: F) -> Self
    where
        F: Fn(Db, UnixTime) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = anyhow::Result<()>> + Send + 'static,
    {
        Job {
            name,
            every: None,
            run: Arc::new(move |db, now| Box::pin(run(db, now))),
        }
    }

    /// Runs every `every` instead of at the settings' interval.
    pub fn every(mut self, every: Duration) -> Self {
        self.every = Some(every);
        self
    }
}

/// Runs the server's jobs under leases.
#[derive(Clone)]
pub struct Runner {
    db: Db,
    clock: Arc<dyn Clock>,
    /// This instance's name in `job_leases.holder`.
    holder: String,
    jobs: Arc<Vec<Job>>,
}

impl Runner {
    pub fn new(db: Db, clock: Arc<dyn Clock>, jobs: Vec<Job>) -> Self {
        Runner {
            db,
            clock,
            holder: format!("instance-{}", uuid::Uuid::new_v4().simple()),
            jobs: Arc::new(jobs),
        }
    }

    /// Runs each job at its interval (`default_every` unless it has its own) until the
    /// returned tasks are aborted; the first turn comes at once.
    pub fn spawn(&self, default_every: Duration) -> Vec<tokio::task::JoinHandle<()>> {
        self.jobs
            .iter()
            .cloned()
            .map(|job| {
                let runner = self.clone();
                tokio::spawn(async move {
                    let mut interval = tokio::time::interval(job.every.unwrap_or(default_every));
                    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                    loop {
                        interval.tick().await;
                        if let Err(e) = runner.run(&job).await {
                            tracing::warn!(job = job.name, error = %format!("{e:#}"), "job failed; will retry");
                        }
                    }
                })
            })
            .collect()
    }

    /// Runs `work` holding the lease of the job `name` (a staff member's "run it now"), so it
    /// never overlaps that job on any instance; `None` while another instance holds it.
    pub async fn exclusive<T>(
        &self,
        name: &str,
        work: impl Future<Output = T>,
    ) -> anyhow::Result<Option<T>> {
        // A holder of its own: the instance's holder may renew its lease, so with it a run
        // asked for while this instance's scheduler runs the same job would run beside it.
        let holder = format!("{}/{}", self.holder, uuid::Uuid::new_v4().simple());
        if !acquire(&self.db, name, &holder, self.clock.now()).await? {
            return Ok(None);
        }
        let out = work.await;
        release(&self.db, name, &holder).await?;
        Ok(Some(out))
    }

    /// One turn of `job`: nothing when another instance holds its lease.
    async fn run(&self, job: &Job) -> anyhow::Result<()> {
        let now = self.clock.now();
        if !acquire(&self.db, job.name, &self.holder, now).await? {
            metrics::counter!(crate::metrics::JOB_RUNS, "job" => job.name, "outcome" => "held_elsewhere")
                .increment(1);
            return Ok(());
        }
        // A job that panics is a failed run, not a dead scheduler holding its lease.
        let outcome = std::panic::AssertUnwindSafe((job.run)(self.db.clone(), now))
            .catch_unwind()
            .await
            .unwrap_or_else(|_| Err(anyhow::anyhow!("the job panicked")));
        // Released even after a failure, so the next turn (on any instance) retries at once.
        release(&self.db, job.name, &self.holder).await?;
        let label = if outcome.is_ok() { "ok" } else { "failed" };
        metrics::counter!(crate::metrics::JOB_RUNS, "job" => job.name, "outcome" => label)
            .increment(1);
        if outcome.is_ok() {
            metrics::gauge!(crate::metrics::JOB_LAST_SUCCESS, "job" => job.name).set(now as f64);
        }
        outcome
    }
}

/// Takes the lease on `name` for `holder` unless another holder's lease is still running.
async fn acquire(db: &Db, name: &str, holder: &str, now: UnixTime) -> Result<bool, DbError> {
    let taken = with_pool!(db, pool => sqlx::query(
        "INSERT INTO job_leases (name, holder, expires_at) VALUES ($1, $2, $3) \
         ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at \
         WHERE job_leases.expires_at <= $4 OR job_leases.holder = $2")
        .bind(name)
        .bind(holder)
        .bind(now + LEASE_SECONDS)
        .bind(now)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(taken == 1)
}

async fn release(db: &Db, name: &str, holder: &str) -> Result<(), DbError> {
    with_pool!(db, pool => sqlx::query("DELETE FROM job_leases WHERE name = $1 AND holder = $2")
        .bind(name)
        .bind(holder)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}
