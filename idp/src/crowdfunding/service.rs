//! The crowdfunding platform's moving parts: the payment gateway and the policy numbers. The
//! operations are in the files named for what they act on (projects, orders, closing,
//! vouchers); each loads what it needs, asks the lifecycle whether the step is allowed, and
//! stores the result with an audit entry and the catalogue records in one transaction.

use std::sync::Arc;

use super::payments::{PaymentGateway, SandboxGateway};
use crate::db::Db;

/// The crowdfunding platform's moving parts.
pub struct Service {
    /// Where payments go (the sandbox, or a real provider's adapter).
    pub gateway: Arc<dyn PaymentGateway>,
    /// Innovation voucher: this share of the amount raised (percent) …
    pub subsidy_rate_percent: i64,
    /// … at most this much.
    pub subsidy_cap_fen: i64,
    /// Unpaid orders older than this (seconds) are cancelled and their copies released.
    pub unpaid_order_ttl: i64,
}

impl Service {
    /// A service paying through the sandbox gateway.
    /// With the default policy ([`super::Policy::default`]).
    pub fn new(sandbox: Arc<SandboxGateway>) -> Self {
        Self::paying_through(sandbox)
    }

    /// A service paying through `gateway`, with the default policy.
    pub fn paying_through(gateway: Arc<dyn PaymentGateway>) -> Self {
        Service {
            gateway,
            subsidy_rate_percent: 0,
            subsidy_cap_fen: 0,
            unpaid_order_ttl: 0,
        }
        .with_policy(&super::Policy::default())
    }

    /// With the operator's policy numbers (the `crowdfunding` settings section).
    pub fn with_policy(mut self, policy: &super::Policy) -> Self {
        self.subsidy_rate_percent = policy.subsidy_rate_percent;
        self.subsidy_cap_fen = policy.subsidy_cap_yuan * 100;
        self.unpaid_order_ttl = policy.unpaid_order_ttl;
        self
    }
}

#[async_trait::async_trait]
impl super::payments::NotificationSink for Service {
    async fn handle(
        &self,
        db: &Db,
        notification: super::payments::Notification,
        now: i64,
    ) -> Result<(), super::payments::DispatchError> {
        use super::CrowdfundingError as E;
        use super::payments::DispatchError as D;
        self.handle_verified(db, notification, now)
            .await
            .map_err(|e| match e {
                E::Db(_) | E::Gateway(_) => D::Failed(e.to_string()),
                other => D::Refused(other.to_string()),
            })
    }
}
