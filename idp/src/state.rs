//! What every request handler can reach.

use std::sync::Arc;

use crate::clock::Clock;
use crate::db::Db;
use crate::oauth::tokens::TokenService;
use crate::platform::jobs::Runner;
use crate::settings::Settings;

#[derive(Clone)]
pub struct AppState {
    /// Protects page forms; its key is shared by every instance through the database.
    pub csrf: axum_csrf::CsrfConfig,
    pub db: Db,
    pub settings: Arc<Settings>,
    pub clock: Arc<dyn Clock>,
    pub tokens: Arc<TokenService>,
    pub clients: Arc<crate::oauth::client_cache::ClientCache>,
    pub rotations: crate::oauth::rotations::Rotations,
    /// The scheduled jobs, each under its lease; handlers that run one now go through it.
    pub jobs: Runner,
    /// The started platforms' routers, merged into the server's.
    pub platforms: Arc<Vec<crate::platform::Started>>,
    /// The payment gateway the platforms share (its sandbox page is served from here).
    pub payments: Arc<crate::payments::Payments>,
    /// Seals the authenticator-app seeds at rest; its key is shared by every instance.
    pub sealer: Arc<crate::accounts::second_factor::sealing::Sealer>,
    /// The WebAuthn relying party for passkeys; none when the issuer is not a domain name.
    pub webauthn: Option<Arc<webauthn_rs::Webauthn>>,
    /// Delivers back-channel logout notifications.
    pub logouts: Arc<crate::oauth::backchannel::Deliverer>,
}

impl AppState {
    pub fn now(&self) -> crate::clock::UnixTime {
        self.clock.now()
    }

    pub fn issuer(&self) -> &str {
        self.settings.issuer_str()
    }
}

impl axum::extract::FromRef<AppState> for axum_csrf::CsrfConfig {
    fn from_ref(state: &AppState) -> Self {
        state.csrf.clone()
    }
}
