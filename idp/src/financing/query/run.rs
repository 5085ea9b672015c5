//! Running the read kinds: a select page, a crosstab with row and column totals, groups with
//! subtotals, and the table any of them exports.

use std::collections::BTreeMap;

use serde::Serialize;
use sqlx::Row;
use utoipa::ToSchema;

use super::QueryError;
use super::compile::{self, Compiled};
use super::datasets::{Column, Dataset};
use super::figures::{Partial, tidy};
use super::model::*;
use crate::catalogue::sheets::{XlsxWriter, csv_line, formula_safe};
use crate::db::{Db, DbError};
use crate::with_pool;

/// Rows one select page lists at most.
pub const MAX_PAGE: i64 = 1_000;
/// How far pages reach; beyond it, narrow the filter or export.
pub const MAX_OFFSET: i64 = 100_000;
/// Rows an export writes at most.
pub const MAX_EXPORT_ROWS: i64 = 100_000;
/// Cells (groups) a crosstab or a multi-dimensional query reads at most.
pub const MAX_GROUPS: usize = 20_000;
/// Columns a crosstab shows at most.
pub const MAX_CROSSTAB_COLUMNS: usize = 200;

/// Rows read as text cells.
pub(super) fn text_cells<R>(rows: Vec<R>, width: usize) -> Result<Vec<Vec<Option<String>>>, DbError>
where
    R: Row,
    usize: sqlx::ColumnIndex<R>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let mut cells = Vec::with_capacity(width);
        for i in 0..width {
            cells.push(row.try_get::<Option<String>, _>(i)?);
        }
        out.push(cells);
    }
    Ok(out)
}

/// Runs a statement; every column is read as text.
pub(super) async fn fetch(
    db: &Db,
    compiled: &Compiled,
    width: usize,
) -> Result<Vec<Vec<Option<String>>>, QueryError> {
    Ok(with_pool!(db, pool => {
        let mut q = sqlx::query(&compiled.sql);
        for b in &compiled.binds {
            q = q.bind(b);
        }
        text_cells(q.fetch_all(pool).await.map_err(DbError::from)?, width)?
    }))
}

pub(super) async fn fetch_count(db: &Db, compiled: &Compiled) -> Result<i64, QueryError> {
    Ok(with_pool!(db, pool => {
        let mut q = sqlx::query_scalar::<_, i64>(&compiled.sql);
        for b in &compiled.binds {
            q = q.bind(b);
        }
        q.fetch_one(pool).await.map_err(DbError::from)?
    }))
}

/// One page of a select.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page {
    pub dataset: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Option<String>>>,
    /// Where the next page starts, when there is one.
    pub next_offset: Option<i64>,
}

pub async fn select_page(
    db: &Db,
    dataset: &Dataset,
    model: &QueryModel,
    arguments: &Arguments,
    limit: i64,
    offset: i64,
) -> Result<Page, QueryError> {
    if !(1..=MAX_PAGE).contains(&limit) || !(0..=MAX_OFFSET).contains(&offset) {
        return Err(QueryError::Invalid {
            zh: format!("limit 为 1 到 {MAX_PAGE}，offset 为 0 到 {MAX_OFFSET}；更多的行请导出"),
            en: format!(
                "limit is 1 to {MAX_PAGE} and offset 0 to {MAX_OFFSET}; export for more rows"
            ),
        });
    }
    let (compiled, columns) =
        compile::select(db.backend(), dataset, model, arguments, limit + 1, offset)?;
    let mut rows = fetch(db, &compiled, columns.len()).await?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    tidy_numbers(&columns, &mut rows);
    Ok(Page {
        dataset: dataset.id.clone(),
        columns,
        rows,
        next_offset: more.then_some(offset + limit),
    })
}

fn tidy_numbers(columns: &[Column], rows: &mut [Vec<Option<String>>]) {
    for row in rows {
        for (cell, column) in row.iter_mut().zip(columns) {
            if column.numeric
                && let Some(v) = cell
            {
                *v = tidy(v);
            }
        }
    }
}

