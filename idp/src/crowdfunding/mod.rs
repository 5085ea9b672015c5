//! Product crowdfunding (产品众筹平台, seed 二.1): projects with rewards, staff review, backing
//! with the sandbox payment gateway, closing by the scheduler with automatic refunds,
//! fulfilment, evaluation and innovation vouchers. Every project, reward and paid order is also
//! its catalogue record (4.2.1, 4.2.2, 4.3), written in the same transaction.

mod access;
mod api;
mod closing;
mod demo;
pub mod error;
pub mod lifecycle;
pub mod model;
pub use crate::payments;
pub use crate::payments::money;
mod notices;
mod orders;
mod pages;
mod projects;
mod records;
pub mod service;
pub mod showcase;
mod store;
mod vouchers;

use std::sync::Arc;

use axum::Extension;
use futures_util::FutureExt;

pub use error::CrowdfundingError;
pub use lifecycle::{Action, Actor, Facts, Refusal, State};
pub use payments::{PaymentGateway, SandboxGateway};
pub use service::Service;
pub use store::{find_order, find_project};

use crate::accounts::Role;
use crate::platform::{self, Context, Job, NavEntry, Platform, ScopeDef, Started};

/// The scope every crowdfunding call needs.
pub const SCOPE: &str = "crowdfunding";
/// Staff powers on the crowdfunding platform. A user's roles are not enough: the token must
/// carry this scope, which only clients registered for it can obtain, so an administrator
/// signed in to an ordinary carrier app acts there as an ordinary user.
pub const STAFF_SCOPE: &str = "crowdfunding:staff";

/// Product crowdfunding on the platform seam.
pub static PLATFORM: Platform = Platform {
    name: "crowdfunding",
    scopes: &[
        ScopeDef {
            name: SCOPE,
            zh: "使用产品众筹平台",
            en: "Use the product crowdfunding platform",
            holders: |roles| {
                roles
                    .iter()
                    .any(|r| matches!(r, Role::Enterprise | Role::Backer | Role::CarrierOperator))
            },
        },
        ScopeDef {
            name: STAFF_SCOPE,
            zh: "以平台工作人员身份审核、监管产品众筹（审核项目、查看订单、运行结算）",
            en: "Act as platform staff on product crowdfunding (review projects, see orders, run settlement)",
            holders: |_| false,
        },
    ],
    console_nav: &[NavEntry {
        href: "/console/crowdfunding",
        zh: "众筹审核",
        en: "Crowdfunding review",
    }],
    check_settings: |section| platform::parse_settings::<Policy>(section).map(|_| ()),
    start: |context| start(context).boxed(),
    demo: |db, now| demo::load(db, now).boxed(),
    openapi: api::openapi,
    portal: &[&showcase::SECTION],
};

/// The prefix of its order ids, by which payment notifications find it.
pub const ORDER_PREFIX: &str = "CFO-";

/// The names of its scheduled jobs (the keys of their leases).
pub const RELEASE_UNPAID_JOB: &str = "crowdfunding.release_unpaid";
pub const CLOSE_DUE_JOB: &str = "crowdfunding.close_due";

async fn start(context: &Context<'_>) -> anyhow::Result<Started> {
    let policy: Policy = context.settings()?;
    let service =
        Arc::new(Service::paying_through(context.payments.gateway.clone()).with_policy(&policy));
    context.payments.register(ORDER_PREFIX, service.clone());
    let jobs = {
        let release = service.clone();
        let close = service.clone();
        vec![
            Job::new(RELEASE_UNPAID_JOB, move |db, now| {
                let service = release.clone();
                async move {
                    let released = service.release_unpaid(&db, now).await?;
                    if released > 0 {
                        tracing::info!(released, "unpaid crowdfunding orders released");
                    }
                    Ok(())
                }
            }),
            Job::new(CLOSE_DUE_JOB, move |db, now| {
                let service = close.clone();
                async move {
                    let closed = service.close_due(&db, now).await?;
                    if closed > 0 {
                        tracing::info!(closed, "crowdfunding projects closed");
                    }
                    Ok(())
                }
            }),
        ]
    };
    Ok(Started {
        api: api::router().layer(Extension(service.clone())),
        pages: pages::router().layer(Extension(service)),
        jobs,
    })
}

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
