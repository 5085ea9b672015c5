//! 数据统计: counts and amounts by state, class, industry, region, mode and provider; the
//! rates that say how the marketplace works (response, award, time to deal, on-time delivery,
//! rework, disputes); subsidies and the budget left. Staff read it as JSON, on the console
//! page with charts, or exported as CSV or XLSX.

use serde::Serialize;
use utoipa::ToSchema;

use super::error::{CrowdsourcingError, Result};
use super::service::Service;
use super::service_class_label;
use super::subsidies::{Budget, china_year};
use crate::accounts::caller::Caller;
use crate::catalogue::sheets::{XlsxWriter, csv_line, looks_like_formula};
use crate::db::Db;
use crate::payments::money::fen_to_yuan;
use crate::with_pool;

/// One group of a breakdown.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = CrowdsourcingBucket)]
pub struct Bucket {
    pub key: String,
    pub label: String,
    pub count: i64,
    /// Demands: the fees; orders: the amounts (fen).
    pub amount_fen: i64,
}

/// Ratios of counts, 0 to 1 (none while the denominator is zero).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = CrowdsourcingRates)]
pub struct Rates {
    /// Published demands with at least one response.
    pub response_rate: Option<f64>,
    /// Published demands that reached a deal.
    pub award_rate: Option<f64>,
    /// Mean days from publication to deal.
    pub days_to_deal: Option<f64>,
    /// First deliveries within the agreed days of the work starting.
    pub on_time_delivery_rate: Option<f64>,
    /// Delivered orders sent back at least once.
    pub rework_rate: Option<f64>,
    /// Started orders with a dispute.
    pub dispute_rate: Option<f64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = CrowdsourcingStatistics)]
pub struct Statistics {
    pub demands_by_state: Vec<Bucket>,
    pub demands_by_class: Vec<Bucket>,
    pub demands_by_industry: Vec<Bucket>,
    pub demands_by_mode: Vec<Bucket>,
    pub orders_by_state: Vec<Bucket>,
    /// By the provider's city.
    pub orders_by_region: Vec<Bucket>,
    /// The twenty providers with the largest amounts.
    pub orders_by_provider: Vec<Bucket>,
    pub rates: Rates,
    pub subsidies_granted: i64,
    pub subsidies_granted_fen: i64,
    pub budget: Budget,
}

fn ratio(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| ((part as f64 / whole as f64) * 10_000.0).round() / 10_000.0)
}

async fn buckets(db: &Db, sql: &str, label: fn(&str) -> String) -> Result<Vec<Bucket>> {
    let rows =
        with_pool!(db, pool => sqlx::query_as::<_, (String, i64, i64)>(sql).fetch_all(pool).await?);
    Ok(rows
        .into_iter()
        .map(|(key, count, amount_fen)| Bucket {
            label: label(&key),
            key,
            count,
            amount_fen,
        })
        .collect())
}

async fn number(db: &Db, sql: &str) -> Result<i64> {
    Ok(with_pool!(db, pool => sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await?))
}

