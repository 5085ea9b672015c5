//! The `openidconnect` crate as an independent relying party: discovery, authorization URL with
//! PKCE, code exchange, ID-token verification against the published JWKS, userinfo. If our
//! provider bends the standard, this client says so.

use integration_tests::{Backend, backend_tests, hidden_field, location, page_text, spawn_app};
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreProviderMetadata, CoreUserInfoClaims,
};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, OAuth2TokenResponse,
    PkceCodeChallenge, RedirectUrl, Scope, TokenResponse,
};

const REDIRECT: &str = "http://127.0.0.1:9/rp-callback";

backend_tests!(
    openidconnect_crate_logs_in_and_verifies_the_id_token,
    id_tokens_use_the_clients_registered_algorithm,
);

async fn openidconnect_crate_logs_in_and_verifies_the_id_token(backend: Backend) {
    let app = spawn_app(backend).await;
    app.load_demo().await;
    let registered = app
        .register_client(idp::oauth::clients::ClientSpec {
            name: "Independent RP".into(),
            redirect_uris: vec![REDIRECT.into()],
            scope: "openid profile email".into(),
            ..Default::default()
        })
        .await;

    let http = openidconnect::reqwest::ClientBuilder::new()
        .redirect(openidconnect::reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let metadata =
        CoreProviderMetadata::discover_async(IssuerUrl::new(app.address.clone()).unwrap(), &http)
            .await
            .expect("discovery succeeds");
    let client = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(registered.client_id.clone()),
        registered.client_secret.clone().map(ClientSecret::new),
    )
    .set_redirect_uri(RedirectUrl::new(REDIRECT.into()).unwrap());

    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (auth_url, csrf_state, nonce) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("profile".into()))
        .add_scope(Scope::new("email".into()))
        .set_pkce_challenge(challenge)
        .url();

    // The user's part, in the browser (our cookie-aware client).
    let response = app.client.get(auth_url.as_str()).send().await.unwrap();
    let login_page = page_text(&app.client, app.url(&location(&response))).await;
    let response = app
        .client
        .post(app.url("/login"))
        .form(&[
            (
                "csrf_token",
                hidden_field(&login_page, "csrf_token").as_str(),
            ),
            ("username", "enterprise"),
            ("password", idp::demo::DEMO_PASSWORD),
            ("return_to", hidden_field(&login_page, "return_to").as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&response), "/consent");
    let consent_page = app.get("/consent").await.text().await.unwrap();
    let response = app
        .client
        .post(app.url("/consent"))
        .form(&[
            (
                "csrf_token",
                hidden_field(&consent_page, "csrf_token").as_str(),
            ),
            ("decision", "allow"),
        ])
        .send()
        .await
        .unwrap();
    let back = url::Url::parse(&location(&response)).unwrap();
    let query: std::collections::HashMap<_, _> = back.query_pairs().into_owned().collect();
    assert_eq!(query["state"], *csrf_state.secret());

    let tokens = client
        .exchange_code(AuthorizationCode::new(query["code"].clone()))
        .unwrap()
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .expect("the code exchange succeeds");
    let id_token = tokens.id_token().expect("an ID token");
    let claims = id_token
        .claims(&client.id_token_verifier(), &nonce)
        .expect("the ID token verifies against the JWKS, issuer, audience and nonce");
    let sub = claims.subject().as_str().to_owned();
    assert!(sub.starts_with("usr_"));
    // The ID token in RS256 (verified above by the crate with the JWKS), the access token,
    // which only resource servers read, in ES256 (published in the same JWKS).
    let alg = |jwt: &str| -> String {
        use base64::Engine;
        let header = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(jwt.split('.').next().unwrap())
            .unwrap();
        serde_json::from_slice::<serde_json::Value>(&header).unwrap()["alg"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(alg(&id_token.to_string()), "RS256");
    assert_eq!(alg(tokens.access_token().secret()), "ES256");

    let userinfo: CoreUserInfoClaims = client
        .user_info(tokens.access_token().clone(), None)
        .unwrap()
        .request_async(&http)
        .await
        .expect("userinfo answers");
    assert_eq!(userinfo.subject().as_str(), sub);
    assert_eq!(
        userinfo.preferred_username().map(|u| u.as_str()),
        Some("enterprise")
    );
    assert_eq!(
        userinfo.email().map(|e| e.as_str()),
        Some("enterprise@demo.nxzc.example")
    );
}

/// A client registered for ES256 ID tokens gets them, and the SDK verifies them against the
/// JWKS; discovery lists every algorithm a client may register.
async fn id_tokens_use_the_clients_registered_algorithm(backend: Backend) {
    let app = spawn_app(backend).await;
    app.load_demo().await;
    let doc: serde_json::Value = app
        .get("/.well-known/openid-configuration")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        doc["id_token_signing_alg_values_supported"],
        serde_json::json!(["RS256", "ES256"])
    );
    // EdDSA is refused at registration: relying parties on the openidconnect crate cannot
    // verify it.
    let refused = idp::oauth::clients::register(
        &app.db,
        idp::oauth::clients::ClientSpec {
            name: "EdDSA 应用".into(),
            redirect_uris: vec![REDIRECT.into()],
            scope: "openid".into(),
            id_token_signed_response_alg: Some(idp::oauth::keys::SigningAlgorithm::EdDsa),
            ..Default::default()
        },
        idp::clock::Clock::now(&app.clock),
    )
    .await;
    assert!(matches!(
        refused,
        Err(idp::oauth::clients::ClientError::IdTokenAlgorithm)
    ));
    {
        let alg = idp::oauth::keys::SigningAlgorithm::Es256;
        let registered = app
            .register_client(idp::oauth::clients::ClientSpec {
                name: format!("{} 应用", alg.name()),
                redirect_uris: vec![REDIRECT.into()],
                scope: "openid profile".into(),
                id_token_signed_response_alg: Some(alg),
                ..Default::default()
            })
            .await;
        let client = nx_sdk::Client::discover(
            &app.address,
            &registered.client_id,
            registered.client_secret.clone(),
        )
        .await
        .unwrap()
        .with_redirect_uri(REDIRECT)
        .unwrap();
        let request = client.authorize_url(&["openid", "profile"]);
        let (code, _) =
            crate::sdk::sign_in_through_pages(&app, request.url.as_str(), "enterprise").await;
        let login = client
            .exchange_code(&code, request.pkce_verifier, &request.nonce)
            .await
            .expect("the SDK verifies the ID token against the JWKS");
        let id_token = login.tokens.id_token.unwrap();
        use base64::Engine;
        let header: serde_json::Value = serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(id_token.split('.').next().unwrap())
                .unwrap(),
        )
        .unwrap();
        assert_eq!(header["alg"], alg.name());
    }
}
