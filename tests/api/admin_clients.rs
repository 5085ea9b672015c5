//! The admin JSON API for clients, and how the APIs answer bad bodies and bad tokens.

use integration_tests::{Backend, backend_tests, spawn_app};
use serde_json::{Value, json};

backend_tests!(
    admin_registers_lists_updates_and_removes_a_client,
    registering_with_a_bad_redirect_uri_is_a_400_problem_and_stores_nothing,
    malformed_json_is_a_400_problem,
    a_missing_field_is_a_400_problem_naming_it,
    a_body_that_is_not_json_is_a_415_problem,
    no_token_is_a_401_problem_with_a_bearer_challenge,
    a_token_without_the_admin_scope_is_a_403_naming_the_scope,
);

fn carrier_app() -> Value {
    json!({
        "name": "银川众创空间门户",
        "redirect_uris": ["https://carrier.example/callback"],
        "post_logout_redirect_uris": ["https://carrier.example/"],
        "scope": "openid profile offline_access catalogue:carrier:write"
    })
}

async fn admin_registers_lists_updates_and_removes_a_client(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = app.admin_token().await;
    let response = app
        .client
        .post(app.url("/api/admin/clients"))
        .bearer_auth(&token)
        .json(&carrier_app())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let created: Value = response.json().await.unwrap();
    let client_id = created["client_id"].as_str().unwrap().to_owned();
    assert!(client_id.starts_with("cl_"));
    assert!(
        created["client_secret"]
            .as_str()
            .unwrap()
            .starts_with("nxcs_")
    );
    assert_eq!(
        created["grant_types"],
        json!(["authorization_code", "refresh_token", "client_credentials"])
    );

    let listed: Value = app
        .client
        .get(app.url("/api/admin/clients"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["client_id"] == client_id.as_str())
    );
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c.get("client_secret").is_none()),
        "secrets are shown once"
    );

    let mut changed = carrier_app();
    changed["name"] = json!("新名称");
    let response = app
        .client
        .put(app.url(&format!("/api/admin/clients/{client_id}")))
        .bearer_auth(&token)
        .json(&changed)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let updated: Value = response.json().await.unwrap();
    assert_eq!(updated["name"], "新名称");

    let rotated: Value = app
        .client
        .post(app.url(&format!("/api/admin/clients/{client_id}/secret")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_ne!(rotated["client_secret"], created["client_secret"]);

    let response = app
        .client
        .delete(app.url(&format!("/api/admin/clients/{client_id}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    let response = app
        .client
        .get(app.url(&format!("/api/admin/clients/{client_id}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
}

async fn registering_with_a_bad_redirect_uri_is_a_400_problem_and_stores_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = app.admin_token().await;
    let before = idp::oauth::clients::list(&app.db).await.unwrap().len();
    for uri in [
        "http://carrier.example/callback",
        "https://carrier.example/cb#frag",
        "/relative",
    ] {
        let mut body = carrier_app();
        body["redirect_uris"] = json!([uri]);
        let response = app
            .client
            .post(app.url("/api/admin/clients"))
            .bearer_auth(&token)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{uri}");
        let problem: Value = response.json().await.unwrap();
        assert!(
            problem["detail"].as_str().unwrap().contains(uri),
            "{problem}"
        );
    }
    assert_eq!(
        idp::oauth::clients::list(&app.db).await.unwrap().len(),
        before
    );
}

async fn malformed_json_is_a_400_problem(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = app.admin_token().await;
    let response = app
        .client
        .post(app.url("/api/admin/clients"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{\"name\": \"x\",")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["type"], "/problems/malformed-json");
    assert!(problem["request_id"].is_string());
}

async fn a_missing_field_is_a_400_problem_naming_it(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = app.admin_token().await;
    let response = app
        .client
        .post(app.url("/api/admin/clients"))
        .bearer_auth(&token)
        .json(&json!({ "name": "x" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["type"], "/problems/invalid-body");
    assert!(
        problem["detail"].as_str().unwrap().contains("scope"),
        "{problem}"
    );
}

async fn a_body_that_is_not_json_is_a_415_problem(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = app.admin_token().await;
    let response = app
        .client
        .post(app.url("/api/admin/clients"))
        .bearer_auth(&token)
        .header("content-type", "text/plain")
        .body("name=x")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 415);
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["type"], "/problems/unsupported-media-type");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("application/json")
    );
}

async fn no_token_is_a_401_problem_with_a_bearer_challenge(backend: Backend) {
    let app = spawn_app(backend).await;
    let response = app.get("/api/admin/clients").await;
    assert_eq!(response.status(), 401);
    assert!(
        response.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Bearer")
    );
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
}

async fn a_token_without_the_admin_scope_is_a_403_naming_the_scope(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = app.machine_client("catalogue:carrier:read").await;
    let token = app.machine_token(&client, "catalogue:carrier:read").await;
    let response = app
        .client
        .get(app.url("/api/admin/clients"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    assert!(
        response.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .contains("insufficient_scope")
    );
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["required_scope"], "admin");
}

mod openapi {
    use integration_tests::{Backend, backend_tests, spawn_app};
    use serde_json::{Value, json};

    backend_tests!(the_openapi_document_matches_what_the_server_does);

    async fn the_openapi_document_matches_what_the_server_does(backend: Backend) {
        let app = spawn_app(backend).await;
        let doc: Value = app.get("/api/openapi.json").await.json().await.unwrap();
        let paths = &doc["paths"];
        for (path, method) in [
            ("/api/admin/clients", "get"),
            ("/api/admin/clients", "post"),
            ("/api/admin/clients/{client_id}", "get"),
            ("/api/admin/clients/{client_id}", "put"),
            ("/api/admin/clients/{client_id}", "delete"),
            ("/api/admin/clients/{client_id}/secret", "post"),
            ("/api/admin/organisations", "get"),
            ("/api/admin/organisations/{id}/freeze", "post"),
            ("/api/admin/audit", "get"),
            ("/api/crowdfunding/projects", "post"),
            ("/api/crowdfunding/projects/{id}/actions/{action}", "post"),
            ("/api/crowdfunding/projects/{id}/orders", "post"),
            ("/api/crowdfunding/orders/{id}/evaluation", "post"),
            ("/api/crowdfunding/scheduler/run", "post"),
            ("/api/inbox", "get"),
            ("/api/inbox/{id}/read", "post"),
            ("/api/inbox/{id}/acknowledge", "post"),
            ("/api/catalogue/enterprise", "post"),
            ("/api/catalogue/enterprise/import", "post"),
        ] {
            assert!(
                paths[path][method].is_object(),
                "{method} {path} is not documented"
            );
        }
        // Every documented ClientSpec property is one the server accepts (it refuses unknown ones)…
        let schemas = &doc["components"]["schemas"];
        let mut spec = serde_json::Map::new();
        for (name, _) in schemas["ClientSpec"]["properties"].as_object().unwrap() {
            let value = match name.as_str() {
                "public" => json!(false),
                "redirect_uris" => json!(["https://carrier.example/cb"]),
                "post_logout_redirect_uris" => json!([]),
                "grant_types" => json!(["authorization_code"]),
                "scope" => json!("openid"),
                "organisation_id" | "logo_uri" => Value::Null,
                "id_token_signed_response_alg" => json!("ES256"),
                "require_pushed_authorization_requests" => json!(false),
                "backchannel_logout_uri" => json!("https://carrier.example/backchannel-logout"),
                _ => json!("x"),
            };
            spec.insert(name.clone(), value);
        }
        let token = app.admin_token().await;
        let response = app
            .client
            .post(app.url("/api/admin/clients"))
            .bearer_auth(&token)
            .json(&spec)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
        // …and a Client as served has exactly the documented properties.
        let listed: Value = app
            .client
            .get(app.url("/api/admin/clients"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let served: std::collections::BTreeSet<&String> =
            listed[0].as_object().unwrap().keys().collect();
        let documented: std::collections::BTreeSet<&String> = schemas["Client"]["properties"]
            .as_object()
            .unwrap()
            .keys()
            .collect();
        assert_eq!(served, documented);
    }
}
