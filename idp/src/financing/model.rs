//! Financing entities as stored, what callers send, and what they get back.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::lifecycle::{Business, DocKind, Product, State};

/// An application (any of the three products) as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Application {
    pub id: String,
    #[sqlx(try_from = "String")]
    pub product: Product,
    #[sqlx(try_from = "String")]
    pub business: Business,
    #[sqlx(try_from = "String")]
    pub state: State,
    pub enterprise_org_id: String,
    pub applicant_user_id: String,
    pub bank_org_id: Option<String>,
    pub insurer_org_id: Option<String>,
    pub region_code: String,
    pub comp_name: String,
    pub priority: i64,
    pub amount_fen: i64,
    pub record: String,
    pub maturing_fen: Option<i64>,
    pub renewal_fen: Option<i64>,
    pub self_raised_fen: Option<i64>,
    pub loan_due_date: Option<String>,
    pub loan_purpose: Option<String>,
    pub loan_term_months: Option<i64>,
    pub loan_rate: Option<String>,
    pub disbursed_fen: Option<i64>,
    pub disbursed_at: Option<i64>,
    pub due_at: Option<i64>,
    pub recovered_at: Option<i64>,
    pub used_days: Option<i64>,
    pub fee_fen: Option<i64>,
    pub custody_ref: Option<String>,
    pub policy_no: Option<String>,
    pub premium_fen: Option<i64>,
    pub loss_fen: Option<i64>,
    pub compensation_fen: Option<i64>,
    pub region_share_fen: Option<i64>,
    pub county_share_fen: Option<i64>,
    pub bank_share_fen: Option<i64>,
    pub recovered_fen: Option<i64>,
    pub pool_back_fen: Option<i64>,
    pub group_key: Option<String>,
    pub subsidy_fen: Option<i64>,
    pub subsidy_year: Option<i64>,
    pub paid_at: Option<i64>,
    pub feedback: Option<String>,
    pub submitted_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A leased device (6.3.2) as stored.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, ToSchema)]
#[schema(as = FinancingDevice)]
pub struct Device {
    pub position: i64,
    /// Device_name: the device and how many.
    pub name: String,
    /// The lease amount, fen.
    pub price_fen: i64,
    /// Finance_rate as the lessor states it.
    pub finance_rate: String,
    pub lease_months: i64,
    /// The subsidy computed for it once granted, fen.
    pub subsidy_fen: Option<i64>,
}

/// A document on file (its content is downloaded separately).
#[derive(Debug, Clone, sqlx::FromRow, Serialize, Deserialize, ToSchema)]
#[schema(as = FinancingDocument)]
pub struct Document {
    pub id: String,
    pub application_id: String,
    /// application_form, renewal_commitment, self_funds, loan_contract, lease_contract,
    /// qualification, company_info, custody_certificate, policy, claim_evidence,
    /// repayment_proof, other.
    pub kind: String,
    /// 1 for the first upload of its kind; a changed document is the next version.
    pub version: i64,
    pub name: String,
    pub content_type: String,
    pub size_bytes: i64,
    /// SHA-256 of the content, lowercase hex.
    pub sha256: String,
    pub at: i64,
}

/// One audit entry.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, ToSchema)]
#[schema(as = FinancingAuditEntry)]
pub struct AuditEntry {
    pub actor: String,
    pub action: String,
    pub from_state: Option<String>,
    pub to_state: Option<String>,
    pub note: Option<String>,
    pub at: i64,
}

/// A leased device as the enterprise enters it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = FinancingDeviceInput)]
pub struct DeviceInput {
    /// Device_name: the device and how many (e.g. 五轴数控加工中心 × 2).
    pub name: String,
    /// The lease amount (租赁金额), 元, up to two decimals.
    pub price: String,
    /// Finance_rate as the lessor states it (e.g. 年化 5.8%).
    #[serde(default)]
    pub finance_rate: String,
    /// The lease term in months (1 to 120).
    pub lease_months: i64,
}

/// A new application, or a changed draft.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = FinancingApplicationInput)]
pub struct ApplicationInput {
    /// bridge (转贷), pledge (股权质押), insurance (保证保险), direct (直接租赁) or
    /// leaseback (售后回租).
    pub business: Business,
    /// The lending bank (bridge and risk compensation): an organisation of kind `bank`.
    #[serde(default)]
    pub bank_org_id: Option<String>,
    /// The insurer or guarantor (guarantee insurance): an organisation of kind `insurer`.
    #[serde(default)]
    pub insurer_org_id: Option<String>,
    /// The enterprise's county (6-digit division code), for the statistics by region.
    pub region_code: String,
    /// Bridge: the maturing loan's purpose (主要用途).
    #[serde(default)]
    pub loan_purpose: Option<String>,
    /// Bridge: the maturing loan's term in months (贷款期限).
    #[serde(default)]
    pub loan_term_months: Option<i64>,
    /// Bridge: the maturing loan's interest rate as the contract states it (贷款利息).
    #[serde(default)]
    pub loan_rate: Option<String>,
    /// The catalogue record's fields by the seed's element names (6.1 for a bridge, 6.2 for
    /// risk compensation, 6.3.1 for leasing); `Apply_no` is the platform's.
    pub record: Value,
    /// Leasing: the leased devices (6.3.2), 1 to 50.
    #[serde(default)]
    pub devices: Vec<DeviceInput>,
}

