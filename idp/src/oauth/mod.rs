//! The OAuth 2.0 / OpenID Connect core: clients, scopes, keys, tokens and grants. The HTTP
//! endpoints that use it are in the HTTP layer (`http/oauth`).

pub mod adapter;
pub mod backchannel;
pub mod client_cache;
pub mod clients;
pub mod code_exchange;
pub mod consents;
pub mod error;
pub mod grants;
pub mod jwt_provider;
pub mod keys;
pub mod params;
pub mod pushed;
pub mod revocation_check;
pub mod rotations;
pub mod scopes;
pub mod secrets;
pub mod tokens;
