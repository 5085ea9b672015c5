//! Rendering helpers shared by the pages: templates to HTML, CSRF tokens into forms, redirects.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{FromRef, FromRequest, FromRequestParts, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum_csrf::{CsrfConfig, CsrfToken};
use serde::de::DeserializeOwned;

use super::lang::Lang;
use crate::error::PageError;

/// Renders a page; the CSRF token (when the page has a form) sets its cookie on the response.
pub fn render(
    lang: Lang,
    status: StatusCode,
    csrf: Option<CsrfToken>,
    page: &impl Template,
) -> Response {
    let html = match page.render() {
        Ok(html) => html,
        Err(e) => return PageError::Internal(e.into()).into_response(),
    };
    let response = match csrf {
        Some(token) => (status, token, Html(html)).into_response(),
        None => (status, Html(html)).into_response(),
    };
    lang.remember(response)
}

/// The form's CSRF token, or an internal error page.
pub fn form_token(token: &CsrfToken) -> Result<String, PageError> {
    token
        .authenticity_token()
        .map_err(|e| PageError::Internal(anyhow::anyhow!("making a CSRF token: {e:?}")))
}

fn check_csrf(token: &CsrfToken, submitted: &str) -> Result<(), PageError> {
    token.verify(submitted).map_err(|_| expired())
}

/// 303 See Other, as every POST ends (so reloading does not resubmit).
pub fn see_other(location: &str) -> Response {
    match HeaderValue::try_from(location) {
        Ok(value) => (StatusCode::SEE_OTHER, [(header::LOCATION, value)]).into_response(),
        // Not a header value (a newline from a form): home, rather than a panic.
        Err(_) => (StatusCode::SEE_OTHER, [(header::LOCATION, "/")]).into_response(),
    }
}

/// A redirect to another site (the client), with no caching.
pub fn redirect_away(location: &str) -> Response {
    let mut response = (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Only our own paths may be returned to after login (no open redirect): a path that stays on
/// this origin when a browser resolves it, with no whitespace or control characters (browsers
/// drop a tab or newline, so `/\t/evil.example` would become `//evil.example`).
pub fn safe_return_to(candidate: &str) -> &str {
    const FALLBACK: &str = "/account";
    // `//host` and `/\host` are caught by the origin check below (browsers read `\` as `/`).
    if candidate.len() > 2048
        || !candidate.starts_with('/')
        || candidate
            .chars()
            .any(|c| c.is_whitespace() || c.is_control())
    {
        return FALLBACK;
    }
    let Ok(base) = url::Url::parse("https://idp.invalid/") else {
        return FALLBACK;
    };
    match base.join(candidate) {
        Ok(resolved) if resolved.origin() == base.origin() => candidate,
        _ => FALLBACK,
    }
}

/// Times on pages: Asia/Shanghai wall-clock text (the clock module owns the conversion).
pub use crate::clock::shanghai_time;

/// A page's submitted form. Refused with a readable page unless its `csrf_token` field matches
/// the browser's CSRF cookie (checked before anything else of the form is read), or when it is
/// malformed or incomplete. Every form of the pages arrives through here, so no handler can
/// forget the check; `T` need not carry the token.
pub struct PageForm<T>(pub T);

/// A form with nothing but its CSRF token (a button that acts).
#[derive(serde::Deserialize)]
pub struct CsrfOnly {}

#[derive(serde::Deserialize)]
struct CsrfField {
    csrf_token: String,
}

impl<S, T> FromRequest<S> for PageForm<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
    CsrfConfig: FromRef<S>,
{
    type Rejection = PageError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = request.into_parts();
        let form_encoded = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if !form_encoded {
            return Err(malformed());
        }
        let csrf = CsrfToken::from_request_parts(&mut parts, state)
            .await
            .map_err(|_| expired())?;
        let body = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|_| malformed())?;
        let field: CsrfField = serde_urlencoded::from_bytes(&body).map_err(|_| expired())?;
        check_csrf(&csrf, &field.csrf_token)?;
        serde_urlencoded::from_bytes(&body)
            .map(PageForm)
            .map_err(|_| malformed())
    }
}

