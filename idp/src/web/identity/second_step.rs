//! The second step of signing in: after the password, a code from the authenticator app (or a
//! recovery code) for a user who has one; enrolment for a user who must have one and does
//! not (their role is in `[login] second_factor_roles`, or the client asked for two factors
//! with `acr_values`). The same step raises an existing login to two factors (step-up).
//!
//! Until the step is done nobody is signed in: the session holds only who typed the right
//! password, for ten minutes. The password's attempt stays counted by the throttle until the
//! whole sign-in succeeds, and every code typed is counted too, so knowing the password does
//! not buy unlimited guesses at the code.

use std::net::SocketAddr;

use askama::Template;
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_csrf::CsrfToken;
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use super::login_state::{self, Login};
use super::throttle;
use crate::accounts::second_factor::{self, recovery, totp};
use crate::audit;
use crate::clock::UnixTime;
use crate::error::PageError;
use crate::state::AppState;
use crate::web::lang::Lang;
use crate::web::pages::{self, PageForm, form_token, render};

const KEY: &str = "second_step";
/// How long the password typed stays good for the second step.
const STEP_TTL: i64 = 600;

/// Who typed the right password and what is still to do.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct SecondStep {
    user_id: String,
    username: String,
    return_to: String,
    started_at: UnixTime,
    /// No factor yet: enrol one.
    enrol: bool,
    /// Raising this login (by its sid) to two factors rather than starting a new one.
    step_up_sid: Option<String>,
}

async fn current(session: &Session, now: UnixTime) -> Option<SecondStep> {
    let step: SecondStep = session.get(KEY).await.ok().flatten()?;
    (step.started_at + STEP_TTL > now).then_some(step)
}

fn internal(e: impl Into<anyhow::Error>) -> PageError {
    PageError::Internal(e.into())
}

async fn begin(session: &Session, step: SecondStep) -> Result<Response, PageError> {
    // A new id for the half-signed-in session, as for a full login.
    session.cycle_id().await.map_err(internal)?;
    let to = if step.enrol {
        "/login/enrol"
    } else {
        "/login/verify"
    };
    session.insert(KEY, &step).await.map_err(internal)?;
    Ok(pages::see_other(to))
}

/// After a right password: the second step's page when one is due, or `None` to sign in now.
pub async fn after_password(
    state: &AppState,
    session: &Session,
    user_id: &str,
    username: &str,
    return_to: &str,
    client_wants_two: bool,
) -> Result<Option<Response>, PageError> {
    let factors = second_factor::of(&state.db, user_id)
        .await
        .map_err(internal)?;
    let user = crate::accounts::find_user(&state.db, user_id)
        .await
        .map_err(internal)?
        .ok_or(PageError::NotFound)?;
    let must = second_factor::required(&user.roles, &state.settings.login.second_factor_roles);
    if !factors.any() && !must && !client_wants_two {
        return Ok(None);
    }
    let step = SecondStep {
        user_id: user_id.to_owned(),
        username: username.to_owned(),
        return_to: return_to.to_owned(),
        started_at: state.now(),
        enrol: !factors.any(),
        step_up_sid: None,
    };
    begin(session, step).await.map(Some)
}

/// Raises the signed-in `login` to two factors, then continues at `return_to`.
pub async fn step_up(
    state: &AppState,
    session: &Session,
    login: &Login,
    return_to: &str,
) -> Result<Response, PageError> {
    let user = crate::accounts::find_user(&state.db, &login.user_id)
        .await
        .map_err(internal)?
        .ok_or(PageError::NotFound)?;
    let factors = second_factor::of(&state.db, &user.id)
        .await
        .map_err(internal)?;
    let step = SecondStep {
        user_id: user.id,
        username: user.username,
        return_to: return_to.to_owned(),
        started_at: state.now(),
        enrol: !factors.any(),
        step_up_sid: Some(login.sid.clone()),
    };
    begin(session, step).await
}

/// Who typed the right password, while the second step (not enrolment) waits.
pub async fn who(session: &Session, now: UnixTime) -> Option<(String, String)> {
    current(session, now)
        .await
        .filter(|s| !s.enrol)
        .map(|s| (s.user_id, s.username))
}

