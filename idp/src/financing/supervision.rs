//! 监管: the bridge supervision table exactly as the seed lists it (each enterprise's lending
//! bank, the maturing loan, its due date, the renewal, the bridge applied for, the self-raised
//! funds) with its detail view, and each leasing subsidy's use per enterprise.

use serde::Serialize;
use utoipa::ToSchema;

use super::access::{Scope, actor, scope};
use super::error::Result;
use super::lifecycle::State;
use super::service::Service;
use super::store::*;
use crate::accounts::caller::Caller;
use crate::db::Db;
use crate::with_pool;

/// Rows per page of the supervision table.
pub const PAGE: i64 = 50;
/// The deepest page offered (a search narrows further).
pub const MAX_OFFSET: i64 = 10_000;

/// A row of the bridge supervision table (转贷平台监管功能).
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
#[schema(as = FinancingBridgeSupervisionRow)]
pub struct BridgeRow {
    pub id: String,
    /// 企业.
    pub comp_name: String,
    /// 贷款银行.
    pub bank_name: Option<String>,
    /// 到期贷款金额, fen.
    pub maturing_fen: Option<i64>,
    /// 贷款到期日.
    pub loan_due_date: Option<String>,
    /// 续贷金额, fen.
    pub renewal_fen: Option<i64>,
    /// 转贷资金申请额度, fen.
    pub amount_fen: i64,
    /// 自筹还贷资金额, fen.
    pub self_raised_fen: Option<i64>,
    pub state: String,
}

/// The detail view: the enterprise, the lender, the loan and the bridge.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = FinancingBridgeDetail)]
pub struct BridgeDetail {
    pub id: String,
    pub state: State,
    pub state_label: &'static str,
    /// The enterprise's basic information as its 6.1 record gives it.
    pub enterprise: serde_json::Value,
    /// 贷款机构名称.
    pub lender: Option<String>,
    /// 贷款金额 (the maturing loan), fen.
    pub loan_fen: Option<i64>,
    /// 主要用途.
    pub purpose: Option<String>,
    /// 贷款期限, months.
    pub term_months: Option<i64>,
    /// 贷款利息 as the contract states it.
    pub interest: Option<String>,
    /// 归还日期: when the bridge came back, else when it is due.
    pub return_date: Option<String>,
    pub disbursed_fen: Option<i64>,
    pub fee_fen: Option<i64>,
    pub used_days: Option<i64>,
}

/// A leasing subsidy and its use (融资租赁补贴监管).
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
#[schema(as = FinancingLeasingSupervisionRow)]
pub struct LeasingRow {
    pub id: String,
    pub enterprise_org_id: String,
    pub comp_name: String,
    pub business: String,
    pub state: String,
    /// The total lease amount, fen.
    pub amount_fen: i64,
    pub subsidy_fen: Option<i64>,
    pub subsidy_year: Option<i64>,
    pub paid_at: Option<i64>,
    pub devices: i64,
}

/// One page of the bridge table.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = FinancingBridgeSupervision)]
pub struct BridgePage {
    pub rows: Vec<BridgeRow>,
    pub offset: i64,
    pub next_offset: Option<i64>,
}

const ENTERPRISE_FIELDS: &[&str] = &[
    "Comp_name",
    "Credit_code",
    "Regiest_address",
    "Comp_address",
    "Capital",
    "Comp_major",
    "Comp_legal_name",
    "Legal_phone",
    "Link_name",
    "Link_phone",
    "Last_year_acount",
    "Debt_ratio",
    "Last_year_income",
    "Last_year_profit",
];