/// The largest file a page's upload form takes, put on a route by its router (as a request
/// extension); without it, 5 MiB.
#[derive(Debug, Clone, Copy)]
pub struct UploadLimit(pub usize);

/// A page's upload form (`multipart/form-data`): its `csrf_token` must be the first field and
/// match the browser's CSRF cookie before anything else is read; then its text fields (each at
/// most 10,000 bytes) and at most one file, read in chunks and refused past the route's
/// [`UploadLimit`] without being held.
pub struct PageUpload {
    pub fields: Vec<(String, String)>,
    /// The file's name as the browser gave it, and its content.
    pub file: Option<(String, Vec<u8>)>,
}

impl PageUpload {
    /// A text field's value, trimmed; empty counts as absent.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }
}

impl<S> FromRequest<S> for PageUpload
where
    S: Send + Sync,
    CsrfConfig: FromRef<S>,
{
    type Rejection = PageError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        const TEXT_LIMIT: usize = 10_000;
        let limit = request
            .extensions()
            .get::<UploadLimit>()
            .map_or(5 * 1024 * 1024, |l| l.0);
        let (mut parts, body) = request.into_parts();
        let csrf = CsrfToken::from_request_parts(&mut parts, state)
            .await
            .map_err(|_| expired())?;
        let mut multipart =
            axum::extract::Multipart::from_request(Request::from_parts(parts, body), state)
                .await
                .map_err(|_| malformed())?;
        let first = multipart
            .next_field()
            .await
            .map_err(|_| malformed())?
            .ok_or_else(expired)?;
        if first.name() != Some("csrf_token") {
            return Err(expired());
        }
        let token = first.text().await.map_err(|_| malformed())?;
        check_csrf(&csrf, &token)?;
        let too_large = || {
            PageError::BadRequest(format!(
                "文件过大（上限 {limit} 字节）。The file is too large (limit {limit} bytes)."
            ))
        };
        let mut upload = PageUpload {
            fields: Vec::new(),
            file: None,
        };
        while let Some(mut field) = multipart.next_field().await.map_err(|_| malformed())? {
            let name = field.name().unwrap_or_default().to_owned();
            if let Some(file_name) = field.file_name().map(str::to_owned) {
                if upload.file.is_some() {
                    return Err(malformed());
                }
                let mut content = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(|_| too_large())? {
                    if content.len() + chunk.len() > limit {
                        return Err(too_large());
                    }
                    content.extend_from_slice(&chunk);
                }
                upload.file = Some((file_name, content));
            } else {
                let mut text = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(|_| malformed())? {
                    if text.len() + chunk.len() > TEXT_LIMIT || upload.fields.len() >= 50 {
                        return Err(malformed());
                    }
                    text.extend_from_slice(&chunk);
                }
                let text = String::from_utf8(text).map_err(|_| malformed())?;
                upload.fields.push((name, text));
            }
        }
        Ok(upload)
    }
}

fn malformed() -> PageError {
    PageError::BadRequest(
        "表单内容不完整或格式有误，请返回重试。The form is incomplete or malformed; go back and try again.".into(),
    )
}

fn expired() -> PageError {
    PageError::BadRequest(
        "表单已过期或来源不明，请返回重试。The form has expired or did not come from this site; go back and try again."
            .into(),
    )
}

#[cfg(test)]
mod tests {
    use super::safe_return_to;

    #[test]
    fn only_paths_that_stay_on_this_origin_are_returned_to() {
        for good in [
            "/account",
            "/console/clients?page=2",
            "/authorize/resume",
            "/a/b#c",
        ] {
            assert_eq!(safe_return_to(good), good);
        }
        for bad in [
            "//evil.example",
            "/\t/127.0.0.1:9911/pwned",
            "/\n/evil.example",
            "/ /evil.example",
            "/\\evil.example",
            "https://evil.example/",
            "javascript:alert(1)",
            "evil.example",
            "",
            "/\u{0}x",
            "/\u{2028}x",
        ] {
            assert_eq!(safe_return_to(bad), "/account", "{bad:?}");
        }
    }
}
