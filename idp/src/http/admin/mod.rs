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

/// The hand-written document (`docs/openapi.json`) with the catalogue's part generated from the
/// spec, built once.
async fn openapi() -> impl axum::response::IntoResponse {
    static DOCUMENT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let body = DOCUMENT.get_or_init(|| {
        let mut document: serde_json::Value =
            serde_json::from_str(include_str!("../../../../docs/openapi.json")).unwrap_or_default();
        crate::catalogue::openapi::extend(&mut document);
        serde_json::to_string(&document).unwrap_or_default()
    });
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body.as_str(),
    )
}
