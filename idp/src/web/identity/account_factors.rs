//! The account page's second factor: setting up an authenticator app, new recovery codes, and
//! removing it (with the password and a current code, so a browser left signed in is not
//! enough to strip an account of its second factor).

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum_csrf::CsrfToken;
use serde::Deserialize;
use tower_sessions::Session;

use super::login_state;
use super::second_step::{RecoveryCodesPage, check_code, enrol_page, wrong_enrolment_code};
use super::throttle;
use crate::accounts;
use crate::accounts::second_factor::{self, recovery, totp};
use crate::audit;
use crate::error::PageError;
use crate::state::AppState;
use crate::web::auth::PageUser;
use crate::web::lang::Lang;
use crate::web::pages::{self, PageForm, render};

fn internal(e: impl Into<anyhow::Error>) -> PageError {
    PageError::Internal(e.into())
}

/// Shown once on the account page after a POST.
async fn notify(session: &Session, message: &str) -> Result<Response, PageError> {
    session
        .insert(super::account::NOTICE, message)
        .await
        .map_err(internal)?;
    Ok(pages::see_other("/account"))
}

pub async fn get_totp(
    State(state): State<AppState>,
    PageUser { user, .. }: PageUser,
    lang: Lang,
    csrf: CsrfToken,
    session: Session,
) -> Result<Response, PageError> {
    let factors = second_factor::of(&state.db, &user.id)
        .await
        .map_err(internal)?;
    if factors.totp {
        return notify(
            &session,
            lang.pick(
                "身份验证器已启用。",
                "An authenticator app is already set up.",
            ),
        )
        .await;
    }
    enrol_page(&state, lang, csrf, &user.id, &user.username, false, None).await
}

#[derive(Deserialize)]
pub struct CodeForm {
    code: String,
}

/// Confirms the app with its first code; the login in this browser now counts two factors.
pub async fn post_totp(
    State(state): State<AppState>,
    PageUser { user, login }: PageUser,
    lang: Lang,
    csrf: CsrfToken,
    session: Session,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    PageForm(form): PageForm<CodeForm>,
) -> Result<Response, PageError> {
    let now = state.now();
    let address = peer.ip().to_string();
    let Some(codes) = totp::confirm(&state.db, &state.sealer, &user.id, &form.code, now)
        .await
        .map_err(internal)?
    else {
        let error = Some(wrong_enrolment_code(lang));
        return enrol_page(&state, lang, csrf, &user.id, &user.username, false, error).await;
    };
    let actor = audit::Actor::user(&user.id, &user.username, Some(address));
    audit::record(
        &state.db,
        &actor,
        audit::Change::new("user.totp_enrolled", "user", &user.id),
        now,
    )
    .await;
    login_state::step_up(&session, login, login_state::ONE_TIME_CODE, now)
        .await
        .map_err(internal)?;
    let page = RecoveryCodesPage {
        en: lang.en,
        codes,
        continue_to: "/account".into(),
    };
    Ok(render(lang, StatusCode::OK, None, &page))
}

/// A current code (not a recovery code), held to the login throttle. `None` when accepted,
/// else the refusal to show.
async fn current_code_refusal(
    state: &AppState,
    lang: Lang,
    user: &accounts::User,
    address: &str,
    code: &str,
) -> Result<Option<String>, PageError> {
    Ok(
        check_code(state, &user.id, &user.username, address, code, false)
            .await?
            .err()
            .map(|refused| {
                format!(
                    "{} {}",
                    refused.message(lang),
                    lang.pick("未作任何修改。", "Nothing changed.")
                )
            }),
    )
}

#[derive(Deserialize)]
pub struct RemoveForm {
    password: String,
    code: String,
}

pub async fn post_remove(
    State(state): State<AppState>,
    PageUser { user, .. }: PageUser,
    lang: Lang,
    session: Session,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    PageForm(form): PageForm<RemoveForm>,
) -> Result<Response, PageError> {
    let now = state.now();
    let address = peer.ip().to_string();
    if let Some(refusal) = current_code_refusal(&state, lang, &user, &address, &form.code).await? {
        return notify(&session, &refusal).await;
    }
    match throttle::check_password(&state.db, &user.username, &address, form.password, now)
        .await
        .map_err(internal)?
    {
        throttle::PasswordCheck::Right => {}
        throttle::PasswordCheck::Locked(seconds) => {
            return notify(&session, &throttle::locked_message(lang, seconds)).await;
        }
        throttle::PasswordCheck::Wrong => {
            return notify(
                &session,
                lang.pick(
                    "密码不正确，身份验证器未移除。",
                    "The password is wrong; the authenticator app was not removed.",
                ),
            )
            .await;
        }
    }
    totp::remove(&state.db, &user.id).await.map_err(internal)?;
    let actor = audit::Actor::user(&user.id, &user.username, Some(address));
    audit::record(
        &state.db,
        &actor,
        audit::Change::new("user.totp_removed", "user", &user.id),
        now,
    )
    .await;
    let required = second_factor::required(&user.roles, &state.settings.login.second_factor_roles);
    notify(
        &session,
        if required {
            lang.pick(
                "身份验证器已移除。您的角色要求两步验证，下次登录时需重新设置。",
                "The authenticator app is removed. Your role requires a second factor: you will set one up at your next sign-in.",
            )
        } else {
            lang.pick("身份验证器已移除。", "The authenticator app is removed.")
        },
    )
    .await
}

/// Ten new recovery codes for a current code; the old ones stop working.
pub async fn post_recovery_codes(
    State(state): State<AppState>,
    PageUser { user, .. }: PageUser,
    lang: Lang,
    session: Session,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    PageForm(form): PageForm<CodeForm>,
) -> Result<Response, PageError> {
    let now = state.now();
    let address = peer.ip().to_string();
    if let Some(refusal) = current_code_refusal(&state, lang, &user, &address, &form.code).await? {
        return notify(&session, &refusal).await;
    }
    let mut tx = state.db.begin().await.map_err(internal)?;
    let codes = recovery::replace(&mut tx, &user.id, now)
        .await
        .map_err(internal)?;
    tx.commit().await.map_err(internal)?;
    let actor = audit::Actor::user(&user.id, &user.username, Some(address));
    audit::record(
        &state.db,
        &actor,
        audit::Change::new("user.recovery_codes_replaced", "user", &user.id),
        now,
    )
    .await;
    let page = RecoveryCodesPage {
        en: lang.en,
        codes,
        continue_to: "/account".into(),
    };
    Ok(render(lang, StatusCode::OK, None, &page))
}
