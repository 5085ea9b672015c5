//! The OAuth 2.0 and OpenID Connect endpoints.

pub mod bearer;
mod client_auth;
mod discovery;
mod introspect;
mod par;
mod revoke;
mod token;
mod userinfo;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/.well-known/openid-configuration",
            get(discovery::get_openid_configuration),
        )
        .route(
            "/.well-known/oauth-authorization-server",
            get(discovery::get_authorization_server),
        )
        .route("/jwks.json", get(discovery::get_jwks))
        .route("/token", post(token::post_token))
        .route("/par", post(par::post_par))
        .route("/introspect", post(introspect::post_introspect))
        .route("/revoke", post(revoke::post_revoke))
        .route(
            "/userinfo",
            get(userinfo::userinfo).post(userinfo::userinfo),
        )
}
