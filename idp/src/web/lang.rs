//! The page language: Chinese unless the visitor chose English (`?lang=en`, remembered in a
//! cookie).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::response::Response;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lang {
    pub en: bool,
    /// Set when the request chose a language, so the response remembers it.
    chosen: bool,
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        let from_query = query.split('&').find_map(|pair| match pair {
            "lang=en" => Some(true),
            "lang=zh" | "lang=zh-CN" => Some(false),
            _ => None,
        });
        if let Some(en) = from_query {
            return Ok(Lang { en, chosen: true });
        }
        let cookie_en = parts
            .headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .any(|c| c.trim() == "lang=en");
        Ok(Lang {
            en: cookie_en,
            chosen: false,
        })
    }
}

impl Lang {
    /// Remembers a choice made in this request.
    pub fn remember(self, mut response: Response) -> Response {
        if self.chosen {
            let value = if self.en {
                "lang=en; Path=/; Max-Age=31536000; SameSite=Lax"
            } else {
                "lang=zh; Path=/; Max-Age=31536000; SameSite=Lax"
            };
            response
                .headers_mut()
                .append(header::SET_COOKIE, HeaderValue::from_static(value));
        }
        response
    }

    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        if self.en { en } else { zh }
    }
}
