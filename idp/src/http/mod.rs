//! The HTTP surface: one router assembled from feature routers, wrapped in the layers every
//! request passes through (request id, tracing, panic guard, timeout, security headers).

mod admin;
pub mod auth;
mod catalogue;
pub mod extract;
mod fallback;
mod health;
pub mod oauth;

use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, Request, header};
use axum::middleware;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};

use crate::request_id;
use crate::state::AppState;

/// The whole application as a router, without a socket, so tests can also call it directly.
pub fn router(state: AppState) -> Router {
    let request_id_header = HeaderName::from_static(request_id::HEADER);
    // Browsers that once reached an https issuer keep to https (RFC 6797); over plain http the
    // header means nothing and is not sent.
    let hsts = (state.settings.issuer.scheme() == "https").then(|| {
        SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        )
    });
    // On its own listener when the settings give one (`metrics_router`).
    let metrics_on_main = match state.settings.metrics.listen {
        None => Router::new().route("/metrics", axum::routing::get(metrics)),
        Some(_) => Router::new(),
    };
    let platforms = state
        .platforms
        .iter()
        .fold(Router::new(), |router, started| {
            router.merge(started.api.clone())
        });
    Router::new()
        .merge(crate::web::router(&state))
        .merge(health::router())
        .merge(oauth::router())
        .merge(admin::router())
        .merge(catalogue::router())
        .merge(crate::inbox::api::router())
        .merge(platforms)
        .merge(metrics_on_main)
        .fallback(fallback::not_found)
        .method_not_allowed_fallback(fallback::method_not_allowed)
        .layer(middleware::from_fn(crate::metrics::track))
        .layer(middleware::from_fn(request_id::scope))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(
                    request_id_header.clone(),
                    MakeRequestUuid,
                ))
                .layer(
                    TraceLayer::new_for_http()
                        .make_span_with(|request: &Request<_>| {
                            let id = request
                                .headers()
                                .get(request_id::HEADER)
                                .and_then(|v| v.to_str().ok())
                                .unwrap_or_default();
                            // The route template, never the path's values; who called is
                            // filled in by the extractors that learn it (client and subject
                            // ids, never a token).
                            let route = request
                                .extensions()
                                .get::<axum::extract::MatchedPath>()
                                .map(|p| p.as_str().to_owned())
                                .unwrap_or_else(|| "unmatched".to_owned());
                            tracing::info_span!(
                                "request",
                                request_id = %id,
                                method = %request.method(),
                                path = %request.uri().path(),
                                route = %route,
                                client_id = tracing::field::Empty,
                                subject = tracing::field::Empty,
                            )
                        })
                        .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
                )
                .layer(PropagateRequestIdLayer::new(request_id_header))
                .layer(CatchPanicLayer::custom(fallback::panicked))
                .layer(TimeoutLayer::with_status_code(
                    axum::http::StatusCode::REQUEST_TIMEOUT,
                    Duration::from_secs(60),
                ))
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::X_CONTENT_TYPE_OPTIONS,
                    HeaderValue::from_static("nosniff"),
                ))
                // Answers carry personal data and tokens: nothing is cached unless a route
                // says otherwise (discovery, keys, the stylesheet). The page headers apply to
                // every answer, the fallback 404 page included.
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("no-store"),
                ))
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::X_FRAME_OPTIONS,
                    HeaderValue::from_static("DENY"),
                ))
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::CONTENT_SECURITY_POLICY,
                    HeaderValue::from_static(crate::web::CONTENT_SECURITY_POLICY),
                ))
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::REFERRER_POLICY,
                    HeaderValue::from_static("no-referrer"),
                ))
                .option_layer(hsts),
        )
        .with_state(state)
}

/// `/metrics` alone, for the separate metrics listener (`metrics.listen`).
pub fn metrics_router(state: AppState) -> Router {
    Router::new()
        .route("/metrics", axum::routing::get(metrics))
        .with_state(state)
}

/// Prometheus's text format (`idp/src/metrics.rs` names what is there).
async fn metrics(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> impl axum::response::IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        )],
        crate::metrics::render(&state.db, state.settings.database.pool_size()),
    )
}
