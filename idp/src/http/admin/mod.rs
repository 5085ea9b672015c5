//! The admin JSON API (scope `admin`), documented in `docs/openapi.json` and served at
//! `/api/openapi.json`.

mod clients;
mod organisations;

use axum::Router;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .nest(
            "/api/admin",
            clients::router().merge(organisations::router()),
        )
        .route("/api/openapi.json", axum::routing::get(openapi))
}

async fn openapi() -> impl axum::response::IntoResponse {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        include_str!("../../../../docs/openapi.json"),
    )
}
