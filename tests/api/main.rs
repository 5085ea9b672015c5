#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test
//! Integration tests over HTTP against the real server, on SQLite and (with
//! `TEST_DATABASE_URL`) PostgreSQL.

mod account;
mod admin_clients;
mod audit;
mod backchannel_logout;
mod backup;
mod carrier_web;
mod catalogue;
mod concurrency;
mod console;
mod crowdfunding;
mod crowdsourcing;
mod data_query;
mod demo;
mod errors;
mod financing;
mod health;
mod inbox;
mod keys_and_instances;
mod mutual_fund;
mod oauth_flow;
mod oauth_machine;
mod oidc_interop;
mod par;
mod passkeys;
mod resources;
mod risk;
mod sdk;
mod second_factor;
mod security;
