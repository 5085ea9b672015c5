//! What every request handler can reach.

use std::sync::Arc;

use crate::clock::Clock;
use crate::db::Db;
use crate::settings::Settings;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub settings: Arc<Settings>,
    pub clock: Arc<dyn Clock>,
}
