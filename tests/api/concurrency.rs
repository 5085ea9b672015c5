//! Many requests at once: what a busy carrier platform does to the token endpoint.

use integration_tests::{Backend, TestApp, backend_tests, spawn_app, spawn_app_with};
use serde_json::Value;

backend_tests!(
    forty_concurrent_refreshes_on_separate_chains_all_succeed,
    one_refresh_token_used_concurrently_rotates_exactly_once,
    twelve_concurrent_logins_all_succeed,
    within_the_grace_window_a_retry_gets_a_sibling_and_after_it_reuse_revokes,
    a_disabled_users_refresh_token_stops_working,
    concurrent_introspections_each_get_their_own_answer,
    batched_statements_run_where_each_execution_is_planned_with_its_values,
);

/// Refresh chains seeded directly in the database (what the authorization code grant stores).
async fn seed_chains(
    app: &TestApp,
    count: usize,
) -> (integration_tests::RegisteredClient, Vec<String>) {
    app.load_demo().await;
    let client = app
        .register_client(idp::oauth::clients::ClientSpec {
            name: "busy".into(),
            redirect_uris: vec!["http://127.0.0.1:9/cb".into()],
            scope: "openid offline_access".into(),
            ..Default::default()
        })
        .await;
    let user = idp::accounts::find_user_by_username(&app.db, "enterprise")
        .await
        .unwrap()
        .unwrap();
    let now = idp::clock::Clock::now(&app.clock);
    let mut chains = Vec::new();
    for _ in 0..count {
        let mut tx = app.db.begin().await.unwrap();
        let grant = idp::oauth::grants::create_grant(
            &mut tx,
            idp::oauth::grants::NewGrant {
                client_id: &client.client_id,
                user_id: Some(&user.id),
                session_id: None,
                scope: "openid offline_access",
                auth_time: now,
                lifetime: 3600,
            },
            now,
        )
        .await
        .unwrap();
        chains.push(
            idp::oauth::grants::issue_refresh(&mut tx, &grant, now, 3600)
                .await
                .unwrap()
                .into_string(),
        );
        tx.commit().await.unwrap();
    }
    (client, chains)
}

