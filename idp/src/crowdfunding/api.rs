//! `/api/crowdfunding`: the product crowdfunding platform (scope `crowdfunding`) and the payment
//! notification endpoint. Each handler's OpenAPI operation sits on it, and the router and the
//! document are built together (`utoipa-axum`), so the two cannot drift apart.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::{Extension, Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::model::{
    AuditEntry, DeliveryInput, Order, OrderInput, ProjectInput, ProjectView, ReportedProject,
};
use super::{
    Action, CATEGORIES, CLOSE_DUE_JOB, CrowdfundingError, RELEASE_UNPAID_JOB, SCOPE, STAFF_SCOPE,
    Service, find_order, find_project,
};
use crate::error::{ApiError, Problem};
use crate::platform::kit::api::{
    ApiCaller, ApiJson, ApiStaff, ApiWriter, Area, OptionalReason, Reason,
};
use crate::state::AppState;

/// Crowdfunding's part of the API: its scope and its staff scope.
pub struct Crowdfunding;

impl Area for Crowdfunding {
    const SCOPE: &'static str = SCOPE;
    const STAFF_SCOPE: Option<&'static str> = Some(STAFF_SCOPE);
}

type Cf = Extension<Arc<Service>>;
type Answer<T> = Result<Json<T>, ApiError>;
type Created<T> = Result<(StatusCode, Json<T>), ApiError>;

#[derive(OpenApi)]
#[openapi(
    tags((name = "crowdfunding", description = "产品众筹平台 / Product crowdfunding (seed 二.1)")),
    components(schemas(Problem))
)]
struct Doc;

fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(Doc::openapi())
        .routes(routes!(categories))
        .routes(routes!(list, create))
        .routes(routes!(show, update))
        .routes(routes!(act))
        .routes(routes!(audit))
        .routes(routes!(order))
        .routes(routes!(apply_subsidy))
        .routes(routes!(decide_subsidy))
        .routes(routes!(show_order))
        .routes(routes!(deliver))
        .routes(routes!(evaluate))
        .routes(routes!(notify))
        .routes(routes!(run_scheduler))
}

pub fn router() -> Router<AppState> {
    routes().split_for_parts().0
}

pub fn openapi() -> utoipa::openapi::OpenApi {
    routes().split_for_parts().1
}

/// The one mapping from the platform's errors to problem documents; a refused transition is
/// 409 with the current state and what is allowed.
impl From<CrowdfundingError> for ApiError {
    fn from(e: CrowdfundingError) -> Self {
        match e {
            CrowdfundingError::Transition(r) => {
                ApiError::transition_refused(r.current, &r.allowed, &r.reason_zh, &r.reason_en)
            }
            CrowdfundingError::SoldOut {
                ref reward_id,
                left,
            } => ApiError::refused(StatusCode::CONFLICT, "sold-out", e.to_string())
                .with("reward_id", json!(reward_id))
                .with("left", json!(left)),
            CrowdfundingError::InvalidFields(errors) => ApiError::invalid_fields(&errors),
            CrowdfundingError::NotFound(what) => ApiError::NotFound(what),
            CrowdfundingError::Forbidden(why) => ApiError::Forbidden(why),
            CrowdfundingError::Invalid(why) => ApiError::BadRequest(why),
            CrowdfundingError::Gateway(e) => {
                ApiError::BadRequest(format!("支付网关出错 / payment gateway: {e}"))
            }
            CrowdfundingError::Db(e) => ApiError::internal(e),
        }
    }
}

#[derive(Serialize, ToSchema)]
struct Categories {
    categories: Vec<&'static str>,
}

/// 项目分类 / The nine categories.
#[utoipa::path(get, path = "/api/crowdfunding/categories", tag = "crowdfunding",
    responses((status = 200, body = Categories)))]
