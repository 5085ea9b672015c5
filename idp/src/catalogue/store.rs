//! Writing and reading catalogue records. A report never changes a stored row's values: it adds
//! a version and marks the previous one superseded, so every accepted record stays readable.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;
use sqlx::Row;

use super::spec::{IdentityForm, RecordType, record_type};
use super::validate::{Checked, FieldError, KEY_SEPARATOR};
use crate::db::dialect::{for_update, placeholders};
use crate::db::{DbError, Tx};
use crate::{with_pool, with_tx};

/// Where a version came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Api,
    Import,
    Workflow,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Api => "api",
            Source::Import => "import",
            Source::Workflow => "workflow",
        }
    }
}

/// Who reports: the organisation the token acts for (`None` is the platform's own account), the
/// client, and the user when there is one.
#[derive(Debug, Clone)]
pub struct Reporter {
    pub organisation_id: Option<String>,
    pub client_id: String,
    pub user_id: Option<String>,
    pub source: Source,
}

/// One submitted record after its own checks.
pub struct Item {
    pub index: usize,
    pub record_type: &'static RecordType,
    pub checked: Result<Checked, (String, Vec<FieldError>)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Created,
    Updated,
    Unchanged,
    Refused,
}

/// What became of one submitted record.
#[derive(Debug, Clone, Serialize)]
pub struct RecordResult {
    pub index: usize,
    #[serde(rename = "type")]
    pub record_type: &'static str,
    pub key: String,
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub identified: BTreeMap<&'static str, IdentityForm>,
}

/// The key as people read it: parts joined by `/`.
pub fn shown_key(storage_key: &str) -> String {
    let key = storage_key
        .split_once(NAMESPACE_SEPARATOR)
        .map_or(storage_key, |(_, key)| key);
    key.replace(KEY_SEPARATOR, "/")
}

/// Separates the reporting organisation from the key in storage.
pub const NAMESPACE_SEPARATOR: char = '\u{1e}';

/// The storage key of `key` reported by `organisation`. Keys are per organisation: two
/// carriers that both serve enterprise 916401… each report and update their own record of it,
/// and neither learns that the other has one (no key can be probed or claimed first). Only
/// records of no organisation, from before this rule, are stored under the bare key.
pub fn namespaced(organisation: Option<&str>, key: &str) -> String {
    match organisation {
        Some(org) => format!("{org}{NAMESPACE_SEPARATOR}{key}"),
        None => key.to_owned(),
    }
}

struct Current {
    /// `None` when the version is one this batch is inserting.
    version_id: Option<i64>,
    pending: Option<usize>,
    version: i64,
    organisation_id: Option<String>,
    values: Vec<Option<String>>,
}

struct Insert {
    key: String,
    version: i64,
    is_current: bool,
    values: Vec<Option<String>>,
}

/// SQLite allows 32,766 bound values per statement, PostgreSQL 65,535.
const MAX_BINDS: usize = 30_000;

