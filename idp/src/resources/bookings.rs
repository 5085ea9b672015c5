//! Bookings: a week of free slots, booking under the resource's rules, and what the booker and
//! the carrier's operators do with a booking afterwards. The slots a live booking holds are
//! rows of `res_slot_claims`, whose primary key refuses a second claim of one slot on both
//! databases; a refused claim names the slot.

use serde::Serialize;
use utoipa::ToSchema;

use super::Service;
use super::access::{external, must_run, runs};
use super::error::{Refusal, ResourcesError, Result};
use super::hours::{self, WEEKDAYS_EN, WEEKDAYS_ZH};
use super::items::not_found_resource;
use super::model::*;
use super::notices::{Notice, post};
use super::store::{booking_row, claimed, new_id, resource_name, resource_row};
use crate::accounts::caller::Caller;
use crate::clock::{shanghai_date, shanghai_time};
use crate::db::{Backend, Db, Tx};
use crate::inbox::Recipient;
use crate::{with_pool, with_tx};

const DAY: i64 = 86_400;

/// A day of a resource's calendar.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = ResourcesDay)]
pub struct Day {
    /// `2026-12-08`
    pub date: String,
    pub weekday_zh: &'static str,
    pub weekday_en: &'static str,
    pub slots: Vec<SlotView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = ResourcesSlot)]
pub struct SlotView {
    /// China time, `2026-12-08 09:00`: what a booking's `start` takes.
    pub start: String,
    /// `09:00`–`10:00`
    pub from: String,
    pub to: String,
    pub starts_at: i64,
    pub free: bool,
}

/// Days of free and taken slots.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = ResourcesWeek)]
pub struct Week {
    pub resource_id: String,
    pub slot_minutes: i64,
    pub days: Vec<Day>,
}

/// What may be done to a booking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BookingAction {
    Approve,
    Decline,
    Cancel,
    NoShow,
}

impl BookingAction {
    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "approve" => BookingAction::Approve,
            "decline" => BookingAction::Decline,
            "cancel" => BookingAction::Cancel,
            "no-show" => BookingAction::NoShow,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            BookingAction::Approve => "approve",
            BookingAction::Decline => "decline",
            BookingAction::Cancel => "cancel",
            BookingAction::NoShow => "no-show",
        }
    }
}

/// Which bookings a list holds.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct BookingList {
    /// A carrier's organisation id (its operators and staff), or `all` (staff); absent: the
    /// caller's own bookings.
    pub carrier: String,
    /// One state only.
    pub state: String,
    /// Only those ending after this Unix time.
    pub after: Option<i64>,
    pub offset: i64,
    pub limit: Option<i64>,
}

/// The actions `caller` may take on `b` at `now`.
pub(super) fn allowed(
    b: &BookingRow,
    r: &ResourceRow,
    caller: &Caller,
    now: i64,
) -> Vec<BookingAction> {
    let operator = runs(caller, &b.carrier_org_id);
    let booker = caller.user_id == b.user_id;
    let mut out = Vec::new();
    match b.state.as_str() {
        "requested" => {
            if operator {
                out.extend([BookingAction::Approve, BookingAction::Decline]);
            }
            if (booker && now < b.starts_at) || (operator && now < b.ends_at) {
                out.push(BookingAction::Cancel);
            }
        }
        "confirmed" => {
            let before_deadline = now <= b.starts_at - r.cancel_hours_before * 3600;
            if (booker && before_deadline) || (operator && now < b.ends_at) {
                out.push(BookingAction::Cancel);
            }
            if operator && now >= b.starts_at {
                out.push(BookingAction::NoShow);
            }
        }
        _ => {}
    }
    out
}

