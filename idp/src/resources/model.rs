//! The shapes of shared resources: service items, bookable resources, bookings and requests,
//! as stored and as the API shows them.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::hours::OpeningHours;
use crate::clock::shanghai_time;
use crate::payments::money::fen_to_yuan;

/// A service item as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ItemRow {
    pub id: String,
    pub carrier_org_id: String,
    pub region_code: String,
    pub service_name: String,
    pub service_class: String,
    pub service_object: String,
    pub service_method: String,
    pub record: String,
    pub listed: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

pub(super) const ITEM_COLUMNS: &str = "id, carrier_org_id, region_code, service_name, service_class, service_object, service_method, record, listed, created_at, updated_at";

/// A service item (共享资源服务项目): its carrier-resource record and what it is found by.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = ResourcesItem)]
pub struct Item {
    /// SERVICE_ITEM_ID
    pub id: String,
    /// OWNER_ID: the carrier's organisation.
    pub carrier_org_id: String,
    pub carrier_name: String,
    /// The division code of where it is offered.
    pub region_code: String,
    pub region_name: String,
    pub service_name: String,
    pub service_class: String,
    pub service_class_label: String,
    /// SERVICE_OBJECT codes (who may use it).
    pub service_objects: Vec<String>,
    /// SERVICE_METHOD names.
    pub service_methods: Vec<String>,
    /// The whole carrier-resource record as reported to the catalogue.
    #[schema(value_type = Object)]
    pub record: Value,
    pub listed: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

/// What a carrier's operator writes for a service item.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ResourcesItemInput)]
pub struct ItemInput {
    /// The seed's fields (SERVICE_NAME, SERVICE_CLASS, LINKMAN, TEL, EMAIL, SERVICE_OBJECT,
    /// SERVICE_METHOD, SERVICE_PROCEDURE); SERVICE_ITEM_ID and OWNER_ID are the platform's.
    #[schema(value_type = Object)]
    pub record: Value,
    /// The division code (6 digits) of where it is offered.
    pub region_code: String,
    /// Shown on the portal (default true).
    #[serde(default)]
    pub listed: Option<bool>,
}

/// What a resource is.
pub const KINDS: &[(&str, &str, &str)] = &[
    ("room", "场地", "Room"),
    ("workstation", "工位", "Workstation"),
    ("equipment", "设备", "Equipment"),
];

pub fn kind_label(kind: &str, en: bool) -> &'static str {
    KINDS
        .iter()
        .find(|(k, _, _)| *k == kind)
        .map(|(_, zh, e)| if en { *e } else { *zh })
        .unwrap_or("")
}

/// A bookable resource as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ResourceRow {
    pub id: String,
    pub item_id: String,
    pub carrier_org_id: String,
    pub region_code: String,
    pub service_class: String,
    pub service_object: String,
    pub service_method: String,
    pub name: String,
    pub kind: String,
    pub description: String,
    pub capacity: i64,
    pub opening_hours: String,
    pub open_minutes_week: i64,
    pub slot_minutes: i64,
    pub needs_approval: bool,
    pub price_fen: i64,
    pub training_required: bool,
    pub max_minutes_per_day: Option<i64>,
    pub cancel_hours_before: i64,
    pub listed: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

pub(super) const RESOURCE_COLUMNS: &str = "id, item_id, carrier_org_id, region_code, service_class, service_object, service_method, name, kind, description, capacity, opening_hours, open_minutes_week, slot_minutes, needs_approval, price_fen, training_required, max_minutes_per_day, cancel_hours_before, listed, created_at, updated_at";

impl ResourceRow {
    pub fn hours(&self) -> OpeningHours {
        OpeningHours::from_json(&self.opening_hours)
    }
}

