//! The four changing kinds (更新查询, 删除查询, 追加查询, 生成表查询), for administrators only.
//! Each is previewed first (how many rows, a sample), then run in one transaction that checks
//! the count is still the one previewed, and audited in that transaction. On catalogue data
//! they keep the catalogue's promise: an update adds a version, a delete supersedes with a
//! tombstone version, an append is reported through the catalogue's validation.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::QueryError;
use super::compile::Builder;
use super::datasets::{self, Dataset, SNAPSHOT_COLUMNS, SnapshotField, Source};
use super::model::*;
use super::run::{self, Page};
use crate::catalogue::reporting::{Keep, Mode, Outcome, Reporting};
use crate::catalogue::spec::{RecordType, record_type};
use crate::catalogue::store::{self, Deletion, Item, Reporter, shown_key};
use crate::catalogue::validate::{self, UnknownFields};
use crate::db::{Db, DbError, Tx};
use crate::with_tx;

/// Rows an update, delete or append touches at most in one run.
pub const MAX_CHANGE_ROWS: i64 = 10_000;
/// Rows a make-table query writes at most.
pub const MAX_SNAPSHOT_ROWS: i64 = 100_000;
/// Rows a preview shows.
pub const SAMPLE_ROWS: i64 = 20;
/// The client id versions written by these queries carry.
pub const CLIENT_ID: &str = "platform:data-query";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Update,
    Delete,
    Append,
    MakeTable,
}

impl ChangeKind {
    pub fn code(self) -> &'static str {
        match self {
            ChangeKind::Update => "update",
            ChangeKind::Delete => "delete",
            ChangeKind::Append => "append",
            ChangeKind::MakeTable => "make_table",
        }
    }
}

/// A field set to a value (`null` clears it).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Assignment {
    pub field: String,
    pub value: Option<String>,
}

/// A changing query. `query` selects the rows (a select model: dataset, filter, fields).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeRequest {
    pub kind: ChangeKind,
    pub query: QueryModel,
    #[serde(default)]
    pub arguments: Arguments,
    /// Update: the fields to set (never a key field).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub set: Vec<Assignment>,
    /// Append: the catalogue type appended to (`catalogue:<type>`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// Append: target field ← source field (absent: the fields of the same name).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub mapping: BTreeMap<String, String>,
    /// Append: the organisation the records are reported for (absent: the platform's own).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organisation_id: Option<String>,
    /// Make-table: the snapshot's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Run: the row count the preview showed; the run is refused if it changed since.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirm_rows: Option<i64>,
}

/// What a changing query would do.
#[derive(Debug, Serialize, ToSchema)]
pub struct Preview {
    pub kind: ChangeKind,
    /// Rows it will touch.
    pub rows: i64,
    /// The first rows, as they are now.
    pub sample: Page,
}

/// What a run did.
#[derive(Debug, Serialize, ToSchema)]
pub struct Done {
    pub kind: ChangeKind,
    pub rows_touched: i64,
    /// The audit entry.
    pub audit: i64,
    /// Make-table: the new dataset's id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dataset: Option<String>,
}

fn invalid(zh: impl Into<String>, en: impl Into<String>) -> QueryError {
    QueryError::Invalid {
        zh: zh.into(),
        en: en.into(),
    }
}

fn catalogue_type(dataset: &Dataset) -> Result<&'static RecordType, QueryError> {
    match dataset.source {
        Source::Catalogue(t) => Ok(t),
        _ => Err(invalid(
            "更新、删除只能作用于目录数据集（catalogue:…）",
            "update and delete work on catalogue datasets (catalogue:…) only",
        )),
    }
}

fn cap(kind: ChangeKind) -> i64 {
    if kind == ChangeKind::MakeTable {
        MAX_SNAPSHOT_ROWS
    } else {
        MAX_CHANGE_ROWS
    }
}