async fn categories() -> Json<Categories> {
    Json(Categories {
        categories: CATEGORIES.to_vec(),
    })
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ListParams {
    /// One of the categories.
    category: Option<String>,
    /// `newest` (default), `ending` or `popular`.
    sort: Option<String>,
}

#[derive(Serialize, ToSchema)]
struct ProjectList {
    items: Vec<ProjectView>,
    /// Projects known only from the catalogue, reported by carriers' own systems.
    reported: Vec<ReportedProject>,
}

/// 项目展示 / Listed projects.
#[utoipa::path(get, path = "/api/crowdfunding/projects", tag = "crowdfunding", params(ListParams),
    security(("bearer" = ["crowdfunding"])),
    responses((status = 200, body = ProjectList), (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn list(
    State(state): State<AppState>,
    Extension(cf): Cf,
    _caller: ApiCaller<Crowdfunding>,
    Query(p): Query<ListParams>,
) -> Answer<ProjectList> {
    let items = cf
        .list(
            &state.db,
            p.category.as_deref(),
            p.sort.as_deref().unwrap_or("newest"),
            state.now(),
        )
        .await?;
    let reported = cf.reported_elsewhere(&state.db).await?;
    Ok(Json(ProjectList { items, reported }))
}

/// 发起众筹 / A new draft.
#[utoipa::path(post, path = "/api/crowdfunding/projects", tag = "crowdfunding",
    security(("bearer" = ["crowdfunding"])), request_body = ProjectInput,
    responses((status = 201, body = ProjectView), (status = 400, body = Problem),
        (status = 403, body = Problem), (status = 422, body = Problem), (status = 423, body = Problem)))]
async fn create(
    State(state): State<AppState>,
    Extension(cf): Cf,
    ApiWriter(caller, _): ApiWriter<Crowdfunding>,
    ApiJson(input): ApiJson<ProjectInput>,
) -> Created<ProjectView> {
    let view = cf
        .create_draft(&state.db, &caller, &input, state.now())
        .await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// 项目详情与进度 / A project and its progress.
#[utoipa::path(get, path = "/api/crowdfunding/projects/{id}", tag = "crowdfunding",
    security(("bearer" = ["crowdfunding"])), params(("id" = String, Path)),
    responses((status = 200, body = ProjectView), (status = 404, body = Problem)))]
async fn show(
    State(state): State<AppState>,
    Extension(cf): Cf,
    ApiCaller(caller, _): ApiCaller<Crowdfunding>,
    Path(id): Path<String>,
) -> Answer<ProjectView> {
    Ok(Json(
        cf.view(&state.db, &id, Some(&caller), state.now()).await?,
    ))
}