async fn refresh(
    app: &TestApp,
    client: &integration_tests::RegisteredClient,
    token: &str,
) -> (u16, Value) {
    let response = app
        .post_form_as(
            client,
            "/token",
            &[("grant_type", "refresh_token"), ("refresh_token", token)],
        )
        .await;
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

async fn forty_concurrent_refreshes_on_separate_chains_all_succeed(backend: Backend) {
    let app = std::sync::Arc::new(spawn_app(backend).await);
    let (client, chains) = seed_chains(&app, 40).await;
    let mut tasks = Vec::new();
    for token in chains {
        let (app, client) = (app.clone(), client.clone());
        tasks.push(tokio::spawn(async move {
            // Three rotations each, all at once across chains.
            let mut token = token;
            for _ in 0..3 {
                let (status, body) = refresh(&app, &client, &token).await;
                assert_eq!(status, 200, "{body}");
                token = body["refresh_token"].as_str().unwrap().to_owned();
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
}

async fn one_refresh_token_used_concurrently_rotates_exactly_once(backend: Backend) {
    let app = std::sync::Arc::new(spawn_app(backend).await);
    let (client, chains) = seed_chains(&app, 1).await;
    let token = chains[0].clone();
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let (app, client, token) = (app.clone(), client.clone(), token.clone());
        tasks.push(tokio::spawn(
            async move { refresh(&app, &client, &token).await },
        ));
    }
    let mut winners = Vec::new();
    for task in tasks {
        let (status, body) = task.await.unwrap();
        if status == 200 {
            winners.push(body);
        } else {
            assert_eq!(body["error"], "invalid_grant");
        }
    }
    assert_eq!(winners.len(), 1, "exactly one rotation");
    // With no grace window the losers count as reuse: the family, new token included, is revoked.
    let newer = winners[0]["refresh_token"].as_str().unwrap();
    let (status, _) = refresh(&app, &client, newer).await;
    assert_eq!(status, 400);
}

async fn twelve_concurrent_logins_all_succeed(backend: Backend) {
    let app = std::sync::Arc::new(spawn_app(backend).await);
    app.load_demo().await;
    let mut tasks = Vec::new();
    for i in 0..12 {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            let browser = app.new_browser();
            let user = ["enterprise", "carrier", "provider", "bank"][i % 4];
            app.sign_in(&browser, user, idp::demo::DEMO_PASSWORD)
                .await
                .status()
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap(), 303);
    }
}

async fn within_the_grace_window_a_retry_gets_a_sibling_and_after_it_reuse_revokes(
    backend: Backend,
) {
    let app = spawn_app_with(backend, |s| s.tokens.refresh_token_reuse_grace = 5).await;
    let (client, chains) = seed_chains(&app, 1).await;
    let first = chains[0].clone();
    let (status, rotated) = refresh(&app, &client, &first).await;
    assert_eq!(status, 200);
    // A retry of the same token (a lost response) within 5 s: served, with a sibling token.
    app.clock.advance(2);
    let (status, retried) = refresh(&app, &client, &first).await;
    assert_eq!(status, 200, "{retried}");
    assert_ne!(retried["refresh_token"], rotated["refresh_token"]);
    // Both successors work: nothing was revoked.
    let (status, _) = refresh(&app, &client, rotated["refresh_token"].as_str().unwrap()).await;
    assert_eq!(status, 200);
    // After the window the same old token is reuse: the family ends.
    app.clock.advance(10);
    let (status, body) = refresh(&app, &client, &first).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    let (status, _) = refresh(&app, &client, retried["refresh_token"].as_str().unwrap()).await;
    assert_eq!(status, 400, "the family is revoked");
}

async fn a_disabled_users_refresh_token_stops_working(backend: Backend) {
    let app = spawn_app(backend).await;
    let (client, chains) = seed_chains(&app, 1).await;
    let (status, rotated) = refresh(&app, &client, &chains[0]).await;
    assert_eq!(status, 200);
    idp::with_pool!(&app.db, pool => sqlx::query("UPDATE users SET disabled = TRUE WHERE username = 'enterprise'")
        .execute(pool)
        .await
        .map(|_| ()))
    .unwrap();
    let (status, body) = refresh(&app, &client, rotated["refresh_token"].as_str().unwrap()).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
}

async fn concurrent_introspections_each_get_their_own_answer(backend: Backend) {
    // Checks asked at the same moment share one database statement; each must still get the
    // answer for its own token: live, revoked itself, or from a revoked grant.
    let app = std::sync::Arc::new(spawn_app(backend).await);
    let (client, chains) = seed_chains(&app, 30).await;
    let mut cases = Vec::new();
    for (i, token) in chains.iter().enumerate() {
        let (status, body) = refresh(&app, &client, token).await;
        assert_eq!(status, 200, "{body}");
        let access = body["access_token"].as_str().unwrap().to_owned();
        let refresh_token = body["refresh_token"].as_str().unwrap().to_owned();
        let expected_active = match i % 3 {
            0 => true,
            1 => {
                let revoked = app
                    .post_form_as(&client, "/revoke", &[("token", access.as_str())])
                    .await;
                assert_eq!(revoked.status(), 200);
                false
            }
            _ => {
                // Revoking the refresh token ends its grant, and with it the access token.
                let revoked = app
                    .post_form_as(&client, "/revoke", &[("token", refresh_token.as_str())])
                    .await;
                assert_eq!(revoked.status(), 200);
                false
            }
        };
        cases.push((access, expected_active));
    }
    let mut tasks = Vec::new();
    for round in 0..3 {
        for (i, (access, expected_active)) in cases.iter().cloned().enumerate() {
            let (app, client) = (app.clone(), client.clone());
            tasks.push(tokio::spawn(async move {
                let response = app
                    .post_form_as(&client, "/introspect", &[("token", access.as_str())])
                    .await;
                assert_eq!(response.status(), 200);
                let body: Value = response.json().await.unwrap();
                assert_eq!(
                    body["active"], expected_active,
                    "token {i}, round {round}: {body}"
                );
            }));
        }
    }
    for task in tasks {
        task.await.unwrap();
    }
}

async fn batched_statements_run_where_each_execution_is_planned_with_its_values(backend: Backend) {
    // On PostgreSQL the batched statements get connections that plan every execution: a plan
    // cached while a table was nearly empty would scan the whole table once it has grown.
    // Other statements keep their cached plans.
    let app = spawn_app(backend).await;
    let lists = app.db.list_pool(&app.database_url).await.unwrap();
    assert_eq!(lists.backend(), app.db.backend());
    let mode = |db: idp::db::Db| async move {
        match db {
            idp::db::Db::Postgres(pool) => Some(
                sqlx::query_scalar::<_, String>("SHOW plan_cache_mode")
                    .fetch_one(&pool)
                    .await
                    .unwrap(),
            ),
            idp::db::Db::Sqlite(..) => None,
        }
    };
    match app.db.backend() {
        idp::db::Backend::Sqlite => assert_eq!(mode(lists).await, None),
        idp::db::Backend::Postgres => {
            assert_eq!(mode(lists).await.as_deref(), Some("force_custom_plan"));
            assert_eq!(mode(app.db.clone()).await.as_deref(), Some("auto"));
        }
    }
}
