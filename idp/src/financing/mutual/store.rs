//! Rows to entities, who may see what, and the audit trail.

use super::super::error::{FinancingError, Result};
use super::lifecycle::FundActor;
use super::model::*;
use crate::accounts::Role;
use crate::accounts::caller::Caller;
use crate::db::{Reader, Tx};
use crate::{with_reader, with_tx};

pub fn not_found(apply_no: &str) -> FinancingError {
    FinancingError::NotFound(format!("互助基金申请 / mutual fund application {apply_no}"))
}

/// One application; in a transaction its row stays locked until the transaction ends.
pub async fn find_application<'r>(
    from: impl Into<Reader<'r>>,
    apply_no: &str,
) -> Result<FundApplication> {
    let reader = from.into();
    let sql = format!(
        "SELECT {COLUMNS} FROM fund_applications WHERE apply_no = $1{}",
        reader.lock_clause()
    );
    let found = with_reader!(reader, exec => {
        sqlx::query_as::<_, FundApplication>(&sql).bind(apply_no).fetch_optional(exec).await?
    });
    found.ok_or_else(|| not_found(apply_no))
}

pub const MEMBER_COLUMNS: &str = "join_no, enterprise_org_id, join_year, join_amount_fen, company_name, company_code, company_address, company_link_name, company_link_mobile, active, created_at";

pub async fn find_member<'r>(from: impl Into<Reader<'r>>, join_no: &str) -> Result<Member> {
    let sql = format!("SELECT {MEMBER_COLUMNS} FROM fund_members WHERE join_no = $1");
    let found = with_reader!(from.into(), exec => {
        sqlx::query_as::<_, Member>(&sql).bind(join_no).fetch_optional(exec).await?
    });
    found.ok_or_else(|| FinancingError::NotFound(format!("入社编号 / membership {join_no}")))
}

/// Documents on file, every version, oldest first.
pub async fn documents<'r>(
    from: impl Into<Reader<'r>>,
    apply_no: &str,
) -> Result<Vec<FundDocument>> {
    Ok(with_reader!(from.into(), exec => {
        sqlx::query_as::<_, FundDocument>("SELECT id, apply_no, kind, version, name, content_type, size_bytes, sha256, at FROM fund_documents WHERE apply_no = $1 ORDER BY kind, version LIMIT 200")
            .bind(apply_no).fetch_all(exec).await?
    }))
}

/// The caller's part in an application, or "not found" when they have none.
pub fn actor(caller: &Caller, a: &FundApplication) -> Result<FundActor> {
    if caller.is_staff() {
        Ok(FundActor::Staff)
    } else if caller.has_role(Role::FundManager) {
        Ok(FundActor::FundManager)
    } else if caller.has_role(Role::Enterprise) && caller.belongs_to(&a.enterprise_org_id) {
        Ok(FundActor::Enterprise)
    } else {
        Err(not_found(&a.apply_no))
    }
}

/// Staff and fund managers see the whole fund; an enterprise its own organisation's part.
pub fn sees_all(caller: &Caller) -> bool {
    caller.is_staff() || caller.has_role(Role::FundManager)
}

/// The organisation whose part an enterprise caller sees, or why they see nothing.
pub fn own_org(caller: &Caller) -> Result<Option<String>> {
    if sees_all(caller) {
        return Ok(None);
    }
    match (&caller.organisation_id, caller.has_role(Role::Enterprise)) {
        (Some(org), true) => Ok(Some(org.clone())),
        _ => Err(FinancingError::Forbidden(
            "互助基金由入社企业、基金管理人员和平台工作人员办理 / the mutual fund is for member enterprises, fund managers and staff".into(),
        )),
    }
}

pub fn managing(caller: &Caller) -> Result<()> {
    if sees_all(caller) {
        Ok(())
    } else {
        Err(FinancingError::Forbidden(
            "仅基金管理人员和平台工作人员 / fund managers and staff only".into(),
        ))
    }
}

