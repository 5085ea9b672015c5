//! `/api/resources`: shared carrier resources (scope `resources`, staff powers with
//! `resources:staff`). Each handler's OpenAPI operation sits on it.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::bookings::{BookingAction, BookingList, Week};
use super::items::Search;
use super::model::*;
use super::requests::RequestAction;
use super::stats::{Period, Statistics};
use super::{ResourcesError, SCOPE, SERVICE_CLASSES, STAFF_SCOPE, Service, ics, stats};
use crate::error::{ApiError, Problem};
use crate::platform::kit::api::{ApiCaller, ApiJson, ApiWriter, Area, OptionalReason};
use crate::state::AppState;

pub struct Resources;

impl Area for Resources {
    const SCOPE: &'static str = SCOPE;
    const STAFF_SCOPE: Option<&'static str> = Some(STAFF_SCOPE);
}

type Rs = Extension<Arc<Service>>;
type Answer<T> = Result<Json<T>, ApiError>;
type Created<T> = Result<(StatusCode, Json<T>), ApiError>;

#[derive(OpenApi)]
#[openapi(
    tags((name = "resources", description = "共享双创载体的资源 / Shared carrier resources (seed 三)")),
    components(schemas(Problem))
)]
struct Doc;

fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(Doc::openapi())
        .routes(routes!(service_classes))
        .routes(routes!(list_items, publish_item))
        .routes(routes!(show_item, update_item))
        .routes(routes!(add_resource))
        .routes(routes!(list_resources))
        .routes(routes!(show_resource, update_resource))
        .routes(routes!(resource_slots))
        .routes(routes!(resource_calendar))
        .routes(routes!(record_training))
        .routes(routes!(book))
        .routes(routes!(list_bookings))
        .routes(routes!(show_booking))
        .routes(routes!(booking_calendar))
        .routes(routes!(act_on_booking))
        .routes(routes!(request_item))
        .routes(routes!(list_requests))
        .routes(routes!(act_on_request))
        .routes(routes!(evaluate_request))
        .routes(routes!(statistics))
}

pub fn router() -> Router<AppState> {
    routes().split_for_parts().0
}

pub fn openapi() -> utoipa::openapi::OpenApi {
    routes().split_for_parts().1
}

impl From<ResourcesError> for ApiError {
    fn from(e: ResourcesError) -> Self {
        match e {
            ResourcesError::Transition(r) => {
                ApiError::transition_refused(r.current, &r.allowed, &r.reason_zh, &r.reason_en)
            }
            ResourcesError::Rule { rule, .. } => ApiError::refused(
                StatusCode::UNPROCESSABLE_ENTITY,
                "booking-rule",
                e.to_string(),
            )
            .with("rule", json!(rule)),
            ResourcesError::SlotTaken { ref slot } => {
                let slot = slot.clone();
                ApiError::refused(StatusCode::CONFLICT, "slot-taken", e.to_string())
                    .with("slot", json!(slot))
            }
            ResourcesError::InvalidFields(errors) => ApiError::invalid_fields(&errors),
            ResourcesError::NotFound(what) => ApiError::NotFound(what),
            ResourcesError::Forbidden(why) => ApiError::Forbidden(why),
            ResourcesError::Invalid(why) => ApiError::BadRequest(why),
            ResourcesError::Db(e) => ApiError::internal(e),
        }
    }
}

#[derive(Serialize, ToSchema)]
struct ServiceClass {
    code: &'static str,
    zh: &'static str,
    en: &'static str,
}

/// 服务分类 / The service classes of shared resources (SERVICE_CLASS codes).
#[utoipa::path(get, path = "/api/resources/service-classes", tag = "resources",
    security(("bearer" = ["resources"])), responses((status = 200, body = Vec<ServiceClass>)))]
async fn service_classes(_caller: ApiCaller<Resources>) -> Json<Vec<ServiceClass>> {
    Json(
        SERVICE_CLASSES
            .iter()
            .map(|(code, zh, en)| ServiceClass { code, zh, en })
            .collect(),
    )
}

#[derive(Serialize, ToSchema)]
#[schema(as = ResourcesItemList)]
struct ItemList {
    items: Vec<Item>,
}

/// 查找服务项目 / Listed service items by class, object, method, region and carrier (at most 50).
#[utoipa::path(get, path = "/api/resources/items", tag = "resources", params(Search),
    security(("bearer" = ["resources"])), responses((status = 200, body = ItemList)))]
