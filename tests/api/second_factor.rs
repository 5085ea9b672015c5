//! Second factors: a bank officer (a role that must have one) is taken to enrolment at sign-in
//! and signs in with an authenticator code afterwards; codes are good once, wrong codes count
//! toward the throttle, recovery codes work once; removal needs the password and a code; a
//! client asking for two factors (`acr_values=2`) gets them or an error, and the SDK reads
//! `amr`/`acr` from the verified ID token.

use idp::accounts::Role;
use idp::clock::Clock;
use integration_tests::{
    Backend, TestApp, backend_tests, hidden_field, location, page_text, spawn_app_with,
};
use nx_sdk::Client;

const REDIRECT: &str = "http://127.0.0.1:3000/callback";

async fn app_requiring(backend: Backend, roles: Vec<Role>) -> TestApp {
    let app = spawn_app_with(backend, |s| s.login.second_factor_roles = roles).await;
    app.load_demo().await;
    app
}

/// The six digits an authenticator app shows for `secret` at the server's time `at`.
fn code_at(secret: &str, at: i64) -> String {
    totp_rs::Builder::new()
        .with_secret(totp_rs::Secret::try_from_base32(secret).expect("a base32 key"))
        .build()
        .expect("a TOTP")
        .generate(at as u64)
        .to_string()
}

/// The text between `<code id="{id}">` and `</code>`.
fn code_element(page: &str, id: &str) -> String {
    let start = page
        .find(&format!("<code id=\"{id}\">"))
        .unwrap_or_else(|| panic!("#{id} in {page}"));
    let rest = &page[start..];
    let open = rest.find('>').unwrap() + 1;
    let close = rest.find("</code>").unwrap();
    rest[open..close].to_owned()
}

fn recovery_codes(page: &str) -> Vec<String> {
    let list = &page[page.find("id=\"recovery-codes\"").expect("the codes")..];
    let list = &list[..list.find("</ul>").unwrap()];
    list.split("<code>")
        .skip(1)
        .map(|part| part[..part.find("</code>").unwrap()].to_owned())
        .collect()
}

async fn post(
    app: &TestApp,
    browser: &reqwest::Client,
    page_path: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let page = page_text(browser, app.url(page_path)).await;
    let csrf = hidden_field(&page, "csrf_token");
    let mut form = vec![("csrf_token", csrf.as_str())];
    form.extend_from_slice(fields);
    browser
        .post(app.url(action))
        .form(&form)
        .send()
        .await
        .unwrap()
}

/// Signs `username` in with the password, is taken to enrolment, sets up the app; returns the
/// signed-in browser, the key and the recovery codes.
async fn enrol_at_sign_in(app: &TestApp, username: &str) -> (reqwest::Client, String, Vec<String>) {
    let browser = app.new_browser();
    let response = app
        .sign_in(&browser, username, idp::demo::DEMO_PASSWORD)
        .await;
    assert_eq!(
        location(&response),
        "/login/enrol",
        "{username} must enrol first"
    );
    // Not signed in yet: the account page sends back to the login page.
    let account = browser.get(app.url("/account")).send().await.unwrap();
    assert!(location(&account).starts_with("/login"), "{account:?}");

    let page = page_text(&browser, app.url("/login/enrol")).await;
    assert!(page.contains("<svg"), "a QR code: {page}");
    let secret = code_element(&page, "totp-secret");
    let wrong = post(
        app,
        &browser,
        "/login/enrol",
        "/login/enrol",
        &[("code", "000000")],
    )
    .await;
    assert_eq!(wrong.status(), 422);
    let code = code_at(&secret, app.clock.now());
    let done = post(
        app,
        &browser,
        "/login/enrol",
        "/login/enrol",
        &[("code", &code)],
    )
    .await;
    assert_eq!(done.status(), 200);
    let codes = recovery_codes(&done.text().await.unwrap());
    assert_eq!(codes.len(), 10);
    let account = page_text(&browser, app.url("/account")).await;
    assert!(account.contains("id=\"totp-status\""), "{account}");
    assert!(
        account.contains("<strong id=\"recovery-left\">10</strong>"),
        "{account}"
    );
    (browser, secret, codes)
}

