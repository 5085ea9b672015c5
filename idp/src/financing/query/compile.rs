//! The query model compiled to SQL. Identifiers come only from the dataset's column list;
//! everything from the request (values, parameter values) is a bound parameter; operators,
//! aggregates and buckets are closed enums, each spelled here. Nothing a request sends is
//! pasted into the statement's text.

use super::QueryError;
use super::datasets::{Column, Dataset, Source};
use super::model::*;
use crate::db::{Backend, dialect};

/// A statement and its bound values, in placeholder order.
#[derive(Debug, Clone)]
pub struct Compiled {
    pub sql: String,
    pub binds: Vec<String>,
}

pub(super) struct Builder<'a> {
    backend: Backend,
    pub(super) dataset: &'a Dataset,
    binds: Vec<String>,
    parameters: &'a [Parameter],
    arguments: &'a Arguments,
    conditions: usize,
}

fn invalid(zh: impl Into<String>, en: impl Into<String>) -> QueryError {
    QueryError::Invalid {
        zh: zh.into(),
        en: en.into(),
    }
}

fn check_value(v: &str) -> Result<(), QueryError> {
    if v.chars().count() > MAX_VALUE_CHARS {
        return Err(invalid(
            format!("值最长 {MAX_VALUE_CHARS} 个字符"),
            format!("a value is at most {MAX_VALUE_CHARS} characters"),
        ));
    }
    Ok(())
}

impl<'a> Builder<'a> {
    pub(super) fn new(
        backend: Backend,
        dataset: &'a Dataset,
        parameters: &'a [Parameter],
        arguments: &'a Arguments,
    ) -> Result<Self, QueryError> {
        for name in arguments.keys() {
            if !parameters.iter().any(|p| &p.name == name) {
                return Err(invalid(
                    format!("查询没有参数 {}", crate::catalogue::validate::echo(name)),
                    format!(
                        "the query has no parameter {}",
                        crate::catalogue::validate::echo(name)
                    ),
                ));
            }
        }
        if parameters.len() > MAX_CONDITIONS {
            return Err(invalid("参数过多", "too many parameters"));
        }
        Ok(Builder {
            backend,
            dataset,
            binds: Vec::new(),
            parameters,
            arguments,
            conditions: 0,
        })
    }

    fn bind(&mut self, value: String) -> String {
        self.binds.push(value);
        format!("${}", self.binds.len())
    }

