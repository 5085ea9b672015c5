//! The service order's part of `/api/crowdsourcing`: orders, escrow, attachments, delivery and
//! acceptance, disputes, evaluation and service subsidies.

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::super::CrowdsourcingError;
use super::super::lifecycle::OrderState;
use super::super::model::*;
use super::{Answer, Created, Crowdsourcing, Cs, EscrowPayment};
use crate::error::{ApiError, Problem};
use crate::platform::kit::api::{ApiCaller, ApiJson, ApiStaff, ApiWriter, OptionalReason, Reason};
use crate::state::AppState;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct OrderFilter {
    state: Option<OrderState>,
}

/// 服务订单 / The caller's orders (either side; staff: all), newest first.
#[utoipa::path(get, path = "/api/crowdsourcing/orders", tag = "crowdsourcing", params(OrderFilter),
    security(("bearer" = ["crowdsourcing"])),
    responses((status = 200, body = Vec<Order>)))]
pub(super) async fn list_orders(
    State(state): State<AppState>,
    Extension(cs): Cs,
    ApiCaller(caller, _): ApiCaller<Crowdsourcing>,
    Query(filter): Query<OrderFilter>,
) -> Answer<Vec<Order>> {
    Ok(Json(cs.orders(&state.db, &caller, filter.state).await?))
}

/// 订单详情 / An order with its escrow, deliveries, disputes, evaluations and subsidy.
#[utoipa::path(get, path = "/api/crowdsourcing/orders/{id}", tag = "crowdsourcing",
    security(("bearer" = ["crowdsourcing"])), params(("id" = String, Path)),
    responses((status = 200, body = OrderView), (status = 404, body = Problem)))]
pub(super) async fn show_order(
    State(state): State<AppState>,
    Extension(cs): Cs,
    ApiCaller(caller, _): ApiCaller<Crowdsourcing>,
    Path(id): Path<String>,
) -> Answer<OrderView> {
    Ok(Json(
        cs.order_view(&state.db, &caller, &id, state.now()).await?,
    ))
}

/// 托管费用 / The enterprise pays the agreed amount into escrow; the work starts once paid.
#[utoipa::path(post, path = "/api/crowdsourcing/orders/{id}/escrow", tag = "crowdsourcing",
    security(("bearer" = ["crowdsourcing"])), params(("id" = String, Path)),
    responses((status = 201, body = EscrowPayment), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub(super) async fn pay_order_escrow(
    State(state): State<AppState>,
    Extension(cs): Cs,
    ApiWriter(caller, _): ApiWriter<Crowdsourcing>,
    Path(id): Path<String>,
) -> Created<EscrowPayment> {
    let (escrow, payment) = cs
        .pay_order_escrow(&state.db, &caller, &id, state.now())
        .await?;
    Ok((StatusCode::CREATED, Json(EscrowPayment { escrow, payment })))
}

/// 取消 / Either side calls the order off before the escrow is paid.
#[utoipa::path(post, path = "/api/crowdsourcing/orders/{id}/cancel", tag = "crowdsourcing",
    security(("bearer" = ["crowdsourcing"])), params(("id" = String, Path)),
    request_body(content = Option<Reason>, description = "`{\"reason\": …}`"),
    responses((status = 200, body = OrderView), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub(super) async fn cancel_order(
    State(state): State<AppState>,
    Extension(cs): Cs,
    ApiWriter(caller, _): ApiWriter<Crowdsourcing>,
    Path(id): Path<String>,
    OptionalReason(reason): OptionalReason,
) -> Answer<OrderView> {
    Ok(Json(
        cs.cancel_order(&state.db, &caller, &id, reason.as_deref(), state.now())
            .await?,
    ))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct AttachmentParams {
    /// The file's name.
    name: String,
}

/// 上传附件 / The body is the file (its `Content-Type` kept), at most the policy's size
/// (default 5 MiB; 413 past it).
#[utoipa::path(post, path = "/api/crowdsourcing/orders/{id}/attachments", tag = "crowdsourcing",
    security(("bearer" = ["crowdsourcing"])), params(("id" = String, Path), AttachmentParams),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = Attachment), (status = 400, body = Problem),
        (status = 404, body = Problem), (status = 413, body = Problem)))]
