//! Shared carrier resources (共享双创载体的资源): finding rooms, workstations and equipment,
//! a week of free slots, booking and cancelling, a booking as iCalendar, and requesting a
//! service item without slots; acting with a user's token that carries the `resources` scope.

use serde::{Deserialize, Serialize};

use crate::error::Error;

/// A bookable resource.
#[derive(Debug, Clone, Deserialize)]
pub struct Resource {
    /// The resource's id.
    pub id: String,
    /// The service item (SERVICE_ITEM_ID) it belongs to.
    pub item_id: String,
    /// The carrier's organisation id.
    pub carrier_org_id: String,
    /// The carrier's name.
    pub carrier_name: String,
    /// The division code of where it is.
    pub region_code: String,
    /// SERVICE_CLASS.
    pub service_class: String,
    /// SERVICE_OBJECT codes it serves (empty: everyone).
    pub service_objects: Vec<String>,
    /// Its name.
    pub name: String,
    /// `room`, `workstation` or `equipment`.
    pub kind: String,
    /// What it is.
    pub description: String,
    /// How many people it holds.
    pub capacity: i64,
    /// Seven `HH:MM-HH:MM` or `""`, Monday first, China time.
    pub opening_hours: Vec<String>,
    /// The length of a slot.
    pub slot_minutes: i64,
    /// A booking waits for the carrier's approval.
    pub needs_approval: bool,
    /// Per slot, in fen (0: free).
    pub price_fen: i64,
    /// Only trained users may book it.
    pub training_required: bool,
    /// The most minutes a person may book in a day.
    pub max_minutes_per_day: Option<i64>,
    /// Bookers may cancel until this many hours before the start.
    pub cancel_hours_before: i64,
}

/// How resources are searched; every part optional.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Search {
    /// Words in the name.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub q: String,
    /// `room`, `workstation` or `equipment`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub kind: String,
    /// A SERVICE_CLASS code.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub class: String,
    /// A SERVICE_OBJECT code.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub object: String,
    /// A division code or its prefix (`6401`).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub region: String,
    /// A carrier's organisation id.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub carrier: String,
}

/// A slot of a day.
#[derive(Debug, Clone, Deserialize)]
pub struct Slot {
    /// What a booking's `start` takes: `2026-12-08 09:00` (China time).
    pub start: String,
    /// `09:00`
    pub from: String,
    /// `10:00`
    pub to: String,
    /// Unix seconds.
    pub starts_at: i64,
    /// Nobody holds it and it has not begun.
    pub free: bool,
}

/// A day of a resource's calendar.
#[derive(Debug, Clone, Deserialize)]
pub struct Day {
    /// `2026-12-08`
    pub date: String,
    /// Its slots, empty when closed.
    pub slots: Vec<Slot>,
}

/// Days of a resource's slots.
#[derive(Debug, Clone, Deserialize)]
pub struct Week {
    /// The resource.
    pub resource_id: String,
    /// The length of a slot.
    pub slot_minutes: i64,
    /// From the first day asked for.
    pub days: Vec<Day>,
}

/// A booking to make.
#[derive(Debug, Clone, Serialize)]
pub struct NewBooking {
    /// The first slot's start, China time: `2026-12-08 09:00`.
    pub start: String,
    /// How many consecutive slots.
    pub slots: i64,
    /// The SERVICE_OBJECT code the booker books as (members of an organisation say which).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_object: Option<String>,
    /// What it is for.
    pub purpose: String,
}

/// A booking.
#[derive(Debug, Clone, Deserialize)]
pub struct Booking {
    /// The booking's id.
    pub id: String,
    /// The resource.
    pub resource_id: String,
    /// The resource's name.
    pub resource_name: String,
    /// Unix seconds.
    pub starts_at: i64,
    /// Unix seconds.
    pub ends_at: i64,
    /// China time, `2026-12-08 09:00`.
    pub starts: String,
    /// China time.
    pub ends: String,
    /// `requested`, `confirmed`, `declined`, `cancelled` or `no_show`.
    pub state: String,
    /// In fen.
    pub amount_fen: i64,
    /// Why it was declined or cancelled, when someone said.
    pub reason: Option<String>,
}

