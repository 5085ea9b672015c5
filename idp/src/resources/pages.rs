//! Shared resources' pages: finding resources (public), a resource's week of free slots with
//! the booking form, an item with its request form, a carrier's page, a booking with its
//! calendar file, the carrier operators' desk, and the sharing statistics (operators and staff).

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Extension, Router};
use axum_csrf::CsrfToken;
use serde::Deserialize;

use super::bookings::{BookingAction, BookingList, Day};
use super::items::Search;
use super::model::*;
use super::requests::RequestAction;
use super::stats::{Period, Statistics};
use super::{
    ResourcesError, SERVICE_CLASSES, SERVICE_OBJECTS, Service, api::calendar_file, api::export,
    ics, service_class_label, service_object_label, stats,
};
use crate::accounts::Role;
use crate::accounts::caller::Caller;
use crate::error::PageError;
use crate::platform::kit::pages::{
    ConsoleStaff, Lang, PageForm, PageUser, form_token, page_header, render, see_other,
};
use crate::state::AppState;

type Rs = Extension<Arc<Service>>;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/resources", get(get_search))
        .route("/resources/{id}", get(get_resource))
        .route("/resources/{id}/book", post(post_book))
        .route("/resources/{id}/calendar.ics", get(get_schedule))
        .route("/resources/items/{id}", get(get_item))
        .route("/resources/items/{id}/request", post(post_request))
        .route(
            "/resources/bookings/{id}",
            get(get_booking).post(post_booking),
        )
        .route(
            "/resources/bookings/{id}/calendar.ics",
            get(get_booking_ics),
        )
        .route("/carriers/{id}", get(get_carrier))
        .route("/resources/manage", get(get_manage))
        .route("/resources/manage/requests/{id}", post(post_manage_request))
        .route("/resources/manage/trainings/{id}", post(post_training))
        .route("/resources/manage/statistics", get(get_carrier_statistics))
        .route("/console/resources/statistics", get(get_staff_statistics))
}

impl From<ResourcesError> for PageError {
    fn from(e: ResourcesError) -> Self {
        match e {
            ResourcesError::NotFound(_) => PageError::NotFound,
            ResourcesError::Forbidden(_) => PageError::Forbidden,
            ResourcesError::Db(e) => PageError::Internal(e.into()),
            other => PageError::BadRequest(other.to_string()),
        }
    }
}

fn caller_of(user: &PageUser) -> Caller {
    Caller {
        user_id: user.user.id.clone(),
        organisation_id: user.user.organisation_id.clone(),
        roles: user.user.roles.clone(),
        staff: false,
    }
}

/// A refusal shown on the page it came from, with the status the API would answer.
fn refusal_status(e: &ResourcesError) -> Option<StatusCode> {
    match e {
        ResourcesError::SlotTaken { .. } | ResourcesError::Transition(_) => {
            Some(StatusCode::CONFLICT)
        }
        ResourcesError::Rule { .. } | ResourcesError::InvalidFields(_) => {
            Some(StatusCode::UNPROCESSABLE_ENTITY)
        }
        ResourcesError::Invalid(_) => Some(StatusCode::BAD_REQUEST),
        _ => None,
    }
}

struct ResourceCard {
    id: String,
    name: String,
    kind: &'static str,
    carrier: String,
    class: &'static str,
    price: String,
    rules: Vec<String>,
}

fn rules(r: &Resource, en: bool) -> Vec<String> {
    let mut out = Vec::new();
    out.push(if en {
        format!("{}-minute slots", r.slot_minutes)
    } else {
        format!("每时段 {} 分钟", r.slot_minutes)
    });
    if r.capacity > 1 {
        out.push(if en {
            format!("holds {}", r.capacity)
        } else {
            format!("容纳 {} 人", r.capacity)
        });
    }
    if r.needs_approval {
        out.push(if en {
            "needs approval".into()
        } else {
            "须审批".into()
        });
    }
    if r.training_required {
        out.push(if en {
            "training required".into()
        } else {
            "须先培训".into()
        });
    }
    if let Some(max) = r.max_minutes_per_day {
        out.push(if en {
            format!("at most {} h a day", max as f64 / 60.0)
        } else {
            format!("每人每天至多 {} 小时", max as f64 / 60.0)
        });
    }
    if r.cancel_hours_before > 0 {
        out.push(if en {
            format!("cancel until {} h before", r.cancel_hours_before)
        } else {
            format!("开始前 {} 小时可取消", r.cancel_hours_before)
        });
    }
    out
}