async fn checked(
    db: &Db,
    request: &ChangeRequest,
) -> Result<(Dataset, Option<&'static RecordType>), QueryError> {
    let dataset = datasets::find(db, &request.query.dataset).await?;
    let mut target = None;
    match request.kind {
        ChangeKind::Update => {
            let t = catalogue_type(&dataset)?;
            if request.set.is_empty() || request.set.len() > t.fields.len() {
                return Err(invalid(
                    "更新查询需要要设置的字段 set",
                    "an update query needs the fields to set",
                ));
            }
            for a in &request.set {
                let i = validate::resolve_field(t, &a.field).ok_or_else(|| {
                    QueryError::UnknownField {
                        dataset: dataset.id.clone(),
                        field: validate::echo(&a.field),
                    }
                })?;
                if t.key.contains(&t.fields[i].name) {
                    return Err(invalid(
                        format!("{} 是记录的编码，不能更新", t.fields[i].name),
                        format!(
                            "{} is the record's key and cannot be updated",
                            t.fields[i].name
                        ),
                    ));
                }
            }
        }
        ChangeKind::Delete => {
            catalogue_type(&dataset)?;
        }
        ChangeKind::Append => {
            let id = request.target.as_deref().unwrap_or_default();
            let t = id
                .strip_prefix("catalogue:")
                .and_then(record_type)
                .ok_or_else(|| {
                    invalid(
                        "追加查询的目标 target 须为目录类型（catalogue:…）",
                        "an append query's target must be a catalogue type (catalogue:…)",
                    )
                })?;
            for (to, from) in &request.mapping {
                if validate::resolve_field(t, to).is_none() {
                    return Err(QueryError::UnknownField {
                        dataset: id.to_owned(),
                        field: validate::echo(to),
                    });
                }
                dataset.column(from)?;
            }
            target = Some(t);
        }
        ChangeKind::MakeTable => {
            let name = request.name.as_deref().unwrap_or_default();
            let good = !name.is_empty()
                && name.chars().count() <= 64
                && name
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '-' || c == '_');
            if !good {
                return Err(invalid(
                    "生成表须有名称：1 到 64 个字母、数字、汉字、- 或 _",
                    "a make-table query needs a name: 1 to 64 letters, digits, - or _",
                ));
            }
        }
    }
    Ok((dataset, target))
}

/// How many rows a changing query touches and a sample of them.
pub async fn preview(db: &Db, request: &ChangeRequest) -> Result<Preview, QueryError> {
    let (dataset, _) = checked(db, request).await?;
    let model = &request.query;
    let rows = run::fetch_count(
        db,
        &super::compile::count(db.backend(), &dataset, model, &request.arguments)?,
    )
    .await?;
    let sample = run::select_page(db, &dataset, model, &request.arguments, SAMPLE_ROWS, 0).await?;
    Ok(Preview {
        kind: request.kind,
        rows,
        sample,
    })
}

/// Runs a previewed changing query in one transaction.
pub async fn execute(
    db: &Db,
    request: &ChangeRequest,
    user_id: &str,
    now: i64,
) -> Result<Done, QueryError> {
    let (dataset, target) = checked(db, request).await?;
    let confirm = request.confirm_rows.ok_or_else(|| {
        invalid(
            "请先预览，并以 confirm_rows 给出预览显示的行数",
            "preview first and give the row count it showed as confirm_rows",
        )
    })?;
    let mut tx = db.begin().await?;
    let count = super::compile::count(db.backend(), &dataset, &request.query, &request.arguments)?;
    let rows: i64 = with_tx!(&mut tx, conn => {
        let mut q = sqlx::query_scalar::<_, i64>(&count.sql);
        for b in &count.binds {
            q = q.bind(b);
        }
        q.fetch_one(&mut *conn).await.map_err(DbError::from)?
    });
    if rows != confirm {
        return Err(QueryError::Changed {
            previewed: confirm,
            now: rows,
        });
    }
    let limit = cap(request.kind);
    if rows > limit {
        return Err(invalid(
            format!("一次最多处理 {limit} 行，这次将涉及 {rows} 行；请缩小筛选范围分批执行"),
            format!(
                "one run touches at most {limit} rows, this one {rows}; narrow the filter and run it in parts"
            ),
        ));
    }
    let (touched, keys, made) = match request.kind {
        ChangeKind::Update => update(&mut tx, &dataset, request, user_id, now).await?,
        ChangeKind::Delete => delete(&mut tx, &dataset, request, user_id, now).await?,
        ChangeKind::Append => {
            let t = target.ok_or_else(|| invalid("缺少 target", "target missing"))?;
            append(&mut tx, &dataset, t, request, user_id, now).await?
        }
        ChangeKind::MakeTable => make_table(&mut tx, &dataset, request, user_id, now).await?,
    };
    let model = serde_json::to_string(request).unwrap_or_default();
    let keys = serde_json::to_string(&keys.iter().take(1000).collect::<Vec<_>>())
        .unwrap_or_else(|_| "[]".into());
    let audit: i64 = with_tx!(&mut tx, conn => {
        sqlx::query_scalar("INSERT INTO dq_audit (at, user_id, kind, dataset, model, rows_touched, keys) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING seq")
            .bind(now)
            .bind(user_id)
            .bind(request.kind.code())
            .bind(&dataset.id)
            .bind(&model)
            .bind(touched)
            .bind(&keys)
            .fetch_one(&mut *conn)
            .await
            .map_err(DbError::from)?
    });
    tx.commit().await?;
    Ok(Done {
        kind: request.kind,
        rows_touched: touched,
        audit,
        dataset: made,
    })
}

