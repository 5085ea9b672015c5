//! 统计分析: bridges by time (month, quarter, year), bank and region — number and amount, the
//! fund's usage rate, disbursements and fees recovered, the largest, smallest and average
//! bridge, recovery status, the fund's turnovers a year; leasing subsidies by mode and by
//! amount; risk compensation by business and state. One grouped scan per product: the bridge
//! figures come from one statement grouped by month, bank, region and state (a few thousand
//! groups at most), merged here.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::access::scope;
use super::error::{FinancingError, Result};
use super::funds::Funds;
use super::lifecycle::{Business, State};
use super::service::Service;
use crate::accounts::caller::Caller;
use crate::catalogue::sheets::{XlsxWriter, csv_line, formula_safe};
use crate::db::Db;
use crate::payments::money::fen_to_yuan;
use crate::with_pool;

/// Which months the statistics cover and how they are grouped.
#[derive(Debug, Clone, Deserialize, IntoParams, ToSchema)]
#[schema(as = FinancingStatisticsQuery)]
pub struct Period {
    /// `month`, `quarter` or `year` (default `month`).
    #[serde(default)]
    pub by: Option<String>,
    /// The first month, `yyyy-mm` (default: January of this year).
    #[serde(default)]
    pub from: Option<String>,
    /// The last month, `yyyy-mm` (default: this month).
    #[serde(default)]
    pub to: Option<String>,
}

/// Figures of one group of bridges.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
#[schema(as = FinancingBridgeFigures)]
pub struct Figures {
    pub key: String,
    pub label: String,
    /// 笔数 and 金额 (fen) of the bridges disbursed.
    pub count: i64,
    pub amount_fen: i64,
    /// Fees recovered, fen.
    pub fees_fen: i64,
    pub max_fen: i64,
    pub min_fen: i64,
    pub average_fen: i64,
    /// Σ amount × days used, fen·days (the usage rate's numerator).
    pub amount_days: i64,
}

