//! The SDK against a real server: a login through the pages, refresh under concurrency,
//! token verification, typed uploads with per-record errors.

use std::sync::Arc;

use integration_tests::{
    Backend, TestApp, backend_tests, hidden_field, location, page_text, spawn_app,
};
use nx_sdk::records::{Carrier, CarrierPartner, Enterprise};
use nx_sdk::{Client, Error, MemoryStore, Mode, Query, Rejection, TokenHolder, Verifier};

const REDIRECT: &str = "http://127.0.0.1:9/sdk-callback";

async fn registered_app_client(app: &TestApp) -> integration_tests::RegisteredClient {
    app.register_client(idp::oauth::clients::ClientSpec {
        name: "SDK test app".into(),
        redirect_uris: vec![REDIRECT.into()],
        scope: "openid profile email offline_access catalogue:carrier:read catalogue:carrier:write"
            .into(),
        ..Default::default()
    })
    .await
}

/// Drives the provider's pages as a browser would, returning the callback's (code, state).
pub async fn sign_in_through_pages(app: &TestApp, url: &str, username: &str) -> (String, String) {
    let query = callback_through_pages(app, url, username).await;
    (query["code"].clone(), query["state"].clone())
}

/// Drives the provider's pages as a browser would, returning every parameter of the callback.
pub async fn callback_through_pages(
    app: &TestApp,
    url: &str,
    username: &str,
) -> std::collections::HashMap<String, String> {
    let browser = app.new_browser();
    let response = browser.get(url).send().await.unwrap();
    let login = page_text(&browser, app.url(&location(&response))).await;
    let response = browser
        .post(app.url("/login"))
        .form(&[
            ("csrf_token", hidden_field(&login, "csrf_token").as_str()),
            ("username", username),
            ("password", idp::demo::DEMO_PASSWORD),
            ("return_to", hidden_field(&login, "return_to").as_str()),
        ])
        .send()
        .await
        .unwrap();
    // The login answers with the next step itself: consent, or the client with its code.
    let response = if location(&response) == "/consent" {
        let consent = page_text(&browser, app.url("/consent")).await;
        browser
            .post(app.url("/consent"))
            .form(&[
                ("csrf_token", hidden_field(&consent, "csrf_token").as_str()),
                ("decision", "allow"),
            ])
            .send()
            .await
            .unwrap()
    } else {
        response
    };
    let back = url::Url::parse(&location(&response)).unwrap();
    back.query_pairs().into_owned().collect()
}

async fn login(app: &TestApp, username: &str) -> (Client, nx_sdk::Login) {
    app.load_demo().await;
    let registered = registered_app_client(app).await;
    let client = Client::discover(
        &app.address,
        &registered.client_id,
        registered.client_secret.clone(),
    )
    .await
    .unwrap()
    .with_redirect_uri(REDIRECT)
    .unwrap();
    let request = client.authorize_url(&[
        "openid",
        "profile",
        "offline_access",
        "catalogue:carrier:read",
        "catalogue:carrier:write",
    ]);
    let (code, state) = sign_in_through_pages(app, request.url.as_str(), username).await;
    assert!(matches!(
        Client::check_state(&request.state, "forged"),
        Err(Error::StateMismatch)
    ));
    Client::check_state(&request.state, &state).unwrap();
    let login = client
        .exchange_code(&code, request.pkce_verifier, &request.nonce)
        .await
        .unwrap();
    (client, login)
}