/// The waiting second step done with `method` (a passkey): signed in; where to go next.
pub async fn complete_with(
    state: &AppState,
    session: &Session,
    method: &str,
    address: &str,
) -> Result<Option<String>, PageError> {
    let Some(step) = current(session, state.now()).await.filter(|s| !s.enrol) else {
        return Ok(None);
    };
    complete(state, session, &step, address, method).await?;
    Ok(Some(match step.return_to.as_str() {
        super::authorize::RESUME_PATH => super::authorize::RESUME_PATH.to_owned(),
        other => pages::safe_return_to(other).to_owned(),
    }))
}

/// The step is done: sign in with both factors (or raise the login), then on to `return_to`.
async fn complete(
    state: &AppState,
    session: &Session,
    step: &SecondStep,
    address: &str,
    method: &str,
) -> Result<(), PageError> {
    let now = state.now();
    session.remove::<SecondStep>(KEY).await.map_err(internal)?;
    let current = login_state::current(session).await;
    match (&step.step_up_sid, current) {
        (Some(sid), Some(login)) if &login.sid == sid && login.user_id == step.user_id => {
            login_state::step_up(session, login, method, now)
                .await
                .map_err(internal)?;
        }
        _ => {
            login_state::start(
                session,
                &step.user_id,
                &[login_state::PASSWORD, method],
                now,
            )
            .await
            .map_err(internal)?;
        }
    }
    if step.step_up_sid.is_none() {
        // The password's attempt was left counted until now: the sign-in is whole, so it is
        // taken back, or a day of two-step sign-ins from one office would lock its address.
        let admitted = throttle::Admission::Admitted { known_since: None };
        throttle::succeeded(&state.db, &step.username, address, admitted, now)
            .await
            .map_err(internal)?;
    }
    let actor = audit::Actor::user(&step.user_id, &step.username, Some(address.to_owned()));
    let change = audit::Change::new("sign_in", "user", &step.username)
        .outcome("ok")
        .after(&serde_json::json!({"amr": [login_state::PASSWORD, method]}));
    audit::record(&state.db, &actor, change, now).await;
    metrics::counter!(crate::metrics::LOGINS, "outcome" => "success").increment(1);
    Ok(())
}

/// Where the browser goes once signed in.
async fn onward(state: &AppState, session: &Session, return_to: &str) -> Response {
    if return_to == super::authorize::RESUME_PATH {
        return super::authorize::resume(state, session).await;
    }
    pages::see_other(pages::safe_return_to(return_to)).into_response()
}

fn restart() -> Response {
    pages::see_other("/login")
}

#[derive(Template)]
#[template(path = "login_verify.html")]
struct VerifyPage {
    en: bool,
    csrf_token: String,
    error: Option<String>,
    /// What the user can verify with.
    factors: second_factor::Factors,
    passkeys_here: bool,
}

pub async fn get_verify(
    State(state): State<AppState>,
    lang: Lang,
    csrf: CsrfToken,
    session: Session,
) -> Result<Response, PageError> {
    let Some(step) = current(&session, state.now()).await.filter(|s| !s.enrol) else {
        return Ok(restart());
    };
    verify_page(&state, lang, csrf, &step, None).await
}

/// The second step's page, with the refusal of the last code when there was one.
async fn verify_page(
    state: &AppState,
    lang: Lang,
    csrf: CsrfToken,
    step: &SecondStep,
    refused: Option<CodeRefusal>,
) -> Result<Response, PageError> {
    let page = VerifyPage {
        en: lang.en,
        csrf_token: form_token(&csrf)?,
        error: refused.as_ref().map(|r| r.message(lang)),
        factors: second_factor::of(&state.db, &step.user_id)
            .await
            .map_err(internal)?,
        passkeys_here: state.webauthn.is_some(),
    };
    let status = refused.map_or(StatusCode::OK, |r| r.status());
    Ok(render(lang, status, Some(csrf), &page))
}

#[derive(Deserialize)]
pub struct CodeForm {
    code: String,
}

/// Why a typed code was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeRefusal {
    /// The throttle holds the account for this many seconds; the code was not checked.
    Locked(i64),
    /// Right, but its time step was used already.
    Replayed,
    Wrong,
}