impl Figures {
    fn add(&mut self, r: &Row) {
        if self.count == 0 || r.min_fen < self.min_fen {
            self.min_fen = r.min_fen;
        }
        self.max_fen = self.max_fen.max(r.max_fen);
        self.count += r.count;
        self.amount_fen += r.amount_fen;
        self.fees_fen += r.fees_fen;
        self.amount_days += r.amount_days;
        self.average_fen = if self.count > 0 {
            (self.amount_fen + self.count / 2) / self.count
        } else {
            0
        };
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct Row {
    month: String,
    bank: Option<String>,
    region: String,
    state: String,
    count: i64,
    amount_fen: i64,
    max_fen: i64,
    min_fen: i64,
    fees_fen: i64,
    amount_days: i64,
}

/// The bridge statistics.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = FinancingBridgeStatistics)]
pub struct BridgeStatistics {
    pub total: Figures,
    pub by_period: Vec<Figures>,
    pub by_bank: Vec<Figures>,
    pub by_region: Vec<Figures>,
    /// Recovery status: outstanding, overdue, recovered (archived included).
    pub by_status: Vec<Figures>,
    /// Σ amount × days ÷ (fund × days in the period).
    pub usage_rate: f64,
    /// Disbursed amount ÷ fund, per year: how many times the fund turned over.
    pub turnovers_per_year: f64,
    pub days_in_period: i64,
}

/// Counts and amounts of one group.
#[derive(Debug, Clone, Default, Serialize, ToSchema, sqlx::FromRow)]
#[schema(as = FinancingBucket)]
pub struct Bucket {
    pub key: String,
    pub label: String,
    pub count: i64,
    pub amount_fen: i64,
    /// Leasing: subsidies granted; compensation: compensation paid, fen.
    pub paid_fen: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = FinancingStatistics)]
pub struct Statistics {
    pub from: String,
    pub to: String,
    pub by: String,
    pub bridge: BridgeStatistics,
    /// Leasing subsidies by mode (直接租赁, 售后回租).
    pub leasing_by_mode: Vec<Bucket>,
    /// Leasing subsidies by the amount granted.
    pub leasing_by_amount: Vec<Bucket>,
    /// Risk compensation by business and state.
    pub compensation: Vec<Bucket>,
    pub funds: Funds,
    pub took_ms: i64,
}

fn month_ok(m: &str) -> bool {
    m.len() == 7
        && m.as_bytes()[4] == b'-'
        && m[..4].bytes().all(|b| b.is_ascii_digit())
        && matches!(m[5..].parse::<u8>(), Ok(1..=12))
}

/// The days from the first of `from` to the end of `to`, or to `now` when that is earlier.
fn days_in(from: &str, to: &str, now: i64) -> i64 {
    let date = |m: &str, last: bool| -> Option<time::Date> {
        let year: i32 = m[..4].parse().ok()?;
        let month = time::Month::try_from(m[5..].parse::<u8>().ok()?).ok()?;
        let day = if last { month.length(year) } else { 1 };
        time::Date::from_calendar_date(year, month, day).ok()
    };
    let (Some(start), Some(end)) = (date(from, false), date(to, true)) else {
        return 1;
    };
    let today = time::OffsetDateTime::from_unix_timestamp(now + 8 * 3600)
        .map(|t| t.date())
        .unwrap_or(end);
    let end = end.min(today);
    ((end - start).whole_days() + 1).max(1)
}

fn period_key(month: &str, by: &str) -> String {
    match by {
        "year" => month[..4].to_owned(),
        "quarter" => {
            let q = (month[5..].parse::<u8>().unwrap_or(1) - 1) / 3 + 1;
            format!("{}-Q{q}", &month[..4])
        }
        _ => month.to_owned(),
    }
}

impl Service {
    pub async fn statistics(
        &self,
        db: &Db,
        caller: &Caller,
        period: &Period,
        now: i64,
    ) -> Result<Statistics> {
        if !matches!(scope(caller)?, super::access::Scope::All) {
            return Err(FinancingError::Forbidden(
                "统计分析供平台工作人员使用 / statistics are for staff".into(),
            ));
        }
        let started = std::time::Instant::now();
        let this_month = super::records::china_date(now)[..7].to_owned();
        let by = period.by.clone().unwrap_or_else(|| "month".into());
        if !matches!(by.as_str(), "month" | "quarter" | "year") {
            return Err(FinancingError::Invalid(
                "by 须为 month、quarter 或 year / by is month, quarter or year".into(),
            ));
        }
        let from = period
            .from
            .clone()
            .unwrap_or_else(|| format!("{}-01", &this_month[..4]));
        let to = period.to.clone().unwrap_or_else(|| this_month.clone());
        if !month_ok(&from) || !month_ok(&to) || from > to {
            return Err(FinancingError::Invalid("from 和 to 须为 yyyy-mm，且 from 不晚于 to / from and to are yyyy-mm, from not after to".into()));
        }
        let (rows, banks, leasing_mode, leasing_amount, compensation) = with_pool!(db, pool => {
            let rows = sqlx::query_as::<_, Row>("SELECT disbursed_month AS month, bank_org_id AS bank, region_code AS region, state, COUNT(*) AS count, CAST(SUM(disbursed_fen) AS BIGINT) AS amount_fen, MAX(disbursed_fen) AS max_fen, MIN(disbursed_fen) AS min_fen, CAST(SUM(COALESCE(fee_fen, 0)) AS BIGINT) AS fees_fen, CAST(SUM(disbursed_fen * COALESCE(used_days, ($1 - disbursed_at) / 86400 + 1)) AS BIGINT) AS amount_days FROM fin_applications WHERE product = 'bridge' AND disbursed_month >= $2 AND disbursed_month <= $3 GROUP BY disbursed_month, bank_org_id, region_code, state")
                .bind(now).bind(&from).bind(&to).fetch_all(pool).await?;
            let banks = sqlx::query_as::<_, (String, String)>("SELECT id, name FROM organisations WHERE kind = 'bank' LIMIT 1000")
                .fetch_all(pool).await?;
            let leasing_mode = sqlx::query_as::<_, Bucket>("SELECT business AS key, business AS label, COUNT(*) AS count, CAST(SUM(amount_fen) AS BIGINT) AS amount_fen, CAST(SUM(COALESCE(subsidy_fen, 0)) AS BIGINT) AS paid_fen FROM fin_applications WHERE product = 'leasing' AND state IN ('granted', 'paid') GROUP BY business")
                .fetch_all(pool).await?;
            let leasing_amount = sqlx::query_as::<_, Bucket>("SELECT CASE WHEN subsidy_fen < 10000000 THEN 'a' WHEN subsidy_fen < 50000000 THEN 'b' WHEN subsidy_fen < 100000000 THEN 'c' ELSE 'd' END AS key, '' AS label, COUNT(*) AS count, CAST(SUM(amount_fen) AS BIGINT) AS amount_fen, CAST(SUM(subsidy_fen) AS BIGINT) AS paid_fen FROM fin_applications WHERE product = 'leasing' AND state IN ('granted', 'paid') GROUP BY 1 ORDER BY 1")
                .fetch_all(pool).await?;
            let compensation = sqlx::query_as::<_, Bucket>("SELECT business || ':' || state AS key, '' AS label, COUNT(*) AS count, CAST(SUM(amount_fen) AS BIGINT) AS amount_fen, CAST(SUM(COALESCE(compensation_fen, 0)) AS BIGINT) AS paid_fen FROM fin_applications WHERE product = 'compensation' AND state <> 'draft' GROUP BY business, state ORDER BY 1")
                .fetch_all(pool).await?;
            (rows, banks, leasing_mode, leasing_amount, compensation)
        });
        let bank_name = |id: &Option<String>| {
            id.as_ref()
                .and_then(|id| banks.iter().find(|b| &b.0 == id).map(|b| b.1.clone()))
                .unwrap_or_else(|| "—".into())
        };
        let mut total = Figures {
            key: "total".into(),
            label: "合计".into(),
            ..Default::default()
        };
        let mut by_period: BTreeMap<String, Figures> = BTreeMap::new();
        let mut by_bank: BTreeMap<String, Figures> = BTreeMap::new();
        let mut by_region: BTreeMap<String, Figures> = BTreeMap::new();
        let mut by_status: BTreeMap<String, Figures> = BTreeMap::new();
        for r in &rows {
            total.add(r);
            let key = period_key(&r.month, &by);
            by_period
                .entry(key.clone())
                .or_insert_with(|| Figures {
                    label: key.clone(),
                    key,
                    ..Default::default()
                })
                .add(r);
            let bank = r.bank.clone().unwrap_or_default();
            by_bank
                .entry(bank.clone())
                .or_insert_with(|| Figures {
                    label: bank_name(&r.bank),
                    key: bank,
                    ..Default::default()
                })
                .add(r);
            by_region
                .entry(r.region.clone())
                .or_insert_with(|| Figures {
                    label: r.region.clone(),
                    key: r.region.clone(),
                    ..Default::default()
                })
                .add(r);
            let status = match State::parse(&r.state) {
                Some(State::Recovered | State::Archived) => ("recovered", "已收回"),
                Some(State::Overdue) => ("overdue", "逾期未收回"),
                _ => ("outstanding", "未到期"),
            };
            by_status
                .entry(status.0.into())
                .or_insert_with(|| Figures {
                    key: status.0.into(),
                    label: status.1.into(),
                    ..Default::default()
                })
                .add(r);
        }
        let days = days_in(&from, &to, now);
        let fund = self.policy.bridge_fund_yuan * 100;
        let usage_rate = if fund > 0 {
            total.amount_days as f64 / (fund as f64 * days as f64)
        } else {
            0.0
        };
        let turnovers_per_year = if fund > 0 {
            total.amount_fen as f64 / fund as f64 * 365.0 / days as f64
        } else {
            0.0
        };
        let mut by_bank: Vec<Figures> = by_bank.into_values().collect();
        by_bank.sort_by_key(|f| std::cmp::Reverse(f.amount_fen));
        let leasing_by_mode = leasing_mode
            .into_iter()
            .map(|mut b| {
                b.label = Business::parse(&b.key)
                    .map(|x| x.label_zh())
                    .unwrap_or("—")
                    .into();
                b
            })
            .collect();
        let leasing_by_amount = leasing_amount
            .into_iter()
            .map(|mut b| {
                b.label = match b.key.as_str() {
                    "a" => "10 万元以下",
                    "b" => "10–50 万元",
                    "c" => "50–100 万元",
                    _ => "100 万元及以上",
                }
                .into();
                b
            })
            .collect();
        let compensation = compensation
            .into_iter()
            .map(|mut b| {
                let (business, state) = b.key.split_once(':').unwrap_or(("", ""));
                b.label = format!(
                    "{} · {}",
                    Business::parse(business)
                        .map(|x| x.label_zh())
                        .unwrap_or("—"),
                    State::parse(state).map(|x| x.label_zh()).unwrap_or("—")
                );
                b
            })
            .collect();
        let year = crate::clock::shanghai_year(now);
        let funds = self.funds(db, year).await?;
        Ok(Statistics {
            from,
            to,
            by,
            bridge: BridgeStatistics {
                total,
                by_period: by_period.into_values().collect(),
                by_bank,
                by_region: by_region.into_values().collect(),
                by_status: by_status.into_values().collect(),
                usage_rate,
                turnovers_per_year,
                days_in_period: days,
            },
            leasing_by_mode,
            leasing_by_amount,
            compensation,
            funds,
            took_ms: started.elapsed().as_millis() as i64,
        })
    }
}

const TITLES: [&str; 7] = [
    "section",
    "key",
    "label",
    "count",
    "amount_yuan",
    "fees_or_paid_yuan",
    "max_min_avg_yuan",
];

fn rows(s: &Statistics) -> Vec<[String; 7]> {
    let mut out = Vec::new();
    let figures = |section: &str, f: &Figures| {
        [
            section.to_owned(),
            f.key.clone(),
            f.label.clone(),
            f.count.to_string(),
            fen_to_yuan(f.amount_fen),
            fen_to_yuan(f.fees_fen),
            format!(
                "{} / {} / {}",
                fen_to_yuan(f.max_fen),
                fen_to_yuan(f.min_fen),
                fen_to_yuan(f.average_fen)
            ),
        ]
    };
    out.push(figures("bridge_total", &s.bridge.total));
    for (section, list) in [
        ("bridge_by_period", &s.bridge.by_period),
        ("bridge_by_bank", &s.bridge.by_bank),
        ("bridge_by_region", &s.bridge.by_region),
        ("bridge_by_status", &s.bridge.by_status),
    ] {
        for f in list {
            out.push(figures(section, f));
        }
    }
    out.push([
        "bridge_rates".into(),
        "usage_rate".into(),
        "转贷资金使用率".into(),
        String::new(),
        format!("{:.4}", s.bridge.usage_rate),
        String::new(),
        String::new(),
    ]);
    out.push([
        "bridge_rates".into(),
        "turnovers_per_year".into(),
        "资金年周转次数".into(),
        String::new(),
        format!("{:.2}", s.bridge.turnovers_per_year),
        String::new(),
        String::new(),
    ]);
    for (section, list) in [
        ("leasing_by_mode", &s.leasing_by_mode),
        ("leasing_by_amount", &s.leasing_by_amount),
        ("compensation", &s.compensation),
    ] {
        for b in list {
            out.push([
                section.into(),
                b.key.clone(),
                b.label.clone(),
                b.count.to_string(),
                fen_to_yuan(b.amount_fen),
                fen_to_yuan(b.paid_fen),
                String::new(),
            ]);
        }
    }
    out
}

pub fn csv(s: &Statistics) -> Vec<u8> {
    let mut out = "\u{feff}".as_bytes().to_vec();
    out.extend(csv_line(TITLES));
    for row in rows(s) {
        out.extend(csv_line(row.iter().map(|c| formula_safe(c))));
    }
    out
}

pub fn xlsx(s: &Statistics) -> std::result::Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let titles: Vec<String> = TITLES.iter().map(|t| (*t).to_owned()).collect();
    let mut sheet = XlsxWriter::new("financing", &titles)?;
    for row in rows(s) {
        let cells: Vec<Option<String>> = row.iter().map(|c| Some(c.clone())).collect();
        sheet.push(&cells)?;
    }
    sheet.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_group_months_into_quarters_and_years() {
        assert_eq!(period_key("2026-05", "quarter"), "2026-Q2");
        assert_eq!(period_key("2026-12", "quarter"), "2026-Q4");
        assert_eq!(period_key("2026-05", "year"), "2026");
        assert_eq!(period_key("2026-05", "month"), "2026-05");
    }

    #[test]
    fn a_period_counts_its_days_up_to_today() {
        let far = 4_102_444_800; // 2100
        assert_eq!(days_in("2026-01", "2026-12", far), 365);
        assert_eq!(days_in("2024-02", "2024-02", far), 29);
        // 2026-01-10 China: ten days of January so far.
        assert_eq!(days_in("2026-01", "2026-12", 1_768_003_200), 10);
    }
}