/// A measure's heading: `count`, `sum(AMOUNT)`.
fn measure_name(m: &Measure) -> String {
    let a = format!("{:?}", m.aggregate).to_ascii_lowercase();
    match &m.field {
        Some(f) => format!("{a}({f})"),
        None => a,
    }
}

fn read_partials(model: &QueryModel, cells: &[Option<String>]) -> Vec<Partial> {
    let mut at = 0;
    model
        .measures
        .iter()
        .map(|m| {
            let w = Partial::width(m.aggregate);
            let p = Partial::read(m.aggregate, &cells[at..at + w]);
            at += w;
            p
        })
        .collect()
}

fn combine_into(total: &mut Option<Vec<Partial>>, add: &[Partial]) {
    match total {
        Some(t) => {
            for (a, b) in t.iter_mut().zip(add) {
                *a = a.combine(b);
            }
        }
        None => *total = Some(add.to_vec()),
    }
}

fn values(partials: &Option<Vec<Partial>>, n: usize) -> Vec<Option<String>> {
    match partials {
        Some(p) => p.iter().map(Partial::value).collect(),
        None => vec![None; n],
    }
}

fn measure_width(model: &QueryModel) -> usize {
    model
        .measures
        .iter()
        .map(|m| Partial::width(m.aggregate))
        .sum()
}

