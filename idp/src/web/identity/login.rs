//! `GET /login` shows the form; `POST /login` checks the password (argon2id, the same time and
//! answer for an unknown user as for a wrong password), counts failures, and starts a session.

use std::net::SocketAddr;

use askama::Template;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_csrf::CsrfToken;
use serde::Deserialize;
use tower_sessions::Session;

use super::{login_state, throttle};
use crate::accounts::{self, password};
use crate::error::PageError;
use crate::state::AppState;
use crate::web::lang::Lang;
use crate::web::pages::{self, PageForm, form_token, render};

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    en: bool,
    csrf_token: String,
    return_to: String,
    username: String,
    client_name: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct LoginQuery {
    return_to: Option<String>,
}

pub async fn get_login(
    State(state): State<AppState>,
    lang: Lang,
    csrf: CsrfToken,
    session: Session,
    Query(query): Query<LoginQuery>,
) -> Result<Response, PageError> {
    let return_to =
        pages::safe_return_to(query.return_to.as_deref().unwrap_or("/account")).to_owned();
    let client_name = super::authorize::pending_client_name(&state, &session).await;
    let page = LoginPage {
        en: lang.en,
        csrf_token: form_token(&csrf)?,
        return_to,
        username: String::new(),
        client_name,
        error: None,
    };
    Ok(render(lang, StatusCode::OK, Some(csrf), &page))
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    return_to: String,
}

pub async fn post_login(
    State(state): State<AppState>,
    lang: Lang,
    csrf: CsrfToken,
    session: Session,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    PageForm(form): PageForm<LoginForm>,
) -> Result<Response, PageError> {
    let now = state.now();
    let return_to = pages::safe_return_to(&form.return_to).to_owned();
    let address = peer.ip().to_string();
    let internal = |e: crate::db::DbError| PageError::Internal(e.into());

    let refuse = |message: String, status| -> Result<Response, PageError> {
        let page = LoginPage {
            en: lang.en,
            csrf_token: form_token(&csrf)?,
            return_to: return_to.clone(),
            username: form.username.clone(),
            client_name: None,
            error: Some(message),
        };
        Ok(render(lang, status, Some(csrf.clone()), &page))
    };

    let admission = throttle::admit(&state.db, &form.username, &address, now)
        .await
        .map_err(internal)?;
    let attempt = |outcome: &'static str, user_id: Option<String>| {
        // As typed, bounded: a sign-in names whoever it claimed to be.
        let name: String = form.username.trim().chars().take(64).collect();
        let change = crate::audit::Change::new("sign_in", "user", &name).outcome(outcome);
        let actor = crate::audit::Actor {
            user_id,
            name,
            address: Some(address.clone()),
        };
        (actor, change)
    };
    if let throttle::Admission::Locked(seconds) = admission {
        let (actor, change) = attempt("throttled", None);
        crate::audit::record(&state.db, &actor, change, now).await;
        metrics::counter!(crate::metrics::LOGINS, "outcome" => "locked").increment(1);
        return refuse(
            throttle::locked_message(lang, seconds),
            StatusCode::TOO_MANY_REQUESTS,
        );
    }

    let stored = accounts::password_hash_of(&state.db, form.username.trim())
        .await
        .map_err(|e| PageError::Internal(e.into()))?;
    let user_id = stored.as_ref().map(|(id, _)| id.clone());
    let ok = password::verify(form.password.clone(), stored.map(|(_, hash)| hash)).await;
    let Some(user_id) = user_id.filter(|_| ok) else {
        // Counted already, when the attempt was admitted.
        tracing::info!(address = %peer.ip(), "failed login");
        let (actor, change) = attempt("refused", None);
        crate::audit::record(&state.db, &actor, change, now).await;
        metrics::counter!(crate::metrics::LOGINS, "outcome" => "failure").increment(1);
        return refuse(
            lang.pick("用户名或密码错误。", "Wrong username or password.")
                .to_owned(),
            StatusCode::UNAUTHORIZED,
        );
    };
    // A second step to go: the attempt stays counted until it is done.
    let client_wants_two = return_to == super::authorize::RESUME_PATH
        && super::authorize::pending_wants_two_factors(&session).await;
    if let Some(next) = super::second_step::after_password(
        &state,
        &session,
        &user_id,
        form.username.trim(),
        &return_to,
        client_wants_two,
    )
    .await?
    {
        return Ok(next);
    }
    throttle::succeeded(&state.db, &form.username, &address, admission, now)
        .await
        .map_err(internal)?;
    login_state::start(&session, &user_id, &[login_state::PASSWORD], now)
        .await
        .map_err(|e| PageError::Internal(e.into()))?;
    tracing::info!(user = %user_id, "signed in");
    let (actor, change) = attempt("ok", Some(user_id.clone()));
    crate::audit::record(&state.db, &actor, change, now).await;
    metrics::counter!(crate::metrics::LOGINS, "outcome" => "success").increment(1);
    if return_to == super::authorize::RESUME_PATH {
        return Ok(super::authorize::resume(&state, &session).await);
    }
    Ok(pages::see_other(&return_to).into_response())
}
