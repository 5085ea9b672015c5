//! Answers for requests no route takes, and for a handler that panicked.

use std::any::Any;

use axum::http::HeaderMap;
use axum::http::{Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

use crate::error::{ApiError, PageError, Problem};

/// 404: a page for browsers, problem+json for everyone else.
pub async fn not_found(method: Method, uri: Uri, headers: HeaderMap) -> Response {
    if wants_html(&headers) {
        PageError::NotFound.into_response()
    } else {
        ApiError::RouteNotFound {
            method: method.to_string(),
            path: uri.path().to_owned(),
        }
        .into_response()
    }
}

pub async fn method_not_allowed() -> Response {
    ApiError::MethodNotAllowed.into_response()
}

/// A browser navigating asks for text/html first; API clients ask for JSON or anything.
pub fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.starts_with("text/html"))
}

/// A panic becomes a 500 problem; the panic message goes to the log, not to the client.
pub fn panicked(payload: Box<dyn Any + Send + 'static>) -> Response {
    let message = payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
        .unwrap_or("unknown panic");
    tracing::error!(panic = message, "a request handler panicked");
    Problem::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "Internal Server Error",
        "服务器内部错误，请稍后再试。Internal server error; please try again later.".into(),
    )
    .into_response()
}
