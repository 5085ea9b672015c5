//! The two ways an error reaches a client: `application/problem+json` (RFC 9457) on APIs, and a
//! readable page for browsers. The `Display` text of each variant is what a user may see; the
//! cause of an internal error is logged with the request id and never sent.

mod domain;

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde::Serialize;

use crate::request_id;

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// Stable identifier of the kind of problem; clients switch on it.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: &'static str,
    pub status: u16,
    /// What went wrong, in Chinese then English.
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// Members particular to the problem's type (`errors`, `current_state`, …).
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    #[schema(ignore)]
    pub extensions: Option<serde_json::Map<String, serde_json::Value>>,
}

impl Problem {
    pub fn new(status: StatusCode, slug: &str, title: &'static str, detail: String) -> Self {
        Problem {
            kind: format!("/problems/{slug}"),
            title,
            status: status.as_u16(),
            detail,
            request_id: request_id::current().filter(|id| !id.is_empty()),
            extensions: None,
        }
    }

    pub fn with_extension(mut self, key: &str, value: serde_json::Value) -> Self {
        self.extensions
            .get_or_insert_with(Default::default)
            .insert(key.to_owned(), value);
        self
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&self).unwrap_or_default();
        (
            status,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/problem+json"),
            )],
            body,
        )
            .into_response()
    }
}

/// Errors of the JSON APIs.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("请求的地址不存在。No such resource: {method} {path}")]
    RouteNotFound { method: String, path: String },
    #[error("未找到 / not found: {0}")]
    NotFound(String),
    #[error("请求不支持该方法。This method is not allowed on this resource.")]
    MethodNotAllowed,
    #[error("请求体不是合法的 JSON。The request body is not valid JSON: {0}")]
    MalformedJson(String),
    #[error("请求体的字段不符合要求。The request body does not have the expected fields: {0}")]
    InvalidBody(String),
    #[error("请求体须为 {expected}。The request body must be {expected}.")]
    UnsupportedMediaType { expected: &'static str },
    #[error("请求体过大。The request body is too large.")]
    PayloadTooLarge,
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("令牌缺少权限 {scope}。The token lacks the scope {scope}.")]
    MissingScope { scope: String },
    #[error("{0}")]
    Forbidden(String),
    #[error(
        "本机构已被冻结，暂不能提交数据。This organisation is frozen and cannot submit data. 原因 / reason: {0}"
    )]
    Frozen(String),
    #[error("数据库暂不可用，请稍后再试。The database is not reachable; please try again shortly.")]
    DatabaseUnavailable,
    /// A domain's own refusal: its problem type, and members that say more (the state a
    /// transition was refused in, the fields that failed).
    #[error("{detail}")]
    Refused {
        status: StatusCode,
        slug: &'static str,
        detail: String,
        extensions: serde_json::Map<String, serde_json::Value>,
    },
    #[error("服务器内部错误，请稍后再试。Internal server error; please try again later.")]
    Internal(#[source] anyhow::Error),
}

impl ApiError {
    pub fn internal(error: impl Into<anyhow::Error>) -> Self {
        ApiError::Internal(error.into())
    }

    /// A workflow step the platform's rules refuse: 409 `transition-not-allowed` with where the
    /// thing is and what the caller may do now (every platform's lifecycle answers this way).
    pub fn transition_refused(
        current: impl serde::Serialize,
        allowed: impl serde::Serialize,
        reason_zh: &str,
        reason_en: &str,
    ) -> Self {
        ApiError::refused(
            StatusCode::CONFLICT,
            "transition-not-allowed",
            format!("{reason_zh}。{reason_en}."),
        )
        .with("current_state", serde_json::json!(current))
        .with("allowed_actions", serde_json::json!(allowed))
    }

    /// Fields the catalogue's rules refused in a workflow step: 422 with each field's error.
    pub fn invalid_fields(errors: &[crate::catalogue::validate::FieldError]) -> Self {
        ApiError::refused(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-fields",
            "字段未通过校验。Some fields were refused.",
        )
        .with("errors", serde_json::json!(errors))
    }

    /// An upload past its limit: 413 with the limit in bytes.
    pub fn too_large(detail: String, limit: usize) -> Self {
        ApiError::refused(StatusCode::PAYLOAD_TOO_LARGE, "too-large", detail)
            .with("limit_bytes", serde_json::json!(limit))
    }

    /// A domain refusal with its own problem type.
    pub fn refused(status: StatusCode, slug: &'static str, detail: impl Into<String>) -> Self {
        ApiError::Refused {
            status,
            slug,
            detail: detail.into(),
            extensions: Default::default(),
        }
    }

    /// Adds a member to a [`ApiError::Refused`] problem (other variants are left as they are).
    pub fn with(mut self, key: &str, value: serde_json::Value) -> Self {
        if let ApiError::Refused { extensions, .. } = &mut self {
            extensions.insert(key.to_owned(), value);
        }
        self
    }