async fn list_items(
    State(state): State<AppState>,
    Extension(rs): Rs,
    _caller: ApiCaller<Resources>,
    Query(search): Query<Search>,
) -> Answer<ItemList> {
    Ok(Json(ItemList {
        items: rs.search_items(&state.db, &search, false).await?,
    }))
}

/// 发布服务项目 / A carrier's operator publishes a service item (its carrier-resource record).
#[utoipa::path(post, path = "/api/resources/items", tag = "resources", request_body = ItemInput,
    security(("bearer" = ["resources"])),
    responses((status = 201, body = Item), (status = 400, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn publish_item(
    State(state): State<AppState>,
    Extension(rs): Rs,
    ApiWriter(caller, _): ApiWriter<Resources>,
    ApiJson(input): ApiJson<ItemInput>,
) -> Created<Item> {
    Ok((
        StatusCode::CREATED,
        Json(
            rs.publish_item(&state.db, &caller, input, state.now())
                .await?,
        ),
    ))
}

#[derive(Serialize, ToSchema)]
#[schema(as = ResourcesItemWithResources)]
struct ItemWithResources {
    item: Item,
    resources: Vec<Resource>,
}

/// 服务项目 / An item with its resources.
#[utoipa::path(get, path = "/api/resources/items/{id}", tag = "resources", params(("id" = String, Path)),
    security(("bearer" = ["resources"])), responses((status = 200, body = ItemWithResources), (status = 404, body = Problem)))]
async fn show_item(
    State(state): State<AppState>,
    Extension(rs): Rs,
    ApiCaller(caller, _): ApiCaller<Resources>,
    Path(id): Path<String>,
) -> Answer<ItemWithResources> {
    let (item, resources) = rs.item(&state.db, &id, Some(&caller), false).await?;
    Ok(Json(ItemWithResources { item, resources }))
}

/// 修改服务项目 / Change an item (a new version of its record).
#[utoipa::path(put, path = "/api/resources/items/{id}", tag = "resources", params(("id" = String, Path)),
    request_body = ItemInput, security(("bearer" = ["resources"])),
    responses((status = 200, body = Item), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn update_item(
    State(state): State<AppState>,
    Extension(rs): Rs,
    ApiWriter(caller, _): ApiWriter<Resources>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ItemInput>,
) -> Answer<Item> {
    Ok(Json(
        rs.update_item(&state.db, &caller, &id, input, state.now())
            .await?,
    ))
}

/// 添加资源 / Add a room, workstation or piece of equipment to an item.
#[utoipa::path(post, path = "/api/resources/items/{id}/resources", tag = "resources", params(("id" = String, Path)),
    request_body = ResourceInput, security(("bearer" = ["resources"])),
    responses((status = 201, body = Resource), (status = 400, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn add_resource(
    State(state): State<AppState>,
    Extension(rs): Rs,
    ApiWriter(caller, _): ApiWriter<Resources>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ResourceInput>,
) -> Created<Resource> {
    Ok((
        StatusCode::CREATED,
        Json(
            rs.add_resource(&state.db, &caller, &id, input, state.now())
                .await?,
        ),
    ))
}

#[derive(Serialize, ToSchema)]
#[schema(as = ResourcesResourceList)]
struct ResourceList {
    items: Vec<Resource>,
}

/// 查找资源 / Listed resources by kind, class, object, method, region and carrier (at most 50).
#[utoipa::path(get, path = "/api/resources/resources", tag = "resources", params(Search),
    security(("bearer" = ["resources"])), responses((status = 200, body = ResourceList)))]
async fn list_resources(
    State(state): State<AppState>,
    Extension(rs): Rs,
    _caller: ApiCaller<Resources>,
    Query(search): Query<Search>,
) -> Answer<ResourceList> {
    Ok(Json(ResourceList {
        items: rs.search_resources(&state.db, &search).await?,
    }))
}

/// 资源 / A resource and its rules.
#[utoipa::path(get, path = "/api/resources/resources/{id}", tag = "resources", params(("id" = String, Path)),
    security(("bearer" = ["resources"])), responses((status = 200, body = Resource), (status = 404, body = Problem)))]
async fn show_resource(
    State(state): State<AppState>,
    Extension(rs): Rs,
    ApiCaller(caller, _): ApiCaller<Resources>,
    Path(id): Path<String>,
) -> Answer<Resource> {
    Ok(Json(rs.resource(&state.db, &id, Some(&caller)).await?))
}

