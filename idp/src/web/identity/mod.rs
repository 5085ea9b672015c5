//! The identity pages: signing in (with its throttle), the authorization endpoint with consent,
//! signing out, and the account page.

pub mod account;
pub mod account_factors;
pub mod authorize;
pub mod login;
pub mod login_state;
pub mod logout;
pub mod passkeys;
pub mod second_step;
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
            "/login/verify",
            get(second_step::get_verify).post(second_step::post_verify),
        )
        .route(
            "/login/passkey/options",
            post(passkeys::post_sign_in_options),
        )
        .route("/login/passkey", post(passkeys::post_assertion))
        .route(
            "/login/verify/passkey/options",
            post(passkeys::post_second_step_options),
        )
        .route("/login/verify/passkey", post(passkeys::post_assertion))
        .route(
            "/account/passkeys/options",
            post(passkeys::post_register_options),
        )
        .route("/account/passkeys", post(passkeys::post_register))
        .route("/account/passkeys/remove", post(passkeys::post_remove))
        .route(
            "/login/enrol",
            get(second_step::get_enrol).post(second_step::post_enrol),
        )
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
            "/account/totp",
            get(account_factors::get_totp).post(account_factors::post_totp),
        )
        .route("/account/totp/remove", post(account_factors::post_remove))
        .route(
            "/account/recovery-codes",
            post(account_factors::post_recovery_codes),
        )
}