impl Service {
    pub async fn statistics(&self, db: &Db, caller: &Caller, now: i64) -> Result<Statistics> {
        if !caller.is_staff() {
            return Err(CrowdsourcingError::Forbidden(
                "只有平台管理人员可以查看统计 / staff only".into(),
            ));
        }
        let state = |k: &str| {
            super::lifecycle::DemandState::parse(k)
                .map(|s| s.label_zh().to_owned())
                .unwrap_or_else(|| k.to_owned())
        };
        let order_state = |k: &str| {
            super::lifecycle::OrderState::parse(k)
                .map(|s| s.label_zh().to_owned())
                .unwrap_or_else(|| k.to_owned())
        };
        let mode = |k: &str| {
            super::lifecycle::Mode::parse(k)
                .map(|s| s.label_zh().to_owned())
                .unwrap_or_else(|| k.to_owned())
        };
        let same = |k: &str| k.to_owned();
        let demands_by_state = buckets(db, "SELECT state, COUNT(*), CAST(COALESCE(SUM(fee_fen), 0) AS BIGINT) FROM cs_demands GROUP BY state ORDER BY state", state).await?;
        let demands_by_class = buckets(db, "SELECT service_class, COUNT(*), CAST(COALESCE(SUM(fee_fen), 0) AS BIGINT) FROM cs_demands WHERE listed_at IS NOT NULL GROUP BY service_class ORDER BY service_class", |k| service_class_label(k).to_owned()).await?;
        let demands_by_industry = buckets(db, "SELECT SUBSTR(industry_code, 1, 1), COUNT(*), CAST(COALESCE(SUM(fee_fen), 0) AS BIGINT) FROM cs_demands WHERE listed_at IS NOT NULL GROUP BY SUBSTR(industry_code, 1, 1) ORDER BY 1", |k| if k.is_empty() { "未填写".to_owned() } else { format!("门类 {k}") }).await?;
        let demands_by_mode = buckets(db, "SELECT mode, COUNT(*), CAST(COALESCE(SUM(fee_fen), 0) AS BIGINT) FROM cs_demands WHERE listed_at IS NOT NULL GROUP BY mode ORDER BY mode", mode).await?;
        let orders_by_state = buckets(db, "SELECT state, COUNT(*), CAST(COALESCE(SUM(amount_fen), 0) AS BIGINT) FROM cs_orders GROUP BY state ORDER BY state", order_state).await?;
        let orders_by_region = buckets(db, "SELECT provider_region, COUNT(*), CAST(COALESCE(SUM(amount_fen), 0) AS BIGINT) FROM cs_orders GROUP BY provider_region ORDER BY 3 DESC LIMIT 50", same).await?;
        let mut orders_by_provider = buckets(db, "SELECT provider_org_id, COUNT(*), CAST(COALESCE(SUM(amount_fen), 0) AS BIGINT) FROM cs_orders GROUP BY provider_org_id ORDER BY 3 DESC, 1 LIMIT 20", same).await?;
        for b in &mut orders_by_provider {
            b.label = super::store::organisation_name(db, &b.key)
                .await
                .unwrap_or_else(|_| b.key.clone());
        }
        let published = number(
            db,
            "SELECT COUNT(*) FROM cs_demands WHERE listed_at IS NOT NULL",
        )
        .await?;
        let responded = number(
            db,
            "SELECT COUNT(*) FROM (SELECT DISTINCT demand_id FROM cs_responses) r",
        )
        .await?;
        let dealt = number(
            db,
            "SELECT COUNT(*) FROM cs_demands WHERE order_id IS NOT NULL",
        )
        .await?;
        let deal_seconds = with_pool!(db, pool => {
            sqlx::query_scalar::<_, Option<f64>>("SELECT CAST(AVG(selected_at - listed_at) AS DOUBLE PRECISION) FROM cs_demands WHERE order_id IS NOT NULL AND listed_at IS NOT NULL")
                .fetch_one(pool).await?
        });
        let first_deliveries =
            number(db, "SELECT COUNT(*) FROM cs_deliveries WHERE round = 1").await?;
        let on_time = number(db, "SELECT COUNT(*) FROM cs_deliveries dl JOIN cs_orders o ON o.id = dl.order_id WHERE dl.round = 1 AND (o.started_at IS NULL OR dl.at <= o.started_at + o.delivery_days * 86400)").await?;
        let delivered = number(
            db,
            "SELECT COUNT(*) FROM cs_orders WHERE delivered_at IS NOT NULL",
        )
        .await?;
        let reworked = number(db, "SELECT COUNT(*) FROM cs_orders WHERE rework_rounds > 0").await?;
        let started = number(db, "SELECT COUNT(*) FROM cs_orders WHERE started_at IS NOT NULL OR delivered_at IS NOT NULL").await?;
        let disputed = number(
            db,
            "SELECT COUNT(*) FROM (SELECT DISTINCT order_id FROM cs_disputes) d",
        )
        .await?;
        let subsidies_granted = number(
            db,
            "SELECT COUNT(*) FROM cs_subsidies WHERE state = 'approved'",
        )
        .await?;
        let subsidies_granted_fen = number(db, "SELECT CAST(COALESCE(SUM(amount_fen), 0) AS BIGINT) FROM cs_subsidies WHERE state = 'approved'").await?;
        Ok(Statistics {
            demands_by_state,
            demands_by_class,
            demands_by_industry,
            demands_by_mode,
            orders_by_state,
            orders_by_region,
            orders_by_provider,
            rates: Rates {
                response_rate: ratio(responded, published),
                award_rate: ratio(dealt, published),
                days_to_deal: deal_seconds.map(|s| (s / 86_400.0 * 100.0).round() / 100.0),
                on_time_delivery_rate: ratio(on_time, first_deliveries),
                rework_rate: ratio(reworked, delivered),
                dispute_rate: ratio(disputed, started),
            },
            subsidies_granted,
            subsidies_granted_fen,
            budget: self.budget(db, china_year(now)).await?,
        })
    }
}

