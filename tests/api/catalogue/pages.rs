//! The catalogue's console pages: the standard in Chinese for everyone, and freezing an
//! organisation's reporting for administrators.

use integration_tests::{Backend, backend_tests, hidden_field, location, page_text, spawn_app};
use serde_json::{Value, json};

use super::{enterprise, post, reporter};

async fn the_standard_is_shown_in_chinese_and_english(backend: Backend) {
    let app = spawn_app(backend).await;
    let page = app.get("/console/catalogue").await.text().await.unwrap();
    assert!(page.contains("数据接口标准规范上报目录"), "{page}");
    assert!(
        page.contains("企业基本信息")
            && page.contains("还款记录")
            && page.contains("共享资源服务项目")
    );
    assert!(page.contains("<code>CROWD_ID</code>") && page.contains("1 企业；2 事业单位"));
    let english = app
        .get("/console/catalogue?lang=en")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        english.contains("Data interface standard")
            && english.contains("Finance lease application")
    );

    let doc: Value = app.get("/api/openapi.json").await.json().await.unwrap();
    assert_eq!(
        doc["components"]["schemas"]["EnterpriseRecord"]["properties"]["AREA_COUNTY"]["maxLength"],
        6
    );
    let post = &doc["paths"]["/api/catalogue/carrier"]["post"];
    assert_eq!(post["security"][0]["bearer"][0], "catalogue:carrier:write");
}

async fn an_administrator_freezes_and_unfreezes_reporting_on_the_console(backend: Backend) {
    let app = spawn_app(backend).await;
    app.load_demo().await;
    let r = reporter(&app, "控制台冻结机构").await;
    let admin = app.demo_browser("admin").await;
    let page = page_text(&admin, app.url("/console/organisations")).await;
    assert!(page.contains("控制台冻结机构"), "{page}");
    let csrf = hidden_field(&page, "csrf_token");
    let action = format!("/console/organisations/{}", r.organisation_id);

    // Without a reason nothing changes.
    let response = admin
        .post(app.url(&action))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("action", "freeze"),
            ("reason", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let (status, _) = post(
        &app,
        &r.token,
        "/api/catalogue/enterprise",
        &enterprise("K-1", "未冻结"),
    )
    .await;
    assert_eq!(status, 200);

    let response = admin
        .post(app.url(&action))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("action", "freeze"),
            ("reason", "数据异常待核查"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/console/organisations");
    let page = page_text(&admin, app.url("/console/organisations")).await;
    assert!(page.contains("已冻结") && page.contains("数据异常待核查"));
    let (status, body) = post(
        &app,
        &r.token,
        "/api/catalogue/enterprise",
        &enterprise("K-2", "冻结中"),
    )
    .await;
    assert_eq!(status, 423);
    assert_eq!(body["reason"], json!("数据异常待核查"));

    // A forged form (no CSRF token) is refused.
    let response = admin
        .post(app.url(&action))
        .form(&[
            ("csrf_token", "forged"),
            ("action", "unfreeze"),
            ("reason", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_ne!(response.status(), 303);
    let response = admin
        .post(app.url(&action))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("action", "unfreeze"),
            ("reason", "已核查"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let (status, _) = post(
        &app,
        &r.token,
        "/api/catalogue/enterprise",
        &enterprise("K-2", "解冻后"),
    )
    .await;
    assert_eq!(status, 200);

    // Other roles cannot open the page.
    let carrier = app.demo_browser("carrier").await;
    let response = carrier
        .get(app.url("/console/organisations"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
}

backend_tests!(
    the_standard_is_shown_in_chinese_and_english,
    an_administrator_freezes_and_unfreezes_reporting_on_the_console,
);
