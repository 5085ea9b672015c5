//! The filter, sort and page parameters of `GET /api/catalogue/{type}` and its export, turned
//! into a [`Select`]. Field names are the element names; operators follow a dot:
//! `ORG_NAME=…` (equal), `ORG_NAME.contains=…`, `ORG_NAME.prefix=…`, `CROWD_AMOUNT.gte=10`,
//! `OPENED_TIME.lte=2020-12`, `ORG_PROPERTY.in=1,2`; `sort=-CROWD_AMOUNT`; `limit`, `cursor`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

use super::spec::{Kind, RecordType};
use super::store::{Bind, Select};
use super::validate::resolve_field;
use crate::db::Backend;
use crate::db::dialect;

pub const DEFAULT_LIMIT: i64 = 100;
pub const MAX_LIMIT: i64 = 1000;

/// Whose records a reader sees.
#[derive(Debug, Clone)]
pub enum Visibility {
    /// Administrators see every organisation's records, optionally narrowed to one.
    All { organisation: Option<String> },
    /// Everyone else sees what their organisation (or the platform's account) reported.
    Own(Option<String>),
}

/// Where the previous page ended.
#[derive(Debug, Serialize, Deserialize)]
pub struct Cursor {
    #[serde(rename = "v", skip_serializing_if = "Option::is_none")]
    pub sort_value: Option<String>,
    #[serde(rename = "i")]
    pub version_id: i64,
}

impl Cursor {
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default())
    }

    fn decode(text: &str) -> Option<Cursor> {
        let bytes = URL_SAFE_NO_PAD.decode(text).ok()?;
        serde_json::from_slice(&bytes).ok()
    }
}

/// A parameter the query cannot use, with the reason in both languages.
#[derive(Debug, thiserror::Error)]
#[error("{zh} {en}")]
pub struct QueryError {
    pub zh: String,
    pub en: String,
}

/// Values one `.in` filter may list: enough for any screen or job, few enough that one
/// request cannot make a statement the database takes seconds to plan (or refuses).
pub const MAX_IN_VALUES: usize = 1_000;
/// Filters one query may combine.
pub const MAX_FILTERS: usize = 50;

fn bad(zh: impl Into<String>, en: impl Into<String>) -> QueryError {
    QueryError {
        zh: zh.into(),
        en: en.into(),
    }
}

/// Parameters that are not filters.
const RESERVED: &[&str] = &[
    "sort",
    "limit",
    "cursor",
    "organisation",
    "format",
    "titles",
    "lang",
];

