//! The mutual fund's entities as stored and as answered.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::lifecycle::{FundAction, FundState};
use super::terms::Instalment;

/// 入社信息 (6.4.1).
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Member {
    pub join_no: String,
    pub enterprise_org_id: String,
    pub join_year: i64,
    pub join_amount_fen: i64,
    pub company_name: String,
    pub company_code: Option<String>,
    pub company_address: Option<String>,
    pub company_link_name: Option<String>,
    pub company_link_mobile: Option<String>,
    #[serde(serialize_with = "as_bool")]
    #[schema(value_type = bool)]
    pub active: i64,
    pub created_at: i64,
}

fn as_bool<S: serde::Serializer>(v: &i64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_bool(*v != 0)
}

/// A new membership: the enterprise and 6.4.1's fields (JOIN_AMOUNT in 万元).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberInput {
    pub enterprise_org_id: String,
    /// JOIN_YEAR; this year when absent.
    pub join_year: Option<i64>,
    /// JOIN_AMOUNT, 万元 (`"50.00"`).
    pub join_amount: String,
    pub company_name: Option<String>,
    pub company_code: Option<String>,
    pub company_address: Option<String>,
    pub company_link_name: Option<String>,
    pub company_link_mobile: Option<String>,
}

/// One application (6.4.2) and its loan.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FundApplication {
    pub apply_no: String,
    pub join_no: String,
    pub enterprise_org_id: String,
    pub applicant_user_id: String,
    pub apply_time: i64,
    #[sqlx(try_from = "String")]
    pub state: StateColumn,
    pub amount_fen: i64,
    pub months: i64,
    pub loan_for: String,
    pub loan_bank: Option<String>,
    pub account_name: String,
    pub account_bank: String,
    pub account_no: String,
    pub enlarge_multiples: Option<i64>,
    pub floating_percent: Option<String>,
    pub monthly_rate: Option<String>,
    pub loan_date: Option<String>,
    pub last_repay_date: Option<String>,
    pub real_repay_date: Option<String>,
    pub handling_fee_fen: Option<i64>,
    pub interest_fen: Option<i64>,
    pub due_at: Option<i64>,
    pub principal_repaid_fen: i64,
    pub interest_repaid_fen: i64,
    pub fee_repaid_fen: i64,
    pub contract_no: Option<String>,
    pub disbursed_at: Option<i64>,
    pub settled_at: Option<i64>,
    pub reminded_before_at: Option<i64>,
    pub reminded_due_at: Option<i64>,
    pub feedback: Option<String>,
    pub submitted_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A state read from its column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StateColumn(pub FundState);

impl TryFrom<String> for StateColumn {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        FundState::parse(&s)
            .map(StateColumn)
            .ok_or_else(|| format!("unknown fund state {s}"))
    }
}

pub const COLUMNS: &str = "apply_no, join_no, enterprise_org_id, applicant_user_id, apply_time, state, amount_fen, months, loan_for, loan_bank, account_name, account_bank, account_no, enlarge_multiples, floating_percent, monthly_rate, loan_date, last_repay_date, real_repay_date, handling_fee_fen, interest_fen, due_at, principal_repaid_fen, interest_repaid_fen, fee_repaid_fen, contract_no, disbursed_at, settled_at, reminded_before_at, reminded_due_at, feedback, submitted_at, created_at, updated_at";

impl FundApplication {
    pub fn state(&self) -> FundState {
        self.state.0
    }

    /// What is still owed of each part (nothing before disbursement).
    pub fn owed(&self) -> super::terms::Owed {
        if self.disbursed_at.is_none() {
            return Default::default();
        }
        super::terms::Owed {
            fee_fen: self.handling_fee_fen.unwrap_or(0) - self.fee_repaid_fen,
            interest_fen: self.interest_fen.unwrap_or(0) - self.interest_repaid_fen,
            principal_fen: self.amount_fen - self.principal_repaid_fen,
        }
    }
}