/// A crosstab (交叉表): each row's cells by column, each a value per measure.
#[derive(Debug, Serialize, ToSchema)]
pub struct Crosstab {
    pub dataset: String,
    pub row_fields: Vec<String>,
    pub column_field: String,
    pub measures: Vec<String>,
    /// The column field's values, in order (`null`: rows without a value).
    pub columns: Vec<Option<String>>,
    pub rows: Vec<CrosstabRow>,
    /// Per column, per measure.
    pub column_totals: Vec<Vec<Option<String>>>,
    pub grand_total: Vec<Option<String>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CrosstabRow {
    pub keys: Vec<Option<String>>,
    /// Per column, per measure (`null`: no rows in that cell).
    pub cells: Vec<Vec<Option<String>>>,
    pub total: Vec<Option<String>>,
}

fn too_many(what: &str, cap: usize) -> QueryError {
    QueryError::Invalid {
        zh: format!("结果超过 {cap} 个{what}，请缩小筛选范围或改用更粗的分组（年、月、地市）"),
        en: format!(
            "the result has more than {cap} {what}; narrow the filter or use a coarser bucket (year, month, prefecture)"
        ),
    }
}

pub async fn crosstab(
    db: &Db,
    dataset: &Dataset,
    model: &QueryModel,
    arguments: &Arguments,
) -> Result<Crosstab, QueryError> {
    let column = model.column.clone().ok_or_else(|| QueryError::Invalid {
        zh: "交叉表需要列字段 column".into(),
        en: "a crosstab needs a column field".into(),
    })?;
    if model.rows.is_empty() || model.rows.len() > 3 {
        return Err(QueryError::Invalid {
            zh: "交叉表须有 1 到 3 个行字段".into(),
            en: "a crosstab takes 1 to 3 row fields".into(),
        });
    }
    let mut dims = model.rows.clone();
    dims.push(column.clone());
    let compiled = compile::grouped(db.backend(), dataset, model, arguments, &dims, MAX_GROUPS)?;
    let nrows = model.rows.len();
    let raw = fetch(db, &compiled, dims.len() + measure_width(model)).await?;
    if raw.len() > MAX_GROUPS {
        return Err(too_many("格 / cells", MAX_GROUPS));
    }
    let n = model.measures.len();
    let mut columns: BTreeMap<Option<String>, usize> = BTreeMap::new();
    for r in &raw {
        let len = columns.len();
        columns.entry(r[nrows].clone()).or_insert(len);
        if columns.len() > MAX_CROSSTAB_COLUMNS {
            return Err(too_many("列 / columns", MAX_CROSSTAB_COLUMNS));
        }
    }
    // Column order: by value.
    let order: Vec<Option<String>> = columns.keys().cloned().collect();
    let position: BTreeMap<Option<String>, usize> = order
        .iter()
        .enumerate()
        .map(|(i, k)| (k.clone(), i))
        .collect();
    let mut rows: BTreeMap<Vec<Option<String>>, Vec<Option<Vec<Partial>>>> = BTreeMap::new();
    let mut column_totals: Vec<Option<Vec<Partial>>> = vec![None; order.len()];
    let mut grand: Option<Vec<Partial>> = None;
    for r in &raw {
        let keys = r[..nrows].to_vec();
        let col = position[&r[nrows]];
        let partials = read_partials(model, &r[nrows + 1..]);
        let cells = rows.entry(keys).or_insert_with(|| vec![None; order.len()]);
        combine_into(&mut cells[col], &partials);
        combine_into(&mut column_totals[col], &partials);
        combine_into(&mut grand, &partials);
    }
    let rows = rows
        .into_iter()
        .map(|(keys, cells)| {
            let mut total: Option<Vec<Partial>> = None;
            for c in cells.iter().flatten() {
                combine_into(&mut total, c);
            }
            CrosstabRow {
                keys,
                cells: cells.iter().map(|c| values(c, n)).collect(),
                total: values(&total, n),
            }
        })
        .collect();
    Ok(Crosstab {
        dataset: dataset.id.clone(),
        row_fields: model.rows.iter().map(dimension_name).collect(),
        column_field: dimension_name(&column),
        measures: model.measures.iter().map(measure_name).collect(),
        columns: order,
        rows,
        column_totals: column_totals.iter().map(|c| values(c, n)).collect(),
        grand_total: values(&grand, n),
    })
}

fn dimension_name(d: &Dimension) -> String {
    match d.bucket {
        Some(b) => format!("{}:{}", d.field, format!("{b:?}").to_ascii_lowercase()),
        None => d.field.clone(),
    }
}

/// A multi-dimensional query (多维查询): groups with a subtotal after each group of the
/// outer fields and a grand total last.
#[derive(Debug, Serialize, ToSchema)]
pub struct Groups {
    pub dataset: String,
    pub fields: Vec<String>,
    pub measures: Vec<String>,
    pub rows: Vec<GroupRow>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GroupRow {
    /// How many leading fields this row fixes: all of them for a group, fewer for a subtotal,
    /// 0 for the grand total.
    pub level: usize,
    pub keys: Vec<Option<String>>,
    pub values: Vec<Option<String>>,
}

/// A subtotal being summed: its keys (outer fields set, inner `None`) and what it holds so far.
type OpenSubtotal = (Vec<Option<String>>, Option<Vec<Partial>>);

pub async fn groups(
    db: &Db,
    dataset: &Dataset,
    model: &QueryModel,
    arguments: &Arguments,
) -> Result<Groups, QueryError> {
    let dims = &model.rows;
    if dims.is_empty() || dims.len() > 4 {
        return Err(QueryError::Invalid {
            zh: "多维查询须有 1 到 4 个分组字段 rows".into(),
            en: "a multi-dimensional query takes 1 to 4 grouping fields (rows)".into(),
        });
    }
    let compiled = compile::grouped(db.backend(), dataset, model, arguments, dims, MAX_GROUPS)?;
    let d = dims.len();
    let n = model.measures.len();
    let raw = fetch(db, &compiled, d + measure_width(model)).await?;
    if raw.len() > MAX_GROUPS {
        return Err(too_many("组 / groups", MAX_GROUPS));
    }
    let mut out = Vec::with_capacity(raw.len() * 2);
    // Open subtotals, one per level 1..d-1 (outermost first), and the grand total.
    let mut open: Vec<OpenSubtotal> = Vec::new();
    let mut grand: Option<Vec<Partial>> = None;
    let close = |open: &mut Vec<OpenSubtotal>, keep: usize, out: &mut Vec<GroupRow>| {
        while open.len() > keep {
            let (keys, partials) = open.pop().unwrap_or_default();
            let level = open.len() + 1;
            out.push(GroupRow {
                level,
                keys,
                values: values(&partials, n),
            });
        }
    };
    for r in &raw {
        let keys = &r[..d];
        // How many outer keys it shares with the open subtotals.
        let shared = open
            .iter()
            .enumerate()
            .take_while(|(i, (k, _))| k[..=*i] == keys[..=*i])
            .count();
        close(&mut open, shared, &mut out);
        while open.len() < d - 1 {
            let level = open.len() + 1;
            let mut k = keys[..level].to_vec();
            k.resize(d, None);
            open.push((k, None));
        }
        let partials = read_partials(model, &r[d..]);
        for (_, total) in open.iter_mut() {
            combine_into(total, &partials);
        }
        combine_into(&mut grand, &partials);
        out.push(GroupRow {
            level: d,
            keys: keys.to_vec(),
            values: partials.iter().map(Partial::value).collect(),
        });
    }
    close(&mut open, 0, &mut out);
    out.push(GroupRow {
        level: 0,
        keys: vec![None; d],
        values: values(&grand, n),
    });
    Ok(Groups {
        dataset: dataset.id.clone(),
        fields: dims.iter().map(dimension_name).collect(),
        measures: model.measures.iter().map(measure_name).collect(),
        rows: out,
    })
}

/// A table ready for CSV or XLSX.
pub struct Table {
    pub titles: Vec<String>,
    pub rows: Vec<Vec<Option<String>>>,
}

impl Table {
    pub fn csv(&self) -> Vec<u8> {
        let mut out = "\u{feff}".as_bytes().to_vec();
        out.extend(csv_line(&self.titles));
        for row in &self.rows {
            out.extend(csv_line(
                row.iter()
                    .map(|c| formula_safe(c.as_deref().unwrap_or_default())),
            ));
        }
        out
    }

