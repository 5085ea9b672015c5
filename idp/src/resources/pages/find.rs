//! The pages for everyone: finding resources, a resource's week with the booking form, the
//! schedule file, an item with its request form, a carrier's page.

use super::*;

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
pub(super) async fn get_search(
    State(state): State<AppState>,
    Extension(rs): Rs,
    lang: Lang,
    Query(search): Query<Search>,
) -> Result<Response, PageError> {
    let found = rs.search_resources(&state.db, &search).await?;
    let page = SearchPage {
        en: lang.en,
        cards: found.iter().map(|r| card(r, lang.en)).collect(),
        classes: choices(SERVICE_CLASSES, lang.en),
        objects: choices(SERVICE_OBJECTS, lang.en),
        kinds: choices(KINDS, lang.en),
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
pub(super) struct WeekQuery {
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
    let start = hours::parse_date(&first).unwrap_or(now);
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
        objects: choices(SERVICE_OBJECTS, en),
        csrf_token: form_token(&csrf)?,
        error,
        url: format!("{}/resources/{}", state.issuer(), resource.id),
        description,
        resource,
    };
    Ok(render(lang, status, Some(csrf), &page))
}

/// A resource with a week of its slots; signed in, the booking form.
pub(super) async fn get_resource(
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
pub(super) struct BookForm {
    start: String,
    #[serde(default)]
    slots: Option<i64>,
    #[serde(default)]
    service_object: String,
    #[serde(default)]
    purpose: String,
}

pub(super) async fn post_book(
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
                let from = hours::parse_date(&from)
                    .map(|d| crate::clock::shanghai_date(d - hours::weekday(d) as i64 * 86_400))
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
pub(super) async fn get_schedule(
    State(state): State<AppState>,
    Extension(rs): Rs,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = id.trim_end_matches(".ics").to_owned();
    let now = state.now();
    let resource = rs.resource(&state.db, &id, None).await?;
    let from = hours::day_start(now);
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
pub(super) struct ItemQuery {
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

pub(super) async fn get_item(
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
pub(super) struct RequestForm {
    note: String,
}

pub(super) async fn post_request(
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
pub(super) async fn get_carrier(
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
