//! What every request handler can reach.

use std::sync::Arc;

use crate::clock::Clock;
use crate::db::Db;
use crate::oauth::tokens::TokenService;
use crate::settings::Settings;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub settings: Arc<Settings>,
    pub clock: Arc<dyn Clock>,
    pub tokens: Arc<TokenService>,
}

impl AppState {
    pub fn now(&self) -> crate::clock::UnixTime {
        self.clock.now()
    }

    pub fn issuer(&self) -> &str {
        self.settings.issuer_str()
    }
}
