//! An example carrier web app (双创载体网站) built on `nx-sdk`: "使用平台账号登录" through the
//! platform's OpenID Connect provider (confidential client, PKCE as well), tokens kept server
//! side and renewed by the SDK, the carrier's basic record (3.1), partners (3.2) and services
//! (3.3) reported through the catalogue, each record's history, and logout through the
//! provider's end-session endpoint. Pages are Chinese first with an English switch.

mod backchannel;
mod crowdfunding;
mod crowdsourcing;
mod extract;
mod financing;
mod pages;

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_csrf::{CsrfConfig, CsrfToken};
use nx_sdk::records::{Carrier, CarrierPartner, CarrierService};
use nx_sdk::{Client, Error as SdkError, MemoryStore, Mode, Query as RecordQuery, TokenHolder};
use serde::{Deserialize, Serialize};
use tokio::sync::{Mutex, OnceCell};
use tower_sessions::{MemoryStore as SessionMemory, Session, SessionManagerLayer};

use extract::{CsrfForm, Platform};
use pages::{HistoryPage, IndexPage, Lang, ReportPage, render, render_error};

/// Where the app is and which provider and client it uses.
#[derive(Debug, Clone)]
pub struct Config {
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    pub listen: String,
    /// The app's own base URL; the callback is `<public_url>/callback`.
    pub public_url: String,
}

impl Config {
    pub fn from_env() -> Config {
        let var =
            |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.into());
        Config {
            issuer: var("NX_ISSUER", "http://127.0.0.1:8080"),
            client_id: var("NX_CLIENT_ID", "cl_carrier_web_demo"),
            client_secret: var(
                "NX_CLIENT_SECRET",
                "nxcs_demo_carrier_web_secret_not_for_production",
            ),
            listen: var("CARRIER_WEB_LISTEN", "127.0.0.1:3000"),
            public_url: var("CARRIER_WEB_URL", "http://127.0.0.1:3000"),
        }
    }
}

/// The scopes the app asks for.
const SCOPES: &[&str] = &[
    "openid",
    "profile",
    "offline_access",
    "catalogue:carrier:read",
    "catalogue:carrier:write",
    "catalogue:carrier-partner:read",
    "catalogue:carrier-partner:write",
    "catalogue:carrier-service:read",
    "catalogue:carrier-service:write",
    "crowdfunding",
    "crowdsourcing",
    "financing",
];

#[derive(Clone)]
struct AppState {
    config: Arc<Config>,
    // Discovered on first use, so the app may start before the provider.
    client: Arc<OnceCell<Client>>,
    // Each signed-in session's tokens, server side; one holder per login so that concurrent
    // requests share one renewal.
    holders: Arc<Mutex<HashMap<String, Arc<TokenHolder>>>>,
    // Whose each login is at the platform, so a logout token can name the logins to end.
    logins: Arc<Mutex<HashMap<String, backchannel::LoginOf>>>,
    csrf: CsrfConfig,
}

impl axum::extract::FromRef<AppState> for CsrfConfig {
    fn from_ref(state: &AppState) -> Self {
        state.csrf.clone()
    }
}

impl AppState {
    async fn client(&self) -> Result<&Client, AppError> {
        self.client
            .get_or_try_init(|| async {
                Client::discover(
                    &self.config.issuer,
                    &self.config.client_id,
                    Some(self.config.client_secret.clone()),
                )
                .await?
                .with_redirect_uri(&format!("{}/callback", self.config.public_url))
            })
            .await
            .map_err(AppError::Sdk)
    }
}

/// What a signed-in session remembers (tokens stay in the holder, not in the cookie).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct SignedIn {
    login_id: String,
    name: String,
    username: String,
    organisation: Option<String>,
    roles: Vec<String>,
    id_token: Option<String>,
}

const SIGNED_IN: &str = "signed_in";
const PENDING: &str = "pending_login";
const FLASH: &str = "flash";

/// Errors of this app, each rendered as a page.
#[derive(Debug)]
enum AppError {
    Sdk(SdkError),
    BadRequest(String),
    Session(String),
}

impl From<SdkError> for AppError {
    fn from(e: SdkError) -> Self {
        AppError::Sdk(e)
    }
}

impl From<tower_sessions::session::Error> for AppError {
    fn from(e: tower_sessions::session::Error) -> Self {
        AppError::Session(e.to_string())
    }
}

