//! Discovery, JWKS, and the grants and endpoints a backend service uses without a user:
//! client_credentials, introspection, revocation.

use integration_tests::{Backend, backend_tests, spawn_app};
use serde_json::Value;

backend_tests!(
    discovery_documents_name_every_endpoint_and_only_s256,
    jwks_publishes_the_signing_key,
    client_credentials_issues_an_rfc9068_access_token,
    client_credentials_refuses_scope_beyond_the_client,
    wrong_secret_is_invalid_client_with_a_challenge,
    unknown_grant_type_is_unsupported_grant_type,
    a_grant_the_client_may_not_use_is_unauthorized_client,
    repeated_parameters_are_invalid_request,
    json_body_at_the_token_endpoint_is_invalid_request,
    introspection_reports_active_then_inactive_after_revocation,
    introspection_reports_expired_tokens_inactive,
    introspection_requires_client_authentication,
);

async fn discovery_documents_name_every_endpoint_and_only_s256(backend: Backend) {
    let app = spawn_app(backend).await;
    for path in [
        "/.well-known/openid-configuration",
        "/.well-known/oauth-authorization-server",
    ] {
        let doc: Value = app.get(path).await.json().await.unwrap();
        assert_eq!(doc["issuer"], app.address.as_str());
        for endpoint in [
            "authorization_endpoint",
            "token_endpoint",
            "userinfo_endpoint",
            "jwks_uri",
            "revocation_endpoint",
            "introspection_endpoint",
            "end_session_endpoint",
        ] {
            let url = doc[endpoint]
                .as_str()
                .unwrap_or_else(|| panic!("{endpoint} missing"));
            assert!(url.starts_with(&app.address), "{endpoint}: {url}");
        }
        assert_eq!(
            doc["code_challenge_methods_supported"],
            serde_json::json!(["S256"])
        );
        assert_eq!(doc["response_types_supported"], serde_json::json!(["code"]));
        assert_eq!(doc["authorization_response_iss_parameter_supported"], true);
        let scopes = doc["scopes_supported"].as_array().unwrap();
        assert!(scopes.contains(&Value::from("catalogue:fund-repayment:write")));
        assert!(scopes.contains(&Value::from("crowdfunding:staff")));
        assert!(scopes.contains(&Value::from("inbox")));
        assert!(scopes.contains(&Value::from("crowdsourcing:staff")));
        assert!(scopes.contains(&Value::from("financing:staff")));
        assert!(scopes.contains(&Value::from("financing:data-admin")));
        assert!(scopes.contains(&Value::from("resources:staff")));
        assert_eq!(scopes.len(), 16 + 19 * 2);
    }
}

async fn jwks_publishes_the_signing_key(backend: Backend) {
    let app = spawn_app(backend).await;
    let jwks: Value = app.get("/jwks.json").await.json().await.unwrap();
    let keys = jwks["keys"].as_array().unwrap();
    // ID tokens in RS256 (OpenID Connect's baseline), access tokens in ES256.
    assert_eq!(keys.len(), 2, "{jwks}");
    let rsa = keys.iter().find(|k| k["kty"] == "RSA").unwrap();
    assert_eq!(rsa["alg"], "RS256");
    let ec = keys.iter().find(|k| k["kty"] == "EC").unwrap();
    assert_eq!(
        (ec["alg"].as_str(), ec["crv"].as_str()),
        (Some("ES256"), Some("P-256"))
    );
    for key in keys {
        assert_eq!(key["use"], "sig");
        assert!(key["kid"].is_string());
        assert!(key.get("d").is_none(), "no private part");
    }
}

