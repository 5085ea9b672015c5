//! The identity pages: signing in (with its throttle), the authorization endpoint with consent,
//! signing out, and the account page.

pub mod account;
pub mod authorize;
pub mod login;
pub mod login_state;
pub mod logout;
pub mod throttle;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
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
}
