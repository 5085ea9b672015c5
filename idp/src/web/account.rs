//! `/account`: the signed-in user's page: authorised applications (withdraw consent), password
//! change, and signing out everywhere.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum_csrf::CsrfToken;
use serde::Deserialize;
use tower_sessions::Session;

use super::lang::Lang;
use super::login_state::{self, Login};
use super::pages::{self, PageForm, check_csrf, form_token, render};
use crate::accounts::{self, User, password};
use crate::error::PageError;
use crate::state::AppState;
use crate::with_pool;

pub struct ActiveSession {
    login_sid: String,
    started: String,
    current: bool,
}

pub struct AuthorisedApp {
    client_id: String,
    client_name: String,
    scope: String,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    en: bool,
    csrf_token: String,
    user: User,
    organisation: Option<String>,
    roles: Vec<String>,
    apps: Vec<AuthorisedApp>,
    sessions: Vec<ActiveSession>,
    notice: Option<String>,
}

async fn signed_in(session: &Session) -> Result<Login, Response> {
    login_state::current(session)
        .await
        .ok_or_else(|| pages::see_other("/login?return_to=/account"))
}

async fn page(
    state: &AppState,
    lang: Lang,
    csrf: CsrfToken,
    login: &Login,
    notice: Option<String>,
) -> Result<Response, PageError> {
    let internal = |e: accounts::AccountError| PageError::Internal(e.into());
    let user = accounts::find_user(&state.db, &login.user_id)
        .await
        .map_err(internal)?
        .ok_or(PageError::NotFound)?;
    let organisation = match &user.organisation_id {
        Some(id) => accounts::find_organisation(&state.db, id)
            .await
            .map_err(internal)?
            .map(|o| o.name),
        None => None,
    };
    let rows: Vec<(String, String, String)> = with_pool!(&state.db, pool => sqlx::query_as(
        "SELECT c.id, c.name, k.scope FROM consents k JOIN clients c ON c.id = k.client_id WHERE k.user_id = $1 ORDER BY c.name",
    )
    .bind(&user.id)
    .fetch_all(pool)
    .await)
    .map_err(|e| PageError::Internal(e.into()))?;
    let sessions: Vec<(Option<String>, Option<i64>)> = with_pool!(&state.db, pool => sqlx::query_as(
        "SELECT login_sid, created_at FROM sessions WHERE user_id = $1 AND expiry_date > $2 ORDER BY created_at DESC",
    )
    .bind(&user.id)
    .bind(time::OffsetDateTime::now_utc().unix_timestamp())
    .fetch_all(pool)
    .await)
    .map_err(|e| PageError::Internal(e.into()))?;
    let sessions = sessions
        .into_iter()
        .filter_map(|(sid, created)| {
            let login_sid = sid?;
            Some(ActiveSession {
                current: login_sid == login.sid,
                started: crate::web::pages::shanghai_time(created.unwrap_or_default()),
                login_sid,
            })
        })
        .collect();
    let page = AccountPage {
        en: lang.en,
        csrf_token: form_token(&csrf)?,
        roles: user
            .roles
            .iter()
            .map(|r| lang.pick(r.label_zh(), r.label_en()).to_owned())
            .collect(),
        user,
        organisation,
        apps: rows
            .into_iter()
            .map(|(client_id, client_name, scope)| AuthorisedApp {
                client_id,
                client_name,
                scope,
            })
            .collect(),
        sessions,
        notice,
    };
    Ok(render(lang, StatusCode::OK, Some(csrf), &page))
}

/// A message for the next view of the account page (after a POST's 303).
const NOTICE: &str = "account_notice";

pub async fn get_account(
    State(state): State<AppState>,
    lang: Lang,
    csrf: CsrfToken,
    session: Session,
) -> Result<Response, PageError> {
    match signed_in(&session).await {
        Ok(login) => {
            let notice: Option<String> = session
                .remove(NOTICE)
                .await
                .map_err(|e| PageError::Internal(e.into()))?;
            page(&state, lang, csrf, &login, notice).await
        }
        Err(redirect) => Ok(redirect),
    }
}

#[derive(Deserialize)]
pub struct WithdrawForm {
    csrf_token: String,
    client_id: String,
}

/// Withdraws consent for a client and revokes the user's grants to it.
pub async fn post_withdraw(
    State(state): State<AppState>,
    csrf: CsrfToken,
    session: Session,
    PageForm(form): PageForm<WithdrawForm>,
) -> Result<Response, PageError> {
    check_csrf(&csrf, &form.csrf_token)?;
    let login = match signed_in(&session).await {
        Ok(login) => login,
        Err(redirect) => return Ok(redirect),
    };
    let now = state.now();
    let result: Result<(), sqlx::Error> = with_pool!(&state.db, pool => async {
        sqlx::query("DELETE FROM consents WHERE user_id = $1 AND client_id = $2")
            .bind(&login.user_id)
            .bind(&form.client_id)
            .execute(pool)
            .await?;
        sqlx::query("UPDATE grants SET revoked_at = $3, revoked_reason = 'consent withdrawn' WHERE user_id = $1 AND client_id = $2 AND revoked_at IS NULL")
            .bind(&login.user_id)
            .bind(&form.client_id)
            .bind(now)
            .execute(pool)
            .await?;
        Ok(())
    }.await);
    result.map_err(|e| PageError::Internal(e.into()))?;
    Ok(pages::see_other("/account"))
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    csrf_token: String,
}

