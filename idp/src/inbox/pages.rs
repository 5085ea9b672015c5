//! `/inbox`: the signed-in user's messages as a page, with buttons to mark them read or
//! acknowledge them.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum_csrf::CsrfToken;

use super::{InboxError, Listing, Message};
use crate::accounts::caller::Caller;
use crate::clock::shanghai_time;
use crate::error::PageError;
use crate::platform::kit::pages::{
    CsrfOnly, Lang, PageForm, PageUser, form_token, render, safe_return_to, see_other,
};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/inbox", get(get_inbox))
        .route("/inbox/{id}/read", post(post_read))
        .route("/inbox/{id}/acknowledge", post(post_acknowledge))
}

impl From<InboxError> for PageError {
    fn from(e: InboxError) -> Self {
        match e {
            InboxError::NotFound(_) => PageError::NotFound,
            InboxError::NoAcknowledgement => PageError::BadRequest(e.to_string()),
            InboxError::Db(e) => PageError::Internal(e.into()),
        }
    }
}

fn reader(user: &PageUser) -> Caller {
    Caller {
        user_id: user.user.id.clone(),
        organisation_id: user.user.organisation_id.clone(),
        roles: user.user.roles.clone(),
        staff: false,
    }
}

struct Row {
    id: String,
    subject_zh: String,
    subject_en: String,
    body_zh: String,
    body_en: String,
    link: Option<String>,
    at: String,
    needs_ack: bool,
    read: bool,
    acknowledged: bool,
    waiting: bool,
}

impl From<Message> for Row {
    fn from(m: Message) -> Self {
        let read = m.read_at.is_some();
        let acknowledged = m.acknowledged_at.is_some();
        Row {
            waiting: !read || (m.needs_ack && !acknowledged),
            // Only this site's own paths are offered as links (the rule of login's return_to).
            link: m.link.filter(|l| safe_return_to(l) == l.as_str()),
            at: shanghai_time(m.created_at),
            id: m.id,
            subject_zh: m.subject_zh,
            subject_en: m.subject_en,
            body_zh: m.body_zh,
            body_en: m.body_en,
            needs_ack: m.needs_ack,
            read,
            acknowledged,
        }
    }
}

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    en: bool,
    csrf_token: String,
    messages: Vec<Row>,
}

async fn get_inbox(
    State(state): State<AppState>,
    user: PageUser,
    lang: Lang,
    csrf: CsrfToken,
) -> Result<Response, PageError> {
    let listing = Listing {
        unread_only: false,
        limit: super::MAX_PAGE,
        before: None,
    };
    let messages = super::list(&state.db, &reader(&user), listing).await?;
    let page = InboxPage {
        en: lang.en,
        csrf_token: form_token(&csrf)?,
        messages: messages.into_iter().map(Row::from).collect(),
    };
    Ok(render(lang, StatusCode::OK, Some(csrf), &page))
}

async fn post_read(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    PageForm(_): PageForm<CsrfOnly>,
) -> Result<Response, PageError> {
    super::mark(&state.db, &reader(&user), &id, false, state.now()).await?;
    Ok(see_other("/inbox"))
}

async fn post_acknowledge(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    PageForm(_): PageForm<CsrfOnly>,
) -> Result<Response, PageError> {
    super::mark(&state.db, &reader(&user), &id, true, state.now()).await?;
    Ok(see_other("/inbox"))
}