impl Service {
    /// `days` days (1 to 31) of a resource's slots from the China date `from` (default: today).
    pub async fn week(
        &self,
        db: &Db,
        resource_id: &str,
        from: Option<&str>,
        days: i64,
        caller: Option<&Caller>,
        now: i64,
    ) -> Result<Week> {
        let r = resource_row(db, resource_id)
            .await?
            .ok_or_else(|| not_found_resource(resource_id))?;
        if !r.listed && !caller.is_some_and(|c| runs(c, &r.carrier_org_id)) {
            return Err(not_found_resource(resource_id));
        }
        let start = match from.map(str::trim).filter(|f| !f.is_empty()) {
            Some(text) => hours::parse_date(text).ok_or_else(|| {
                ResourcesError::Invalid("from 须为日期 yyyy-mm-dd / from must be a date".into())
            })?,
            None => hours::day_start(now),
        };
        let days = days.clamp(1, 31);
        let taken = claimed(db, resource_id, start, start + days * DAY).await?;
        let grid = hours::slots(&r.hours(), r.slot_minutes, start, days, &taken, now);
        let days = grid
            .into_iter()
            .enumerate()
            .map(|(i, slots)| {
                let day = start + i as i64 * DAY;
                Day {
                    date: shanghai_date(day),
                    weekday_zh: WEEKDAYS_ZH[hours::weekday(day)],
                    weekday_en: WEEKDAYS_EN[hours::weekday(day)],
                    slots: slots
                        .into_iter()
                        .map(|s| SlotView {
                            start: shanghai_time(s.start),
                            from: hours::hhmm((s.start - day) / 60),
                            to: hours::hhmm((s.end - day) / 60),
                            starts_at: s.start,
                            free: s.free,
                        })
                        .collect(),
                }
            })
            .collect();
        Ok(Week {
            resource_id: r.id,
            slot_minutes: r.slot_minutes,
            days,
        })
    }

