//! 统计分析 and 监管 of the mutual fund: loans by term, rate and purpose (投向); month by month
//! the growth of lending, the loans' balance, the fund's cash and the general ledger (总账);
//! and for each enterprise its applications and ledger history. Every figure comes from the
//! applications and the ledger in grouped queries; answers are bounded.

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;

use super::super::error::Result;
use super::super::service::Service;
use super::applications::OWED;
use super::ledger::{self, JournalEntry};
use super::model::FundSummary;
use super::store::managing;
use crate::accounts::caller::Caller;
use crate::catalogue::sheets::{XlsxWriter, csv_line, formula_safe};
use crate::db::Db;
use crate::payments::money::fen_to_yuan;
use crate::with_pool;

/// Loans of one kind: how many, how much lent, how much principal is still out.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Bucket {
    pub label: String,
    pub count: i64,
    pub amount_fen: i64,
    pub outstanding_fen: i64,
}

/// One month of the fund.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct MonthRow {
    /// yyyy-mm, China.
    pub month: String,
    pub loans: i64,
    pub disbursed_fen: i64,
    /// Lending to date.
    pub cumulative_disbursed_fen: i64,
    /// Growth of lending against the month before, percent (none for the first).
    pub growth_percent: Option<String>,
    pub repaid_fen: i64,
    pub interest_income_fen: i64,
    /// Loans receivable at the month's end.
    pub loans_balance_fen: i64,
    /// The fund account at the month's end.
    pub cash_balance_fen: i64,
    /// The general ledger's movements in the month.
    pub debits_fen: i64,
    pub credits_fen: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FundStatistics {
    pub by_term: Vec<Bucket>,
    pub by_rate: Vec<Bucket>,
    pub by_purpose: Vec<Bucket>,
    pub months: Vec<MonthRow>,
}

/// One enterprise in the fund.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct EnterpriseLine {
    pub enterprise_org_id: String,
    pub company_name: String,
    pub applications: i64,
    pub lent_fen: i64,
    pub owed_fen: i64,
    pub overdue: i64,
}

/// One enterprise's applications and its ledger history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EnterpriseDetail {
    pub enterprise_org_id: String,
    pub company_name: String,
    pub applications: Vec<FundSummary>,
    pub ledger: Vec<JournalEntry>,
}

fn term_label(months: i64) -> &'static str {
    match months {
        ..=3 => "3 个月以内",
        4..=6 => "4–6 个月",
        7..=12 => "7–12 个月",
        13..=24 => "13–24 个月",
        _ => "24 个月以上",
    }
}

fn add(map: &mut BTreeMap<String, Bucket>, order: String, label: String, row: (i64, i64, i64)) {
    let b = map.entry(order).or_insert(Bucket {
        label,
        count: 0,
        amount_fen: 0,
        outstanding_fen: 0,
    });
    b.count += row.0;
    b.amount_fen += row.1;
    b.outstanding_fen += row.2;
}