/// What a change did: rows touched, the keys of the records touched, the snapshot it made.
type Changed = (i64, Vec<String>, Option<String>);

/// The current versions the query selects, with everything a new version needs.
struct Current {
    version_id: i64,
    record_key: String,
    version: i64,
    organisation_id: Option<String>,
    values: Vec<Option<String>>,
}

async fn current_rows(
    tx: &mut Tx,
    dataset: &Dataset,
    t: &RecordType,
    request: &ChangeRequest,
) -> Result<Vec<Current>, QueryError> {
    let model = &request.query;
    let mut b = Builder::new(tx.backend(), dataset, &model.parameters, &request.arguments)?;
    let from = b.source_and_filter(model.filter.as_ref())?;
    let fields: Vec<String> = t
        .fields
        .iter()
        .map(|f| format!("\"{}\"", f.column()))
        .collect();
    let sql = format!(
        "SELECT CAST(version_id AS TEXT), record_key, CAST(version AS TEXT), organisation_id, {} {from} ORDER BY version_id LIMIT {}{}",
        fields.join(", "),
        MAX_CHANGE_ROWS,
        crate::db::dialect::for_update(tx.backend())
    );
    let compiled = b.finish(sql);
    // Version id and version read as text, so that every column reads alike.
    let n = t.fields.len();
    let rows = with_tx!(tx, conn => {
        let mut q = sqlx::query(&compiled.sql);
        for v in &compiled.binds {
            q = q.bind(v);
        }
        super::run::text_cells(q.fetch_all(&mut *conn).await.map_err(DbError::from)?, 4 + n)?
    });
    let number = |v: &Option<String>| -> Result<i64, QueryError> {
        v.as_deref()
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| invalid("版本号无效", "a version number is not one"))
    };
    let mut out = Vec::with_capacity(rows.len());
    for mut row in rows {
        let values = row.split_off(4);
        out.push(Current {
            version_id: number(&row[0])?,
            record_key: row[1].clone().unwrap_or_default(),
            version: number(&row[2])?,
            organisation_id: row[3].clone(),
            values,
        });
    }
    Ok(out)
}

fn record_json(t: &RecordType, values: &[Option<String>]) -> serde_json::Value {
    let mut object = serde_json::Map::new();
    for (f, v) in t.fields.iter().zip(values) {
        if let Some(v) = v {
            object.insert(f.name.to_owned(), serde_json::Value::String(v.clone()));
        }
    }
    serde_json::Value::Object(object)
}

/// Reports records through the catalogue's one service, all or nothing.
async fn report(
    tx: &mut Tx,
    organisation_id: Option<String>,
    items: Vec<Item>,
    user_id: &str,
    now: i64,
) -> Result<i64, QueryError> {
    let reporter = Reporter {
        organisation_id,
        client_id: CLIENT_ID.to_owned(),
        user_id: Some(user_id.to_owned()),
        source: store::Source::Workflow,
    };
    let mut reporting = Reporting::new(&reporter, Mode::Atomic, Keep::RefusedUpTo(100), now);
    reporting.add(tx, items).await?;
    match reporting.finish() {
        Outcome::Stored(tally) => Ok((tally.created + tally.updated) as i64),
        Outcome::Refused(tally) => Err(QueryError::Fields(
            tally
                .results
                .into_iter()
                .flat_map(|r| {
                    let key = r.key.clone();
                    r.errors.into_iter().map(move |e| {
                        serde_json::json!({
                            "record": key,
                            "field": e.field,
                            "code": e.code,
                            "message_zh": e.message_zh,
                            "message_en": e.message_en,
                        })
                    })
                })
                .collect(),
        )),
    }
}

