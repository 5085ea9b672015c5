//! Bookings and schedules as iCalendar (RFC 5545), written by the `icalendar` crate (it folds
//! long lines and escapes text). Times are UTC (`…Z`), which every calendar shows in its
//! reader's zone.

use chrono::{DateTime, Utc};
use icalendar::{Calendar, Component, Event, EventLike, EventStatus};

use super::model::{Booking, BookingRow, Resource};

fn utc(unix: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(unix, 0).unwrap_or_default()
}

fn status(state: &str) -> EventStatus {
    match state {
        "confirmed" | "no_show" => EventStatus::Confirmed,
        "requested" => EventStatus::Tentative,
        _ => EventStatus::Cancelled,
    }
}

/// One booking, for the booker's calendar.
pub fn booking(b: &Booking, r: &Resource, site: &str, now: i64) -> String {
    let event = Event::new()
        .uid(&format!("{}@{}", b.id, host(site)))
        .timestamp(utc(now))
        .summary(&format!("{} · {}", r.name, r.carrier_name))
        .description(&format!(
            "预约 / Booking {}\n{}–{}（北京时间 / China time）\n{}",
            b.id, b.starts, b.ends, b.purpose
        ))
        .location(&r.carrier_name)
        .url(&format!("{site}/resources/{}", r.id))
        .starts(utc(b.starts_at))
        .ends(utc(b.ends_at))
        .status(status(&b.state))
        .done();
    Calendar::new()
        .name(&format!("{} 预约 / booking", r.name))
        .push(event)
        .done()
        .to_string()
}

/// A resource's schedule: each live booking as a busy block. Who booked is shown only to the
/// carrier and staff (`named`).
pub fn schedule(
    r: &Resource,
    bookings: &[BookingRow],
    site: &str,
    named: bool,
    now: i64,
) -> String {
    let mut calendar = Calendar::new();
    calendar.name(&format!("{} · {}", r.name, r.carrier_name));
    for b in bookings {
        let summary = if named {
            format!("{} · {}", r.name, b.user_id)
        } else {
            format!("{} 已预约 / booked", r.name)
        };
        calendar.push(
            Event::new()
                .uid(&format!("{}@{}", b.id, host(site)))
                .timestamp(utc(now))
                .summary(&summary)
                .location(&r.carrier_name)
                .starts(utc(b.starts_at))
                .ends(utc(b.ends_at))
                .status(status(&b.state))
                .done(),
        );
    }
    calendar.done().to_string()
}

fn host(site: &str) -> &str {
    site.split("://")
        .nth(1)
        .unwrap_or(site)
        .trim_end_matches('/')
}