/// The platform's answer to a token it no longer accepts (the user withdrew the app, or signed
/// out everywhere, on the platform): this login is over, the user signs in again.
const UNAUTHORIZED: u16 = 401;

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, detail) = match self {
            AppError::Sdk(SdkError::Refused {
                status: UNAUTHORIZED,
                ..
            }) => return Redirect::to("/login").into_response(),
            // The platform refused what the user asked (a state that does not allow it, a
            // field it does not accept): the user reads why, with the platform's status.
            AppError::Sdk(SdkError::Refused { status, problem })
                if (400..500).contains(&status) =>
            {
                (
                    StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
                    problem.detail,
                )
            }
            AppError::Sdk(e) => {
                tracing::warn!(error = %e, "platform call failed");
                (StatusCode::BAD_GATEWAY, e.to_string())
            }
            AppError::BadRequest(d) => (StatusCode::BAD_REQUEST, d),
            AppError::Session(d) => (StatusCode::INTERNAL_SERVER_ERROR, d),
        };
        render_error(status, &detail)
    }
}

pub async fn serve(listener: tokio::net::TcpListener, config: Config) -> std::io::Result<()> {
    axum::serve(listener, app(config)).await
}

/// The whole app as a router.
pub fn app(config: Config) -> Router {
    let secure = config.public_url.starts_with("https://");
    let state = AppState {
        config: Arc::new(config),
        client: Arc::new(OnceCell::new()),
        holders: Arc::new(Mutex::new(HashMap::new())),
        logins: Arc::new(Mutex::new(HashMap::new())),
        csrf: CsrfConfig::default()
            .with_key(Some(axum_csrf::Key::generate()))
            .with_cookie_name("cw_csrf")
            .with_secure(secure)
            .with_http_only(true)
            .with_cookie_same_site(axum_csrf::SameSite::Strict),
    };
    let sessions = SessionManagerLayer::new(SessionMemory::default())
        .with_name("cw_session")
        .with_secure(secure)
        .with_http_only(true)
        .with_same_site(tower_sessions::cookie::SameSite::Lax);
    Router::new()
        .route("/", get(index))
        .route("/login", get(login))
        .route("/callback", get(callback))
        .route("/logout", post(logout))
        .route("/backchannel-logout", post(backchannel::receive))
        .route("/report", get(report_page))
        .route("/report/carrier", post(report_carrier))
        .route("/report/partner", post(report_partner))
        .route("/report/service", post(report_service))
        .route("/report/carrier/{code}", get(carrier_history))
        .route("/crowdfunding", get(crowdfunding::list))
        .route(
            "/crowdfunding/new",
            get(crowdfunding::new_project).post(crowdfunding::create_project),
        )
        .route("/crowdfunding/{id}", get(crowdfunding::detail))
        .route("/crowdfunding/{id}/back", post(crowdfunding::back))
        .route("/crowdfunding/orders/{id}", get(crowdfunding::order))
        .route("/crowdsourcing", get(crowdsourcing::list))
        .route(
            "/crowdsourcing/new",
            get(crowdsourcing::new_demand).post(crowdsourcing::create_demand),
        )
        .route("/crowdsourcing/demands/{id}", get(crowdsourcing::demand))
        .route(
            "/crowdsourcing/demands/{id}/respond",
            post(crowdsourcing::respond),
        )
        .route("/crowdsourcing/responses/{id}", get(crowdsourcing::thread))
        .route(
            "/crowdsourcing/responses/{id}/messages",
            post(crowdsourcing::send_message),
        )
        .route(
            "/crowdsourcing/responses/{id}/offers/{message}/accept",
            post(crowdsourcing::accept_offer),
        )
        .route("/crowdsourcing/orders/{id}", get(crowdsourcing::order))
        .route("/crowdsourcing/orders/{id}/pay", post(crowdsourcing::pay))
        .route("/crowdsourcing/orders/{id}/step", post(crowdsourcing::step))
        .route("/financing", get(financing::list))
        .route(
            "/financing/bridge/new",
            get(financing::new_bridge).post(financing::create_bridge),
        )
        .route("/financing/{id}", get(financing::detail))
        .route(
            "/financing/{id}/documents",
            post(financing::upload).layer(axum::extract::DefaultBodyLimit::max(
                extract::MAX_UPLOAD + 64 * 1024,
            )),
        )
        .route("/financing/{id}/submit", post(financing::submit))
        .layer(sessions)
        .with_state(state)
}

async fn signed_in(session: &Session) -> Result<Option<SignedIn>, AppError> {
    Ok(session.get::<SignedIn>(SIGNED_IN).await?)
}

/// The signed-in user, unless the login has ended since (the platform ended it through the
/// back channel, or this app restarted): then the session ends too.
async fn current_user(state: &AppState, session: &Session) -> Result<Option<SignedIn>, AppError> {
    let Some(user) = signed_in(session).await? else {
        return Ok(None);
    };
    if state.holders.lock().await.contains_key(&user.login_id) {
        return Ok(Some(user));
    }
    session.flush().await?;
    Ok(None)
}

