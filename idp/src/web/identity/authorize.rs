//! `GET /authorize` (RFC 6749 §4.1.1, OpenID Connect Core §3.1.2) and the consent step.
//!
//! An unknown client or an unregistered redirect URI gets an error page and is never redirected
//! to (RFC 6749 §4.1.2.1). Every other outcome, success or error, goes back to the client's
//! redirect URI with `state` and `iss` (RFC 9207).

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_csrf::CsrfToken;
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use super::login_state::{self, Login};
use crate::accounts;
use crate::error::PageError;
use crate::oauth::adapter::{self, ScopeSet};
use crate::oauth::clients::GrantType;
use crate::oauth::consents;
use crate::oauth::error::ErrorCode;
use crate::oauth::grants::{self, NewCode};
use crate::oauth::params::OAuthForm;
use crate::oauth::scopes;
use crate::state::AppState;
use crate::web::lang::Lang;
use crate::web::pages::{self, PageForm, form_token, render};

const PENDING: &str = "pending_authorization";

/// A validated authorization request waiting for login or consent.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Pending {
    client_id: String,
    client_name: String,
    redirect_uri: String,
    scope: String,
    state: Option<String>,
    nonce: Option<String>,
    pkce: Option<String>,
    /// The user must have authenticated at or after this time (max_age).
    login_after: Option<i64>,
    /// The login this request found and refused (prompt=login, or too old for max_age): only
    /// a different, new login satisfies it. Seconds cannot tell two logins apart; ids can.
    #[serde(default)]
    replaced_login: Option<String>,
    prompt_consent: bool,
    /// The client asked for two factors (`acr_values`): one will not do.
    #[serde(default)]
    two_factors: bool,
}

/// Where the browser goes with an error for the client.
fn error_redirect(
    issuer: &str,
    redirect_uri: &str,
    code: ErrorCode,
    description: &str,
    state: Option<&str>,
) -> Response {
    let mut url = match url::Url::parse(redirect_uri) {
        Ok(url) => url,
        Err(_) => return PageError::BadRequest("invalid redirect_uri".into()).into_response(),
    };
    {
        let mut query = url.query_pairs_mut();
        query.append_pair("error", code.as_str());
        query.append_pair("error_description", description);
        if let Some(state) = state {
            query.append_pair("state", state);
        }
        query.append_pair("iss", issuer);
    }
    pages::redirect_away(url.as_str())
}

fn bad_request_page(message: &str) -> Response {
    PageError::BadRequest(message.to_owned()).into_response()
}