/// 修改资源 / Change a resource's hours and rules (its slot length stays).
#[utoipa::path(put, path = "/api/resources/resources/{id}", tag = "resources", params(("id" = String, Path)),
    request_body = ResourceInput, security(("bearer" = ["resources"])),
    responses((status = 200, body = Resource), (status = 400, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn update_resource(
    State(state): State<AppState>,
    Extension(rs): Rs,
    ApiWriter(caller, _): ApiWriter<Resources>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ResourceInput>,
) -> Answer<Resource> {
    Ok(Json(
        rs.update_resource(&state.db, &caller, &id, input, state.now())
            .await?,
    ))
}

#[derive(Deserialize, IntoParams)]
struct SlotParams {
    /// `yyyy-mm-dd` (default today, China time).
    from: Option<String>,
    /// 1 to 31 (default 7).
    days: Option<i64>,
}

/// 空闲时段 / A week (or up to 31 days) of a resource's slots, free or taken.
#[utoipa::path(get, path = "/api/resources/resources/{id}/slots", tag = "resources",
    params(("id" = String, Path), SlotParams), security(("bearer" = ["resources"])),
    responses((status = 200, body = Week), (status = 400, body = Problem), (status = 404, body = Problem)))]
async fn resource_slots(
    State(state): State<AppState>,
    Extension(rs): Rs,
    ApiCaller(caller, _): ApiCaller<Resources>,
    Path(id): Path<String>,
    Query(params): Query<SlotParams>,
) -> Answer<Week> {
    Ok(Json(
        rs.week(
            &state.db,
            &id,
            params.from.as_deref(),
            params.days.unwrap_or(7),
            Some(&caller),
            state.now(),
        )
        .await?,
    ))
}

/// iCalendar response.
pub(super) fn calendar_file(name: &str, body: String) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                "text/calendar; charset=utf-8".to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}.ics\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// 日程 / A resource's schedule for 31 days from today as iCalendar (who booked: its carrier
/// and staff only).
#[utoipa::path(get, path = "/api/resources/resources/{id}/calendar.ics", tag = "resources",
    params(("id" = String, Path)), security(("bearer" = ["resources"])),
    responses((status = 200, content_type = "text/calendar", body = String), (status = 404, body = Problem)))]
async fn resource_calendar(
    State(state): State<AppState>,
    Extension(rs): Rs,
    ApiCaller(caller, _): ApiCaller<Resources>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let now = state.now();
    let resource = rs.resource(&state.db, &id, Some(&caller)).await?;
    let from = super::hours::day_start(now);
    let bookings = rs
        .schedule(&state.db, &id, from, from + 31 * 86_400)
        .await?;
    let named = super::access::runs(&caller, &resource.carrier_org_id);
    let body = ics::schedule(&resource, &bookings, state.issuer(), named, now);
    Ok(calendar_file(&resource.id, body))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ResourcesTrainingInput)]
struct TrainingInput {
    username: String,
}

/// 培训记录 / The carrier records that a user has been trained on a resource.
#[utoipa::path(post, path = "/api/resources/resources/{id}/trainings", tag = "resources",
    params(("id" = String, Path)), request_body = TrainingInput, security(("bearer" = ["resources"])),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn record_training(
    State(state): State<AppState>,
    Extension(rs): Rs,
    ApiWriter(caller, _): ApiWriter<Resources>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<TrainingInput>,
) -> Result<StatusCode, ApiError> {
    rs.record_training(&state.db, &caller, &id, &input.username, state.now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// 预约 / Book consecutive slots: confirmed at once, or `requested` where the resource needs
/// approval. A taken slot is 409 `slot-taken` naming it; a rule is 422 `booking-rule` naming it.
#[utoipa::path(post, path = "/api/resources/resources/{id}/bookings", tag = "resources",
    params(("id" = String, Path)), request_body = BookingInput, security(("bearer" = ["resources"])),
    responses((status = 201, body = Booking), (status = 400, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn book(
    State(state): State<AppState>,
    Extension(rs): Rs,
    ApiWriter(caller, _): ApiWriter<Resources>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<BookingInput>,
) -> Created<Booking> {
    Ok((
        StatusCode::CREATED,
        Json(rs.book(&state.db, &caller, &id, input, state.now()).await?),
    ))
}

#[derive(Serialize, ToSchema)]
#[schema(as = ResourcesBookingList)]
struct BookingListAnswer {
    items: Vec<Booking>,
}

/// 我的预约 / The caller's bookings, a carrier's (`carrier=`) or every carrier's (`carrier=all`, staff).
#[utoipa::path(get, path = "/api/resources/bookings", tag = "resources", params(BookingList),
    security(("bearer" = ["resources"])), responses((status = 200, body = BookingListAnswer), (status = 403, body = Problem)))]
async fn list_bookings(
    State(state): State<AppState>,
    Extension(rs): Rs,
    ApiCaller(caller, _): ApiCaller<Resources>,
    Query(list): Query<BookingList>,
) -> Answer<BookingListAnswer> {
    Ok(Json(BookingListAnswer {
        items: rs.bookings(&state.db, &caller, &list).await?,
    }))
}

/// 预约详情 / One booking (its booker, the carrier, staff).
#[utoipa::path(get, path = "/api/resources/bookings/{id}", tag = "resources", params(("id" = String, Path)),
    security(("bearer" = ["resources"])), responses((status = 200, body = Booking), (status = 404, body = Problem)))]
