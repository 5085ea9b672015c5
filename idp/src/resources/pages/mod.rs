//! Shared resources' pages, one file per audience: `find.rs` for everyone (finding resources, a
//! resource's week of free slots with the booking form, an item with its request form, a
//! carrier's page), `booking.rs` for a booking's booker and carrier (the booking, its actions and
//! calendar file), `desk.rs` for carriers' operators and staff (bookings, requests, training,
//! the sharing statistics). This file: the routes and what the pages share.

mod booking;
mod desk;
mod find;

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Extension, Router};
use axum_csrf::CsrfToken;
use serde::Deserialize;

use super::bookings::{BookingAction, BookingList, Day};
use super::items::Search;
use super::model::*;
use super::requests::RequestAction;
use super::stats::{Period, Statistics};
use super::{
    ResourcesError, SERVICE_CLASSES, SERVICE_OBJECTS, Service, api::calendar_file, api::export,
    ics, service_class_label, service_object_label, stats,
};
use super::{hours, requests};
use crate::accounts::Role;
use crate::accounts::caller::Caller;
use crate::error::PageError;
use crate::platform::kit::pages::{
    ConsoleStaff, Lang, PageForm, PageUser, form_token, page_header, render, see_other,
};
use crate::state::AppState;

type Rs = Extension<Arc<Service>>;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/resources", get(find::get_search))
        .route("/resources/{id}", get(find::get_resource))
        .route("/resources/{id}/book", post(find::post_book))
        .route("/resources/{id}/calendar.ics", get(find::get_schedule))
        .route("/resources/items/{id}", get(find::get_item))
        .route("/resources/items/{id}/request", post(find::post_request))
        .route(
            "/resources/bookings/{id}",
            get(booking::get_booking).post(booking::post_booking),
        )
        .route(
            "/resources/bookings/{id}/calendar.ics",
            get(booking::get_booking_ics),
        )
        .route("/carriers/{id}", get(find::get_carrier))
        .route("/resources/manage", get(desk::get_manage))
        .route(
            "/resources/manage/requests/{id}",
            post(desk::post_manage_request),
        )
        .route(
            "/resources/manage/trainings/{id}",
            post(desk::post_training),
        )
        .route(
            "/resources/manage/statistics",
            get(desk::get_carrier_statistics),
        )
        .route(
            "/console/resources/statistics",
            get(desk::get_staff_statistics),
        )
}

impl From<ResourcesError> for PageError {
    fn from(e: ResourcesError) -> Self {
        match e {
            ResourcesError::NotFound(_) => PageError::NotFound,
            ResourcesError::Forbidden(_) => PageError::Forbidden,
            ResourcesError::Db(e) => PageError::Internal(e.into()),
            other => PageError::BadRequest(other.to_string()),
        }
    }
}

fn caller_of(user: &PageUser) -> Caller {
    Caller {
        user_id: user.user.id.clone(),
        organisation_id: user.user.organisation_id.clone(),
        roles: user.user.roles.clone(),
        staff: false,
    }
}

/// A refusal shown on the page it came from, with the status the API would answer.
fn refusal_status(e: &ResourcesError) -> Option<StatusCode> {
    match e {
        ResourcesError::SlotTaken { .. } | ResourcesError::Transition(_) => {
            Some(StatusCode::CONFLICT)
        }
        ResourcesError::Rule { .. } | ResourcesError::InvalidFields(_) => {
            Some(StatusCode::UNPROCESSABLE_ENTITY)
        }
        ResourcesError::Invalid(_) => Some(StatusCode::BAD_REQUEST),
        _ => None,
    }
}

struct ResourceCard {
    id: String,
    name: String,
    kind: &'static str,
    carrier: String,
    class: &'static str,
    price: String,
    rules: Vec<String>,
}

fn rules(r: &Resource, en: bool) -> Vec<String> {
    let mut out = Vec::new();
    out.push(if en {
        format!("{}-minute slots", r.slot_minutes)
    } else {
        format!("每时段 {} 分钟", r.slot_minutes)
    });
    if r.capacity > 1 {
        out.push(if en {
            format!("holds {}", r.capacity)
        } else {
            format!("容纳 {} 人", r.capacity)
        });
    }
    if r.needs_approval {
        out.push(if en {
            "needs approval".into()
        } else {
            "须审批".into()
        });
    }
    if r.training_required {
        out.push(if en {
            "training required".into()
        } else {
            "须先培训".into()
        });
    }
    if let Some(max) = r.max_minutes_per_day {
        out.push(if en {
            format!("at most {} h a day", max as f64 / 60.0)
        } else {
            format!("每人每天至多 {} 小时", max as f64 / 60.0)
        });
    }
    if r.cancel_hours_before > 0 {
        out.push(if en {
            format!("cancel until {} h before", r.cancel_hours_before)
        } else {
            format!("开始前 {} 小时可取消", r.cancel_hours_before)
        });
    }
    out
}

fn price_text(r: &Resource, en: bool) -> String {
    if r.price_fen == 0 {
        if en { "Free".into() } else { "免费".into() }
    } else if en {
        format!("¥{} per slot", r.price)
    } else {
        format!("每时段 ¥{}", r.price)
    }
}

fn card(r: &Resource, en: bool) -> ResourceCard {
    ResourceCard {
        id: r.id.clone(),
        name: r.name.clone(),
        kind: kind_label(&r.kind, en),
        carrier: r.carrier_name.clone(),
        class: service_class_label(&r.service_class, en),
        price: price_text(r, en),
        rules: rules(r, en),
    }
}

struct Choice {
    code: &'static str,
    label: &'static str,
}

/// A code list as the options of a select, in the page's language.
fn choices(list: &'static [(&'static str, &'static str, &'static str)], en: bool) -> Vec<Choice> {
    list.iter()
        .map(|(code, zh, e)| Choice {
            code,
            label: if en { e } else { zh },
        })
        .collect()
}

/// A button that acts on a booking or a request, with an optional reason.
#[derive(Deserialize)]
pub(super) struct ActForm {
    action: String,
    #[serde(default)]
    reason: String,
}