async fn a_user_logs_in_through_the_sdk(backend: Backend) {
    let app = spawn_app(backend).await;
    let (client, login) = login(&app, "carrier").await;
    assert!(login.identity.subject.starts_with("usr_"));
    assert!(login.tokens.refresh_token.is_some());
    let me = client.userinfo(&login.tokens.access_token).await.unwrap();
    assert_eq!(me.sub, login.identity.subject);
    assert_eq!(me.preferred_username.as_deref(), Some("carrier"));
    assert!(me.roles.contains(&"carrier_operator".to_owned()), "{me:?}");
    assert_eq!(me.organisation.unwrap().kind, "carrier");

    // Secrets stay out of logs.
    let shown = format!("{client:?} {:?}", login.tokens);
    assert!(
        !shown.contains("nxcs_") && !shown.contains(&login.tokens.access_token),
        "{shown}"
    );

    // Revoking the refresh token ends the grant: the access token stops working too.
    client
        .revoke(login.tokens.refresh_token.as_deref().unwrap())
        .await
        .unwrap();
    let refused = client
        .userinfo(&login.tokens.access_token)
        .await
        .unwrap_err();
    assert!(
        matches!(refused, Error::Refused { status: 401, .. }),
        "{refused:?}"
    );
    let end = client
        .end_session_url(login.tokens.id_token.as_deref(), None)
        .unwrap();
    assert!(end.as_str().starts_with(&app.url("/logout")));
}

async fn fifty_concurrent_callers_cause_exactly_one_rotation(backend: Backend) {
    let app = spawn_app(backend).await;
    let (client, login) = login(&app, "carrier").await;
    let mut expired = login.tokens.clone();
    expired.expires_at = 0;
    let holder = Arc::new(TokenHolder::new(
        client.clone(),
        Some(expired),
        Arc::new(MemoryStore::default()),
    ));
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let holder = holder.clone();
        tasks.push(tokio::spawn(async move { holder.tokens().await }));
    }
    let mut seen = std::collections::HashSet::new();
    for t in tasks {
        let tokens = t.await.unwrap().expect("every caller gets a token");
        seen.insert(tokens.refresh_token.clone().unwrap());
    }
    assert_eq!(seen.len(), 1, "one rotation, so one new refresh token");
    let rotated = seen.into_iter().next().unwrap();
    assert_ne!(Some(rotated.clone()), login.tokens.refresh_token);
    // The family is intact (a second rotation of the old token would have revoked it).
    let next = client
        .refresh(&rotated)
        .await
        .expect("the new refresh token works");
    assert!(next.refresh_token.is_some());
    // The spent one is refused.
    let reuse = client
        .refresh(login.tokens.refresh_token.as_deref().unwrap())
        .await
        .unwrap_err();
    assert!(
        matches!(&reuse, Error::OAuth { error, .. } if error == "invalid_grant"),
        "{reuse:?}"
    );
}

async fn resource_servers_verify_tokens(backend: Backend) {
    let app = spawn_app(backend).await;
    let machine = app.machine_client("catalogue:carrier:read").await;
    let good = app.machine_token(&machine, "catalogue:carrier:read").await;
    let verifier = Verifier::new(&app.address).await.unwrap();
    let claims = verifier
        .verify(&good, Some("catalogue:carrier:read"))
        .await
        .unwrap();
    assert_eq!(claims.client_id, machine.client_id);
    assert_eq!(
        verifier.verify(&good, Some("admin")).await.unwrap_err(),
        Rejection::InsufficientScope("admin".into())
    );

    // Wrongly signed: the payload changed after signing.
    let mut parts: Vec<String> = good.split('.').map(str::to_owned).collect();
    parts[1] = parts[1].chars().rev().collect();
    let tampered = parts.join(".");
    assert!(matches!(
        verifier.verify(&tampered, None).await,
        Err(Rejection::InvalidToken(_))
    ));
    // Wrong audience.
    let elsewhere = Verifier::new(&app.address)
        .await
        .unwrap()
        .with_audience("https://other.example/api");
    assert!(matches!(
        elsewhere.verify(&good, None).await,
        Err(Rejection::InvalidToken(_))
    ));
    // Expired: issued by the server's clock two hours ago.
    app.clock.advance(-7200);
    let old = app.machine_token(&machine, "catalogue:carrier:read").await;
    app.clock.advance(7200);
    assert!(matches!(
        verifier.verify(&old, None).await,
        Err(Rejection::InvalidToken(e)) if e.contains("xpired")
    ));
    assert!(matches!(
        verifier.verify("not.a.token", None).await,
        Err(Rejection::InvalidToken(_))
    ));
}

