//! OpenID Connect Back-Channel Logout 1.0: when a user's login with a client ends (sign-out,
//! signing out everywhere, withdrawing the app, ending a session, a password change), each
//! client that registered a `backchannel_logout_uri` receives a signed logout token naming the
//! user (`sub`) and the login (`sid`), and ends its own sessions of that login.
//!
//! Notifications go through an outbox table written with the revocation itself, so none is lost
//! to a crash or a client that is down. Any instance delivers: a batch is claimed by moving its
//! rows' next attempt into the future with a conditional update, so two instances never post
//! the same notification at once. A client that does not answer 2xx is retried with doubling
//! waits (30 s up to an hour) and abandoned after [`MAX_ATTEMPTS`], with the last error kept.

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use serde::Serialize;
use uuid::Uuid;

use super::clients;
use super::tokens::TokenService;
use crate::clock::UnixTime;
use crate::db::{Db, DbError};
use crate::with_pool;

/// The event a logout token carries (§2.4).
pub const EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";
/// Tries before a notification is given up (about a day of doubling waits).
pub const MAX_ATTEMPTS: i64 = 30;
/// How long a claimed notification is held by its deliverer.
const CLAIM_SECONDS: i64 = 60;
/// Notifications one turn delivers, and how many at once.
const BATCH: i64 = 100;
const PARALLEL: usize = 8;
/// A client gets this long to answer.
const TIMEOUT: Duration = Duration::from_secs(5);
/// A logout token is good this long after it is signed.
const TOKEN_TTL: i64 = 120;

/// A grant that was just revoked: its client, user and login.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Ended {
    pub client_id: String,
    pub user_id: Option<String>,
    pub session_id: Option<String>,
}

/// Writes one notification per client and login among `ended`, for the clients that take them.
pub async fn enqueue(db: &Db, ended: &[Ended], now: UnixTime) -> Result<u64, DbError> {
    let mut seen = std::collections::HashSet::new();
    let mut written = 0;
    for e in ended {
        let Some(user_id) = &e.user_id else { continue };
        if !seen.insert((&e.client_id, user_id, &e.session_id)) {
            continue;
        }
        written += with_pool!(db, pool => sqlx::query(
            "INSERT INTO oauth_logout_outbox (id, client_id, subject, session_id, created_at, next_attempt_at) \
             SELECT $1, id, $3, $4, $5, $5 FROM clients WHERE id = $2 AND backchannel_logout_uri IS NOT NULL",
        )
        .bind(format!("lo_{}", Uuid::new_v4().simple()))
        .bind(&e.client_id)
        .bind(user_id)
        .bind(&e.session_id)
        .bind(now)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    }
    Ok(written)
}

#[derive(Serialize)]
struct LogoutClaims<'a> {
    iss: &'a str,
    aud: &'a str,
    iat: i64,
    exp: i64,
    jti: String,
    sub: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    sid: Option<&'a str>,
    events: serde_json::Value,
}

#[derive(sqlx::FromRow)]
struct Claimed {
    id: String,
    client_id: String,
    subject: String,
    session_id: Option<String>,
    attempts: i64,
}

/// Delivers due notifications.
pub struct Deliverer {
    db: Db,
    tokens: Arc<TokenService>,
    http: reqwest::Client,
}

