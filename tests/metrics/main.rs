#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test
//! `/metrics` after a scripted run of each kind of request: the counts match what was sent, and
//! no label or value holds a token, a secret, a password or a user's id or name; and `/metrics`
//! can move to a listener of its own. A test binary with one test, because the metrics recorder
//! belongs to the process: with other tests running beside it, no count could be checked
//! exactly.

use std::collections::HashMap;

use integration_tests::{Backend, TestApp, spawn_app};
use serde_json::json;

/// The series of a scrape: `name{labels}` → value (histogram buckets included).
async fn scrape(app: &TestApp) -> (HashMap<String, f64>, String) {
    let response = app.get("/metrics").await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = response.text().await.unwrap();
    let series = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .filter_map(|l| {
            let (key, value) = l.rsplit_once(' ')?;
            Some((key.to_owned(), value.parse().ok()?))
        })
        .collect();
    (series, text)
}

fn delta(before: &HashMap<String, f64>, after: &HashMap<String, f64>, key: &str) -> f64 {
    after.get(key).copied().unwrap_or(0.0) - before.get(key).copied().unwrap_or(0.0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_what_was_sent_and_hold_no_secret() {
    let mut backends = vec![Backend::Sqlite];
    backends.extend(Backend::postgres());
    for backend in backends {
        run(spawn_app(backend).await).await;
    }
    metrics_can_have_a_listener_of_their_own().await;
}

/// With `metrics.listen` set, `/metrics` is served there only. (Called after the counting
/// run: its 404 would disturb the counts.)
async fn metrics_can_have_a_listener_of_their_own() {
    let app = integration_tests::spawn_app_with(Backend::Sqlite, |s| {
        s.metrics.listen = Some("127.0.0.1:0".parse().unwrap());
    })
    .await;
    assert_eq!(app.get("/metrics").await.status(), 404);
    let own = app.metrics_address.clone().unwrap();
    let text = app
        .client
        .get(format!("{own}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(text.contains("idp_db_connections"), "{text}");
}

async fn run(app: TestApp) {
    app.load_demo().await;
    let job = app
        .carrier_job("metrics job", "catalogue:carrier:write")
        .await;
    let (before, _) = scrape(&app).await;

    // Three tokens by client_credentials.
    let mut token = String::new();
    for _ in 0..3 {
        token = app.machine_token(&job, "catalogue:carrier:write").await;
    }
    // Two failed sign-ins and one that succeeds.
    for _ in 0..2 {
        let browser = app.new_browser();
        let refused = app.sign_in(&browser, "carrier", "not-the-password").await;
        assert_eq!(refused.status(), 401);
    }
    app.demo_browser("carrier").await;
    // Two carrier records accepted, then a batch of one good and one bad refused whole.
    let report = |body: serde_json::Value| {
        app.client
            .post(app.url("/api/catalogue/carrier"))
            .bearer_auth(&token)
            .json(&body)
            .send()
    };
    let good = |code: &str| json!({"BASE_CODE": code, "ENTERPRISE_NAME": "银川创新孵化基地"});
    let accepted = report(json!([good("BASE-M-1"), good("BASE-M-2")]))
        .await
        .unwrap();
    assert_eq!(accepted.status(), 200);
    let refused = report(json!([good("BASE-M-3"), {"BASE_CODE": "BASE-M-4"}]))
        .await
        .unwrap();
    assert_eq!(refused.status(), 422);
    // One address nobody serves.
    assert_eq!(app.get("/no/such/thing").await.status(), 404);

    let (after, text) = scrape(&app).await;
    let d = |key: &str| delta(&before, &after, key);
    assert_eq!(
        d(r#"idp_tokens_issued_total{grant_type="client_credentials"}"#),
        3.0
    );
    assert_eq!(d(r#"idp_logins_total{outcome="failure"}"#), 2.0);
    assert_eq!(d(r#"idp_logins_total{outcome="success"}"#), 1.0);
    assert_eq!(
        d(r#"idp_catalogue_records_total{type="carrier",outcome="accepted"}"#),
        2.0
    );
    assert_eq!(
        d(r#"idp_catalogue_records_total{type="carrier",outcome="refused"}"#),
        2.0
    );
    assert_eq!(
        d(r#"idp_http_requests_total{route="/token",method="POST",status="200"}"#),
        3.0
    );
    assert_eq!(
        d(
            r#"idp_http_requests_total{route="/api/catalogue/{record_type}",method="POST",status="422"}"#
        ),
        1.0
    );
    assert_eq!(
        d(r#"idp_http_requests_total{route="unmatched",method="GET",status="404"}"#),
        1.0
    );
    assert!(d(r#"idp_http_request_duration_seconds_count{route="/token",method="POST"}"#) >= 3.0);
    assert!(
        after.contains_key(r#"idp_db_connections{state="in_use"}"#),
        "{text}"
    );
    assert!(
        after
            .keys()
            .any(|k| k.starts_with(r#"idp_job_runs_total{job="housekeeping.sweep""#)),
        "{text}"
    );

    let carrier = idp::accounts::find_user_by_username(&app.db, "carrier")
        .await
        .unwrap()
        .unwrap();
    for secret in [
        token.as_str(),
        job.client_secret.as_deref().unwrap(),
        idp::demo::DEMO_PASSWORD,
        "not-the-password",
        carrier.id.as_str(),
        carrier.display_name.as_str(),
        "BASE-M-1",
    ] {
        assert!(!text.contains(secret), "{secret} is in the metrics");
    }
}