async fn typed_uploads_report_per_record_errors(backend: Backend) {
    let app = spawn_app(backend).await;
    let organisation = idp::accounts::create_organisation(
        &app.db,
        "SDK 上报载体",
        idp::accounts::OrganisationKind::Carrier,
        None,
        idp::clock::Clock::now(&app.clock),
    )
    .await
    .unwrap();
    let scopes = "catalogue:carrier:read catalogue:carrier:write catalogue:carrier-partner:read catalogue:carrier-partner:write catalogue:enterprise:write";
    let registered = app
        .register_client(idp::oauth::clients::ClientSpec {
            name: "SDK reporting job".into(),
            scope: scopes.into(),
            grant_types: Some(vec![idp::oauth::clients::GrantType::ClientCredentials]),
            organisation_id: Some(organisation.id),
            ..Default::default()
        })
        .await;
    let client = Client::discover(
        &app.address,
        &registered.client_id,
        registered.client_secret.clone(),
    )
    .await
    .unwrap();
    let holder = TokenHolder::client_credentials(
        client.clone(),
        &scopes.split(' ').collect::<Vec<_>>(),
        Arc::new(MemoryStore::default()),
    );
    let token = holder.access_token().await.unwrap();
    let catalogue = client.catalogue(&token);

    let carrier = Carrier {
        base_code: "SDK-BASE-1".into(),
        enterprise_name: "SDK 创客空间".into(),
        regist_no: Some("640106".into()),
        incubator_num: Some(12),
        incubator_area: Some("1200.50".into()),
        ..Default::default()
    };
    let report = catalogue
        .upload(std::slice::from_ref(&carrier), Mode::Atomic, Some("sdk-1"))
        .await
        .unwrap();
    assert_eq!((report.created, report.refused), (1, 0));

    // A partner of an unknown carrier and one with a too-long name: both refused, by record.
    let partners = vec![
        CarrierPartner {
            org_code: "P-1".into(),
            base_code: "NO-SUCH-BASE".into(),
            ..Default::default()
        },
        CarrierPartner {
            org_code: "P-2".into(),
            base_code: "SDK-BASE-1".into(),
            org_name: Some("名".repeat(51)),
            ..Default::default()
        },
        CarrierPartner {
            org_code: "P-3".into(),
            base_code: "SDK-BASE-1".into(),
            org_name: Some("正常的合作机构".into()),
            ..Default::default()
        },
    ];
    match catalogue.upload(&partners, Mode::Atomic, None).await {
        Err(Error::InvalidRecords { errors }) => {
            let codes: Vec<(usize, &str)> =
                errors.iter().map(|e| (e.index, e.code.as_str())).collect();
            assert_eq!(codes, [(0, "missing_parent"), (1, "too_long")]);
            assert_eq!(errors[1].field.as_deref(), Some("ORG_NAME"));
        }
        other => panic!("expected refused records, got {other:?}"),
    }
    let report = catalogue
        .upload(&partners, Mode::Partial, None)
        .await
        .unwrap();
    assert_eq!((report.created, report.refused), (1, 2));
    assert_eq!(report.results[0].status, nx_sdk::RecordStatus::Refused);
    assert_eq!(report.results[2].status, nx_sdk::RecordStatus::Created);
    assert_eq!(report.results[0].errors[0].code, "missing_parent");
    // The same shape as the atomic refusal: each field error names its record.
    let refused: Vec<(usize, &str, &str)> = report
        .refused_fields()
        .map(|e| (e.index, e.record_type.as_str(), e.code.as_str()))
        .collect();
    assert_eq!(
        refused,
        [
            (0, "carrier-partner", "missing_parent"),
            (1, "carrier-partner", "too_long")
        ]
    );

    let mut renamed = carrier.clone();
    renamed.enterprise_name = "SDK 创客空间（更名）".into();
    catalogue
        .upload(&[renamed], Mode::Atomic, None)
        .await
        .unwrap();
    let history = catalogue.history::<Carrier>("SDK-BASE-1").await.unwrap();
    assert_eq!(history.current.version, 2);
    assert_eq!(history.current.record.incubator_num, Some(12));
    assert_eq!(
        history.history[0].record, carrier,
        "the first version round-trips typed"
    );
    let page = catalogue
        .query::<CarrierPartner>(&Query::new().eq("BASE_CODE", "SDK-BASE-1"))
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.items[0].record.org_code, "P-3");

    // A scope the token lacks: refused with the problem document.
    let refused = catalogue
        .upload(&[Enterprise::default()], Mode::Atomic, None)
        .await
        .unwrap_err();
    // client_credentials asked for every listed scope, so the server refuses the empty record.
    assert!(
        matches!(refused, Error::InvalidRecords { .. }),
        "{refused:?}"
    );
}

