//! The seam every business platform plugs into. A platform is one folder (`crowdfunding/`, …)
//! whose `mod.rs` exports one [`Platform`] value; [`ALL`] lists them, and the server walks that
//! list for everything it needs from a platform: settings, scopes and who may hold them, routes,
//! background jobs, console navigation, demo data and the OpenAPI document. `docs/ARCHITECTURE.md`
//! has the recipe.

pub mod jobs;
pub mod kit;

use std::sync::Arc;

use axum::Router;
use futures_util::future::BoxFuture;

use crate::accounts::Role;
use crate::clock::Clock;
use crate::db::Db;
use crate::state::AppState;

pub use jobs::Job;

/// Every business platform the server runs, in the seed's order.
pub const ALL: &[&Platform] = &[
    &crate::crowdfunding::PLATFORM,
    &crate::crowdsourcing::PLATFORM,
    &crate::financing::PLATFORM,
    &crate::resources::PLATFORM,
];

/// What one business platform gives the server.
pub struct Platform {
    /// Its name: the settings section, the first path segment of its API
    /// (`/api/<name>/…`) and the prefix of its scopes.
    pub name: &'static str,
    /// The OAuth scopes it defines, with who may hold them.
    pub scopes: &'static [ScopeDef],
    /// Its entries in the staff console's navigation.
    pub console_nav: &'static [NavEntry],
    /// Checks its settings section (absent: the defaults) before anything starts, so a typo
    /// stops the server at once rather than at first use.
    pub check_settings: fn(Option<&serde_json::Value>) -> Result<(), String>,
    /// Builds its moving parts: routers and jobs.
    pub start: for<'a> fn(&'a Context<'a>) -> BoxFuture<'a, anyhow::Result<Started>>,
    /// Adds its part of the demo data (after the demo organisations and users exist).
    pub demo: for<'a> fn(&'a Db, i64) -> BoxFuture<'a, anyhow::Result<()>>,
    /// Its OpenAPI document, generated from its handlers' types.
    pub openapi: fn() -> utoipa::openapi::OpenApi,
    /// Its sections of the public portal (`/`) and of a signed-in user's own area (`/me`).
    pub portal: &'static [&'static PortalSection],
}

/// A section of the public portal that a platform fills: what is public, searchable, and what
/// of it is the signed-in user's own. A platform that is not in [`ALL`] has no section, and a
/// section with nothing public is left off the home page.
pub struct PortalSection {
    /// Its path: `/portal/<key>` lists it.
    pub key: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
    /// A line under the heading: what it is, how to take part.
    pub about_zh: &'static str,
    pub about_en: &'static str,
    /// Public cards, newest first, matching the search.
    pub list: ListCards,
    /// The heading of the user's own things in `/me`, and how they are found.
    pub mine_zh: &'static str,
    pub mine_en: &'static str,
    pub mine: MineCards,
}

/// How a section finds its public cards.
pub type ListCards =
    for<'a> fn(&'a Db, &'a PortalQuery) -> BoxFuture<'a, anyhow::Result<Vec<Card>>>;
/// How a section finds a signed-in user's own cards.
pub type MineCards = for<'a> fn(
    &'a Db,
    &'a crate::accounts::caller::Caller,
    bool,
) -> BoxFuture<'a, anyhow::Result<Vec<Card>>>;

/// What a portal list asks for.
pub struct PortalQuery {
    /// Words searched for (may be empty).
    pub q: String,
    /// At most this many cards (the portal keeps it small).
    pub limit: i64,
    pub offset: i64,
    pub now: i64,
    pub en: bool,
}

/// One thing on the portal: a project, a demand, a carrier, a product, a booking.
#[derive(Debug, Clone)]
pub struct Card {
    pub title: String,
    pub summary: String,
    /// Its own page on this site.
    pub href: String,
    /// Short facts shown beside it (an amount, a state, a region).
    pub facts: Vec<String>,
}

/// Every portal section, in platform order.
pub fn portal_sections() -> impl Iterator<Item = &'static PortalSection> {
    ALL.iter().flat_map(|p| p.portal.iter().copied())
}

/// What a platform's `start` may use.
pub struct Context<'a> {
    pub db: &'a Db,
    pub clock: Arc<dyn Clock>,
    /// Its settings section as written (`None`: absent), already accepted by `check_settings`.
    pub settings: Option<&'a serde_json::Value>,
    /// The payment gateway every platform shares; a platform that takes money registers the
    /// prefix of its ids there to receive its notifications.
    pub payments: Arc<crate::payments::Payments>,
}

impl Context<'_> {
    /// The settings section as the platform's own type; absent means its defaults.
    pub fn settings<T: serde::de::DeserializeOwned + Default>(&self) -> anyhow::Result<T> {
        parse_settings(self.settings).map_err(anyhow::Error::msg)
    }
}

/// A section of the settings as `T`; absent means `T::default()`.
pub fn parse_settings<T: serde::de::DeserializeOwned + Default>(
    section: Option<&serde_json::Value>,
) -> Result<T, String> {
    match section {
        None => Ok(T::default()),
        Some(value) => serde_json::from_value(value.clone()).map_err(|e| e.to_string()),
    }
}

/// A started platform.
#[derive(Clone)]
pub struct Started {
    /// Its JSON API (bearer tokens, problem+json errors).
    pub api: Router<AppState>,
    /// Its pages (sessions, CSRF-protected forms, readable error pages).
    pub pages: Router<AppState>,
    /// Its scheduled work; each runs under a database lease, on one instance at a time.
    pub jobs: Vec<Job>,
}

/// An OAuth scope, what it means to a person, and who may be granted it.
pub struct ScopeDef {
    pub name: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
    /// Whether a user with these roles may hold it (administrators always may).
    pub holders: fn(&[Role]) -> bool,
}

/// A link in the staff console's navigation.
pub struct NavEntry {
    pub href: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
}

/// The platform named `name`.
pub fn find(name: &str) -> Option<&'static Platform> {
    ALL.iter().copied().find(|p| p.name == name)
}

/// Every scope the platforms define, in platform order.
pub fn scopes() -> impl Iterator<Item = (usize, &'static ScopeDef)> {
    ALL.iter()
        .enumerate()
        .flat_map(|(i, p)| p.scopes.iter().map(move |s| (i, s)))
}

/// Every console navigation entry of the platforms.
pub fn console_nav() -> impl Iterator<Item = &'static NavEntry> {
    ALL.iter().flat_map(|p| p.console_nav.iter())
}