impl CodeRefusal {
    pub fn message(self, lang: Lang) -> String {
        match self {
            CodeRefusal::Locked(seconds) => throttle::locked_message(lang, seconds),
            CodeRefusal::Replayed => lang
                .pick(
                    "该验证码已使用过，请等待应用显示下一个验证码。",
                    "That code was used already; wait for the next one in your app.",
                )
                .to_owned(),
            CodeRefusal::Wrong => lang
                .pick("验证码不正确。", "The code is not right.")
                .to_owned(),
        }
    }

    pub fn status(self) -> StatusCode {
        match self {
            CodeRefusal::Locked(_) => StatusCode::TOO_MANY_REQUESTS,
            _ => StatusCode::UNAUTHORIZED,
        }
    }
}

/// Checks a typed code as the login throttle allows (counted first, forgiven when right): an
/// authenticator code (six digits) or, with `recovery_too`, a recovery code.
pub async fn check_code(
    state: &AppState,
    user_id: &str,
    username: &str,
    address: &str,
    code: &str,
    recovery_too: bool,
) -> Result<Result<(), CodeRefusal>, PageError> {
    let now = state.now();
    let admission = throttle::admit(&state.db, username, address, now)
        .await
        .map_err(internal)?;
    if let throttle::Admission::Locked(seconds) = admission {
        return Ok(Err(CodeRefusal::Locked(seconds)));
    }
    let digits: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    let outcome = if digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit()) {
        totp::verify(&state.db, &state.sealer, user_id, &digits, now)
            .await
            .map_err(internal)?
    } else if recovery_too
        && recovery::spend(&state.db, user_id, code, now)
            .await
            .map_err(internal)?
    {
        totp::CodeCheck::Accepted
    } else {
        totp::CodeCheck::Wrong
    };
    match outcome {
        totp::CodeCheck::Accepted => {
            throttle::succeeded(&state.db, username, address, admission, now)
                .await
                .map_err(internal)?;
            Ok(Ok(()))
        }
        totp::CodeCheck::Replayed => Ok(Err(CodeRefusal::Replayed)),
        totp::CodeCheck::Wrong => Ok(Err(CodeRefusal::Wrong)),
    }
}

pub async fn post_verify(
    State(state): State<AppState>,
    lang: Lang,
    csrf: CsrfToken,
    session: Session,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    PageForm(form): PageForm<CodeForm>,
) -> Result<Response, PageError> {
    let Some(step) = current(&session, state.now()).await.filter(|s| !s.enrol) else {
        return Ok(restart());
    };
    let address = peer.ip().to_string();
    let refused = match check_code(
        &state,
        &step.user_id,
        &step.username,
        &address,
        &form.code,
        true,
    )
    .await?
    {
        Ok(()) => {
            complete(
                &state,
                &session,
                &step,
                &address,
                login_state::ONE_TIME_CODE,
            )
            .await?;
            return Ok(onward(&state, &session, &step.return_to).await);
        }
        Err(refused) => refused,
    };
    if refused != CodeRefusal::Wrong && refused != CodeRefusal::Replayed {
        return verify_page(&state, lang, csrf, &step, Some(refused)).await;
    }
    let why = if refused == CodeRefusal::Replayed {
        "replayed"
    } else {
        "wrong"
    };
    let actor = audit::Actor::user(&step.user_id, &step.username, Some(address.clone()));
    let change = audit::Change::new("sign_in", "user", &step.username)
        .outcome("refused")
        .after(&serde_json::json!({"second_factor": why}));
    audit::record(&state.db, &actor, change, state.now()).await;
    metrics::counter!(crate::metrics::LOGINS, "outcome" => "failure").increment(1);
    verify_page(&state, lang, csrf, &step, Some(refused)).await
}

/// Enrolling an authenticator app: the QR code and a form for the first code.
#[derive(Template)]
#[template(path = "totp_enrol.html")]
struct EnrolPage {
    en: bool,
    csrf_token: String,
    /// Where the confirmation code is posted.
    action: &'static str,
    /// Signing in (the factor is required) rather than on the account page.
    signing_in: bool,
    qr_svg: String,
    secret: String,
    error: Option<String>,
}

/// The recovery codes, shown once.
#[derive(Template)]
#[template(path = "recovery_codes.html")]
pub struct RecoveryCodesPage {
    pub en: bool,
    pub codes: Vec<String>,
    pub continue_to: String,
}