    /// Books consecutive slots of a resource under its rules: confirmed at once, or waiting
    /// for the carrier's approval where the resource asks for it.
    pub async fn book(
        &self,
        db: &Db,
        caller: &Caller,
        resource_id: &str,
        input: BookingInput,
        now: i64,
    ) -> Result<Booking> {
        let start = hours::parse_china_time(&input.start).ok_or_else(|| {
            ResourcesError::Invalid(
                "start 须形如 2026-12-08 09:00（北京时间）/ start must look like 2026-12-08 09:00 (China time)".into(),
            )
        })?;
        let max_slots = self.policy.max_slots_per_booking;
        if !(1..=max_slots).contains(&input.slots) {
            return Err(ResourcesError::rule(
                "slots",
                format!("一次预约 1–{max_slots} 个时段"),
                format!("a booking takes 1 to {max_slots} slots"),
            ));
        }
        if input.purpose.chars().count() > 500 {
            return Err(ResourcesError::Invalid(
                "用途至多 500 字 / purpose is at most 500 characters".into(),
            ));
        }
        let mut tx = db.begin().await?;
        // On PostgreSQL one user's bookings of one resource are made one at a time, so the
        // daily limit is counted with nothing of theirs in flight (SQLite's writers already are).
        if tx.backend() == Backend::Postgres {
            with_tx!(&mut tx, conn => {
                sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1))")
                    .bind(format!("res-booker:{}:{resource_id}", caller.user_id))
                    .execute(&mut *conn)
                    .await?;
            });
        }
        let r = resource_row(&mut tx, resource_id)
            .await?
            .ok_or_else(|| not_found_resource(resource_id))?;
        let operator = runs(caller, &r.carrier_org_id);
        if !r.listed && !operator {
            return Err(not_found_resource(resource_id));
        }
        let step = r.slot_minutes * 60;
        let end = start + input.slots * step;
        let day = hours::day_start(start);
        check_time(&r, start, end, day, now, self.policy.book_ahead_days)?;
        let object = booker_object(caller, &input, &r)?;
        if r.training_required
            && !operator
            && !trained(&mut tx, resource_id, &caller.user_id).await?
        {
            return Err(ResourcesError::rule(
                "training",
                "使用该资源须先经载体培训",
                "this resource may be booked only after the carrier's training",
            ));
        }
        if let Some(limit) = r.max_minutes_per_day {
            let booked = booked_minutes(&mut tx, resource_id, &caller.user_id, day).await?;
            let asked = (end - start) / 60;
            if booked + asked > limit {
                return Err(ResourcesError::rule(
                    "daily_limit",
                    format!(
                        "每人每天至多预约 {} 小时，当天已预约 {} 小时",
                        limit as f64 / 60.0,
                        booked as f64 / 60.0
                    ),
                    format!(
                        "at most {} hours a day per person; {} hours already booked that day",
                        limit as f64 / 60.0,
                        booked as f64 / 60.0
                    ),
                ));
            }
        }
        let id = new_id("BK");
        let state = if r.needs_approval && !operator {
            "requested"
        } else {
            "confirmed"
        };
        for slot in (start..end).step_by(step as usize) {
            let claimed: u64 = with_tx!(&mut tx, conn => {
                sqlx::query("INSERT INTO res_slot_claims (resource_id, slot_start, booking_id) VALUES ($1, $2, $3) ON CONFLICT (resource_id, slot_start) DO NOTHING")
                    .bind(resource_id).bind(slot).bind(&id)
                    .execute(&mut *conn).await?.rows_affected()
            });
            if claimed == 0 {
                return Err(ResourcesError::SlotTaken {
                    slot: format!(
                        "{}–{}",
                        shanghai_time(slot),
                        hours::hhmm((slot + step - day) / 60)
                    ),
                });
            }
        }
        with_tx!(&mut tx, conn => {
            sqlx::query("INSERT INTO res_bookings (id, resource_id, carrier_org_id, user_id, organisation_id, service_object, external, starts_at, ends_at, state, amount_fen, purpose, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)")
                .bind(&id).bind(resource_id).bind(&r.carrier_org_id).bind(&caller.user_id)
                .bind(&caller.organisation_id).bind(&object).bind(external(caller, &r.carrier_org_id))
                .bind(start).bind(end).bind(state).bind(r.price_fen * input.slots).bind(input.purpose.trim()).bind(now)
                .execute(&mut *conn).await?;
        });
        if state == "requested" {
            let when = shanghai_time(start);
            post(
                &mut tx,
                vec![Notice {
                    to: Recipient::Organisation(r.carrier_org_id.clone()),
                    topic: "booking.requested",
                    zh: (
                        format!("预约待审批：{}", r.name),
                        format!("{when} 起 {} 个时段的预约等待审批。", input.slots),
                    ),
                    en: (
                        format!("A booking awaits approval: {}", r.name),
                        format!("{} slot(s) from {when} await your approval.", input.slots),
                    ),
                    link: Some("/resources/manage".into()),
                }],
                now,
            )
            .await?;
        }
        tx.commit().await?;
        self.booking(db, caller, &id).await
    }

    /// One booking, for its booker, the carrier's operators and staff.
    pub async fn booking(&self, db: &Db, caller: &Caller, id: &str) -> Result<Booking> {
        let b = booking_row(db, id)
            .await?
            .ok_or_else(|| not_found_booking(id))?;
        if b.user_id != caller.user_id && !runs(caller, &b.carrier_org_id) {
            return Err(not_found_booking(id));
        }
        let name = resource_name(db, &b.resource_id).await?;
        Ok(Booking::from_row(b, name))
    }

    /// What `caller` may do to a booking now.
    pub async fn booking_actions(
        &self,
        db: &Db,
        caller: &Caller,
        b: &Booking,
        now: i64,
    ) -> Result<Vec<BookingAction>> {
        let (Some(row), Some(r)) = (
            booking_row(db, &b.id).await?,
            resource_row(db, &b.resource_id).await?,
        ) else {
            return Ok(Vec::new());
        };
        Ok(allowed(&row, &r, caller, now))
    }

    /// Approve, decline, cancel or mark a no-show; a declined or cancelled booking frees its
    /// slots, and the other side hears of it.
    pub async fn act_on_booking(
        &self,
        db: &Db,
        caller: &Caller,
        id: &str,
        action: BookingAction,
        reason: Option<String>,
        now: i64,
    ) -> Result<Booking> {
        let mut tx = db.begin().await?;
        let b = booking_row(&mut tx, id)
            .await?
            .ok_or_else(|| not_found_booking(id))?;
        if b.user_id != caller.user_id && !runs(caller, &b.carrier_org_id) {
            return Err(not_found_booking(id));
        }
        let r = resource_row(&mut tx, &b.resource_id)
            .await?
            .ok_or_else(|| not_found_resource(&b.resource_id))?;
        let may = allowed(&b, &r, caller, now);
        if !may.contains(&action) {
            let deadline = action == BookingAction::Cancel
                && b.state == "confirmed"
                && caller.user_id == b.user_id
                && now > b.starts_at - r.cancel_hours_before * 3600;
            let (zh, en) = if deadline {
                (
                    format!("已过取消期限（开始前 {} 小时）", r.cancel_hours_before),
                    format!(
                        "the cancellation deadline ({} hours before the start) has passed",
                        r.cancel_hours_before
                    ),
                )
            } else {
                (
                    format!(
                        "预约处于“{}”，不能{}",
                        state_label(BOOKING_STATES, &b.state, false),
                        action.as_str()
                    ),
                    format!(
                        "the booking is {}; {} is not possible",
                        b.state,
                        action.as_str()
                    ),
                )
            };
            return Err(ResourcesError::Transition(Refusal {
                current: state_code(&b.state),
                allowed: may.iter().map(|a| a.as_str()).collect(),
                reason_zh: zh,
                reason_en: en,
            }));
        }
        let reason = reason
            .map(|r| r.trim().chars().take(500).collect::<String>())
            .filter(|r| !r.is_empty());
        let next = match action {
            BookingAction::Approve => "confirmed",
            BookingAction::Decline => "declined",
            BookingAction::Cancel => "cancelled",
            BookingAction::NoShow => "no_show",
        };
        with_tx!(&mut tx, conn => {
            sqlx::query("UPDATE res_bookings SET state = $2, reason = COALESCE($3, reason), updated_at = $4 WHERE id = $1")
                .bind(id).bind(next).bind(&reason).bind(now)
                .execute(&mut *conn).await?;
            if matches!(action, BookingAction::Decline | BookingAction::Cancel) {
                sqlx::query("DELETE FROM res_slot_claims WHERE resource_id = $1 AND slot_start >= $2 AND slot_start < $3 AND booking_id = $4")
                    .bind(&b.resource_id).bind(b.starts_at).bind(b.ends_at).bind(id)
                    .execute(&mut *conn).await?;
            }
        });
        let when = shanghai_time(b.starts_at);
        let (to, zh, en) = if caller.user_id == b.user_id {
            (
                Recipient::Organisation(b.carrier_org_id.clone()),
                format!("预约已由预约人取消：{} {when}", r.name),
                format!("Cancelled by the booker: {} {when}", r.name),
            )
        } else {
            let label = state_label(BOOKING_STATES, next, false);
            let label_en = state_label(BOOKING_STATES, next, true);
            (
                Recipient::User(b.user_id.clone()),
                format!("您的预约{label}：{} {when}", r.name),
                format!("Your booking is now {label_en}: {} {when}", r.name),
            )
        };
        let because_zh = reason
            .as_deref()
            .map(|r| format!("说明：{r}"))
            .unwrap_or_default();
        let because_en = reason
            .as_deref()
            .map(|r| format!("Reason: {r}"))
            .unwrap_or_default();
        post(
            &mut tx,
            vec![Notice {
                to,
                topic: "booking.changed",
                zh: (zh, because_zh),
                en: (en, because_en),
                link: Some("/me".into()),
            }],
            now,
        )
        .await?;
        tx.commit().await?;
        self.booking(db, caller, id).await
    }

    /// Bookings, soonest first: the caller's own, a carrier's (its operators, staff), or every
    /// carrier's (staff).
    pub async fn bookings(
        &self,
        db: &Db,
        caller: &Caller,
        list: &BookingList,
    ) -> Result<Vec<Booking>> {
        let carrier = list.carrier.trim();
        let (column, value) = match carrier {
            "" => ("b.user_id", caller.user_id.clone()),
            "all" if caller.is_staff() => ("''", String::new()),
            "all" => return Err(ResourcesError::Forbidden(
                "只有平台工作人员可以查看所有载体的预约 / only staff see every carrier's bookings"
                    .into(),
            )),
            org => {
                must_run(caller, org)?;
                ("b.carrier_org_id", org.to_owned())
            }
        };
        let sql = format!(
            "SELECT b.id, b.resource_id, b.carrier_org_id, b.user_id, b.organisation_id, b.service_object, b.external, b.starts_at, b.ends_at, b.state, b.amount_fen, b.purpose, b.reason, b.created_at, b.updated_at, r.name AS resource_name \
             FROM res_bookings b JOIN res_resources r ON r.id = b.resource_id \
             WHERE {column} = $1 AND ($2 = '' OR b.state = $2) AND b.ends_at > $3 \
             ORDER BY b.starts_at, b.id LIMIT $4 OFFSET $5"
        );
        #[derive(sqlx::FromRow)]
        struct Found {
            #[sqlx(flatten)]
            booking: BookingRow,
            resource_name: String,
        }
        let rows = with_pool!(db, pool => {
            sqlx::query_as::<_, Found>(&sql)
                .bind(&value)
                .bind(list.state.trim())
                .bind(list.after.unwrap_or(i64::MIN))
                .bind(list.limit.unwrap_or(50).clamp(1, 200))
                .bind(list.offset.clamp(0, 100_000))
                .fetch_all(pool)
                .await?
        });
        Ok(rows
            .into_iter()
            .map(|f| Booking::from_row(f.booking, f.resource_name))
            .collect())
    }

    /// A resource's live bookings from `from` to `to` (its schedule), for its carrier and
    /// staff; others see only when it is taken.
    pub(super) async fn schedule(
        &self,
        db: &Db,
        resource_id: &str,
        from: i64,
        to: i64,
    ) -> Result<Vec<BookingRow>> {
        let sql = format!(
            "SELECT {BOOKING_COLUMNS} FROM res_bookings WHERE resource_id = $1 AND starts_at >= $2 AND starts_at < $3 AND state IN ('requested', 'confirmed') ORDER BY starts_at LIMIT 2000"
        );
        Ok(with_pool!(db, pool => {
            sqlx::query_as::<_, BookingRow>(&sql).bind(resource_id).bind(from).bind(to).fetch_all(pool).await?
        }))
    }
}

