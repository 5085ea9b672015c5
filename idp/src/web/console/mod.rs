//! The staff console, one file per area: applications (clients), organisations, the data
//! catalogue. Each platform's console pages are in its own folder and reach the navigation
//! through the platform seam.

mod audit;
mod catalogue;
mod clients;
mod organisations;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/console/clients",
            get(clients::get_clients).post(clients::post_clients),
        )
        .route(
            "/console/clients/{client_id}",
            get(clients::get_client).post(clients::post_client),
        )
        .route(
            "/console/clients/{client_id}/secret",
            post(clients::post_rotate),
        )
        .route(
            "/console/clients/{client_id}/delete",
            post(clients::post_delete),
        )
        .route("/console/catalogue", get(catalogue::get_catalogue))
        .route("/console/audit", get(audit::get_audit))
        .route("/console/audit.csv", get(audit::get_audit_csv))
        .route(
            "/console/organisations",
            get(organisations::get_organisations),
        )
        .route(
            "/console/organisations/{id}",
            post(organisations::post_organisation),
        )
}
