//! The crowdfunding platform's moving parts: the payment gateway and the policy numbers. The
//! operations are in the files named for what they act on (projects, orders, closing,
//! vouchers); each loads what it needs, asks the lifecycle whether the step is allowed, and
//! stores the result with an audit entry and the catalogue records in one transaction.

use std::sync::Arc;

use super::payments::{PaymentGateway, SandboxGateway};

/// The crowdfunding platform's moving parts.
pub struct Service {
    /// Where payments go (the sandbox, or a real provider's adapter).
    pub gateway: Arc<dyn PaymentGateway>,
    /// The sandbox's own payment page, when the sandbox is the gateway.
    pub sandbox: Option<Arc<SandboxGateway>>,
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
        Service {
            gateway: sandbox.clone(),
            sandbox: Some(sandbox),
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