async fn update(
    tx: &mut Tx,
    dataset: &Dataset,
    request: &ChangeRequest,
    user_id: &str,
    now: i64,
) -> Result<Changed, QueryError> {
    let t = catalogue_type(dataset)?;
    let rows = current_rows(tx, dataset, t, request).await?;
    let mut by_org: BTreeMap<Option<String>, Vec<Item>> = BTreeMap::new();
    let mut keys = Vec::with_capacity(rows.len());
    for (index, mut row) in rows.into_iter().enumerate() {
        for a in &request.set {
            if let Some(i) = validate::resolve_field(t, &a.field) {
                row.values[i] = a.value.clone().filter(|v| !v.is_empty());
            }
        }
        keys.push(shown_key(&row.record_key));
        let record = record_json(t, &row.values);
        by_org.entry(row.organisation_id).or_default().push(Item {
            index,
            record_type: t,
            checked: validate::check_json(t, &record, UnknownFields::Refuse),
        });
    }
    let mut touched = 0;
    for (org, items) in by_org {
        touched += report(tx, org, items, user_id, now).await?;
    }
    Ok((touched, keys, None))
}

async fn delete(
    tx: &mut Tx,
    dataset: &Dataset,
    request: &ChangeRequest,
    user_id: &str,
    now: i64,
) -> Result<Changed, QueryError> {
    let t = catalogue_type(dataset)?;
    let rows = current_rows(tx, dataset, t, request).await?;
    let keys = rows.iter().map(|r| shown_key(&r.record_key)).collect();
    let deletions: Vec<Deletion> = rows
        .into_iter()
        .map(|r| Deletion {
            version_id: r.version_id,
            record_key: r.record_key,
            version: r.version,
            organisation_id: r.organisation_id,
        })
        .collect();
    store::tombstone(tx, t, &deletions, CLIENT_ID, user_id, now).await?;
    Ok((deletions.len() as i64, keys, None))
}

/// The source rows of an append or a make-table, every column as text.
async fn source_rows(
    tx: &mut Tx,
    dataset: &Dataset,
    request: &ChangeRequest,
    limit: i64,
) -> Result<(Vec<super::datasets::Column>, Vec<Vec<Option<String>>>), QueryError> {
    let (compiled, columns) = super::compile::select(
        tx.backend(),
        dataset,
        &request.query,
        &request.arguments,
        limit,
        0,
    )?;
    let rows = with_tx!(tx, conn => {
        let mut q = sqlx::query(&compiled.sql);
        for v in &compiled.binds {
            q = q.bind(v);
        }
        super::run::text_cells(q.fetch_all(&mut *conn).await.map_err(DbError::from)?, columns.len())?
    });
    let mut out = rows;
    for row in out.iter_mut() {
        for (cell, column) in row.iter_mut().zip(&columns) {
            if column.numeric
                && let Some(v) = cell
            {
                *v = super::figures::tidy(v);
            }
        }
    }
    Ok((columns, out))
}