#[derive(Deserialize)]
struct Items<T> {
    items: Vec<T>,
}

/// A request for a service item without slots.
#[derive(Debug, Clone, Deserialize)]
pub struct Request {
    /// The request's id.
    pub id: String,
    /// The service item.
    pub item_id: String,
    /// `requested`, `accepted`, `declined`, `done`, `evaluated` or `cancelled`.
    pub state: String,
    /// What was asked.
    pub note: String,
}

/// The shared resources API.
pub struct Resources<'a> {
    api: crate::bearer::Endpoint<'a>,
}

impl<'a> Resources<'a> {
    pub(crate) fn new(
        http: &'a reqwest::Client,
        issuer: &str,
        bearer: crate::bearer::Bearer<'a>,
    ) -> Self {
        Resources {
            api: crate::bearer::Endpoint::new(http, issuer, "resources", bearer),
        }
    }

    /// Listed resources matching `search`, newest first (at most 50).
    pub async fn search(&self, search: &Search) -> Result<Vec<Resource>, Error> {
        let url = format!("{}/resources", self.api.base);
        let found: Items<Resource> = self.api.send(self.api.http.get(url).query(search)).await?;
        Ok(found.items)
    }

    /// One resource.
    pub async fn resource(&self, id: &str) -> Result<Resource, Error> {
        let url = format!("{}/resources/{id}", self.api.base);
        self.api.send(self.api.http.get(url)).await
    }

    /// `days` days (1 to 31) of a resource's slots from the China date `from` (`None`: today).
    pub async fn week(&self, id: &str, from: Option<&str>, days: u32) -> Result<Week, Error> {
        let mut query = vec![("days", days.to_string())];
        if let Some(from) = from {
            query.push(("from", from.to_owned()));
        }
        let url = format!("{}/resources/{id}/slots", self.api.base);
        self.api.send(self.api.http.get(url).query(&query)).await
    }

    /// Books consecutive slots. A taken slot is refused with status 409 (`slot-taken`, the
    /// slot named in the problem), a booking rule with 422 (`booking-rule`, the rule named).
    pub async fn book(&self, id: &str, booking: &NewBooking) -> Result<Booking, Error> {
        let url = format!("{}/resources/{id}/bookings", self.api.base);
        self.api.send(self.api.http.post(url).json(booking)).await
    }

    /// The caller's bookings, soonest first.
    pub async fn my_bookings(&self) -> Result<Vec<Booking>, Error> {
        let url = format!("{}/bookings", self.api.base);
        let found: Items<Booking> = self.api.send(self.api.http.get(url)).await?;
        Ok(found.items)
    }

    /// Cancels a booking (a booker: before the resource's deadline).
    pub async fn cancel(&self, id: &str, reason: Option<&str>) -> Result<Booking, Error> {
        let url = format!("{}/bookings/{id}/actions/cancel", self.api.base);
        let request = match reason {
            Some(reason) => self
                .api
                .http
                .post(url)
                .json(&serde_json::json!({"reason": reason})),
            None => self.api.http.post(url),
        };
        self.api.send(request).await
    }

    /// A booking as an iCalendar file (RFC 5545) for the booker's calendar.
    pub async fn calendar(&self, id: &str) -> Result<String, Error> {
        let url = format!("{}/bookings/{id}/calendar.ics", self.api.base);
        let bytes = self.api.send_for_bytes(self.api.http.get(url)).await?;
        String::from_utf8(bytes).map_err(|e| Error::Transport(format!("calendar: {e}")))
    }

    /// Requests a service item without slots, like an order.
    pub async fn request_item(&self, item_id: &str, note: &str) -> Result<Request, Error> {
        let url = format!("{}/items/{item_id}/requests", self.api.base);
        self.api
            .send(
                self.api
                    .http
                    .post(url)
                    .json(&serde_json::json!({"note": note})),
            )
            .await
    }
}