/// The booking lies on the grid, inside one day's opening hours, ahead of now and not too far.
fn check_time(
    r: &ResourceRow,
    start: i64,
    end: i64,
    day: i64,
    now: i64,
    ahead_days: i64,
) -> Result<()> {
    let step = r.slot_minutes * 60;
    if (start - day) % step != 0 {
        return Err(ResourcesError::rule(
            "grid",
            format!("开始时间须在 {} 分钟的时段边界上", r.slot_minutes),
            format!(
                "the start must be on a {}-minute slot boundary",
                r.slot_minutes
            ),
        ));
    }
    let open = r.hours().on(day);
    let inside = open.is_some_and(|(o, c)| start >= day + o * 60 && end <= day + c * 60);
    if !inside {
        let hours_zh = open
            .map(|(o, c)| format!("当天开放 {}–{}", hours::hhmm(o), hours::hhmm(c)))
            .unwrap_or_else(|| "当天不开放".into());
        let hours_en = open
            .map(|(o, c)| format!("open {}–{} that day", hours::hhmm(o), hours::hhmm(c)))
            .unwrap_or_else(|| "closed that day".into());
        return Err(ResourcesError::rule(
            "opening_hours",
            format!("所选时段不在开放时间内（{hours_zh}）"),
            format!("the slots are outside the opening hours ({hours_en})"),
        ));
    }
    if start <= now {
        return Err(ResourcesError::rule(
            "past",
            "不能预约已开始的时段",
            "a slot that has begun cannot be booked",
        ));
    }
    if start > now + ahead_days * DAY {
        return Err(ResourcesError::rule(
            "too_far_ahead",
            format!("至多提前 {ahead_days} 天预约"),
            format!("slots may be booked at most {ahead_days} days ahead"),
        ));
    }
    Ok(())
}

