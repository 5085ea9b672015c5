//! The platform's entities as stored, what callers send, and what they are shown. Amounts are
//! fen (分) in `*_fen` fields; inputs take them as the seed writes them (`fee` in 万元 for a
//! demand's DEMAND_FEE, 元 elsewhere).

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::lifecycle::{DemandState, Mode, OrderState, Side};

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
#[schema(as = CrowdsourcingDemand)]
pub struct Demand {
    /// DEMAND_NO
    pub id: String,
    pub organisation_id: String,
    /// Shown to the owner and staff only.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub owner_user_id: String,
    #[sqlx(try_from = "String")]
    pub state: DemandState,
    #[sqlx(try_from = "String")]
    pub mode: Mode,
    pub title: String,
    pub description: String,
    /// DEMAND_FEE, in fen.
    pub fee_fen: i64,
    /// DEMAND_CYCLE, days.
    pub cycle_days: i64,
    /// EXPIRY_DATE (yyyy-mm-dd), the last day it is open.
    pub expiry_date: String,
    pub expires_at: i64,
    pub service_class: String,
    pub industry_code: String,
    /// Restriction: the division codes a provider must be in (`;`-separated, empty: anywhere).
    pub regions: String,
    /// Restriction: the industry codes a provider must be in (`;`-separated, empty: any).
    pub industries: String,
    pub direct_product_id: Option<String>,
    pub direct_provider_id: Option<String>,
    pub comp_code: Option<String>,
    pub comp_name: Option<String>,
    pub comp_regist_type: Option<String>,
    pub comp_address: Option<String>,
    /// Owner and staff only.
    pub charger_name: Option<String>,
    /// Owner and staff only.
    pub charger_mobile: Option<String>,
    /// Staff's feedback on the last review.
    pub feedback: Option<String>,
    /// A change waiting for staff re-review (复核), as sent.
    #[schema(value_type = Option<Object>)]
    pub pending_change: Option<String>,
    pub deletion_reason: Option<String>,
    pub order_id: Option<String>,
    /// SELECTED_DATE
    pub selected_at: Option<i64>,
    /// SERVER_ORG_ID: the chosen provider.
    pub server_org_id: Option<String>,
    /// SERVER_LINK_NAME
    pub server_link_name: Option<String>,
    /// On the platform's 重点孵化项目 list (a deal was made).
    pub key_project: bool,
    pub listed_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A demand as a caller sees it: the state's name and what the caller may do now.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = CrowdsourcingDemandView)]
pub struct DemandView {
    #[serde(flatten)]
    pub demand: Demand,
    pub state_label: &'static str,
    pub mode_label: &'static str,
    /// DEMAND_FEE in 万元 as the seed writes it.
    pub fee_wan: String,
    pub allowed_actions: Vec<&'static str>,
    pub responses: i64,
    /// The reward demand's escrow (owner and staff).
    pub escrow: Option<Escrow>,
}

/// What an enterprise writes when it drafts or changes a demand.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = CrowdsourcingDemandInput)]
pub struct DemandInput {
    pub mode: Mode,
    /// DEMAND_TITLE
    pub title: String,
    /// DEMAND_DESCRIBE
    #[serde(default)]
    pub description: String,
    /// DEMAND_FEE in 万元, at most two decimals (`"3.50"`).
    pub fee: String,
    /// DEMAND_CYCLE in days.
    pub cycle_days: i64,
    /// EXPIRY_DATE, yyyy-mm-dd.
    pub expiry_date: String,
    /// One of the service classes (`GET /api/crowdsourcing/service-classes`).
    pub service_class: String,
    /// The demand's industry (GB/T 4754 code, e.g. `C3990`).
    #[serde(default)]
    pub industry_code: String,
    /// Restriction: providers must be in one of these divisions (6-digit codes; 640100 admits
    /// every county of 银川市). Empty: anywhere.
    #[serde(default)]
    pub regions: Vec<String>,
    /// Restriction: providers must be in one of these industries (a code admits its
    /// sub-codes). Empty: any.
    #[serde(default)]
    pub industries: Vec<String>,
    /// Direct mode: the service product (SERVICE_ITEM_ID) whose provider is named.
    pub direct_product_id: Option<String>,
    pub comp_code: Option<String>,
    pub comp_name: Option<String>,
    pub comp_regist_type: Option<String>,
    pub comp_address: Option<String>,
    pub charger_name: Option<String>,
    pub charger_mobile: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
#[schema(as = CrowdsourcingResponse)]
pub struct Response {
    pub id: String,
    pub demand_id: String,
    pub provider_org_id: String,
    pub provider_user_id: String,
    /// `open`, `selected`, `not_selected` or `declined`.
    pub state: String,
    pub approach: String,
    pub price_fen: i64,
    pub duration_days: i64,
    /// Links to the proposal's (or, in reward mode, the work's) files, JSON.
    #[schema(value_type = Vec<String>)]
    pub attachments: String,
    pub created_at: i64,
}

/// A response with the provider's name and comprehensive rating.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = CrowdsourcingResponseView)]
pub struct ResponseView {
    #[serde(flatten)]
    pub response: Response,
    pub provider_name: String,
    pub provider_rating: Score,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = CrowdsourcingResponseInput)]
pub struct ResponseInput {
    /// The first proposal: approach (in reward mode, the work itself).
    pub approach: String,
    /// The proposed price in 元.
    pub price: String,
    pub duration_days: i64,
    /// Links (http/https) to files.
    #[serde(default)]
    pub attachments: Vec<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
#[schema(as = CrowdsourcingMessage)]
pub struct Message {
    pub id: String,
    pub response_id: String,
    pub seq: i64,
    /// `enterprise` or `provider`.
    pub author_side: String,
    pub author_user_id: String,
    pub body: String,
    pub offer_amount_fen: Option<i64>,
    pub offer_days: Option<i64>,
    pub offer_method: Option<String>,
    /// `open`, `agreed` or `superseded`; none for a plain message.
    pub offer_state: Option<String>,
    pub at: i64,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = CrowdsourcingMessageInput)]
pub struct MessageInput {
    pub body: String,
    /// Terms offered with the message; the other side accepting them makes the deal.
    pub offer: Option<OfferInput>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = CrowdsourcingOfferInput)]
