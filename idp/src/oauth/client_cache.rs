//! A short-lived in-process cache of client records for the token, introspection and
//! revocation endpoints, which otherwise read the same client from the database on every
//! request. The database stays the truth: an entry lives two seconds, and this instance
//! forgets a client at once when it changes it. Another instance may accept a rotated secret or
//! a removed client for at most those two seconds.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use super::clients::{self, Client, ClientError};
use crate::db::Db;

const LIFETIME: Duration = Duration::from_secs(2);
// Only registered clients are cached, so the map is bounded by their number; the cap guards
// against a registry far larger than expected.
const MAX_ENTRIES: usize = 10_000;

#[derive(Default)]
pub struct ClientCache {
    entries: RwLock<HashMap<String, (Instant, Arc<Client>)>>,
}

impl ClientCache {
    pub async fn find(&self, db: &Db, client_id: &str) -> Result<Option<Arc<Client>>, ClientError> {
        if let Ok(entries) = self.entries.read()
            && let Some((loaded, client)) = entries.get(client_id)
            && loaded.elapsed() < LIFETIME
        {
            return Ok(Some(client.clone()));
        }
        let Some(client) = clients::find(db, client_id).await? else {
            return Ok(None);
        };
        let client = Arc::new(client);
        if let Ok(mut entries) = self.entries.write() {
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
            entries.insert(client_id.to_owned(), (Instant::now(), client.clone()));
        }
        Ok(Some(client))
    }

    /// Called by whatever changes or removes a client on this instance.
    pub fn forget(&self, client_id: &str) {
        if let Ok(mut entries) = self.entries.write() {
            entries.remove(client_id);
        }
    }
}
