//! The console's application pages, for platform administrators only.

use integration_tests::{Backend, backend_tests, hidden_field, location, page_text, spawn_app};

backend_tests!(
    an_administrator_registers_edits_rotates_and_removes_a_client,
    a_bad_redirect_uri_is_shown_on_the_form_and_nothing_is_stored,
    the_console_is_closed_to_other_roles,
);

async fn an_administrator_registers_edits_rotates_and_removes_a_client(backend: Backend) {
    let app = spawn_app(backend).await;
    app.load_demo().await;
    let admin = app.demo_browser("admin").await;

    let page = page_text(&admin, app.url("/console/clients")).await;
    assert!(
        page.contains("已登记的应用") && page.contains("cl_carrier_web_demo"),
        "{page}"
    );
    let csrf = hidden_field(&page, "csrf_token");
    let response = admin
        .post(app.url("/console/clients"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("name", "固原孵化基地门户"),
            (
                "redirect_uris",
                "https://guyuan.example/callback\r\nhttps://guyuan.example/cb2",
            ),
            ("scope", "openid profile"),
            ("grant_authorization_code", "on"),
            ("grant_refresh_token", "on"),
        ])
        .send()
        .await
        .unwrap();
    let client_page = location(&response);
    assert!(client_page.starts_with("/console/clients/cl_"));
    let client_id = client_page
        .trim_start_matches("/console/clients/")
        .to_owned();

    let page = page_text(&admin, app.url(&client_page)).await;
    assert!(
        page.contains("仅显示这一次"),
        "the secret is shown once: {page}"
    );
    let again = page_text(&admin, app.url(&client_page)).await;
    assert!(!again.contains("仅显示这一次"), "and only once");
    let stored = idp::oauth::clients::find(&app.db, &client_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        stored.redirect_uris,
        vec![
            "https://guyuan.example/callback",
            "https://guyuan.example/cb2"
        ]
    );

    let csrf = hidden_field(&again, "csrf_token");
    let response = admin
        .post(app.url(&client_page))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("name", "固原门户"),
            ("redirect_uris", "https://guyuan.example/callback"),
            ("scope", "openid profile email"),
            ("grant_authorization_code", "on"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&response), client_page);
    let stored = idp::oauth::clients::find(&app.db, &client_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.name, "固原门户");
    assert_eq!(stored.scope, "email openid profile");

    let response = admin
        .post(app.url(&format!("{client_page}/secret")))
        .form(&[("csrf_token", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&response), client_page);
    let page = page_text(&admin, app.url(&client_page)).await;
    assert!(page.contains("id=\"client-secret\""));

    let response = admin
        .post(app.url(&format!("{client_page}/delete")))
        .form(&[("csrf_token", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&response), "/console/clients");
    assert!(
        idp::oauth::clients::find(&app.db, &client_id)
            .await
            .unwrap()
            .is_none()
    );
}

async fn a_bad_redirect_uri_is_shown_on_the_form_and_nothing_is_stored(backend: Backend) {
    let app = spawn_app(backend).await;
    app.load_demo().await;
    let admin = app.demo_browser("admin").await;
    let before = idp::oauth::clients::list(&app.db).await.unwrap().len();
    let page = page_text(&admin, app.url("/console/clients")).await;
    let csrf = hidden_field(&page, "csrf_token");
    let response = admin
        .post(app.url("/console/clients"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("name", "x"),
            ("redirect_uris", "http://plain.example/cb"),
            ("scope", "openid"),
            ("grant_authorization_code", "on"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let page = response.text().await.unwrap();
    assert!(page.contains("http is only allowed for loopback"), "{page}");
    assert!(
        page.contains("http://plain.example/cb"),
        "the form keeps what was typed"
    );
    assert_eq!(
        idp::oauth::clients::list(&app.db).await.unwrap().len(),
        before
    );
}

async fn the_console_is_closed_to_other_roles(backend: Backend) {
    let app = spawn_app(backend).await;
    app.load_demo().await;
    assert!(location(&app.get("/console/clients").await).starts_with("/login"));
    let carrier = app.demo_browser("carrier").await;
    let response = carrier
        .get(app.url("/console/clients"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    assert!(response.text().await.unwrap().contains("仅限平台管理员"));
}
