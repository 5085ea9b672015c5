//! Key rotation, and several instances on one database.

use integration_tests::{Backend, backend_tests, spawn_app, spawn_instance_like};
use serde_json::Value;

backend_tests!(
    key_rotation_keeps_old_tokens_verifiable_until_they_expire,
    a_token_from_one_instance_works_on_another,
    housekeeping_removes_expired_rows_and_keeps_live_ones,
);

async fn key_rotation_keeps_old_tokens_verifiable_until_they_expire(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = app.machine_client("catalogue:carrier:read").await;
    let old_token = app.machine_token(&client, "catalogue:carrier:read").await;

    let now = idp::clock::Clock::now(&app.clock);
    let grace = idp::settings::TokenSettings::default().key_retirement_grace();
    idp::oauth::keys::rotate(
        &app.db,
        idp::oauth::keys::SigningAlgorithm::Es256,
        now,
        grace,
    )
    .await
    .unwrap();
    let intro: Value = app
        .post_form_as(&client, "/introspect", &[("token", &old_token)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        intro["active"], true,
        "a token signed by the retired key still verifies"
    );

    // After the grace period the old key is no longer published.
    app.clock.advance(grace + 1);
    let keys = idp::oauth::keys::Keyring::new(app.db.clone())
        .reload(idp::clock::Clock::now(&app.clock))
        .await
        .unwrap();
    // The new access-token key, and the ID-token key, which that rotation did not touch.
    let mut algs: Vec<_> = keys.keys.iter().map(|k| k.alg.name()).collect();
    algs.sort();
    assert_eq!(algs, ["ES256", "RS256"]);
    assert!(keys.keys.iter().all(|k| k.retire_at.is_none()));
}

async fn a_token_from_one_instance_works_on_another(backend: Backend) {
    let first = spawn_app(backend).await;
    let second = spawn_instance_like(&first).await;
    let client = first.machine_client("admin").await;
    let token = first.machine_token(&client, "admin").await;
    // Same keys, same clients: the second instance accepts what the first issued.
    let response = second
        .client
        .get(second.url("/api/admin/clients"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let token2 = second.machine_token(&client, "admin").await;
    let intro: Value = first
        .post_form_as(&client, "/introspect", &[("token", &token2)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(intro["active"], true);
}

async fn housekeeping_removes_expired_rows_and_keeps_live_ones(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = app.machine_client("admin").await;
    let token = app.machine_token(&client, "admin").await;
    app.post_form_as(&client, "/revoke", &[("token", &token)])
        .await;
    let now = idp::clock::Clock::now(&app.clock);
    assert_eq!(
        idp::housekeeping::sweep(&app.db, now).await.unwrap(),
        0,
        "nothing has expired yet"
    );
    app.clock.advance(601);
    let later = idp::clock::Clock::now(&app.clock);
    assert_eq!(
        idp::housekeeping::sweep(&app.db, later).await.unwrap(),
        1,
        "the revoked token's entry"
    );
}
