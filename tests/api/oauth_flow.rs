//! The authorization code flow through the real pages, as a browser and a relying party do it:
//! authorize, log in, consent, code, token, userinfo, refresh, introspect, revoke, logout.

use integration_tests::{
    Backend, RegisteredClient, TestApp, backend_tests, hidden_field, location, page_text,
    pkce_pair, spawn_app,
};
use serde_json::{Value, json};

const REDIRECT: &str = "http://127.0.0.1:9/callback";

backend_tests!(
    full_flow_from_authorize_to_logout,
    consent_is_remembered_and_prompt_none_then_succeeds,
    code_replay_fails_and_revokes_its_tokens,
    wrong_or_missing_verifier_is_invalid_grant,
    plain_pkce_is_refused_with_a_redirect,
    unregistered_redirect_uri_is_never_redirected_to,
    unknown_client_gets_a_page_not_a_redirect,
    code_used_by_another_client_is_invalid_grant,
    refresh_reuse_revokes_the_family,
    scopes_beyond_the_client_are_invalid_scope,
    scopes_beyond_the_users_roles_are_not_granted,
    denying_consent_redirects_with_access_denied,
    prompt_none_without_a_session_is_login_required,
    expired_code_is_invalid_grant,
    login_is_locked_after_repeated_failures_even_for_unknown_users,
    a_successful_login_forgets_the_accounts_earlier_failures,
    login_form_without_csrf_token_is_refused,
    pages_refuse_framing_and_send_no_referrer,
    id_token_carries_nonce_at_hash_auth_time_and_azp,
    the_consent_page_lists_scopes_in_a_stable_order,
);

/// Sign-in and profile first, then the catalogue type by type with reading before reporting,
/// then administration; the same order however the request spells them.
async fn the_consent_page_lists_scopes_in_a_stable_order(backend: Backend) {
    let app = spawn_app(backend).await;
    app.load_demo().await;
    let client = app
        .register_client(idp::oauth::clients::ClientSpec {
            name: "顺序检查".into(),
            redirect_uris: vec![REDIRECT.into()],
            scope: "openid profile offline_access catalogue:enterprise:read catalogue:enterprise:write \
                    catalogue:carrier:read catalogue:carrier:write admin"
                .into(),
            ..Default::default()
        })
        .await;
    let (_, challenge) = integration_tests::pkce_pair();
    let shuffled = "admin catalogue:carrier:write offline_access catalogue:enterprise:write \
                    catalogue:carrier:read profile openid catalogue:enterprise:read";
    let response = app
        .client
        .get(authorize_url(&app, &client, shuffled, &challenge, ""))
        .send()
        .await
        .unwrap();
    let response = log_in(
        &app,
        &location(&response),
        "admin",
        idp::demo::DEMO_PASSWORD,
    )
    .await;
    assert_eq!(location(&response), "/consent");
    let page = page_text(&app.client, app.url("/consent")).await;
    let expected = [
        "使用平台账号登录",
        "读取您的姓名和所属机构",
        "在您离开后继续访问",
        "查询「企业基本信息」数据",
        "上报「企业基本信息」数据",
        "查询「双创载体基本信息」数据",
        "上报「双创载体基本信息」数据",
        "管理平台",
    ];
    let positions: Vec<usize> = expected
        .iter()
        .map(|text| {
            page.find(text)
                .unwrap_or_else(|| panic!("{text} missing: {page}"))
        })
        .collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "scopes out of order: {positions:?}"
    );
}

async fn web_client(app: &TestApp) -> RegisteredClient {
    app.load_demo().await;
    app.register_client(idp::oauth::clients::ClientSpec {
        name: "银川众创空间门户".into(),
        redirect_uris: vec![REDIRECT.into()],
        post_logout_redirect_uris: vec!["http://127.0.0.1:9/bye".into()],
        scope: "openid profile email offline_access catalogue:carrier:write admin".into(),
        ..Default::default()
    })
    .await
}