/// Who the booker books as: `5` (founder or team) for people without an organisation, the
/// code they name otherwise; it must be one the resource serves.
fn booker_object(caller: &Caller, input: &BookingInput, r: &ResourceRow) -> Result<String> {
    let named = input
        .service_object
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let object = match (&caller.organisation_id, named) {
        (None, None | Some("5")) => "5".to_owned(),
        (None, Some(_)) => {
            return Err(ResourcesError::Invalid(
                "未加入机构的用户以“创业个人或团队”（5）预约 / people without an organisation book as 5 (founder or team)".into(),
            ));
        }
        (Some(_), Some(code)) if super::SERVICE_OBJECTS.iter().any(|(c, _, _)| *c == code) => {
            code.to_owned()
        }
        (Some(_), _) => {
            return Err(ResourcesError::Invalid(
                "请以 service_object 说明预约主体类型（SERVICE_OBJECT 代码）/ name what you book as in service_object (a SERVICE_OBJECT code)".into(),
            ));
        }
    };
    let served = split_codes(&r.service_object);
    if !served.is_empty() && !served.contains(&object) {
        let names: Vec<&str> = served
            .iter()
            .map(|c| super::service_object_label(c, false))
            .collect();
        let names_en: Vec<&str> = served
            .iter()
            .map(|c| super::service_object_label(c, true))
            .collect();
        return Err(ResourcesError::rule(
            "service_object",
            format!("该资源只服务：{}", names.join("、")),
            format!("this resource serves only: {}", names_en.join(", ")),
        ));
    }
    Ok(object)
}

