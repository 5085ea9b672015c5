//! The crowdsourcing platform's moving parts: the payment gateway and the policy. The
//! operations are in the files named for what they act on (providers, demands, responses,
//! orders, escrow, disputes, evaluations, subsidies, statistics); each loads what it needs,
//! asks the lifecycle whether the step is allowed, and stores the result with an audit entry,
//! the catalogue records and the inbox messages in one transaction.

use std::sync::Arc;

use super::Policy;
use crate::payments::PaymentGateway;

pub struct Service {
    pub gateway: Arc<dyn PaymentGateway>,
    pub policy: Policy,
}

impl Service {
    pub fn new(gateway: Arc<dyn PaymentGateway>, policy: Policy) -> Self {
        Service { gateway, policy }
    }

    pub(super) fn auto_accept_seconds(&self) -> i64 {
        self.policy.auto_accept_days * 86_400
    }
}
