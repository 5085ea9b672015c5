//! `/api/crowdsourcing`: the business crowdsourcing platform (scope `crowdsourcing`, staff
//! powers with `crowdsourcing:staff`). Each handler's OpenAPI operation sits on it, and the
//! router and the document are built together (`utoipa-axum`).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::{Extension, Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::{IntoParams, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::lifecycle::{DemandAction, OrderState};
use super::model::*;
use super::portal::DemandFilter;
use super::stats::Snapshot;
use super::subsidies::Budget;
use super::{
    AUTO_ACCEPT_JOB, CrowdsourcingError, EXPIRE_JOB, SCOPE, SERVICE_CLASSES, STAFF_SCOPE,
    STATISTICS_JOB, Service,
};
use crate::error::{ApiError, Problem};
use crate::payments::Prepay;
use crate::platform::kit::api::{
    ApiCaller, ApiJson, ApiStaff, ApiWriter, Area, OptionalReason, Reason,
};
use crate::state::AppState;

mod orders;

/// Crowdsourcing's part of the API: its scope and its staff scope.
pub struct Crowdsourcing;

impl Area for Crowdsourcing {
    const SCOPE: &'static str = SCOPE;
    const STAFF_SCOPE: Option<&'static str> = Some(STAFF_SCOPE);
}

type Cs = Extension<Arc<Service>>;
type Answer<T> = Result<Json<T>, ApiError>;
type Created<T> = Result<(StatusCode, Json<T>), ApiError>;

#[derive(OpenApi)]
#[openapi(
    tags((name = "crowdsourcing", description = "业务众包平台 / Business crowdsourcing (seed 二.2)")),
    components(schemas(Problem))
)]
struct Doc;

fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(Doc::openapi())
        .routes(routes!(service_classes))
        .routes(routes!(list_demands, create_demand))
        .routes(routes!(show_demand, update_demand))
        .routes(routes!(act_on_demand))
        .routes(routes!(demand_audit))
        .routes(routes!(pay_demand_escrow))
        .routes(routes!(list_responses, respond))
        .routes(routes!(suggested_providers))
        .routes(routes!(select_response))
        .routes(routes!(thread, post_message))
        .routes(routes!(accept_offer))
        .routes(routes!(orders::list_orders))
        .routes(routes!(orders::show_order))
        .routes(routes!(orders::pay_order_escrow))
        .routes(routes!(orders::cancel_order))
        .routes(routes!(orders::upload_attachment))
        .routes(routes!(orders::download_attachment))
        .routes(routes!(orders::deliver))
        .routes(routes!(orders::accept_delivery))
        .routes(routes!(orders::request_rework))
        .routes(routes!(orders::open_dispute))
        .routes(routes!(orders::answer_dispute))
        .routes(routes!(orders::decide_dispute))
        .routes(routes!(orders::evaluate))
        .routes(routes!(orders::apply_subsidy))
        .routes(routes!(orders::decide_subsidy))
        .routes(routes!(save_profile))
        .routes(routes!(matching_demands))
        .routes(routes!(show_provider))
        .routes(routes!(list_products, add_product))
        .routes(routes!(review_queue))
        .routes(routes!(key_projects))
        .routes(routes!(statistics))
        .routes(routes!(run_scheduler))
        .routes(routes!(notify))
}

pub fn router() -> Router<AppState> {
    routes().split_for_parts().0
}

pub fn openapi() -> utoipa::openapi::OpenApi {
    routes().split_for_parts().1
}

/// The one mapping from the platform's errors to problem documents.
impl From<CrowdsourcingError> for ApiError {
    fn from(e: CrowdsourcingError) -> Self {
        match e {
            CrowdsourcingError::Transition(r) => {
                ApiError::transition_refused(r.current, &r.allowed, &r.reason_zh, &r.reason_en)
            }
            CrowdsourcingError::Restricted { restriction, .. } => {
                ApiError::refused(StatusCode::FORBIDDEN, "outside-restrictions", e.to_string())
                    .with("restriction", json!(restriction))
            }
            CrowdsourcingError::SubsidyExhausted {
                limit, left_fen, ..
            } => ApiError::refused(StatusCode::CONFLICT, "subsidy-exhausted", e.to_string())
                .with("limit", json!(limit))
                .with("left_fen", json!(left_fen)),
            CrowdsourcingError::TooLarge { limit } => ApiError::too_large(e.to_string(), limit),
            CrowdsourcingError::InvalidFields(errors) => ApiError::invalid_fields(&errors),
            CrowdsourcingError::NotFound(what) => ApiError::NotFound(what),
            CrowdsourcingError::Forbidden(why) => ApiError::Forbidden(why),
            CrowdsourcingError::Invalid(why) => ApiError::BadRequest(why),
            CrowdsourcingError::Gateway(e) => {
                ApiError::BadRequest(format!("支付网关出错 / payment gateway: {e}"))
            }
            CrowdsourcingError::Db(e) => ApiError::internal(e),
        }
    }
}