async fn trained(tx: &mut Tx, resource_id: &str, user_id: &str) -> Result<bool> {
    let found: Option<i64> = with_tx!(tx, conn => {
        sqlx::query_scalar("SELECT CAST(1 AS BIGINT) FROM res_trainings WHERE resource_id = $1 AND user_id = $2")
            .bind(resource_id).bind(user_id).fetch_optional(&mut *conn).await?
    });
    Ok(found.is_some())
}

/// Minutes the user holds of the resource on the China day starting at `day`.
async fn booked_minutes(tx: &mut Tx, resource_id: &str, user_id: &str, day: i64) -> Result<i64> {
    let seconds: Option<i64> = with_tx!(tx, conn => {
        sqlx::query_scalar("SELECT CAST(SUM(ends_at - starts_at) AS BIGINT) FROM res_bookings WHERE user_id = $1 AND resource_id = $2 AND starts_at >= $3 AND starts_at < $4 AND state IN ('requested', 'confirmed')")
            .bind(user_id).bind(resource_id).bind(day).bind(day + DAY)
            .fetch_one(&mut *conn).await?
    });
    Ok(seconds.unwrap_or(0) / 60)
}

fn state_code(state: &str) -> &'static str {
    BOOKING_STATES
        .iter()
        .find(|(s, _, _)| *s == state)
        .map(|(s, _, _)| *s)
        .unwrap_or("unknown")
}

pub(super) fn not_found_booking(id: &str) -> ResourcesError {
    ResourcesError::NotFound(format!("预约 / booking {id}"))
}
