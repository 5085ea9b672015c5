//! Passkey ceremonies for the pages (`static/passkeys.js` drives them): registering one on the
//! account page, signing in with one instead of a password, and using one as the second step
//! after a password. Each ceremony's options come from webauthn-rs; its state waits in the
//! server-side session and is taken once, so an answer cannot be replayed. The answers are
//! JSON for the script; failures carry a `message` it shows.

use std::net::SocketAddr;

use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;
use webauthn_rs::prelude::{
    PasskeyAuthentication, PasskeyRegistration, PublicKeyCredential, RegisterPublicKeyCredential,
    Uuid, Webauthn,
};

use super::login_state;
use super::throttle;
use crate::accounts;
use crate::accounts::second_factor::passkeys;
use crate::audit;
use crate::state::AppState;
use crate::web::auth::PageUser;
use crate::web::lang::Lang;
use crate::web::pages::{self, CsrfOnly, PageForm};

const REGISTRATION: &str = "passkey_registration";
const AUTHENTICATION: &str = "passkey_authentication";
/// RFC 8176: proof of a hardware-held key, with the user verified on it (two factors).
pub const HARDWARE_KEY: &str = "hwk";
pub const MULTIPLE_FACTORS: &str = "mfa";

/// A refusal the script shows.
pub struct Refusal(StatusCode, String);

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        (self.0, Json(serde_json::json!({ "message": self.1 }))).into_response()
    }
}

impl Refusal {
    /// The same answer for an unknown user as for one without passkeys.
    fn no_passkey(lang: Lang) -> Refusal {
        Refusal(
            StatusCode::NOT_FOUND,
            lang.pick(
                "该账号没有登记通行密钥，请用密码登录。",
                "This account has no passkey; sign in with the password.",
            )
            .into(),
        )
    }

    fn internal(e: impl std::fmt::Display) -> Refusal {
        tracing::error!(error = %e, "a passkey ceremony failed inside");
        Refusal(
            StatusCode::INTERNAL_SERVER_ERROR,
            "服务器出错，请稍后再试。Something went wrong; try again later.".into(),
        )
    }
}

fn relying_party(state: &AppState, lang: Lang) -> Result<&Webauthn, Refusal> {
    state.webauthn.as_deref().ok_or_else(|| {
        Refusal(
            StatusCode::NOT_FOUND,
            lang.pick(
                "本平台的地址不支持通行密钥（须为域名）。",
                "Passkeys need the platform to be served under a domain name.",
            )
            .into(),
        )
    })
}

fn redirect(to: &str) -> Response {
    Json(serde_json::json!({ "redirect": to })).into_response()
}

/// The user id webauthn-rs hands authenticators: a UUID derived from ours, the same every time
/// so that one authenticator keeps one passkey per account.
fn webauthn_user_id(user_id: &str) -> Uuid {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, user_id.as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest.as_ref()[..16]);
    Uuid::from_bytes(bytes)
}

pub async fn post_register_options(
    State(state): State<AppState>,
    PageUser { user, .. }: PageUser,
    lang: Lang,
    session: Session,
    PageForm(_): PageForm<CsrfOnly>,
) -> Result<Response, Refusal> {
    let rp = relying_party(&state, lang)?;
    let existing = passkeys::credentials(&state.db, &user.id)
        .await
        .map_err(Refusal::internal)?;
    let exclude = existing.iter().map(|p| p.cred_id().clone()).collect();
    let (options, registration) = rp
        .start_passkey_registration(
            webauthn_user_id(&user.id),
            &user.username,
            &user.display_name,
            Some(exclude),
        )
        .map_err(Refusal::internal)?;
    session
        .insert(REGISTRATION, &registration)
        .await
        .map_err(Refusal::internal)?;
    Ok(Json(options).into_response())
}

#[derive(Deserialize)]
pub struct RegisterForm {
    #[serde(default)]
    name: String,
    credential: String,
}