/// An application (new or a changed draft) as the enterprise fills it in.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FundApplicationInput {
    /// JOIN_NO of the enterprise's membership.
    pub join_no: String,
    /// APPLY_AMOUNT, 万元 (`"200.00"`).
    pub apply_amount: String,
    /// The term in months.
    pub months: i64,
    /// LOAN_FOR.
    pub loan_for: String,
    /// LOAN_BANK (委贷银行), if any.
    pub loan_bank: Option<String>,
    /// The enterprise's named account the fund pays into.
    pub account_name: String,
    pub account_bank: String,
    pub account_no: String,
}

/// What a step may carry.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FundStepInput {
    /// Returns and rejections: why (shown to the enterprise); amendments: what changes.
    pub reason: Option<String>,
    /// Approval: LOAN_DATE (yyyy-mm-dd, today or later; today when absent).
    pub loan_date: Option<String>,
    /// Approval: FLOATING_MULTIPLES in percent (the setting when absent).
    pub floating_percent: Option<String>,
    /// Approval: HANDLING_FEE in 元 (the setting's percentage of the principal when absent).
    pub handling_fee: Option<String>,
    /// Amendment: months added to the term (展期).
    pub extend_months: Option<i64>,
}

/// A repayment as the fund manager records it (6.4.3).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RepaymentInput {
    /// REPAY_AMOUNT, 元.
    pub repay_amount: String,
    /// REPAY_DATE (yyyy-mm-dd, not in the future; today when absent).
    pub repay_date: Option<String>,
}

/// 还款记录 (6.4.3) with how it was applied.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Repayment {
    pub repay_no: String,
    pub apply_no: String,
    pub amount_fen: i64,
    pub repay_date: String,
    pub fee_fen: i64,
    pub interest_fen: i64,
    pub principal_fen: i64,
    pub entry_no: i64,
    pub at: i64,
}

/// A document on file.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct FundDocument {
    pub id: String,
    pub apply_no: String,
    pub kind: String,
    pub version: i64,
    pub name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub at: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct FundAuditEntry {
    pub actor: String,
    pub action: String,
    pub from_state: Option<String>,
    pub to_state: Option<String>,
    pub note: Option<String>,
    pub at: i64,
}

/// A contract as stored.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct ContractRow {
    pub seq: i64,
    pub contract_no: String,
    pub apply_no: String,
    pub amends: Option<String>,
    pub body: String,
    pub prev_hash: String,
    pub hash: String,
    pub created_by: String,
    pub created_at: i64,
}

/// An application as answered: its fields, its loan, what is owed, the documents, the
/// contracts, the repayments and the steps the caller may take.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FundApplicationView {
    pub apply_no: String,
    pub join_no: String,
    pub apply_time: i64,
    pub enterprise_org_id: String,
    pub company_name: String,
    pub state: FundState,
    pub state_zh: &'static str,
    pub amount_fen: i64,
    pub months: i64,
    pub loan_for: String,
    pub loan_bank: Option<String>,
    pub account_name: String,
    pub account_bank: String,
    pub account_no: String,
    pub enlarge_multiples: Option<i64>,
    pub floating_percent: Option<String>,
    /// ‰ a month.
    pub monthly_rate: Option<String>,
    pub loan_date: Option<String>,
    pub last_repay_date: Option<String>,
    pub real_repay_date: Option<String>,
    pub handling_fee_fen: Option<i64>,
    pub interest_fen: Option<i64>,
    pub repaid_fen: i64,
    pub owed_fen: i64,
    pub owed_principal_fen: i64,
    pub contract_no: Option<String>,
    pub schedule: Vec<Instalment>,
    pub feedback: Option<String>,
    pub documents: Vec<FundDocument>,
    pub contracts: Vec<ContractRow>,
    pub repayments: Vec<Repayment>,
    pub allowed_actions: Vec<FundAction>,
    /// The catalogue record (6.4.2) as it stands.
    pub record: serde_json::Value,
    pub created_at: i64,
    pub submitted_at: Option<i64>,
    pub disbursed_at: Option<i64>,
    pub settled_at: Option<i64>,
}

/// A line of a list.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct FundSummary {
    pub apply_no: String,
    pub join_no: String,
    pub company_name: String,
    pub state: String,
    pub amount_fen: i64,
    pub months: i64,
    pub loan_for: String,
    pub monthly_rate: Option<String>,
    pub last_repay_date: Option<String>,
    pub owed_fen: i64,
    pub created_at: i64,
}