pub struct OfferInput {
    /// The amount in 元.
    pub amount: String,
    pub delivery_days: i64,
    /// How the work is delivered (网络交付, 上门服务, …).
    pub delivery_method: String,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
#[schema(as = CrowdsourcingOrder)]
pub struct Order {
    /// SERVICE_ORDER_NO
    pub id: String,
    pub demand_id: String,
    pub response_id: Option<String>,
    pub enterprise_org_id: String,
    pub provider_org_id: String,
    /// SERVICE_ITEM_ID: the named service product, or the demand for tender and reward deals.
    pub service_item_id: String,
    #[sqlx(try_from = "String")]
    pub state: OrderState,
    pub amount_fen: i64,
    pub delivery_days: i64,
    pub delivery_method: String,
    pub rework_rounds: i64,
    /// SERVER_RESULT: the last delivery's note.
    pub result: Option<String>,
    pub applied_at: i64,
    pub started_at: Option<i64>,
    pub delivered_at: Option<i64>,
    /// When the scheduler accepts a delivery nobody answered.
    pub auto_accept_at: Option<i64>,
    pub ended_at: Option<i64>,
    /// ALLOWANCE: the approved service subsidy.
    pub allowance_fen: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// An order with everything around it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = CrowdsourcingOrderView)]
pub struct OrderView {
    #[serde(flatten)]
    pub order: Order,
    pub state_label: &'static str,
    pub demand_title: String,
    pub mode: Mode,
    pub allowed_actions: Vec<&'static str>,
    pub escrow: Option<Escrow>,
    pub deliveries: Vec<Delivery>,
    pub disputes: Vec<Dispute>,
    pub evaluations: Vec<Evaluation>,
    pub subsidy: Option<Subsidy>,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
#[schema(as = CrowdsourcingEscrow)]
pub struct Escrow {
    pub id: String,
    pub demand_id: String,
    pub order_id: Option<String>,
    pub amount_fen: i64,
    /// `pending` (not paid yet), `held` or `closed`.
    pub state: String,
    pub paid_fen: i64,
    /// Released to the provider (the platform fee included).
    pub released_fen: i64,
    /// The platform's fee out of the released sum.
    pub fee_fen: i64,
    pub refunded_fen: i64,
    /// Still held: paid − released − refunded.
    pub held_fen: i64,
    pub prepay_id: Option<String>,
    pub paid_at: Option<i64>,
    pub closed_at: Option<i64>,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
#[schema(as = CrowdsourcingDelivery)]
pub struct Delivery {
    pub id: String,
    pub round: i64,
    pub note: String,
    /// Links and uploaded attachment ids, JSON.
    #[schema(value_type = Object)]
    pub attachments: String,
    /// `accepted`, `rework` or `auto_accepted`; none while waiting.
    pub decision: Option<String>,
    pub reason: Option<String>,
    pub at: i64,
    pub decided_at: Option<i64>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = CrowdsourcingDeliveryInput)]
pub struct DeliveryInput {
    /// What was delivered (SERVER_RESULT).
    pub note: String,
    /// Links (http/https) to the work.
    #[serde(default)]
    pub links: Vec<String>,
    /// Attachments uploaded to this order before.
    #[serde(default)]
    pub attachment_ids: Vec<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
#[schema(as = CrowdsourcingAttachment)]
pub struct Attachment {
    pub id: String,
    pub order_id: String,
    pub name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub at: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
#[schema(as = CrowdsourcingDispute)]
pub struct Dispute {
    pub id: String,
    /// `enterprise` or `provider`.
    pub opened_by: String,
    pub reason: String,
    pub evidence: String,
    pub answer: Option<String>,
    pub answered_at: Option<i64>,
    pub decision: Option<String>,
    pub refund_fen: Option<i64>,
    pub decision_note: Option<String>,
    pub decided_at: Option<i64>,
    pub opened_at: i64,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = CrowdsourcingDisputeInput)]
pub struct DisputeInput {
    pub reason: String,
    /// Evidence: text and links.
    #[serde(default)]
    pub evidence: String,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = CrowdsourcingDecisionInput)]
pub struct DecisionInput {
    pub decision: super::lifecycle::Decision,
    /// For `partial_refund`: the amount in 元 that goes back to the enterprise.
    pub refund_amount: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
#[schema(as = CrowdsourcingEvaluation)]
pub struct Evaluation {
    /// Who evaluated: `enterprise` (of the provider) or `provider` (of the enterprise).
    pub side: String,
    pub target_org_id: String,
    pub quality: Option<i64>,
    pub cycle: Option<i64>,
    pub on_time: Option<i64>,
    pub communication: Option<i64>,
    pub payment: Option<i64>,
    /// The seed's SERVED_ORG_EVALUATION scale: 1 = 非常满意 (best) … 5 = 差 (worst).
    pub overall: i64,
    pub remark: Option<String>,
    pub at: i64,
}

/// Scores on the seed's scale, 1 = 非常满意 (best) … 5 = 差 (worst).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = CrowdsourcingEvaluationInput)]
pub struct EvaluationInput {
    /// The enterprise rates: quality of the work.
    pub quality: Option<i64>,
    /// The enterprise rates: the length of the cycle.
    pub cycle: Option<i64>,
    /// The enterprise rates: delivery on time.
    pub on_time: Option<i64>,
    /// The provider rates: ease of communication.
    pub communication: Option<i64>,
    /// The provider rates: payment on time.
    pub payment: Option<i64>,
    pub remark: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
#[schema(as = CrowdsourcingSubsidy)]
pub struct Subsidy {
    pub id: String,
    pub order_id: String,
    pub enterprise_org_id: String,
    pub year: i64,
    pub amount_fen: i64,
    /// `applied`, `approved` or `rejected`.
    pub state: String,
    pub reason: Option<String>,
    pub applied_at: i64,
    pub decided_at: Option<i64>,
}

/// An organisation's comprehensive rating on one side.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
#[schema(as = CrowdsourcingScore)]
pub struct Score {
    /// The mean overall score, 1 = 非常满意 … 5 = 差: lower is better. None before any.
    pub average: Option<f64>,
    pub count: i64,
    /// Always `lower`: the seed's scale puts the best score first.
    pub better: &'static str,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
#[schema(as = CrowdsourcingProduct)]
pub struct Product {
    /// SERVICE_ITEM_ID
    pub id: String,
    pub organisation_id: String,
    pub service_name: String,
    pub service_class: String,
    /// The 5.2 record.
    #[schema(value_type = Object)]
    #[serde(serialize_with = "as_json")]
    pub record: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
#[schema(as = CrowdsourcingProvider)]
pub struct Provider {
    pub organisation_id: String,
    pub org_name: String,
    pub area_county: String,
    pub industry_code: String,
    /// The 5.1 record.
    #[schema(value_type = Object)]
    #[serde(serialize_with = "as_json")]
    pub profile: String,
    pub updated_at: i64,
}

/// A provider as listed: its profile, products and ratings.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = CrowdsourcingProviderView)]
pub struct ProviderView {
    #[serde(flatten)]
    pub provider: Provider,
    pub products: Vec<Product>,
    /// As a provider (rated by enterprises).
    pub rating: Score,
    /// How well it matches what was asked (suggestions only): 0 to 3.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub match_score: Option<i64>,
}

fn as_json<S: serde::Serializer>(text: &str, s: S) -> Result<S::Ok, S::Error> {
    let value: Value = serde_json::from_str(text).unwrap_or(Value::Null);
    value.serialize(s)
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
#[schema(as = CrowdsourcingAuditEntry)]
pub struct AuditEntry {
    pub order_id: Option<String>,
    pub actor: String,
    pub action: String,
    pub from_state: Option<String>,
    pub to_state: Option<String>,
    pub reason: Option<String>,
    pub at: i64,
}

/// Which side the caller is on, for evaluations.
pub fn side_label(side: Side) -> &'static str {
    match side {
        Side::Enterprise => "发包方",
        Side::Provider => "接包方",
    }
}
