//! The platform's entities as stored, what callers send, and what they are shown.

use serde::{Deserialize, Serialize};

use super::lifecycle::{Action, State};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = CrowdfundingProject)]
pub struct Project {
    pub id: String,
    pub organisation_id: String,
    /// Shown to the initiating organisation and staff only (empty, and left out, for others).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub owner_user_id: String,
    pub state: State,
    pub category: String,
    pub title: String,
    pub summary: String,
    pub intro: String,
    pub tags: String,
    pub cover_url: Option<String>,
    pub comp_id: Option<String>,
    pub link_name: Option<String>,
    pub link_mobile: Option<String>,
    pub target_fen: i64,
    pub duration_days: i64,
    pub feedback: Option<String>,
    pub deletion_reason: Option<String>,
    pub raised_fen: i64,
    pub listed_at: Option<i64>,
    pub ends_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Reward {
    pub id: String,
    pub project_id: String,
    pub position: i64,
    pub amount_fen: i64,
    pub brief: String,
    pub content: String,
    pub reward_limit: Option<i64>,
    pub sold: i64,
    pub express_fee_fen: i64,
    pub reback_days: Option<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = CrowdfundingOrder)]
pub struct Order {
    pub id: String,
    pub project_id: String,
    pub reward_id: String,
    pub backer_user_id: String,
    pub state: String,
    pub copies: i64,
    pub amount_fen: i64,
    pub buyer_name: String,
    pub buyer_link_name: String,
    pub buyer_link_mobile: String,
    pub delivery_user_name: String,
    pub delivery_user_phone: String,
    pub delivery_address: String,
    pub prepay_id: Option<String>,
    pub transaction_id: Option<String>,
    pub paid_at: Option<i64>,
    pub refunded_at: Option<i64>,
    pub delivery_date: Option<String>,
    pub delivery_type: Option<String>,
    pub delivery_no: Option<String>,
    pub evaluation: Option<i64>,
    pub remark: Option<String>,
    pub created_at: i64,
}

/// A project's fields as an initiator writes them. Amounts as the seed writes them:
/// `crowd_amount` in 万元, reward amounts and fees in 元.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct ProjectInput {
    pub title: String,
    pub category: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub intro: String,
    #[serde(default)]
    pub tags: String,
    pub cover_url: Option<String>,
    pub comp_id: Option<String>,
    pub link_name: Option<String>,
    pub link_mobile: Option<String>,
    pub crowd_amount: String,
    pub duration_days: i64,
    #[serde(default)]
    pub rewards: Vec<RewardInput>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct RewardInput {
    pub reward_amount: String,
    #[serde(default)]
    pub brief: String,
    #[serde(default)]
    pub content: String,
    pub limit: Option<i64>,
    pub express_fee: Option<String>,
    pub reback_days: Option<i64>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct OrderInput {
    pub reward_id: String,
    pub copies: i64,
    pub buyer_name: String,
    pub buyer_link_name: String,
    pub buyer_link_mobile: String,
    pub delivery_user_name: String,
    pub delivery_user_phone: String,
    pub delivery_address: String,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct DeliveryInput {
    pub delivery_date: String,
    pub delivery_type: String,
    pub delivery_no: String,
}

/// A reward with how many backed it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RewardView {
    #[serde(flatten)]
    pub reward: Reward,
    pub amount_yuan: String,
    pub backers: i64,
    pub left: Option<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Progress {
    pub raised_fen: i64,
    pub raised_yuan: String,
    pub target_yuan: String,
    pub backers: i64,
    pub percent: i64,
    pub days_left: Option<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProjectView {
    #[serde(flatten)]
    pub project: Project,
    pub state_label: &'static str,
    pub rewards: Vec<RewardView>,
    pub progress: Progress,
    pub allowed_actions: Vec<Action>,
    pub voucher: Option<Voucher>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Voucher {
    pub state: String,
    pub amount_fen: i64,
    pub amount_yuan: String,
    pub reason: Option<String>,
}

/// A project known only from the catalogue (reported by a carrier's system).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReportedProject {
    pub id: String,
    pub title: String,
    pub tags: Option<String>,
    /// CROWD_AMOUNT, 万元, as reported.
    pub crowd_amount: Option<String>,
    pub duration_days: Option<String>,
    /// `api` or `import`.
    pub source: String,
    pub organisation_id: Option<String>,
    pub read_only: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AuditEntry {
    pub actor: String,
    pub action: String,
    pub from_state: Option<String>,
    pub to_state: Option<String>,
    pub reason: Option<String>,
    pub order_id: Option<String>,
    pub at: i64,
}
