//! The administrative audit trail: an entry for each kind of change through the admin API, the
//! console and sign-ins, with who, from where and before/after; no secret in any entry; filters
//! and CSV; the console page; and entries that the database itself refuses to change or remove.

use integration_tests::{Backend, TestApp, backend_tests, spawn_app};
use serde_json::{Value, json};

async fn trail(app: &TestApp, token: &str, query: &str) -> Vec<Value> {
    let response = app
        .client
        .get(app.url(&format!("/api/admin/audit{query}")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn every_kind_of_change_is_recorded(backend: Backend) {
    let app = spawn_app(backend).await;
    app.load_demo().await;
    let token = app.admin_token().await;
    let api = |method: reqwest::Method, path: String, body: Option<Value>| {
        let mut request = app
            .client
            .request(method, app.url(&path))
            .bearer_auth(&token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send()
    };
    let created: Value = api(
        reqwest::Method::POST,
        "/api/admin/clients".into(),
        Some(json!({"name": "审计测试应用", "redirect_uris": ["https://rp.example/cb"], "scope": "openid"})),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let id = created["client_id"].as_str().unwrap().to_owned();
    let first_secret = created["client_secret"].as_str().unwrap().to_owned();
    let response = api(
        reqwest::Method::PUT,
        format!("/api/admin/clients/{id}"),
        Some(json!({"name": "审计测试应用（改）", "redirect_uris": ["https://rp.example/cb"], "scope": "openid profile"})),
    )
    .await
    .unwrap();
    assert_eq!(response.status(), 200);
    let rotated: Value = api(
        reqwest::Method::POST,
        format!("/api/admin/clients/{id}/secret"),
        None,
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let second_secret = rotated["client_secret"].as_str().unwrap().to_owned();
    assert_eq!(
        api(
            reqwest::Method::DELETE,
            format!("/api/admin/clients/{id}"),
            None
        )
        .await
        .unwrap()
        .status(),
        204
    );
    let org = idp::accounts::find_organisation_by_name(&app.db, "宁夏演示科技有限公司")
        .await
        .unwrap()
        .unwrap();
    for action in ["freeze", "unfreeze"] {
        let response = api(
            reqwest::Method::POST,
            format!("/api/admin/organisations/{}/{action}", org.id),
            Some(json!({"reason": "审计测试"})),
        )
        .await
        .unwrap();
        assert_eq!(response.status(), 200, "{action}");
    }
    // A failed and a successful sign-in.
    let browser = app.new_browser();
    let refused = app.sign_in(&browser, "enterprise", "wrong-password").await;
    assert_eq!(refused.status(), 401);
    app.demo_browser("enterprise").await;

    let entries = trail(&app, &token, "?limit=500").await;
    let actions: Vec<&str> = entries
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for expected in [
        "client.register",
        "client.update",
        "client.rotate_secret",
        "client.remove",
        "organisation.freeze",
        "organisation.unfreeze",
        "organisation.create",
        "user.create",
        "key.create",
        "sign_in",
    ] {
        assert!(actions.contains(&expected), "{expected} in {actions:?}");
    }
    // Newest first, numbered in order.
    let seqs: Vec<i64> = entries.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    assert!(seqs.windows(2).all(|w| w[0] > w[1]));
    // No secret anywhere.
    let all = serde_json::to_string(&entries).unwrap();
    assert!(!all.contains(&first_secret) && !all.contains(&second_secret));
    assert!(!all.contains("secret_hash"));

    // About the client: four entries by the admin client from this machine, with before/after.
    let about = trail(&app, &token, &format!("?target={id}")).await;
    assert_eq!(about.len(), 4, "{about:?}");
    assert!(
        about
            .iter()
            .all(|e| e["actor"].as_str().unwrap().starts_with("client:"))
    );
    assert!(about.iter().all(|e| e["address"] == "127.0.0.1"));
    let update = about
        .iter()
        .find(|e| e["action"] == "client.update")
        .unwrap();
    assert!(
        update["before"]
            .as_str()
            .unwrap()
            .contains("审计测试应用\"")
    );
    assert!(
        update["after"]
            .as_str()
            .unwrap()
            .contains("审计测试应用（改）")
    );

    let sign_ins = trail(&app, &token, "?action=sign_in&actor=enterprise").await;
    let outcomes: Vec<&str> = sign_ins
        .iter()
        .map(|e| e["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["ok", "refused"]);
    assert!(sign_ins[0]["actor_user_id"].is_string() && sign_ins[1]["actor_user_id"].is_null());

    // CSV, and the bounds of a filter.
    let csv = app
        .client
        .get(app.url("/api/admin/audit?action=client.&format=csv"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        csv.starts_with('\u{feff}') && csv.lines().count() == 5,
        "{csv}"
    );
    let bad = app
        .client
        .get(app.url("/api/admin/audit?from=yesterday"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    // Only administrators read it.
    let page = app.demo_browser("enterprise").await;
    assert_eq!(
        page.get(app.url("/console/audit"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    let admin = app.demo_browser("admin").await;
    let html = admin
        .get(app.url("/console/audit?action=organisation."))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("organisation.freeze") && !html.contains("client.register"));
    let file = admin
        .get(app.url("/console/audit.csv?action=sign_in"))
        .send()
        .await
        .unwrap();
    assert_eq!(file.headers()["content-type"], "text/csv; charset=utf-8");
}

async fn entries_cannot_be_changed_or_removed(backend: Backend) {
    let app = spawn_app(backend).await;
    app.load_demo().await;
    let refused = |r: Result<u64, sqlx::Error>| assert!(r.is_err(), "the database refuses it");
    match &app.db {
        idp::db::Db::Sqlite(pool, _) => {
            refused(
                sqlx::query("UPDATE admin_audit SET actor = 'someone else'")
                    .execute(pool)
                    .await
                    .map(|r| r.rows_affected()),
            );
            refused(
                sqlx::query("DELETE FROM admin_audit")
                    .execute(pool)
                    .await
                    .map(|r| r.rows_affected()),
            );
        }
        idp::db::Db::Postgres(pool) => {
            refused(
                sqlx::query("UPDATE admin_audit SET actor = 'someone else'")
                    .execute(pool)
                    .await
                    .map(|r| r.rows_affected()),
            );
            refused(
                sqlx::query("DELETE FROM admin_audit")
                    .execute(pool)
                    .await
                    .map(|r| r.rows_affected()),
            );
            refused(
                sqlx::query("TRUNCATE admin_audit")
                    .execute(pool)
                    .await
                    .map(|r| r.rows_affected()),
            );
        }
    }
    let token = app.admin_token().await;
    let entries = trail(&app, &token, "").await;
    assert!(!entries.is_empty());
    assert!(entries.iter().all(|e| e["actor"] != "someone else"));
}

backend_tests!(
    every_kind_of_change_is_recorded,
    entries_cannot_be_changed_or_removed
);