pub async fn post_register(
    State(state): State<AppState>,
    PageUser { user, .. }: PageUser,
    lang: Lang,
    session: Session,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    PageForm(form): PageForm<RegisterForm>,
) -> Result<Response, Refusal> {
    let rp = relying_party(&state, lang)?;
    let registration: PasskeyRegistration = session
        .remove(REGISTRATION)
        .await
        .map_err(Refusal::internal)?
        .ok_or_else(|| {
            Refusal(
                StatusCode::BAD_REQUEST,
                lang.pick("请重新开始登记。", "Start the registration again.")
                    .into(),
            )
        })?;
    let answer: RegisterPublicKeyCredential = serde_json::from_str(&form.credential)
        .map_err(|_| Refusal(StatusCode::BAD_REQUEST, "malformed credential".into()))?;
    let passkey = rp
        .finish_passkey_registration(&answer, &registration)
        .map_err(|e| {
            Refusal(
                StatusCode::BAD_REQUEST,
                format!(
                    "{}: {e}",
                    lang.pick("通行密钥未通过验证", "The passkey did not verify")
                ),
            )
        })?;
    let now = state.now();
    let id = passkeys::add(&state.db, &user.id, &form.name, &passkey, now)
        .await
        .map_err(|e| match e {
            passkeys::AddError::Other(e) => Refusal::internal(e),
            e => Refusal(StatusCode::CONFLICT, e.to_string()),
        })?;
    let actor = audit::Actor::user(&user.id, &user.username, Some(peer.ip().to_string()));
    let change = audit::Change::new("user.passkey_added", "user", &user.id)
        .after(&serde_json::json!({ "credential_id": id, "name": form.name.trim() }));
    audit::record(&state.db, &actor, change, now).await;
    Ok(redirect("/account"))
}

#[derive(Deserialize)]
pub struct RemoveForm {
    credential_id: String,
    password: String,
}

/// Removes a passkey with the password (held to the login throttle).
pub async fn post_remove(
    State(state): State<AppState>,
    PageUser { user, .. }: PageUser,
    lang: Lang,
    session: Session,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    PageForm(form): PageForm<RemoveForm>,
) -> Result<Response, crate::error::PageError> {
    let internal = |e: crate::db::DbError| crate::error::PageError::Internal(e.into());
    let now = state.now();
    let address = peer.ip().to_string();
    let check = throttle::check_password(&state.db, &user.username, &address, form.password, now)
        .await
        .map_err(|e| crate::error::PageError::Internal(e.into()))?;
    let notice = if let throttle::PasswordCheck::Locked(seconds) = check {
        throttle::locked_message(lang, seconds)
    } else if check == throttle::PasswordCheck::Wrong {
        lang.pick(
            "密码不正确，通行密钥未移除。",
            "The password is wrong; the passkey was not removed.",
        )
        .to_owned()
    } else {
        if passkeys::remove(&state.db, &user.id, &form.credential_id)
            .await
            .map_err(internal)?
        {
            let actor = audit::Actor::user(&user.id, &user.username, Some(address));
            let change = audit::Change::new("user.passkey_removed", "user", &user.id)
                .before(&serde_json::json!({ "credential_id": form.credential_id }));
            audit::record(&state.db, &actor, change, now).await;
        }
        lang.pick("通行密钥已移除。", "The passkey is removed.")
            .to_owned()
    };
    session
        .insert(super::account::NOTICE, notice)
        .await
        .map_err(|e| crate::error::PageError::Internal(e.into()))?;
    Ok(pages::see_other("/account"))
}

/// Whose passkey a sign-in ceremony waits for, and why.
#[derive(Serialize, Deserialize)]
struct Waiting {
    user_id: String,
    username: String,
    state: PasskeyAuthentication,
    /// The second step after a password (else a sign-in without one).
    second_step: bool,
}

async fn start_authentication(
    state: &AppState,
    lang: Lang,
    session: &Session,
    user_id: &str,
    username: &str,
    second_step: bool,
) -> Result<Response, Refusal> {
    let rp = relying_party(state, lang)?;
    let credentials = passkeys::credentials(&state.db, user_id)
        .await
        .map_err(Refusal::internal)?;
    if credentials.is_empty() {
        return Err(Refusal::no_passkey(lang));
    }
    let (options, ceremony) = rp
        .start_passkey_authentication(&credentials)
        .map_err(Refusal::internal)?;
    let waiting = Waiting {
        user_id: user_id.to_owned(),
        username: username.to_owned(),
        state: ceremony,
        second_step,
    };
    session
        .insert(AUTHENTICATION, &waiting)
        .await
        .map_err(Refusal::internal)?;
    Ok(Json(options).into_response())
}

#[derive(Deserialize)]
pub struct UsernameForm {
    #[serde(default)]
    username: String,
}