fn authorize_url(
    app: &TestApp,
    client: &RegisteredClient,
    scope: &str,
    challenge: &str,
    extra: &str,
) -> String {
    let query = serde_urlencoded::to_string([
        ("response_type", "code"),
        ("client_id", client.client_id.as_str()),
        ("redirect_uri", REDIRECT),
        ("scope", scope),
        ("state", "st-123"),
        ("nonce", "n-456"),
        ("code_challenge", challenge),
        ("code_challenge_method", "S256"),
    ])
    .unwrap();
    app.url(&format!("/authorize?{query}{extra}"))
}

/// Signs in through the login page; `next` is where the login page was reached from.
async fn log_in(app: &TestApp, next: &str, username: &str, password: &str) -> reqwest::Response {
    let page = page_text(&app.client, app.url(next)).await;
    let csrf = hidden_field(&page, "csrf_token");
    let return_to = hidden_field(&page, "return_to");
    app.client
        .post(app.url("/login"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("username", username),
            ("password", password),
            ("return_to", return_to.as_str()),
        ])
        .send()
        .await
        .unwrap()
}

/// Follows our own redirects until one leaves for the client; returns that URL.
async fn follow_to_client(app: &TestApp, mut response: reqwest::Response) -> url::Url {
    loop {
        let next = location(&response);
        if next.starts_with(REDIRECT) || next.starts_with("http://127.0.0.1:9/") {
            return url::Url::parse(&next).unwrap();
        }
        if next == "/consent" {
            let page = page_text(&app.client, app.url("/consent")).await;
            let csrf = hidden_field(&page, "csrf_token");
            response = app
                .client
                .post(app.url("/consent"))
                .form(&[("csrf_token", csrf.as_str()), ("decision", "allow")])
                .send()
                .await
                .unwrap();
            continue;
        }
        response = app.client.get(app.url(&next)).send().await.unwrap();
    }
}

fn param(url: &url::Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// Authorize, log in as `username`, consent: the code.
async fn get_code(
    app: &TestApp,
    client: &RegisteredClient,
    scope: &str,
    challenge: &str,
    username: &str,
) -> String {
    let response = app
        .client
        .get(authorize_url(app, client, scope, challenge, ""))
        .send()
        .await
        .unwrap();
    let to_login = location(&response);
    assert!(to_login.starts_with("/login"), "{to_login}");
    let response = log_in(app, &to_login, username, idp::demo::DEMO_PASSWORD).await;
    let back = follow_to_client(app, response).await;
    assert_eq!(param(&back, "state").as_deref(), Some("st-123"));
    assert_eq!(param(&back, "iss").as_deref(), Some(app.address.as_str()));
    param(&back, "code").expect("a code")
}

async fn exchange(
    app: &TestApp,
    client: &RegisteredClient,
    code: &str,
    verifier: &str,
) -> reqwest::Response {
    app.post_form_as(
        client,
        "/token",
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", verifier),
        ],
    )
    .await
}

