//! Business crowdsourcing (业务众包平台, seed 二.2): enterprises publish service demands,
//! service organisations respond and negotiate, staff review; a deal becomes a service order
//! whose money the platform holds in escrow until the work is accepted, sent back, or a
//! dispute is decided. Subsidies, two-way evaluation, statistics and targeted push complete
//! it. Every demand, order, service product and service organisation is also its catalogue
//! record (5.4, 5.3, 5.2, 5.1), written in the same transaction.

mod access;
mod api;
mod demand_input;
mod demands;
mod demo;
mod disputes;
pub mod error;
mod escrow;
mod evaluations;
pub mod lifecycle;
pub mod model;
mod notices;
mod orders;
mod pages;
mod portal;
mod providers;
mod push;
pub mod records;
mod responses;
pub mod service;
pub mod showcase;
mod stats;
mod store;
mod subsidies;

use std::sync::Arc;

use axum::Extension;
use futures_util::FutureExt;

pub use error::CrowdsourcingError;
pub use lifecycle::{DemandAction, DemandState, Mode, OrderAction, OrderState};
pub use service::Service;

use crate::accounts::Role;
use crate::platform::{self, Context, Job, NavEntry, Platform, ScopeDef, Started};

/// The scope every crowdsourcing call needs.
pub const SCOPE: &str = "crowdsourcing";
/// Staff powers on the crowdsourcing platform (as crowdfunding's: only with a client
/// registered for it, and only for administrators).
pub const STAFF_SCOPE: &str = "crowdsourcing:staff";

/// The prefix of escrow ids, by which payment notifications find this platform.
pub const ESCROW_PREFIX: &str = "CSE-";

/// Business crowdsourcing on the platform seam.
pub static PLATFORM: Platform = Platform {
    name: "crowdsourcing",
    scopes: &[
        ScopeDef {
            name: SCOPE,
            zh: "使用业务众包平台",
            en: "Use the business crowdsourcing platform",
            // Bank officers and fund managers read the key incubation projects (重点孵化项目),
            // which get priority for financing.
            holders: |roles| {
                roles.iter().any(|r| {
                    matches!(
                        r,
                        Role::Enterprise
                            | Role::ServiceProvider
                            | Role::CarrierOperator
                            | Role::BankOfficer
                            | Role::FundManager
                    )
                })
            },
        },
        ScopeDef {
            name: STAFF_SCOPE,
            zh: "以平台工作人员身份审核、监管业务众包（审核需求、审批补贴、裁决争议）",
            en: "Act as platform staff on business crowdsourcing (review demands, decide subsidies and disputes)",
            holders: |_| false,
        },
    ],
    console_nav: &[
        NavEntry {
            href: "/console/crowdsourcing",
            zh: "众包审核",
            en: "Crowdsourcing review",
        },
        NavEntry {
            href: "/console/crowdsourcing/statistics",
            zh: "众包统计",
            en: "Crowdsourcing statistics",
        },
    ],
    check_settings: |section| {
        platform::parse_settings::<Policy>(section)
            .and_then(|p| p.check())
            .map(|_| ())
    },
    start: |context| start(context).boxed(),
    demo: |db, now| demo::load(db, now).boxed(),
    openapi: api::openapi,
    portal: &[&showcase::SECTION],
};

/// The names of its scheduled jobs (the keys of their leases).
pub const AUTO_ACCEPT_JOB: &str = "crowdsourcing.auto_accept";
pub const EXPIRE_JOB: &str = "crowdsourcing.expire";
pub const STATISTICS_JOB: &str = "crowdsourcing.statistics";

