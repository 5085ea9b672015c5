//! `/account`: the signed-in user's page: authorised applications (withdraw consent), password
//! change, and signing out everywhere.

use std::net::SocketAddr;

use askama::Template;
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum_csrf::CsrfToken;
use serde::Deserialize;
use tower_sessions::Session;

use super::login_state::{self, Login};
use super::throttle;
use crate::accounts::{self, User};
use crate::error::PageError;
use crate::oauth::consents;
use crate::oauth::grants::{self, GrantsOf};
use crate::state::AppState;
use crate::web::auth::PageUser;
use crate::web::lang::Lang;
use crate::web::pages::{self, CsrfOnly, PageForm, form_token, render};
use crate::web::session_store::DbSessionStore;
use crate::with_pool;

pub struct PasskeyRow {
    credential_id: String,
    name: String,
    created: String,
    last_used: Option<String>,
}

pub struct ActiveSession {
    login_sid: String,
    started: String,
    current: bool,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    en: bool,
    csrf_token: String,
    user: User,
    organisation: Option<String>,
    roles: Vec<String>,
    apps: Vec<consents::AuthorisedApp>,
    sessions: Vec<ActiveSession>,
    notice: Option<String>,
    /// Bank officers and insurers work financing in the console.
    financing_desk: bool,
    fund_desk: bool,
    factors: crate::accounts::second_factor::Factors,
    /// The user's roles require a second factor.
    factor_required: bool,
    passkeys: Vec<PasskeyRow>,
    /// The platform's address allows passkeys (a domain name).
    passkeys_here: bool,
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
    let apps = consents::list(&state.db, &user.id)
        .await
        .map_err(|e| PageError::Internal(e.into()))?;
    let sessions: Vec<(Option<String>, Option<i64>)> = with_pool!(&state.db, pool => sqlx::query_as(
        "SELECT login_sid, created_at FROM sessions WHERE user_id = $1 AND expiry_date > $2 ORDER BY created_at DESC",
    )
    .bind(&user.id)
    .bind(state.now())
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
    let factors = crate::accounts::second_factor::of(&state.db, &user.id)
        .await
        .map_err(|e| PageError::Internal(e.into()))?;
    let factor_required = crate::accounts::second_factor::required(
        &user.roles,
        &state.settings.login.second_factor_roles,
    );
    let passkeys = crate::accounts::second_factor::passkeys::list(&state.db, &user.id)
        .await
        .map_err(|e| PageError::Internal(e.into()))?
        .into_iter()
        .map(|p| PasskeyRow {
            credential_id: p.credential_id,
            name: p.name,
            created: crate::web::pages::shanghai_time(p.created_at),
            last_used: p.last_used_at.map(crate::web::pages::shanghai_time),
        })
        .collect();
    let page = AccountPage {
        passkeys,
        passkeys_here: state.webauthn.is_some(),
        factors,
        factor_required,
        en: lang.en,
        csrf_token: form_token(&csrf)?,
        roles: user
            .roles
            .iter()
            .map(|r| lang.pick(r.label_zh(), r.label_en()).to_owned())
            .collect(),
        financing_desk: user
            .roles
            .iter()
            .any(|r| matches!(r, accounts::Role::BankOfficer | accounts::Role::Insurer)),
        // Fund managers work the mutual fund here; member enterprises apply and print the form.
        fund_desk: user
            .roles
            .iter()
            .any(|r| matches!(r, accounts::Role::FundManager | accounts::Role::Enterprise)),
        user,
        organisation,
        apps,
        sessions,
        notice,
    };
    Ok(render(lang, StatusCode::OK, Some(csrf), &page))
}

/// A message for the next view of the account page (after a POST's 303).
pub(super) const NOTICE: &str = "account_notice";

pub async fn get_account(
    State(state): State<AppState>,
    PageUser { login, .. }: PageUser,
    lang: Lang,
    csrf: CsrfToken,
    session: Session,
) -> Result<Response, PageError> {
    let notice: Option<String> = session.remove(NOTICE).await?;
    page(&state, lang, csrf, &login, notice).await
}

#[derive(Deserialize)]
pub struct WithdrawForm {
    client_id: String,
}

/// Withdraws consent for a client and revokes the user's grants to it.
pub async fn post_withdraw(
    State(state): State<AppState>,
    PageUser { login, .. }: PageUser,
    PageForm(form): PageForm<WithdrawForm>,
) -> Result<Response, PageError> {
    let now = state.now();
    let internal = |e: crate::db::DbError| PageError::Internal(e.into());
    consents::withdraw(&state.db, &login.user_id, &form.client_id)
        .await
        .map_err(internal)?;
    let which = GrantsOf::UserClient {
        user_id: &login.user_id,
        client_id: &form.client_id,
    };
    grants::revoke_grants(&state.db, which, "consent withdrawn", now)
        .await
        .map_err(internal)?;
    state.logouts.nudge(now);
    Ok(pages::see_other("/account"))
}

/// Revokes every grant of the user (all devices) and ends this session.
pub async fn post_logout_all(
    State(state): State<AppState>,
    PageUser { login, .. }: PageUser,
    session: Session,
    PageForm(_): PageForm<CsrfOnly>,
) -> Result<Response, PageError> {
    DbSessionStore::sign_out_elsewhere(
        &state.db,
        &login.user_id,
        None,
        "signed out everywhere",
        state.now(),
    )
    .await
    .map_err(|e| PageError::Internal(e.into()))?;
    state.logouts.nudge(state.now());
    login_state::end(&session)
        .await
        .map_err(|e| PageError::Internal(e.into()))?;
    Ok(pages::see_other("/login"))
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current_password: String,
    new_password: String,
}

pub async fn post_password(
    State(state): State<AppState>,
    PageUser { login, .. }: PageUser,
    lang: Lang,
    session: Session,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    PageForm(form): PageForm<PasswordForm>,
) -> Result<Response, PageError> {
    let user = accounts::find_user(&state.db, &login.user_id)
        .await
        .map_err(|e| PageError::Internal(e.into()))?
        .ok_or(PageError::NotFound)?;
    let address = peer.ip().to_string();
    let notice = change_password(&state, lang, &login, &user, &address, form).await?;
    // Shown once on the page the browser is sent to (303 after every POST).
    session
        .insert(NOTICE, notice)
        .await
        .map_err(|e| PageError::Internal(e.into()))?;
    Ok(pages::see_other("/account"))
}

/// Checks the current password (held to the login throttle) and sets the new one; whoever
/// knew the old password is signed out: every other browser, and every application's grant
/// made outside this session. The notice to show.
async fn change_password(
    state: &AppState,
    lang: Lang,
    login: &Login,
    user: &User,
    address: &str,
    form: PasswordForm,
) -> Result<String, PageError> {
    let now = state.now();
    let internal = |e: crate::db::DbError| PageError::Internal(e.into());
    let check = throttle::check_password(
        &state.db,
        &user.username,
        address,
        form.current_password,
        now,
    )
    .await
    .map_err(|e| PageError::Internal(e.into()))?;
    match check {
        throttle::PasswordCheck::Locked(seconds) => {
            return Ok(format!(
                "{} {}",
                throttle::locked_message(lang, seconds),
                lang.pick("密码未修改。", "Nothing changed.")
            ));
        }
        throttle::PasswordCheck::Wrong => {
            return Ok(lang
                .pick(
                    "当前密码不正确，密码未修改。",
                    "The current password is wrong; nothing changed.",
                )
                .to_owned());
        }
        throttle::PasswordCheck::Right => {}
    }
    match accounts::set_password(&state.db, &user.username, form.new_password, now).await {
        Ok(()) => {
            let change = crate::audit::Change::new("user.password", "user", &user.id)
                .after(&serde_json::json!({"password": "changed"}));
            let actor =
                crate::audit::Actor::user(&user.id, &user.username, Some(address.to_owned()));
            crate::audit::record(&state.db, &actor, change, now).await;
        }
        Err(accounts::AccountError::Password(e)) => return Ok(e.to_string()),
        Err(e) => return Err(PageError::Internal(e.into())),
    }
    DbSessionStore::sign_out_elsewhere(
        &state.db,
        &user.id,
        Some(&login.sid),
        "password changed",
        now,
    )
    .await
    .map_err(internal)?;
    state.logouts.nudge(now);
    Ok(lang
        .pick(
            "密码已修改，其他设备上的登录和应用授权已结束。",
            "Password changed; your other sign-ins and application grants have ended.",
        )
        .to_owned())
}

#[derive(Deserialize)]
pub struct EndSessionForm {
    login_sid: String,
}

/// Ends one of the user's other sessions (a browser left signed in elsewhere) and its grants.
pub async fn post_end_session(
    State(state): State<AppState>,
    PageUser { login, .. }: PageUser,
    session: Session,
    PageForm(form): PageForm<EndSessionForm>,
) -> Result<Response, PageError> {
    let now = state.now();
    let internal = |e: crate::db::DbError| PageError::Internal(e.into());
    // Only the user's own sessions: the sid alone is not trusted.
    let ended = DbSessionStore::end_user_sessions(&state.db, &login.user_id, Some(&form.login_sid))
        .await
        .map_err(internal)?;
    if ended > 0 {
        let which = GrantsOf::Session {
            user_id: &login.user_id,
            session_id: &form.login_sid,
        };
        grants::revoke_grants(&state.db, which, "session ended", now)
            .await
            .map_err(internal)?;
        state.logouts.nudge(now);
    }
    if form.login_sid == login.sid {
        login_state::end(&session)
            .await
            .map_err(|e| PageError::Internal(e.into()))?;
        return Ok(pages::see_other("/login"));
    }
    Ok(pages::see_other("/account"))
}
