//! Passkeys' server side without a browser (the browser test registers one and signs in with
//! Chromium's virtual authenticator): the registration options name the platform's domain as
//! the relying party and the user; an answer that is not a valid credential is refused and
//! nothing is stored; signing in with a passkey needs one registered and a ceremony started;
//! a platform served at an IP address offers none.

use integration_tests::{
    Backend, TestApp, backend_tests, hidden_field, page_text, spawn_app, spawn_app_with,
};

async fn post(
    app: &TestApp,
    browser: &reqwest::Client,
    page: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> (u16, serde_json::Value) {
    let text = page_text(browser, app.url(page)).await;
    let csrf = hidden_field(&text, "csrf_token");
    let mut form = vec![("csrf_token", csrf.as_str())];
    form.extend_from_slice(fields);
    let response = browser
        .post(app.url(action))
        .form(&form)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or_default())
}

async fn ceremonies_on_a_domain(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.issuer = format!("http://localhost:{}", s.listen.port())
            .parse()
            .unwrap();
    })
    .await;
    app.load_demo().await;
    let browser = app.demo_browser("enterprise").await;
    let account = page_text(&browser, app.url("/account")).await;
    assert!(account.contains("id=\"passkey-add\""), "{account}");

    let (status, options) =
        post(&app, &browser, "/account", "/account/passkeys/options", &[]).await;
    assert_eq!(status, 200, "{options}");
    let key = &options["publicKey"];
    assert_eq!(key["rp"]["id"], "localhost");
    assert_eq!(key["user"]["name"], "enterprise");
    assert!(
        key["challenge"].as_str().is_some_and(|c| c.len() >= 32),
        "{key}"
    );
    assert_eq!(
        key["authenticatorSelection"]["userVerification"],
        "required"
    );

    let forged = r#"{"id":"AAAA","rawId":"AAAA","type":"public-key","response":{"attestationObject":"AAAA","clientDataJSON":"AAAA"},"extensions":{}}"#;
    let (status, refused) = post(
        &app,
        &browser,
        "/account",
        "/account/passkeys",
        &[("name", "x"), ("credential", forged)],
    )
    .await;
    assert_eq!(status, 400, "{refused}");
    assert!(refused["message"].as_str().is_some_and(|m| !m.is_empty()));
    // The ceremony was used up: answering again needs new options.
    let (status, _) = post(
        &app,
        &browser,
        "/account",
        "/account/passkeys",
        &[("name", "x"), ("credential", forged)],
    )
    .await;
    assert_eq!(status, 400);
    let account = page_text(&browser, app.url("/account")).await;
    assert!(!account.contains("passkey-name\">x<"), "nothing stored");

    // Signing in with a passkey: none registered.
    let stranger = app.new_browser();
    let (status, refused) = post(
        &app,
        &stranger,
        "/login",
        "/login/passkey/options",
        &[("username", "enterprise")],
    )
    .await;
    assert_eq!(status, 404);
    assert!(
        refused["message"].as_str().unwrap().contains("通行密钥"),
        "{refused}"
    );
    // An answer without a ceremony.
    let (status, _) = post(
        &app,
        &stranger,
        "/login",
        "/login/passkey",
        &[("credential", forged)],
    )
    .await;
    assert_eq!(status, 400);
}

async fn none_on_an_ip_address(backend: Backend) {
    let app = spawn_app(backend).await;
    app.load_demo().await;
    let browser = app.demo_browser("enterprise").await;
    let account = page_text(&browser, app.url("/account")).await;
    assert!(!account.contains("id=\"passkey-add\""));
    let (status, refused) =
        post(&app, &browser, "/account", "/account/passkeys/options", &[]).await;
    assert_eq!(status, 404);
    assert!(
        refused["message"].as_str().unwrap().contains("域名"),
        "{refused}"
    );
}

backend_tests!(ceremonies_on_a_domain, none_on_an_ip_address);