pub(super) async fn upload_attachment(
    State(state): State<AppState>,
    Extension(cs): Cs,
    ApiWriter(caller, _): ApiWriter<Crowdsourcing>,
    Path(id): Path<String>,
    Query(params): Query<AttachmentParams>,
    headers: HeaderMap,
    body: Body,
) -> Created<Attachment> {
    let limit = cs.policy.max_attachment_bytes;
    // Read one byte past the limit at most: a larger body is refused without being held.
    let content = axum::body::to_bytes(body, limit + 1)
        .await
        .map_err(|_| ApiError::from(CrowdsourcingError::TooLarge { limit }))?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/octet-stream");
    let attachment = cs
        .upload_attachment(
            &state.db,
            &caller,
            &id,
            crate::crowdsourcing::orders::Upload {
                name: &params.name,
                content_type,
                content: &content,
            },
            state.now(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(attachment)))
}

/// 下载附件 / An attachment (the order's two sides and staff).
#[utoipa::path(get, path = "/api/crowdsourcing/attachments/{id}", tag = "crowdsourcing",
    security(("bearer" = ["crowdsourcing"])), params(("id" = String, Path)),
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>), (status = 404, body = Problem)))]
pub(super) async fn download_attachment(
    State(state): State<AppState>,
    Extension(cs): Cs,
    ApiCaller(caller, _): ApiCaller<Crowdsourcing>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let (attachment, content) = cs.attachment(&state.db, &caller, &id).await?;
    // Served as a download, never rendered on this site.
    let disposition = format!(
        "attachment; filename=\"{}\"; filename*=UTF-8''{}",
        attachment.id,
        url::form_urlencoded::byte_serialize(attachment.name.as_bytes()).collect::<String>()
    );
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        content,
    )
        .into_response())
}

/// 交付 / The provider delivers: a note, links and uploaded attachments.
#[utoipa::path(post, path = "/api/crowdsourcing/orders/{id}/deliveries", tag = "crowdsourcing",
    security(("bearer" = ["crowdsourcing"])), params(("id" = String, Path)), request_body = DeliveryInput,
    responses((status = 200, body = OrderView), (status = 400, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem)))]
pub(super) async fn deliver(
    State(state): State<AppState>,
    Extension(cs): Cs,
    ApiWriter(caller, _): ApiWriter<Crowdsourcing>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<DeliveryInput>,
) -> Answer<OrderView> {
    Ok(Json(
        cs.deliver(&state.db, &caller, &id, &input, state.now())
            .await?,
    ))
}

/// 验收 / The enterprise accepts the delivery; the escrow is released to the provider.
#[utoipa::path(post, path = "/api/crowdsourcing/orders/{id}/accept", tag = "crowdsourcing",
    security(("bearer" = ["crowdsourcing"])), params(("id" = String, Path)),
    responses((status = 200, body = OrderView), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub(super) async fn accept_delivery(
    State(state): State<AppState>,
    Extension(cs): Cs,
    ApiWriter(caller, _): ApiWriter<Crowdsourcing>,
    Path(id): Path<String>,
) -> Answer<OrderView> {
    Ok(Json(
        cs.accept_delivery(&state.db, &caller, &id, state.now())
            .await?,
    ))
}

/// 退回返工 / The enterprise sends the delivery back with a reason (up to the policy's
/// rounds, default 3).
#[utoipa::path(post, path = "/api/crowdsourcing/orders/{id}/rework", tag = "crowdsourcing",
    security(("bearer" = ["crowdsourcing"])), params(("id" = String, Path)),
    request_body(content = Reason, description = "`{\"reason\": …}`"),
    responses((status = 200, body = OrderView), (status = 400, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem)))]
pub(super) async fn request_rework(
    State(state): State<AppState>,
    Extension(cs): Cs,
    ApiWriter(caller, _): ApiWriter<Crowdsourcing>,
    Path(id): Path<String>,
    OptionalReason(reason): OptionalReason,
) -> Answer<OrderView> {
    Ok(Json(
        cs.request_rework(&state.db, &caller, &id, reason.as_deref(), state.now())
            .await?,
    ))
}

/// 发起争议 / Either side opens a dispute with a reason and evidence.
#[utoipa::path(post, path = "/api/crowdsourcing/orders/{id}/dispute", tag = "crowdsourcing",
    security(("bearer" = ["crowdsourcing"])), params(("id" = String, Path)), request_body = DisputeInput,
    responses((status = 200, body = OrderView), (status = 400, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem)))]