async fn start(context: &Context<'_>) -> anyhow::Result<Started> {
    let policy: Policy = context.settings()?;
    let service = Arc::new(Service::new(context.payments.gateway.clone(), policy));
    context.payments.register(ESCROW_PREFIX, service.clone());
    let jobs = {
        let accept = service.clone();
        let expire = service.clone();
        let count = service.clone();
        let every = std::time::Duration::from_secs(service.policy.statistics_interval_seconds);
        vec![
            // Counting a million orders takes seconds: the page reads the last count instead.
            Job::new(STATISTICS_JOB, move |db, now| {
                let service = count.clone();
                async move {
                    let max_age = service.policy.statistics_interval_seconds as i64;
                    if let Some(snapshot) = service
                        .refresh_statistics_if_stale(&db, now, max_age)
                        .await?
                    {
                        tracing::info!(
                            took_ms = snapshot.took_ms,
                            "crowdsourcing statistics counted"
                        );
                    }
                    Ok(())
                }
            })
            .every(every),
            Job::new(AUTO_ACCEPT_JOB, move |db, now| {
                let service = accept.clone();
                async move {
                    let accepted = service.auto_accept_due(&db, now).await?;
                    if accepted > 0 {
                        tracing::info!(accepted, "deliveries accepted after the window");
                    }
                    Ok(())
                }
            }),
            Job::new(EXPIRE_JOB, move |db, now| {
                let service = expire.clone();
                async move {
                    let expired = service.expire_due(&db, now).await?;
                    if expired > 0 {
                        tracing::info!(expired, "crowdsourcing demands expired");
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

/// Business crowdsourcing's policy numbers (the `crowdsourcing` section of the settings).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Policy {
    /// The platform's fee, a percentage of each released escrow.
    pub platform_fee_percent: i64,
    /// How many times an enterprise may send a delivery back.
    pub rework_rounds: i64,
    /// A delivery nobody answers is accepted after this many days.
    pub auto_accept_days: i64,
    /// 服务补贴券: this percentage of the order amount …
    pub subsidy_rate_percent: i64,
    /// … at most this many yuan per enterprise per year …
    pub subsidy_cap_yuan: i64,
    /// … out of this yearly budget (yuan).
    pub subsidy_budget_yuan: i64,
    /// The largest uploaded attachment, in bytes.
    pub max_attachment_bytes: usize,
    /// How many matching providers a listed demand is pushed to.
    pub push_limit: i64,
    /// How often the statistics are counted again (seconds).
    pub statistics_interval_seconds: u64,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            platform_fee_percent: 0,
            rework_rounds: 3,
            auto_accept_days: 7,
            subsidy_rate_percent: 50,
            subsidy_cap_yuan: 200_000,
            subsidy_budget_yuan: 10_000_000,
            max_attachment_bytes: 5 * 1024 * 1024,
            push_limit: 20,
            statistics_interval_seconds: 300,
        }
    }
}

impl Policy {
    fn check(self) -> Result<Self, String> {
        let percent = 0..=100;
        if !percent.contains(&self.platform_fee_percent)
            || !percent.contains(&self.subsidy_rate_percent)
        {
            return Err("percentages must be 0 to 100".into());
        }
        if self.statistics_interval_seconds < 10 {
            return Err("statistics_interval_seconds must be at least 10".into());
        }
        if self.rework_rounds < 0 || self.auto_accept_days < 1 || self.push_limit < 0 {
            return Err("rework_rounds ≥ 0, auto_accept_days ≥ 1, push_limit ≥ 0".into());
        }
        if self.subsidy_cap_yuan < 0 || self.subsidy_budget_yuan < 0 {
            return Err("subsidy amounts must not be negative".into());
        }
        if self.max_attachment_bytes == 0 || self.max_attachment_bytes > 64 * 1024 * 1024 {
            return Err("max_attachment_bytes must be 1 byte to 64 MiB".into());
        }
        Ok(self)
    }
}

/// The service classes (SERVICE_CLASS, 5.2 and 5.3: four letters) the platform offers; the
/// seed names design, R&D and manufacturing as what crowdsourcing is for.
pub const SERVICE_CLASSES: &[(&str, &str, &str)] = &[
    ("CPSJ", "产品设计", "Product design"),
    ("CPYF", "产品研发", "Product R&D"),
    ("CPZZ", "产品制造", "Manufacturing"),
    ("RJKF", "软件开发", "Software development"),
    ("JCJC", "检验检测", "Testing and inspection"),
    ("ZSCQ", "知识产权", "Intellectual property"),
    ("PPYX", "品牌营销", "Branding and marketing"),
    ("QYZX", "企业咨询", "Business consulting"),
];

pub fn service_class_label(code: &str) -> &'static str {
    SERVICE_CLASSES
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, zh, _)| *zh)
        .unwrap_or("其他")
}