    fn parts(&self) -> (StatusCode, &'static str, &'static str) {
        use ApiError::*;
        match self {
            RouteNotFound { .. } | NotFound(_) => (StatusCode::NOT_FOUND, "not-found", "Not Found"),
            MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                "method-not-allowed",
                "Method Not Allowed",
            ),
            MalformedJson(_) => (StatusCode::BAD_REQUEST, "malformed-json", "Malformed JSON"),
            InvalidBody(_) => (StatusCode::BAD_REQUEST, "invalid-body", "Invalid Body"),
            UnsupportedMediaType { .. } => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "Unsupported Media Type",
            ),
            PayloadTooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload-too-large",
                "Payload Too Large",
            ),
            BadRequest(_) => (StatusCode::BAD_REQUEST, "bad-request", "Bad Request"),
            Unauthorized(_) => (StatusCode::UNAUTHORIZED, "unauthorized", "Unauthorized"),
            MissingScope { .. } => (StatusCode::FORBIDDEN, "insufficient-scope", "Forbidden"),
            Conflict(_) => (StatusCode::CONFLICT, "conflict", "Conflict"),
            Frozen(_) => (StatusCode::LOCKED, "organisation-frozen", "Locked"),
            Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden", "Forbidden"),
            DatabaseUnavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                "database-unavailable",
                "Service Unavailable",
            ),
            Refused { status, slug, .. } => (
                *status,
                *slug,
                status.canonical_reason().unwrap_or("Refused"),
            ),
            Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Internal Server Error",
            ),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(mut self) -> Response {
        if let ApiError::Internal(cause) = &self
            && crate::db::unreachable(cause)
        {
            tracing::warn!(error = %format!("{cause:#}"), "database unreachable");
            self = ApiError::DatabaseUnavailable;
        }
        let (status, slug, title) = self.parts();
        match &self {
            ApiError::Internal(cause) => tracing::error!(error = ?cause, "internal error"),
            ApiError::DatabaseUnavailable => tracing::warn!("database unavailable"),
            _ => tracing::debug!(%status, "request refused: {self}"),
        }
        let mut problem = Problem::new(status, slug, title, self.to_string());
        // RFC 6750 §3: a bearer failure carries a challenge saying what was wrong.
        let challenge = match &self {
            ApiError::Unauthorized(_) => {
                Some("Bearer realm=\"idp\", error=\"invalid_token\"".to_owned())
            }
            ApiError::Frozen(reason) => {
                problem =
                    problem.with_extension("reason", serde_json::Value::from(reason.as_str()));
                None
            }
            ApiError::Refused { extensions, .. } => {
                for (key, value) in extensions.clone() {
                    problem = problem.with_extension(&key, value);
                }
                None
            }
            ApiError::MissingScope { scope } => {
                problem = problem
                    .with_extension("required_scope", serde_json::Value::from(scope.as_str()));
                Some(format!(
                    "Bearer realm=\"idp\", error=\"insufficient_scope\", scope=\"{scope}\""
                ))
            }
            _ => None,
        };
        let mut response = problem.into_response();
        if matches!(self, ApiError::DatabaseUnavailable) {
            response.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from(crate::db::RETRY_AFTER_SECONDS),
            );
        }
        if let Some(value) = challenge.and_then(|c| HeaderValue::from_str(&c).ok()) {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, value);
        }
        response
    }
}

/// Errors of pages meant for a browser: rendered as a page, never as JSON.
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    #[error("页面不存在")]
    NotFound,
    #[error("无权访问")]
    Forbidden,
    #[error("请求有误")]
    BadRequest(String),
    #[error("数据库暂不可用")]
    Unavailable,
    #[error("服务器内部错误")]
    Internal(#[source] anyhow::Error),
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    status: u16,
    title_zh: &'a str,
    title_en: &'a str,
    detail: &'a str,
    request_id: Option<String>,
}

impl IntoResponse for PageError {
    fn into_response(mut self) -> Response {
        if let PageError::Internal(cause) = &self
            && crate::db::unreachable(cause)
        {
            tracing::warn!(error = %format!("{cause:#}"), "database unreachable");
            self = PageError::Unavailable;
        }
        let (status, title_zh, title_en, detail) = match &self {
            PageError::NotFound => (
                StatusCode::NOT_FOUND,
                "页面不存在",
                "Page not found",
                String::new(),
            ),
            PageError::Forbidden => (
                StatusCode::FORBIDDEN,
                "无权访问此页面",
                "You may not open this page",
                "此页面仅限平台管理员。This page is for platform administrators.".to_owned(),
            ),
            PageError::BadRequest(detail) => (
                StatusCode::BAD_REQUEST,
                "请求有误",
                "Bad request",
                detail.clone(),
            ),
            PageError::Unavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                "暂时无法提供服务",
                "Temporarily unavailable",
                "数据库暂不可用，请稍后刷新。The database is not reachable; reload in a moment."
                    .to_owned(),
            ),
            PageError::Internal(cause) => {
                tracing::error!(error = ?cause, "internal error on a page");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "服务器内部错误",
                    "Internal server error",
                    String::new(),
                )
            }
        };
        let page = ErrorPage {
            status: status.as_u16(),
            title_zh,
            title_en,
            detail: &detail,
            request_id: request_id::current().filter(|id| !id.is_empty()),
        };
        let retry = matches!(self, PageError::Unavailable).then(|| {
            [(
                header::RETRY_AFTER,
                HeaderValue::from(crate::db::RETRY_AFTER_SECONDS),
            )]
        });
        match page.render() {
            Ok(html) => (status, retry, Html(html)).into_response(),
            Err(e) => {
                tracing::error!(error = %e, "rendering the error page failed");
                (status, title_en).into_response()
            }
        }
    }
}
