//! One gateway for every platform that takes money. Each platform registers the prefix of the
//! ids it pays for (`CFO-` crowdfunding orders, `CSE-` crowdsourcing escrows); a notification is
//! verified once here and handed to the platform whose prefix its order id carries, so the
//! gateway needs one notification address whatever the platform.

use std::sync::{Arc, RwLock};

use super::{GatewayError, Notification, PaymentGateway, SandboxGateway};
use crate::db::Db;

/// A platform's handler of verified notifications for its ids.
#[async_trait::async_trait]
pub trait NotificationSink: Send + Sync {
    /// Handles a verified notification; the same event may arrive again and must then change
    /// nothing.
    async fn handle(
        &self,
        db: &Db,
        notification: Notification,
        now: i64,
    ) -> Result<(), DispatchError>;
}

#[derive(Debug, thiserror::Error)]
pub enum DispatchError {
    #[error(transparent)]
    Gateway(#[from] GatewayError),
    #[error("no platform takes payments for order {0}")]
    UnknownOrder(String),
    /// The platform refused it (an amount that does not match, say): the gateway is told so.
    #[error("{0}")]
    Refused(String),
    /// The platform could not handle it now (its database, say): the gateway should retry.
    #[error("{0}")]
    Failed(String),
}

/// The gateway, the sandbox's page when the sandbox is the gateway, and who handles what.
pub struct Payments {
    pub gateway: Arc<dyn PaymentGateway>,
    pub sandbox: Option<Arc<SandboxGateway>>,
    sinks: RwLock<Vec<(&'static str, Arc<dyn NotificationSink>)>>,
}

impl Payments {
    /// Payments through the sandbox gateway.
    pub fn sandbox(sandbox: Arc<SandboxGateway>) -> Self {
        Payments {
            gateway: sandbox.clone(),
            sandbox: Some(sandbox),
            sinks: RwLock::new(Vec::new()),
        }
    }

    /// Notifications for order ids starting with `prefix` go to `sink`.
    pub fn register(&self, prefix: &'static str, sink: Arc<dyn NotificationSink>) {
        if let Ok(mut sinks) = self.sinks.write() {
            sinks.retain(|(p, _)| *p != prefix);
            sinks.push((prefix, sink));
        }
    }

    fn sink_for(&self, order_id: &str) -> Option<Arc<dyn NotificationSink>> {
        let sinks = self.sinks.read().ok()?;
        sinks
            .iter()
            .find(|(prefix, _)| order_id.starts_with(prefix))
            .map(|(_, sink)| sink.clone())
    }

    /// Verifies a notification and hands it to its platform.
    pub async fn dispatch(
        &self,
        db: &Db,
        body: &[u8],
        signature: &str,
        now: i64,
    ) -> Result<(), DispatchError> {
        let notification = self.gateway.verify_notification(body, signature)?;
        let sink = self
            .sink_for(&notification.order_id)
            .ok_or_else(|| DispatchError::UnknownOrder(notification.order_id.clone()))?;
        sink.handle(db, notification, now).await
    }
}