async fn show_booking(
    State(state): State<AppState>,
    Extension(rs): Rs,
    ApiCaller(caller, _): ApiCaller<Resources>,
    Path(id): Path<String>,
) -> Answer<Booking> {
    Ok(Json(rs.booking(&state.db, &caller, &id).await?))
}

/// 加入日历 / One booking as iCalendar.
#[utoipa::path(get, path = "/api/resources/bookings/{id}/calendar.ics", tag = "resources",
    params(("id" = String, Path)), security(("bearer" = ["resources"])),
    responses((status = 200, content_type = "text/calendar", body = String), (status = 404, body = Problem)))]
async fn booking_calendar(
    State(state): State<AppState>,
    Extension(rs): Rs,
    ApiCaller(caller, _): ApiCaller<Resources>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let booking = rs.booking(&state.db, &caller, &id).await?;
    let resource = rs
        .resource(&state.db, &booking.resource_id, Some(&caller))
        .await
        .or(Err(ApiError::NotFound(format!("预约 / booking {id}"))))?;
    let body = ics::booking(&booking, &resource, state.issuer(), state.now());
    Ok(calendar_file(&booking.id, body))
}

/// 预约操作 / approve, decline (reason) — the carrier; cancel (before the deadline for the
/// booker; any time before the end for the carrier); no-show — the carrier, once it began.
#[utoipa::path(post, path = "/api/resources/bookings/{id}/actions/{action}", tag = "resources",
    params(("id" = String, Path), ("action" = String, Path)), security(("bearer" = ["resources"])),
    request_body(content = Option<crate::platform::kit::api::Reason>, description = "`{\"reason\": …}`, optional"),
    responses((status = 200, body = Booking), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn act_on_booking(
    State(state): State<AppState>,
    Extension(rs): Rs,
    ApiWriter(caller, _): ApiWriter<Resources>,
    Path((id, action)): Path<(String, String)>,
    OptionalReason(reason): OptionalReason,
) -> Answer<Booking> {
    let action = BookingAction::parse(&action)
        .ok_or_else(|| ApiError::NotFound(format!("操作 / action {action}")))?;
    Ok(Json(
        rs.act_on_booking(&state.db, &caller, &id, action, reason, state.now())
            .await?,
    ))
}

/// 服务请求 / Request an item without slots, like an order.
#[utoipa::path(post, path = "/api/resources/items/{id}/requests", tag = "resources",
    params(("id" = String, Path)), request_body = RequestInput, security(("bearer" = ["resources"])),
    responses((status = 201, body = Request), (status = 400, body = Problem), (status = 404, body = Problem)))]
async fn request_item(
    State(state): State<AppState>,
    Extension(rs): Rs,
    ApiWriter(caller, _): ApiWriter<Resources>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<RequestInput>,
) -> Created<Request> {
    Ok((
        StatusCode::CREATED,
        Json(
            rs.request_item(&state.db, &caller, &id, input, state.now())
                .await?,
        ),
    ))
}

#[derive(Deserialize, IntoParams)]
struct RequestListParams {
    /// A carrier's organisation id (its operators and staff); absent: the caller's own.
    #[serde(default)]
    carrier: String,
}

