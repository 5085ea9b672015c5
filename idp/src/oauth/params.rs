//! The parameters of OAuth requests (form bodies of the endpoints, the query of the
//! authorization request), parsed strictly: RFC 6749 §3.1 forbids repeated
//! parameters, and the body must be `application/x-www-form-urlencoded`.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::http::{HeaderMap, header};

use crate::oauth::error::OAuthError;

pub struct OAuthForm(HashMap<String, String>);

impl OAuthForm {
    pub fn parse(headers: &HeaderMap, body: &Bytes) -> Result<OAuthForm, OAuthError> {
        let content_type = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if !content_type
            .to_ascii_lowercase()
            .starts_with("application/x-www-form-urlencoded")
        {
            return Err(OAuthError::invalid_request(
                "the body must be application/x-www-form-urlencoded / 请求体须为表单编码",
            ));
        }
        Self::from_pairs(
            serde_urlencoded::from_bytes::<Vec<(String, String)>>(body).map_err(|_| {
                OAuthError::invalid_request("the form body is malformed / 表单格式有误")
            })?,
        )
    }

    pub fn from_pairs(pairs: Vec<(String, String)>) -> Result<OAuthForm, OAuthError> {
        let mut map = HashMap::with_capacity(pairs.len());
        for (key, value) in pairs {
            if map.insert(key.clone(), value).is_some() {
                return Err(OAuthError::invalid_request(format!(
                    "parameter {key} is repeated / 参数 {key} 重复"
                )));
            }
        }
        Ok(OAuthForm(map))
    }

    /// A parameter; an empty value counts as absent (RFC 6749 §3.1).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    pub fn require(&self, key: &str) -> Result<&str, OAuthError> {
        self.get(key).ok_or_else(|| {
            OAuthError::invalid_request(format!("{key} is required / 缺少参数 {key}"))
        })
    }
}