impl Service {
    /// The statistics; `from` and `to` (yyyy-mm) bound the months shown.
    pub async fn fund_statistics(
        &self,
        db: &Db,
        caller: &Caller,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<FundStatistics> {
        managing(caller)?;
        const LENT: &str = "FROM fund_applications WHERE disbursed_at IS NOT NULL";
        let sums = "CAST(COUNT(*) AS BIGINT), CAST(SUM(amount_fen) AS BIGINT), CAST(SUM(amount_fen - principal_repaid_fen) AS BIGINT)";
        let terms: Vec<(i64, i64, i64, i64)> = with_pool!(db, pool => {
            sqlx::query_as(&format!("SELECT months, {sums} {LENT} GROUP BY months")).fetch_all(pool).await?
        });
        let rates: Vec<(Option<String>, i64, i64, i64)> = with_pool!(db, pool => {
            sqlx::query_as(&format!("SELECT monthly_rate, {sums} {LENT} GROUP BY monthly_rate")).fetch_all(pool).await?
        });
        let purposes: Vec<(String, i64, i64, i64)> = with_pool!(db, pool => {
            sqlx::query_as(&format!("SELECT loan_for, {sums} {LENT} GROUP BY loan_for ORDER BY 3 DESC, 1 LIMIT 20")).fetch_all(pool).await?
        });
        let mut by_term = BTreeMap::new();
        for (months, c, a, o) in terms {
            let order = match months {
                ..=3 => 0,
                4..=6 => 1,
                7..=12 => 2,
                13..=24 => 3,
                _ => 4,
            };
            add(
                &mut by_term,
                order.to_string(),
                term_label(months).into(),
                (c, a, o),
            );
        }
        let mut by_rate = BTreeMap::new();
        for (rate, c, a, o) in rates {
            let rate = rate.unwrap_or_default();
            // Ordered by the rate's value, not its text.
            let order = format!("{:012}", super::terms::ten_thousandths(&rate).unwrap_or(0));
            add(&mut by_rate, order, format!("{rate} ‰"), (c, a, o));
        }
        let by_purpose = purposes
            .into_iter()
            .map(|(label, count, amount_fen, outstanding_fen)| Bucket {
                label,
                count,
                amount_fen,
                outstanding_fen,
            })
            .collect();
        Ok(FundStatistics {
            by_term: by_term.into_values().collect(),
            by_rate: by_rate.into_values().collect(),
            by_purpose,
            months: months(db, from, to).await?,
        })
    }

    /// 监管: every enterprise in the fund with its totals (at most 500, most lent first).
    pub async fn fund_enterprises(&self, db: &Db, caller: &Caller) -> Result<Vec<EnterpriseLine>> {
        managing(caller)?;
        Ok(with_pool!(db, pool => {
            sqlx::query_as::<_, EnterpriseLine>(&format!("SELECT m.enterprise_org_id, MIN(m.company_name) AS company_name, CAST(COUNT(a.apply_no) AS BIGINT) AS applications, CAST(COALESCE(SUM(CASE WHEN a.disbursed_at IS NOT NULL THEN a.amount_fen ELSE 0 END), 0) AS BIGINT) AS lent_fen, CAST(COALESCE(SUM({OWED}), 0) AS BIGINT) AS owed_fen, CAST(COALESCE(SUM(CASE WHEN a.state = 'overdue' THEN 1 ELSE 0 END), 0) AS BIGINT) AS overdue FROM fund_members m LEFT JOIN fund_applications a ON a.join_no = m.join_no GROUP BY m.enterprise_org_id ORDER BY lent_fen DESC, company_name LIMIT 500"))
                .fetch_all(pool).await?
        }))
    }

    /// One enterprise: its applications with term, rate, purpose and balance, and its ledger
    /// history (the latest 200 entries).
    pub async fn fund_enterprise(
        &self,
        db: &Db,
        caller: &Caller,
        org_id: &str,
    ) -> Result<EnterpriseDetail> {
        managing(caller)?;
        let applications = self.fund_list(db, caller, None, Some(org_id), 0).await?;
        let company_name: Option<String> = with_pool!(db, pool => {
            sqlx::query_scalar("SELECT company_name FROM fund_members WHERE enterprise_org_id = $1 ORDER BY created_at LIMIT 1")
                .bind(org_id).fetch_optional(pool).await?
        });
        let company_name = company_name.ok_or_else(|| {
            super::super::FinancingError::NotFound(format!("互助基金会员 / member {org_id}"))
        })?;
        Ok(EnterpriseDetail {
            enterprise_org_id: org_id.to_owned(),
            company_name,
            applications,
            ledger: ledger::journal(db, Some(org_id), None, None, ledger::PAGE).await?,
        })
    }
}

/// Month by month, with running balances from the first entry.
async fn months(db: &Db, from: Option<&str>, to: Option<&str>) -> Result<Vec<MonthRow>> {
    let movements: Vec<(String, String, i64, i64)> = with_pool!(db, pool => {
        sqlx::query_as("SELECT j.month, p.account, CAST(SUM(p.debit_fen) AS BIGINT), CAST(SUM(p.credit_fen) AS BIGINT) FROM fund_journal j JOIN fund_postings p ON p.entry_no = j.entry_no GROUP BY j.month, p.account ORDER BY j.month")
            .fetch_all(pool).await?
    });
    let loans: Vec<(String, i64, i64)> = with_pool!(db, pool => {
        sqlx::query_as("SELECT disbursed_month, CAST(COUNT(*) AS BIGINT), CAST(SUM(amount_fen) AS BIGINT) FROM fund_applications WHERE disbursed_month IS NOT NULL GROUP BY disbursed_month")
            .fetch_all(pool).await?
    });
    let mut rows: BTreeMap<String, MonthRow> = BTreeMap::new();
    for (month, account, debit, credit) in movements {
        let row = rows.entry(month.clone()).or_insert_with(|| MonthRow {
            month,
            ..Default::default()
        });
        row.debits_fen += debit;
        row.credits_fen += credit;
        match account.as_str() {
            "loans" => row.repaid_fen += credit,
            "interest_income" => row.interest_income_fen += credit,
            _ => {}
        }
        if account == "loans" {
            row.loans_balance_fen += debit - credit;
        }
        if account == "cash" {
            row.cash_balance_fen += debit - credit;
        }
    }
    for (month, count, amount) in loans {
        let row = rows.entry(month.clone()).or_insert_with(|| MonthRow {
            month,
            ..Default::default()
        });
        row.loans = count;
        row.disbursed_fen = amount;
    }
    let (mut loans_balance, mut cash, mut cumulative) = (0, 0, 0);
    let mut previous: Option<i64> = None;
    let mut out = Vec::new();
    for (_, mut row) in rows {
        loans_balance += row.loans_balance_fen;
        cash += row.cash_balance_fen;
        cumulative += row.disbursed_fen;
        row.loans_balance_fen = loans_balance;
        row.cash_balance_fen = cash;
        row.cumulative_disbursed_fen = cumulative;
        // round_half_up takes non-negative figures: a fall is computed on its size.
        row.growth_percent = previous.filter(|p| *p > 0).map(|p| {
            let change = row.disbursed_fen - p;
            let size = super::fund::ppm_percent(super::super::fees::round_half_up(
                change.unsigned_abs() as i128 * 1_000_000,
                p as i128,
            ));
            if change < 0 { format!("-{size}") } else { size }
        });
        previous = Some(row.disbursed_fen);
        let inside = from.is_none_or(|f| row.month.as_str() >= f)
            && to.is_none_or(|t| row.month.as_str() <= t);
        if inside {
            out.push(row);
        }
    }
    // At most twenty years of months.
    let skip = out.len().saturating_sub(240);
    Ok(out.split_off(skip))
}

const TITLES: &[&str] = &[
    "分组 / group",
    "项目 / item",
    "笔数 / loans",
    "金额（元）/ amount",
    "余额（元）/ outstanding",
    "累计放款（元）/ cumulative",
    "增长 / growth %",
    "收回本金（元）/ principal repaid",
    "利息收入（元）/ interest",
    "借款余额（元）/ loans balance",
    "专户余额（元）/ fund account",
    "借方（元）/ debits",
    "贷方（元）/ credits",
];

fn rows(s: &FundStatistics) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for (group, buckets) in [
        ("期限 / term", &s.by_term),
        ("利率 / rate", &s.by_rate),
        ("投向 / purpose", &s.by_purpose),
    ] {
        for b in buckets {
            out.push(vec![
                group.into(),
                b.label.clone(),
                b.count.to_string(),
                fen_to_yuan(b.amount_fen),
                fen_to_yuan(b.outstanding_fen),
            ]);
        }
    }
    for m in &s.months {
        out.push(vec![
            "月度 / month".into(),
            m.month.clone(),
            m.loans.to_string(),
            fen_to_yuan(m.disbursed_fen),
            String::new(),
            fen_to_yuan(m.cumulative_disbursed_fen),
            m.growth_percent.clone().unwrap_or_default(),
            fen_to_yuan(m.repaid_fen),
            fen_to_yuan(m.interest_income_fen),
            fen_to_yuan(m.loans_balance_fen),
            fen_to_yuan(m.cash_balance_fen),
            fen_to_yuan(m.debits_fen),
            fen_to_yuan(m.credits_fen),
        ]);
    }
    out
}

pub fn csv(s: &FundStatistics) -> Vec<u8> {
    let mut out = vec![0xEF, 0xBB, 0xBF];
    out.extend(csv_line(TITLES));
    for row in rows(s) {
        out.extend(csv_line(row.iter().map(|c| formula_safe(c))));
    }
    out
}

pub fn xlsx(s: &FundStatistics) -> std::result::Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let titles: Vec<String> = TITLES.iter().map(|t| t.to_string()).collect();
    let mut sheet = XlsxWriter::new("mutual fund", &titles)?;
    for row in rows(s) {
        let cells: Vec<Option<String>> = row.into_iter().map(Some).collect();
        sheet.push(&cells)?;
    }
    sheet.finish()
}