/// The statistics as rows: section, key, label, count, amount (元).
pub fn rows(s: &Statistics) -> Vec<[String; 5]> {
    let mut out = Vec::new();
    let sections: [(&str, &Vec<Bucket>); 7] = [
        ("demands_by_state", &s.demands_by_state),
        ("demands_by_class", &s.demands_by_class),
        ("demands_by_industry", &s.demands_by_industry),
        ("demands_by_mode", &s.demands_by_mode),
        ("orders_by_state", &s.orders_by_state),
        ("orders_by_region", &s.orders_by_region),
        ("orders_by_provider", &s.orders_by_provider),
    ];
    for (section, buckets) in sections {
        for b in buckets {
            out.push([
                section.to_owned(),
                b.key.clone(),
                b.label.clone(),
                b.count.to_string(),
                fen_to_yuan(b.amount_fen),
            ]);
        }
    }
    let r = &s.rates;
    for (key, value) in [
        ("response_rate", r.response_rate),
        ("award_rate", r.award_rate),
        ("days_to_deal", r.days_to_deal),
        ("on_time_delivery_rate", r.on_time_delivery_rate),
        ("rework_rate", r.rework_rate),
        ("dispute_rate", r.dispute_rate),
    ] {
        out.push([
            "rates".into(),
            key.into(),
            value.map(|v| v.to_string()).unwrap_or_default(),
            String::new(),
            String::new(),
        ]);
    }
    out.push([
        "subsidies".into(),
        "granted".into(),
        "已批准服务补贴".into(),
        s.subsidies_granted.to_string(),
        fen_to_yuan(s.subsidies_granted_fen),
    ]);
    out.push([
        "subsidies".into(),
        "budget_left".into(),
        format!("{} 年度预算剩余", s.budget.year),
        String::new(),
        fen_to_yuan(s.budget.left_fen),
    ]);
    out
}

const TITLES: [&str; 5] = ["section", "key", "label", "count", "amount_yuan"];

/// A cell a spreadsheet will not run as a formula.
fn safe(cell: &str) -> String {
    if looks_like_formula(cell) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    }
}

pub fn csv(s: &Statistics) -> Vec<u8> {
    let mut out = "\u{feff}".as_bytes().to_vec();
    out.extend(csv_line(TITLES));
    for row in rows(s) {
        out.extend(csv_line(row.iter().map(|c| safe(c))));
    }
    out
}

pub fn xlsx(s: &Statistics) -> std::result::Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let titles: Vec<String> = TITLES.iter().map(|t| (*t).to_owned()).collect();
    let mut sheet = XlsxWriter::new("statistics", &titles)?;
    for row in rows(s) {
        let cells: Vec<Option<String>> = row.iter().map(|c| Some(c.clone())).collect();
        sheet.push(&cells)?;
    }
    sheet.finish()
}
