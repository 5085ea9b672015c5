//! RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0) at `/logout`. With a valid
//! `id_token_hint` the user is signed out at once; otherwise they confirm on a page. Signing out
//! ends the session and revokes the grants made in it (their refresh tokens stop working).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum_csrf::CsrfToken;
use serde::Deserialize;
use tower_sessions::Session;

use super::login_state;
use crate::error::PageError;
use crate::oauth::{clients, grants};
use crate::state::AppState;
use crate::web::lang::Lang;
use crate::web::pages::{self, PageForm, form_token, render};

#[derive(Template)]
#[template(path = "logout.html")]
struct LogoutPage {
    en: bool,
    done: bool,
    csrf_token: String,
    post_logout_redirect_uri: String,
    client_id: String,
    state: String,
}

#[derive(Deserialize, Default)]
pub struct LogoutParams {
    id_token_hint: Option<String>,
    post_logout_redirect_uri: Option<String>,
    client_id: Option<String>,
    state: Option<String>,
}

/// The redirect after logout, when it is registered for the client.
async fn checked_redirect(
    state: &AppState,
    client_id: Option<&str>,
    uri: Option<&str>,
) -> Result<Option<String>, PageError> {
    let Some(uri) = uri.filter(|u| !u.is_empty()) else {
        return Ok(None);
    };
    let Some(client_id) = client_id.filter(|c| !c.is_empty()) else {
        return Err(PageError::BadRequest(
            "post_logout_redirect_uri 需要同时提供 client_id 或 id_token_hint。post_logout_redirect_uri needs client_id or id_token_hint.".into(),
        ));
    };
    let client = clients::find(&state.db, client_id)
        .await
        .map_err(|e| PageError::Internal(e.into()))?
        .ok_or_else(|| PageError::BadRequest("未知的应用。Unknown client.".into()))?;
    if !client
        .post_logout_redirect_uris
        .iter()
        .any(|registered| registered == uri)
    {
        return Err(PageError::BadRequest(
            "post_logout_redirect_uri 未登记，平台不会跳转到该地址。The post_logout_redirect_uri is not registered.".into(),
        ));
    }
    Ok(Some(uri.to_owned()))
}

async fn sign_out(state: &AppState, session: &Session) -> Result<(), PageError> {
    if let Some(login) = login_state::current(session).await {
        let which = grants::GrantsOf::Session {
            user_id: &login.user_id,
            session_id: &login.sid,
        };
        grants::revoke_grants(&state.db, which, "logout", state.now())
            .await
            .map_err(|e| PageError::Internal(e.into()))?;
        state.logouts.nudge(state.now());
        tracing::info!(user = %login.user_id, "signed out");
    }
    login_state::end(session)
        .await
        .map_err(|e| PageError::Internal(e.into()))
}

fn finish(lang: Lang, redirect: Option<String>, client_state: Option<&str>) -> Response {
    match redirect.and_then(|uri| url::Url::parse(&uri).ok()) {
        Some(mut url) => {
            if let Some(s) = client_state.filter(|s| !s.is_empty()) {
                url.query_pairs_mut().append_pair("state", s);
            }
            pages::redirect_away(url.as_str())
        }
        None => render(
            lang,
            StatusCode::OK,
            None,
            &LogoutPage {
                en: lang.en,
                done: true,
                csrf_token: String::new(),
                post_logout_redirect_uri: String::new(),
                client_id: String::new(),
                state: String::new(),
            },
        ),
    }
}

pub async fn get_logout(
    State(state): State<AppState>,
    lang: Lang,
    csrf: CsrfToken,
    session: Session,
    Query(params): Query<LogoutParams>,
) -> Result<Response, PageError> {
    let hint = match params.id_token_hint.as_deref() {
        Some(token) => Some(
            state
                .tokens
                .verify_id_token_hint(token, state.now())
                .await
                .ok_or_else(|| {
                    PageError::BadRequest(
                        "id_token_hint 无效。The id_token_hint is not valid.".into(),
                    )
                })?,
        ),
        None => None,
    };
    let client_id = params
        .client_id
        .clone()
        .or_else(|| hint.as_ref().map(|h| h.aud.clone()));
    let redirect = checked_redirect(
        &state,
        client_id.as_deref(),
        params.post_logout_redirect_uri.as_deref(),
    )
    .await?;
    let current = login_state::current(&session).await;
    // Sign out at once when the relying party proved who the user is and it is this user.
    let proven = match (&hint, &current) {
        (Some(hint), Some(login)) => hint.sub == login.user_id,
        (Some(_), None) => true,
        _ => false,
    };
    if proven || current.is_none() {
        sign_out(&state, &session).await?;
        return Ok(finish(lang, redirect, params.state.as_deref()));
    }
    let page = LogoutPage {
        en: lang.en,
        done: false,
        csrf_token: form_token(&csrf)?,
        post_logout_redirect_uri: redirect.unwrap_or_default(),
        client_id: client_id.unwrap_or_default(),
        state: params.state.unwrap_or_default(),
    };
    Ok(render(lang, StatusCode::OK, Some(csrf), &page))
}

pub async fn post_logout(
    State(state): State<AppState>,
    lang: Lang,
    session: Session,
    PageForm(params): PageForm<LogoutParams>,
) -> Result<Response, PageError> {
    let redirect = checked_redirect(
        &state,
        params.client_id.as_deref(),
        params.post_logout_redirect_uri.as_deref(),
    )
    .await?;
    sign_out(&state, &session).await?;
    Ok(finish(lang, redirect, params.state.as_deref()))
}