pub async fn get_authorize(
    State(state): State<AppState>,
    session: Session,
    RawQuery(query): RawQuery,
) -> Response {
    let pairs: Vec<(String, String)> =
        match serde_urlencoded::from_str(query.as_deref().unwrap_or_default()) {
            Ok(pairs) => pairs,
            Err(_) => {
                return bad_request_page(
                    "授权请求的参数格式有误。The authorization request is malformed.",
                );
            }
        };
    let form = match OAuthForm::from_pairs(pairs) {
        Ok(form) => form,
        Err(e) => return bad_request_page(&e.error_description),
    };
    // A pushed request (RFC 9126): the parameters come from what the client pushed, once.
    let pushed = form.get("request_uri").is_some();
    let form = match form.get("request_uri") {
        None => form,
        Some(request_uri) => {
            let Some(client_id) = form.get("client_id") else {
                return bad_request_page("缺少 client_id。The client_id parameter is missing.");
            };
            let stored = match crate::oauth::pushed::take(
                &state.db,
                client_id,
                request_uri,
                state.now(),
            )
            .await
            {
                Ok(Ok(pairs)) => pairs,
                Ok(Err(_)) => {
                    return bad_request_page(
                        "该授权请求已失效（已使用、已过期或不属于该应用），请从应用重新登录。The pushed authorization request is invalid, used or expired; start again from the application.",
                    );
                }
                Err(e) => return PageError::Internal(e.into()).into_response(),
            };
            match OAuthForm::from_pairs(stored) {
                Ok(form) => form,
                Err(e) => return bad_request_page(&e.error_description),
            }
        }
    };
    let Some(client_id) = form.get("client_id") else {
        return bad_request_page("缺少 client_id。The client_id parameter is missing.");
    };
    // Through the same short-lived cache as the token endpoint: every login starts here.
    let client = match state.clients.find(&state.db, client_id).await {
        Ok(Some(client)) => (*client).clone(),
        Ok(None) => return bad_request_page("未知的应用（client_id 未注册）。Unknown client_id."),
        Err(e) => return PageError::Internal(e.into()).into_response(),
    };
    let Some(redirect_uri) = form.get("redirect_uri") else {
        return bad_request_page("缺少 redirect_uri。The redirect_uri parameter is missing.");
    };
    if !client
        .redirect_uris
        .iter()
        .any(|registered| adapter::redirect_uri_matches(registered, redirect_uri, client.public))
    {
        return bad_request_page(
            "redirect_uri 未在该应用中登记，平台不会跳转到该地址。The redirect_uri is not registered for this client.",
        );
    }

    // From here on the redirect URI is trusted: errors go back to the client.
    let issuer = state.issuer();
    let client_state = form.get("state");
    let fail = |code: ErrorCode, description: &str| {
        error_redirect(issuer, redirect_uri, code, description, client_state)
    };

    if client.require_pushed_authorization_requests && !pushed {
        return fail(
            ErrorCode::InvalidRequest,
            "this client must push its authorization requests (RFC 9126) to /par",
        );
    }
    match form.get("response_type") {
        Some("code") => {}
        Some(_) => {
            return fail(
                ErrorCode::UnsupportedResponseType,
                "only response_type=code is supported",
            );
        }
        None => return fail(ErrorCode::InvalidRequest, "response_type is required"),
    }
    if !client.allows_grant(GrantType::AuthorizationCode) {
        return fail(
            ErrorCode::UnauthorizedClient,
            "this client may not use the authorization code grant",
        );
    }
    if form.get("request").is_some() || form.get("request_uri").is_some() {
        return fail(
            ErrorCode::InvalidRequest,
            "request objects are not supported",
        );
    }
    let Some(scope_text) = form.get("scope") else {
        return fail(ErrorCode::InvalidScope, "scope is required");
    };
    let scope = match ScopeSet::parse(scope_text) {
        Ok(scope) => scope,
        Err(e) => return fail(ErrorCode::InvalidScope, &e),
    };
    if let Some(unknown) = scope.iter().find(|s| !scopes::is_known(s)) {
        return fail(ErrorCode::InvalidScope, &format!("unknown scope {unknown}"));
    }
    if !scope.is_subset_of(&client.allowed_scopes()) {
        return fail(
            ErrorCode::InvalidScope,
            "the client may not ask for some of these scopes",
        );
    }
    let pkce = match (
        form.get("code_challenge"),
        form.get("code_challenge_method"),
    ) {
        (Some(challenge), method) => match adapter::pkce_challenge(method, challenge) {
            Ok(encoded) => Some(encoded),
            Err(reason) => return fail(ErrorCode::InvalidRequest, reason),
        },
        (None, Some(_)) => {
            return fail(
                ErrorCode::InvalidRequest,
                "code_challenge_method without code_challenge",
            );
        }
        (None, None) if client.public => {
            return fail(
                ErrorCode::InvalidRequest,
                "PKCE (code_challenge with S256) is required for public clients",
            );
        }
        (None, None) => None,
    };
    let prompts: Vec<&str> = form
        .get("prompt")
        .map(|p| p.split(' ').collect())
        .unwrap_or_default();
    if prompts
        .iter()
        .any(|p| !matches!(*p, "none" | "login" | "consent" | "select_account"))
    {
        return fail(ErrorCode::InvalidRequest, "unsupported prompt value");
    }
    let prompt_none = prompts.contains(&"none");
    if prompt_none && prompts.len() > 1 {
        return fail(
            ErrorCode::InvalidRequest,
            "prompt=none cannot be combined with other values",
        );
    }
    let max_age = match form.get("max_age").map(str::parse::<i64>) {
        None => None,
        Some(Ok(age)) if age >= 0 => Some(age),
        Some(_) => {
            return fail(
                ErrorCode::InvalidRequest,
                "max_age must be a non-negative integer",
            );
        }
    };

    // Voluntary in OpenID Connect, but a client asking only for two factors is never given
    // one silently: it gets two, or an error.
    let two_factors = match form.get("acr_values") {
        None => false,
        Some(values) => {
            let known: Vec<&str> = values
                .split(' ')
                .filter(|v| {
                    matches!(
                        *v,
                        login_state::ACR_ONE_FACTOR | login_state::ACR_TWO_FACTORS
                    )
                })
                .collect();
            if known.is_empty() {
                return fail(
                    ErrorCode::InvalidRequest,
                    "unsupported acr_values; this provider offers 1 (one factor) and 2 (two factors)",
                );
            }
            !known.contains(&login_state::ACR_ONE_FACTOR)
        }
    };

    let now = state.now();
    let login_after = max_age.map(|age| now - age);
    let login = login_state::current(&session).await;
    // The current login serves unless the client asked for a new one or it is too old.
    let usable = login.as_ref().is_some_and(|l| {
        !prompts.contains(&"login") && login_after.is_none_or(|after| l.auth_time >= after)
    });
    // A login that serves but with one factor where two were asked for is raised, not replaced.
    let short_of_factors =
        usable && two_factors && login.as_ref().is_some_and(|l| !l.two_factors());
    let pending = Pending {
        client_id: client.client_id.clone(),
        client_name: client.name.clone(),
        redirect_uri: redirect_uri.to_owned(),
        scope: scope.to_text(),
        state: client_state.map(str::to_owned),
        nonce: form.get("nonce").map(str::to_owned),
        pkce,
        login_after,
        replaced_login: login.as_ref().filter(|_| !usable).map(|l| l.sid.clone()),
        prompt_consent: prompts.contains(&"consent"),
        two_factors,
    };
    match login {
        Some(_) if short_of_factors && prompt_none => fail(
            ErrorCode::InteractionRequired,
            "a second factor is needed and prompt=none forbids asking for it",
        ),
        Some(login) if short_of_factors => {
            if let Err(e) = session.insert(PENDING, &pending).await {
                return PageError::Internal(e.into()).into_response();
            }
            super::second_step::step_up(&state, &session, &login, RESUME_PATH)
                .await
                .unwrap_or_else(IntoResponse::into_response)
        }
        Some(login) if usable => proceed(&state, &session, login, pending, prompt_none).await,
        _ if prompt_none => fail(ErrorCode::LoginRequired, "the user is not signed in"),
        _ => {
            if let Err(e) = session.insert(PENDING, &pending).await {
                return PageError::Internal(e.into()).into_response();
            }
            pages::see_other(&format!("/login?return_to={RESUME_PATH}"))
        }
    }
}