async fn required_role_enrols_then_needs_codes(backend: Backend) {
    let app = app_requiring(backend, vec![Role::BankOfficer]).await;
    // A role not on the list signs in with the password alone.
    let carrier = app.new_browser();
    let response = app
        .sign_in(&carrier, "carrier", idp::demo::DEMO_PASSWORD)
        .await;
    assert_eq!(location(&response), "/account");

    let (_, secret, codes) = enrol_at_sign_in(&app, "bank").await;

    // The next sign-in asks for a code.
    let browser = app.new_browser();
    let response = app
        .sign_in(&browser, "bank", idp::demo::DEMO_PASSWORD)
        .await;
    assert_eq!(location(&response), "/login/verify");
    // The code used at enrolment is refused: same window.
    let replay = code_at(&secret, app.clock.now());
    let refused = post(
        &app,
        &browser,
        "/login/verify",
        "/login/verify",
        &[("code", &replay)],
    )
    .await;
    assert_eq!(refused.status(), 401);
    assert!(refused.text().await.unwrap().contains("已使用过"));
    let wrong = post(
        &app,
        &browser,
        "/login/verify",
        "/login/verify",
        &[("code", "123456")],
    )
    .await;
    assert_eq!(wrong.status(), 401);
    // The next window's code works, once.
    app.clock.advance(30);
    let fresh = code_at(&secret, app.clock.now());
    let ok = post(
        &app,
        &browser,
        "/login/verify",
        "/login/verify",
        &[("code", &fresh)],
    )
    .await;
    assert_eq!(location(&ok), "/account");
    assert_eq!(
        browser
            .get(app.url("/account"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let again = app.new_browser();
    app.sign_in(&again, "bank", idp::demo::DEMO_PASSWORD).await;
    let replayed = post(
        &app,
        &again,
        "/login/verify",
        "/login/verify",
        &[("code", &fresh)],
    )
    .await;
    assert_eq!(replayed.status(), 401);

    // A recovery code, typed loosely, works once.
    let loose = codes[0].to_uppercase().replace('-', " ");
    let ok = post(
        &app,
        &again,
        "/login/verify",
        "/login/verify",
        &[("code", &loose)],
    )
    .await;
    assert_eq!(location(&ok), "/account");
    let third = app.new_browser();
    app.sign_in(&third, "bank", idp::demo::DEMO_PASSWORD).await;
    let spent = post(
        &app,
        &third,
        "/login/verify",
        "/login/verify",
        &[("code", &codes[0])],
    )
    .await;
    assert_eq!(spent.status(), 401);
    let account = page_text(&again, app.url("/account")).await;
    assert!(
        account.contains("<strong id=\"recovery-left\">9</strong>"),
        "{account}"
    );

    // The audit trail has the enrolment and the refused codes, and no secret.
    let audit: serde_json::Value = app
        .client
        .get(app.url("/api/admin/audit?limit=200"))
        .bearer_auth(app.admin_token().await)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let text = audit.to_string();
    assert!(text.contains("user.totp_enrolled"), "{text}");
    // `after` is JSON inside JSON.
    assert!(text.contains(r#"\"second_factor\":\"replayed\""#), "{text}");
    assert!(!text.contains(&secret) && !text.contains(&codes[1]));
}

async fn wrong_codes_count_toward_the_throttle(backend: Backend) {
    let app = app_requiring(backend, vec![Role::BankOfficer]).await;
    let (_, secret, _) = enrol_at_sign_in(&app, "bank").await;
    app.clock.advance(30);
    let browser = app.new_browser();
    app.sign_in(&browser, "bank", idp::demo::DEMO_PASSWORD)
        .await;
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let wrong = post(
            &app,
            &browser,
            "/login/verify",
            "/login/verify",
            &[("code", "999999")],
        )
        .await;
        statuses.push(wrong.status().as_u16());
    }
    // The password's attempt and two wrong codes make three failures: the third code is
    // refused by the lock, right or wrong.
    assert_eq!(statuses, [401, 401, 429]);
    let right = code_at(&secret, app.clock.now());
    let locked = post(
        &app,
        &browser,
        "/login/verify",
        "/login/verify",
        &[("code", &right)],
    )
    .await;
    assert_eq!(locked.status(), 429);
}

/// The failures counted against the test's address (all accounts).
async fn address_failures(app: &TestApp) -> i64 {
    let sql = "SELECT CAST(COALESCE(SUM(failures), 0) AS BIGINT) FROM login_throttle WHERE throttle_key = 'ip:127.0.0.1'";
    match &app.db {
        idp::db::Db::Sqlite(pool, _) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
        idp::db::Db::Postgres(pool) => sqlx::query_scalar::<_, i64>(sql)
            .fetch_one(pool)
            .await
            .unwrap(),
    }
}

async fn two_step_sign_ins_leave_nothing_counted(backend: Backend) {
    let app = app_requiring(backend, vec![Role::BankOfficer]).await;
    let browser = app.new_browser();
    app.sign_in(&browser, "bank", idp::demo::DEMO_PASSWORD)
        .await;
    let page = page_text(&browser, app.url("/login/enrol")).await;
    let secret = code_element(&page, "totp-secret");
    let code = code_at(&secret, app.clock.now());
    let done = post(
        &app,
        &browser,
        "/login/enrol",
        "/login/enrol",
        &[("code", &code)],
    )
    .await;
    assert_eq!(done.status(), 200);
    assert_eq!(address_failures(&app).await, 0);
    for _ in 0..3 {
        app.clock.advance(30);
        let again = app.new_browser();
        app.sign_in(&again, "bank", idp::demo::DEMO_PASSWORD).await;
        let code = code_at(&secret, app.clock.now());
        let ok = post(
            &app,
            &again,
            "/login/verify",
            "/login/verify",
            &[("code", &code)],
        )
        .await;
        assert_eq!(location(&ok), "/account");
    }
    assert_eq!(
        address_failures(&app).await,
        0,
        "right sign-ins count nothing"
    );
}

async fn removal_needs_password_and_code(backend: Backend) {
    let app = app_requiring(backend, vec![]).await;
    let browser = app.demo_browser("enterprise").await;
    // Set up from the account page.
    let page = page_text(&browser, app.url("/account/totp")).await;
    let secret = code_element(&page, "totp-secret");
    let code = code_at(&secret, app.clock.now());
    let done = post(
        &app,
        &browser,
        "/account/totp",
        "/account/totp",
        &[("code", &code)],
    )
    .await;
    assert_eq!(done.status(), 200);
    assert_eq!(recovery_codes(&done.text().await.unwrap()).len(), 10);

    app.clock.advance(30);
    let code = code_at(&secret, app.clock.now());
    let wrong_password = post(
        &app,
        &browser,
        "/account",
        "/account/totp/remove",
        &[("password", "not-the-password"), ("code", &code)],
    )
    .await;
    assert_eq!(location(&wrong_password), "/account");
    let account = page_text(&browser, app.url("/account")).await;
    assert!(account.contains("密码不正确"), "{account}");
    assert!(
        account.contains("id=\"recovery-left\""),
        "still on: {account}"
    );

    app.clock.advance(30);
    let code = code_at(&secret, app.clock.now());
    post(
        &app,
        &browser,
        "/account",
        "/account/totp/remove",
        &[("password", idp::demo::DEMO_PASSWORD), ("code", &code)],
    )
    .await;
    let account = page_text(&browser, app.url("/account")).await;
    assert!(account.contains("id=\"totp-setup\""), "off: {account}");
    // Signing in is one step again.
    let fresh = app.new_browser();
    let response = app
        .sign_in(&fresh, "enterprise", idp::demo::DEMO_PASSWORD)
        .await;
    assert_eq!(location(&response), "/account");
}

async fn sdk_client(app: &TestApp) -> Client {
    let registered = app
        .register_client(idp::oauth::clients::ClientSpec {
            name: "两步验证测试应用".into(),
            redirect_uris: vec![REDIRECT.into()],
            scope: "openid profile".into(),
            ..Default::default()
        })
        .await;
    Client::discover(
        &app.address,
        &registered.client_id,
        registered.client_secret.clone(),
    )
    .await
    .unwrap()
    .with_redirect_uri(REDIRECT)
    .unwrap()
}

/// Follows redirects within the provider from `start`; the first page or foreign address.
async fn follow(app: &TestApp, browser: &reqwest::Client, start: &str) -> String {
    let mut next = start.to_owned();
    loop {
        let url = if next.starts_with('/') {
            app.url(&next)
        } else {
            next.clone()
        };
        if !url.starts_with(&app.address) {
            return next;
        }
        let response = browser.get(&url).send().await.unwrap();
        if !response.status().is_redirection() {
            return next;
        }
        next = location(&response);
    }
}

/// Allows on the consent page if it is shown; where the browser goes next.
async fn through_consent(app: &TestApp, browser: &reqwest::Client, at: String) -> String {
    if at != "/consent" {
        return at;
    }
    let response = post(
        app,
        browser,
        "/consent",
        "/consent",
        &[("decision", "allow")],
    )
    .await;
    location(&response)
}

fn query_of(url: &str) -> std::collections::HashMap<String, String> {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect()
}

async fn clients_asking_for_two_factors_get_them(backend: Backend) {
    let app = app_requiring(backend, vec![]).await;
    let sdk = sdk_client(&app).await;

    // One factor by default: the ID token says so.
    let browser = app.demo_browser("carrier").await;
    let request = sdk.authorize_url(&["openid"]);
    let at = follow(&app, &browser, request.url.as_str()).await;
    let back = through_consent(&app, &browser, at).await;
    let query = query_of(&back);
    let login = sdk
        .exchange_code(&query["code"], request.pkce_verifier, &request.nonce)
        .await
        .unwrap();
    assert_eq!(login.identity.acr.as_deref(), Some(nx_sdk::ACR_ONE_FACTOR));
    assert_eq!(login.identity.amr, ["pwd"]);
    assert!(!login.identity.has_two_factors());
    assert!(login.identity.session_id.is_some());

    // Two asked for, with prompt=none: an error, not one factor.
    let request = sdk
        .authorize_url_with(&["openid"], &[("acr_values", "2"), ("prompt", "none")])
        .unwrap();
    let back = follow(&app, &browser, request.url.as_str()).await;
    assert_eq!(query_of(&back)["error"], "interaction_required");
    // An acr the provider does not offer: an error.
    let request = sdk
        .authorize_url_with(&["openid"], &[("acr_values", "urn:example:gold")])
        .unwrap();
    let back = follow(&app, &browser, request.url.as_str()).await;
    assert_eq!(query_of(&back)["error"], "invalid_request");

    // Two asked for: the carrier (no factor yet, none required) is taken to enrolment, and the
    // login is raised to two factors.
    let request = sdk
        .authorize_url_with(&["openid"], &[("acr_values", "2")])
        .unwrap();
    let at = follow(&app, &browser, request.url.as_str()).await;
    assert_eq!(at, "/login/enrol");
    let page = page_text(&browser, app.url("/login/enrol")).await;
    let secret = code_element(&page, "totp-secret");
    let code = code_at(&secret, app.clock.now());
    let done = post(
        &app,
        &browser,
        "/login/enrol",
        "/login/enrol",
        &[("code", &code)],
    )
    .await;
    let page = done.text().await.unwrap();
    assert_eq!(recovery_codes(&page).len(), 10);
    let at = follow(&app, &browser, "/authorize/resume").await;
    let back = through_consent(&app, &browser, at).await;
    let login = sdk
        .exchange_code(
            &query_of(&back)["code"],
            request.pkce_verifier,
            &request.nonce,
        )
        .await
        .unwrap();
    assert!(login.identity.has_two_factors(), "{:?}", login.identity);
    assert_eq!(login.identity.amr, ["pwd", "otp"]);

    // A fresh one-factor login of someone with an app is stepped up with a code.
    app.clock.advance(30);
    let other = app.new_browser();
    let request = sdk
        .authorize_url_with(&["openid"], &[("acr_values", "2")])
        .unwrap();
    let at = follow(&app, &other, request.url.as_str()).await;
    assert!(at.starts_with("/login"), "{at}");
    let login_page = page_text(&other, app.url(&at)).await;
    let response = other
        .post(app.url("/login"))
        .form(&[
            (
                "csrf_token",
                hidden_field(&login_page, "csrf_token").as_str(),
            ),
            ("username", "carrier"),
            ("password", idp::demo::DEMO_PASSWORD),
            ("return_to", hidden_field(&login_page, "return_to").as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&response), "/login/verify");
    let code = code_at(&secret, app.clock.now());
    let response = post(
        &app,
        &other,
        "/login/verify",
        "/login/verify",
        &[("code", &code)],
    )
    .await;
    let back = location(&response);
    let login = sdk
        .exchange_code(
            &query_of(&back)["code"],
            request.pkce_verifier,
            &request.nonce,
        )
        .await
        .unwrap();
    assert!(login.identity.has_two_factors());

    // Discovery says what is offered.
    let discovery: serde_json::Value = app
        .client
        .get(app.url("/.well-known/openid-configuration"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        discovery["acr_values_supported"],
        serde_json::json!(["1", "2"])
    );
}

backend_tests!(
    required_role_enrols_then_needs_codes,
    wrong_codes_count_toward_the_throttle,
    two_step_sign_ins_leave_nothing_counted,
    removal_needs_password_and_code,
    clients_asking_for_two_factors_get_them,
);
