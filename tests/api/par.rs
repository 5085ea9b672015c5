//! Pushed authorization requests (RFC 9126): the SDK pushes and signs in through a one-time
//! reference; a reference is used once, by its own client, before it expires; a client
//! registered as requiring pushed requests is refused a plain one; the endpoint authenticates
//! the client, checks the redirect URI and never keeps the client's secret.

use integration_tests::{Backend, TestApp, backend_tests, location, spawn_app};
use nx_sdk::Client;

const REDIRECT: &str = "http://127.0.0.1:3000/callback";

async fn client(app: &TestApp, require: bool) -> (Client, String, String) {
    let registered = app
        .register_client(idp::oauth::clients::ClientSpec {
            name: "推送授权测试应用".into(),
            redirect_uris: vec![REDIRECT.into()],
            scope: "openid profile".into(),
            require_pushed_authorization_requests: require,
            ..Default::default()
        })
        .await;
    let secret = registered.client_secret.clone().unwrap();
    let sdk = Client::discover(&app.address, &registered.client_id, Some(secret.clone()))
        .await
        .unwrap()
        .with_redirect_uri(REDIRECT)
        .unwrap();
    (sdk, registered.client_id, secret)
}

async fn pushed_sign_in(backend: Backend) {
    let app = spawn_app(backend).await;
    app.load_demo().await;
    let (sdk, client_id, _) = client(&app, true).await;
    assert!(sdk.supports_pushed_requests());
    // The plain request is refused for this client, back at its redirect URI.
    let plain = sdk.authorize_url(&["openid"]);
    let response = app.client.get(plain.url.as_str()).send().await.unwrap();
    let back = location(&response);
    assert!(
        back.starts_with(REDIRECT) && back.contains("error=invalid_request"),
        "{back}"
    );

    let request = sdk
        .pushed_authorize_url(&["openid", "profile"])
        .await
        .unwrap();
    let query: Vec<(String, String)> = request.url.query_pairs().into_owned().collect();
    let names: Vec<&str> = query.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        names,
        ["client_id", "request_uri"],
        "only a reference in the address"
    );
    assert!(query[1].1.starts_with("urn:ietf:params:oauth:request_uri:"));
    let (code, _) =
        crate::sdk::sign_in_through_pages(&app, request.url.as_str(), "enterprise").await;
    let login = sdk
        .exchange_code(&code, request.pkce_verifier, &request.nonce)
        .await
        .unwrap();
    let enterprise = idp::accounts::find_user_by_username(&app.db, "enterprise")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(login.identity.subject, enterprise.id);

    // The reference was used: again, it is refused (a page, not a redirect).
    let again = app
        .new_browser()
        .get(request.url.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 400);
    assert!(again.text().await.unwrap().contains("失效"));

    // Another client cannot use this client's reference.
    let (_other, other_id, _) = client(&app, false).await;
    let stolen = sdk.pushed_authorize_url(&["openid"]).await.unwrap();
    let reference = stolen
        .url
        .query_pairs()
        .find(|(k, _)| k == "request_uri")
        .unwrap()
        .1
        .into_owned();
    let url = format!(
        "{}/authorize?client_id={other_id}&request_uri={}",
        app.address,
        url::form_urlencoded::byte_serialize(reference.as_bytes()).collect::<String>()
    );
    assert_eq!(
        app.new_browser().get(&url).send().await.unwrap().status(),
        400
    );
    // Nor, having been tried, can its own client (a reference is taken once).
    let own = url.replace(&other_id, &client_id);
    assert_eq!(
        app.new_browser().get(&own).send().await.unwrap().status(),
        400
    );

    // A reference expires after 90 seconds.
    let late = sdk.pushed_authorize_url(&["openid"]).await.unwrap();
    app.clock.advance(91);
    assert_eq!(
        app.new_browser()
            .get(late.url.as_str())
            .send()
            .await
            .unwrap()
            .status(),
        400
    );
}

async fn the_endpoint_checks_what_it_keeps(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, client_id, secret) = client(&app, false).await;
    let par = app.url("/par");
    let form = |extra: &[(&str, &str)]| {
        let mut v = vec![
            ("response_type", "code"),
            ("redirect_uri", REDIRECT),
            ("scope", "openid"),
            (
                "code_challenge",
                "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            ),
            ("code_challenge_method", "S256"),
        ];
        v.extend_from_slice(extra);
        v.into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect::<Vec<_>>()
    };
    // Wrong secret: 401 invalid_client.
    let response = app
        .client
        .post(&par)
        .basic_auth(&client_id, Some("wrong"))
        .form(&form(&[]))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    // An unregistered redirect URI, a nested request_uri: 400 invalid_request.
    let mut bad = form(&[]);
    bad[1].1 = "https://evil.example/cb".into();
    let response = app
        .client
        .post(&par)
        .basic_auth(&client_id, Some(&secret))
        .form(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let response = app
        .client
        .post(&par)
        .basic_auth(&client_id, Some(&secret))
        .form(&form(&[(
            "request_uri",
            "urn:ietf:params:oauth:request_uri:x",
        )]))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    // With the secret in the body (client_secret_post): 201, and the secret is not kept.
    let response = app
        .client
        .post(&par)
        .form(&form(&[
            ("client_id", &client_id),
            ("client_secret", &secret),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["expires_in"], 90);
    let kept: Vec<String> = match &app.db {
        idp::db::Db::Sqlite(pool, _) => {
            sqlx::query_scalar("SELECT params FROM oauth_pushed_requests")
                .fetch_all(pool)
                .await
                .unwrap()
        }
        idp::db::Db::Postgres(pool) => {
            sqlx::query_scalar("SELECT params FROM oauth_pushed_requests")
                .fetch_all(pool)
                .await
                .unwrap()
        }
    };
    assert_eq!(kept.len(), 1);
    assert!(
        !kept[0].contains(&secret) && kept[0].contains("code_challenge"),
        "{}",
        kept[0]
    );
    // Discovery advertises it.
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
        discovery["pushed_authorization_request_endpoint"],
        format!("{}/par", app.address)
    );
}

backend_tests!(pushed_sign_in, the_endpoint_checks_what_it_keeps);
