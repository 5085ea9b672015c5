//! The pages people see: login, consent, account, logout, and the authorization endpoint that
//! leads through them. Sessions live in the database; every form is CSRF-protected; every page
//! refuses to be framed and sends no referrer.

mod account;
pub mod auth;
mod authorize;
mod console;
mod console_catalogue;
pub mod header;
pub mod lang;
mod login;
mod login_state;
mod logout;
pub(crate) mod pages;
pub mod session_store;
pub mod throttle;

use axum::Router;
use axum::response::IntoResponse;
use axum::routing::{get, post};
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
        .route(
            "/",
            get(|| async { axum::response::Redirect::to("/account") }),
        )
        .route("/authorize", get(authorize::get_authorize))
        .route(authorize::RESUME_PATH, get(authorize::get_resume))
        .route("/login", get(login::get_login).post(login::post_login))
        .route(
            "/consent",
            get(authorize::get_consent).post(authorize::post_consent),
        )
        .route("/logout", get(logout::get_logout).post(logout::post_logout))
        .route("/account", get(account::get_account))
        .route("/account/apps/withdraw", post(account::post_withdraw))
        .route("/account/logout-all", post(account::post_logout_all))
        .route("/account/sessions/end", post(account::post_end_session))
        .route("/account/password", post(account::post_password))
        .route(
            "/console/clients",
            get(console::get_clients).post(console::post_clients),
        )
        .route(
            "/console/clients/{client_id}",
            get(console::get_client).post(console::post_client),
        )
        .route(
            "/console/clients/{client_id}/secret",
            post(console::post_rotate),
        )
        .route(
            "/console/clients/{client_id}/delete",
            post(console::post_delete),
        )
        .route("/console/catalogue", get(console_catalogue::get_catalogue))
        .route(
            "/console/organisations",
            get(console_catalogue::get_organisations),
        )
        .route(
            "/console/organisations/{id}",
            post(console_catalogue::post_organisation),
        )
        .merge(crate::inbox::pages::router())
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
