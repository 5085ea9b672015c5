//! The carrier operators' desk (bookings, requests, training records) and the sharing
//! statistics for operators and staff.

use super::*;

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
pub(super) async fn get_manage(
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
            actions: requests::allowed(&r, &caller)
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

pub(super) async fn post_manage_request(
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
pub(super) struct TrainingForm {
    username: String,
}

pub(super) async fn post_training(
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
pub(super) struct StatisticsQuery {
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

pub(super) async fn get_carrier_statistics(
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

pub(super) async fn get_staff_statistics(
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