#[derive(Serialize, ToSchema)]
struct ServiceClass {
    code: &'static str,
    zh: &'static str,
    en: &'static str,
}

/// 服务分类 / The service classes (SERVICE_CLASS codes).
#[utoipa::path(get, path = "/api/crowdsourcing/service-classes", tag = "crowdsourcing",
    responses((status = 200, body = Vec<ServiceClass>)))]
async fn service_classes() -> Json<Vec<ServiceClass>> {
    Json(
        SERVICE_CLASSES
            .iter()
            .map(|(code, zh, en)| ServiceClass { code, zh, en })
            .collect(),
    )
}

#[derive(Serialize, ToSchema)]
struct DemandList {
    items: Vec<DemandView>,
}

/// 统一门户 / Listed demands with filters (`mine=true`: the caller's own, in every state).
#[utoipa::path(get, path = "/api/crowdsourcing/demands", tag = "crowdsourcing", params(DemandFilter),
    security(("bearer" = ["crowdsourcing"])),
    responses((status = 200, body = DemandList), (status = 400, body = Problem), (status = 401, body = Problem)))]
async fn list_demands(
    State(state): State<AppState>,
    Extension(cs): Cs,
    ApiCaller(caller, _): ApiCaller<Crowdsourcing>,
    Query(filter): Query<DemandFilter>,
) -> Answer<DemandList> {
    let items = cs
        .list_demands(&state.db, &caller, &filter, state.now())
        .await?;
    Ok(Json(DemandList { items }))
}