    pub fn xlsx(&self) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        let mut sheet = XlsxWriter::new("query", &self.titles)?;
        for row in &self.rows {
            sheet.push(row)?;
        }
        sheet.finish()
    }
}

/// Every row of a select (up to [`MAX_EXPORT_ROWS`]) with its columns' Chinese labels.
pub async fn select_table(
    db: &Db,
    dataset: &Dataset,
    model: &QueryModel,
    arguments: &Arguments,
) -> Result<Table, QueryError> {
    let (compiled, columns) =
        compile::select(db.backend(), dataset, model, arguments, MAX_EXPORT_ROWS, 0)?;
    let mut rows = fetch(db, &compiled, columns.len()).await?;
    tidy_numbers(&columns, &mut rows);
    Ok(Table {
        titles: columns
            .iter()
            .map(|c| format!("{} {}", c.label_zh, c.name))
            .collect(),
        rows,
    })
}

impl Crosstab {
    pub fn table(&self) -> Table {
        let mut titles = self.row_fields.clone();
        for c in &self.columns {
            for m in &self.measures {
                titles.push(format!("{} {m}", c.as_deref().unwrap_or("（空）")));
            }
        }
        for m in &self.measures {
            titles.push(format!("合计 total {m}"));
        }
        let mut rows: Vec<Vec<Option<String>>> = self
            .rows
            .iter()
            .map(|r| {
                let mut cells = r.keys.clone();
                cells.extend(r.cells.iter().flatten().cloned());
                cells.extend(r.total.iter().cloned());
                cells
            })
            .collect();
        let mut totals = vec![Some("合计 total".to_owned())];
        totals.resize(self.row_fields.len(), None);
        totals.extend(self.column_totals.iter().flatten().cloned());
        totals.extend(self.grand_total.iter().cloned());
        rows.push(totals);
        Table { titles, rows }
    }
}

impl Groups {
    pub fn table(&self) -> Table {
        let mut titles = self.fields.clone();
        titles.push("层级 level".into());
        titles.extend(self.measures.iter().cloned());
        Table {
            titles,
            rows: self
                .rows
                .iter()
                .map(|r| {
                    let mut cells = r.keys.clone();
                    cells.push(Some(r.level.to_string()));
                    cells.extend(r.values.iter().cloned());
                    cells
                })
                .collect(),
        }
    }
}