pub(super) async fn open_dispute(
    State(state): State<AppState>,
    Extension(cs): Cs,
    ApiWriter(caller, _): ApiWriter<Crowdsourcing>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<DisputeInput>,
) -> Answer<OrderView> {
    Ok(Json(
        cs.open_dispute(&state.db, &caller, &id, &input, state.now())
            .await?,
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct AnswerInput {
    answer: String,
}

/// 答复争议 / The other side answers.
#[utoipa::path(post, path = "/api/crowdsourcing/orders/{id}/dispute/answer", tag = "crowdsourcing",
    security(("bearer" = ["crowdsourcing"])), params(("id" = String, Path)), request_body = AnswerInput,
    responses((status = 200, body = OrderView), (status = 400, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem)))]
pub(super) async fn answer_dispute(
    State(state): State<AppState>,
    Extension(cs): Cs,
    ApiWriter(caller, _): ApiWriter<Crowdsourcing>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<AnswerInput>,
) -> Answer<OrderView> {
    Ok(Json(
        cs.answer_dispute(&state.db, &caller, &id, &input.answer, state.now())
            .await?,
    ))
}

/// 裁决争议 / Staff decide: release, partial refund (an amount) or full refund.
#[utoipa::path(post, path = "/api/crowdsourcing/orders/{id}/dispute/decision", tag = "crowdsourcing",
    security(("bearer" = ["crowdsourcing", "crowdsourcing:staff"])), params(("id" = String, Path)), request_body = DecisionInput,
    responses((status = 200, body = OrderView), (status = 400, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem)))]
pub(super) async fn decide_dispute(
    State(state): State<AppState>,
    Extension(cs): Cs,
    ApiStaff(caller, _): ApiStaff<Crowdsourcing>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<DecisionInput>,
) -> Answer<OrderView> {
    Ok(Json(
        cs.decide_dispute(&state.db, &caller, &id, &input, state.now())
            .await?,
    ))
}

/// 服务评价 / Each side rates the other once, on the seed's scale: 1 = 非常满意 (best) … 5 =
/// 差 (worst); lower is better. The enterprise gives `quality`, `cycle`, `on_time`; the
/// provider `communication`, `payment`.
#[utoipa::path(post, path = "/api/crowdsourcing/orders/{id}/evaluation", tag = "crowdsourcing",
    security(("bearer" = ["crowdsourcing"])), params(("id" = String, Path)), request_body = EvaluationInput,
    responses((status = 200, body = OrderView), (status = 400, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem)))]
pub(super) async fn evaluate(
    State(state): State<AppState>,
    Extension(cs): Cs,
    ApiWriter(caller, _): ApiWriter<Crowdsourcing>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<EvaluationInput>,
) -> Answer<OrderView> {
    Ok(Json(
        cs.evaluate(&state.db, &caller, &id, &input, state.now())
            .await?,
    ))
}

/// 申请服务补贴 / The enterprise applies for a service subsidy (50 % of the order by default,
/// within its yearly cap).
#[utoipa::path(post, path = "/api/crowdsourcing/orders/{id}/subsidy", tag = "crowdsourcing",
    security(("bearer" = ["crowdsourcing"])), params(("id" = String, Path)),
    responses((status = 200, body = OrderView), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub(super) async fn apply_subsidy(
    State(state): State<AppState>,
    Extension(cs): Cs,
    ApiWriter(caller, _): ApiWriter<Crowdsourcing>,
    Path(id): Path<String>,
) -> Answer<OrderView> {
    Ok(Json(
        cs.apply_subsidy(&state.db, &caller, &id, state.now())
            .await?,
    ))
}

/// 审批服务补贴 / Staff approve or reject; approval never passes the year's budget or the
/// enterprise's cap (409 `subsidy-exhausted`).
#[utoipa::path(post, path = "/api/crowdsourcing/orders/{id}/subsidy/{decision}", tag = "crowdsourcing",
    security(("bearer" = ["crowdsourcing", "crowdsourcing:staff"])),
    params(("id" = String, Path), ("decision" = String, Path, description = "approve or reject")),
    request_body(content = Option<Reason>, description = "`{\"reason\": …}`"),
    responses((status = 200, body = OrderView), (status = 400, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem)))]
pub(super) async fn decide_subsidy(
    State(state): State<AppState>,
    Extension(cs): Cs,
    ApiStaff(caller, _): ApiStaff<Crowdsourcing>,
    Path((id, decision)): Path<(String, String)>,
    OptionalReason(reason): OptionalReason,
) -> Answer<OrderView> {
    let approve = match decision.as_str() {
        "approve" => true,
        "reject" => false,
        other => return Err(ApiError::NotFound(format!("决定 / decision {other}"))),
    };
    Ok(Json(
        cs.decide_subsidy(
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
