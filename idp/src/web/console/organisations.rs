//! `/console/organisations`: freezing and unfreezing an organisation's reporting with a reason
//! (administrators only).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum_csrf::CsrfToken;
use serde::Deserialize;

use crate::accounts::{self, Organisation};
use crate::catalogue::freeze::{self, FreezeError};
use crate::error::PageError;
use crate::state::AppState;
use crate::web::auth::ConsoleStaff;
use crate::web::lang::Lang;
use crate::web::pages::{self, PageForm, form_token, render};

#[derive(Template)]
#[template(path = "console_organisations.html")]
struct OrganisationsPage {
    en: bool,
    csrf_token: String,
    organisations: Vec<Organisation>,
    notice: Option<String>,
    error: Option<String>,
}

const RETURN: &str = "/console/organisations";

async fn organisations_page(
    state: &AppState,
    lang: Lang,
    csrf: CsrfToken,
    notice: Option<String>,
    error: Option<String>,
) -> Result<Response, PageError> {
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let page = OrganisationsPage {
        en: lang.en,
        csrf_token: form_token(&csrf)?,
        organisations: accounts::list_organisations(&state.db)
            .await
            .map_err(|e| PageError::Internal(e.into()))?,
        notice,
        error,
    };
    Ok(render(lang, status, Some(csrf), &page))
}

pub async fn get_organisations(
    State(state): State<AppState>,
    _staff: ConsoleStaff,
    lang: Lang,
    csrf: CsrfToken,
) -> Result<Response, PageError> {
    organisations_page(&state, lang, csrf, None, None).await
}

#[derive(Deserialize)]
pub struct FreezeForm {
    #[serde(default)]
    reason: String,
    action: String,
}

pub async fn post_organisation(
    State(state): State<AppState>,
    ConsoleStaff(admin): ConsoleStaff,
    lang: Lang,
    csrf: CsrfToken,
    Path(id): Path<String>,
    address: crate::http::extract::ClientAddress,
    PageForm(form): PageForm<FreezeForm>,
) -> Result<Response, PageError> {
    let actor = crate::audit::Actor::user(&admin.id, &admin.username, address.0);
    let freeze = match form.action.as_str() {
        "freeze" => true,
        "unfreeze" => false,
        _ => return Err(PageError::BadRequest("unknown action".into())),
    };
    match freeze::set_frozen(&state.db, &id, freeze, &form.reason, &actor, state.now()).await {
        Ok(()) => Ok(pages::see_other(RETURN)),
        // Shown on the form; anything else is the error page.
        Err(e @ FreezeError::ReasonRequired) => {
            organisations_page(&state, lang, csrf, None, Some(e.to_string())).await
        }
        Err(e) => Err(e.into()),
    }
}
