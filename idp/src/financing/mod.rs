//! Financing services (融资服务平台, seed 二.3): three of its four products end to end —
//! 小微企业风险补偿金 (risk compensation, 6.2: equity pledge and guarantee insurance, the pool,
//! the banks' commitments, claims and recovery), 转贷资金 (bridge loans, 6.1: application to
//! archive, supervision and statistics) and 融资租赁补贴 (leasing subsidies, 6.3: the computed
//! subsidy within each enterprise group's cap and the year's budget). Every application is its
//! catalogue record, written with source `workflow` in the step's transaction; every step is
//! audited; the rules programmes publish are settings ([`Policy`]).

mod access;
mod api;
mod applications;
mod demo;
mod documents;
pub mod error;
pub mod fees;
mod funds;
pub mod lifecycle;
pub mod model;
pub mod mutual;
mod notices;
mod pages;
pub mod query;
pub mod records;
pub mod risk;
pub mod service;
pub mod showcase;
mod stats;
mod steps;
mod store;
mod supervision;

use std::sync::Arc;

use axum::Extension;
use futures_util::FutureExt;

pub use error::FinancingError;
pub use lifecycle::{Action, Business, Product, State};
pub use service::Service;

use crate::accounts::Role;
use crate::platform::{self, Context, Job, NavEntry, Platform, ScopeDef, Started};

/// The scope every financing call needs.
pub const SCOPE: &str = "financing";
/// Staff powers on the financing platform (only with a client registered for it, and only for
/// administrators, as on the other platforms).
pub const STAFF_SCOPE: &str = "financing:staff";
/// Changing the data centre through the query module (update, delete, append, make-table):
/// administrators only, and only with a token that asks for it.
pub const DATA_ADMIN_SCOPE: &str = "financing:data-admin";

/// The scheduler's job marking bridges past their term and loans past their end overdue.
pub const OVERDUE_JOB: &str = "financing.overdue";

/// Financing services on the platform seam.
pub static PLATFORM: Platform = Platform {
    name: "financing",
    scopes: &[
        ScopeDef {
            name: SCOPE,
            zh: "使用融资服务平台（申请、审核与办理融资业务）",
            en: "Use the financing services platform (apply for, review and handle financing)",
            holders: |roles| {
                roles.iter().any(|r| {
                    matches!(
                        r,
                        Role::Enterprise
                            | Role::BankOfficer
                            | Role::Insurer
                            | Role::FundManager
                            | Role::CarrierOperator
                    )
                })
            },
        },
        ScopeDef {
            name: STAFF_SCOPE,
            zh: "以平台工作人员身份审批、监管融资业务（审批、核查、放款、代偿、补贴）",
            en: "Act as financing staff (approve, verify, disburse, compensate, grant subsidies)",
            holders: |_| false,
        },
        ScopeDef {
            name: DATA_ADMIN_SCOPE,
            zh: "以管理员身份更改数据中心的数据（更新、删除、追加、生成表查询）",
            en: "Change the data centre's data as an administrator (update, delete, append and make-table queries)",
            holders: |_| false,
        },
    ],
    console_nav: &[
        NavEntry {
            href: "/console/financing",
            zh: "融资业务",
            en: "Financing",
        },
        NavEntry {
            href: "/console/financing/fund",
            zh: "互助基金",
            en: "Mutual fund",
        },
        NavEntry {
            href: "/console/financing/supervision",
            zh: "融资监管",
            en: "Financing supervision",
        },
        NavEntry {
            href: "/console/financing/statistics",
            zh: "融资统计",
            en: "Financing statistics",
        },
        NavEntry {
            href: "/console/financing/query",
            zh: "融资数据查询",
            en: "Data query",
        },
        NavEntry {
            href: "/console/financing/risk",
            zh: "风险监控",
            en: "Risk monitoring",
        },
    ],
    check_settings: |section| {
        platform::parse_settings::<Policy>(section).and_then(|p| p.check().map(|_| ()))
    },
    start: |context| start(context).boxed(),
    demo: |db, now| {
        async move {
            demo::load(db, now).await?;
            mutual::demo::load(db, now).await
        }
        .boxed()
    },
    openapi: api::openapi,
    portal: &[&showcase::SECTION],
};