#[derive(Serialize, ToSchema)]
#[schema(as = ResourcesRequestList)]
struct RequestList {
    items: Vec<Request>,
}

/// 服务请求列表 / Requests: the caller's, or a carrier's.
#[utoipa::path(get, path = "/api/resources/requests", tag = "resources", params(RequestListParams),
    security(("bearer" = ["resources"])), responses((status = 200, body = RequestList), (status = 403, body = Problem)))]
async fn list_requests(
    State(state): State<AppState>,
    Extension(rs): Rs,
    ApiCaller(caller, _): ApiCaller<Resources>,
    Query(params): Query<RequestListParams>,
) -> Answer<RequestList> {
    Ok(Json(RequestList {
        items: rs
            .requests(&state.db, &caller, &params.carrier, 100)
            .await?,
    }))
}

/// 请求操作 / accept, decline (reason), done — the carrier; cancel — the requester.
#[utoipa::path(post, path = "/api/resources/requests/{id}/actions/{action}", tag = "resources",
    params(("id" = String, Path), ("action" = String, Path)), security(("bearer" = ["resources"])),
    request_body(content = Option<crate::platform::kit::api::Reason>, description = "`{\"reason\": …}`, optional"),
    responses((status = 200, body = Request), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn act_on_request(
    State(state): State<AppState>,
    Extension(rs): Rs,
    ApiWriter(caller, _): ApiWriter<Resources>,
    Path((id, action)): Path<(String, String)>,
    OptionalReason(reason): OptionalReason,
) -> Answer<Request> {
    let action = RequestAction::parse(&action)
        .ok_or_else(|| ApiError::NotFound(format!("操作 / action {action}")))?;
    Ok(Json(
        rs.act_on_request(&state.db, &caller, &id, action, reason, state.now())
            .await?,
    ))
}

/// 评价 / The requester scores a done request.
#[utoipa::path(post, path = "/api/resources/requests/{id}/evaluation", tag = "resources",
    params(("id" = String, Path)), request_body = EvaluationInput, security(("bearer" = ["resources"])),
    responses((status = 200, body = Request), (status = 400, body = Problem), (status = 409, body = Problem)))]
async fn evaluate_request(
    State(state): State<AppState>,
    Extension(rs): Rs,
    ApiWriter(caller, _): ApiWriter<Resources>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<EvaluationInput>,
) -> Answer<Request> {
    Ok(Json(
        rs.evaluate_request(&state.db, &caller, &id, input, state.now())
            .await?,
    ))
}

#[derive(Deserialize, IntoParams)]
struct StatisticsParams {
    /// `yyyy-mm-dd` (default: 30 days before `to`).
    #[serde(default)]
    from: String,
    /// `yyyy-mm-dd`, not included (default: tomorrow).
    #[serde(default)]
    to: String,
    /// A carrier's organisation id; staff may leave it out for every carrier.
    #[serde(default)]
    carrier: String,
    /// `json` (default), `csv` or `xlsx`.
    format: Option<String>,
}

/// 共享统计 / Sharing figures: a carrier's (its operators) or every carrier's (staff).
#[utoipa::path(get, path = "/api/resources/statistics", tag = "resources", params(StatisticsParams),
    security(("bearer" = ["resources"])),
    responses((status = 200, body = Statistics), (status = 400, body = Problem), (status = 403, body = Problem)))]
async fn statistics(
    State(state): State<AppState>,
    Extension(rs): Rs,
    ApiCaller(caller, _): ApiCaller<Resources>,
    Query(params): Query<StatisticsParams>,
) -> Result<Response, ApiError> {
    let period = Period {
        from: params.from,
        to: params.to,
        carrier: params.carrier,
    };
    let s = rs
        .statistics(&state.db, &caller, &period, state.now())
        .await?;
    Ok(match params.format.as_deref().unwrap_or("json") {
        "csv" => export(stats::csv(&s), "text/csv; charset=utf-8", "csv"),
        "xlsx" => export(
            stats::xlsx(&s).map_err(ApiError::internal)?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
        "json" => Json(s).into_response(),
        other => {
            return Err(ApiError::BadRequest(format!(
                "format 须为 json、csv 或 xlsx / unknown format {other}"
            )));
        }
    })
}

pub(super) fn export(body: Vec<u8>, content_type: &'static str, extension: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"resources-statistics.{extension}\""),
            ),
        ],
        body,
    )
        .into_response()
}