/// Revokes every grant of the user (all devices) and ends this session.
pub async fn post_logout_all(
    State(state): State<AppState>,
    csrf: CsrfToken,
    session: Session,
    PageForm(form): PageForm<CsrfOnly>,
) -> Result<Response, PageError> {
    check_csrf(&csrf, &form.csrf_token)?;
    let login = match signed_in(&session).await {
        Ok(login) => login,
        Err(redirect) => return Ok(redirect),
    };
    let now = state.now();
    let result: Result<(), sqlx::Error> = with_pool!(&state.db, pool => async {
        sqlx::query("UPDATE grants SET revoked_at = $2, revoked_reason = 'signed out everywhere' WHERE user_id = $1 AND revoked_at IS NULL")
            .bind(&login.user_id)
            .bind(now)
            .execute(pool)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(&login.user_id)
            .execute(pool)
            .await?;
        Ok(())
    }.await);
    result.map_err(|e| PageError::Internal(e.into()))?;
    login_state::end(&session)
        .await
        .map_err(|e| PageError::Internal(e.into()))?;
    Ok(pages::see_other("/login"))
}

#[derive(Deserialize)]
pub struct PasswordForm {
    csrf_token: String,
    current_password: String,
    new_password: String,
}

pub async fn post_password(
    State(state): State<AppState>,
    lang: Lang,
    csrf: CsrfToken,
    session: Session,
    PageForm(form): PageForm<PasswordForm>,
) -> Result<Response, PageError> {
    check_csrf(&csrf, &form.csrf_token)?;
    let login = match signed_in(&session).await {
        Ok(login) => login,
        Err(redirect) => return Ok(redirect),
    };
    let user = accounts::find_user(&state.db, &login.user_id)
        .await
        .map_err(|e| PageError::Internal(e.into()))?
        .ok_or(PageError::NotFound)?;
    let stored = accounts::password_hash_of(&state.db, &user.username)
        .await
        .map_err(|e| PageError::Internal(e.into()))?
        .map(|(_, hash)| hash);
    let notice = if !password::verify(form.current_password, stored).await {
        lang.pick(
            "当前密码不正确，密码未修改。",
            "The current password is wrong; nothing changed.",
        )
        .to_owned()
    } else {
        match accounts::set_password(&state.db, &user.username, form.new_password, state.now())
            .await
        {
            Ok(()) => lang.pick("密码已修改。", "Password changed.").to_owned(),
            Err(accounts::AccountError::Password(e)) => e.to_string(),
            Err(e) => return Err(PageError::Internal(e.into())),
        }
    };
    // Shown once on the page the browser is sent to (303 after every POST).
    session
        .insert(NOTICE, notice)
        .await
        .map_err(|e| PageError::Internal(e.into()))?;
    Ok(pages::see_other("/account"))
}

#[derive(Deserialize)]
pub struct EndSessionForm {
    csrf_token: String,
    login_sid: String,
}

/// Ends one of the user's other sessions (a browser left signed in elsewhere) and its grants.
pub async fn post_end_session(
    State(state): State<AppState>,
    csrf: CsrfToken,
    session: Session,
    PageForm(form): PageForm<EndSessionForm>,
) -> Result<Response, PageError> {
    check_csrf(&csrf, &form.csrf_token)?;
    let login = match signed_in(&session).await {
        Ok(login) => login,
        Err(redirect) => return Ok(redirect),
    };
    let now = state.now();
    let result: Result<(), sqlx::Error> = with_pool!(&state.db, pool => async {
        // Only the user's own sessions: the sid alone is not trusted.
        let deleted = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND login_sid = $2")
            .bind(&login.user_id)
            .bind(&form.login_sid)
            .execute(pool)
            .await?
            .rows_affected();
        if deleted > 0 {
            sqlx::query("UPDATE grants SET revoked_at = $3, revoked_reason = 'session ended' WHERE user_id = $1 AND session_id = $2 AND revoked_at IS NULL")
                .bind(&login.user_id)
                .bind(&form.login_sid)
                .bind(now)
                .execute(pool)
                .await?;
        }
        Ok(())
    }.await);
    result.map_err(|e| PageError::Internal(e.into()))?;
    if form.login_sid == login.sid {
        login_state::end(&session)
            .await
            .map_err(|e| PageError::Internal(e.into()))?;
        return Ok(pages::see_other("/login"));
    }
    Ok(pages::see_other("/account"))
}
