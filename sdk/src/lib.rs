//! # nx-sdk: the Ningxia makerspace shared platform for carrier developers
//!
//! Sign users in with the platform's OpenID Connect provider, keep and renew their tokens,
//! verify access tokens in your own APIs, and report catalogue records with typed structs.
//!
//! A complete login, server side:
//!
//! ```no_run
//! # async fn demo(callback_code: &str, callback_state: &str) -> Result<(), nx_sdk::Error> {
//! use nx_sdk::Client;
//! let client = Client::discover("https://idp.nxzc.example", "cl_my_app", Some("nxcs_…".into()))
//!     .await?
//!     .with_redirect_uri("https://carrier.example/callback")?;
//! // 1. Send the browser to `request.url`; keep the rest in the user's session.
//! let request = client.authorize_url(&["openid", "profile", "offline_access"]);
//! // 2. On the callback: check `state`, exchange the code (the ID token is verified).
//! Client::check_state(&request.state, callback_state)?;
//! let login = client.exchange_code(callback_code, request.pkce_verifier, &request.nonce).await?;
//! let me = client.userinfo(&login.tokens.access_token).await?;
//! println!("{} of {:?}", login.identity.subject, me.organisation);
//! # Ok(()) }
//! ```
//!
//! Then [`TokenHolder`] renews the tokens before they expire (one renewal at a time), the
//! [`Verifier`] checks the platform's tokens in a resource server (with an axum extractor under
//! the `axum` feature), and [`Client::catalogue`] reports records of [`records`].

#![warn(missing_docs)]

pub mod catalogue;
mod client;
pub mod crowdfunding;
mod error;
#[rustfmt::skip]
pub mod records;
mod tokens;
mod verifier;

pub use catalogue::{Catalogue, Mode, Query, Record, UploadReport};
pub use client::{AuthorizationRequest, Client, Identity, Login, Organisation, UserInfo};
pub use error::{Error, FieldError, Problem};
pub use tokens::{FileStore, MemoryStore, Renewal, TokenHolder, TokenStore, Tokens};
pub use verifier::{AccessClaims, Rejection, Verifier};
#[cfg(feature = "axum")]
pub use verifier::{RejectionResponse, Verified};

/// The `openidconnect` types the SDK hands out (state, nonce, PKCE verifier).
pub use openidconnect::{CsrfToken, Nonce, PkceCodeVerifier};