/// Builds the select for a page. `limit` is ignored by exports, which page by themselves.
pub fn build(
    backend: Backend,
    t: &RecordType,
    params: &[(String, String)],
    visibility: &Visibility,
) -> Result<(Select, Option<usize>), QueryError> {
    let mut conditions = Vec::new();
    let mut binds: Vec<Bind> = Vec::new();
    let push = |b: Bind, binds: &mut Vec<Bind>| -> String {
        binds.push(b);
        format!("${}", binds.len())
    };
    match visibility {
        Visibility::All { organisation: None } => {}
        Visibility::All {
            organisation: Some(org),
        }
        | Visibility::Own(Some(org)) => {
            let p = push(Bind::Text(org.clone()), &mut binds);
            conditions.push(format!("organisation_id = {p}"));
        }
        Visibility::Own(None) => conditions.push("organisation_id IS NULL".to_owned()),
    }
    let mut limit = DEFAULT_LIMIT;
    let mut sort: Option<(usize, bool)> = None;
    let mut cursor: Option<Cursor> = None;
    let filters = params
        .iter()
        .filter(|(n, _)| !RESERVED.contains(&n.as_str()))
        .count();
    if filters > MAX_FILTERS {
        return Err(bad(
            format!("一次查询最多 {MAX_FILTERS} 个筛选条件，收到 {filters} 个"),
            format!("a query takes at most {MAX_FILTERS} filters, got {filters}"),
        ));
    }
    for (name, value) in params {
        match name.as_str() {
            "limit" => {
                limit = value
                    .parse::<i64>()
                    .ok()
                    .filter(|l| (1..=MAX_LIMIT).contains(l))
                    .ok_or_else(|| {
                        bad(
                            format!("limit 应为 1 到 {MAX_LIMIT} 之间的整数"),
                            format!("limit must be a whole number from 1 to {MAX_LIMIT}"),
                        )
                    })?;
            }
            "sort" => {
                let (desc, field) = match value.strip_prefix('-') {
                    Some(f) => (true, f),
                    None => (false, value.as_str()),
                };
                let i = resolve_field(t, field).ok_or_else(|| unknown(t, field))?;
                sort = Some((i, desc));
            }
            "cursor" => {
                cursor = Some(Cursor::decode(value).ok_or_else(|| {
                    bad(
                        "cursor 无效，请使用上一页返回的值",
                        "the cursor is not one this server gave",
                    )
                })?);
            }
            n if RESERVED.contains(&n) => {}
            _ => {
                let (field_name, op) = name.rsplit_once('.').unwrap_or((name.as_str(), "eq"));
                let i = resolve_field(t, field_name).ok_or_else(|| unknown(t, field_name))?;
                let field = &t.fields[i];
                let column = format!("\"{}\"", field.column());
                let numeric = field.kind.is_numeric();
                let check_number = |v: &str| -> Result<(), QueryError> {
                    if v.parse::<f64>().is_ok() {
                        Ok(())
                    } else {
                        Err(bad(
                            format!("{} 的筛选值应为数字", field.name),
                            format!("the filter on {} takes a number", field.name),
                        ))
                    }
                };
                let condition = match op {
                    "eq" => {
                        let p = push(Bind::Text(value.clone()), &mut binds);
                        format!("{column} = {p}")
                    }
                    "contains" => {
                        let p = push(Bind::Text(value.clone()), &mut binds);
                        dialect::contains(backend, &column, &p)
                    }
                    "prefix" => {
                        let p = push(Bind::Text(value.clone()), &mut binds);
                        format!("substr({column}, 1, length({p})) = {p}")
                    }
                    "gte" | "lte" | "gt" | "lt" => {
                        let sym = match op {
                            "gte" => ">=",
                            "lte" => "<=",
                            "gt" => ">",
                            _ => "<",
                        };
                        if numeric {
                            check_number(value)?;
                            let p = push(Bind::Text(value.clone()), &mut binds);
                            format!(
                                "{} {sym} {}",
                                dialect::numeric(backend, &column),
                                dialect::numeric(backend, &p)
                            )
                        } else {
                            let p = push(Bind::Text(value.clone()), &mut binds);
                            format!("{column} {sym} {p}")
                        }
                    }
                    "in" => {
                        let parts: Vec<&str> = value
                            .split(',')
                            .map(str::trim)
                            .filter(|p| !p.is_empty())
                            .take(MAX_IN_VALUES + 1)
                            .collect();
                        if parts.len() > MAX_IN_VALUES {
                            return Err(bad(
                                format!("{}.in 最多 {MAX_IN_VALUES} 个值", field.name),
                                format!("{}.in takes at most {MAX_IN_VALUES} values", field.name),
                            ));
                        }
                        let mut ps = Vec::new();
                        for part in parts {
                            ps.push(push(Bind::Text(part.to_owned()), &mut binds));
                        }
                        if ps.is_empty() {
                            return Err(bad(
                                format!("{}.in 至少需要一个值", field.name),
                                format!("{}.in needs at least one value", field.name),
                            ));
                        }
                        if matches!(field.kind, Kind::MultiEnum(_)) {
                            // Any of the given codes among the stored ones.
                            let hay = format!("';' || {column} || ';'");
                            let any: Vec<String> = ps
                                .iter()
                                .map(|p| {
                                    dialect::contains(backend, &hay, &format!("';' || {p} || ';'"))
                                })
                                .collect();
                            format!("({})", any.join(" OR "))
                        } else {
                            format!("{column} IN ({})", ps.join(", "))
                        }
                    }
                    "exists" => match value.as_str() {
                        "true" | "1" => format!("{column} IS NOT NULL"),
                        "false" | "0" => format!("{column} IS NULL"),
                        _ => {
                            return Err(bad(
                                "exists 的值应为 true 或 false",
                                "exists takes true or false",
                            ));
                        }
                    },
                    other => {
                        return Err(bad(
                            format!(
                                "不支持的筛选方式 {other}（可用 contains、prefix、gte、lte、gt、lt、in、exists）"
                            ),
                            format!(
                                "unknown filter operator {other} (use contains, prefix, gte, lte, gt, lt, in, exists)"
                            ),
                        ));
                    }
                };
                conditions.push(condition);
            }
        }
    }
    let sort_expr = sort.map(|(i, desc)| {
        let column = format!("\"{}\"", t.fields[i].column());
        let expr = if t.fields[i].kind.is_numeric() {
            format!("COALESCE({}, -1e30)", dialect::numeric(backend, &column))
        } else {
            format!("COALESCE({column}, '')")
        };
        (expr, desc)
    });
    if let Some(c) = cursor {
        match (&sort_expr, c.sort_value) {
            (Some((expr, desc)), Some(v)) => {
                let numeric = sort.is_some_and(|(i, _)| t.fields[i].kind.is_numeric());
                let p = push(Bind::Text(v), &mut binds);
                let value = if numeric {
                    dialect::numeric(backend, &p)
                } else {
                    p
                };
                let id = push(Bind::Int(c.version_id), &mut binds);
                let (gt, _) = if *desc { ("<", ()) } else { (">", ()) };
                conditions.push(format!(
                    "({expr} {gt} {value} OR ({expr} = {value} AND version_id {gt} {id}))"
                ));
            }
            (None, _) => {
                let id = push(Bind::Int(c.version_id), &mut binds);
                conditions.push(format!("version_id > {id}"));
            }
            (Some(_), None) => {
                return Err(bad(
                    "cursor 与排序方式不一致",
                    "the cursor belongs to a different sort order",
                ));
            }
        }
    }
    Ok((
        Select {
            conditions,
            binds,
            sort: sort_expr,
            limit,
        },
        sort.map(|(i, _)| i),
    ))
}

fn unknown(t: &RecordType, field: &str) -> QueryError {
    bad(
        format!("“{}”没有字段 {field}", t.name_zh),
        format!("{} records have no field {field}", t.name_en),
    )
}