/// A bookable resource: a room, a workstation or a piece of equipment, with its rules.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = ResourcesResource)]
pub struct Resource {
    pub id: String,
    /// The service item (SERVICE_ITEM_ID) it belongs to.
    pub item_id: String,
    pub carrier_org_id: String,
    pub carrier_name: String,
    pub region_code: String,
    pub service_class: String,
    pub service_objects: Vec<String>,
    pub service_methods: Vec<String>,
    pub name: String,
    /// `room`, `workstation` or `equipment`.
    pub kind: String,
    pub description: String,
    /// How many people it holds at once.
    pub capacity: i64,
    /// Seven `HH:MM-HH:MM` or `""` (closed), Monday first, China time.
    pub opening_hours: Vec<String>,
    pub slot_minutes: i64,
    pub needs_approval: bool,
    /// Per slot, in 元 (`"0.00"`: free).
    pub price: String,
    pub price_fen: i64,
    pub training_required: bool,
    /// The most a user may book of it in one day (minutes); absent: no limit.
    pub max_minutes_per_day: Option<i64>,
    /// A booking may be cancelled until this many hours before it starts.
    pub cancel_hours_before: i64,
    pub listed: bool,
}

impl Resource {
    pub fn from_row(r: ResourceRow, carrier_name: String) -> Resource {
        Resource {
            opening_hours: r.hours().texts(),
            service_objects: split_codes(&r.service_object),
            service_methods: split_codes(&r.service_method),
            price: fen_to_yuan(r.price_fen),
            id: r.id,
            item_id: r.item_id,
            carrier_org_id: r.carrier_org_id,
            carrier_name,
            region_code: r.region_code,
            service_class: r.service_class,
            name: r.name,
            kind: r.kind,
            description: r.description,
            capacity: r.capacity,
            slot_minutes: r.slot_minutes,
            needs_approval: r.needs_approval,
            price_fen: r.price_fen,
            training_required: r.training_required,
            max_minutes_per_day: r.max_minutes_per_day,
            cancel_hours_before: r.cancel_hours_before,
            listed: r.listed,
        }
    }
}

/// What a carrier's operator writes for a resource. The slot length is fixed once made.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ResourcesResourceInput)]
pub struct ResourceInput {
    pub name: String,
    /// `room`, `workstation` or `equipment`.
    pub kind: String,
    #[serde(default)]
    pub description: String,
    pub capacity: i64,
    /// Seven `HH:MM-HH:MM` or `""`, Monday first; boundaries on the slot grid.
    pub opening_hours: Vec<String>,
    /// 15, 30, 60, 90, 120, 180 or 240 (ignored when changing a resource).
    pub slot_minutes: i64,
    #[serde(default)]
    pub needs_approval: bool,
    /// Per slot in 元; `"0"` is free.
    #[serde(default = "free")]
    pub price: String,
    #[serde(default)]
    pub training_required: bool,
    #[serde(default)]
    pub max_minutes_per_day: Option<i64>,
    #[serde(default)]
    pub cancel_hours_before: i64,
    #[serde(default)]
    pub listed: Option<bool>,
}

fn free() -> String {
    "0".into()
}

/// The states of a booking.
pub const BOOKING_STATES: &[(&str, &str, &str)] = &[
    ("requested", "待审批", "Awaiting approval"),
    ("confirmed", "已确认", "Confirmed"),
    ("declined", "未获批准", "Declined"),
    ("cancelled", "已取消", "Cancelled"),
    ("no_show", "未到场", "No-show"),
];

