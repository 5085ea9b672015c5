//! Crowdfunding pages: the public page of a project (Open Graph tags and a QR code, for sharing
//! to WeChat and other social platforms) and the staff review console.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Extension, Router};
use axum_csrf::CsrfToken;
use serde::Deserialize;

use super::model::ProjectView;
use super::{Action, CrowdfundingError, Service};
use crate::accounts::caller::Caller;
use crate::error::PageError;
use crate::platform::kit::pages::{ConsoleStaff, Lang, PageForm, form_token, render, see_other};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/crowdfunding/{id}", get(get_public))
        .route("/console/crowdfunding", get(get_queue))
        .route("/console/crowdfunding/{id}", post(post_decision))
}

/// The platform's errors on a page: not found is the 404 page, a lost database the 503 page.
impl From<CrowdfundingError> for PageError {
    fn from(e: CrowdfundingError) -> Self {
        match e {
            CrowdfundingError::NotFound(_) => PageError::NotFound,
            CrowdfundingError::Forbidden(_) => PageError::Forbidden,
            CrowdfundingError::Db(e) => PageError::Internal(e.into()),
            other => PageError::BadRequest(other.to_string()),
        }
    }
}

#[derive(Template)]
#[template(path = "crowdfunding_project.html")]
struct PublicPage {
    en: bool,
    view: ProjectView,
    url: String,
    qr_svg: String,
    description: String,
}

/// A QR code of `text` as inline SVG.
fn qr_svg(text: &str) -> String {
    match qrcode::QrCode::new(text.as_bytes()) {
        Ok(code) => code
            .render::<qrcode::render::svg::Color>()
            .min_dimensions(160, 160)
            .quiet_zone(true)
            .build(),
        Err(_) => String::new(),
    }
}

/// Public: listed, successful and failed projects; drafts and others are not found.
async fn get_public(
    State(state): State<AppState>,
    Extension(cf): Extension<Arc<Service>>,
    lang: Lang,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let view = cf.view(&state.db, &id, None, state.now()).await?;
    let url = format!("{}/crowdfunding/{}", state.issuer(), view.project.id);
    let description = if view.project.summary.is_empty() {
        view.project.intro.chars().take(120).collect()
    } else {
        view.project.summary.clone()
    };
    let page = PublicPage {
        en: lang.en,
        qr_svg: qr_svg(&url),
        url,
        description,
        view,
    };
    Ok(render(lang, StatusCode::OK, None, &page))
}

pub struct QueueRow {
    id: String,
    title: String,
    category: String,
    state_label: &'static str,
    target_yuan: String,
    deletion_reason: Option<String>,
    voucher: Option<String>,
}

#[derive(Template)]
#[template(path = "console_crowdfunding.html")]
struct QueuePage {
    en: bool,
    csrf_token: String,
    rows: Vec<QueueRow>,
    error: Option<String>,
}

const RETURN: &str = "/console/crowdfunding";

async fn queue_page(
    state: &AppState,
    cf: &Service,
    staff: &Caller,
    lang: Lang,
    csrf: CsrfToken,
    error: Option<String>,
) -> Result<Response, PageError> {
    let mut rows = Vec::new();
    for view in cf.review_queue(&state.db, staff, state.now()).await? {
        rows.push(QueueRow {
            id: view.project.id.clone(),
            title: view.project.title.clone(),
            category: view.project.category.clone(),
            state_label: view.state_label,
            target_yuan: view.progress.target_yuan.clone(),
            deletion_reason: view.project.deletion_reason.clone(),
            voucher: view
                .voucher
                .as_ref()
                .filter(|v| v.state == "applied")
                .map(|v| v.amount_yuan.clone()),
        });
    }
    let status = if error.is_some() {
        StatusCode::CONFLICT
    } else {
        StatusCode::OK
    };
    let page = QueuePage {
        en: lang.en,
        csrf_token: form_token(&csrf)?,
        rows,
        error,
    };
    Ok(render(lang, status, Some(csrf), &page))
}

/// Staff: what waits for review.
async fn get_queue(
    State(state): State<AppState>,
    Extension(cf): Extension<Arc<Service>>,
    staff: ConsoleStaff,
    lang: Lang,
    csrf: CsrfToken,
) -> Result<Response, PageError> {
    queue_page(&state, &cf, &staff.caller(), lang, csrf, None).await
}

#[derive(Deserialize)]
pub struct DecisionForm {
    decision: String,
    #[serde(default)]
    reason: String,
}

/// Staff: approve, return (with feedback), reject, carry out a deletion, or decide a voucher.
async fn post_decision(
    State(state): State<AppState>,
    Extension(cf): Extension<Arc<Service>>,
    staff: ConsoleStaff,
    lang: Lang,
    csrf: CsrfToken,
    Path(id): Path<String>,
    PageForm(form): PageForm<DecisionForm>,
) -> Result<Response, PageError> {
    let caller = staff.caller();
    let reason = Some(form.reason.as_str()).filter(|r| !r.trim().is_empty());
    let now = state.now();
    let result = match form.decision.as_str() {
        "approve" => cf
            .act(&state.db, &caller, &id, Action::Approve, reason, now)
            .await
            .map(|_| ()),
        "return" => cf
            .act(&state.db, &caller, &id, Action::Return, reason, now)
            .await
            .map(|_| ()),
        "reject" => cf
            .act(&state.db, &caller, &id, Action::Reject, reason, now)
            .await
            .map(|_| ()),
        "delete" => cf
            .act(&state.db, &caller, &id, Action::Delete, reason, now)
            .await
            .map(|_| ()),
        "approve_subsidy" => cf
            .decide_subsidy(&state.db, &caller, &id, true, reason, now)
            .await
            .map(|_| ()),
        "reject_subsidy" => cf
            .decide_subsidy(&state.db, &caller, &id, false, reason, now)
            .await
            .map(|_| ()),
        _ => return Err(PageError::BadRequest("unknown decision".into())),
    };
    match result {
        Ok(()) => Ok(see_other(RETURN)),
        Err(CrowdfundingError::Db(e)) => Err(PageError::Internal(e.into())),
        Err(e) => queue_page(&state, &cf, &caller, lang, csrf, Some(e.to_string())).await,
    }
}