async fn start(context: &Context<'_>) -> anyhow::Result<Started> {
    let policy: Policy = context.settings()?;
    let terms = policy.check().map_err(anyhow::Error::msg)?;
    let max_document_bytes = policy.max_document_bytes;
    let service = Arc::new(Service::new(policy, terms));
    service.size_funds(context.db).await?;
    service
        .size_mutual_fund(context.db, context.clock.now())
        .await?;
    risk::indicators::ensure_defaults(context.db, &service, context.clock.now()).await?;
    let overdue = service.clone();
    let collect = service.clone();
    let evaluate = service.clone();
    let jobs = vec![
        Job::new(OVERDUE_JOB, move |db, now| {
            let service = overdue.clone();
            async move {
                let marked = service.mark_overdue(&db, now).await?;
                if marked > 0 {
                    tracing::info!(marked, "financing: applications marked overdue");
                }
                Ok(())
            }
        }),
        Job::new(mutual::COLLECT_JOB, move |db, now| {
            let service = collect.clone();
            async move {
                let (reminded, overdue) = service.fund_collect(&db, now).await?;
                if reminded + overdue > 0 {
                    tracing::info!(
                        reminded,
                        overdue,
                        "mutual fund: reminders sent, loans marked overdue"
                    );
                }
                Ok(())
            }
        }),
        Job::new(risk::EVALUATE_JOB, move |db, now| {
            let service = evaluate.clone();
            async move {
                let evaluations = risk::warnings::evaluate_all(&db, &service, now).await?;
                let raised: usize = evaluations.iter().map(|e| e.raised).sum();
                if raised > 0 {
                    tracing::info!(raised, "risk monitoring: warnings raised");
                }
                Ok(())
            }
        }),
    ];
    Ok(Started {
        api: api::router().layer(Extension(service.clone())),
        pages: pages::router(max_document_bytes)
            .merge(mutual::pages::router(max_document_bytes))
            .merge(query::pages::router())
            .merge(risk::pages::router(max_document_bytes))
            .layer(Extension(service)),
        jobs,
    })
}

