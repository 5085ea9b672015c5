//! A booking's page for its booker and its carrier: the booking, what may be done to it now, and
//! its calendar file.

use super::*;

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

pub(super) async fn get_booking(
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

pub(super) async fn post_booking(
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

pub(super) async fn get_booking_ics(
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