/// 发布服务 / A new draft demand.
#[utoipa::path(post, path = "/api/crowdsourcing/demands", tag = "crowdsourcing",
    security(("bearer" = ["crowdsourcing"])), request_body = DemandInput,
    responses((status = 201, body = DemandView), (status = 400, body = Problem),
        (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn create_demand(
    State(state): State<AppState>,
    Extension(cs): Cs,
    ApiWriter(caller, _): ApiWriter<Crowdsourcing>,
    ApiJson(input): ApiJson<DemandInput>,
) -> Created<DemandView> {
    let view = cs
        .create_demand(&state.db, &caller, &input, state.now())
        .await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// 需求详情 / A demand, with what the caller may do now.
#[utoipa::path(get, path = "/api/crowdsourcing/demands/{id}", tag = "crowdsourcing",
    security(("bearer" = ["crowdsourcing"])), params(("id" = String, Path)),
    responses((status = 200, body = DemandView), (status = 404, body = Problem)))]
async fn show_demand(
    State(state): State<AppState>,
    Extension(cs): Cs,
    ApiCaller(caller, _): ApiCaller<Crowdsourcing>,
    Path(id): Path<String>,
) -> Answer<DemandView> {
    Ok(Json(
        cs.demand_view(&state.db, &id, &caller, state.now()).await?,
    ))
}

/// 修改服务 / Change a draft, or propose a change to a listed demand (staff re-review it and
/// every provider who responded is told).
#[utoipa::path(put, path = "/api/crowdsourcing/demands/{id}", tag = "crowdsourcing",
    security(("bearer" = ["crowdsourcing"])), params(("id" = String, Path)), request_body = DemandInput,
    responses((status = 200, body = DemandView), (status = 400, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn update_demand(
    State(state): State<AppState>,
    Extension(cs): Cs,
    ApiWriter(caller, _): ApiWriter<Crowdsourcing>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<DemandInput>,
) -> Answer<DemandView> {
    Ok(Json(
        cs.update_demand(&state.db, &caller, &id, &input, state.now())
            .await?,
    ))
}

/// 状态变更 / submit, approve, return (reason), reject (reason), confirm-change,
/// refuse-change (reason), delete (a draft), request-deletion (reason), confirm-deletion,
/// refuse-deletion, accept-direct, decline-direct (reason), expire (staff).
#[utoipa::path(post, path = "/api/crowdsourcing/demands/{id}/actions/{action}", tag = "crowdsourcing",
    security(("bearer" = ["crowdsourcing"])),
    params(("id" = String, Path), ("action" = String, Path)),
    request_body(content = Option<Reason>, description = "`{\"reason\": …}` where the action takes one"),
    responses((status = 200, body = DemandView), (status = 400, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn act_on_demand(
    State(state): State<AppState>,
    Extension(cs): Cs,
    ApiWriter(caller, _): ApiWriter<Crowdsourcing>,
    Path((id, action)): Path<(String, String)>,
    OptionalReason(reason): OptionalReason,
) -> Answer<DemandView> {
    let now = state.now();
    let action = DemandAction::parse(&action.replace('-', "_"))
        .ok_or_else(|| ApiError::NotFound(format!("操作 / action {action}")))?;
    let view = match action {
        DemandAction::AcceptDirect | DemandAction::DeclineDirect => {
            cs.answer_direct(
                &state.db,
                &caller,
                &id,
                action == DemandAction::AcceptDirect,
                reason.as_deref(),
                now,
            )
            .await?
        }
        _ => {
            cs.act_on_demand(&state.db, &caller, &id, action, reason.as_deref(), now)
                .await?
        }
    };
    Ok(Json(view))
}

#[derive(Serialize, ToSchema)]
struct AuditTrail {
    entries: Vec<AuditEntry>,
}

/// 审计记录 / The audit trail of a demand and its order.
#[utoipa::path(get, path = "/api/crowdsourcing/demands/{id}/audit", tag = "crowdsourcing",
    security(("bearer" = ["crowdsourcing"])), params(("id" = String, Path)),
    responses((status = 200, body = AuditTrail), (status = 404, body = Problem)))]
async fn demand_audit(
    State(state): State<AppState>,
    Extension(cs): Cs,
    ApiCaller(caller, _): ApiCaller<Crowdsourcing>,
    Path(id): Path<String>,
) -> Answer<AuditTrail> {
    Ok(Json(AuditTrail {
        entries: cs.audit_trail(&state.db, &caller, &id).await?,
    }))
}

#[derive(Serialize, ToSchema)]
struct EscrowPayment {
    escrow: Escrow,
    /// Where the enterprise pays.
    payment: Prepay,
}

/// 托管赏金 / Pay a reward demand's fee into escrow (it is listed once paid).
#[utoipa::path(post, path = "/api/crowdsourcing/demands/{id}/escrow", tag = "crowdsourcing",
    security(("bearer" = ["crowdsourcing"])), params(("id" = String, Path)),
    responses((status = 201, body = EscrowPayment), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn pay_demand_escrow(
    State(state): State<AppState>,
    Extension(cs): Cs,
    ApiWriter(caller, _): ApiWriter<Crowdsourcing>,
    Path(id): Path<String>,
) -> Created<EscrowPayment> {
    let (escrow, payment) = cs
        .pay_demand_escrow(&state.db, &caller, &id, state.now())
        .await?;
    Ok((StatusCode::CREATED, Json(EscrowPayment { escrow, payment })))
}

/// 响应列表 / The responses (all for the owner and staff, one's own for a provider).
#[utoipa::path(get, path = "/api/crowdsourcing/demands/{id}/responses", tag = "crowdsourcing",
    security(("bearer" = ["crowdsourcing"])), params(("id" = String, Path)),
    responses((status = 200, body = Vec<ResponseView>), (status = 404, body = Problem)))]
async fn list_responses(
    State(state): State<AppState>,
    Extension(cs): Cs,
    ApiCaller(caller, _): ApiCaller<Crowdsourcing>,
    Path(id): Path<String>,
) -> Answer<Vec<ResponseView>> {
    Ok(Json(cs.responses(&state.db, &caller, &id).await?))
}

/// 项目响应 / A provider's first proposal (in reward mode, its work). One outside the
/// demand's restrictions is refused (403 `outside-restrictions`, naming which).
#[utoipa::path(post, path = "/api/crowdsourcing/demands/{id}/responses", tag = "crowdsourcing",
    security(("bearer" = ["crowdsourcing"])), params(("id" = String, Path)), request_body = ResponseInput,
    responses((status = 201, body = ResponseView), (status = 400, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn respond(
    State(state): State<AppState>,
    Extension(cs): Cs,
    ApiWriter(caller, _): ApiWriter<Crowdsourcing>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ResponseInput>,
) -> Created<ResponseView> {
    let view = cs
        .respond(&state.db, &caller, &id, &input, state.now())
        .await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// 推荐服务机构 / Providers that suit the demand, best match then best rated (owner, staff).
#[utoipa::path(get, path = "/api/crowdsourcing/demands/{id}/suggested-providers", tag = "crowdsourcing",
    security(("bearer" = ["crowdsourcing"])), params(("id" = String, Path)),
    responses((status = 200, body = Vec<ProviderView>), (status = 404, body = Problem)))]
async fn suggested_providers(
    State(state): State<AppState>,
    Extension(cs): Cs,
    ApiCaller(caller, _): ApiCaller<Crowdsourcing>,
    Path(id): Path<String>,
) -> Answer<Vec<ProviderView>> {
    Ok(Json(cs.suggested_providers(&state.db, &caller, &id).await?))
}

/// 选定 / The owner chooses a response: the winning work (reward) or the proposal as the
/// order's terms (tender).
#[utoipa::path(post, path = "/api/crowdsourcing/responses/{id}/select", tag = "crowdsourcing",
    security(("bearer" = ["crowdsourcing"])), params(("id" = String, Path)),
    responses((status = 200, body = OrderView), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn select_response(
    State(state): State<AppState>,
    Extension(cs): Cs,
    ApiWriter(caller, _): ApiWriter<Crowdsourcing>,
    Path(id): Path<String>,
) -> Answer<OrderView> {
    Ok(Json(
        cs.select_response(&state.db, &caller, &id, state.now())
            .await?,
    ))
}

/// 对接消息 / The negotiation thread of a response.
#[utoipa::path(get, path = "/api/crowdsourcing/responses/{id}/messages", tag = "crowdsourcing",
    security(("bearer" = ["crowdsourcing"])), params(("id" = String, Path)),
    responses((status = 200, body = Vec<Message>), (status = 404, body = Problem)))]
async fn thread(
    State(state): State<AppState>,
    Extension(cs): Cs,
    ApiCaller(caller, _): ApiCaller<Crowdsourcing>,
    Path(id): Path<String>,
) -> Answer<Vec<Message>> {
    Ok(Json(cs.thread(&state.db, &caller, &id).await?))
}

/// 线上服务对接 / A message, with an offer of terms (amount, days, delivery method) or not.
#[utoipa::path(post, path = "/api/crowdsourcing/responses/{id}/messages", tag = "crowdsourcing",
    security(("bearer" = ["crowdsourcing"])), params(("id" = String, Path)), request_body = MessageInput,
    responses((status = 201, body = Message), (status = 400, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn post_message(
    State(state): State<AppState>,
    Extension(cs): Cs,
    ApiWriter(caller, _): ApiWriter<Crowdsourcing>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<MessageInput>,
) -> Created<Message> {
    let message = cs
        .post_message(&state.db, &caller, &id, &input, state.now())
        .await?;
    Ok((StatusCode::CREATED, Json(message)))
}

/// 接受报价 / The other side accepts an open offer: the deal is made on its terms.
#[utoipa::path(post, path = "/api/crowdsourcing/responses/{id}/messages/{message_id}/accept", tag = "crowdsourcing",
    security(("bearer" = ["crowdsourcing"])), params(("id" = String, Path), ("message_id" = String, Path)),
    responses((status = 200, body = OrderView), (status = 400, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn accept_offer(
    State(state): State<AppState>,
    Extension(cs): Cs,
    ApiWriter(caller, _): ApiWriter<Crowdsourcing>,
    Path((id, message_id)): Path<(String, String)>,
) -> Answer<OrderView> {
    Ok(Json(
        cs.accept_offer(&state.db, &caller, &id, &message_id, state.now())
            .await?,
    ))
}

/// 服务机构信息 / The caller's organisation's profile as its 5.1 record (ORG_ID is set by the
/// platform; AREA_COUNTY is required).
#[utoipa::path(put, path = "/api/crowdsourcing/providers/me", tag = "crowdsourcing",
    security(("bearer" = ["crowdsourcing"])), request_body = Object,
    responses((status = 200, body = ProviderView), (status = 400, body = Problem),
        (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn save_profile(
    State(state): State<AppState>,
    Extension(cs): Cs,
    ApiWriter(caller, _): ApiWriter<Crowdsourcing>,
    ApiJson(record): ApiJson<Value>,
) -> Answer<ProviderView> {
    Ok(Json(
        cs.save_profile(&state.db, &caller, record, state.now())
            .await?,
    ))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct LimitParams {
    /// At most 100 (default 50).
    limit: Option<i64>,
}

/// 精准推送 / Open demands that suit the caller's organisation, newest first.
#[utoipa::path(get, path = "/api/crowdsourcing/providers/me/matching-demands", tag = "crowdsourcing",
    security(("bearer" = ["crowdsourcing"])), params(LimitParams),
    responses((status = 200, body = Vec<Demand>), (status = 403, body = Problem)))]
async fn matching_demands(
    State(state): State<AppState>,
    Extension(cs): Cs,
    ApiCaller(caller, _): ApiCaller<Crowdsourcing>,
    Query(params): Query<LimitParams>,
) -> Answer<Vec<Demand>> {
    Ok(Json(
        cs.matching_demands(&state.db, &caller, state.now(), params.limit.unwrap_or(50))
            .await?,
    ))
}

/// 服务机构 / A provider's profile, products and comprehensive rating.
#[utoipa::path(get, path = "/api/crowdsourcing/providers/{id}", tag = "crowdsourcing",
    security(("bearer" = ["crowdsourcing"])), params(("id" = String, Path, description = "the organisation id")),
    responses((status = 200, body = ProviderView), (status = 404, body = Problem)))]
async fn show_provider(
    State(state): State<AppState>,
    Extension(cs): Cs,
    _caller: ApiCaller<Crowdsourcing>,
    Path(id): Path<String>,
) -> Answer<ProviderView> {
    Ok(Json(cs.provider_view(&state.db, &id).await?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ProductFilter {
    class: Option<String>,
    /// A provider's organisation id.
    provider: Option<String>,
}

/// 服务产品 / Service products, by class or provider (at most 200).
#[utoipa::path(get, path = "/api/crowdsourcing/products", tag = "crowdsourcing", params(ProductFilter),
    security(("bearer" = ["crowdsourcing"])),
    responses((status = 200, body = Vec<Product>)))]
async fn list_products(
    State(state): State<AppState>,
    Extension(cs): Cs,
    _caller: ApiCaller<Crowdsourcing>,
    Query(f): Query<ProductFilter>,
) -> Answer<Vec<Product>> {
    Ok(Json(
        cs.products(&state.db, f.class.as_deref(), f.provider.as_deref())
            .await?,
    ))
}

/// 发布服务产品 / A new service product as its 5.2 record (SERVICE_ITEM_ID, OWNER_ID and
/// REGISTER_DATE are set by the platform).
#[utoipa::path(post, path = "/api/crowdsourcing/products", tag = "crowdsourcing",
    security(("bearer" = ["crowdsourcing"])), request_body = Object,
    responses((status = 201, body = Product), (status = 400, body = Problem),
        (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn add_product(
    State(state): State<AppState>,
    Extension(cs): Cs,
    ApiWriter(caller, _): ApiWriter<Crowdsourcing>,
    ApiJson(record): ApiJson<Value>,
) -> Created<Product> {
    let product = cs
        .add_product(&state.db, &caller, record, state.now())
        .await?;
    Ok((StatusCode::CREATED, Json(product)))
}

#[derive(Serialize, ToSchema)]
struct ReviewQueue {
    /// Submitted demands, changes and deletions to re-review.
    demands: Vec<DemandView>,
    /// Subsidy applications, key incubation projects first.
    subsidies: Vec<Subsidy>,
    /// Orders in dispute.
    disputes: Vec<Order>,
}

/// 审核队列 / What waits for staff.
#[utoipa::path(get, path = "/api/crowdsourcing/review-queue", tag = "crowdsourcing",
    security(("bearer" = ["crowdsourcing", "crowdsourcing:staff"])),
    responses((status = 200, body = ReviewQueue), (status = 403, body = Problem)))]
async fn review_queue(
    State(state): State<AppState>,
    Extension(cs): Cs,
    ApiStaff(caller, _): ApiStaff<Crowdsourcing>,
) -> Answer<ReviewQueue> {
    Ok(Json(ReviewQueue {
        demands: cs.demand_queue(&state.db, &caller, state.now()).await?,
        subsidies: cs.subsidy_queue(&state.db).await?,
        disputes: cs
            .orders(&state.db, &caller, Some(OrderState::Disputed))
            .await?,
    }))
}

/// 重点孵化项目 / Dealt demands on the key incubation list, newest deal first: for staff and
/// for the financing side (bank officers, fund managers), who give them priority.
#[utoipa::path(get, path = "/api/crowdsourcing/key-projects", tag = "crowdsourcing",
    security(("bearer" = ["crowdsourcing"])),
    responses((status = 200, body = Vec<Demand>), (status = 403, body = Problem)))]
async fn key_projects(
    State(state): State<AppState>,
    Extension(cs): Cs,
    ApiCaller(caller, _): ApiCaller<Crowdsourcing>,
) -> Answer<Vec<Demand>> {
    Ok(Json(cs.key_projects(&state.db, &caller).await?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct StatisticsParams {
    /// `true`: count now instead of answering the last count (seconds on a million orders).
    fresh: Option<bool>,
}

/// 数据统计 / Counts, amounts, rates (as last counted by the scheduler, `computed_at`), and the
/// subsidies and budget left (live) (staff).
#[utoipa::path(get, path = "/api/crowdsourcing/statistics", tag = "crowdsourcing", params(StatisticsParams),
    security(("bearer" = ["crowdsourcing", "crowdsourcing:staff"])),
    responses((status = 200, body = Snapshot), (status = 403, body = Problem), (status = 409, body = Problem)))]
async fn statistics(
    State(state): State<AppState>,
    Extension(cs): Cs,
    ApiStaff(caller, _): ApiStaff<Crowdsourcing>,
    Query(params): Query<StatisticsParams>,
) -> Answer<Snapshot> {
    let now = state.now();
    if params.fresh == Some(true) {
        // Counting again runs under the job's lease, never beside the scheduler's.
        state
            .jobs
            .exclusive(STATISTICS_JOB, cs.refresh_statistics(&state.db, now))
            .await
            .map_err(ApiError::internal)?
            .ok_or_else(|| {
                ApiError::Conflict(
                    "统计正在另一实例上进行，请稍后再试 / the statistics are being counted on another instance; try again shortly".into(),
                )
            })??;
    }
    Ok(Json(cs.statistics(&state.db, &caller, now, false).await?))
}

#[derive(Serialize, ToSchema)]
struct SchedulerRun {
    auto_accepted: usize,
    expired: usize,
    budget: Budget,
}

/// 立即运行 / Staff: accept silent deliveries and close expired demands now.
#[utoipa::path(post, path = "/api/crowdsourcing/scheduler/run", tag = "crowdsourcing",
    security(("bearer" = ["crowdsourcing", "crowdsourcing:staff"])),
    responses((status = 200, body = SchedulerRun), (status = 403, body = Problem), (status = 409, body = Problem)))]
async fn run_scheduler(
    State(state): State<AppState>,
    Extension(cs): Cs,
    _staff: ApiStaff<Crowdsourcing>,
) -> Answer<SchedulerRun> {
    let now = state.now();
    let busy = || {
        ApiError::Conflict(
            "任务正在另一实例上运行，请稍后再试 / the job is running on another instance; try again shortly".into(),
        )
    };
    let auto_accepted = state
        .jobs
        .exclusive(AUTO_ACCEPT_JOB, cs.auto_accept_due(&state.db, now))
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(busy)??;
    let expired = state
        .jobs
        .exclusive(EXPIRE_JOB, cs.expire_due(&state.db, now))
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(busy)??;
    Ok(Json(SchedulerRun {
        auto_accepted,
        expired,
        budget: cs
            .budget(&state.db, super::subsidies::china_year(now))
            .await?,
    }))
}

#[derive(Serialize, ToSchema)]
struct Acknowledged {
    /// `SUCCESS`
    code: &'static str,
}

/// 支付通知 / The gateway's signed notification (`X-Sandbox-Signature`), for any platform's
/// payment. Nothing in it is trusted before its signature verifies.
#[utoipa::path(post, path = "/api/crowdsourcing/payments/notify", tag = "crowdsourcing",
    params(("X-Sandbox-Signature" = String, Header)),
    request_body(content = Object, content_type = "application/json", description = "The gateway's notification, exactly as signed"),
    responses((status = 200, body = Acknowledged), (status = 401, body = Problem)))]
async fn notify(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Answer<Acknowledged> {
    let signature = headers
        .get("x-sandbox-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    state
        .payments
        .dispatch(&state.db, &body, signature, state.now())
        .await?;
    Ok(Json(Acknowledged { code: "SUCCESS" }))
}