impl Deliverer {
    pub fn new(db: Db, tokens: Arc<TokenService>) -> anyhow::Result<Arc<Self>> {
        let http = reqwest::Client::builder()
            .timeout(TIMEOUT)
            // §2.5: the answer is a status; a redirect is not followed anywhere.
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Arc::new(Deliverer {
            db: db.clone(),
            tokens,
            http,
        }))
    }

    /// Delivers what is due now, in the background: the pages that end logins call this, so a
    /// sign-out reaches the clients at once without waiting for them.
    pub fn nudge(self: &Arc<Self>, now: UnixTime) {
        let deliverer = self.clone();
        tokio::spawn(async move {
            if let Err(e) = deliverer.deliver_due(now).await {
                tracing::warn!(error = %e, "delivering back-channel logouts");
            }
        });
    }

    /// The delivery as a scheduled job, every five seconds on each instance: the retries, and
    /// whatever a nudge did not reach (written by another process, or the nudging instance
    /// stopped).
    pub fn job(self: &Arc<Self>) -> crate::platform::Job {
        let deliverer = self.clone();
        crate::platform::Job::new("oauth.backchannel_logout", move |_db, now| {
            let deliverer = deliverer.clone();
            async move {
                deliverer.deliver_due(now).await?;
                Ok(())
            }
        })
        .every(Duration::from_secs(5))
    }

    /// Claims and posts the due notifications; how many were delivered.
    pub async fn deliver_due(&self, now: UnixTime) -> anyhow::Result<usize> {
        let claimed: Vec<Claimed> = with_pool!(&self.db, pool => sqlx::query_as(
            "UPDATE oauth_logout_outbox SET next_attempt_at = $2 WHERE id IN ( \
                 SELECT id FROM oauth_logout_outbox \
                 WHERE delivered_at IS NULL AND abandoned_at IS NULL AND next_attempt_at <= $1 \
                 ORDER BY next_attempt_at LIMIT $3) \
             AND delivered_at IS NULL AND abandoned_at IS NULL AND next_attempt_at <= $1 \
             RETURNING id, client_id, subject, session_id, attempts",
        )
        .bind(now)
        .bind(now + CLAIM_SECONDS)
        .bind(BATCH)
        .fetch_all(pool)
        .await)?;
        if claimed.is_empty() {
            return Ok(0);
        }
        let outcomes: Vec<bool> = futures_util::stream::iter(claimed)
            .map(|c| self.deliver(c, now))
            .buffer_unordered(PARALLEL)
            .collect()
            .await;
        Ok(outcomes.into_iter().filter(|ok| *ok).count())
    }

    /// Posts one notification and records how it went; true when delivered.
    async fn deliver(&self, claimed: Claimed, now: UnixTime) -> bool {
        let outcome = self.post(&claimed, now).await;
        let attempts = claimed.attempts + 1;
        let recorded = match &outcome {
            Ok(()) => {
                metrics::counter!(crate::metrics::BACKCHANNEL_LOGOUTS, "outcome" => "delivered")
                    .increment(1);
                with_pool!(&self.db, pool => sqlx::query(
                    "UPDATE oauth_logout_outbox SET delivered_at = $2, attempts = $3, last_error = NULL WHERE id = $1",
                )
                .bind(&claimed.id)
                .bind(now)
                .bind(attempts)
                .execute(pool)
                .await
                .map(|r| r.rows_affected()))
            }
            Err(error) => {
                let abandon = attempts >= MAX_ATTEMPTS;
                let outcome = if abandon { "abandoned" } else { "retry" };
                metrics::counter!(crate::metrics::BACKCHANNEL_LOGOUTS, "outcome" => outcome)
                    .increment(1);
                tracing::warn!(client = %claimed.client_id, attempts, %error, "back-channel logout not delivered");
                let wait = 30i64 << (attempts - 1).clamp(0, 7);
                with_pool!(&self.db, pool => sqlx::query(
                    "UPDATE oauth_logout_outbox SET attempts = $2, next_attempt_at = $3, last_error = $4, \
                     abandoned_at = $5 WHERE id = $1",
                )
                .bind(&claimed.id)
                .bind(attempts)
                .bind(now + wait.min(3600))
                .bind(error.chars().take(500).collect::<String>())
                .bind(abandon.then_some(now))
                .execute(pool)
                .await
                .map(|r| r.rows_affected()))
            }
        };
        if let Err(e) = recorded {
            tracing::error!(error = %e, "recording a back-channel logout attempt");
        }
        outcome.is_ok()
    }

    async fn post(&self, claimed: &Claimed, now: UnixTime) -> Result<(), String> {
        let client = clients::find(&self.db, &claimed.client_id)
            .await
            .map_err(|e| e.to_string())?;
        let Some((client, uri)) = client.and_then(|c| {
            let uri = c.backchannel_logout_uri.clone()?;
            Some((c, uri))
        }) else {
            return Err("the client no longer takes back-channel logout".into());
        };
        let claims = LogoutClaims {
            iss: &self.tokens.issuer,
            aud: &client.client_id,
            iat: now,
            exp: now + TOKEN_TTL,
            jti: TokenService::new_jti(),
            sub: &claimed.subject,
            sid: claimed.session_id.as_deref(),
            events: serde_json::json!({ EVENT: {} }),
        };
        let token = self
            .tokens
            .sign_typed(
                &claims,
                "logout+jwt",
                client.id_token_signed_response_alg,
                now,
            )
            .await
            .map_err(|e| e.to_string())?;
        let response = self
            .http
            .post(&uri)
            .form(&[("logout_token", token)])
            .send()
            .await
            .map_err(|e| format!("posting to {uri}: {e}"))?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(format!("{uri} answered {}", response.status()))
        }
    }
}

/// What a client's notifications look like, for the console and tests.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Notification {
    pub client_id: String,
    pub subject: String,
    pub session_id: Option<String>,
    pub attempts: i64,
    pub delivered_at: Option<i64>,
    pub abandoned_at: Option<i64>,
    pub last_error: Option<String>,
}

/// The latest notifications to `client_id`, newest first (at most 100).
pub async fn recent(db: &Db, client_id: &str) -> Result<Vec<Notification>, DbError> {
    Ok(with_pool!(db, pool => sqlx::query_as(
        "SELECT client_id, subject, session_id, attempts, delivered_at, abandoned_at, last_error \
         FROM oauth_logout_outbox WHERE client_id = $1 ORDER BY created_at DESC, id LIMIT 100",
    )
    .bind(client_id)
    .fetch_all(pool)
    .await)?)
}
