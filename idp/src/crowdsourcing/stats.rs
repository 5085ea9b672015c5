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
use crate::catalogue::sheets::{XlsxWriter, csv_line, formula_safe};
use crate::db::Db;
use crate::payments::money::fen_to_yuan;
use crate::with_pool;

/// One group of a breakdown.
#[derive(Debug, Clone, Serialize, serde::Deserialize, ToSchema)]
#[schema(as = CrowdsourcingBucket)]
pub struct Bucket {
    pub key: String,
    pub label: String,
    pub count: i64,
    /// Demands: the fees; orders: the amounts (fen).
    pub amount_fen: i64,
}

/// Ratios of counts, 0 to 1 (none while the denominator is zero).
#[derive(Debug, Clone, Serialize, serde::Deserialize, ToSchema)]
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

#[derive(Debug, Clone, Serialize, serde::Deserialize, ToSchema)]
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

/// The statistics the page shows, with when they were computed and how long that took.
#[derive(Debug, Clone, Serialize, serde::Deserialize, ToSchema)]
#[schema(as = CrowdsourcingStatisticsSnapshot)]
pub struct Snapshot {
    #[serde(flatten)]
    pub statistics: Statistics,
    /// When the counts were computed (Unix seconds); the budget and subsidies are live.
    pub computed_at: i64,
    pub took_ms: i64,
}

impl Service {
    /// The statistics for staff: the last snapshot (refreshed by the scheduler every
    /// `statistics_interval` seconds), or a new one when `fresh` or when there is none yet. The
    /// budget and subsidies are read live either way.
    pub async fn statistics(
        &self,
        db: &Db,
        caller: &Caller,
        now: i64,
        fresh: bool,
    ) -> Result<Snapshot> {
        if !caller.is_staff() {
            return Err(CrowdsourcingError::Forbidden(
                "只有平台管理人员可以查看统计 / staff only".into(),
            ));
        }
        let stored: Option<(String, i64, i64)> = if fresh {
            None
        } else {
            with_pool!(db, pool => {
                sqlx::query_as("SELECT body, computed_at, took_ms FROM cs_statistics WHERE id = 1")
                    .fetch_optional(pool)
                    .await?
            })
        };
        let mut snapshot = match stored.and_then(|(body, computed_at, took_ms)| {
            serde_json::from_str::<Statistics>(&body)
                .ok()
                .map(|statistics| Snapshot {
                    statistics,
                    computed_at,
                    took_ms,
                })
        }) {
            Some(snapshot) => snapshot,
            None => self.refresh_statistics(db, now).await?,
        };
        let s = &mut snapshot.statistics;
        s.subsidies_granted = number(
            db,
            "SELECT COUNT(*) FROM cs_subsidies WHERE state = 'approved'",
        )
        .await?;
        s.subsidies_granted_fen = number(db, "SELECT CAST(COALESCE(SUM(amount_fen), 0) AS BIGINT) FROM cs_subsidies WHERE state = 'approved'").await?;
        s.budget = self.budget(db, china_year(now)).await?;
        Ok(snapshot)
    }

    /// Counts again unless the snapshot is younger than `max_age` seconds: every instance's
    /// scheduler runs the job when it starts, and a restart must not recount a million orders.
    pub async fn refresh_statistics_if_stale(
        &self,
        db: &Db,
        now: i64,
        max_age: i64,
    ) -> Result<Option<Snapshot>> {
        let computed_at: Option<i64> = with_pool!(db, pool => {
            sqlx::query_scalar("SELECT computed_at FROM cs_statistics WHERE id = 1")
                .fetch_optional(pool)
                .await?
        });
        if computed_at.is_some_and(|at| now - at < max_age) {
            return Ok(None);
        }
        self.refresh_statistics(db, now).await.map(Some)
    }