async fn the_axum_extractor_guards_a_resource_server(backend: Backend) {
    use axum::routing::get;
    use nx_sdk::{RejectionResponse, Verified};

    async fn carriers(token: Verified) -> Result<String, RejectionResponse> {
        token.require("catalogue:carrier:read")?;
        Ok(token.0.client_id)
    }
    async fn admin_only(token: Verified) -> Result<String, RejectionResponse> {
        token.require("admin")?;
        Ok("admin".into())
    }

    let app = spawn_app(backend).await;
    let machine = app.machine_client("catalogue:carrier:read").await;
    let token = app.machine_token(&machine, "catalogue:carrier:read").await;
    let verifier = Arc::new(Verifier::new(&app.address).await.unwrap());
    let resource = axum::Router::new()
        .route("/carriers", get(carriers))
        .route("/admin", get(admin_only))
        .with_state(verifier);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, resource).await });

    let http = reqwest::Client::new();
    let ok = http
        .get(format!("{base}/carriers"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(ok.text().await.unwrap(), machine.client_id);
    let missing = http.get(format!("{base}/carriers")).send().await.unwrap();
    assert_eq!(missing.status(), 401);
    assert!(
        missing.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .contains("invalid_token")
    );
    let forbidden = http
        .get(format!("{base}/admin"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(forbidden.status(), 403);
    assert!(
        forbidden.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .contains("scope=\"admin\"")
    );
}

backend_tests!(
    a_long_job_reports_through_a_token_holder_and_never_sends_a_stale_token,
    a_pending_login_waits_in_a_session_store_and_the_callback_is_checked,
    the_axum_extractor_guards_a_resource_server,
    a_user_logs_in_through_the_sdk,
    fifty_concurrent_callers_cause_exactly_one_rotation,
    resource_servers_verify_tokens,
    typed_uploads_report_per_record_errors,
);

async fn a_pending_login_waits_in_a_session_store_and_the_callback_is_checked(backend: Backend) {
    let app = spawn_app(backend).await;
    app.load_demo().await;
    let registered = registered_app_client(&app).await;
    // The app's own HTTP client (here with a timeout), not following redirects.
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .unwrap();
    let client = Client::discover_with(
        http,
        &app.address,
        &registered.client_id,
        registered.client_secret.clone(),
    )
    .await
    .unwrap()
    .with_redirect_uri(REDIRECT)
    .unwrap();

    assert!(matches!(
        client.authorize_url_with(&["openid"], &[("state", "mine")]),
        Err(Error::Config(_))
    ));
    let request = client
        .authorize_url_with(
            &["openid", "profile"],
            &[("login_hint", "carrier"), ("ui_locales", "zh-CN")],
        )
        .unwrap();
    let pairs: std::collections::HashMap<_, _> = request.url.query_pairs().into_owned().collect();
    assert_eq!(pairs["login_hint"], "carrier");
    assert_eq!(pairs["ui_locales"], "zh-CN");

    // Kept in a session store between the redirect and the callback.
    let stored = serde_json::to_string(&request).unwrap();
    drop(request);
    let pending: nx_sdk::AuthorizationRequest = serde_json::from_str(&stored).unwrap();

    let callback = callback_through_pages(&app, pending.url.as_str(), "carrier").await;
    assert_eq!(
        callback["iss"], app.address,
        "the provider names itself (RFC 9207)"
    );
    let (state, iss) = (callback["state"].as_str(), callback["iss"].as_str());
    assert!(matches!(
        client.check_callback(&pending.state, state, None),
        Err(Error::Verification(_))
    ));
    assert!(matches!(
        client.check_callback(&pending.state, state, Some("https://other-idp.example")),
        Err(Error::Verification(_))
    ));
    assert!(matches!(
        client.check_callback(&pending.state, "forged", Some(iss)),
        Err(Error::StateMismatch)
    ));
    client
        .check_callback(&pending.state, state, Some(iss))
        .unwrap();
    let login = client
        .exchange_code(&callback["code"], pending.pkce_verifier, &pending.nonce)
        .await
        .unwrap();
    let me = client.userinfo(&login.tokens.access_token).await.unwrap();
    assert_eq!(me.preferred_username.as_deref(), Some("carrier"));
}

async fn a_long_job_reports_through_a_token_holder_and_never_sends_a_stale_token(backend: Backend) {
    use idp::clock::Clock;
    use nx_sdk::records::Carrier;
    let app = spawn_app(backend).await;
    let organisation = idp::accounts::create_organisation(
        &app.db,
        "长任务载体",
        idp::accounts::OrganisationKind::Carrier,
        None,
        app.clock.now(),
    )
    .await
    .unwrap();
    let scopes = ["catalogue:carrier:read", "catalogue:carrier:write"];
    let registered = app
        .register_client(idp::oauth::clients::ClientSpec {
            name: "长任务".into(),
            scope: scopes.join(" "),
            grant_types: Some(vec![idp::oauth::clients::GrantType::ClientCredentials]),
            organisation_id: Some(organisation.id),
            ..Default::default()
        })
        .await;
    let client = Client::discover(
        &app.address,
        &registered.client_id,
        registered.client_secret.clone(),
    )
    .await
    .unwrap();
    // A bare token taken at the start of the job …
    let bare = client
        .client_credentials(&scopes)
        .await
        .unwrap()
        .access_token;
    // … and a holder that renews (the server's clock runs ahead of the SDK's here, so the
    // holder is told to renew well before the SDK thinks the token expires).
    let holder = nx_sdk::TokenHolder::client_credentials(
        client,
        &scopes,
        std::sync::Arc::new(nx_sdk::MemoryStore::default()),
    )
    .with_margin(601);
    assert_eq!(holder.client().client_id(), registered.client_id);
    let catalogue = holder.catalogue();
    let carrier = |name: &str| Carrier {
        base_code: "LONG-1".into(),
        enterprise_name: name.into(),
        ..Default::default()
    };
    catalogue
        .upload(&[carrier("第一批")], nx_sdk::Mode::Atomic, None)
        .await
        .unwrap();
    // Eleven minutes later the first access token has expired …
    app.clock.advance(660);
    let stale = catalogue_list_status(&app, &bare).await;
    assert_eq!(stale, 401, "the bare token is stale by now");
    // … and the holder's catalogue still reports.
    let report = catalogue
        .upload(&[carrier("第二批")], nx_sdk::Mode::Atomic, None)
        .await
        .unwrap();
    assert_eq!(report.updated, 1);
    let history = catalogue.history::<Carrier>("LONG-1").await.unwrap();
    assert_eq!(history.current.record.enterprise_name, "第二批");
}

async fn catalogue_list_status(app: &TestApp, token: &str) -> u16 {
    app.client
        .get(app.url("/api/catalogue/carrier"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}
