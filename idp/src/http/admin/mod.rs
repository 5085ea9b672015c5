//! The admin JSON API (scope `admin`): clients now; users and organisations follow the same
//! pattern. Documented in `docs/openapi.yaml`.

mod clients;

use axum::Router;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().nest("/api/admin", clients::router())
}