impl Service {
    /// A page of the bridge supervision table, newest applications first (drafts are not yet
    /// applications). Banks see their own; enterprises theirs.
    pub async fn bridge_supervision(
        &self,
        db: &Db,
        caller: &Caller,
        search: Option<&str>,
        offset: i64,
    ) -> Result<BridgePage> {
        let scope = scope(caller)?;
        let offset = offset.clamp(0, MAX_OFFSET);
        let (condition, param) = match &scope {
            Scope::All => ("", None),
            Scope::Bank(o) => (" AND a.bank_org_id = $2", Some(o.as_str())),
            Scope::Insurer(o) => (" AND a.insurer_org_id = $2", Some(o.as_str())),
            Scope::Enterprise(o) => (" AND a.enterprise_org_id = $2", Some(o.as_str())),
        };
        let search = search
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| s.chars().take(50).collect::<String>());
        let search_sql = if search.is_some() {
            if param.is_some() {
                " AND a.comp_name LIKE $3"
            } else {
                " AND a.comp_name LIKE $2"
            }
        } else {
            ""
        };
        // The page's ids come from the listing index alone (it carries the state and the name
        // the filters read), then only those rows are read: a search that matches few of
        // 200,000 bridges walks index entries, not rows.
        let sql = format!(
            "SELECT a.id, a.comp_name, o.name AS bank_name, a.maturing_fen, a.loan_due_date, a.renewal_fen, a.amount_fen, a.self_raised_fen, a.state FROM (SELECT a.id FROM fin_applications a WHERE a.product = 'bridge' AND a.state <> $1{condition}{search_sql} ORDER BY a.created_at DESC, a.id DESC LIMIT {} OFFSET {offset}) page JOIN fin_applications a ON a.id = page.id LEFT JOIN organisations o ON o.id = a.bank_org_id ORDER BY a.created_at DESC, a.id DESC",
            PAGE + 1
        );
        let mut rows = with_pool!(db, pool => {
            let mut q = sqlx::query_as::<_, BridgeRow>(&sql).bind("draft");
            if let Some(p) = param { q = q.bind(p); }
            if let Some(s) = &search { q = q.bind(format!("%{}%", s.replace(['%', '_'], ""))); }
            q.fetch_all(pool).await?
        });
        let more = rows.len() as i64 > PAGE;
        rows.truncate(PAGE as usize);
        Ok(BridgePage {
            rows,
            offset,
            next_offset: more.then_some(offset + PAGE).filter(|o| *o <= MAX_OFFSET),
        })
    }

    /// The detail view of one bridge.
    pub async fn bridge_detail(&self, db: &Db, caller: &Caller, id: &str) -> Result<BridgeDetail> {
        let a = find_application(db, id).await?;
        actor(caller, &a)?;
        if a.product != super::Product::Bridge {
            return Err(not_found(id));
        }
        let record: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&a.record).unwrap_or_default();
        let enterprise = ENTERPRISE_FIELDS
            .iter()
            .filter_map(|f| record.get(*f).map(|v| ((*f).to_owned(), v.clone())))
            .collect();
        let lender = match &a.bank_org_id {
            Some(b) => organisation(db, b).await?.map(|o| o.0),
            None => None,
        };
        Ok(BridgeDetail {
            id: a.id,
            state: a.state,
            state_label: a.state.label_zh(),
            enterprise: serde_json::Value::Object(enterprise),
            lender,
            loan_fen: a.maturing_fen,
            purpose: a.loan_purpose,
            term_months: a.loan_term_months,
            interest: a.loan_rate,
            return_date: a.recovered_at.or(a.due_at).map(super::records::china_date),
            disbursed_fen: a.disbursed_fen,
            fee_fen: a.fee_fen,
            used_days: a.used_days,
        })
    }

    /// Each leasing subsidy with its use, grouped by enterprise.
    pub async fn leasing_supervision(&self, db: &Db, caller: &Caller) -> Result<Vec<LeasingRow>> {
        let scope = scope(caller)?;
        let (condition, param) = scope.filter();
        let sql = format!(
            "SELECT a.id, a.enterprise_org_id, a.comp_name, a.business, a.state, a.amount_fen, a.subsidy_fen, a.subsidy_year, a.paid_at, (SELECT COUNT(*) FROM fin_devices d WHERE d.application_id = a.id) AS devices FROM fin_applications a WHERE a.product = 'leasing' AND a.state <> 'draft' AND {} ORDER BY a.comp_name, a.created_at DESC LIMIT 500",
            condition
                .replace("bank_org_id", "a.bank_org_id")
                .replace("insurer_org_id", "a.insurer_org_id")
                .replace("enterprise_org_id", "a.enterprise_org_id")
        );
        Ok(with_pool!(db, pool => {
            let mut q = sqlx::query_as::<_, LeasingRow>(&sql);
            if let Some(p) = param { q = q.bind(p); }
            q.fetch_all(pool).await?
        }))
    }
}