fn price_text(r: &Resource, en: bool) -> String {
    if r.price_fen == 0 {
        if en { "Free".into() } else { "免费".into() }
    } else if en {
        format!("¥{} per slot", r.price)
    } else {
        format!("每时段 ¥{}", r.price)
    }
}

fn card(r: &Resource, en: bool) -> ResourceCard {
    ResourceCard {
        id: r.id.clone(),
        name: r.name.clone(),
        kind: kind_label(&r.kind, en),
        carrier: r.carrier_name.clone(),
        class: service_class_label(&r.service_class, en),
        price: price_text(r, en),
        rules: rules(r, en),
    }
}

struct Choice {
    code: &'static str,
    label: &'static str,
}

fn classes(en: bool) -> Vec<Choice> {
    SERVICE_CLASSES
        .iter()
        .map(|(c, zh, e)| Choice {
            code: c,
            label: if en { e } else { zh },
        })
        .collect()
}

fn objects(en: bool) -> Vec<Choice> {
    SERVICE_OBJECTS
        .iter()
        .map(|(c, zh, e)| Choice {
            code: c,
            label: if en { e } else { zh },
        })
        .collect()
}

fn kinds(en: bool) -> Vec<Choice> {
    KINDS
        .iter()
        .map(|(c, zh, e)| Choice {
            code: c,
            label: if en { e } else { zh },
        })
        .collect()
}

#[derive(Template)]
#[template(path = "resources_search.html")]
struct SearchPage {
    en: bool,
    search: Search,
    classes: Vec<Choice>,
    objects: Vec<Choice>,
    kinds: Vec<Choice>,
    cards: Vec<ResourceCard>,
}

/// 查找共享资源: by words, kind, class, object, region and carrier.
async fn get_search(
    State(state): State<AppState>,
    Extension(rs): Rs,
    lang: Lang,
    Query(search): Query<Search>,
) -> Result<Response, PageError> {
    let found = rs.search_resources(&state.db, &search).await?;
    let page = SearchPage {
        en: lang.en,
        cards: found.iter().map(|r| card(r, lang.en)).collect(),
        classes: classes(lang.en),
        objects: objects(lang.en),
        kinds: kinds(lang.en),
        search,
    };
    Ok(render(lang, StatusCode::OK, None, &page))
}

