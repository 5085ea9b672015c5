//! The one reporting service: records checked against the spec are stored batch by batch in
//! the caller's transaction, counted, and, in atomic mode, refused all together when any one of
//! them is. The reporting API, the file import and every platform workflow report through it;
//! they keep only what is theirs (reading a request, a file, a project).

use serde::Serialize;

use super::store::{self, Item, RecordResult, Reporter, Status};
use crate::db::{DbError, Tx};

/// Atomic (the default) stores all or nothing; partial stores the valid records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    Atomic,
    Partial,
}

/// Which record results a reporting keeps for its answer.
#[derive(Debug, Clone, Copy)]
pub enum Keep {
    /// Every record's result (a JSON report answers record by record).
    All,
    /// The first `n` refused records (an import of a million rows lists only what to fix).
    RefusedUpTo(usize),
}

/// What a reporting counted.
#[derive(Debug, Default)]
pub struct Tally {
    pub received: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub refused: usize,
    /// The results kept (see [`Keep`]).
    pub results: Vec<RecordResult>,
}

/// How a reporting ended.
#[derive(Debug)]
pub enum Outcome {
    /// What was stored; the caller commits.
    Stored(Tally),
    /// Atomic mode and some record was refused: nothing may be stored, the caller drops the
    /// transaction. `results` holds the refused records kept.
    Refused(Tally),
}

/// One reporting in progress.
pub struct Reporting<'a> {
    /// Accepted and refused records by type, told to the metrics when the reporting ends.
    by_type: std::collections::BTreeMap<&'static str, (u64, u64)>,
    reporter: &'a Reporter,
    mode: Mode,
    keep: Keep,
    now: i64,
    tally: Tally,
}

impl<'a> Reporting<'a> {
    pub fn new(reporter: &'a Reporter, mode: Mode, keep: Keep, now: i64) -> Self {
        Reporting {
            by_type: Default::default(),
            reporter,
            mode,
            keep,
            now,
            tally: Tally::default(),
        }
    }

    /// Stores a batch (in order: a parent earlier in it counts for its children).
    pub async fn add(&mut self, tx: &mut Tx, items: Vec<Item>) -> Result<(), DbError> {
        let results = store::store(tx, items, self.reporter, self.now).await?;
        let t = &mut self.tally;
        for r in results {
            let counts = self.by_type.entry(r.record_type).or_default();
            if r.status == Status::Refused {
                counts.1 += 1;
            } else {
                counts.0 += 1;
            }
            t.received += 1;
            match r.status {
                Status::Created => t.created += 1,
                Status::Updated => t.updated += 1,
                Status::Unchanged => t.unchanged += 1,
                Status::Refused => t.refused += 1,
            }
            let kept = match self.keep {
                Keep::All => true,
                Keep::RefusedUpTo(n) => r.status == Status::Refused && t.results.len() < n,
            };
            if kept {
                t.results.push(r);
            }
        }
        Ok(())
    }

    pub fn finish(self) -> Outcome {
        let mut tally = self.tally;
        let rolled_back = self.mode == Mode::Atomic && tally.refused > 0;
        for (record_type, (accepted, refused)) in self.by_type {
            // In an atomic reporting with a refusal nothing is stored: all count as refused.
            let (accepted, refused) = if rolled_back {
                (0, accepted + refused)
            } else {
                (accepted, refused)
            };
            metrics::counter!(crate::metrics::CATALOGUE_RECORDS, "type" => record_type, "outcome" => "accepted")
                .increment(accepted);
            metrics::counter!(crate::metrics::CATALOGUE_RECORDS, "type" => record_type, "outcome" => "refused")
                .increment(refused);
        }
        if rolled_back {
            tally.results.retain(|r| r.status == Status::Refused);
            Outcome::Refused(tally)
        } else {
            Outcome::Stored(tally)
        }
    }
}

/// Why a platform workflow's records were not stored.
#[derive(Debug)]
pub enum WorkflowRefusal {
    /// The catalogue's rules refused fields (e.g. a contact phone that is not one).
    Fields(Vec<super::validate::FieldError>),
    Db(DbError),
}

/// A business platform's workflow writes its entities' records (in order, all or nothing) for
/// `organisation_id`, with source `workflow`, in the step's own transaction: a refusal means
/// the caller drops the transaction and nothing of the step is stored.
pub async fn write_workflow(
    tx: &mut Tx,
    platform: &str,
    records: Vec<(&'static str, serde_json::Value)>,
    organisation_id: &str,
    user_id: &str,
    now: i64,
) -> Result<(), WorkflowRefusal> {
    use super::spec::record_type;
    use super::validate::{self, UnknownFields};
    let items = records
        .into_iter()
        .enumerate()
        .filter_map(|(index, (slug, record))| {
            let t = record_type(slug)?;
            Some(Item {
                index,
                record_type: t,
                checked: validate::check_json(t, &record, UnknownFields::Refuse),
            })
        })
        .collect();
    let reporter = Reporter {
        organisation_id: Some(organisation_id.to_owned()),
        client_id: format!("workflow:{platform}"),
        user_id: Some(user_id.to_owned()),
        source: store::Source::Workflow,
    };
    let mut reporting = Reporting::new(&reporter, Mode::Atomic, Keep::RefusedUpTo(100), now);
    reporting
        .add(tx, items)
        .await
        .map_err(WorkflowRefusal::Db)?;
    match reporting.finish() {
        Outcome::Stored(_) => Ok(()),
        Outcome::Refused(tally) => Err(WorkflowRefusal::Fields(
            tally.results.into_iter().flat_map(|r| r.errors).collect(),
        )),
    }
}

/// Records what one reporting call of `organisation` received and refused (the
/// reporting-compliance indicator reads it): in the call's own transaction when it stored
/// records, in one of its own after a refusal rolled the call back.
pub async fn log_call(
    tx: &mut Tx,
    organisation: Option<&str>,
    received: usize,
    refused: usize,
    now: i64,
) -> Result<(), DbError> {
    let Some(org) = organisation else {
        return Ok(());
    };
    crate::with_tx!(tx, conn => {
        sqlx::query("INSERT INTO catalogue_report_log (organisation_id, at, received, refused) VALUES ($1, $2, $3, $4)")
            .bind(org)
            .bind(now)
            .bind(received as i64)
            .bind(refused as i64)
            .execute(&mut *conn)
            .await?;
    });
    Ok(())
}
