//! The mutual fund's catalogue records: 入社 (6.4.1), 基金申请 (6.4.2) and 还款记录 (6.4.3),
//! written with source `workflow` in the step's transaction and checked there by the
//! catalogue's rules (a refusal drops the step). Amounts as the seed writes them: JOIN_AMOUNT
//! and APPLY_AMOUNT in 万元, HANDLING_FEE, INTEREST and REPAY_AMOUNT in 元.

use serde_json::{Value, json};

use super::super::error::{FinancingError, Result};
use super::model::{FundApplication, Member, Repayment};
use crate::catalogue::reporting::{WorkflowRefusal, write_workflow};
use crate::db::Tx;
use crate::payments::money::{fen_to_wan, fen_to_yuan};

pub fn membership(m: &Member) -> Value {
    let mut v = json!({
        "JOIN_NO": m.join_no,
        "JOIN_YEAR": m.join_year,
        "JOIN_AMOUNT": fen_to_wan(m.join_amount_fen),
        "COMPANY_NAME": m.company_name,
    });
    for (k, val) in [
        ("COMPANY_CODE", &m.company_code),
        ("COMPANY_ADDRESS", &m.company_address),
        ("COMPANY_LINK_NAME", &m.company_link_name),
        ("COMPANY_LINK_MOBILE", &m.company_link_mobile),
    ] {
        if let Some(val) = val.as_deref().filter(|s| !s.trim().is_empty()) {
            v[k] = json!(val);
        }
    }
    v
}

pub fn application(a: &FundApplication) -> Value {
    let mut v = json!({
        "APPLY_NO": a.apply_no,
        "JOIN_NO": a.join_no,
        "APPLY_TIME": a.apply_time,
        "APPLY_AMOUNT": fen_to_wan(a.amount_fen),
        "LOAN_FOR": a.loan_for,
    });
    let mut set = |k: &str, val: Option<Value>| {
        if let Some(val) = val {
            v[k] = val;
        }
    };
    set("LOAN_BANK", a.loan_bank.clone().map(Value::from));
    set("ENLARGE_MULTIPLES", a.enlarge_multiples.map(Value::from));
    set(
        "FLOATING_MULTIPLES",
        a.floating_percent.clone().map(Value::from),
    );
    set("MONTHLY_RATE", a.monthly_rate.clone().map(Value::from));
    set("LOAN_DATE", a.loan_date.clone().map(Value::from));
    set(
        "LAST_REPAY_DATE",
        a.last_repay_date.clone().map(Value::from),
    );
    set(
        "REAL_REPAY_DATE",
        a.real_repay_date.clone().map(Value::from),
    );
    set(
        "HANDLING_FEE",
        a.handling_fee_fen.map(|f| Value::from(fen_to_yuan(f))),
    );
    set(
        "INTEREST",
        a.interest_fen.map(|f| Value::from(fen_to_yuan(f))),
    );
    v
}

pub fn repayment(r: &Repayment) -> Value {
    json!({
        "REPAY_NO": r.repay_no,
        "APPLY_NO": r.apply_no,
        "REPAY_AMOUNT": fen_to_yuan(r.amount_fen),
        "REPAY_DATE": r.repay_date,
    })
}

/// Writes `records` for the enterprise `org_id`.
pub async fn write(
    tx: &mut Tx,
    records: Vec<(&'static str, Value)>,
    org_id: &str,
    user_id: &str,
    now: i64,
) -> Result<()> {
    write_workflow(tx, "financing", records, org_id, user_id, now)
        .await
        .map_err(|refusal| match refusal {
            WorkflowRefusal::Fields(errors) => FinancingError::InvalidFields(errors),
            WorkflowRefusal::Db(e) => FinancingError::Db(e),
        })
}