async fn full_flow_from_authorize_to_logout(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = web_client(&app).await;
    let (verifier, challenge) = pkce_pair();
    let code = get_code(
        &app,
        &client,
        "openid profile email offline_access catalogue:carrier:write",
        &challenge,
        "carrier",
    )
    .await;

    let response = exchange(&app, &client, &code, &verifier).await;
    assert_eq!(response.status(), 200);
    let tokens: Value = response.json().await.unwrap();
    assert_eq!(
        tokens["scope"],
        "catalogue:carrier:write email offline_access openid profile"
    );
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    let refresh = tokens["refresh_token"].as_str().unwrap().to_owned();
    assert!(refresh.starts_with("nxrt_"));
    assert!(tokens["id_token"].is_string());

    let info: Value = app
        .client
        .get(app.url("/userinfo"))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(info["preferred_username"], "carrier");
    assert_eq!(info["name"], "载体运营王工");
    assert_eq!(info["organisation"]["name"], "银川演示众创空间");
    assert_eq!(info["roles"], json!(["carrier_operator"]));
    assert_eq!(info["email"], "carrier@demo.nxzc.example");

    let response = app
        .post_form_as(
            &client,
            "/token",
            &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
        )
        .await;
    assert_eq!(response.status(), 200);
    let refreshed: Value = response.json().await.unwrap();
    let refresh2 = refreshed["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(refresh2, refresh, "rotated");

    let intro: Value = app
        .post_form_as(&client, "/introspect", &[("token", &refresh2)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(intro["active"], true);
    assert_eq!(intro["token_type"], "refresh_token");

    assert_eq!(
        app.post_form_as(
            &client,
            "/revoke",
            &[("token", &refresh2), ("token_type_hint", "refresh_token")]
        )
        .await
        .status(),
        200
    );
    let intro: Value = app
        .post_form_as(&client, "/introspect", &[("token", &refresh2)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(intro["active"], false);
    // Revoking the grant also ends the access tokens issued from it.
    let intro: Value = app
        .post_form_as(&client, "/introspect", &[("token", &access)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(intro["active"], false);

    // Logout with the id_token_hint: at once, back to the registered URI with state.
    let id_token = tokens["id_token"].as_str().unwrap();
    let query = serde_urlencoded::to_string([
        ("id_token_hint", id_token),
        ("post_logout_redirect_uri", "http://127.0.0.1:9/bye"),
        ("state", "bye-1"),
    ])
    .unwrap();
    let response = app
        .client
        .get(app.url(&format!("/logout?{query}")))
        .send()
        .await
        .unwrap();
    assert_eq!(location(&response), "http://127.0.0.1:9/bye?state=bye-1");
    // The session is gone: the account page asks for a login again.
    let response = app.get("/account").await;
    assert!(location(&response).starts_with("/login"));
}

async fn consent_is_remembered_and_prompt_none_then_succeeds(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = web_client(&app).await;
    let (_, challenge) = pkce_pair();
    get_code(&app, &client, "openid profile", &challenge, "enterprise").await;
    // Same browser, same scopes: straight back with a code, no pages.
    let response = app
        .client
        .get(authorize_url(
            &app,
            &client,
            "openid profile",
            &challenge,
            "&prompt=none",
        ))
        .send()
        .await
        .unwrap();
    let back = url::Url::parse(&location(&response)).unwrap();
    assert!(param(&back, "code").is_some(), "{back}");
    // The account page lists the app; withdrawing consent means asking again.
    let page = app.get("/account").await.text().await.unwrap();
    assert!(page.contains("银川众创空间门户"), "{page}");
    let csrf = hidden_field(&page, "csrf_token");
    let response = app
        .client
        .post(app.url("/account/apps/withdraw"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("client_id", client.client_id.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let response = app
        .client
        .get(authorize_url(
            &app,
            &client,
            "openid profile",
            &challenge,
            "&prompt=none",
        ))
        .send()
        .await
        .unwrap();
    let back = url::Url::parse(&location(&response)).unwrap();
    assert_eq!(param(&back, "error").as_deref(), Some("consent_required"));
}

async fn code_replay_fails_and_revokes_its_tokens(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = web_client(&app).await;
    let (verifier, challenge) = pkce_pair();
    let code = get_code(
        &app,
        &client,
        "openid offline_access",
        &challenge,
        "enterprise",
    )
    .await;
    let tokens: Value = exchange(&app, &client, &code, &verifier)
        .await
        .json()
        .await
        .unwrap();
    let response = exchange(&app, &client, &code, &verifier).await;
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "invalid_grant");
    for token in [&tokens["access_token"], &tokens["refresh_token"]] {
        let intro: Value = app
            .post_form_as(
                &client,
                "/introspect",
                &[("token", token.as_str().unwrap())],
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            intro["active"], false,
            "tokens from a replayed code are revoked"
        );
    }
}

async fn wrong_or_missing_verifier_is_invalid_grant(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = web_client(&app).await;
    let (_, challenge) = pkce_pair();
    let code = get_code(&app, &client, "openid", &challenge, "enterprise").await;
    let (other_verifier, _) = pkce_pair();
    let body: Value = exchange(&app, &client, &code, &other_verifier)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["error"], "invalid_grant");
    let body: Value = app
        .post_form_as(
            &client,
            "/token",
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", REDIRECT),
            ],
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["error"], "invalid_grant");
}

async fn plain_pkce_is_refused_with_a_redirect(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = web_client(&app).await;
    let url = authorize_url(
        &app,
        &client,
        "openid",
        "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopq",
        "",
    )
    .replace("S256", "plain");
    let response = app.client.get(url).send().await.unwrap();
    let back = url::Url::parse(&location(&response)).unwrap();
    assert_eq!(param(&back, "error").as_deref(), Some("invalid_request"));
    assert_eq!(param(&back, "state").as_deref(), Some("st-123"));
    assert_eq!(param(&back, "iss").as_deref(), Some(app.address.as_str()));
}

async fn unregistered_redirect_uri_is_never_redirected_to(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = web_client(&app).await;
    let (_, challenge) = pkce_pair();
    for evil in [
        "https://evil.example/callback",
        "http://127.0.0.1:9/callback/",
        "http://127.0.0.1:10/callback",
    ] {
        let url = authorize_url(&app, &client, "openid", &challenge, "").replace(
            &serde_urlencoded::to_string([("redirect_uri", REDIRECT)]).unwrap(),
            &serde_urlencoded::to_string([("redirect_uri", evil)]).unwrap(),
        );
        let response = app.client.get(url).send().await.unwrap();
        assert_eq!(response.status(), 400, "{evil}");
        assert!(response.headers().get("location").is_none());
        let page = response.text().await.unwrap();
        assert!(page.contains("redirect_uri"), "{page}");
    }
}

async fn unknown_client_gets_a_page_not_a_redirect(backend: Backend) {
    let app = spawn_app(backend).await;
    let response = app.get("/authorize?response_type=code&client_id=cl_nobody&redirect_uri=https%3A%2F%2Fevil.example%2F&scope=openid").await;
    assert_eq!(response.status(), 400);
    assert!(response.headers().get("location").is_none());
    assert!(response.text().await.unwrap().contains("client_id"));
}

async fn code_used_by_another_client_is_invalid_grant(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = web_client(&app).await;
    let other = app
        .register_client(idp::oauth::clients::ClientSpec {
            name: "other".into(),
            redirect_uris: vec![REDIRECT.into()],
            scope: "openid".into(),
            ..Default::default()
        })
        .await;
    let (verifier, challenge) = pkce_pair();
    let code = get_code(&app, &client, "openid", &challenge, "enterprise").await;
    let body: Value = exchange(&app, &other, &code, &verifier)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["error"], "invalid_grant");
    // The rightful client can still redeem it.
    assert_eq!(
        exchange(&app, &client, &code, &verifier).await.status(),
        200
    );
}

async fn refresh_reuse_revokes_the_family(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = web_client(&app).await;
    let (verifier, challenge) = pkce_pair();
    let code = get_code(
        &app,
        &client,
        "openid offline_access",
        &challenge,
        "enterprise",
    )
    .await;
    let tokens: Value = exchange(&app, &client, &code, &verifier)
        .await
        .json()
        .await
        .unwrap();
    let first = tokens["refresh_token"].as_str().unwrap().to_owned();
    let next: Value = app
        .post_form_as(
            &client,
            "/token",
            &[("grant_type", "refresh_token"), ("refresh_token", &first)],
        )
        .await
        .json()
        .await
        .unwrap();
    let second = next["refresh_token"].as_str().unwrap().to_owned();
    // The thief replays the first token: refused, and the legitimate newer one dies with it.
    let body: Value = app
        .post_form_as(
            &client,
            "/token",
            &[("grant_type", "refresh_token"), ("refresh_token", &first)],
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["error"], "invalid_grant");
    let body: Value = app
        .post_form_as(
            &client,
            "/token",
            &[("grant_type", "refresh_token"), ("refresh_token", &second)],
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["error"], "invalid_grant");
}

async fn scopes_beyond_the_client_are_invalid_scope(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = web_client(&app).await;
    let (_, challenge) = pkce_pair();
    let response = app
        .client
        .get(authorize_url(
            &app,
            &client,
            "openid financing",
            &challenge,
            "",
        ))
        .send()
        .await
        .unwrap();
    let back = url::Url::parse(&location(&response)).unwrap();
    assert_eq!(param(&back, "error").as_deref(), Some("invalid_scope"));
}

async fn scopes_beyond_the_users_roles_are_not_granted(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = web_client(&app).await;
    let (verifier, challenge) = pkce_pair();
    // The client may ask for admin, but a backer may not hold it.
    let code = get_code(&app, &client, "openid admin", &challenge, "backer").await;
    let tokens: Value = exchange(&app, &client, &code, &verifier)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(tokens["scope"], "openid");
}

async fn denying_consent_redirects_with_access_denied(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = web_client(&app).await;
    let (_, challenge) = pkce_pair();
    let response = app
        .client
        .get(authorize_url(&app, &client, "openid", &challenge, ""))
        .send()
        .await
        .unwrap();
    let response = log_in(
        &app,
        &location(&response),
        "enterprise",
        idp::demo::DEMO_PASSWORD,
    )
    .await;
    // A successful login goes straight on to consent, without a detour through a resume page.
    assert_eq!(location(&response), "/consent");
    let page = app.get("/consent").await.text().await.unwrap();
    assert!(
        page.contains("使用平台账号登录"),
        "scope meanings in Chinese: {page}"
    );
    let csrf = hidden_field(&page, "csrf_token");
    let response = app
        .client
        .post(app.url("/consent"))
        .form(&[("csrf_token", csrf.as_str()), ("decision", "deny")])
        .send()
        .await
        .unwrap();
    let back = url::Url::parse(&location(&response)).unwrap();
    assert_eq!(param(&back, "error").as_deref(), Some("access_denied"));
    assert_eq!(param(&back, "state").as_deref(), Some("st-123"));
}

async fn prompt_none_without_a_session_is_login_required(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = web_client(&app).await;
    let (_, challenge) = pkce_pair();
    let response = app
        .client
        .get(authorize_url(
            &app,
            &client,
            "openid",
            &challenge,
            "&prompt=none",
        ))
        .send()
        .await
        .unwrap();
    let back = url::Url::parse(&location(&response)).unwrap();
    assert_eq!(param(&back, "error").as_deref(), Some("login_required"));
}

async fn expired_code_is_invalid_grant(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = web_client(&app).await;
    let (verifier, challenge) = pkce_pair();
    let code = get_code(&app, &client, "openid", &challenge, "enterprise").await;
    app.clock.advance(61);
    let body: Value = exchange(&app, &client, &code, &verifier)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["error"], "invalid_grant");
}

async fn login_is_locked_after_repeated_failures_even_for_unknown_users(backend: Backend) {
    let app = spawn_app(backend).await;
    web_client(&app).await;
    for username in ["enterprise", "nobody-at-all"] {
        for _ in 0..3 {
            let response = log_in(&app, "/login", username, "wrong-password").await;
            assert_eq!(response.status(), 401);
            assert!(response.text().await.unwrap().contains("用户名或密码错误"));
        }
        // Locked now: even the right password is refused, with the same answer for both users.
        let response = log_in(&app, "/login", username, idp::demo::DEMO_PASSWORD).await;
        assert_eq!(response.status(), 429, "{username}");
        assert!(response.text().await.unwrap().contains("秒后再试"));
    }
    app.clock.advance(2);
    let response = log_in(&app, "/login", "enterprise", idp::demo::DEMO_PASSWORD).await;
    assert_eq!(response.status(), 303, "the lock lifts after its time");
}

async fn a_successful_login_forgets_the_accounts_earlier_failures(backend: Backend) {
    let app = spawn_app(backend).await;
    web_client(&app).await;
    for round in 0..2 {
        for _ in 0..2 {
            let response = log_in(&app, "/login", "enterprise", "wrong-password").await;
            assert_eq!(response.status(), 401);
        }
        // Two failures are free; had the first round's not been forgotten, the second round's
        // would make four and lock the account.
        let response = log_in(&app, "/login", "enterprise", idp::demo::DEMO_PASSWORD).await;
        assert_eq!(response.status(), 303, "round {round}");
    }
}

async fn login_form_without_csrf_token_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    web_client(&app).await;
    let response = app
        .client
        .post(app.url("/login"))
        .form(&[
            ("csrf_token", "forged"),
            ("username", "enterprise"),
            ("password", idp::demo::DEMO_PASSWORD),
            ("return_to", "/account"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert!(response.text().await.unwrap().contains("表单已过期"));
    assert!(
        location(&app.get("/account").await).starts_with("/login"),
        "not signed in"
    );
}

async fn pages_refuse_framing_and_send_no_referrer(backend: Backend) {
    let app = spawn_app(backend).await;
    let response = app.get("/login").await;
    assert_eq!(response.headers()["x-frame-options"], "DENY");
    assert!(
        response.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
    assert_eq!(response.headers()["referrer-policy"], "no-referrer");
    let page = response.text().await.unwrap();
    assert!(page.contains("登录平台账号"));
    let english = app.get("/login?lang=en").await.text().await.unwrap();
    assert!(
        english.contains("Sign in") && english.contains("lang=\"en\""),
        "{english}"
    );
}

async fn id_token_carries_nonce_at_hash_auth_time_and_azp(backend: Backend) {
    use base64::Engine;
    let app = spawn_app(backend).await;
    let client = web_client(&app).await;
    let (verifier, challenge) = pkce_pair();
    let code = get_code(&app, &client, "openid", &challenge, "enterprise").await;
    let tokens: Value = exchange(&app, &client, &code, &verifier)
        .await
        .json()
        .await
        .unwrap();
    let payload = tokens["id_token"]
        .as_str()
        .unwrap()
        .split('.')
        .nth(1)
        .unwrap()
        .to_owned();
    let claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(claims["nonce"], "n-456");
    assert_eq!(claims["aud"], client.client_id.as_str());
    assert_eq!(claims["azp"], client.client_id.as_str());
    assert!(claims["auth_time"].is_i64());
    assert!(claims["at_hash"].is_string());
    assert_eq!(claims["iss"], app.address.as_str());
}

mod prompts_and_garbage {
    use super::*;

    backend_tests!(
        prompt_login_asks_for_the_password_again,
        max_age_zero_asks_for_the_password_again,
        garbage_never_makes_the_server_answer_500,
    );

    async fn signed_in_with_consent(app: &TestApp) -> (RegisteredClient, String) {
        let client = web_client(app).await;
        let (_, challenge) = pkce_pair();
        get_code(app, &client, "openid", &challenge, "enterprise").await;
        (client, challenge)
    }

    async fn prompt_login_asks_for_the_password_again(backend: Backend) {
        let app = spawn_app(backend).await;
        let (client, challenge) = signed_in_with_consent(&app).await;
        let response = app
            .client
            .get(authorize_url(
                &app,
                &client,
                "openid",
                &challenge,
                "&prompt=login",
            ))
            .send()
            .await
            .unwrap();
        let to_login = location(&response);
        assert!(to_login.starts_with("/login"), "{to_login}");
        // Re-authenticating later than the request satisfies it.
        app.clock.advance(1);
        let response = log_in(&app, &to_login, "enterprise", idp::demo::DEMO_PASSWORD).await;
        let back = follow_to_client(&app, response).await;
        assert!(param(&back, "code").is_some(), "{back}");
    }

    async fn max_age_zero_asks_for_the_password_again(backend: Backend) {
        let app = spawn_app(backend).await;
        let (client, challenge) = signed_in_with_consent(&app).await;
        app.clock.advance(5);
        let response = app
            .client
            .get(authorize_url(
                &app,
                &client,
                "openid",
                &challenge,
                "&max_age=3",
            ))
            .send()
            .await
            .unwrap();
        assert!(location(&response).starts_with("/login"));
        let response = app
            .client
            .get(authorize_url(
                &app,
                &client,
                "openid",
                &challenge,
                "&max_age=60",
            ))
            .send()
            .await
            .unwrap();
        let back = url::Url::parse(&location(&response)).unwrap();
        assert!(
            param(&back, "code").is_some(),
            "a recent enough login passes"
        );
        let response = app
            .client
            .get(authorize_url(
                &app,
                &client,
                "openid",
                &challenge,
                "&max_age=-1",
            ))
            .send()
            .await
            .unwrap();
        let back = url::Url::parse(&location(&response)).unwrap();
        assert_eq!(param(&back, "error").as_deref(), Some("invalid_request"));
    }

    async fn garbage_never_makes_the_server_answer_500(backend: Backend) {
        let app = spawn_app(backend).await;
        let client = web_client(&app).await;
        let bodies: Vec<Vec<u8>> = vec![
            b"".to_vec(),
            b"%%%%".to_vec(),
            vec![0xff, 0xfe, 0x00, 0x80],
            b"grant_type=authorization_code&code=&redirect_uri=".to_vec(),
            format!(
                "grant_type=refresh_token&refresh_token={}",
                "x".repeat(100_000)
            )
            .into_bytes(),
            b"token=a.b.c&token_type_hint=access_token".to_vec(),
            b"token=eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.&token_type_hint=access_token".to_vec(),
            b"client_id=%00&grant_type=client_credentials".to_vec(),
        ];
        // Without connection reuse: a connection the server closed after refusing a large upload
        // must not be picked up by the next request.
        let fresh = reqwest::Client::builder()
            .pool_max_idle_per_host(0)
            .build()
            .unwrap();
        for path in [
            "/token",
            "/introspect",
            "/revoke",
            "/userinfo",
            "/login",
            "/consent",
            "/logout",
            "/api/admin/clients",
        ] {
            for body in &bodies {
                for content_type in [
                    "application/x-www-form-urlencoded",
                    "application/json",
                    "text/plain",
                ] {
                    let response = fresh
                        .post(app.url(path))
                        .basic_auth(&client.client_id, client.client_secret.as_deref())
                        .header("content-type", content_type)
                        .body(body.clone())
                        .send()
                        .await;
                    match response {
                        Ok(response) => {
                            assert!(
                                response.status().as_u16() < 500,
                                "{path} {content_type} answered {}",
                                response.status()
                            )
                        }
                        // Refused before its body was read (wrong content type): hyper answers
                        // and closes while a large upload is still being sent.
                        Err(e) => assert!(body.len() > 65_536, "{path} {content_type}: {e}"),
                    }
                }
            }
        }
        for query in [
            "",
            "?",
            "?client_id=%ff",
            "?response_type=code&client_id=x&client_id=y",
            "?redirect_uri=javascript:alert(1)",
            "?id_token_hint=a.b.c",
            "?scope=%00",
        ] {
            for path in [
                "/authorize",
                "/logout",
                "/login",
                "/consent",
                "/authorize/resume",
                "/userinfo",
            ] {
                let response = app
                    .client
                    .get(app.url(&format!("{path}{query}")))
                    .send()
                    .await
                    .unwrap();
                assert!(
                    response.status().as_u16() < 500,
                    "{path}{query} answered {}",
                    response.status()
                );
            }
        }
        for header in [
            "Bearer",
            "Bearer a.b.c",
            "Basic !!!",
            "Basic Og==",
            "Bearer \u{7f}",
        ] {
            let response = app
                .client
                .get(app.url("/userinfo"))
                .header("authorization", header)
                .send()
                .await;
            if let Ok(response) = response {
                assert!(
                    response.status().as_u16() < 500,
                    "{header} answered {}",
                    response.status()
                );
            }
        }
    }
}