/// Where the login page returns to when an authorization request waits in the session.
pub const RESUME_PATH: &str = "/authorize/resume";

/// After login: continue the request kept in the session.
pub async fn get_resume(State(state): State<AppState>, session: Session) -> Response {
    resume(&state, &session).await
}

/// Continues the authorization request kept in the session: on to consent, or back to the
/// client with a code. The login form calls this directly after a successful login, sparing
/// the browser a redirect through [`RESUME_PATH`] (and the server a session round trip).
pub async fn resume(state: &AppState, session: &Session) -> Response {
    let pending: Option<Pending> = session.get(PENDING).await.ok().flatten();
    let Some(pending) = pending else {
        return bad_request_page(
            "没有待处理的授权请求，请从应用重新登录。No authorization request is waiting; start again from the application.",
        );
    };
    match login_state::current(session).await {
        Some(login)
            if pending
                .login_after
                .is_none_or(|after| login.auth_time >= after)
                && pending.replaced_login.as_deref() != Some(login.sid.as_str()) =>
        {
            if pending.two_factors && !login.two_factors() {
                return super::second_step::step_up(state, session, &login, RESUME_PATH)
                    .await
                    .unwrap_or_else(IntoResponse::into_response);
            }
            proceed(state, session, login, pending, false).await
        }
        _ => pages::see_other(&format!("/login?return_to={RESUME_PATH}")),
    }
}

/// Whether the authorization request waiting in the session asked for two factors.
pub async fn pending_wants_two_factors(session: &Session) -> bool {
    session
        .get::<Pending>(PENDING)
        .await
        .ok()
        .flatten()
        .is_some_and(|p| p.two_factors)
}

/// The name of the client whose request waits, for the login page.
pub async fn pending_client_name(_state: &AppState, session: &Session) -> Option<String> {
    session
        .get::<Pending>(PENDING)
        .await
        .ok()
        .flatten()
        .map(|p| p.client_name)
}

/// With a signed-in user: narrow the scopes to the user's roles, then issue a code at once if
/// the user already consented to them, or ask.
async fn proceed(
    state: &AppState,
    session: &Session,
    login: Login,
    mut pending: Pending,
    prompt_none: bool,
) -> Response {
    let issuer = state.issuer();
    let fail = |code: ErrorCode, description: &str| {
        error_redirect(
            issuer,
            &pending.redirect_uri,
            code,
            description,
            pending.state.as_deref(),
        )
    };
    let user = match accounts::find_user(&state.db, &login.user_id).await {
        Ok(Some(user)) if !user.disabled => user,
        Ok(_) => return fail(ErrorCode::AccessDenied, "the account is disabled"),
        Err(e) => return PageError::Internal(e.into()).into_response(),
    };
    let requested = ScopeSet::parse(&pending.scope).unwrap_or_else(|_| ScopeSet::empty());
    let allowed = requested.filter(|s| scopes::role_allows(&user.roles, s));
    if allowed.is_empty() {
        return fail(
            ErrorCode::AccessDenied,
            "the user's roles allow none of the requested scopes",
        );
    }
    pending.scope = allowed.to_text();
    let consented = match consents::covers(&state.db, &user.id, &pending.client_id, &allowed).await
    {
        Ok(covered) => covered,
        Err(e) => return PageError::Internal(e.into()).into_response(),
    };
    if consented && !pending.prompt_consent {
        let _ = session.remove::<Pending>(PENDING).await;
        return issue_code(state, &login, &pending).await;
    }
    if prompt_none {
        return fail(
            ErrorCode::ConsentRequired,
            "the user has not consented to these scopes",
        );
    }
    if let Err(e) = session.insert(PENDING, &pending).await {
        return PageError::Internal(e.into()).into_response();
    }
    pages::see_other("/consent")
}

