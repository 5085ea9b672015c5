use integration_tests::{Backend, backend_tests, spawn_app};
use serde_json::Value;

backend_tests!(
    unknown_route_is_a_404_problem_with_the_request_id,
    unknown_route_shows_a_page_to_a_browser,
    wrong_method_is_a_405_problem,
);

async fn unknown_route_is_a_404_problem_with_the_request_id(backend: Backend) {
    let app = spawn_app(backend).await;
    let response = app.get("/no/such/thing").await;
    assert_eq!(response.status(), 404);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let header_id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["type"], "/problems/not-found");
    assert_eq!(body["status"], 404);
    assert!(
        body["detail"].as_str().unwrap().contains("/no/such/thing"),
        "{body}"
    );
    assert_eq!(body["request_id"], header_id.as_str());
}

async fn unknown_route_shows_a_page_to_a_browser(backend: Backend) {
    let app = spawn_app(backend).await;
    let response = app
        .client
        .get(app.url("/no/such/page"))
        .header("accept", "text/html,application/xhtml+xml")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let page = response.text().await.unwrap();
    assert!(page.contains("页面不存在"), "{page}");
    assert!(page.contains("Page not found"), "{page}");
}

async fn wrong_method_is_a_405_problem(backend: Backend) {
    let app = spawn_app(backend).await;
    let response = app.client.delete(app.url("/healthz")).send().await.unwrap();
    assert_eq!(response.status(), 405);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["type"], "/problems/method-not-allowed");
}
