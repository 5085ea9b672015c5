use integration_tests::{Backend, backend_tests, spawn_app};
use serde_json::Value;

backend_tests!(
    healthz_answers_ok,
    readyz_answers_200_and_names_the_backend,
    readyz_answers_503_problem_when_the_database_is_gone,
    every_response_carries_a_request_id,
);

async fn healthz_answers_ok(backend: Backend) {
    let app = spawn_app(backend).await;
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ok");
}

async fn readyz_answers_200_and_names_the_backend(backend: Backend) {
    let expected = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres(_) => "postgres",
    };
    let app = spawn_app(backend).await;
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ready");
    assert_eq!(body["database"], expected);
}

async fn readyz_answers_503_problem_when_the_database_is_gone(backend: Backend) {
    let app = spawn_app(backend).await;
    app.db.close().await;
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 503);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["type"], "/problems/database-unavailable");
    // The liveness probe does not depend on the database.
    assert_eq!(app.get("/healthz").await.status(), 200);
}

async fn every_response_carries_a_request_id(backend: Backend) {
    let app = spawn_app(backend).await;
    let response = app.get("/healthz").await;
    let id = response.headers()["x-request-id"].to_str().unwrap();
    assert_eq!(id.len(), 36, "a UUID: {id}");
    // A caller's own id is kept, so a proxy's trace continues through us.
    let response = app
        .client
        .get(app.url("/healthz"))
        .header("x-request-id", "trace-abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-request-id"], "trace-abc-123");
}

/// With the database stopped, `/readyz` says so at once (503 within a second) and a request that
/// needs the database ends with 503 and `Retry-After` after the configured wait; both recover by
/// themselves when the database returns. PostgreSQL only: the database sits behind a relay the
/// test cuts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_database_is_told_quickly_and_recovered_from() {
    let Some((app, database)) =
        integration_tests::spawn_app_behind_proxy(|s| s.database.acquire_timeout = 2).await
    else {
        return;
    };
    let token = app.admin_token().await;
    let quick = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(1))
        .build()
        .unwrap();
    let patient = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .unwrap();
    let clients = || {
        patient
            .get(app.url("/api/admin/clients"))
            .bearer_auth(&token)
            .send()
    };
    assert_eq!(
        quick.get(app.url("/readyz")).send().await.unwrap().status(),
        200
    );
    assert_eq!(clients().await.unwrap().status(), 200);

    database.cut();
    let ready = quick
        .get(app.url("/readyz"))
        .send()
        .await
        .expect("/readyz answers within a second");
    assert_eq!(ready.status(), 503);
    let refused = clients()
        .await
        .expect("the API answers after its bounded wait");
    assert_eq!(refused.status(), 503);
    assert_eq!(refused.headers()["retry-after"], "5");
    assert_eq!(
        refused.headers()["content-type"],
        "application/problem+json"
    );
    let problem: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(problem["type"], "/problems/database-unavailable");

    database.restore();
    let mut status = 0;
    for _ in 0..100 {
        status = quick
            .get(app.url("/readyz"))
            .send()
            .await
            .map(|r| r.status().as_u16())
            .unwrap_or(0);
        if status == 200 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(status, 200, "ready again once the database is back");
    assert_eq!(clients().await.unwrap().status(), 200);
}