/// The published rules of the three programmes (the `financing` section of the settings).
/// Percentages are written as decimal text (`"0.02"` is 0.02 %), amounts in 元.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Policy {
    /// 转贷资金: the fund's size.
    pub bridge_fund_yuan: i64,
    /// A bridge is at most this percentage of the renewal amount …
    #[serde(deserialize_with = "text_or_number")]
    pub bridge_renewal_share_percent: String,
    /// … and at most this much.
    pub bridge_ceiling_yuan: i64,
    /// The daily fee of the first days (percent a day) …
    #[serde(deserialize_with = "text_or_number")]
    pub bridge_fee_early_percent: String,
    /// … for this many days …
    pub bridge_fee_early_days: i64,
    /// … and of every later day.
    #[serde(deserialize_with = "text_or_number")]
    pub bridge_fee_late_percent: String,
    /// A bridge lasts at most this many days; the scheduler marks it overdue after them.
    pub bridge_max_days: i64,
    /// 风险补偿金: the pool's size.
    pub pool_yuan: i64,
    /// Each partner bank may lend up to this multiple of the pool under it.
    pub bank_commitment_multiple: i64,
    /// Shares of a bad loan's loss (percent): the region's, the county's, the bank's.
    #[serde(deserialize_with = "text_or_number")]
    pub loss_share_region_percent: String,
    #[serde(deserialize_with = "text_or_number")]
    pub loss_share_county_percent: String,
    #[serde(deserialize_with = "text_or_number")]
    pub loss_share_bank_percent: String,
    /// The pool pays at most this percentage of the bad loan's principal.
    #[serde(deserialize_with = "text_or_number")]
    pub compensation_cap_percent: String,
    /// The guarantee insurance premium (percent of the loan).
    #[serde(deserialize_with = "text_or_number")]
    pub premium_rate_percent: String,
    /// 融资租赁补贴: percent of the lease amount a year.
    #[serde(deserialize_with = "text_or_number")]
    pub leasing_rate_percent: String,
    /// At most this much per enterprise (affiliated enterprises together) per year.
    pub leasing_cap_yuan: i64,
    /// The year's budget for leasing subsidies.
    pub leasing_budget_yuan: i64,
    /// 互助基金: the government's capital in the fund (members' contributions come on top).
    pub fund_capital_yuan: i64,
    /// An application is at most this multiple of the membership's JOIN_AMOUNT
    /// (ENLARGE_MULTIPLES).
    pub fund_enlarge_multiples: i64,
    /// The base monthly rate in ‰, before FLOATING_MULTIPLES.
    #[serde(deserialize_with = "text_or_number")]
    pub fund_base_monthly_rate_permille: String,
    /// FLOATING_MULTIPLES (percent) unless the approval sets another.
    #[serde(deserialize_with = "text_or_number")]
    pub fund_floating_percent: String,
    /// HANDLING_FEE as a percentage of the principal unless the approval sets another.
    #[serde(deserialize_with = "text_or_number")]
    pub fund_handling_fee_percent: String,
    /// The longest term, months.
    pub fund_max_months: i64,
    /// Days before the due date the first reminder goes out.
    pub fund_remind_days: i64,
    /// New disbursements pause while the overdue rate is above this percentage.
    #[serde(deserialize_with = "text_or_number")]
    pub fund_pause_overdue_percent: String,
    /// The largest uploaded document, in bytes.
    pub max_document_bytes: usize,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            bridge_fund_yuan: 100_000_000,
            bridge_renewal_share_percent: "95".into(),
            bridge_ceiling_yuan: 10_000_000,
            bridge_fee_early_percent: "0.02".into(),
            bridge_fee_early_days: 5,
            bridge_fee_late_percent: "0.04".into(),
            bridge_max_days: 10,
            pool_yuan: 50_000_000,
            bank_commitment_multiple: 10,
            loss_share_region_percent: "40".into(),
            loss_share_county_percent: "40".into(),
            loss_share_bank_percent: "20".into(),
            compensation_cap_percent: "50".into(),
            premium_rate_percent: "2".into(),
            leasing_rate_percent: "2".into(),
            leasing_cap_yuan: 3_000_000,
            leasing_budget_yuan: 50_000_000,
            fund_capital_yuan: 20_000_000,
            fund_enlarge_multiples: 4,
            fund_base_monthly_rate_permille: "3.95".into(),
            fund_floating_percent: "10".into(),
            fund_handling_fee_percent: "0.1".into(),
            fund_max_months: 36,
            fund_remind_days: 7,
            fund_pause_overdue_percent: "5".into(),
            max_document_bytes: 10 * 1024 * 1024,
        }
    }
}

/// A percentage setting written as text (`"0.02"`) or as a number (`0.02`, or `95` from an
/// environment variable), kept as its text.
fn text_or_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    use serde::Deserialize;
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Given {
        Text(String),
        Whole(i64),
        Decimal(f64),
    }
    Ok(match Given::deserialize(d)? {
        Given::Text(t) => t,
        Given::Whole(n) => n.to_string(),
        Given::Decimal(f) => f.to_string(),
    })
}

/// The policy's rates as ppm, checked.
#[derive(Debug, Clone, Copy)]
pub struct Terms {
    pub bridge: fees::BridgeTerms,
    pub split: fees::SplitTerms,
    pub premium_ppm: i64,
    pub leasing_ppm: i64,
    pub fund: mutual::MutualTerms,
}

