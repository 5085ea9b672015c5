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