/// What a step may carry besides its reason.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = FinancingStepInput)]
pub struct StepInput {
    /// Why (returns, rejections, refusals), shown to the enterprise.
    #[serde(default)]
    pub reason: Option<String>,
    /// Bank approval of a bridge: Bank_charge_man (贷款银行负责人).
    #[serde(default)]
    pub bank_charge_man: Option<String>,
    /// Bank approval of a bridge: Bank_manage_man (经办人).
    #[serde(default)]
    pub bank_manage_man: Option<String>,
    /// Custody: the registration reference at the equity custody centre.
    #[serde(default)]
    pub custody_ref: Option<String>,
    /// Policy issued: the policy number.
    #[serde(default)]
    pub policy_no: Option<String>,
    /// Claim: the unpaid principal of the bad loan, 元.
    #[serde(default)]
    pub loss: Option<String>,
    /// Recovery (追偿): what was recovered, 元 (0 when nothing was).
    #[serde(default)]
    pub recovered: Option<String>,
}

/// An application as a party sees it, with what the caller may do next.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = FinancingApplication)]
pub struct ApplicationView {
    /// Apply_no.
    pub id: String,
    pub product: Product,
    pub product_label: &'static str,
    pub business: Business,
    pub business_label: &'static str,
    pub state: State,
    pub state_label: &'static str,
    pub enterprise_org_id: String,
    pub comp_name: String,
    pub bank_org_id: Option<String>,
    pub bank_name: Option<String>,
    pub insurer_org_id: Option<String>,
    pub insurer_name: Option<String>,
    pub region_code: String,
    /// Risk compensation: how many of the four priority flags are set (the review order).
    pub priority: i64,
    /// Bridge: the amount applied for; compensation: the loan; leasing: the total lease, fen.
    pub amount_fen: i64,
    pub maturing_fen: Option<i64>,
    pub renewal_fen: Option<i64>,
    pub self_raised_fen: Option<i64>,
    pub loan_due_date: Option<String>,
    pub loan_purpose: Option<String>,
    pub loan_term_months: Option<i64>,
    pub loan_rate: Option<String>,
    pub disbursed_fen: Option<i64>,
    pub disbursed_at: Option<i64>,
    pub due_at: Option<i64>,
    pub recovered_at: Option<i64>,
    pub used_days: Option<i64>,
    pub fee_fen: Option<i64>,
    pub custody_ref: Option<String>,
    pub policy_no: Option<String>,
    pub premium_fen: Option<i64>,
    pub loss_fen: Option<i64>,
    pub compensation_fen: Option<i64>,
    pub region_share_fen: Option<i64>,
    pub county_share_fen: Option<i64>,
    pub bank_share_fen: Option<i64>,
    pub recovered_fen: Option<i64>,
    pub pool_back_fen: Option<i64>,
    pub subsidy_fen: Option<i64>,
    pub subsidy_year: Option<i64>,
    pub paid_at: Option<i64>,
    pub feedback: Option<String>,
    pub submitted_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    /// The catalogue record as last written.
    pub record: Value,
    pub devices: Vec<Device>,
    pub documents: Vec<Document>,
    /// What the caller may do now.
    pub allowed_actions: Vec<&'static str>,
    /// Documents the next steps still need.
    pub missing_documents: Vec<&'static str>,
}

/// A row of a list of applications.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = FinancingApplicationSummary)]
pub struct Summary {
    pub id: String,
    pub product: Product,
    pub business: Business,
    pub business_label: &'static str,
    pub state: State,
    pub state_label: &'static str,
    pub comp_name: String,
    pub bank_org_id: Option<String>,
    pub priority: i64,
    pub amount_fen: i64,
    pub submitted_at: Option<i64>,
    pub created_at: i64,
}

/// Kinds of document and their names, for forms.
pub fn document_kinds() -> Vec<(&'static str, &'static str, &'static str)> {
    DocKind::ALL
        .iter()
        .map(|k| (k.as_str(), k.label_zh(), k.label_en()))
        .collect()
}
