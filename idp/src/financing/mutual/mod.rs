//! 互助基金 (the mutual fund, seed 二.3 and records 6.4.1–6.4.3): member enterprises apply
//! online and print the signed form; staff review compliance and approve; the terms become a
//! chained, tamper-evident contract; the fund's account pays the enterprise through a
//! double-entry ledger; the scheduler reminds before and on the due date and marks loans
//! overdue; the fund manager records repayments until the loan is settled; statistics and
//! supervision read the same tables. New disbursements pause while the overdue rate is above
//! the setting.

pub mod api;
pub mod applications;
mod collection;
pub mod contracts;
pub mod demo;
pub mod fund;
pub mod ledger;
pub mod lifecycle;
pub mod model;
mod notices;
pub mod pages;
mod records;
mod repayments;
mod reports;
pub mod stats;
pub mod steps;
mod store;
pub mod terms;

pub use fund::{FundStatus, Paused, ppm_percent};

/// The scheduler's job: reminders and overdue marks.
pub const COLLECT_JOB: &str = "financing.fund_collect";

/// The fund's rules from the settings, checked.
#[derive(Debug, Clone, Copy)]
pub struct MutualTerms {
    pub capital_fen: i64,
    pub enlarge_multiples: i64,
    /// The base monthly rate in 0.0001 ‰.
    pub base_rate_e4: i64,
    /// FLOATING_MULTIPLES in 0.0001 %.
    pub floating_e4: i64,
    pub fee_ppm: i64,
    pub max_months: i64,
    pub remind_days: i64,
    pub pause_ppm: i64,
}