/// 修改草稿 / Edit the draft.
#[utoipa::path(put, path = "/api/crowdfunding/projects/{id}", tag = "crowdfunding",
    security(("bearer" = ["crowdfunding"])), params(("id" = String, Path)), request_body = ProjectInput,
    responses((status = 200, body = ProjectView), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn update(
    State(state): State<AppState>,
    Extension(cf): Cf,
    ApiWriter(caller, _): ApiWriter<Crowdfunding>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ProjectInput>,
) -> Answer<ProjectView> {
    Ok(Json(
        cf.update_draft(&state.db, &caller, &id, &input, state.now())
            .await?,
    ))
}

/// 状态变更 / submit, approve, return (reason), reject (reason), request-deletion (reason),
/// delete, close (staff: close an ended project now).
#[utoipa::path(post, path = "/api/crowdfunding/projects/{id}/actions/{action}", tag = "crowdfunding",
    security(("bearer" = ["crowdfunding"])),
    params(("id" = String, Path), ("action" = String, Path, description = "submit, approve, return, reject, request-deletion, delete or close")),
    request_body(content = Option<Reason>, description = "`{\"reason\": …}` where the action takes one"),
    responses((status = 200, body = ProjectView), (status = 400, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn act(
    State(state): State<AppState>,
    Extension(cf): Cf,
    ApiWriter(caller, _): ApiWriter<Crowdfunding>,
    Path((id, action)): Path<(String, String)>,
    OptionalReason(reason): OptionalReason,
) -> Answer<ProjectView> {
    let action = match action.as_str() {
        "submit" => Action::Submit,
        "approve" => Action::Approve,
        "return" => Action::Return,
        "reject" => Action::Reject,
        "request-deletion" => Action::RequestDeletion,
        "delete" => Action::Delete,
        "close" => Action::Close,
        other => {
            return Err(ApiError::NotFound(format!("操作 / action {other}")));
        }
    };
    if action == Action::Close {
        // Staff may close an ended project at once instead of waiting for the scheduler; the
        // closing runs under the job's lease like the scheduler's.
        if !caller.is_staff() {
            return Err(staff_only());
        }
        exclusively(&state, CLOSE_DUE_JOB, cf.close_due(&state.db, state.now())).await??;
        return Ok(Json(
            cf.view(&state.db, &id, Some(&caller), state.now()).await?,
        ));
    }
    Ok(Json(
        cf.act(
            &state.db,
            &caller,
            &id,
            action,
            reason.as_deref(),
            state.now(),
        )
        .await?,
    ))
}

fn staff_only() -> ApiError {
    ApiError::Forbidden(format!(
        "只有平台工作人员可以这样做，令牌须带 {STAFF_SCOPE} 范围 / staff only: the token needs the {STAFF_SCOPE} scope"
    ))
}

/// Runs `work` holding the lease of the job `name`, so that it never overlaps the scheduler on
/// any instance; 409 while another instance holds it.
async fn exclusively<T>(
    state: &AppState,
    name: &str,
    work: impl Future<Output = T>,
) -> Result<T, ApiError> {
    match state
        .jobs
        .exclusive(name, work)
        .await
        .map_err(ApiError::internal)?
    {
        Some(out) => Ok(out),
        None => Err(ApiError::Conflict(
            "结算正在另一实例上进行，请稍后再试 / settlement is running on another instance; try again shortly".into(),
        )),
    }
}

#[derive(Serialize, ToSchema)]
struct AuditTrail {
    entries: Vec<AuditEntry>,
}

/// 审计记录 / The audit trail (initiator and staff).
#[utoipa::path(get, path = "/api/crowdfunding/projects/{id}/audit", tag = "crowdfunding",
    security(("bearer" = ["crowdfunding"])), params(("id" = String, Path)),
    responses((status = 200, body = AuditTrail), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn audit(
    State(state): State<AppState>,
    Extension(cf): Cf,
    ApiCaller(caller, _): ApiCaller<Crowdfunding>,
    Path(id): Path<String>,
) -> Answer<AuditTrail> {
    Ok(Json(AuditTrail {
        entries: cf.audit_trail(&state.db, &caller, &id).await?,
    }))
}

#[derive(Serialize, ToSchema)]
struct PlacedOrder {
    order: Order,
    /// Where the backer pays.
    payment: super::payments::Prepay,
}

/// 参与众筹 / Back a reward.
#[utoipa::path(post, path = "/api/crowdfunding/projects/{id}/orders", tag = "crowdfunding",
    security(("bearer" = ["crowdfunding"])), params(("id" = String, Path)), request_body = OrderInput,
    responses((status = 201, body = PlacedOrder), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn order(
    State(state): State<AppState>,
    Extension(cf): Cf,
    ApiWriter(caller, _): ApiWriter<Crowdfunding>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<OrderInput>,
) -> Created<PlacedOrder> {
    let (order, payment) = cf
        .place_order(&state.db, &caller, &id, &input, state.now())
        .await?;
    Ok((StatusCode::CREATED, Json(PlacedOrder { order, payment })))
}

/// 众筹补贴申请 / Apply for an innovation voucher.
#[utoipa::path(post, path = "/api/crowdfunding/projects/{id}/subsidy", tag = "crowdfunding",
    security(("bearer" = ["crowdfunding"])), params(("id" = String, Path)),
    responses((status = 200, body = ProjectView), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn apply_subsidy(
    State(state): State<AppState>,
    Extension(cf): Cf,
    ApiWriter(caller, _): ApiWriter<Crowdfunding>,
    Path(id): Path<String>,
) -> Answer<ProjectView> {
    Ok(Json(
        cf.apply_subsidy(&state.db, &caller, &id, state.now())
            .await?,
    ))
}

/// 审批创新券 / Staff decide a voucher.
#[utoipa::path(post, path = "/api/crowdfunding/projects/{id}/subsidy/{decision}", tag = "crowdfunding",
    security(("bearer" = ["crowdfunding", "crowdfunding:staff"])),
    params(("id" = String, Path), ("decision" = String, Path, description = "approve or reject")),
    request_body(content = Option<Reason>, description = "`{\"reason\": …}`"),
    responses((status = 200, body = ProjectView), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn decide_subsidy(
    State(state): State<AppState>,
    Extension(cf): Cf,
    ApiCaller(caller, _): ApiCaller<Crowdfunding>,
    Path((id, decision)): Path<(String, String)>,
    OptionalReason(reason): OptionalReason,
) -> Answer<ProjectView> {
    let approve = match decision.as_str() {
        "approve" => true,
        "reject" => false,
        other => {
            return Err(ApiError::NotFound(format!("决定 / decision {other}")));
        }
    };
    Ok(Json(
        cf.decide_subsidy(
            &state.db,
            &caller,
            &id,
            approve,
            reason.as_deref(),
            state.now(),
        )
        .await?,
    ))
}

/// 订单 / An order (backer, initiator, staff).
#[utoipa::path(get, path = "/api/crowdfunding/orders/{id}", tag = "crowdfunding",
    security(("bearer" = ["crowdfunding"])), params(("id" = String, Path)),
    responses((status = 200, body = Order), (status = 404, body = Problem)))]
async fn show_order(
    State(state): State<AppState>,
    ApiCaller(caller, _): ApiCaller<Crowdfunding>,
    Path(id): Path<String>,
) -> Answer<Order> {
    let order = find_order(&state.db, &id).await?;
    let project = find_project(&state.db, &order.project_id).await?;
    let mine = order.backer_user_id == caller.user_id
        || caller.belongs_to(&project.organisation_id)
        || caller.is_staff();
    if !mine {
        return Err(ApiError::NotFound(format!("订单 / order {id}")));
    }
    Ok(Json(order))
}

/// 发货 / The initiator records a delivery.
#[utoipa::path(post, path = "/api/crowdfunding/orders/{id}/delivery", tag = "crowdfunding",
    security(("bearer" = ["crowdfunding"])), params(("id" = String, Path)), request_body = DeliveryInput,
    responses((status = 200, body = Order), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn deliver(
    State(state): State<AppState>,
    Extension(cf): Cf,
    ApiWriter(caller, _): ApiWriter<Crowdfunding>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<DeliveryInput>,
) -> Answer<Order> {
    Ok(Json(
        cf.deliver(&state.db, &caller, &id, &input, state.now())
            .await?,
    ))
}

#[derive(Deserialize, ToSchema)]
struct EvaluationInput {
    /// 1 to 5.
    evaluation: i64,
    remark: Option<String>,
}

/// 评价 / The backer evaluates (1–5).
#[utoipa::path(post, path = "/api/crowdfunding/orders/{id}/evaluation", tag = "crowdfunding",
    security(("bearer" = ["crowdfunding"])), params(("id" = String, Path)), request_body = EvaluationInput,
    responses((status = 200, body = Order), (status = 400, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn evaluate(
    State(state): State<AppState>,
    Extension(cf): Cf,
    ApiWriter(caller, _): ApiWriter<Crowdfunding>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<EvaluationInput>,
) -> Answer<Order> {
    Ok(Json(
        cf.evaluate(
            &state.db,
            &caller,
            &id,
            input.evaluation,
            input.remark.as_deref(),
            state.now(),
        )
        .await?,
    ))
}

#[derive(Serialize, ToSchema)]
struct Acknowledged {
    /// `SUCCESS`
    code: &'static str,
}

/// 支付通知 / The gateway's signed notification (`X-Sandbox-Signature`). Nothing in it is
/// trusted before its signature verifies.
#[utoipa::path(post, path = "/api/crowdfunding/payments/notify", tag = "crowdfunding",
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

#[derive(Serialize, ToSchema)]
struct Settlement {
    closed: usize,
    released_unpaid_orders: usize,
}

/// 立即结算 / Staff: close ended projects and release unpaid orders now.
#[utoipa::path(post, path = "/api/crowdfunding/scheduler/run", tag = "crowdfunding",
    security(("bearer" = ["crowdfunding", "crowdfunding:staff"])),
    responses((status = 200, body = Settlement), (status = 403, body = Problem), (status = 409, body = Problem)))]
async fn run_scheduler(
    State(state): State<AppState>,
    Extension(cf): Cf,
    _staff: ApiStaff<Crowdfunding>,
) -> Answer<Settlement> {
    let released = exclusively(
        &state,
        RELEASE_UNPAID_JOB,
        cf.release_unpaid(&state.db, state.now()),
    )
    .await??;
    let closed = exclusively(&state, CLOSE_DUE_JOB, cf.close_due(&state.db, state.now())).await??;
    Ok(Json(Settlement {
        closed,
        released_unpaid_orders: released,
    }))
}
