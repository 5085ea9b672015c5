//! The example carrier app (`examples/carrier-web`) against a real provider, through both
//! apps' pages with one cookie-aware client: forms need their CSRF token, and when the platform
//! ends the app's grant the app asks the user to sign in again instead of failing.

use integration_tests::{
    Backend, TestApp, backend_tests, hidden_field, location, page_text, spawn_app,
    spawn_carrier_app, through_provider_pages,
};

/// From the carrier's "sign in" through the platform's login (when asked) and consent pages,
/// back to the carrier's callback; the carrier's session is signed in afterwards.
async fn sign_in(app: &TestApp, browser: &reqwest::Client, carrier: &str) {
    let to_platform = browser
        .get(format!("{carrier}/login"))
        .send()
        .await
        .unwrap();
    let start = location(&to_platform);
    assert!(start.starts_with(&app.address), "{start}");
    let next = through_provider_pages(browser, &app.address, &start, "carrier").await;
    assert!(next.starts_with(carrier), "{next}");
    let signed_in = browser.get(&next).send().await.unwrap();
    if !signed_in.status().is_redirection() {
        panic!("{next}: {}", signed_in.text().await.unwrap());
    }
    assert_eq!(location(&signed_in), "/");
}

fn carrier_record(csrf_token: &str) -> [(&str, &str); 3] {
    [
        ("csrf_token", csrf_token),
        ("base_code", "BASE-CSRF-01"),
        ("enterprise_name", "银川创新孵化基地"),
    ]
}

async fn the_report_form_needs_its_csrf_token(backend: Backend) {
    let app = spawn_app(backend).await;
    let carrier = spawn_carrier_app(&app).await;
    let browser = app.new_browser();
    sign_in(&app, &browser, &carrier).await;
    let page = page_text(&browser, format!("{carrier}/report")).await;
    let csrf = hidden_field(&page, "csrf_token");

    for (token, why) in [("", "an empty token"), ("forged", "a forged token")] {
        let refused = browser
            .post(format!("{carrier}/report/carrier"))
            .form(&carrier_record(token))
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), 400, "{why}");
        assert!(
            refused.text().await.unwrap().contains("表单已过期"),
            "{why}"
        );
    }
    let missing = browser
        .post(format!("{carrier}/report/carrier"))
        .form(&[("base_code", "BASE-CSRF-01"), ("enterprise_name", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 400);
    let listed = page_text(&browser, format!("{carrier}/report")).await;
    assert!(
        !listed.contains("BASE-CSRF-01"),
        "a refused form stores nothing"
    );

    let accepted = browser
        .post(format!("{carrier}/report/carrier"))
        .form(&carrier_record(&csrf))
        .send()
        .await
        .unwrap();
    assert_eq!(location(&accepted), "/report");
    let listed = page_text(&browser, format!("{carrier}/report")).await;
    assert!(listed.contains("BASE-CSRF-01"), "{listed}");
}

async fn a_user_whose_grant_the_platform_ended_signs_in_again(backend: Backend) {
    let app = spawn_app(backend).await;
    let carrier = spawn_carrier_app(&app).await;
    let browser = app.new_browser();
    sign_in(&app, &browser, &carrier).await;
    assert_report_page_shows(&browser, &carrier).await;

    // On the platform's account page, the user withdraws the carrier app.
    let account = page_text(&browser, app.url("/account")).await;
    assert!(account.contains("塞上创客空间"), "{account}");
    let withdrawn = browser
        .post(app.url("/account/apps/withdraw"))
        .form(&[
            ("csrf_token", hidden_field(&account, "csrf_token").as_str()),
            ("client_id", hidden_field(&account, "client_id").as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&withdrawn), "/account");

    // The app's access token is refused now: its pages send the user to sign in, not to an error.
    for path in ["/report", "/report/carrier/ANY"] {
        let again = browser
            .get(format!("{carrier}{path}"))
            .send()
            .await
            .unwrap();
        assert_eq!(location(&again), "/login", "{path}");
    }

    // Signing in again (consent asked anew) brings the pages back.
    sign_in(&app, &browser, &carrier).await;
    assert_report_page_shows(&browser, &carrier).await;
}

/// The carrier's report page, with its form, as a signed-in user sees it.
async fn assert_report_page_shows(browser: &reqwest::Client, carrier: &str) {
    let page = page_text(browser, format!("{carrier}/report")).await;
    assert!(page.contains("id=\"carrier-form\""), "{page}");
}

backend_tests!(
    the_report_form_needs_its_csrf_token,
    a_user_whose_grant_the_platform_ended_signs_in_again,
);
