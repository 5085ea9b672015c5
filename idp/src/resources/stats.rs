//! The sharing figures of one carrier or of all: booked hours against open hours (the sharing
//! rate), the external users' share, no-shows, and requests by class; as CSV and XLSX too.

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;

use super::access::must_run;
use super::error::{ResourcesError, Result};
use super::hours::{self, OpeningHours};
use super::{Service, service_class_label};
use crate::accounts::caller::Caller;
use crate::catalogue::sheets::{XlsxWriter, csv_line, formula_safe};
use crate::db::Db;
use crate::with_pool;

const DAY: i64 = 86_400;
/// The longest period counted at once.
const MAX_DAYS: i64 = 366;

/// One carrier's figures (or the total).
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
#[schema(as = ResourcesCarrierFigures)]
pub struct CarrierFigures {
    pub carrier_org_id: String,
    pub carrier_name: String,
    pub resources: i64,
    /// Open hours of its listed resources in the period.
    pub open_hours: f64,
    /// Hours held by confirmed bookings and no-shows.
    pub booked_hours: f64,
    /// booked ÷ open, in per cent (one decimal).
    pub sharing_rate_percent: f64,
    pub external_hours: f64,
    /// external ÷ booked, in per cent.
    pub external_share_percent: f64,
    pub bookings: i64,
    pub no_shows: i64,
    pub cancelled: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = ResourcesClassCount)]
pub struct ClassCount {
    pub service_class: String,
    pub label: String,
    pub count: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = ResourcesStatistics)]
pub struct Statistics {
    /// `yyyy-mm-dd`, China dates; `to` is not included.
    pub from: String,
    pub to: String,
    pub total: CarrierFigures,
    /// By carrier, the highest sharing rate first (at most 500).
    pub carriers: Vec<CarrierFigures>,
    pub requests_by_class: Vec<ClassCount>,
}

#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct Period {
    /// `yyyy-mm-dd` (default: 30 days before `to`).
    pub from: String,
    /// `yyyy-mm-dd`, not included (default: tomorrow).
    pub to: String,
    /// A carrier's organisation id; staff may leave it out for every carrier.
    pub carrier: String,
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn percent(part: f64, whole: f64) -> f64 {
    if whole > 0.0 {
        round1(part * 100.0 / whole)
    } else {
        0.0
    }
}

/// How many of each weekday (Monday first) lie in `[from, to)`.
fn weekdays_in(from: i64, to: i64) -> [i64; 7] {
    let mut counts = [0; 7];
    let days = (to - from) / DAY;
    for (i, c) in counts.iter_mut().enumerate() {
        let first = (i as i64 - hours::weekday(from) as i64).rem_euclid(7);
        *c = if first < days {
            (days - 1 - first) / 7 + 1
        } else {
            0
        };
    }
    counts
}

