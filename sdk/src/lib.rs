#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

mod bearer;
pub mod catalogue;
mod client;
pub mod crowdfunding;
pub mod crowdsourcing;
mod error;
pub mod financing;
pub mod inbox;
mod logout;
pub mod mutual_fund;
#[rustfmt::skip]
pub mod records;
pub mod resources;
mod tokens;
mod verifier;

pub use catalogue::{
    Catalogue, History, Mode, Page, Query, Record, RecordResult, RecordStatus, UploadReport,
    Version,
};
pub use client::{
    ACR_ONE_FACTOR, ACR_TWO_FACTORS, AuthorizationRequest, Client, Identity, Login, Organisation,
    UserInfo,
};
pub use error::{Error, FieldError, Problem};
pub use logout::{BACKCHANNEL_LOGOUT_EVENT, LogoutToken};
pub use tokens::{FileStore, MemoryStore, Renewal, TokenHolder, TokenStore, Tokens};
pub use verifier::{AccessClaims, Rejection, Verifier};
#[cfg(feature = "axum")]
pub use verifier::{RejectionResponse, Verified};

/// The `openidconnect` types the SDK hands out (state, nonce, PKCE verifier).
pub use openidconnect::{CsrfToken, Nonce, PkceCodeVerifier};