impl Policy {
    fn check(&self) -> Result<Terms, String> {
        let ppm = |name: &str, text: &str| {
            fees::percent_to_ppm(text)
                .filter(|v| *v <= 1_000_000)
                .ok_or_else(|| format!("{name} must be a percentage from 0 to 100, got `{text}`"))
        };
        let region = ppm("loss_share_region_percent", &self.loss_share_region_percent)?;
        let county = ppm("loss_share_county_percent", &self.loss_share_county_percent)?;
        let bank = ppm("loss_share_bank_percent", &self.loss_share_bank_percent)?;
        if region + county + bank != 1_000_000 || region + county == 0 {
            return Err("the three loss shares must add up to 100 and the region's and county's must not both be 0".into());
        }
        let amounts = [
            self.bridge_fund_yuan,
            self.bridge_ceiling_yuan,
            self.pool_yuan,
            self.leasing_cap_yuan,
            self.leasing_budget_yuan,
            self.fund_capital_yuan,
        ];
        if amounts.iter().any(|a| !(0..=1_000_000_000_000).contains(a)) {
            return Err("amounts must be 0 to 1 000 000 000 000 yuan".into());
        }
        if !(1..=60).contains(&self.bridge_max_days)
            || !(0..=self.bridge_max_days).contains(&self.bridge_fee_early_days)
        {
            return Err(
                "bridge_max_days must be 1 to 60 and bridge_fee_early_days at most that".into(),
            );
        }
        if !(1..=100).contains(&self.bank_commitment_multiple) {
            return Err("bank_commitment_multiple must be 1 to 100".into());
        }
        if self.max_document_bytes == 0 || self.max_document_bytes > 64 * 1024 * 1024 {
            return Err("max_document_bytes must be 1 byte to 64 MiB".into());
        }
        if !(1..=20).contains(&self.fund_enlarge_multiples)
            || !(1..=120).contains(&self.fund_max_months)
            || !(0..=90).contains(&self.fund_remind_days)
        {
            return Err("fund_enlarge_multiples must be 1 to 20, fund_max_months 1 to 120 and fund_remind_days 0 to 90".into());
        }
        let fund = mutual::MutualTerms {
            capital_fen: self.fund_capital_yuan * 100,
            enlarge_multiples: self.fund_enlarge_multiples,
            base_rate_e4: fees::percent_to_ppm(&self.fund_base_monthly_rate_permille)
                .filter(|v| *v > 0 && *v <= 1_000_000)
                .ok_or_else(|| format!("fund_base_monthly_rate_permille must be above 0 and at most 100 (‰), got `{}`", self.fund_base_monthly_rate_permille))?,
            floating_e4: ppm("fund_floating_percent", &self.fund_floating_percent)?,
            fee_ppm: ppm("fund_handling_fee_percent", &self.fund_handling_fee_percent)?,
            max_months: self.fund_max_months,
            remind_days: self.fund_remind_days,
            pause_ppm: ppm("fund_pause_overdue_percent", &self.fund_pause_overdue_percent)?,
        };
        Ok(Terms {
            fund,
            bridge: fees::BridgeTerms {
                renewal_share_ppm: ppm(
                    "bridge_renewal_share_percent",
                    &self.bridge_renewal_share_percent,
                )?,
                ceiling_fen: self.bridge_ceiling_yuan * 100,
                early_fee_ppm: ppm("bridge_fee_early_percent", &self.bridge_fee_early_percent)?,
                early_days: self.bridge_fee_early_days,
                late_fee_ppm: ppm("bridge_fee_late_percent", &self.bridge_fee_late_percent)?,
            },
            split: fees::SplitTerms {
                region_ppm: region,
                county_ppm: county,
                cap_ppm: ppm("compensation_cap_percent", &self.compensation_cap_percent)?,
            },
            premium_ppm: ppm("premium_rate_percent", &self.premium_rate_percent)?,
            leasing_ppm: ppm("leasing_rate_percent", &self.leasing_rate_percent)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_may_be_written_as_text_or_numbers() {
        let policy: Policy = platform::parse_settings(Some(&serde_json::json!({
            "bridge_fee_early_percent": 0.02,
            "bridge_renewal_share_percent": 95,
            "premium_rate_percent": "1.5"
        })))
        .unwrap();
        let terms = policy.check().unwrap();
        assert_eq!(terms.bridge.early_fee_ppm, 200);
        assert_eq!(terms.bridge.renewal_share_ppm, 950_000);
        assert_eq!(terms.premium_ppm, 15_000);
        let bad: Policy = platform::parse_settings(Some(&serde_json::json!({
            "loss_share_bank_percent": "30"
        })))
        .unwrap();
        assert!(bad.check().unwrap_err().contains("add up to 100"));
    }
}
