//! Request extractors whose rejections speak problem+json instead of axum's plain text.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// `Json<T>` for API routes: a wrong content type is 415, a syntax error or a missing field 400,
/// each with a readable detail.
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(request, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn json_rejection(rejection: JsonRejection) -> ApiError {
    match rejection {
        JsonRejection::MissingJsonContentType(_) => ApiError::UnsupportedMediaType {
            expected: "application/json",
        },
        JsonRejection::JsonSyntaxError(e) => ApiError::MalformedJson(serde_cause(&e.body_text())),
        JsonRejection::JsonDataError(e) => ApiError::InvalidBody(serde_cause(&e.body_text())),
        JsonRejection::BytesRejection(e)
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE =>
        {
            ApiError::PayloadTooLarge
        }
        other => ApiError::BadRequest(other.body_text()),
    }
}

// axum prefixes serde's message with its own sentence; keep serde's part, which names the field
// and position.
fn serde_cause(text: &str) -> String {
    text.split_once(": ")
        .map(|(_, cause)| cause)
        .unwrap_or(text)
        .to_owned()
}

/// The optional `{"reason": …}` body of a workflow step (return, reject, refund, …): an empty
/// body is no reason; anything else must be that object.
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct Reason {
    pub reason: Option<String>,
}

/// Extracts an optional [`Reason`].
pub struct OptionalReason(pub Option<String>);

impl<S: Send + Sync> FromRequest<S> for OptionalReason {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let body = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| ApiError::BadRequest(e.body_text()))?;
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(OptionalReason(None));
        }
        serde_json::from_slice::<Reason>(&body)
            .map(|r| OptionalReason(r.reason))
            .map_err(|e| ApiError::MalformedJson(e.to_string()))
    }
}

/// The address of the client that sent the request, where the listener knows it (for the
/// audit trail); never a reason to refuse the request.
pub struct ClientAddress(pub Option<String>);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientAddress(
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|c| c.0.ip().to_string()),
        ))
    }
}