/// What a wrong code confirming an enrolment is told.
pub fn wrong_enrolment_code(lang: Lang) -> String {
    lang.pick(
        "验证码不正确，请输入应用中当前显示的 6 位数字。",
        "The code is not right; type the six digits your app shows now.",
    )
    .to_owned()
}

/// The pending enrolment of `user_id`, started if there is none.
async fn enrolment(
    state: &AppState,
    user_id: &str,
    username: &str,
) -> Result<totp::Enrolment, PageError> {
    if let Some(pending) = totp::pending(&state.db, &state.sealer, user_id, username)
        .await
        .map_err(internal)?
    {
        return Ok(pending);
    }
    totp::begin(&state.db, &state.sealer, user_id, username, state.now())
        .await
        .map_err(|e| match e {
            second_factor::SecondFactorError::AlreadyEnrolled => {
                PageError::BadRequest(e.to_string())
            }
            e => internal(e),
        })
}

pub async fn get_enrol(
    State(state): State<AppState>,
    lang: Lang,
    csrf: CsrfToken,
    session: Session,
) -> Result<Response, PageError> {
    let Some(step) = current(&session, state.now()).await.filter(|s| s.enrol) else {
        return Ok(restart());
    };
    enrol_page(
        &state,
        lang,
        csrf,
        &step.user_id,
        &step.username,
        true,
        None,
    )
    .await
}

/// The enrolment page (the pending seed, started if there is none) for signing in or for the
/// account page, with the refusal of the last code when there was one.
pub async fn enrol_page(
    state: &AppState,
    lang: Lang,
    csrf: CsrfToken,
    user_id: &str,
    username: &str,
    signing_in: bool,
    error: Option<String>,
) -> Result<Response, PageError> {
    let enrolment = enrolment(state, user_id, username).await?;
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = EnrolPage {
        en: lang.en,
        csrf_token: form_token(&csrf)?,
        action: if signing_in {
            "/login/enrol"
        } else {
            "/account/totp"
        },
        signing_in,
        qr_svg: enrolment.qr_svg,
        secret: enrolment.secret,
        error,
    };
    Ok(render(lang, status, Some(csrf), &page))
}

pub async fn post_enrol(
    State(state): State<AppState>,
    lang: Lang,
    csrf: CsrfToken,
    session: Session,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    PageForm(form): PageForm<CodeForm>,
) -> Result<Response, PageError> {
    let now = state.now();
    let Some(step) = current(&session, now).await.filter(|s| s.enrol) else {
        return Ok(restart());
    };
    let address = peer.ip().to_string();
    let admission = throttle::admit(&state.db, &step.username, &address, now)
        .await
        .map_err(internal)?;
    let confirmed = match admission {
        throttle::Admission::Locked(_) => None,
        throttle::Admission::Admitted { .. } => {
            totp::confirm(&state.db, &state.sealer, &step.user_id, &form.code, now)
                .await
                .map_err(internal)?
        }
    };
    let Some(codes) = confirmed else {
        let error = match admission {
            throttle::Admission::Locked(seconds) => throttle::locked_message(lang, seconds),
            _ => wrong_enrolment_code(lang),
        };
        let (user_id, username) = (&step.user_id, &step.username);
        return enrol_page(&state, lang, csrf, user_id, username, true, Some(error)).await;
    };
    throttle::succeeded(&state.db, &step.username, &address, admission, now)
        .await
        .map_err(internal)?;
    let actor = audit::Actor::user(&step.user_id, &step.username, Some(address.clone()));
    audit::record(
        &state.db,
        &actor,
        audit::Change::new("user.totp_enrolled", "user", &step.user_id),
        now,
    )
    .await;
    complete(
        &state,
        &session,
        &step,
        &address,
        login_state::ONE_TIME_CODE,
    )
    .await?;
    let continue_to = match step.return_to.as_str() {
        super::authorize::RESUME_PATH => super::authorize::RESUME_PATH.to_owned(),
        other => pages::safe_return_to(other).to_owned(),
    };
    let page = RecoveryCodesPage {
        en: lang.en,
        codes,
        continue_to,
    };
    Ok(render(lang, StatusCode::OK, None, &page))
}