impl Service {
    pub async fn statistics(
        &self,
        db: &Db,
        caller: &Caller,
        period: &Period,
        now: i64,
    ) -> Result<Statistics> {
        let carrier = period.carrier.trim().to_owned();
        if carrier.is_empty() {
            if !caller.is_staff() {
                return Err(ResourcesError::Forbidden(
                    "只有平台工作人员可以查看所有载体 / only staff see every carrier".into(),
                ));
            }
        } else {
            must_run(caller, &carrier)?;
        }
        let date = |text: &str, default: i64| -> Result<i64> {
            if text.trim().is_empty() {
                return Ok(default);
            }
            hours::parse_date(text).ok_or_else(|| {
                ResourcesError::Invalid("日期须为 yyyy-mm-dd / dates are yyyy-mm-dd".into())
            })
        };
        let to = date(&period.to, hours::day_start(now) + DAY)?;
        let from = date(&period.from, to - 30 * DAY)?;
        if from >= to || to - from > MAX_DAYS * DAY {
            return Err(ResourcesError::Invalid(format!(
                "from 须早于 to，且至多 {MAX_DAYS} 天 / from must be before to, at most {MAX_DAYS} days"
            )));
        }
        let weekdays = weekdays_in(from, to);
        #[derive(sqlx::FromRow)]
        struct Open {
            carrier_org_id: String,
            name: String,
            opening_hours: String,
        }
        let open: Vec<Open> = with_pool!(db, pool => {
            sqlx::query_as::<_, Open>("SELECT r.carrier_org_id, o.name, r.opening_hours FROM res_resources r JOIN organisations o ON o.id = r.carrier_org_id WHERE r.listed AND ($1 = '' OR r.carrier_org_id = $1)")
                .bind(&carrier).fetch_all(pool).await?
        });
        let mut figures: BTreeMap<String, CarrierFigures> = BTreeMap::new();
        for o in open {
            let hours = OpeningHours::from_json(&o.opening_hours);
            let minutes: i64 = hours
                .0
                .iter()
                .zip(weekdays)
                .map(|(day, n)| day.map(|(a, b)| (b - a) * n).unwrap_or(0))
                .sum();
            let f = figures
                .entry(o.carrier_org_id.clone())
                .or_insert_with(|| CarrierFigures {
                    carrier_org_id: o.carrier_org_id,
                    carrier_name: o.name,
                    ..Default::default()
                });
            f.resources += 1;
            f.open_hours += minutes as f64 / 60.0;
        }
        #[derive(sqlx::FromRow)]
        struct Booked {
            carrier_org_id: String,
            name: String,
            booked: i64,
            external: i64,
            bookings: i64,
            no_shows: i64,
            cancelled: i64,
        }
        let booked: Vec<Booked> = with_pool!(db, pool => {
            sqlx::query_as::<_, Booked>("SELECT b.carrier_org_id, o.name, \
                 CAST(COALESCE(SUM(CASE WHEN b.state IN ('confirmed', 'no_show') THEN b.ends_at - b.starts_at ELSE 0 END), 0) AS BIGINT) AS booked, \
                 CAST(COALESCE(SUM(CASE WHEN b.state IN ('confirmed', 'no_show') AND b.external THEN b.ends_at - b.starts_at ELSE 0 END), 0) AS BIGINT) AS external, \
                 CAST(COUNT(*) AS BIGINT) AS bookings, \
                 CAST(SUM(CASE WHEN b.state = 'no_show' THEN 1 ELSE 0 END) AS BIGINT) AS no_shows, \
                 CAST(SUM(CASE WHEN b.state = 'cancelled' THEN 1 ELSE 0 END) AS BIGINT) AS cancelled \
                 FROM res_bookings b JOIN organisations o ON o.id = b.carrier_org_id \
                 WHERE ($1 = '' OR b.carrier_org_id = $1) AND b.starts_at >= $2 AND b.starts_at < $3 \
                 GROUP BY b.carrier_org_id, o.name")
                .bind(&carrier).bind(from).bind(to).fetch_all(pool).await?
        });
        for b in booked {
            let f = figures
                .entry(b.carrier_org_id.clone())
                .or_insert_with(|| CarrierFigures {
                    carrier_org_id: b.carrier_org_id,
                    carrier_name: b.name,
                    ..Default::default()
                });
            f.booked_hours = b.booked as f64 / 3600.0;
            f.external_hours = b.external as f64 / 3600.0;
            f.bookings = b.bookings;
            f.no_shows = b.no_shows;
            f.cancelled = b.cancelled;
        }
        let mut total = CarrierFigures {
            carrier_name: "合计 / total".into(),
            ..Default::default()
        };
        let mut carriers: Vec<CarrierFigures> = figures
            .into_values()
            .map(|mut f| {
                total.resources += f.resources;
                total.open_hours += f.open_hours;
                total.booked_hours += f.booked_hours;
                total.external_hours += f.external_hours;
                total.bookings += f.bookings;
                total.no_shows += f.no_shows;
                total.cancelled += f.cancelled;
                f.sharing_rate_percent = percent(f.booked_hours, f.open_hours);
                f.external_share_percent = percent(f.external_hours, f.booked_hours);
                f.open_hours = round1(f.open_hours);
                f.booked_hours = round1(f.booked_hours);
                f.external_hours = round1(f.external_hours);
                f
            })
            .collect();
        total.sharing_rate_percent = percent(total.booked_hours, total.open_hours);
        total.external_share_percent = percent(total.external_hours, total.booked_hours);
        total.open_hours = round1(total.open_hours);
        total.booked_hours = round1(total.booked_hours);
        total.external_hours = round1(total.external_hours);
        carriers.sort_by(|a, b| {
            b.sharing_rate_percent
                .total_cmp(&a.sharing_rate_percent)
                .then(a.carrier_name.cmp(&b.carrier_name))
        });
        carriers.truncate(500);
        let classes: Vec<(String, i64)> = with_pool!(db, pool => {
            sqlx::query_as("SELECT service_class, CAST(COUNT(*) AS BIGINT) FROM res_requests WHERE ($1 = '' OR carrier_org_id = $1) AND created_at >= $2 AND created_at < $3 GROUP BY service_class ORDER BY service_class")
                .bind(&carrier).bind(from).bind(to).fetch_all(pool).await?
        });
        Ok(Statistics {
            from: crate::clock::shanghai_date(from),
            to: crate::clock::shanghai_date(to),
            total,
            carriers,
            requests_by_class: classes
                .into_iter()
                .map(|(c, count)| ClassCount {
                    label: service_class_label(&c, false).to_owned(),
                    service_class: c,
                    count,
                })
                .collect(),
        })
    }
}

const TITLES: [&str; 11] = [
    "carrier_org_id",
    "carrier_name",
    "resources",
    "open_hours",
    "booked_hours",
    "sharing_rate_percent",
    "external_hours",
    "external_share_percent",
    "bookings",
    "no_shows",
    "cancelled",
];

fn rows(s: &Statistics) -> Vec<Vec<String>> {
    s.carriers
        .iter()
        .chain(std::iter::once(&s.total))
        .map(|f| {
            vec![
                f.carrier_org_id.clone(),
                f.carrier_name.clone(),
                f.resources.to_string(),
                f.open_hours.to_string(),
                f.booked_hours.to_string(),
                f.sharing_rate_percent.to_string(),
                f.external_hours.to_string(),
                f.external_share_percent.to_string(),
                f.bookings.to_string(),
                f.no_shows.to_string(),
                f.cancelled.to_string(),
            ]
        })
        .chain(s.requests_by_class.iter().map(|c| {
            let mut row = vec![format!("requests:{}", c.service_class), c.label.clone()];
            row.extend(std::iter::repeat_n(String::new(), 6));
            row.extend([c.count.to_string(), String::new(), String::new()]);
            row
        }))
        .collect()
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
    let mut sheet = XlsxWriter::new("sharing", &titles)?;
    for row in rows(s) {
        let cells: Vec<Option<String>> = row.into_iter().map(Some).collect();
        sheet.push(&cells)?;
    }
    sheet.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekdays_are_counted() {
        let monday = hours::parse_date("2026-12-07").unwrap();
        assert_eq!(weekdays_in(monday, monday + 7 * DAY), [1; 7]);
        assert_eq!(
            weekdays_in(monday, monday + 10 * DAY),
            [2, 2, 2, 1, 1, 1, 1]
        );
        let wednesday = monday + 2 * DAY;
        assert_eq!(
            weekdays_in(wednesday, wednesday + 2 * DAY),
            [0, 0, 1, 1, 0, 0, 0]
        );
    }
}
