//! Prometheus metrics: what operators watch. The names are constants here so the dashboard in
//! `docs/grafana-dashboard.json` and the code cannot disagree. No label holds a token, a secret,
//! a user id or a name: routes are templates (`/api/inbox/{id}/read`), record types are the
//! spec's slugs, grant types and actions are fixed words.

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::db::Db;

/// Requests by route template, method and status.
pub const HTTP_REQUESTS: &str = "idp_http_requests_total";
/// Their latency, seconds.
pub const HTTP_DURATION: &str = "idp_http_request_duration_seconds";
/// Tokens issued by the token endpoint, by grant type.
pub const TOKENS_ISSUED: &str = "idp_tokens_issued_total";
/// Refresh tokens presented again after their rotation (the grant is revoked).
pub const REFRESH_REUSE: &str = "idp_refresh_token_reuse_total";
/// Sign-ins by outcome: `success`, `failure`, `locked`.
pub const LOGINS: &str = "idp_logins_total";
/// Back-channel logout notifications by outcome: `delivered`, `retry`, `abandoned`.
pub const BACKCHANNEL_LOGOUTS: &str = "idp_backchannel_logouts_total";
/// Catalogue records reported, by record type and outcome (`accepted`, `refused`).
pub const CATALOGUE_RECORDS: &str = "idp_catalogue_records_total";
/// How long a file import took, seconds, by record type.
pub const IMPORT_DURATION: &str = "idp_catalogue_import_duration_seconds";
/// Scheduled job runs by job and outcome (`ok`, `failed`, `held_elsewhere`).
pub const JOB_RUNS: &str = "idp_job_runs_total";
/// When each job last succeeded on this instance (Unix seconds).
pub const JOB_LAST_SUCCESS: &str = "idp_job_last_success_timestamp_seconds";
/// A platform's workflow steps by platform and action.
pub const PLATFORM_TRANSITIONS: &str = "idp_platform_transitions_total";
/// Database connections of the main pool: `in_use`, `idle` and the pool's `max`.
pub const DB_CONNECTIONS: &str = "idp_db_connections";
/// Requests waiting to start a write transaction (SQLite's one writer at a time, or a free
/// PostgreSQL connection). Reads wait inside the driver, which does not say; `in_use` at `max`
/// is their sign.
pub const DB_WAITING: &str = "idp_db_waiting_writers";

const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];
const IMPORT_BUCKETS: &[f64] = &[0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0];

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Installs the process's recorder (once; every application of the process shares it).
pub fn install() {
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full(HTTP_DURATION.into()), LATENCY_BUCKETS)
            .and_then(|b| {
                b.set_buckets_for_metric(Matcher::Full(IMPORT_DURATION.into()), IMPORT_BUCKETS)
            })
            .and_then(|b| b.install_recorder());
        match recorder {
            Ok(handle) => Some(handle),
            Err(e) => {
                tracing::warn!(error = %e, "metrics are off: no recorder could be installed");
                None
            }
        }
    });
}

/// The metrics in Prometheus's text format, with the pool's gauges read now.
pub fn render(db: &Db, max: u32) -> String {
    let (size, idle) = db.pool_counts();
    metrics::gauge!(DB_CONNECTIONS, "state" => "in_use").set(f64::from(size.saturating_sub(idle)));
    metrics::gauge!(DB_CONNECTIONS, "state" => "idle").set(f64::from(idle));
    metrics::gauge!(DB_CONNECTIONS, "state" => "max").set(f64::from(max));
    metrics::gauge!(DB_WAITING).set(crate::db::waiting_writers() as f64);
    match HANDLE.get() {
        Some(Some(handle)) => handle.render(),
        _ => String::new(),
    }
}

/// Counts and times every request by its route template (the fallback's are `unmatched`).
pub async fn track(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let method = request.method().as_str().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::histogram!(HTTP_DURATION, "route" => route.clone(), "method" => method.clone())
        .record(started.elapsed().as_secs_f64());
    metrics::counter!(HTTP_REQUESTS, "route" => route, "method" => method, "status" => status)
        .increment(1);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: &[&str] = &[
        HTTP_REQUESTS,
        HTTP_DURATION,
        TOKENS_ISSUED,
        REFRESH_REUSE,
        LOGINS,
        BACKCHANNEL_LOGOUTS,
        CATALOGUE_RECORDS,
        IMPORT_DURATION,
        JOB_RUNS,
        JOB_LAST_SUCCESS,
        PLATFORM_TRANSITIONS,
        DB_CONNECTIONS,
        DB_WAITING,
    ];

    /// The dashboard operators import names only metrics the server has, and shows them all.
    #[test]
    fn the_dashboard_and_the_server_name_the_same_metrics() {
        let dashboard = include_str!("../../docs/grafana-dashboard.json");
        let mut named: Vec<&str> = dashboard
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .filter(|w| w.starts_with("idp_"))
            .map(|w| {
                w.strip_suffix("_bucket")
                    .or_else(|| w.strip_suffix("_count"))
                    .or_else(|| w.strip_suffix("_sum"))
                    .unwrap_or(w)
            })
            .collect();
        named.sort_unstable();
        named.dedup();
        let mut all = ALL.to_vec();
        all.sort_unstable();
        assert_eq!(named, all);
    }
}