    /// Computes the statistics and keeps them as the snapshot.
    pub async fn refresh_statistics(&self, db: &Db, now: i64) -> Result<Snapshot> {
        let started = std::time::Instant::now();
        let statistics = self.compute(db, now).await?;
        let took_ms = started.elapsed().as_millis() as i64;
        let body = serde_json::to_string(&statistics).unwrap_or_default();
        with_pool!(db, pool => {
            sqlx::query("INSERT INTO cs_statistics (id, body, computed_at, took_ms) VALUES (1, $1, $2, $3) ON CONFLICT (id) DO UPDATE SET body = excluded.body, computed_at = excluded.computed_at, took_ms = excluded.took_ms")
                .bind(&body).bind(now).bind(took_ms)
                .execute(pool).await?;
        });
        Ok(Snapshot {
            statistics,
            computed_at: now,
            took_ms,
        })
    }

    /// One pass over the demands, one over the orders, one per provider, and the small tables.
    async fn compute(&self, db: &Db, now: i64) -> Result<Statistics> {
        use std::collections::BTreeMap;
        let demand_rows: Vec<DemandTally> = with_pool!(db, pool => {
            sqlx::query_as("SELECT state, service_class AS class, mode, SUBSTR(industry_code, 1, 1) AS sector, CAST(CASE WHEN listed_at IS NULL THEN 0 ELSE 1 END AS BIGINT) AS listed, COUNT(*) AS count, CAST(COALESCE(SUM(fee_fen), 0) AS BIGINT) AS fee, CAST(SUM(CASE WHEN order_id IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT) AS with_order, CAST(SUM(CASE WHEN order_id IS NOT NULL AND listed_at IS NOT NULL THEN selected_at - listed_at ELSE 0 END) AS BIGINT) AS seconds, CAST(SUM(CASE WHEN order_id IS NOT NULL AND listed_at IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT) AS timed FROM cs_demands GROUP BY 1, 2, 3, 4, 5")
                .fetch_all(pool).await?
        });
        let mut by_state: BTreeMap<String, (i64, i64)> = BTreeMap::new();
        let mut by_class: BTreeMap<String, (i64, i64)> = BTreeMap::new();
        let mut by_industry: BTreeMap<String, (i64, i64)> = BTreeMap::new();
        let mut by_mode: BTreeMap<String, (i64, i64)> = BTreeMap::new();
        let (mut published, mut dealt, mut deal_seconds, mut timed_deals) = (0, 0, 0, 0);
        for t in demand_rows {
            add(&mut by_state, t.state, t.count, t.fee);
            dealt += t.with_order;
            deal_seconds += t.seconds;
            timed_deals += t.timed;
            if t.listed == 1 {
                published += t.count;
                add(&mut by_class, t.class, t.count, t.fee);
                add(&mut by_industry, t.sector, t.count, t.fee);
                add(&mut by_mode, t.mode, t.count, t.fee);
            }
        }
        let order_rows: Vec<OrderTally> = with_pool!(db, pool => {
            sqlx::query_as("SELECT state, provider_region AS region, COUNT(*) AS count, CAST(COALESCE(SUM(amount_fen), 0) AS BIGINT) AS amount, CAST(SUM(CASE WHEN rework_rounds > 0 THEN 1 ELSE 0 END) AS BIGINT) AS reworked, CAST(SUM(CASE WHEN delivered_at IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT) AS delivered, CAST(SUM(CASE WHEN started_at IS NOT NULL OR delivered_at IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT) AS started, CAST(SUM(CASE WHEN first_delivered_at IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT) AS first, CAST(SUM(CASE WHEN first_delivered_at IS NOT NULL AND (started_at IS NULL OR first_delivered_at <= started_at + delivery_days * 86400) THEN 1 ELSE 0 END) AS BIGINT) AS on_time FROM cs_orders GROUP BY state, provider_region")
                .fetch_all(pool).await?
        });
        let mut orders_by_state: BTreeMap<String, (i64, i64)> = BTreeMap::new();
        let mut orders_by_region: BTreeMap<String, (i64, i64)> = BTreeMap::new();
        let (mut reworked, mut delivered, mut started, mut first, mut on_time) = (0, 0, 0, 0, 0);
        for t in order_rows {
            add(&mut orders_by_state, t.state, t.count, t.amount);
            add(&mut orders_by_region, t.region, t.count, t.amount);
            reworked += t.reworked;
            delivered += t.delivered;
            started += t.started;
            first += t.first;
            on_time += t.on_time;
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
        let mut orders_by_region = buckets_of(orders_by_region, |k| {
            crate::catalogue::codes::region_name(k)
                .map(str::to_owned)
                .unwrap_or_else(|| {
                    if k.is_empty() {
                        "未知".to_owned()
                    } else {
                        k.to_owned()
                    }
                })
        });
        orders_by_region.sort_by_key(|b| std::cmp::Reverse(b.amount_fen));
        let mut orders_by_provider = buckets(db, "SELECT provider_org_id, COUNT(*), CAST(COALESCE(SUM(amount_fen), 0) AS BIGINT) FROM cs_orders GROUP BY provider_org_id ORDER BY 3 DESC, 1 LIMIT 20", |k| k.to_owned()).await?;
        for b in &mut orders_by_provider {
            b.label = super::store::organisation_name(db, &b.key)
                .await
                .unwrap_or_else(|_| b.key.clone());
        }
        let responded = number(
            db,
            "SELECT COUNT(*) FROM (SELECT DISTINCT demand_id FROM cs_responses) r",
        )
        .await?;
        let disputed = number(
            db,
            "SELECT COUNT(*) FROM (SELECT DISTINCT order_id FROM cs_disputes) d",
        )
        .await?;
        Ok(Statistics {
            demands_by_state: buckets_of(by_state, state),
            demands_by_class: buckets_of(by_class, |k| service_class_label(k).to_owned()),
            demands_by_industry: buckets_of(by_industry, |k| {
                if k.is_empty() {
                    "未填写".to_owned()
                } else {
                    format!("门类 {k}")
                }
            }),
            demands_by_mode: buckets_of(by_mode, mode),
            orders_by_state: buckets_of(orders_by_state, order_state),
            orders_by_region,
            orders_by_provider,
            rates: Rates {
                response_rate: ratio(responded, published),
                award_rate: ratio(dealt, published),
                days_to_deal: (timed_deals > 0).then(|| {
                    (deal_seconds as f64 / timed_deals as f64 / 86_400.0 * 100.0).round() / 100.0
                }),
                on_time_delivery_rate: ratio(on_time, first),
                rework_rate: ratio(reworked, delivered),
                dispute_rate: ratio(disputed, started),
            },
            subsidies_granted: 0,
            subsidies_granted_fen: 0,
            budget: self.budget(db, china_year(now)).await?,
        })
    }
}

/// One group of the pass over the demands.
#[derive(sqlx::FromRow)]
struct DemandTally {
    state: String,
    class: String,
    mode: String,
    sector: String,
    /// 1 when it was ever listed.
    listed: i64,
    count: i64,
    fee: i64,
    with_order: i64,
    /// Seconds from listing to the deal, summed, over `timed` deals.
    seconds: i64,
    timed: i64,
}

/// One group of the pass over the orders.
#[derive(sqlx::FromRow)]
struct OrderTally {
    state: String,
    region: String,
    count: i64,
    amount: i64,
    reworked: i64,
    delivered: i64,
    started: i64,
    first: i64,
    on_time: i64,
}

fn add(
    map: &mut std::collections::BTreeMap<String, (i64, i64)>,
    key: String,
    count: i64,
    amount: i64,
) {
    let entry = map.entry(key).or_default();
    entry.0 += count;
    entry.1 += amount;
}

fn buckets_of(
    map: std::collections::BTreeMap<String, (i64, i64)>,
    label: impl Fn(&str) -> String,
) -> Vec<Bucket> {
    map.into_iter()
        .map(|(key, (count, amount_fen))| Bucket {
            label: label(&key),
            key,
            count,
            amount_fen,
        })
        .collect()
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
    let mut sheet = XlsxWriter::new("statistics", &titles)?;
    for row in rows(s) {
        let cells: Vec<Option<String>> = row.iter().map(|c| Some(c.clone())).collect();
        sheet.push(&cells)?;
    }
    sheet.finish()
}
