//! Product crowdfunding (产品众筹平台, seed 二.1): projects with rewards, staff review, backing
//! with the sandbox payment gateway, closing by the scheduler with automatic refunds,
//! fulfilment, evaluation and innovation vouchers. Every project, reward and paid order is also
//! its catalogue record (4.2.1, 4.2.2, 4.3), written in the same transaction.

pub mod lifecycle;
pub mod money;
pub mod payments;
mod records;
pub mod service;

pub use lifecycle::{Action, Actor, Facts, Refusal, State};
pub use payments::{PaymentGateway, SandboxGateway};
pub use service::{CrowdfundingError, Service};

/// Product crowdfunding's policy numbers (the `crowdfunding` section of the settings).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Policy {
    /// Innovation voucher (科技创新券): this percentage of the amount raised …
    pub subsidy_rate_percent: i64,
    /// … at most this many yuan.
    pub subsidy_cap_yuan: i64,
    /// An unpaid order gives its reserved copies back after this many seconds.
    pub unpaid_order_ttl: i64,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            subsidy_rate_percent: 10,
            subsidy_cap_yuan: 50_000,
            unpaid_order_ttl: 1800,
        }
    }
}

/// The categories of seed 二.1 项目分类.
pub const CATEGORIES: &[&str] = &[
    "电视电影",
    "广告会展",
    "通讯数码",
    "家居生活",
    "智能穿戴",
    "影音娱乐",
    "出行定位",
    "艺术文化",
    "其他",
];