#[derive(Template)]
#[template(path = "resources_resource.html")]
struct ResourcePage {
    en: bool,
    resource: Resource,
    kind: &'static str,
    price: String,
    rules: Vec<String>,
    serves: Vec<String>,
    days: Vec<Day>,
    previous: String,
    next: String,
    signed_in: bool,
    objects: Vec<Choice>,
    csrf_token: String,
    error: Option<String>,
    url: String,
    description: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct WeekQuery {
    from: String,
}

#[allow(clippy::too_many_arguments)]
async fn resource_page(
    state: &AppState,
    rs: &Service,
    id: &str,
    lang: Lang,
    csrf: CsrfToken,
    from: &str,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let now = state.now();
    let resource = rs.resource(&state.db, id, None).await?;
    let week = rs.week(&state.db, id, Some(from), 7, None, now).await?;
    let first = week
        .days
        .first()
        .map(|d| d.date.clone())
        .unwrap_or_default();
    let start = super::hours::parse_date(&first).unwrap_or(now);
    let previous = crate::clock::shanghai_date(start - 7 * 86_400);
    let next = crate::clock::shanghai_date(start + 7 * 86_400);
    let en = lang.en;
    let description = if resource.description.is_empty() {
        format!("{} · {}", resource.name, resource.carrier_name)
    } else {
        resource.description.chars().take(120).collect()
    };
    let page = ResourcePage {
        en,
        kind: kind_label(&resource.kind, en),
        price: price_text(&resource, en),
        rules: rules(&resource, en),
        serves: resource
            .service_objects
            .iter()
            .map(|c| service_object_label(c, en).to_owned())
            .collect(),
        days: week.days,
        previous,
        next,
        signed_in: page_header().signed_in,
        objects: objects(en),
        csrf_token: form_token(&csrf)?,
        error,
        url: format!("{}/resources/{}", state.issuer(), resource.id),
        description,
        resource,
    };
    Ok(render(lang, status, Some(csrf), &page))
}

/// A resource with a week of its slots; signed in, the booking form.
async fn get_resource(
    State(state): State<AppState>,
    Extension(rs): Rs,
    lang: Lang,
    csrf: CsrfToken,
    Path(id): Path<String>,
    Query(week): Query<WeekQuery>,
) -> Result<Response, PageError> {
    resource_page(
        &state,
        &rs,
        &id,
        lang,
        csrf,
        &week.from,
        None,
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize)]
struct BookForm {
    start: String,
    #[serde(default)]
    slots: Option<i64>,
    #[serde(default)]
    service_object: String,
    #[serde(default)]
    purpose: String,
}

async fn post_book(
    State(state): State<AppState>,
    Extension(rs): Rs,
    lang: Lang,
    csrf: CsrfToken,
    user: PageUser,
    Path(id): Path<String>,
    PageForm(form): PageForm<BookForm>,
) -> Result<Response, PageError> {
    let caller = caller_of(&user);
    let input = BookingInput {
        start: form.start.clone(),
        slots: form.slots.unwrap_or(1),
        service_object: Some(form.service_object).filter(|s| !s.trim().is_empty()),
        purpose: form.purpose,
    };
    match rs.book(&state.db, &caller, &id, input, state.now()).await {
        Ok(booking) => Ok(see_other(&format!("/resources/bookings/{}", booking.id))),
        Err(e) => match refusal_status(&e) {
            Some(status) => {
                let from = form.start.get(..10).unwrap_or_default().to_owned();
                let from = super::hours::parse_date(&from)
                    .map(|d| {
                        crate::clock::shanghai_date(d - super::hours::weekday(d) as i64 * 86_400)
                    })
                    .unwrap_or_default();
                resource_page(
                    &state,
                    &rs,
                    &id,
                    lang,
                    csrf,
                    &from,
                    Some(e.to_string()),
                    status,
                )
                .await
            }
            None => Err(e.into()),
        },
    }
}

/// The resource's schedule (busy blocks, nobody named) as iCalendar.
async fn get_schedule(
    State(state): State<AppState>,
    Extension(rs): Rs,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = id.trim_end_matches(".ics").to_owned();
    let now = state.now();
    let resource = rs.resource(&state.db, &id, None).await?;
    let from = super::hours::day_start(now);
    let bookings = rs
        .schedule(&state.db, &id, from, from + 31 * 86_400)
        .await?;
    let body = ics::schedule(&resource, &bookings, state.issuer(), false, now);
    Ok(calendar_file(&resource.id, body))
}

#[derive(Template)]
#[template(path = "resources_item.html")]
struct ItemPage {
    en: bool,
    item: Item,
    fields: Vec<(&'static str, String)>,
    cards: Vec<ResourceCard>,
    signed_in: bool,
    csrf_token: String,
    notice: Option<String>,
    error: Option<String>,
    url: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ItemQuery {
    requested: Option<String>,
}

#[allow(clippy::too_many_arguments)]
async fn item_page(
    state: &AppState,
    rs: &Service,
    id: &str,
    lang: Lang,
    csrf: CsrfToken,
    notice: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let en = lang.en;
    let (item, resources) = rs.item(&state.db, id, None, en).await?;
    let text = |field: &str| {
        item.record
            .get(field)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_owned()
    };
    let objects: Vec<&str> = item
        .service_objects
        .iter()
        .map(|c| service_object_label(c, en))
        .collect();
    let fields = vec![
        (
            if en { "Class" } else { "服务分类" },
            item.service_class_label.clone(),
        ),
        (
            if en { "For" } else { "服务对象" },
            objects.join(if en { ", " } else { "、" }),
        ),
        (
            if en { "How" } else { "服务方式" },
            item.service_methods.join(if en { ", " } else { "、" }),
        ),
        (
            if en { "Region" } else { "所在地区" },
            item.region_name.clone(),
        ),
        (if en { "Contact" } else { "联系人" }, text("LINKMAN")),
        (if en { "Phone" } else { "联系电话" }, text("TEL")),
        (if en { "Email" } else { "电子邮箱" }, text("EMAIL")),
        (
            if en {
                "Procedure"
            } else {
                "服务内容及流程"
            },
            text("SERVICE_PROCEDURE"),
        ),
    ];
    let page = ItemPage {
        en,
        fields: fields.into_iter().filter(|(_, v)| !v.is_empty()).collect(),
        cards: resources.iter().map(|r| card(r, en)).collect(),
        signed_in: page_header().signed_in,
        csrf_token: form_token(&csrf)?,
        notice,
        error,
        url: format!("{}/resources/items/{}", state.issuer(), item.id),
        item,
    };
    Ok(render(lang, status, Some(csrf), &page))
}

async fn get_item(
    State(state): State<AppState>,
    Extension(rs): Rs,
    lang: Lang,
    csrf: CsrfToken,
    Path(id): Path<String>,
    Query(query): Query<ItemQuery>,
) -> Result<Response, PageError> {
    let notice = query.requested.map(|id| {
        if lang.en {
            format!("Request {id} sent; the carrier will answer in your inbox.")
        } else {
            format!("服务请求 {id} 已提交，载体受理后会通过消息通知您。")
        }
    });
    item_page(&state, &rs, &id, lang, csrf, notice, None, StatusCode::OK).await
}

#[derive(Deserialize)]
struct RequestForm {
    note: String,
}

async fn post_request(
    State(state): State<AppState>,
    Extension(rs): Rs,
    lang: Lang,
    csrf: CsrfToken,
    user: PageUser,
    Path(id): Path<String>,
    PageForm(form): PageForm<RequestForm>,
) -> Result<Response, PageError> {
    let caller = caller_of(&user);
    match rs
        .request_item(
            &state.db,
            &caller,
            &id,
            RequestInput { note: form.note },
            state.now(),
        )
        .await
    {
        Ok(request) => Ok(see_other(&format!(
            "/resources/items/{id}?requested={}",
            request.id
        ))),
        Err(e) => match refusal_status(&e) {
            Some(status) => {
                item_page(
                    &state,
                    &rs,
                    &id,
                    lang,
                    csrf,
                    None,
                    Some(e.to_string()),
                    status,
                )
                .await
            }
            None => Err(e.into()),
        },
    }
}

#[derive(Template)]
#[template(path = "resources_booking.html")]
struct BookingPage {
    en: bool,
    booking: Booking,
    state_label: &'static str,
    actions: Vec<(&'static str, &'static str)>,
    csrf_token: String,
    error: Option<String>,
}

fn action_label(action: BookingAction, en: bool) -> &'static str {
    match (action, en) {
        (BookingAction::Approve, false) => "批准",
        (BookingAction::Approve, true) => "Approve",
        (BookingAction::Decline, false) => "不批准",
        (BookingAction::Decline, true) => "Decline",
        (BookingAction::Cancel, false) => "取消预约",
        (BookingAction::Cancel, true) => "Cancel the booking",
        (BookingAction::NoShow, false) => "标记未到场",
        (BookingAction::NoShow, true) => "Mark as no-show",
    }
}

#[allow(clippy::too_many_arguments)]
async fn booking_page(
    state: &AppState,
    rs: &Service,
    caller: &Caller,
    id: &str,
    lang: Lang,
    csrf: CsrfToken,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let booking = rs.booking(&state.db, caller, id).await?;
    let actions = rs
        .booking_actions(&state.db, caller, &booking, state.now())
        .await?
        .into_iter()
        .map(|a| (a.as_str(), action_label(a, lang.en)))
        .collect();
    let page = BookingPage {
        en: lang.en,
        state_label: state_label(BOOKING_STATES, &booking.state, lang.en),
        booking,
        actions,
        csrf_token: form_token(&csrf)?,
        error,
    };
    Ok(render(lang, status, Some(csrf), &page))
}

async fn get_booking(
    State(state): State<AppState>,
    Extension(rs): Rs,
    lang: Lang,
    csrf: CsrfToken,
    user: PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    booking_page(
        &state,
        &rs,
        &caller_of(&user),
        &id,
        lang,
        csrf,
        None,
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize)]
struct ActForm {
    action: String,
    #[serde(default)]
    reason: String,
}

async fn post_booking(
    State(state): State<AppState>,
    Extension(rs): Rs,
    lang: Lang,
    csrf: CsrfToken,
    user: PageUser,
    Path(id): Path<String>,
    PageForm(form): PageForm<ActForm>,
) -> Result<Response, PageError> {
    let caller = caller_of(&user);
    let action = BookingAction::parse(&form.action).ok_or(PageError::NotFound)?;
    let reason = Some(form.reason).filter(|r| !r.trim().is_empty());
    match rs
        .act_on_booking(&state.db, &caller, &id, action, reason, state.now())
        .await
    {
        Ok(_) => Ok(see_other(&format!("/resources/bookings/{id}"))),
        Err(e) => match refusal_status(&e) {
            Some(status) => {
                booking_page(
                    &state,
                    &rs,
                    &caller,
                    &id,
                    lang,
                    csrf,
                    Some(e.to_string()),
                    status,
                )
                .await
            }
            None => Err(e.into()),
        },
    }
}

async fn get_booking_ics(
    State(state): State<AppState>,
    Extension(rs): Rs,
    user: PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let caller = caller_of(&user);
    let booking = rs.booking(&state.db, &caller, &id).await?;
    let resource = rs
        .resource(&state.db, &booking.resource_id, Some(&caller))
        .await?;
    let body = ics::booking(&booking, &resource, state.issuer(), state.now());
    Ok(calendar_file(&booking.id, body))
}

#[derive(Template)]
#[template(path = "resources_carrier.html")]
struct CarrierPage {
    en: bool,
    name: String,
    region: String,
    items: Vec<Item>,
    cards: Vec<ResourceCard>,
    url: String,
}

/// A carrier's page: its service items and bookable resources.
async fn get_carrier(
    State(state): State<AppState>,
    Extension(rs): Rs,
    lang: Lang,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let en = lang.en;
    let search = Search {
        carrier: id.clone(),
        ..Default::default()
    };
    let items = rs.search_items(&state.db, &search, en).await?;
    let Some(first) = items.first() else {
        return Err(PageError::NotFound);
    };
    let resources = rs.search_resources(&state.db, &search).await?;
    let page = CarrierPage {
        en,
        name: first.carrier_name.clone(),
        region: first.region_name.clone(),
        cards: resources.iter().map(|r| card(r, en)).collect(),
        url: format!("{}/carriers/{id}", state.issuer()),
        items,
    };
    Ok(render(lang, StatusCode::OK, None, &page))
}

struct RequestRow {
    id: String,
    item: String,
    note: String,
    state: &'static str,
    actions: Vec<(&'static str, &'static str)>,
}

#[derive(Template)]
#[template(path = "resources_manage.html")]
struct ManagePage {
    en: bool,
    bookings: Vec<(Booking, &'static str)>,
    requests: Vec<RequestRow>,
    resources: Vec<Resource>,
    csrf_token: String,
}

fn operator(user: &PageUser) -> Result<(Caller, String), PageError> {
    let caller = caller_of(user);
    match &caller.organisation_id {
        Some(org) if caller.has_role(Role::CarrierOperator) => {
            let org = org.clone();
            Ok((caller, org))
        }
        _ => Err(PageError::Forbidden),
    }
}

/// The carrier operators' desk: bookings to approve and coming up, requests, training.
async fn get_manage(
    State(state): State<AppState>,
    Extension(rs): Rs,
    lang: Lang,
    csrf: CsrfToken,
    user: PageUser,
) -> Result<Response, PageError> {
    let en = lang.en;
    let (caller, carrier) = operator(&user)?;
    let now = state.now();
    let list = BookingList {
        carrier: carrier.clone(),
        after: Some(now - 86_400),
        limit: Some(100),
        ..Default::default()
    };
    let bookings = rs
        .bookings(&state.db, &caller, &list)
        .await?
        .into_iter()
        .map(|b| {
            let label = state_label(BOOKING_STATES, &b.state, en);
            (b, label)
        })
        .collect();
    let requests = rs
        .requests(&state.db, &caller, &carrier, 100)
        .await?
        .into_iter()
        .map(|r| RequestRow {
            actions: super::requests::allowed(&r, &caller)
                .into_iter()
                .filter(|a| *a != "evaluate")
                .map(|a| (a, request_action_label(a, en)))
                .collect(),
            state: state_label(REQUEST_STATES, &r.state, en),
            id: r.id,
            item: r.item_id,
            note: r.note,
        })
        .collect();
    let search = Search {
        carrier: carrier.clone(),
        limit: Some(50),
        ..Default::default()
    };
    let page = ManagePage {
        en,
        bookings,
        requests,
        resources: rs.search_resources(&state.db, &search).await?,
        csrf_token: form_token(&csrf)?,
    };
    Ok(render(lang, StatusCode::OK, Some(csrf), &page))
}

fn request_action_label(action: &str, en: bool) -> &'static str {
    match (action, en) {
        ("accept", false) => "受理",
        ("accept", true) => "Accept",
        ("decline", false) => "拒绝",
        ("decline", true) => "Decline",
        ("done", false) => "标记完成",
        ("done", true) => "Mark done",
        ("cancel", false) => "取消",
        _ => "Cancel",
    }
}

async fn post_manage_request(
    State(state): State<AppState>,
    Extension(rs): Rs,
    user: PageUser,
    Path(id): Path<String>,
    PageForm(form): PageForm<ActForm>,
) -> Result<Response, PageError> {
    let (caller, _) = operator(&user)?;
    let action = RequestAction::parse(&form.action).ok_or(PageError::NotFound)?;
    let reason = Some(form.reason).filter(|r| !r.trim().is_empty());
    rs.act_on_request(&state.db, &caller, &id, action, reason, state.now())
        .await?;
    Ok(see_other("/resources/manage"))
}

#[derive(Deserialize)]
struct TrainingForm {
    username: String,
}

async fn post_training(
    State(state): State<AppState>,
    Extension(rs): Rs,
    user: PageUser,
    Path(id): Path<String>,
    PageForm(form): PageForm<TrainingForm>,
) -> Result<Response, PageError> {
    let (caller, _) = operator(&user)?;
    rs.record_training(&state.db, &caller, &id, &form.username, state.now())
        .await?;
    Ok(see_other("/resources/manage"))
}

#[derive(Template)]
#[template(path = "resources_statistics.html")]
struct StatisticsPage {
    en: bool,
    s: Statistics,
    json: String,
    base: &'static str,
    query: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct StatisticsQuery {
    from: String,
    to: String,
    carrier: String,
    format: String,
}

async fn statistics_page(
    state: &AppState,
    rs: &Service,
    caller: &Caller,
    period: Period,
    format: &str,
    lang: Lang,
    base: &'static str,
) -> Result<Response, PageError> {
    let s = rs
        .statistics(&state.db, caller, &period, state.now())
        .await?;
    match format {
        "csv" => return Ok(export(stats::csv(&s), "text/csv; charset=utf-8", "csv")),
        "xlsx" => {
            let body = stats::xlsx(&s).map_err(|e| PageError::Internal(e.into()))?;
            return Ok(export(
                body,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "xlsx",
            ));
        }
        _ => {}
    }
    let chart = serde_json::json!({
        "sharing_rate": s.carriers.iter().take(20).map(|c| serde_json::json!({"label": c.carrier_name, "count": c.sharing_rate_percent})).collect::<Vec<_>>(),
        "booked_hours": s.carriers.iter().take(20).map(|c| serde_json::json!({"label": c.carrier_name, "count": c.booked_hours})).collect::<Vec<_>>(),
        "requests_by_class": s.requests_by_class.iter().map(|c| serde_json::json!({"label": service_class_label(&c.service_class, lang.en), "count": c.count})).collect::<Vec<_>>(),
    });
    let query = serde_urlencoded::to_string([
        ("from", period.from.as_str()),
        ("to", period.to.as_str()),
        ("carrier", period.carrier.as_str()),
    ])
    .unwrap_or_default();
    let page = StatisticsPage {
        en: lang.en,
        // `</` cannot close the script element the data sits in.
        json: chart.to_string().replace("</", "<\\/"),
        s,
        base,
        query,
    };
    Ok(render(lang, StatusCode::OK, None, &page))
}

async fn get_carrier_statistics(
    State(state): State<AppState>,
    Extension(rs): Rs,
    lang: Lang,
    user: PageUser,
    Query(q): Query<StatisticsQuery>,
) -> Result<Response, PageError> {
    let (caller, carrier) = operator(&user)?;
    let period = Period {
        from: q.from,
        to: q.to,
        carrier,
    };
    statistics_page(
        &state,
        &rs,
        &caller,
        period,
        &q.format,
        lang,
        "/resources/manage/statistics",
    )
    .await
}

async fn get_staff_statistics(
    State(state): State<AppState>,
    Extension(rs): Rs,
    lang: Lang,
    staff: ConsoleStaff,
    Query(q): Query<StatisticsQuery>,
) -> Result<Response, PageError> {
    let period = Period {
        from: q.from,
        to: q.to,
        carrier: q.carrier,
    };
    statistics_page(
        &state,
        &rs,
        &staff.caller(),
        period,
        &q.format,
        lang,
        "/console/resources/statistics",
    )
    .await
}
