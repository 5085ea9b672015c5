//! Back-channel logout (OpenID Connect Back-Channel Logout 1.0) for relying parties: the
//! provider posts a signed logout token to the client's `backchannel_logout_uri` when a user's
//! login ends there; [`Client::verify_logout_token`] checks it, and the app ends its sessions
//! of that login (`sid`) or user (`sub`).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use jsonwebtoken::Validation;
use serde::Deserialize;
use tokio::sync::{Mutex, OnceCell};

use crate::client::Client;
use crate::error::Error;
use crate::verifier::{Rejection, Verifier};

/// The event a logout token must carry.
pub const BACKCHANNEL_LOGOUT_EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";
/// How old a logout token may be (its `iat`), in seconds.
const MAX_AGE: i64 = 300;
/// Token ids remembered against replay (oldest forgotten first).
const REMEMBERED: usize = 10_000;

/// A verified logout token: end the sessions of this login, or of this user when it names no
/// login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogoutToken {
    /// The user (`sub`), when the provider names one.
    pub subject: Option<String>,
    /// The provider's login session (`sid`): [`crate::Identity::session_id`] of the logins to end.
    pub session_id: Option<String>,
}

#[derive(Deserialize)]
struct Claims {
    sub: Option<String>,
    sid: Option<String>,
    iat: i64,
    jti: Option<String>,
    events: Option<serde_json::Map<String, serde_json::Value>>,
    nonce: Option<serde_json::Value>,
}

/// What a client keeps to check logout tokens: the provider's keys and the token ids seen.
#[derive(Default, Clone)]
pub(crate) struct LogoutState {
    verifier: Arc<OnceCell<Verifier>>,
    seen: Arc<Mutex<HashMap<String, i64>>>,
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

impl Client {
    /// Checks a logout token as Back-Channel Logout §2.6 says: signed by the provider (typ
    /// `logout+jwt` or none), issued by it for this client, recent, carrying the back-channel
    /// logout event, naming a user or a login, with no `nonce` (so an ID token cannot pass for
    /// one), and not seen before.
    ///
    /// ```no_run
    /// # async fn demo(client: &nx_sdk::Client, posted: &str) -> Result<(), nx_sdk::Error> {
    /// let logout = client.verify_logout_token(posted).await?;
    /// // end the local sessions whose Identity::session_id is logout.session_id
    /// // (or, without one, every session of logout.subject); answer 200
    /// # Ok(()) }
    /// ```
    pub async fn verify_logout_token(&self, token: &str) -> Result<LogoutToken, Error> {
        let invalid = |why: &str| Error::Verification(format!("logout token: {why}"));
        let state = self.logout_state();
        let verifier = state
            .verifier
            .get_or_try_init(|| Verifier::new(self.issuer().as_str()))
            .await?;
        let header = jsonwebtoken::decode_header(token).map_err(|e| invalid(&e.to_string()))?;
        if !matches!(header.typ.as_deref(), None | Some("JWT" | "logout+jwt")) {
            return Err(invalid("not a logout token (typ)"));
        }
        let kid = header.kid.ok_or_else(|| invalid("no key id"))?;
        let (key, alg) = verifier.key(&kid).await.map_err(|e| match e {
            Rejection::InvalidToken(why) | Rejection::InsufficientScope(why) => invalid(&why),
        })?;
        if header.alg != alg {
            return Err(invalid("algorithm does not match the key"));
        }
        let mut validation = Validation::new(alg);
        validation.set_issuer(&[self.issuer().as_str().trim_end_matches('/')]);
        validation.set_audience(&[self.client_id()]);
        validation.leeway = 30;
        validation.set_required_spec_claims(&["iss", "aud", "iat"]);
        let claims = jsonwebtoken::decode::<Claims>(token, &key, &validation)
            .map_err(|e| invalid(&e.to_string()))?
            .claims;
        let now = now();
        if claims.iat > now + 30 || claims.iat < now - MAX_AGE {
            return Err(invalid("issued too long ago or in the future"));
        }
        if !claims
            .events
            .as_ref()
            .and_then(|events| events.get(BACKCHANNEL_LOGOUT_EVENT))
            .is_some_and(serde_json::Value::is_object)
        {
            return Err(invalid("no back-channel logout event"));
        }
        if claims.nonce.is_some() {
            return Err(invalid("a logout token has no nonce"));
        }
        if claims.sub.is_none() && claims.sid.is_none() {
            return Err(invalid("names neither a user nor a login"));
        }
        if let Some(jti) = claims.jti {
            let mut seen = state.seen.lock().await;
            seen.retain(|_, at| *at >= now - MAX_AGE - 60);
            if seen.contains_key(&jti) {
                return Err(invalid("replayed"));
            }
            if seen.len() < REMEMBERED {
                seen.insert(jti, now);
            }
        }
        Ok(LogoutToken {
            subject: claims.sub,
            session_id: claims.sid,
        })
    }
}
