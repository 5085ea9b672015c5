use integration_tests::{Backend, backend_tests, location, page_text, spawn_app};
use serde_json::Value;

backend_tests!(
    unknown_route_is_a_404_problem_with_the_request_id,
    unknown_route_shows_a_page_to_a_browser,
    wrong_method_is_a_405_problem,
    every_page_form_refuses_a_forged_or_missing_csrf_token,
    problem_details_read_once_per_language,
);

/// A problem's detail says what went wrong once in Chinese and once in English, without a
/// generic sentence wrapped around a message that is itself bilingual.
async fn problem_details_read_once_per_language(backend: Backend) {
    let app = spawn_app(backend).await;
    let cases = [
        (
            app.client.get(app.url("/api/admin/clients")),
            "需要访问令牌 / a Bearer access token is required",
        ),
        (
            app.client
                .get(app.url("/api/admin/clients"))
                .bearer_auth("not-a-token"),
            "令牌格式有误或签名无效 / the token is malformed or its signature does not verify",
        ),
        (
            app.client
                .get(app.url("/api/crowdfunding/projects"))
                .bearer_auth(app.admin_token().await),
            "令牌缺少权限 crowdfunding。The token lacks the scope crowdfunding.",
        ),
    ];
    for (request, expected) in cases {
        let problem: Value = request.send().await.unwrap().json().await.unwrap();
        let detail = problem["detail"].as_str().unwrap();
        assert_eq!(detail, expected);
        for phrase in ["需要", "token is", "令牌缺少"] {
            assert!(detail.matches(phrase).count() <= 1, "{detail}");
        }
    }
}

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

/// Every form the pages post, sent by a signed-in administrator with a forged token and with
/// none: each is refused with the readable page, and none of them acted.
async fn every_page_form_refuses_a_forged_or_missing_csrf_token(backend: Backend) {
    let app = spawn_app(backend).await;
    app.load_demo().await;
    let admin = app.demo_browser("admin").await;
    let forms: [(&str, &[(&str, &str)]); 15] = [
        ("/login", &[("username", "admin"), ("password", "x")]),
        ("/consent", &[("decision", "allow")]),
        ("/logout", &[]),
        (
            "/account/apps/withdraw",
            &[("client_id", "cl_carrier_web_demo")],
        ),
        ("/account/logout-all", &[]),
        ("/account/sessions/end", &[("login_sid", "sid_x")]),
        (
            "/account/password",
            &[
                ("current_password", "x"),
                ("new_password", "another-password"),
            ],
        ),
        (
            "/console/clients",
            &[("name", "x"), ("redirect_uris", "https://x.example/cb")],
        ),
        (
            "/console/clients/cl_carrier_web_demo",
            &[("name", "renamed")],
        ),
        ("/console/clients/cl_carrier_web_demo/secret", &[]),
        ("/console/clients/cl_carrier_web_demo/delete", &[]),
        (
            "/console/organisations/org_x",
            &[("action", "freeze"), ("reason", "x")],
        ),
        ("/console/crowdfunding/CF-X", &[("decision", "approve")]),
        (
            "/console/financing/applications/ZD-X",
            &[("action", "approve")],
        ),
        ("/sandbox/pay/prepay_x", &[]),
    ];
    for (path, fields) in forms {
        for token in [Some("forged"), None] {
            let mut form: Vec<(&str, &str)> = fields.to_vec();
            if let Some(token) = token {
                form.push(("csrf_token", token));
            }
            let response = admin.post(app.url(path)).form(&form).send().await.unwrap();
            assert_eq!(response.status(), 400, "{path} with token {token:?}");
            let page = response.text().await.unwrap();
            assert!(page.contains("表单已过期或来源不明"), "{path}: {page}");
        }
    }
    // Still signed in (neither logout acted), and the client is neither renamed nor removed.
    let account = admin.get(app.url("/account")).send().await.unwrap();
    assert_eq!(account.status(), 200, "still signed in");
    let page = page_text(&admin, app.url("/console/clients/cl_carrier_web_demo")).await;
    assert!(!page.contains("renamed"), "{page}");
    let clients = page_text(&admin, app.url("/console/clients")).await;
    assert!(clients.contains("cl_carrier_web_demo"), "{clients}");
    let login = app
        .new_browser()
        .get(app.url("/account"))
        .send()
        .await
        .unwrap();
    assert!(location(&login).starts_with("/login"));
}
