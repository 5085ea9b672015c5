//! Step 33, passkeys: Chromium's virtual authenticator (a WebDriver extension) stands in for a
//! phone or a security key. On a platform served under a domain name (`localhost`; browsers
//! refuse an IP address as a relying party) the enterprise user registers a passkey on the
//! account page, signs out, signs in with the passkey alone, then with the password and the
//! passkey as the second step.

use std::time::Duration;

use fantoccini::Client;
use fantoccini::wd::WebDriverCompatibleCommand;

use super::{click, element, fill, shot, wait_text};

/// `POST /session/{id}/webauthn/authenticator` (WebAuthn Level 2, §11.3): a CTAP2 platform
/// authenticator that keeps resident keys and verifies its user.
#[derive(Debug)]
struct AddVirtualAuthenticator;

impl WebDriverCompatibleCommand for AddVirtualAuthenticator {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/webauthn/authenticator",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (axum::http::Method, Option<String>) {
        let body = serde_json::json!({
            "protocol": "ctap2",
            "transport": "internal",
            "hasResidentKey": true,
            "hasUserVerification": true,
            "isUserVerified": true,
            "isUserConsenting": true,
        });
        (axum::http::Method::POST, Some(body.to_string()))
    }
}

async fn wait_path(browser: &Client, path: &str) {
    for _ in 0..200 {
        if browser.current_url().await.is_ok_and(|u| u.path() == path) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    shot(browser, "failure").await;
    panic!(
        "never reached {path}: at {:?}",
        browser.current_url().await.map(|u| u.to_string())
    );
}

pub async fn passkeys_in_the_browser(browser: &Client) {
    let idp = integration_tests::spawn_app_with(integration_tests::Backend::Sqlite, |s| {
        s.issuer = format!("http://localhost:{}", s.listen.port())
            .parse()
            .unwrap();
    })
    .await;
    idp.load_demo().await;
    let site = idp.address.replace("127.0.0.1", "localhost");
    browser.issue_cmd(AddVirtualAuthenticator).await.unwrap();

    browser.goto(&format!("{site}/login")).await.unwrap();
    fill(browser, "#username", "enterprise").await;
    fill(browser, "#password", idp::demo::DEMO_PASSWORD).await;
    click(browser, "#login-submit").await;
    wait_path(browser, "/account").await;
    fill(browser, "#passkey-name", "办公室电脑").await;
    click(browser, "#passkey-add").await;
    let listed = wait_text(browser, "#passkeys", |t| t.contains("办公室电脑")).await;
    assert!(listed.contains("办公室电脑"), "{listed}");
    shot(browser, "33-passkey-registered").await;

    // Signed out, then in with the passkey alone: the username, no password.
    browser.goto(&format!("{site}/logout")).await.unwrap();
    click(browser, "#logout-confirm").await;
    wait_text(browser, "h1", |t| t.contains("已退出")).await;
    browser.goto(&format!("{site}/login")).await.unwrap();
    fill(browser, "#username", "enterprise").await;
    click(browser, "#login-passkey").await;
    wait_path(browser, "/account").await;
    let used = wait_text(browser, "#passkeys", |t| t.contains("最近使用")).await;
    assert!(used.contains("最近使用"), "{used}");
    shot(browser, "34-signed-in-with-passkey").await;

    // With the password, the passkey is the second step.
    browser.goto(&format!("{site}/logout")).await.unwrap();
    click(browser, "#logout-confirm").await;
    wait_text(browser, "h1", |t| t.contains("已退出")).await;
    browser.goto(&format!("{site}/login")).await.unwrap();
    fill(browser, "#username", "enterprise").await;
    fill(browser, "#password", idp::demo::DEMO_PASSWORD).await;
    click(browser, "#login-submit").await;
    wait_path(browser, "/login/verify").await;
    element(browser, "#verify-passkey").await;
    click(browser, "#verify-passkey").await;
    wait_path(browser, "/account").await;
    shot(browser, "35-passkey-as-second-step").await;

    // The audit trail has the registration and the sign-ins.
    let audit = {
        let entries = idp::audit::list(
            &idp.db,
            &idp::audit::Filter {
                action: "user.passkey".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .unwrap();
        entries.len()
    };
    assert_eq!(audit, 1);
}