async fn issue_code(state: &AppState, login: &Login, pending: &Pending) -> Response {
    let code = grants::issue_code(
        &state.db,
        NewCode {
            client_id: &pending.client_id,
            user_id: &login.user_id,
            session_id: Some(&login.sid),
            redirect_uri: &pending.redirect_uri,
            scope: &pending.scope,
            nonce: pending.nonce.as_deref(),
            pkce_challenge: pending.pkce.as_deref(),
            auth_time: login.auth_time,
            amr: &login.amr.join(" "),
        },
        state.now(),
        state.settings.tokens.authorization_code_ttl,
    )
    .await;
    let code = match code {
        Ok(code) => code,
        Err(e) => return PageError::Internal(e.into()).into_response(),
    };
    let Ok(mut url) = url::Url::parse(&pending.redirect_uri) else {
        return bad_request_page("invalid redirect_uri");
    };
    {
        let mut query = url.query_pairs_mut();
        query.append_pair("code", code.expose());
        if let Some(state_param) = &pending.state {
            query.append_pair("state", state_param);
        }
        query.append_pair("iss", state.issuer());
    }
    pages::redirect_away(url.as_str())
}

#[derive(Template)]
#[template(path = "consent.html")]
struct ConsentPage {
    en: bool,
    csrf_token: String,
    client_name: String,
    user_name: String,
    scopes: Vec<scopes::ScopeInfo>,
}

pub async fn get_consent(
    State(state): State<AppState>,
    lang: Lang,
    csrf: CsrfToken,
    session: Session,
) -> Result<Response, PageError> {
    let pending: Option<Pending> = session.get(PENDING).await.ok().flatten();
    let (Some(pending), Some(login)) = (pending, login_state::current(&session).await) else {
        return Err(PageError::BadRequest(
            "没有待授权的请求，请从应用重新开始。No authorization request is waiting.".into(),
        ));
    };
    let user = accounts::find_user(&state.db, &login.user_id)
        .await
        .map_err(|e| PageError::Internal(e.into()))?
        .ok_or(PageError::NotFound)?;
    let scope = ScopeSet::parse(&pending.scope).unwrap_or_else(|_| ScopeSet::empty());
    let page = ConsentPage {
        en: lang.en,
        csrf_token: form_token(&csrf)?,
        client_name: pending.client_name,
        user_name: user.display_name,
        scopes: {
            // A stable order people can read, not the set's hash order.
            let mut listed: Vec<&str> = scope.iter().collect();
            listed.sort_by_key(|s| (scopes::display_rank(s), *s));
            listed.into_iter().filter_map(scopes::info).collect()
        },
    };
    Ok(render(lang, StatusCode::OK, Some(csrf), &page))
}

#[derive(Deserialize)]
pub struct ConsentForm {
    decision: String,
}

pub async fn post_consent(
    State(state): State<AppState>,
    session: Session,
    PageForm(form): PageForm<ConsentForm>,
) -> Result<Response, PageError> {
    let pending: Option<Pending> = session.remove(PENDING).await.ok().flatten();
    let (Some(pending), Some(login)) = (pending, login_state::current(&session).await) else {
        return Err(PageError::BadRequest(
            "没有待授权的请求。No authorization request is waiting.".into(),
        ));
    };
    if form.decision != "allow" {
        return Ok(error_redirect(
            state.issuer(),
            &pending.redirect_uri,
            ErrorCode::AccessDenied,
            "the user denied the request",
            pending.state.as_deref(),
        ));
    }
    let scope = ScopeSet::parse(&pending.scope).unwrap_or_else(|_| ScopeSet::empty());
    consents::remember(
        &state.db,
        &login.user_id,
        &pending.client_id,
        &scope,
        state.now(),
    )
    .await
    .map_err(|e| PageError::Internal(e.into()))?;
    Ok(issue_code(&state, &login, &pending).await)
}