async fn append(
    tx: &mut Tx,
    dataset: &Dataset,
    target: &'static RecordType,
    request: &ChangeRequest,
    user_id: &str,
    now: i64,
) -> Result<Changed, QueryError> {
    if let Some(org) = &request.organisation_id {
        let exists: Option<String> = with_tx!(tx, conn => {
            sqlx::query_scalar("SELECT id FROM organisations WHERE id = $1")
                .bind(org)
                .fetch_optional(&mut *conn)
                .await
                .map_err(DbError::from)?
        });
        if exists.is_none() {
            return Err(invalid(
                format!("没有机构 {}", validate::echo(org)),
                format!("no organisation {}", validate::echo(org)),
            ));
        }
    }
    let (columns, rows) = source_rows(tx, dataset, request, MAX_CHANGE_ROWS).await?;
    // Target field index ← source column position.
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    if request.mapping.is_empty() {
        for (ci, c) in columns.iter().enumerate() {
            if let Some(fi) = validate::resolve_field(target, &c.name) {
                pairs.push((fi, ci));
            }
        }
    } else {
        for (to, from) in &request.mapping {
            let fi = validate::resolve_field(target, to).unwrap_or_default();
            let from_column = dataset.column(from)?;
            let ci = columns
                .iter()
                .position(|c| c.name == from_column.name)
                .ok_or_else(|| {
                    invalid(
                        format!("映射的源字段 {} 不在查询的字段中", from_column.name),
                        format!(
                            "the mapped field {} is not among the query's fields",
                            from_column.name
                        ),
                    )
                })?;
            pairs.push((fi, ci));
        }
    }
    if pairs.is_empty() {
        return Err(invalid(
            "源数据与目标类型没有同名字段，请给出 mapping",
            "the source shares no field with the target; give a mapping",
        ));
    }
    let mut items = Vec::with_capacity(rows.len());
    let mut keys = Vec::with_capacity(rows.len());
    for (index, row) in rows.iter().enumerate() {
        let mut values = vec![None; target.fields.len()];
        for (fi, ci) in &pairs {
            values[*fi] = row[*ci].clone();
        }
        let record = record_json(target, &values);
        let checked = validate::check_json(target, &record, UnknownFields::Refuse);
        if let Ok(c) = &checked {
            keys.push(shown_key(&c.key));
        }
        items.push(Item {
            index,
            record_type: target,
            checked,
        });
    }
    let touched = report(tx, request.organisation_id.clone(), items, user_id, now).await?;
    Ok((touched, keys, None))
}

async fn make_table(
    tx: &mut Tx,
    dataset: &Dataset,
    request: &ChangeRequest,
    user_id: &str,
    now: i64,
) -> Result<Changed, QueryError> {
    let name = request.name.clone().unwrap_or_default();
    let (columns, rows) = source_rows(tx, dataset, request, MAX_SNAPSHOT_ROWS).await?;
    if columns.len() > SNAPSHOT_COLUMNS {
        return Err(invalid(
            format!("生成表最多 {SNAPSHOT_COLUMNS} 个字段，请在 fields 中选择"),
            format!("a snapshot keeps at most {SNAPSHOT_COLUMNS} fields; choose them in fields"),
        ));
    }
    let exists: Option<String> = with_tx!(tx, conn => {
        sqlx::query_scalar("SELECT id FROM dq_snapshots WHERE name = $1")
            .bind(&name)
            .fetch_optional(&mut *conn)
            .await
            .map_err(DbError::from)?
    });
    if exists.is_some() {
        return Err(QueryError::Exists(name));
    }
    let fields: Vec<SnapshotField> = columns
        .iter()
        .map(|c| SnapshotField {
            name: c.name.clone(),
            label_zh: c.label_zh.clone(),
            label_en: c.label_en.clone(),
            numeric: c.numeric,
        })
        .collect();
    let id = format!("SNAP-{}", uuid::Uuid::new_v4().simple());
    with_tx!(tx, conn => {
        sqlx::query("INSERT INTO dq_snapshots (id, name, source, fields, row_count, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(&id)
            .bind(&name)
            .bind(&dataset.id)
            .bind(serde_json::to_string(&fields).unwrap_or_default())
            .bind(rows.len() as i64)
            .bind(user_id)
            .bind(now)
            .execute(&mut *conn)
            .await
            .map_err(DbError::from)?;
    });
    let n = columns.len();
    let slots: Vec<String> = (1..=n).map(|i| format!("c{i}")).collect();
    let per_row = n + 2;
    let chunk_rows = (30_000 / per_row).max(1);
    for (c, chunk) in rows.chunks(chunk_rows).enumerate() {
        let mut values = Vec::with_capacity(chunk.len());
        let mut at = 1;
        for _ in chunk {
            values.push(format!(
                "({})",
                crate::db::dialect::placeholders(tx.backend(), at, per_row)
            ));
            at += per_row;
        }
        let sql = format!(
            "INSERT INTO dq_snapshot_rows (snapshot_id, row_no, {}) VALUES {}",
            slots.join(", "),
            values.join(", ")
        );
        with_tx!(tx, conn => {
            let mut q = sqlx::query(&sql);
            for (i, row) in chunk.iter().enumerate() {
                q = q.bind(&id).bind((c * chunk_rows + i + 1) as i64);
                for cell in row {
                    q = q.bind(cell);
                }
            }
            q.execute(&mut *conn).await.map_err(DbError::from)?;
        });
    }
    Ok((
        rows.len() as i64,
        Vec::new(),
        Some(format!("snapshot:{name}")),
    ))
}
