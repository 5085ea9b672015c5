//! Attacks on the identity provider's pages and listener: open redirects, racing and weaponised
//! login throttles, weak passwords and what a password change ends, slow headers, and the
//! headers every answer carries.

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use integration_tests::{
    Backend, TestApp, backend_tests, hidden_field, location, page_text, spawn_app, spawn_app_with,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

backend_tests!(
    return_to_with_a_tab_or_newline_stays_on_the_site,
    parallel_logins_cannot_outrun_the_throttle,
    a_stranger_cannot_lock_the_owner_out,
    guessing_from_many_addresses_spares_the_owners_known_address,
    weak_passwords_are_refused_and_a_change_ends_other_sessions_and_grants,
    the_current_password_check_is_throttled,
    slow_header_clients_are_cut_off_and_cannot_hold_every_connection,
    answers_are_not_cached_and_pages_carry_their_headers,
);

/// A browser whose connections come from `127.0.0.N` (all of 127/8 is this machine).
fn browser_from(n: u8) -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .local_address(IpAddr::V4(Ipv4Addr::new(127, 0, 0, n)))
        .build()
        .unwrap()
}

/// One login attempt with a fresh form; returns the status.
async fn attempt(app: &TestApp, browser: &reqwest::Client, user: &str, password: &str) -> u16 {
    app.sign_in(browser, user, password).await.status().as_u16()
}