async fn index(
    State(state): State<AppState>,
    lang: Lang,
    csrf: CsrfToken,
    session: Session,
) -> Result<Response, AppError> {
    let user = current_user(&state, &session).await?;
    let page = IndexPage {
        en: lang.en,
        csrf_token: csrf.authenticity_token().unwrap_or_default(),
        user,
    };
    Ok(render(lang, Some(csrf), &page))
}

async fn login(State(state): State<AppState>, session: Session) -> Result<Response, AppError> {
    let client = state.client().await?;
    // Pushed over the back channel (RFC 9126) where the platform offers it: the browser's
    // address carries only a one-time reference.
    let request = client.pushed_authorize_url(SCOPES).await?;
    let url = request.url.to_string();
    // The pending login (state, nonce, PKCE verifier) waits in the server-side session.
    session.insert(PENDING, request).await?;
    Ok(Redirect::to(&url).into_response())
}

#[derive(Deserialize)]
struct CallbackParams {
    code: Option<String>,
    state: Option<String>,
    /// The provider names itself on the callback (RFC 9207).
    iss: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

async fn callback(
    State(state): State<AppState>,
    session: Session,
    Query(params): Query<CallbackParams>,
) -> Result<Response, AppError> {
    let pending: nx_sdk::AuthorizationRequest =
        session.remove(PENDING).await?.ok_or_else(|| {
            AppError::BadRequest(
                "没有进行中的登录，请重新登录。No login in progress; sign in again.".into(),
            )
        })?;
    if let Some(error) = params.error {
        return Err(AppError::BadRequest(format!(
            "平台未授权：{error} {}",
            params.error_description.unwrap_or_default()
        )));
    }
    let (Some(code), Some(returned_state)) = (params.code, params.state) else {
        return Err(AppError::BadRequest(
            "回调缺少 code 或 state。The callback lacks code or state.".into(),
        ));
    };
    let client = state.client().await?;
    client.check_callback(&pending.state, &returned_state, params.iss.as_deref())?;
    let login = client
        .exchange_code(&code, pending.pkce_verifier, &pending.nonce)
        .await?;
    let me = client.userinfo(&login.tokens.access_token).await?;
    let login_id = random_id();
    let id_token = login.tokens.id_token.clone();
    state.logins.lock().await.insert(
        login_id.clone(),
        backchannel::LoginOf {
            subject: login.identity.subject.clone(),
            session_id: login.identity.session_id.clone(),
        },
    );
    let holder = TokenHolder::new(
        client.clone(),
        Some(login.tokens),
        Arc::new(MemoryStore::default()),
    );
    state
        .holders
        .lock()
        .await
        .insert(login_id.clone(), Arc::new(holder));
    // Signing in again (say after the platform ended the last login) replaces that login.
    if let Some(earlier) = signed_in(&session).await? {
        state.holders.lock().await.remove(&earlier.login_id);
        state.logins.lock().await.remove(&earlier.login_id);
    }
    // A new session id at login, against session fixation.
    session.cycle_id().await?;
    session
        .insert(
            SIGNED_IN,
            SignedIn {
                login_id,
                name: me.name.clone().unwrap_or_else(|| me.sub.clone()),
                username: me.preferred_username.clone().unwrap_or_default(),
                organisation: me.organisation.map(|o| o.name),
                roles: me.roles,
                id_token,
            },
        )
        .await?;
    Ok(Redirect::to("/").into_response())
}

fn random_id() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A form with nothing but its CSRF token.
#[derive(Deserialize)]
struct Empty {}

async fn logout(
    State(state): State<AppState>,
    session: Session,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, AppError> {
    let user = signed_in(&session).await?;
    session.flush().await?;
    let Some(user) = user else {
        return Ok(Redirect::to("/").into_response());
    };
    state.logins.lock().await.remove(&user.login_id);
    if let Some(holder) = state.holders.lock().await.remove(&user.login_id) {
        // Ends the grant at the provider even if the browser never reaches the logout page.
        let _ = holder.sign_out().await;
    }
    let client = state.client().await?;
    let url = client.end_session_url(
        user.id_token.as_deref(),
        Some(&format!("{}/", state.config.public_url)),
    )?;
    Ok(Redirect::to(url.as_str()).into_response())
}

async fn report_page(
    Platform {
        user,
        token,
        client,
    }: Platform,
    lang: Lang,
    csrf: CsrfToken,
    session: Session,
) -> Result<Response, AppError> {
    let catalogue = client.catalogue(&token);
    let carriers = catalogue
        .query::<Carrier>(&RecordQuery::new().sort("BASE_CODE", false).limit(100))
        .await?;
    let partners = catalogue
        .query::<CarrierPartner>(&RecordQuery::new().limit(100))
        .await?;
    let services = catalogue
        .query::<CarrierService>(&RecordQuery::new().limit(100))
        .await?;
    let flash: Option<pages::Flash> = session.remove(FLASH).await?;
    let page = ReportPage {
        en: lang.en,
        csrf_token: csrf.authenticity_token().unwrap_or_default(),
        user,
        carriers: carriers
            .items
            .into_iter()
            .map(|v| (v.version, v.record))
            .collect(),
        partners: partners.items.into_iter().map(|v| v.record).collect(),
        services: services.items.into_iter().map(|v| v.record).collect(),
        flash,
    };
    Ok(render(lang, Some(csrf), &page))
}

fn text(value: &str) -> Option<String> {
    let v = value.trim();
    (!v.is_empty()).then(|| v.to_owned())
}

#[derive(Deserialize)]
struct CarrierForm {
    base_code: String,
    enterprise_name: String,
    #[serde(default)]
    base_class: String,
    #[serde(default)]
    regist_no: String,
    #[serde(default)]
    link_name: String,
    #[serde(default)]
    link_phone: String,
    #[serde(default)]
    incubator_num: String,
    #[serde(default)]
    incubator_area: String,
}

#[derive(Deserialize)]
struct PartnerForm {
    base_code: String,
    org_code: String,
    #[serde(default)]
    org_name: String,
    #[serde(default)]
    service_context: String,
}

#[derive(Deserialize)]
struct ServiceForm {
    id: String,
    base_code: String,
    #[serde(default)]
    service_context: String,
    #[serde(default)]
    fees: String,
}

/// Uploads one record and leaves the outcome for the next page view.
async fn upload_one<R: nx_sdk::Record>(
    platform: Platform,
    session: &Session,
    record: R,
) -> Result<Response, AppError> {
    let Platform { token, client, .. } = platform;
    let flash = match client
        .catalogue(&token)
        .upload(std::slice::from_ref(&record), Mode::Atomic, None)
        .await
    {
        Ok(report) => pages::Flash::saved(R::TYPE, &record.key(), report),
        Err(SdkError::InvalidRecords { errors }) => pages::Flash::refused(&errors),
        Err(e @ SdkError::Refused { status, .. }) if status != UNAUTHORIZED => {
            pages::Flash::failed(&e.to_string())
        }
        Err(e) => return Err(e.into()),
    };
    session.insert(FLASH, flash).await?;
    Ok(Redirect::to("/report").into_response())
}

async fn report_carrier(
    platform: Platform,
    session: Session,
    CsrfForm(form): CsrfForm<CarrierForm>,
) -> Result<Response, AppError> {
    let record = Carrier {
        base_code: form.base_code.trim().to_owned(),
        enterprise_name: form.enterprise_name.trim().to_owned(),
        base_class: text(&form.base_class),
        regist_no: text(&form.regist_no),
        link_name: text(&form.link_name),
        link_phone: text(&form.link_phone),
        incubator_num: match text(&form.incubator_num) {
            None => None,
            Some(n) => Some(n.parse().map_err(|_| {
                AppError::BadRequest("在孵企业数应为整数。The number of incubated enterprises must be a whole number.".into())
            })?),
        },
        incubator_area: text(&form.incubator_area),
        ..Default::default()
    };
    upload_one(platform, &session, record).await
}

async fn report_partner(
    platform: Platform,
    session: Session,
    CsrfForm(form): CsrfForm<PartnerForm>,
) -> Result<Response, AppError> {
    let record = CarrierPartner {
        base_code: form.base_code.trim().to_owned(),
        org_code: form.org_code.trim().to_owned(),
        org_name: text(&form.org_name),
        service_context: text(&form.service_context),
    };
    upload_one(platform, &session, record).await
}

async fn report_service(
    platform: Platform,
    session: Session,
    CsrfForm(form): CsrfForm<ServiceForm>,
) -> Result<Response, AppError> {
    let record = CarrierService {
        id: form.id.trim().to_owned(),
        base_code: form.base_code.trim().to_owned(),
        service_context: text(&form.service_context),
        fees: text(&form.fees),
    };
    upload_one(platform, &session, record).await
}

async fn carrier_history(
    Platform { token, client, .. }: Platform,
    lang: Lang,
    Path(code): Path<String>,
) -> Result<Response, AppError> {
    let history = client.catalogue(&token).history::<Carrier>(&code).await?;
    let mut versions = vec![history.current];
    versions.extend(history.history);
    let page = HistoryPage {
        en: lang.en,
        code,
        versions: versions
            .into_iter()
            .map(|v| pages::VersionRow::new(v.version, v.source, v.reported_at, v.record))
            .collect(),
    };
    Ok(render(lang, None, &page))
}