pub fn state_label(
    states: &[(&str, &'static str, &'static str)],
    state: &str,
    en: bool,
) -> &'static str {
    states
        .iter()
        .find(|(s, _, _)| *s == state)
        .map(|(_, zh, e)| if en { *e } else { *zh })
        .unwrap_or("")
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BookingRow {
    pub id: String,
    pub resource_id: String,
    pub carrier_org_id: String,
    pub user_id: String,
    pub organisation_id: Option<String>,
    pub service_object: String,
    pub external: bool,
    pub starts_at: i64,
    pub ends_at: i64,
    pub state: String,
    pub amount_fen: i64,
    pub purpose: String,
    pub reason: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

pub(super) const BOOKING_COLUMNS: &str = "id, resource_id, carrier_org_id, user_id, organisation_id, service_object, external, starts_at, ends_at, state, amount_fen, purpose, reason, created_at, updated_at";

/// A booking of a resource's slots.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = ResourcesBooking)]
pub struct Booking {
    pub id: String,
    pub resource_id: String,
    pub resource_name: String,
    pub carrier_org_id: String,
    pub user_id: String,
    pub organisation_id: Option<String>,
    /// The SERVICE_OBJECT code the booker booked as.
    pub service_object: String,
    /// The booker is not of the carrier.
    pub external: bool,
    /// Unix seconds.
    pub starts_at: i64,
    pub ends_at: i64,
    /// China time, `2026-12-08 09:00`.
    pub starts: String,
    pub ends: String,
    /// `requested`, `confirmed`, `declined`, `cancelled` or `no_show`.
    pub state: String,
    pub amount_fen: i64,
    /// 元
    pub amount: String,
    pub purpose: String,
    pub reason: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Booking {
    pub fn from_row(b: BookingRow, resource_name: String) -> Booking {
        Booking {
            starts: shanghai_time(b.starts_at),
            ends: shanghai_time(b.ends_at),
            amount: fen_to_yuan(b.amount_fen),
            id: b.id,
            resource_id: b.resource_id,
            resource_name,
            carrier_org_id: b.carrier_org_id,
            user_id: b.user_id,
            organisation_id: b.organisation_id,
            service_object: b.service_object,
            external: b.external,
            starts_at: b.starts_at,
            ends_at: b.ends_at,
            state: b.state,
            amount_fen: b.amount_fen,
            purpose: b.purpose,
            reason: b.reason,
            created_at: b.created_at,
            updated_at: b.updated_at,
        }
    }
}

/// A booking asked for.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ResourcesBookingInput)]
pub struct BookingInput {
    /// The first slot's start, China time: `2026-12-08 09:00`.
    pub start: String,
    /// How many consecutive slots (default 1).
    #[serde(default = "one")]
    pub slots: i64,
    /// The SERVICE_OBJECT code the booker books as (`5`: 创业个人或团队; required of
    /// members of an organisation, `5` for everyone else).
    #[serde(default)]
    pub service_object: Option<String>,
    #[serde(default)]
    pub purpose: String,
}

fn one() -> i64 {
    1
}

/// The states of a request for an item without slots.
pub const REQUEST_STATES: &[(&str, &str, &str)] = &[
    ("requested", "待受理", "Requested"),
    ("accepted", "已受理", "Accepted"),
    ("declined", "已拒绝", "Declined"),
    ("done", "已完成", "Done"),
    ("evaluated", "已评价", "Evaluated"),
    ("cancelled", "已取消", "Cancelled"),
];

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
#[schema(as = ResourcesRequest)]
pub struct Request {
    pub id: String,
    pub item_id: String,
    pub carrier_org_id: String,
    pub service_class: String,
    pub user_id: String,
    pub organisation_id: Option<String>,
    pub external: bool,
    pub note: String,
    /// `requested`, `accepted`, `declined`, `done`, `evaluated` or `cancelled`.
    pub state: String,
    pub reason: Option<String>,
    /// 1 (poor) to 5 (excellent), once evaluated.
    pub score: Option<i64>,
    pub remark: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

pub(super) const REQUEST_COLUMNS: &str = "id, item_id, carrier_org_id, service_class, user_id, organisation_id, external, note, state, reason, score, remark, created_at, updated_at";

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ResourcesRequestInput)]
pub struct RequestInput {
    /// What is needed, when, and how to reach the requester.
    pub note: String,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ResourcesEvaluationInput)]
pub struct EvaluationInput {
    /// 1 (poor) to 5 (excellent).
    pub score: i64,
    #[serde(default)]
    pub remark: String,
}

/// `";1;2;5;"` → `["1", "2", "5"]`.
pub fn split_codes(stored: &str) -> Vec<String> {
    stored
        .split(';')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// `"1;2;5"` → `";1;2;5;"`, so that `LIKE '%;2;%'` finds one code.
pub fn stored_codes(field: &str) -> String {
    let codes: Vec<&str> = field
        .split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if codes.is_empty() {
        String::new()
    } else {
        format!(";{};", codes.join(";"))
    }
}
