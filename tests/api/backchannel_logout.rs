//! OpenID Connect Back-Channel Logout: signing out at the platform ends the example carrier
//! app's session through a logout token; a notification the app cannot take (it is down) is
//! retried and delivered when it returns; the SDK refuses what is not a fresh logout token for
//! its client (an ID token, a replay, garbage).

use std::sync::atomic::Ordering;
use std::time::Duration;

use integration_tests::{
    Backend, TestApp, backend_tests, hidden_field, location, page_text, spawn_app,
    spawn_carrier_app_gated, through_provider_pages,
};

async fn sign_in_at_carrier(app: &TestApp, browser: &reqwest::Client, carrier: &str) {
    let to_platform = browser
        .get(format!("{carrier}/login"))
        .send()
        .await
        .unwrap();
    let next =
        through_provider_pages(browser, &app.address, &location(&to_platform), "carrier").await;
    let signed_in = browser.get(&next).send().await.unwrap();
    assert_eq!(location(&signed_in), "/");
}

async fn carrier_signed_in(browser: &reqwest::Client, carrier: &str) -> bool {
    page_text(browser, format!("{carrier}/"))
        .await
        .contains("id=\"username\"")
}

/// Waits (real time: the deliverer runs every second) until `done` holds; false after 15 s.
async fn eventually<F, Fut>(mut done: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    for _ in 0..150 {
        if done().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

async fn outbox(app: &TestApp) -> Vec<idp::oauth::backchannel::Notification> {
    let client_id: String = match &app.db {
        idp::db::Db::Sqlite(pool, _) => sqlx::query_scalar(
            "SELECT id FROM clients WHERE backchannel_logout_uri LIKE '%/backchannel-logout' AND name = '塞上创客空间'",
        )
        .fetch_one(pool)
        .await
        .unwrap(),
        idp::db::Db::Postgres(pool) => sqlx::query_scalar(
            "SELECT id FROM clients WHERE backchannel_logout_uri LIKE '%/backchannel-logout' AND name = '塞上创客空间'",
        )
        .fetch_one(pool)
        .await
        .unwrap(),
    };
    idp::oauth::backchannel::recent(&app.db, &client_id)
        .await
        .unwrap()
}

/// Signs the platform session of `provider_browser` out everywhere from the account page.
async fn sign_out_everywhere(app: &TestApp, provider_browser: &reqwest::Client) {
    let account = page_text(provider_browser, app.url("/account")).await;
    let response = provider_browser
        .post(app.url("/account/logout-all"))
        .form(&[("csrf_token", hidden_field(&account, "csrf_token"))])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&response), "/login");
}

async fn signing_out_at_the_platform_ends_the_app_session(backend: Backend) {
    let app = spawn_app(backend).await;
    let (carrier, _) = spawn_carrier_app_gated(&app).await;
    let browser = app.new_browser();
    sign_in_at_carrier(&app, &browser, &carrier).await;
    assert!(carrier_signed_in(&browser, &carrier).await);

    sign_out_everywhere(&app, &browser).await;
    assert!(
        eventually(|| async { !carrier_signed_in(&browser, &carrier).await }).await,
        "the carrier app's session ended: {:?}",
        outbox(&app).await
    );
    let sent = outbox(&app).await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(sent[0].delivered_at.is_some() && sent[0].session_id.is_some());

    // Withdrawing the app at the platform ends a new login too.
    sign_in_at_carrier(&app, &browser, &carrier).await;
    let account = page_text(&browser, app.url("/account")).await;
    let client_id = hidden_field(&account, "client_id");
    browser
        .post(app.url("/account/apps/withdraw"))
        .form(&[
            ("csrf_token", hidden_field(&account, "csrf_token")),
            ("client_id", client_id),
        ])
        .send()
        .await
        .unwrap();
    assert!(eventually(|| async { !carrier_signed_in(&browser, &carrier).await }).await);
}

async fn an_app_that_is_down_is_told_when_it_returns(backend: Backend) {
    let app = spawn_app(backend).await;
    let (carrier, up) = spawn_carrier_app_gated(&app).await;
    let browser = app.new_browser();
    sign_in_at_carrier(&app, &browser, &carrier).await;

    up.store(false, Ordering::SeqCst);
    sign_out_everywhere(&app, &browser).await;
    assert!(
        eventually(|| async { outbox(&app).await.first().is_some_and(|n| n.attempts >= 1) }).await
    );
    let failed = outbox(&app).await;
    assert!(failed[0].delivered_at.is_none(), "{failed:?}");
    assert!(
        failed[0]
            .last_error
            .as_deref()
            .unwrap_or_default()
            .contains("503"),
        "{failed:?}"
    );
    // Still signed in at the app: it never heard.
    assert!(carrier_signed_in(&browser, &carrier).await);

    // Back up; the retry is due after the backoff (the platform's clock moves on).
    up.store(true, Ordering::SeqCst);
    app.clock.advance(31);
    assert!(
        eventually(|| async { outbox(&app).await[0].delivered_at.is_some() }).await,
        "{:?}",
        outbox(&app).await
    );
    assert!(!carrier_signed_in(&browser, &carrier).await);
    assert_eq!(outbox(&app).await[0].attempts, 2);
}

async fn the_app_refuses_what_is_not_a_logout_token(backend: Backend) {
    let app = spawn_app(backend).await;
    let (carrier, _) = spawn_carrier_app_gated(&app).await;
    let post = |token: String| {
        let carrier = carrier.clone();
        async move {
            reqwest::Client::new()
                .post(format!("{carrier}/backchannel-logout"))
                .form(&[("logout_token", token)])
                .send()
                .await
                .unwrap()
        }
    };
    assert_eq!(post("not-a-jwt".into()).await.status(), 400);

    // An ID token of the same client is signed by the provider but is no logout token.
    let sdk = nx_sdk::Client::discover(
        &app.address,
        idp::demo::CARRIER_APP_CLIENT_ID,
        Some(idp::demo::CARRIER_APP_SECRET.into()),
    )
    .await
    .unwrap()
    .with_redirect_uri(idp::demo::CARRIER_APP_REDIRECT_URI)
    .unwrap();
    let request = sdk.authorize_url(&["openid"]);
    let (code, _) = crate::sdk::sign_in_through_pages(&app, request.url.as_str(), "carrier").await;
    let login = sdk
        .exchange_code(&code, request.pkce_verifier, &request.nonce)
        .await
        .unwrap();
    let id_token = login.tokens.id_token.clone().unwrap();
    let refused = sdk.verify_logout_token(&id_token).await.unwrap_err();
    assert!(refused.to_string().contains("logout token"), "{refused}");
}

backend_tests!(
    signing_out_at_the_platform_ends_the_app_session,
    an_app_that_is_down_is_told_when_it_returns,
    the_app_refuses_what_is_not_a_logout_token,
);