async fn return_to_with_a_tab_or_newline_stays_on_the_site(backend: Backend) {
    let app = spawn_app(backend).await;
    app.load_demo().await;
    for hostile in [
        "/\t/127.0.0.1:9911/pwned",
        "/\n/evil.example",
        "/\r\nSet-Cookie: x=y",
        "//evil.example",
    ] {
        let browser = app.new_browser();
        let page = page_text(
            &browser,
            app.url(&format!(
                "/login?return_to={}",
                url::form_urlencoded::byte_serialize(hostile.as_bytes()).collect::<String>()
            )),
        )
        .await;
        let response = browser
            .post(app.url("/login"))
            .form(&[
                ("csrf_token", hidden_field(&page, "csrf_token").as_str()),
                ("username", "enterprise"),
                ("password", idp::demo::DEMO_PASSWORD),
                ("return_to", hostile),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303, "{hostile:?}");
        assert_eq!(location(&response), "/account", "{hostile:?}");
    }
}

async fn parallel_logins_cannot_outrun_the_throttle(backend: Backend) {
    let app = spawn_app(backend).await;
    app.load_demo().await;
    let mut attempts = Vec::new();
    for i in 0..40 {
        let app_address = app.address.clone();
        let browser = app.new_browser();
        let page = page_text(&browser, format!("{app_address}/login")).await;
        let csrf = hidden_field(&page, "csrf_token");
        let password = if i == 20 {
            idp::demo::DEMO_PASSWORD.to_owned()
        } else {
            format!("wrong-{i}")
        };
        attempts.push(tokio::spawn(async move {
            browser
                .post(format!("{app_address}/login"))
                .form(&[
                    ("csrf_token", csrf.as_str()),
                    ("username", "enterprise"),
                    ("password", password.as_str()),
                    ("return_to", "/account"),
                ])
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    let mut statuses = Vec::new();
    for a in attempts {
        statuses.push(a.await.unwrap());
    }
    let verified = statuses.iter().filter(|s| matches!(s, 401 | 303)).count();
    let locked = statuses.iter().filter(|s| **s == 429).count();
    assert!(
        verified <= idp::web::identity::throttle::PAIR_FREE_FAILURES as usize,
        "{verified} passwords were checked: {statuses:?}"
    );
    assert_eq!(verified + locked, 40, "{statuses:?}");
    // Every wrong password that was checked is on record.
    let wrong = statuses.iter().filter(|s| **s == 401).count() as i64;
    let recorded: i64 = idp::with_pool!(&app.db, pool => sqlx::query_scalar(
        "SELECT COALESCE(MAX(failures), 0) FROM login_throttle WHERE throttle_key LIKE 'pair:enterprise|%'",
    )
    .fetch_one(pool)
    .await)
    .unwrap();
    if statuses.contains(&303) {
        assert_eq!(recorded, 0, "a success forgets the pair's failures");
    } else {
        assert_eq!(recorded, wrong);
    }
}

async fn a_stranger_cannot_lock_the_owner_out(backend: Backend) {
    let app = spawn_app(backend).await;
    app.load_demo().await;
    let stranger = browser_from(2);
    for i in 0..3 {
        assert_eq!(
            attempt(&app, &stranger, "enterprise", &format!("guess-{i}")).await,
            401
        );
    }
    // The stranger is locked out of this account …
    assert_eq!(
        attempt(&app, &stranger, "enterprise", idp::demo::DEMO_PASSWORD).await,
        429
    );
    // … the owner, from another address, is not.
    let owner = browser_from(3);
    assert_eq!(
        attempt(&app, &owner, "enterprise", idp::demo::DEMO_PASSWORD).await,
        303
    );
    // And the stranger's address can still sign in to its own account.
    assert_eq!(
        attempt(&app, &stranger, "carrier", idp::demo::DEMO_PASSWORD).await,
        303
    );
}

async fn guessing_from_many_addresses_spares_the_owners_known_address(backend: Backend) {
    let app = spawn_app(backend).await;
    app.load_demo().await;
    // The owner signs in from home once: the address becomes known.
    let home = browser_from(10);
    assert_eq!(
        attempt(&app, &home, "enterprise", idp::demo::DEMO_PASSWORD).await,
        303
    );
    // Guessing spread over many addresses, two tries each (under the pair's limit).
    let free = idp::web::identity::throttle::ACCOUNT_FREE_FAILURES as u8;
    for n in 0..free / 2 {
        let guesser = browser_from(100 + n);
        for i in 0..2 {
            let status = attempt(&app, &guesser, "enterprise", &format!("g-{n}-{i}")).await;
            assert!(matches!(status, 401 | 429), "{status}");
        }
    }
    // The account is now locked for unknown addresses, even with the right password …
    let cafe = browser_from(99);
    assert_eq!(
        attempt(&app, &cafe, "enterprise", idp::demo::DEMO_PASSWORD).await,
        429
    );
    // … and open from the owner's known address.
    let home_again = browser_from(10);
    assert_eq!(
        attempt(&app, &home_again, "enterprise", idp::demo::DEMO_PASSWORD).await,
        303
    );
}

/// The account page's notice after posting the password form with `browser`.
async fn change_password(
    app: &TestApp,
    browser: &reqwest::Client,
    current: &str,
    new: &str,
) -> String {
    let page = page_text(browser, app.url("/account")).await;
    let response = browser
        .post(app.url("/account/password"))
        .form(&[
            ("csrf_token", hidden_field(&page, "csrf_token").as_str()),
            ("current_password", current),
            ("new_password", new),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&response), "/account");
    page_text(browser, app.url("/account")).await
}

async fn weak_passwords_are_refused_and_a_change_ends_other_sessions_and_grants(backend: Backend) {
    let app = spawn_app(backend).await;
    app.load_demo().await;
    let laptop = app.demo_browser("bank").await;
    let phone = app.demo_browser("bank").await;
    // A grant to an application, made on the phone's session.
    let client = app
        .register_client(idp::oauth::clients::ClientSpec {
            name: "银行应用".into(),
            redirect_uris: vec!["http://127.0.0.1:9/cb".into()],
            scope: "openid profile offline_access".into(),
            ..Default::default()
        })
        .await;
    let sdk = nx_sdk::Client::discover(
        &app.address,
        &client.client_id,
        client.client_secret.clone(),
    )
    .await
    .unwrap()
    .with_redirect_uri("http://127.0.0.1:9/cb")
    .unwrap();
    let request = sdk.authorize_url(&["openid", "offline_access"]);
    let (code, _) = crate::sdk::sign_in_through_pages(&app, request.url.as_str(), "bank").await;
    let login = sdk
        .exchange_code(&code, request.pkce_verifier, &request.nonce)
        .await
        .unwrap();
    let refresh = login.tokens.refresh_token.clone().unwrap();

    for weak in ["12345678", "password", "        ", "Password1"] {
        let page = change_password(&app, &laptop, idp::demo::DEMO_PASSWORD, weak).await;
        assert!(page.contains("太常见或太容易猜到"), "{weak:?}: {page}");
    }
    let page = change_password(
        &app,
        &laptop,
        idp::demo::DEMO_PASSWORD,
        "贺兰山下 枸杞红了 2026",
    )
    .await;
    assert!(page.contains("密码已修改"), "{page}");
    // The laptop stays signed in; the phone and the application's grant do not.
    let response = laptop.get(app.url("/account")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let response = phone.get(app.url("/account")).send().await.unwrap();
    assert_eq!(response.status(), 303, "the other session ended");
    let refreshed = sdk.refresh(&refresh).await;
    assert!(refreshed.is_err(), "the grant made elsewhere was revoked");
}

async fn the_current_password_check_is_throttled(backend: Backend) {
    let app = spawn_app(backend).await;
    app.load_demo().await;
    let browser = app.demo_browser("fund").await;
    for i in 0..3 {
        let page = change_password(&app, &browser, &format!("guess-{i}"), "a-new-password-1").await;
        assert!(page.contains("当前密码不正确"), "{page}");
    }
    // Locked now: even the right current password changes nothing.
    let page = change_password(&app, &browser, idp::demo::DEMO_PASSWORD, "a-new-password-1").await;
    assert!(page.contains("失败次数过多"), "{page}");
    let fresh = app.new_browser();
    assert_eq!(
        attempt(&app, &fresh, "fund", idp::demo::DEMO_PASSWORD).await,
        429,
        "the same address is locked out of the account for now"
    );
    assert_eq!(
        attempt(&app, &browser_from(5), "fund", idp::demo::DEMO_PASSWORD).await,
        303,
        "the old password still works from elsewhere: nothing changed"
    );
}

async fn slow_header_clients_are_cut_off_and_cannot_hold_every_connection(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.http.header_read_timeout = 1;
        s.http.max_connections = 8;
    })
    .await;
    let address = app.address.trim_start_matches("http://").to_owned();
    // Twice the cap of clients that start a request and never finish its headers.
    let mut slow = Vec::new();
    for _ in 0..16 {
        let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
        stream
            .write_all(b"GET /readyz HTTP/1.1\r\nHost: x\r\nX-Slow: 1\r\n")
            .await
            .unwrap();
        slow.push(stream);
    }
    // An ordinary request still gets its answer, once the slow ones are cut off.
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let response = client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    // The server closed the slow connections (end of stream, or a reset), without answering
    // their unfinished requests.
    for mut stream in slow {
        let mut buffer = [0u8; 256];
        let read = tokio::time::timeout(Duration::from_secs(30), stream.read(&mut buffer))
            .await
            .expect("the server closes a connection whose headers never end");
        if let Ok(n) = read {
            let text = String::from_utf8_lossy(&buffer[..n]);
            assert!(!text.contains("200 OK"), "{text}");
        }
    }
}

async fn answers_are_not_cached_and_pages_carry_their_headers(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await;
    for path in ["/api/admin/clients", "/api/catalogue/enterprise"] {
        let response = app
            .client
            .get(app.url(path))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(response.headers()["cache-control"], "no-store", "{path}");
    }
    let client = app.machine_client("admin").await;
    let response = app
        .post_form_as(&client, "/introspect", &[("token", admin.as_str())])
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    // Discovery stays cacheable.
    let response = app.get("/.well-known/openid-configuration").await;
    assert_ne!(response.headers()["cache-control"], "no-store");
    // The fallback 404 page has the pages' headers.
    let response = app
        .client
        .get(app.url("/no/such/page"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let headers = response.headers();
    assert_eq!(headers["x-frame-options"], "DENY");
    assert!(
        headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
    assert!(
        headers.get("strict-transport-security").is_none(),
        "plain http"
    );
    drop(app);

    // Behind https the answers ask browsers to keep to https.
    let app = spawn_app_with(Backend::Sqlite, |s| {
        s.issuer = "https://idp.example.cn".parse().unwrap();
    })
    .await;
    let response = app.get("/readyz").await;
    assert_eq!(
        response.headers()["strict-transport-security"],
        "max-age=31536000"
    );
}