pub struct Audit<'a> {
    pub apply_no: &'a str,
    pub actor: &'a str,
    pub action: &'a str,
    pub from: Option<&'a str>,
    pub to: Option<&'a str>,
    pub note: Option<&'a str>,
}

pub async fn audit(tx: &mut Tx, e: Audit<'_>, now: i64) -> Result<()> {
    metrics::counter!(crate::metrics::PLATFORM_TRANSITIONS, "platform" => "financing", "action" => format!("fund.{}", e.action))
        .increment(1);
    with_tx!(tx, conn => {
        sqlx::query("INSERT INTO fund_audit (apply_no, actor, action, from_state, to_state, note, at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(e.apply_no).bind(e.actor).bind(e.action).bind(e.from).bind(e.to).bind(e.note).bind(now)
            .execute(&mut *conn).await?;
    });
    Ok(())
}

pub async fn audit_trail<'r>(
    from: impl Into<Reader<'r>>,
    apply_no: &str,
) -> Result<Vec<FundAuditEntry>> {
    Ok(with_reader!(from.into(), exec => {
        sqlx::query_as::<_, FundAuditEntry>("SELECT actor, action, from_state, to_state, note, at FROM fund_audit WHERE apply_no = $1 ORDER BY seq LIMIT 500")
            .bind(apply_no).fetch_all(exec).await?
    }))
}

pub async fn repayments<'r>(from: impl Into<Reader<'r>>, apply_no: &str) -> Result<Vec<Repayment>> {
    Ok(with_reader!(from.into(), exec => {
        sqlx::query_as::<_, Repayment>("SELECT repay_no, apply_no, amount_fen, repay_date, fee_fen, interest_fen, principal_fen, entry_no, at FROM fund_repayments WHERE apply_no = $1 ORDER BY at, repay_no LIMIT 500")
            .bind(apply_no).fetch_all(exec).await?
    }))
}

/// Writes the application's changed columns (all the mutable ones).
pub async fn save(tx: &mut Tx, a: &FundApplication, now: i64) -> Result<()> {
    with_tx!(tx, conn => {
        sqlx::query("UPDATE fund_applications SET state = $2, amount_fen = $3, months = $4, loan_for = $5, loan_bank = $6, account_name = $7, account_bank = $8, account_no = $9, enlarge_multiples = $10, floating_percent = $11, monthly_rate = $12, loan_date = $13, last_repay_date = $14, real_repay_date = $15, handling_fee_fen = $16, interest_fen = $17, due_at = $18, principal_repaid_fen = $19, interest_repaid_fen = $20, fee_repaid_fen = $21, contract_no = $22, disbursed_at = $23, disbursed_month = $24, settled_at = $25, reminded_before_at = $26, reminded_due_at = $27, feedback = $28, record = $29, submitted_at = $30, updated_at = $31 WHERE apply_no = $1")
            .bind(&a.apply_no).bind(a.state().as_str()).bind(a.amount_fen).bind(a.months).bind(&a.loan_for)
            .bind(&a.loan_bank).bind(&a.account_name).bind(&a.account_bank).bind(&a.account_no)
            .bind(a.enlarge_multiples).bind(&a.floating_percent).bind(&a.monthly_rate).bind(&a.loan_date)
            .bind(&a.last_repay_date).bind(&a.real_repay_date).bind(a.handling_fee_fen).bind(a.interest_fen)
            .bind(a.due_at).bind(a.principal_repaid_fen).bind(a.interest_repaid_fen).bind(a.fee_repaid_fen)
            .bind(&a.contract_no).bind(a.disbursed_at)
            .bind(a.disbursed_at.map(|t| crate::clock::shanghai_date(t)[..7].to_owned()))
            .bind(a.settled_at).bind(a.reminded_before_at).bind(a.reminded_due_at).bind(&a.feedback)
            .bind(super::records::application(a).to_string()).bind(a.submitted_at).bind(now)
            .execute(&mut *conn).await?;
    });
    Ok(())
}
