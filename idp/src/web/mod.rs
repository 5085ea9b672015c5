//! The pages people see: the identity pages (`identity/`: login, consent, account, logout and the
//! authorization endpoint that leads through them), the staff console (`console/`, one file per
//! area), and the inbox; each platform's pages live in its own folder and are merged here.
//! Sessions live in the database; every form is CSRF-protected; every page refuses to be framed
//! and sends no referrer.

pub mod auth;
mod console;
pub mod header;
pub mod identity;
pub mod lang;
pub(crate) mod pages;
mod portal;
mod sandbox_pay;
pub mod session_store;

use axum::Router;
use axum::response::IntoResponse;
use axum::routing::get;
use time::Duration;
use tower_sessions::{Expiry, SessionManagerLayer};

use crate::state::AppState;
use session_store::DbSessionStore;

/// What pages may load and who may frame them.
pub const CONTENT_SECURITY_POLICY: &str =
    "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

pub fn router(state: &AppState) -> Router<AppState> {
    let secure = state.settings.issuer.scheme() == "https";
    let sessions = SessionManagerLayer::new(DbSessionStore::new(
        state.db.clone(),
        state.clock.clone(),
        state.settings.tokens.session_ttl,
    ))
    .with_name("nx_session")
    .with_secure(secure)
    .with_http_only(true)
    .with_same_site(tower_sessions::cookie::SameSite::Lax)
    .with_expiry(Expiry::OnInactivity(Duration::seconds(
        state.settings.tokens.session_ttl,
    )));
    Router::new()
        .merge(identity::router())
        .merge(console::router())
        .merge(crate::inbox::pages::router())
        .merge(portal::router())
        .merge(sandbox_pay::router())
        .merge(
            state
                .platforms
                .iter()
                .fold(Router::new(), |router, started| {
                    router.merge(started.pages.clone())
                }),
        )
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            header::scope,
        ))
        .layer(sessions)
        // No framing, no referrer, the CSP and no caching come from the layers around every
        // answer (`http::router`).
        .route("/static/site.css", get(stylesheet))
        .route("/static/print-form.css", get(print_stylesheet))
        .route("/static/print-form.js", get(print_script))
        .route("/static/echarts.min.js", get(echarts))
        .route(
            "/static/crowdsourcing-statistics.js",
            get(crowdsourcing_statistics_script),
        )
        .route("/static/risk-dashboard.js", get(risk_dashboard_script))
        .route("/static/passkeys.js", get(passkeys_script))
}

async fn passkeys_script() -> impl IntoResponse {
    script(include_str!("../../../static/passkeys.js"))
}

async fn risk_dashboard_script() -> impl IntoResponse {
    script(include_str!("../../../static/risk-dashboard.js"))
}

/// Apache ECharts 5.6.0 (static/echarts.NOTICE), served from here so pages need no other site.
async fn echarts() -> impl IntoResponse {
    script(include_str!("../../../static/echarts.min.js"))
}

async fn print_script() -> impl IntoResponse {
    script(include_str!("../../../static/print-form.js"))
}

async fn print_stylesheet() -> impl IntoResponse {
    (
        [
            (axum::http::header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (axum::http::header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../../static/print-form.css"),
    )
}

async fn crowdsourcing_statistics_script() -> impl IntoResponse {
    script(include_str!("../../../static/crowdsourcing-statistics.js"))
}

fn script(body: &'static str) -> impl IntoResponse {
    (
        [
            (
                axum::http::header::CONTENT_TYPE,
                "text/javascript; charset=utf-8",
            ),
            (axum::http::header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
}

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (axum::http::header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (axum::http::header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../../static/site.css"),
    )
}