fn field_columns(t: &RecordType) -> String {
    t.fields
        .iter()
        .map(|f| format!("\"{}\"", f.column()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Stores a batch in order. Records of a type are handled in runs, so a parent reported earlier
/// in the batch is visible to the links of later records. Refused records are reported, not
/// stored; the caller decides whether a refusal undoes the rest (atomic mode) by not committing.
pub async fn store(
    tx: &mut Tx,
    items: Vec<Item>,
    reporter: &Reporter,
    now: i64,
) -> Result<Vec<RecordResult>, DbError> {
    let mut results = Vec::with_capacity(items.len());
    let mut items = items.into_iter().peekable();
    while let Some(first) = items.next() {
        let t = first.record_type;
        let mut run = vec![first];
        while let Some(next) = items.next_if(|i| std::ptr::eq(i.record_type, t)) {
            run.push(next);
        }
        store_run(tx, t, run, reporter, now, &mut results).await?;
    }
    Ok(results)
}

async fn store_run(
    tx: &mut Tx,
    t: &'static RecordType,
    run: Vec<Item>,
    reporter: &Reporter,
    now: i64,
    results: &mut Vec<RecordResult>,
) -> Result<(), DbError> {
    let org = reporter.organisation_id.as_deref();
    let run: Vec<Item> = run
        .into_iter()
        .map(|mut item| {
            if let Ok(checked) = &mut item.checked {
                checked.key = namespaced(org, &checked.key);
            }
            item
        })
        .collect();
    let keys: Vec<&str> = run
        .iter()
        .filter_map(|i| i.checked.as_ref().ok().map(|c| c.key.as_str()))
        .collect();
    let mut state = load_current(tx, t, &keys).await?;
    let absent: Vec<&str> = keys
        .iter()
        .copied()
        .filter(|k| !state.contains_key(*k))
        .collect();
    let deleted = last_versions(tx, t, &absent).await?;
    let mut parents_present: Vec<HashSet<String>> = Vec::with_capacity(t.links.len());
    for link in t.links {
        let wanted: Vec<String> = run
            .iter()
            .filter_map(|i| i.checked.as_ref().ok())
            .filter_map(|c| link_key(t, link.fields, &c.values, org))
            .collect();
        let parent = record_type(link.parent).ok_or_else(|| {
            DbError::Query(sqlx::Error::Protocol(format!(
                "unknown parent {}",
                link.parent
            )))
        })?;
        let wanted: Vec<&str> = wanted.iter().map(String::as_str).collect();
        parents_present
            .push(existing_keys(tx, parent, &wanted, reporter.organisation_id.as_deref()).await?);
    }

    let mut supersede: Vec<i64> = Vec::new();
    let mut inserts: Vec<Insert> = Vec::new();
    for item in run {
        let checked = match item.checked {
            Ok(c) => c,
            Err((key, errors)) => {
                results.push(refused(item.index, t, key, errors));
                continue;
            }
        };
        let mut errors = Vec::new();
        for (link, present) in t.links.iter().zip(&parents_present) {
            if let Some(parent_key) = link_key(t, link.fields, &checked.values, org)
                && !present.contains(&parent_key)
            {
                let parent = record_type(link.parent).map(|p| (p.name_zh, p.name_en));
                let (zh, en) = parent.unwrap_or_default();
                let shown = shown_key(&parent_key);
                errors.push(FieldError::new(
                    link.fields.first().copied(),
                    "missing_parent",
                    format!("没有编码为 {shown} 的{zh}，请先上报它"),
                    format!("there is no {en} {shown}; report it first"),
                ));
            }
        }
        if let Some(current) = state.get(&checked.key)
            && current.organisation_id != reporter.organisation_id
        {
            errors.push(FieldError::new(
                None,
                "reported_by_another_organisation",
                "此记录已由另一机构上报，只有上报机构可以更新",
                "another organisation reported this record; only it may update it",
            ));
        }
        if !errors.is_empty() {
            results.push(refused(item.index, t, shown_key(&checked.key), errors));
            continue;
        }
        let identified: BTreeMap<_, _> = checked.identified.iter().copied().collect();
        let (status, version) = match state.get_mut(&checked.key) {
            Some(current) if current.values == checked.values => {
                (Status::Unchanged, current.version)
            }
            Some(current) => {
                if let Some(id) = current.version_id {
                    supersede.push(id);
                }
                if let Some(p) = current.pending {
                    inserts[p].is_current = false;
                }
                current.version += 1;
                current.version_id = None;
                current.pending = Some(inserts.len());
                current.values = checked.values.clone();
                (Status::Updated, current.version)
            }
            None => {
                // A record deleted before (a tombstone version) comes back as its next version.
                let version = deleted.get(&checked.key).map_or(1, |v| v + 1);
                state.insert(
                    checked.key.clone(),
                    Current {
                        version_id: None,
                        pending: Some(inserts.len()),
                        version,
                        organisation_id: reporter.organisation_id.clone(),
                        values: checked.values.clone(),
                    },
                );
                (Status::Created, version)
            }
        };
        if status != Status::Unchanged {
            inserts.push(Insert {
                key: checked.key.clone(),
                version,
                is_current: true,
                values: checked.values,
            });
        }
        results.push(RecordResult {
            index: item.index,
            record_type: t.slug,
            key: shown_key(&checked.key),
            status,
            version: Some(version),
            errors: Vec::new(),
            identified,
        });
    }
    supersede_versions(tx, t, &supersede, now).await?;
    insert_versions(tx, t, &inserts, reporter, now).await?;
    Ok(())
}

fn refused(
    index: usize,
    t: &'static RecordType,
    key: String,
    errors: Vec<FieldError>,
) -> RecordResult {
    RecordResult {
        index,
        record_type: t.slug,
        key,
        status: Status::Refused,
        version: None,
        errors,
        identified: BTreeMap::new(),
    }
}

/// The parent's storage key (in the reporting organisation's namespace) a child's link
/// fields name, when they are all given.
fn link_key(
    t: &RecordType,
    fields: &[&str],
    values: &[Option<String>],
    organisation: Option<&str>,
) -> Option<String> {
    let parts: Option<Vec<&str>> = fields
        .iter()
        .map(|f| t.field_index(f).and_then(|i| values[i].as_deref()))
        .collect();
    parts.map(|p| namespaced(organisation, &p.join(&KEY_SEPARATOR.to_string())))
}

/// The last version of each of `keys` that was deleted (its last version a tombstone). Only a
/// type with deletions is looked at, so reporting new records of the others costs one probe.
async fn last_versions(
    tx: &mut Tx,
    t: &RecordType,
    keys: &[&str],
) -> Result<HashMap<String, i64>, DbError> {
    let mut found = HashMap::new();
    if keys.is_empty() {
        return Ok(found);
    }
    let any: Option<String> = with_tx!(tx, conn => {
        sqlx::query_scalar("SELECT record_type FROM catalogue_deleted WHERE record_type = $1 LIMIT 1")
            .bind(t.slug)
            .fetch_optional(&mut *conn)
            .await?
    });
    if any.is_none() {
        return Ok(found);
    }
    for chunk in keys.chunks(1000) {
        let sql = format!(
            "SELECT record_key, MAX(version) FROM {} WHERE record_key IN ({}) GROUP BY record_key",
            t.table(),
            placeholders(tx.backend(), 1, chunk.len())
        );
        with_tx!(tx, conn => {
            let mut q = sqlx::query_as::<_, (String, i64)>(&sql);
            for k in chunk {
                q = q.bind(*k);
            }
            found.extend(q.fetch_all(&mut *conn).await?);
        });
    }
    Ok(found)
}

/// A current version to delete: its row, storage key, version and organisation.
pub struct Deletion {
    pub version_id: i64,
    pub record_key: String,
    pub version: i64,
    pub organisation_id: Option<String>,
}

/// Deletes records without losing them: each current version is superseded by a tombstone
/// version (no values, never current), so the record leaves every listing while its history
/// keeps every version, the tombstone saying who deleted it and when.
pub async fn tombstone(
    tx: &mut Tx,
    t: &RecordType,
    deletions: &[Deletion],
    client_id: &str,
    user_id: &str,
    now: i64,
) -> Result<(), DbError> {
    let supersede = format!(
        "UPDATE {} SET is_current = FALSE, superseded_at = $1 WHERE version_id = $2 AND is_current",
        t.table()
    );
    let insert = format!(
        "INSERT INTO {} (record_key, version, is_current, organisation_id, client_id, user_id, source, reported_at, superseded_at) \
         VALUES ($1, $2, FALSE, $3, $4, $5, 'workflow', $6, $6)",
        t.table()
    );
    for d in deletions {
        with_tx!(tx, conn => {
            sqlx::query("INSERT INTO catalogue_deleted (record_type, record_key) VALUES ($1, $2) ON CONFLICT (record_type, record_key) DO NOTHING")
                .bind(t.slug)
                .bind(&d.record_key)
                .execute(&mut *conn)
                .await?;
            sqlx::query(&supersede)
                .bind(now)
                .bind(d.version_id)
                .execute(&mut *conn)
                .await?;
            sqlx::query(&insert)
                .bind(&d.record_key)
                .bind(d.version + 1)
                .bind(&d.organisation_id)
                .bind(client_id)
                .bind(user_id)
                .bind(now)
                .execute(&mut *conn)
                .await?;
        });
    }
    Ok(())
}

async fn load_current(
    tx: &mut Tx,
    t: &RecordType,
    keys: &[&str],
) -> Result<HashMap<String, Current>, DbError> {
    let mut found = HashMap::with_capacity(keys.len());
    let n = t.fields.len();
    for chunk in keys.chunks(1000) {
        // Locked, so concurrent updates of one record queue instead of both superseding the
        // same version.
        let lock = for_update(tx.backend());
        let sql = format!(
            "SELECT version_id, record_key, version, organisation_id, {} FROM {} WHERE is_current AND record_key IN ({}){lock}",
            field_columns(t),
            t.table(),
            placeholders(tx.backend(), 1, chunk.len())
        );
        with_tx!(tx, conn => {
            let mut q = sqlx::query(&sql);
            for k in chunk {
                q = q.bind(*k);
            }
            for row in q.fetch_all(&mut *conn).await? {
                let mut values = Vec::with_capacity(n);
                for i in 0..n {
                    values.push(row.try_get::<Option<String>, _>(4 + i)?);
                }
                found.insert(
                    row.try_get::<String, _>(1)?,
                    Current {
                        version_id: Some(row.try_get(0)?),
                        pending: None,
                        version: row.try_get(2)?,
                        organisation_id: row.try_get(3)?,
                        values,
                    },
                );
            }
        });
    }
    Ok(found)
}

/// Which of `keys` are current records of `t` reported by `organisation`: a record links only
/// to a parent of its own organisation.
async fn existing_keys(
    tx: &mut Tx,
    t: &RecordType,
    keys: &[&str],
    organisation: Option<&str>,
) -> Result<HashSet<String>, DbError> {
    let mut found = HashSet::new();
    let unique: Vec<&str> = keys
        .iter()
        .copied()
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    for chunk in unique.chunks(1000) {
        let sql = format!(
            "SELECT record_key FROM {} WHERE is_current AND record_key IN ({}) \
             AND organisation_id IS NOT DISTINCT FROM {}",
            t.table(),
            placeholders(tx.backend(), 1, chunk.len()),
            placeholders(tx.backend(), chunk.len() + 1, 1),
        );
        with_tx!(tx, conn => {
            let mut q = sqlx::query_scalar::<_, String>(&sql);
            for k in chunk {
                q = q.bind(*k);
            }
            q = q.bind(organisation);
            found.extend(q.fetch_all(&mut *conn).await?);
        });
    }
    Ok(found)
}

async fn supersede_versions(
    tx: &mut Tx,
    t: &RecordType,
    ids: &[i64],
    now: i64,
) -> Result<(), DbError> {
    for chunk in ids.chunks(1000) {
        let sql = format!(
            "UPDATE {} SET is_current = FALSE, superseded_at = {} WHERE version_id IN ({})",
            t.table(),
            placeholders(tx.backend(), 1, 1),
            placeholders(tx.backend(), 2, chunk.len())
        );
        with_tx!(tx, conn => {
            let mut q = sqlx::query(&sql).bind(now);
            for id in chunk {
                q = q.bind(*id);
            }
            q.execute(&mut *conn).await?;
        });
    }
    Ok(())
}

async fn insert_versions(
    tx: &mut Tx,
    t: &RecordType,
    inserts: &[Insert],
    reporter: &Reporter,
    now: i64,
) -> Result<(), DbError> {
    const META: usize = 9;
    let per_row = META + t.fields.len();
    let rows_per_statement = (MAX_BINDS / per_row).max(1);
    let backend = tx.backend();
    for chunk in inserts.chunks(rows_per_statement) {
        let mut sql = format!(
            "INSERT INTO {} (record_key, version, is_current, organisation_id, client_id, user_id, source, reported_at, superseded_at, {}) VALUES ",
            t.table(),
            field_columns(t)
        );
        for r in 0..chunk.len() {
            if r > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            sql.push_str(&placeholders(backend, 1 + r * per_row, per_row));
            sql.push(')');
        }
        with_tx!(tx, conn => {
            let mut q = sqlx::query(&sql);
            for row in chunk {
                q = q
                    .bind(row.key.as_str())
                    .bind(row.version)
                    .bind(row.is_current)
                    .bind(reporter.organisation_id.as_deref())
                    .bind(reporter.client_id.as_str())
                    .bind(reporter.user_id.as_deref())
                    .bind(reporter.source.as_str())
                    .bind(now)
                    .bind((!row.is_current).then_some(now));
                for v in &row.values {
                    q = q.bind(v.as_deref());
                }
            }
            q.execute(&mut *conn).await?;
        });
    }
    Ok(())
}

/// One stored version with who reported it.
#[derive(Debug, Clone, Serialize)]
pub struct Version {
    pub version: i64,
    pub current: bool,
    pub organisation_id: Option<String>,
    pub client_id: String,
    pub user_id: Option<String>,
    pub source: String,
    pub reported_at: i64,
    pub superseded_at: Option<i64>,
    #[serde(skip)]
    pub version_id: i64,
    #[serde(skip)]
    pub key: String,
    #[serde(skip)]
    pub values: Vec<Option<String>>,
}

const VERSION_COLUMNS: &str = "version_id, record_key, version, is_current, organisation_id, client_id, user_id, source, reported_at, superseded_at";

macro_rules! version_from_row {
    ($row:expr, $n:expr) => {{
        let row = $row;
        let mut values = Vec::with_capacity($n);
        for i in 0..$n {
            values.push(row.try_get::<Option<String>, _>(10 + i)?);
        }
        Version {
            version_id: row.try_get(0)?,
            key: row.try_get(1)?,
            version: row.try_get(2)?,
            current: row.try_get(3)?,
            organisation_id: row.try_get(4)?,
            client_id: row.try_get(5)?,
            user_id: row.try_get(6)?,
            source: row.try_get(7)?,
            reported_at: row.try_get(8)?,
            superseded_at: row.try_get(9)?,
            values,
        }
    }};
}

/// The organisations with a current record of `t` whose key fields are `parts` (for an
/// administrator who names no organisation).
pub async fn owners_of(
    db: &crate::db::Db,
    t: &RecordType,
    parts: &[&str],
) -> Result<Vec<Option<String>>, DbError> {
    let conditions: Vec<String> = t
        .key_indexes()
        .iter()
        .enumerate()
        .map(|(n, i)| format!("\"{}\" = ${}", t.fields[*i].column(), n + 1))
        .collect();
    let sql = format!(
        "SELECT DISTINCT organisation_id FROM {} WHERE is_current AND {} LIMIT 20",
        t.table(),
        conditions.join(" AND ")
    );
    Ok(with_pool!(db, pool => {
        let mut q = sqlx::query_scalar::<_, Option<String>>(&sql);
        for part in parts {
            q = q.bind(*part);
        }
        q.fetch_all(pool).await
    })?)
}

/// Every version of one record, newest first.
pub async fn history(
    db: &crate::db::Db,
    t: &RecordType,
    storage_key: &str,
) -> Result<Vec<Version>, DbError> {
    let sql = format!(
        "SELECT {VERSION_COLUMNS}, {} FROM {} WHERE record_key = $1 ORDER BY version DESC",
        field_columns(t),
        t.table()
    );
    let n = t.fields.len();
    let mut versions = Vec::new();
    with_pool!(db, pool => {
        for row in sqlx::query(&sql).bind(storage_key).fetch_all(pool).await? {
            versions.push(version_from_row!(row, n));
        }
    });
    Ok(versions)
}

/// A bound value of a query.
#[derive(Debug, Clone)]
pub enum Bind {
    Text(String),
    Int(i64),
}

/// A read query: a WHERE clause over current versions and an ORDER BY, built by `query.rs`.
pub struct Select {
    pub conditions: Vec<String>,
    pub binds: Vec<Bind>,
    /// Expression sorted on, and whether descending; `None` sorts by report order.
    pub sort: Option<(String, bool)>,
    pub limit: i64,
}

/// Runs a select; returns versions with the text of their sort value (for the next cursor).
pub async fn select(
    db: &crate::db::Db,
    t: &RecordType,
    select: &Select,
) -> Result<Vec<(Version, Option<String>)>, DbError> {
    let sort_value = match &select.sort {
        Some((expr, _)) => format!("CAST({expr} AS TEXT)"),
        None => "CAST(NULL AS TEXT)".to_owned(),
    };
    let order = match &select.sort {
        Some((expr, true)) => format!("{expr} DESC, version_id DESC"),
        Some((expr, false)) => format!("{expr}, version_id"),
        None => "version_id".to_owned(),
    };
    let mut conditions = vec!["is_current".to_owned()];
    conditions.extend(select.conditions.iter().cloned());
    let sql = format!(
        "SELECT {VERSION_COLUMNS}, {}, {sort_value} FROM {} WHERE {} ORDER BY {order} LIMIT {}",
        field_columns(t),
        t.table(),
        conditions.join(" AND "),
        select.limit
    );
    let n = t.fields.len();
    let mut out = Vec::new();
    with_pool!(db, pool => {
        let mut q = sqlx::query(&sql);
        for b in &select.binds {
            q = match b {
                Bind::Text(s) => q.bind(s.as_str()),
                Bind::Int(i) => q.bind(*i),
            };
        }
        for row in q.fetch_all(pool).await? {
            let sort: Option<String> = row.try_get(10 + n)?;
            out.push((version_from_row!(row, n), sort));
        }
    });
    Ok(out)
}