    pub(super) fn column(&self, name: &str) -> Result<&'a Column, QueryError> {
        self.dataset.column(name)
    }

    /// The rows a dataset holds: current catalogue versions, one snapshot's rows.
    fn base(&mut self) -> Vec<String> {
        match &self.dataset.source {
            Source::Catalogue(_) => vec!["is_current".to_owned()],
            Source::Workflow(_) => Vec::new(),
            Source::Snapshot { id } => {
                let p = self.bind(id.clone());
                vec![format!("snapshot_id = {p}")]
            }
        }
    }

    /// `FROM … WHERE …` of the model's filter.
    pub(super) fn source_and_filter(
        &mut self,
        filter: Option<&Filter>,
    ) -> Result<String, QueryError> {
        let mut conditions = self.base();
        if let Some(f) = filter {
            conditions.push(self.filter(f, 0)?);
        }
        let table = self.dataset.table();
        Ok(if conditions.is_empty() {
            format!("FROM {table}")
        } else {
            format!("FROM {table} WHERE {}", conditions.join(" AND "))
        })
    }

    fn filter(&mut self, f: &Filter, depth: usize) -> Result<String, QueryError> {
        if depth > MAX_DEPTH {
            return Err(invalid(
                format!("条件最多嵌套 {MAX_DEPTH} 层"),
                format!("conditions nest at most {MAX_DEPTH} deep"),
            ));
        }
        match f {
            Filter::And(items) | Filter::Or(items) => {
                if items.is_empty() {
                    return Err(invalid("条件组不能为空", "a group of conditions is empty"));
                }
                let joiner = if matches!(f, Filter::And(_)) {
                    " AND "
                } else {
                    " OR "
                };
                let mut parts = Vec::with_capacity(items.len());
                for item in items {
                    parts.push(self.filter(item, depth + 1)?);
                }
                Ok(format!("({})", parts.join(joiner)))
            }
            Filter::Not(inner) => Ok(format!("NOT ({})", self.filter(inner, depth + 1)?)),
            Filter::Cond(c) => {
                self.conditions += 1;
                if self.conditions > MAX_CONDITIONS {
                    return Err(invalid(
                        format!("一次查询最多 {MAX_CONDITIONS} 个条件"),
                        format!("a query takes at most {MAX_CONDITIONS} conditions"),
                    ));
                }
                self.condition(c)
            }
        }
    }

    /// The values a condition compares with: given, or its parameter's.
    fn operands(&self, c: &Condition) -> Result<Vec<String>, QueryError> {
        let given: Vec<String> = match (&c.param, &c.value, c.values.is_empty()) {
            (Some(name), None, true) => {
                let declared = self
                    .parameters
                    .iter()
                    .find(|p| &p.name == name)
                    .ok_or_else(|| {
                        invalid(
                            format!(
                                "条件引用了未声明的参数 {}",
                                crate::catalogue::validate::echo(name)
                            ),
                            format!(
                                "a condition names the undeclared parameter {}",
                                crate::catalogue::validate::echo(name)
                            ),
                        )
                    })?;
                let value = self
                    .arguments
                    .get(name)
                    .or(declared.default.as_ref())
                    .ok_or_else(|| QueryError::MissingParameter(name.clone()))?;
                if matches!(c.op, Op::In | Op::Between) {
                    value
                        .split(',')
                        .map(|v| v.trim().to_owned())
                        .filter(|v| !v.is_empty())
                        .take(MAX_IN_VALUES + 1)
                        .collect()
                } else {
                    vec![value.clone()]
                }
            }
            (None, Some(v), true) => vec![v.clone()],
            (None, None, false) => c.values.iter().take(MAX_IN_VALUES + 1).cloned().collect(),
            (None, None, true) if c.op.is_unary() => Vec::new(),
            _ => {
                return Err(invalid(
                    format!("条件 {} 须给出 value、values 或 param 之一", c.field),
                    format!(
                        "the condition on {} takes one of value, values or param",
                        c.field
                    ),
                ));
            }
        };
        for v in &given {
            check_value(v)?;
        }
        Ok(given)
    }

    fn condition(&mut self, c: &Condition) -> Result<String, QueryError> {
        let column = self.column(&c.field)?;
        let values = self.operands(c)?;
        let expected = match c.op {
            Op::IsNull | Op::NotNull => Some(0),
            Op::In => None,
            Op::Between => Some(2),
            _ => Some(1),
        };
        let count_ok = match expected {
            Some(n) => values.len() == n,
            None => (1..=MAX_IN_VALUES).contains(&values.len()),
        };
        if !count_ok {
            return Err(invalid(
                format!(
                    "{} 的条件 {:?} 需要 {} 个值，收到 {} 个",
                    column.name,
                    c.op,
                    expected.map_or(format!("1 到 {MAX_IN_VALUES}"), |n| n.to_string()),
                    values.len()
                ),
                format!(
                    "the {:?} condition on {} takes {} value(s), got {}",
                    c.op,
                    column.name,
                    expected.map_or(format!("1 to {MAX_IN_VALUES}"), |n| n.to_string()),
                    values.len()
                ),
            ));
        }
        let ordered = matches!(c.op, Op::Gt | Op::Gte | Op::Lt | Op::Lte | Op::Between);
        if column.numeric && (ordered || matches!(c.op, Op::Eq | Op::Ne | Op::In)) {
            for v in &values {
                if v.parse::<f64>().map_or(true, |n| !n.is_finite()) {
                    return Err(invalid(
                        format!("{} 是数值字段，条件值应为数字", column.name),
                        format!("{} is a number; the condition takes a number", column.name),
                    ));
                }
            }
        }
        let backend = self.backend;
        let numeric = |e: &str| {
            if column.numeric {
                dialect::numeric(backend, e)
            } else {
                e.to_owned()
            }
        };
        let col = numeric(&column.expr);
        let raw = column.expr.clone();
        Ok(match c.op {
            Op::IsNull => format!("{raw} IS NULL"),
            Op::NotNull => format!("{raw} IS NOT NULL"),
            Op::Eq | Op::Ne | Op::Gt | Op::Gte | Op::Lt | Op::Lte => {
                let p = self.bind(values[0].clone());
                let p = numeric(&p);
                let sym = match c.op {
                    Op::Eq => "=",
                    Op::Ne => "<>",
                    Op::Gt => ">",
                    Op::Gte => ">=",
                    Op::Lt => "<",
                    _ => "<=",
                };
                if c.op == Op::Ne {
                    format!("({raw} IS NULL OR {col} <> {p})")
                } else {
                    format!("{col} {sym} {p}")
                }
            }
            Op::Contains => {
                let p = self.bind(values[0].clone());
                dialect::contains(backend, &format!("CAST({raw} AS TEXT)"), &p)
            }
            Op::Prefix => {
                let p = self.bind(values[0].clone());
                format!("substr(CAST({raw} AS TEXT), 1, length({p})) = {p}")
            }
            Op::Between => {
                let low = self.bind(values[0].clone());
                let high = self.bind(values[1].clone());
                format!(
                    "({col} >= {} AND {col} <= {})",
                    numeric(&low),
                    numeric(&high)
                )
            }
            Op::In => {
                let ps: Vec<String> = values
                    .into_iter()
                    .map(|v| {
                        let p = self.bind(v);
                        numeric(&p)
                    })
                    .collect();
                format!("{col} IN ({})", ps.join(", "))
            }
        })
    }

    /// A dimension's SQL: the column, or its leading characters for a bucket.
    pub(super) fn dimension(&self, d: &Dimension) -> Result<(String, &'a Column), QueryError> {
        let column = self.column(&d.field)?;
        Ok(match d.bucket {
            None => (format!("CAST({} AS TEXT)", column.expr), column),
            Some(bucket) => {
                if column.numeric {
                    return Err(invalid(
                        format!("{} 是数值字段，不能按 {:?} 分组", column.name, bucket),
                        format!("{} is a number and has no {:?} bucket", column.name, bucket),
                    ));
                }
                (
                    format!("substr({}, 1, {})", column.expr, bucket.chars()),
                    column,
                )
            }
        })
    }

    /// The SQL aggregates one measure needs: avg is computed from a sum and a count, so that
    /// totals over cells stay exact.
    pub(super) fn measure(&self, m: &Measure) -> Result<Vec<String>, QueryError> {
        let backend = self.backend;
        let column = match (&m.field, m.aggregate) {
            (None, Aggregate::Count) => return Ok(vec!["CAST(COUNT(*) AS TEXT)".to_owned()]),
            (None, _) => {
                return Err(invalid(
                    format!("{:?} 需要字段", m.aggregate),
                    format!("{:?} needs a field", m.aggregate),
                ));
            }
            (Some(f), _) => self.column(f)?,
        };
        let number = dialect::numeric(backend, &column.expr);
        let sum = match backend {
            Backend::Sqlite => format!("CAST(ROUND(SUM({number}), 4) AS TEXT)"),
            Backend::Postgres => format!("CAST(SUM({number}) AS TEXT)"),
        };
        let needs_number = matches!(m.aggregate, Aggregate::Sum | Aggregate::Avg);
        if needs_number && !column.numeric {
            return Err(invalid(
                format!("{} 不是数值字段，不能求和或平均", column.name),
                format!(
                    "{} is not a number; it cannot be summed or averaged",
                    column.name
                ),
            ));
        }
        let expr = if column.numeric {
            number
        } else {
            column.expr.clone()
        };
        Ok(match m.aggregate {
            Aggregate::Count => vec![format!("CAST(COUNT({}) AS TEXT)", column.expr)],
            Aggregate::Sum => vec![sum],
            Aggregate::Avg => vec![sum, format!("CAST(COUNT({}) AS TEXT)", column.expr)],
            Aggregate::Min => vec![format!("CAST(MIN({expr}) AS TEXT)")],
            Aggregate::Max => vec![format!("CAST(MAX({expr}) AS TEXT)")],
        })
    }

    /// The ORDER BY of a select.
    pub(super) fn order(&self, sort: &[SortKey]) -> Result<String, QueryError> {
        if sort.len() > 5 {
            return Err(invalid("最多按 5 个字段排序", "sort by at most 5 fields"));
        }
        let mut keys = Vec::new();
        for s in sort {
            let column = self.column(&s.field)?;
            let expr = if column.numeric {
                dialect::numeric(self.backend, &column.expr)
            } else {
                column.expr.clone()
            };
            let dir = if s.desc { "DESC" } else { "ASC" };
            // NULLs last in both directions on both databases.
            keys.push(format!("({} IS NULL), {expr} {dir}", column.expr));
        }
        keys.push(self.row_id().to_owned());
        Ok(keys.join(", "))
    }

    /// The column that orders rows stably.
    pub(super) fn row_id(&self) -> &'static str {
        match self.dataset.source {
            Source::Catalogue(_) => "version_id",
            Source::Workflow(w) => {
                if w.table == "fund_applications" {
                    "apply_no"
                } else {
                    "id"
                }
            }
            Source::Snapshot { .. } => "row_no",
        }
    }

    pub(super) fn finish(self, sql: String) -> Compiled {
        Compiled {
            sql,
            binds: self.binds,
        }
    }
}