/// Sign-in without a password: the options for the named user's passkeys.
pub async fn post_sign_in_options(
    State(state): State<AppState>,
    lang: Lang,
    session: Session,
    PageForm(form): PageForm<UsernameForm>,
) -> Result<Response, Refusal> {
    let username = form.username.trim();
    let user = accounts::find_user_by_username(&state.db, username)
        .await
        .map_err(Refusal::internal)?;
    let Some(user) = user.filter(|u| !u.disabled) else {
        return Err(Refusal::no_passkey(lang));
    };
    start_authentication(&state, lang, &session, &user.id, &user.username, false).await
}

/// The second step after the password: the options for the user's passkeys.
pub async fn post_second_step_options(
    State(state): State<AppState>,
    lang: Lang,
    session: Session,
    PageForm(_): PageForm<CsrfOnly>,
) -> Result<Response, Refusal> {
    let Some((user_id, username)) = super::second_step::who(&session, state.now()).await else {
        return Err(Refusal(
            StatusCode::BAD_REQUEST,
            lang.pick("请重新登录。", "Sign in again.").into(),
        ));
    };
    start_authentication(&state, lang, &session, &user_id, &username, true).await
}

#[derive(Deserialize)]
pub struct AssertionForm {
    credential: String,
    #[serde(default)]
    return_to: String,
}

/// Checks the passkey's answer (held to the login throttle) and signs in.
pub async fn post_assertion(
    State(state): State<AppState>,
    lang: Lang,
    session: Session,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    PageForm(form): PageForm<AssertionForm>,
) -> Result<Response, Refusal> {
    let rp = relying_party(&state, lang)?;
    let restart = || {
        Refusal(
            StatusCode::BAD_REQUEST,
            lang.pick("请重新开始登录。", "Start signing in again.")
                .into(),
        )
    };
    let waiting: Waiting = session
        .remove(AUTHENTICATION)
        .await
        .map_err(Refusal::internal)?
        .ok_or_else(restart)?;
    let now = state.now();
    let address = peer.ip().to_string();
    let admission = throttle::admit(&state.db, &waiting.username, &address, now)
        .await
        .map_err(Refusal::internal)?;
    if let throttle::Admission::Locked(seconds) = admission {
        return Err(Refusal(
            StatusCode::TOO_MANY_REQUESTS,
            throttle::locked_message(lang, seconds),
        ));
    }
    let verified = serde_json::from_str::<PublicKeyCredential>(&form.credential)
        .ok()
        .and_then(|answer| {
            rp.finish_passkey_authentication(&answer, &waiting.state)
                .ok()
        });
    let actor = audit::Actor::user(&waiting.user_id, &waiting.username, Some(address.clone()));
    let Some(result) = verified else {
        let change = audit::Change::new("sign_in", "user", &waiting.username)
            .outcome("refused")
            .after(&serde_json::json!({ "passkey": "did not verify" }));
        audit::record(&state.db, &actor, change, now).await;
        metrics::counter!(crate::metrics::LOGINS, "outcome" => "failure").increment(1);
        return Err(Refusal(
            StatusCode::UNAUTHORIZED,
            lang.pick("通行密钥未通过验证。", "The passkey did not verify.")
                .into(),
        ));
    };
    passkeys::used(&state.db, &waiting.user_id, &result, now)
        .await
        .map_err(Refusal::internal)?;
    throttle::succeeded(&state.db, &waiting.username, &address, admission, now)
        .await
        .map_err(Refusal::internal)?;
    if waiting.second_step {
        let return_to = super::second_step::complete_with(&state, &session, HARDWARE_KEY, &address)
            .await
            .map_err(|e| Refusal::internal(format!("{e:?}")))?
            .ok_or_else(restart)?;
        return Ok(redirect(&return_to));
    }
    login_state::start(
        &session,
        &waiting.user_id,
        &[HARDWARE_KEY, MULTIPLE_FACTORS],
        now,
    )
    .await
    .map_err(Refusal::internal)?;
    let change = audit::Change::new("sign_in", "user", &waiting.username)
        .outcome("ok")
        .after(&serde_json::json!({ "amr": [HARDWARE_KEY, MULTIPLE_FACTORS] }));
    audit::record(&state.db, &actor, change, now).await;
    metrics::counter!(crate::metrics::LOGINS, "outcome" => "success").increment(1);
    let return_to = match form.return_to.as_str() {
        super::authorize::RESUME_PATH => super::authorize::RESUME_PATH,
        "" => "/account",
        other => pages::safe_return_to(other),
    };
    Ok(redirect(return_to))
}
