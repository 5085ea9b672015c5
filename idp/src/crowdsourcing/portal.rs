//! The portal (统一门户): listed demands, newest first, with the filters people search by;
//! and the one way a page of demands is read, which a provider's matching demands share.

use super::access::{admits, region_prefixes};
use super::demands::shown;
use super::error::Result;
use super::lifecycle::{DemandFacts, Mode};
use super::model::*;
use super::service::Service;
use super::store::*;
use crate::accounts::caller::Caller;
use crate::db::Db;
use crate::payments::money::wan_to_fen;
use crate::with_pool;

use super::demand_input::invalid;

impl Service {
    /// 统一门户: listed demands, newest first, with filters; at most 100 a page.
    pub async fn list_demands(
        &self,
        db: &Db,
        caller: &Caller,
        filter: &DemandFilter,
        now: i64,
    ) -> Result<Vec<DemandView>> {
        let demands = query_demands(db, filter, caller, now).await?;
        let none = DemandFacts::default();
        Ok(demands
            .into_iter()
            .map(|d| shown(d, caller, &none, 0, None))
            .collect())
    }
}

/// The portal's filters.
#[derive(Debug, Default, Clone, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DemandFilter {
    /// A service class code.
    pub class: Option<String>,
    /// A 6-digit division code: demands open to providers there.
    pub region: Option<String>,
    /// An industry code (prefix of the demand's industry).
    pub industry: Option<String>,
    /// The least fee, 万元.
    pub fee_min: Option<String>,
    /// The greatest fee, 万元.
    pub fee_max: Option<String>,
    /// `reward`, `tender` or `direct`.
    pub mode: Option<Mode>,
    /// `true`: the caller's own demands, in every state.
    pub mine: Option<bool>,
    /// At most 100 (default 20).
    pub limit: Option<i64>,
    /// Skip this many (at most 10,000).
    pub offset: Option<i64>,
}

async fn query_demands(
    db: &Db,
    f: &DemandFilter,
    caller: &Caller,
    now: i64,
) -> Result<Vec<Demand>> {
    let mut clauses: Vec<String> = Vec::new();
    let mut binds: Vec<BindValue> = Vec::new();
    let next = |v: BindValue, binds: &mut Vec<BindValue>| {
        binds.push(v);
        format!("${}", binds.len())
    };
    if f.mine == Some(true) {
        let org = caller.organisation_id.clone().unwrap_or_default();
        let p = next(BindValue::Text(org), &mut binds);
        clauses.push(format!("d.organisation_id = {p}"));
    } else {
        clauses.push("d.state = 'listed'".into());
        let p = next(BindValue::Int(now), &mut binds);
        clauses.push(format!("d.expires_at > {p}"));
    }
    if let Some(class) = f.class.as_deref().filter(|c| !c.is_empty()) {
        let p = next(BindValue::Text(class.to_owned()), &mut binds);
        clauses.push(format!("d.service_class = {p}"));
    }
    if let Some(mode) = f.mode {
        let p = next(BindValue::Text(mode.as_str().to_owned()), &mut binds);
        clauses.push(format!("d.mode = {p}"));
    }
    if let Some(industry) = f.industry.as_deref().filter(|c| !c.is_empty()) {
        if industry.len() > 8 || !industry.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(invalid("行业代码无效", "industry is not an industry code"));
        }
        let p = next(BindValue::Text(format!("{industry}%")), &mut binds);
        clauses.push(format!("d.industry_code LIKE {p}"));
    }
    for (text, op) in [(&f.fee_min, ">="), (&f.fee_max, "<=")] {
        if let Some(text) = text.as_deref().filter(|t| !t.is_empty()) {
            let fen = wan_to_fen(text)
                .ok_or_else(|| invalid("金额须为万元数", "fees are amounts in 万元"))?;
            let p = next(BindValue::Int(fen), &mut binds);
            clauses.push(format!("d.fee_fen {op} {p}"));
        }
    }
    if let Some(region) = f.region.as_deref().filter(|r| !r.is_empty()) {
        if region.len() != 6 || !region.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid(
                "区域须为 6 位行政区划代码",
                "region is a 6-digit division code",
            ));
        }
        let prefixes: Vec<String> = region_prefixes(region);
        let (clause, patterns) = admits("d.region_keys", &prefixes, binds.len() + 1);
        for p in patterns {
            next(BindValue::Text(p), &mut binds);
        }
        clauses.push(clause);
    }
    let limit = f.limit.unwrap_or(20).clamp(1, 100);
    let offset = f.offset.unwrap_or(0).clamp(0, 10_000);
    let order = if f.mine == Some(true) {
        "d.created_at DESC, d.id DESC"
    } else {
        "d.listed_at DESC, d.id DESC"
    };
    let tail = format!(
        "FROM cs_demands d WHERE {} ORDER BY {order} LIMIT {limit} OFFSET {offset}",
        clauses.join(" AND ")
    );
    fetch_page(db, &tail, &binds).await
}

/// A page of demands: `tail` is the query after its column list (`FROM cs_demands d WHERE …
/// ORDER BY … LIMIT …`). PostgreSQL finds the page's ids by an index-only scan and then reads
/// those rows; SQLite reads them in one statement, its index scan deferring each row's read
/// until a row passes the filters.
pub(super) async fn fetch_page(db: &Db, tail: &str, binds: &[BindValue]) -> Result<Vec<Demand>> {
    match db {
        Db::Sqlite(..) => {
            let columns = DEMAND_COLUMNS
                .split(", ")
                .map(|c| format!("d.{c}"))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!("SELECT {columns} {tail}");
            Ok(with_pool!(db, pool => {
                let mut q = sqlx::query_as::<_, Demand>(&sql);
                for b in binds {
                    q = match b {
                        BindValue::Text(t) => q.bind(t.clone()),
                        BindValue::Int(i) => q.bind(*i),
                    };
                }
                q.fetch_all(pool).await?
            }))
        }
        Db::Postgres(_) => {
            let sql = format!("SELECT d.id {tail}");
            let ids: Vec<String> = with_pool!(db, pool => {
                let mut q = sqlx::query_scalar::<_, String>(&sql);
                for b in binds {
                    q = match b {
                        BindValue::Text(t) => q.bind(t.clone()),
                        BindValue::Int(i) => q.bind(*i),
                    };
                }
                q.fetch_all(pool).await?
            });
            demands_in_order(db, &ids).await
        }
    }
}

/// The demands of `ids`, in that order.
async fn demands_in_order(db: &Db, ids: &[String]) -> Result<Vec<Demand>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders = (1..=ids.len())
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!("SELECT {DEMAND_COLUMNS} FROM cs_demands WHERE id IN ({placeholders})");
    let mut rows = with_pool!(db, pool => {
        let mut q = sqlx::query_as::<_, Demand>(&sql);
        for id in ids {
            q = q.bind(id);
        }
        q.fetch_all(pool).await?
    });
    rows.sort_by_key(|d| ids.iter().position(|id| *id == d.id));
    Ok(rows)
}

pub(super) enum BindValue {
    Text(String),
    Int(i64),
}
