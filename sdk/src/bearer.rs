//! Where the platform's API clients get the access token for each call: one the caller holds,
//! or a [`TokenHolder`] that renews it, so that a long job never sends a stale token.

use std::borrow::Cow;

use crate::error::Error;
use crate::tokens::TokenHolder;

#[derive(Clone, Copy)]
pub(crate) enum Bearer<'a> {
    Token(&'a str),
    Holder(&'a TokenHolder),
}

impl Bearer<'_> {
    /// The access token for the next call, renewed first by a holder when about to expire.
    pub(crate) async fn token(&self) -> Result<Cow<'_, str>, Error> {
        match self {
            Bearer::Token(token) => Ok(Cow::Borrowed(token)),
            Bearer::Holder(holder) => Ok(Cow::Owned(holder.access_token().await?)),
        }
    }
}

/// One platform API of the provider (`{issuer}/api/{area}`), called with a bearer token.
pub(crate) struct Endpoint<'a> {
    pub(crate) http: &'a reqwest::Client,
    /// `{issuer}/api/{area}`, without a trailing slash.
    pub(crate) base: String,
    bearer: Bearer<'a>,
}

impl<'a> Endpoint<'a> {
    pub(crate) fn new(
        http: &'a reqwest::Client,
        issuer: &str,
        area: &str,
        bearer: Bearer<'a>,
    ) -> Self {
        Endpoint {
            http,
            base: format!("{}/api/{area}", issuer.trim_end_matches('/')),
            bearer,
        }
    }

    /// Sends with the token; a refusal is [`Error::Refused`] with its problem document.
    pub(crate) async fn send<T: serde::de::DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<T, Error> {
        let response = request
            .bearer_auth(self.bearer.token().await?)
            .send()
            .await?;
        if !response.status().is_success() {
            return Err(crate::error::refused(response).await);
        }
        Ok(response.json().await?)
    }

    /// Sends with the token and answers the body as it came (a file).
    pub(crate) async fn send_for_bytes(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<Vec<u8>, Error> {
        let response = request
            .bearer_auth(self.bearer.token().await?)
            .send()
            .await?;
        if !response.status().is_success() {
            return Err(crate::error::refused(response).await);
        }
        Ok(response.bytes().await?.to_vec())
    }
}
