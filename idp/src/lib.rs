//! The identity provider and data platform of the Ningxia makerspace shared platform
//! (宁夏众创空间共享平台): an OAuth 2.0 / OpenID Connect provider, the reporting catalogue and the
//! business platforms behind it.

pub mod accounts;
pub mod audit;
pub mod backup;
pub mod catalogue;
pub mod cli;
pub mod cli_admin;
pub mod clock;
pub mod crowdfunding;
pub mod crowdsourcing;
pub mod db;
pub mod demo;
pub mod error;
pub mod financing;
pub mod housekeeping;
pub mod http;
pub mod inbox;
pub mod listener;
pub mod metrics;
pub mod oauth;
pub mod payments;
pub mod platform;
pub mod request_id;
pub mod resources;
pub mod server_secrets;
pub mod settings;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod web;

pub use startup::Application;