fn decode_payload(jwt: &str) -> Value {
    use base64::Engine;
    let part = jwt.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

fn decode_header(jwt: &str) -> Value {
    use base64::Engine;
    let part = jwt.split('.').next().unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

async fn client_credentials_issues_an_rfc9068_access_token(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = app
        .machine_client("catalogue:enterprise:write catalogue:enterprise:read")
        .await;
    let response = app
        .post_form_as(
            &client,
            "/token",
            &[
                ("grant_type", "client_credentials"),
                ("scope", "catalogue:enterprise:write"),
            ],
        )
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 600);
    assert_eq!(body["scope"], "catalogue:enterprise:write");
    assert!(body.get("refresh_token").is_none());
    let token = body["access_token"].as_str().unwrap();
    assert_eq!(decode_header(token)["typ"], "at+jwt");
    assert_eq!(
        decode_header(token)["alg"],
        "ES256",
        "access tokens in ES256 by default"
    );
    let claims = decode_payload(token);
    assert_eq!(claims["iss"], app.address.as_str());
    assert_eq!(claims["sub"], client.client_id.as_str());
    assert_eq!(claims["client_id"], client.client_id.as_str());
    assert_eq!(claims["aud"], format!("{}/api", app.address));
    for claim in ["jti", "iat", "exp"] {
        assert!(!claims[claim].is_null(), "{claim}");
    }
}

async fn client_credentials_refuses_scope_beyond_the_client(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = app.machine_client("catalogue:enterprise:read").await;
    let response = app
        .post_form_as(
            &client,
            "/token",
            &[("grant_type", "client_credentials"), ("scope", "admin")],
        )
        .await;
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "invalid_scope");
}

async fn wrong_secret_is_invalid_client_with_a_challenge(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut client = app.machine_client("admin").await;
    client.client_secret = Some("nxcs_wrong".into());
    let response = app
        .post_form_as(&client, "/token", &[("grant_type", "client_credentials")])
        .await;
    assert_eq!(response.status(), 401);
    assert!(
        response.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Basic")
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "invalid_client");
}

async fn unknown_grant_type_is_unsupported_grant_type(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = app.machine_client("admin").await;
    for grant in [
        "password",
        "implicit",
        "urn:ietf:params:oauth:grant-type:device_code",
    ] {
        let response = app
            .post_form_as(&client, "/token", &[("grant_type", grant)])
            .await;
        assert_eq!(response.status(), 400);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"], "unsupported_grant_type", "{grant}");
    }
}

async fn a_grant_the_client_may_not_use_is_unauthorized_client(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = app.machine_client("admin").await;
    let response = app
        .post_form_as(
            &client,
            "/token",
            &[("grant_type", "refresh_token"), ("refresh_token", "x")],
        )
        .await;
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "unauthorized_client");
}

async fn repeated_parameters_are_invalid_request(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = app.machine_client("admin").await;
    let response = app
        .post_form_as(
            &client,
            "/token",
            &[
                ("grant_type", "client_credentials"),
                ("scope", "admin"),
                ("scope", "admin"),
            ],
        )
        .await;
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "invalid_request");
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("scope")
    );
}

async fn json_body_at_the_token_endpoint_is_invalid_request(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = app.machine_client("admin").await;
    let response = app
        .client
        .post(app.url("/token"))
        .basic_auth(&client.client_id, client.client_secret.as_deref())
        .json(&serde_json::json!({ "grant_type": "client_credentials" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "invalid_request");
}

async fn introspection_reports_active_then_inactive_after_revocation(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = app.machine_client("catalogue:carrier:read").await;
    let token = app.machine_token(&client, "catalogue:carrier:read").await;

    let body: Value = app
        .post_form_as(&client, "/introspect", &[("token", &token)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["active"], true);
    assert_eq!(body["scope"], "catalogue:carrier:read");
    assert_eq!(body["client_id"], client.client_id.as_str());

    let response = app
        .post_form_as(&client, "/revoke", &[("token", &token)])
        .await;
    assert_eq!(response.status(), 200);
    let body: Value = app
        .post_form_as(&client, "/introspect", &[("token", &token)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body, serde_json::json!({ "active": false }));
    // Revoking an unknown token is not an error (RFC 7009 §2.2).
    assert_eq!(
        app.post_form_as(&client, "/revoke", &[("token", "nonsense")])
            .await
            .status(),
        200
    );
}

async fn introspection_reports_expired_tokens_inactive(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = app.machine_client("catalogue:carrier:read").await;
    let token = app.machine_token(&client, "catalogue:carrier:read").await;
    app.clock.advance(601);
    let body: Value = app
        .post_form_as(&client, "/introspect", &[("token", &token)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["active"], false);
}

async fn introspection_requires_client_authentication(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = app.machine_client("admin").await;
    let token = app.machine_token(&client, "admin").await;
    let response = app
        .client
        .post(app.url("/introspect"))
        .form(&[("token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "invalid_client");
}