/// The statement of a select page: the chosen columns of `limit` rows from `offset`.
pub fn select(
    backend: Backend,
    dataset: &Dataset,
    model: &QueryModel,
    arguments: &Arguments,
    limit: i64,
    offset: i64,
) -> Result<(Compiled, Vec<Column>), QueryError> {
    let mut b = Builder::new(backend, dataset, &model.parameters, arguments)?;
    let columns: Vec<Column> = if model.fields.is_empty() {
        dataset.columns.clone()
    } else {
        if model.fields.len() > dataset.columns.len() {
            return Err(invalid("字段重复或过多", "too many fields"));
        }
        model
            .fields
            .iter()
            .map(|f| b.column(f).cloned())
            .collect::<Result<_, _>>()?
    };
    let from = b.source_and_filter(model.filter.as_ref())?;
    let order = b.order(&model.sort)?;
    let list: Vec<String> = columns
        .iter()
        .map(|c| format!("CAST({} AS TEXT)", c.expr))
        .collect();
    let sql = format!(
        "SELECT {} {from} ORDER BY {order} LIMIT {limit} OFFSET {offset}",
        list.join(", ")
    );
    Ok((b.finish(sql), columns))
}

/// The statement counting the rows a filter selects.
pub fn count(
    backend: Backend,
    dataset: &Dataset,
    model: &QueryModel,
    arguments: &Arguments,
) -> Result<Compiled, QueryError> {
    let mut b = Builder::new(backend, dataset, &model.parameters, arguments)?;
    let from = b.source_and_filter(model.filter.as_ref())?;
    Ok(b.finish(format!("SELECT COUNT(*) {from}")))
}

/// The grouped statement behind a crosstab and a multi-dimensional query: one row per
/// combination of `dimensions`, then the measures' aggregates, at most `cap` rows (+1 to tell
/// that there were more).
pub fn grouped(
    backend: Backend,
    dataset: &Dataset,
    model: &QueryModel,
    arguments: &Arguments,
    dimensions: &[Dimension],
    cap: usize,
) -> Result<Compiled, QueryError> {
    let mut b = Builder::new(backend, dataset, &model.parameters, arguments)?;
    if model.measures.is_empty() || model.measures.len() > 4 {
        return Err(invalid("须有 1 到 4 个统计量", "give 1 to 4 measures"));
    }
    let mut select = Vec::new();
    for d in dimensions {
        select.push(b.dimension(d)?.0);
    }
    for m in &model.measures {
        select.extend(b.measure(m)?);
    }
    let from = b.source_and_filter(model.filter.as_ref())?;
    let positions: Vec<String> = (1..=dimensions.len()).map(|i| i.to_string()).collect();
    let sql = format!(
        "SELECT {} {from} GROUP BY {} ORDER BY {} LIMIT {}",
        select.join(", "),
        positions.join(", "),
        positions.join(", "),
        cap + 1
    );
    Ok(b.finish(sql))
}
