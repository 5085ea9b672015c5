//! 风险监控 over its API on both databases: each default indicator raising a warning at each
//! level on crafted data (and clearing); a custom indicator from a query model; a notice with
//! a PDF acknowledged by one recipient and not by another, and the reminder; freezing from a
//! warning and unfreezing, audited; an automatic freeze refusing the next report with 423; the
//! dashboard and its chart data.

use std::collections::HashMap;

use idp::clock::Clock;
use integration_tests::{Backend, TestApp, backend_tests, spawn_app};
use serde_json::{Value, json};

use crate::crowdfunding::call;

const R: &str = "/api/financing/risk";

async fn tokens(app: &TestApp) -> HashMap<String, String> {
    let mut t = crate::crowdfunding::tokens_through(
        app,
        "openid financing financing:staff inbox",
        &["openid", "financing", "financing:staff", "inbox"],
        &["admin", "bank", "fund", "enterprise"],
    )
    .await;
    t.extend(
        crate::crowdfunding::tokens_through(
            app,
            "openid inbox",
            &["openid", "inbox"],
            &["carrier"],
        )
        .await,
    );
    t
}

async fn exec(app: &TestApp, sql: &str, binds: &[Value]) {
    idp::with_pool!(&app.db, pool => {
        let mut q = sqlx::query(sql);
        for b in binds {
            q = match b {
                Value::String(s) => q.bind(s.clone()),
                Value::Number(n) => q.bind(n.as_i64().unwrap()),
                _ => q.bind(Option::<String>::None),
            };
        }
        q.execute(pool).await.unwrap();
    });
}

async fn text(app: &TestApp, sql: &str) -> String {
    idp::with_pool!(&app.db, pool => {
        sqlx::query_scalar::<_, String>(sql).fetch_one(pool).await.unwrap()
    })
}

/// Evaluates now and answers the open warning of `indicator` on `subject` (level, figure).
async fn level_of(
    app: &TestApp,
    staff: &str,
    indicator: &str,
    subject: &str,
) -> Option<(String, String)> {
    let (status, evaluations) = call(app, "POST", staff, &format!("{R}/evaluate"), None).await;
    assert_eq!(status, 200, "{evaluations}");
    let (status, warnings) = call(
        app,
        "GET",
        staff,
        &format!("{R}/warnings?indicator={indicator}"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{warnings}");
    warnings
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["subject"] == subject)
        .map(|w| {
            (
                w["level"].as_str().unwrap().to_owned(),
                w["figure"].as_str().unwrap().to_owned(),
            )
        })
}

fn lv(level: &str, figure: &str) -> Option<(String, String)> {
    Some((level.to_owned(), figure.to_owned()))
}

async fn default_indicators(backend: Backend) {
    Box::pin(default_indicators_on(backend)).await
}

async fn default_indicators_on(backend: Backend) {
    let app = spawn_app(backend).await;
    app.load_demo().await;
    let t = tokens(&app).await;
    let staff = &t["admin"];
    let now = app.clock.now();

    let (status, list) = call(&app, "GET", staff, &format!("{R}/indicators"), None).await;
    assert_eq!(status, 200);
    let codes: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["code"].as_str().unwrap())
        .collect();
    for code in [
        "bank_commitment",
        "bridge_overdue",
        "enterprise_concentration",
        "fund_overdue_rate",
        "pool_compensation",
        "reporting_compliance",
    ] {
        assert!(codes.contains(&code), "{codes:?}");
    }
    let fund = list
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == "fund_overdue_rate")
        .unwrap();
    assert_eq!(
        (
            fund["yellow"].as_str(),
            fund["orange"].as_str(),
            fund["red"].as_str()
        ),
        (Some("3"), Some("4"), Some("5"))
    );
    let (status, _) = call(&app, "GET", &t["bank"], &format!("{R}/indicators"), None).await;
    assert_eq!(status, 403);

    // A bridge past its day limit: 1, 4 and 8 days.
    let bridge = text(&app, "SELECT id FROM fin_applications WHERE product = 'bridge' AND state = 'disbursed' ORDER BY id LIMIT 1").await;
    for (days, level) in [(1, "yellow"), (4, "orange"), (8, "red")] {
        exec(
            &app,
            "UPDATE fin_applications SET due_at = $1 WHERE id = $2",
            &[json!(now - days * 86_400 + 60), json!(bridge)],
        )
        .await;
        assert_eq!(
            level_of(&app, staff, "bridge_overdue", &bridge).await,
            lv(level, &days.to_string())
        );
    }
    let (_, w) = call(
        &app,
        "GET",
        staff,
        &format!("{R}/warnings?indicator=bridge_overdue"),
        None,
    )
    .await;
    let w = &w[0];
    assert_eq!(w["records"], json!([bridge]));
    assert_eq!(w["threshold"], "7");
    assert_eq!(w["dimensions"]["product"], "bridge");
    assert!(w["dimensions"]["bank"].is_string(), "{w}");
    // Repaid in time again: the warning clears.
    exec(
        &app,
        "UPDATE fin_applications SET due_at = $1 WHERE id = $2",
        &[json!(now + 86_400), json!(bridge)],
    )
    .await;
    assert_eq!(level_of(&app, staff, "bridge_overdue", &bridge).await, None);
    let (_, all) = call(
        &app,
        "GET",
        staff,
        &format!("{R}/warnings?indicator=bridge_overdue&open=false"),
        None,
    )
    .await;
    assert!(all[0]["cleared_at"].is_i64(), "{all}");

    // Compensation paid against the pool: 55 %, 75 %, 95 %.
    let pool: i64 = idp::with_pool!(&app.db, pool => sqlx::query_scalar("SELECT size_fen FROM fin_funds WHERE name = 'pool'").fetch_one(pool).await.unwrap());
    for (pct, level) in [(55, "yellow"), (75, "orange"), (95, "red")] {
        exec(
            &app,
            "UPDATE fin_funds SET out_fen = $1 WHERE name = 'pool'",
            &[json!(pool / 100 * pct)],
        )
        .await;
        assert_eq!(
            level_of(&app, staff, "pool_compensation", "compensation-pool").await,
            lv(level, &pct.to_string())
        );
    }

    // A bank's lending against its commitment: 85 %, 95 %, 105 %.
    let bank = text(
        &app,
        "SELECT id FROM organisations WHERE kind = 'bank' ORDER BY id LIMIT 1",
    )
    .await;
    exec(&app, "INSERT INTO fin_bank_lending (bank_org_id, outstanding_fen) VALUES ($1, 0) ON CONFLICT (bank_org_id) DO NOTHING", &[json!(bank)]).await;
    let commitment = 50_000_000i64 * 100 * 10;
    for (pct, level) in [(85, "yellow"), (95, "orange"), (105, "red")] {
        exec(
            &app,
            "UPDATE fin_bank_lending SET outstanding_fen = $1 WHERE bank_org_id = $2",
            &[json!(commitment / 100 * pct), json!(bank)],
        )
        .await;
        assert_eq!(
            level_of(&app, staff, "bank_commitment", &bank).await,
            lv(level, &pct.to_string())
        );
    }

    // One enterprise's share of the bridge fund: 12 %, 17 %, 25 %.
    let (enterprise, bridge_size): (String, i64) = idp::with_pool!(&app.db, pool => sqlx::query_as(
        "SELECT a.enterprise_org_id, f.size_fen FROM fin_applications a, fin_funds f WHERE a.id = $1 AND f.name = 'bridge'")
        .bind(&bridge).fetch_one(pool).await.unwrap());
    for (pct, level) in [(12, "yellow"), (17, "orange"), (25, "red")] {
        exec(
            &app,
            "UPDATE fin_applications SET disbursed_fen = $1 WHERE id = $2",
            &[json!(bridge_size / 100 * pct), json!(bridge)],
        )
        .await;
        assert_eq!(
            level_of(
                &app,
                staff,
                "enterprise_concentration",
                &format!("bridge:{enterprise}")
            )
            .await,
            lv(level, &pct.to_string())
        );
    }

    // The mutual fund's overdue rate: one overdue loan of 1,000 yuan beside one current loan.
    let (overdue, current): (String, String) = idp::with_pool!(&app.db, pool => sqlx::query_as(
        "SELECT (SELECT apply_no FROM fund_applications WHERE state = 'disbursed' ORDER BY apply_no LIMIT 1), (SELECT apply_no FROM fund_applications WHERE state = 'settled' ORDER BY apply_no LIMIT 1)")
        .fetch_one(pool).await.unwrap());
    exec(&app, "UPDATE fund_applications SET state = 'overdue', amount_fen = 100000, principal_repaid_fen = 0 WHERE apply_no = $1", &[json!(overdue)]).await;
    for (current_fen, level, figure) in [
        (2_757_143, "yellow", "3.5"),
        (2_122_222, "orange", "4.5"),
        (900_000, "red", "10"),
    ] {
        exec(&app, "UPDATE fund_applications SET state = 'disbursed', amount_fen = $1, principal_repaid_fen = 0 WHERE apply_no = $2", &[json!(current_fen), json!(current)]).await;
        assert_eq!(
            level_of(&app, staff, "fund_overdue_rate", "mutual-fund").await,
            lv(level, figure)
        );
    }
    let (_, w) = call(
        &app,
        "GET",
        staff,
        &format!("{R}/warnings?indicator=fund_overdue_rate"),
        None,
    )
    .await;
    assert_eq!(w[0]["records"], json!([overdue]));

    // Reporting compliance: refused shares of 15 %, 25 %, 40 % in the last 30 days, and a
    // carrier silent for 30 days.
    let carrier = text(
        &app,
        "SELECT id FROM organisations WHERE kind = 'carrier' ORDER BY id LIMIT 1",
    )
    .await;
    for (refused, level) in [(15, "yellow"), (25, "orange"), (40, "red")] {
        exec(
            &app,
            "DELETE FROM catalogue_report_log WHERE organisation_id = $1",
            &[json!(carrier)],
        )
        .await;
        exec(&app, "INSERT INTO catalogue_report_log (organisation_id, at, received, refused) VALUES ($1, $2, 100, $3)", &[json!(carrier), json!(now - 86_400), json!(refused)]).await;
        assert_eq!(
            level_of(&app, staff, "reporting_compliance", &carrier).await,
            lv(level, &refused.to_string())
        );
    }
    exec(
        &app,
        "UPDATE catalogue_report_log SET at = $1, refused = 0 WHERE organisation_id = $2",
        &[json!(now - 40 * 86_400), json!(carrier)],
    )
    .await;
    assert_eq!(
        level_of(&app, staff, "reporting_compliance", &carrier).await,
        lv("red", "100")
    );

    // Staff were told of each new or higher warning in the inbox.
    let (_, inbox) = call(&app, "GET", &t["admin"], "/api/inbox?limit=100", None).await;
    assert!(inbox.to_string().contains("红色预警"), "{inbox}");

    // Thresholds are data: raising red above the figure lowers the warning to orange.
    let (status, changed) = call(
        &app,
        "PUT",
        staff,
        &format!("{R}/indicators/reporting_compliance"),
        Some(json!({"orange": "90", "red": "100"})),
    )
    .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(
        level_of(&app, staff, "reporting_compliance", &carrier).await,
        lv("orange", "100")
    );
    let (status, _) = call(
        &app,
        "PUT",
        staff,
        &format!("{R}/indicators/reporting_compliance"),
        Some(json!({"yellow": "95", "orange": "90"})),
    )
    .await;
    assert_eq!(status, 400);

    // A custom indicator from a query model: bridge-loan records per bank region.
    let (status, custom) = call(&app, "PUT", staff, &format!("{R}/indicators/bridge_records_by_region"), Some(json!({
        "name_zh": "各地区转贷记录数", "unit": "count", "yellow": "0", "orange": "10", "red": "100",
        "formula": {"type": "query", "model": {"kind": "groups", "dataset": "catalogue:bridge-loan",
            "rows": [{"field": "Bank_region"}], "measures": [{"aggregate": "count"}]}}
    }))).await;
    assert_eq!(status, 200, "{custom}");
    let (_, evaluations) = call(&app, "POST", staff, &format!("{R}/evaluate"), None).await;
    let custom = evaluations
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["indicator"] == "bridge_records_by_region")
        .unwrap();
    assert!(custom["yellow"].as_u64().unwrap() >= 1, "{evaluations}");
    let (status, _) = call(&app, "PUT", staff, &format!("{R}/indicators/bad_one"), Some(json!({
        "name_zh": "坏", "yellow": "0", "orange": "1", "red": "2",
        "formula": {"type": "query", "model": {"kind": "groups", "dataset": "catalogue:bridge-loan",
            "rows": [{"field": "x\"; DROP TABLE users; --"}], "measures": [{"aggregate": "count"}]}}
    }))).await;
    assert_eq!(status, 400);
}

async fn notices_and_freezing(backend: Backend) {
    Box::pin(notices_and_freezing_on(backend)).await
}

async fn notices_and_freezing_on(backend: Backend) {
    let app = spawn_app(backend).await;
    app.load_demo().await;
    let t = tokens(&app).await;
    let staff = &t["admin"];
    let bank_org = text(
        &app,
        "SELECT id FROM organisations WHERE kind = 'bank' ORDER BY id LIMIT 1",
    )
    .await;
    let pdf = b"%PDF-1.4\n%\xe7\xba\xa2\xe5\xa4\xb4\xe6\x96\x87\xe4\xbb\xb6\n%%EOF\n";
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD.encode(pdf);

    // A notice with a 红头文件 to the bank's members and every fund manager.
    let (status, bad) = call(&app, "POST", staff, &format!("{R}/notices"), Some(json!({
        "title": "关于加强风险防控的通知", "body": "请各单位自查。", "organisations": [bank_org],
        "document": {"name": "通知.pdf", "content_base64": base64::engine::general_purpose::STANDARD.encode(b"GIF89a")}
    }))).await;
    assert_eq!(status, 400, "{bad}");
    let (status, notice) = call(&app, "POST", staff, &format!("{R}/notices"), Some(json!({
        "title": "关于加强风险防控的通知", "body": "请各单位自查。", "organisations": [bank_org], "roles": ["fund_manager"],
        "document": {"name": "关于加强风险防控的通知.pdf", "content_base64": encoded}
    }))).await;
    assert_eq!(status, 201, "{notice}");
    let id = notice["id"].as_str().unwrap();
    assert_eq!(notice["recipients"], 2, "{notice}");
    assert_eq!(notice["acknowledged"], 0);
    let (status, _) = call(&app, "GET", &t["bank"], &format!("{R}/notices/{id}"), None).await;
    assert_eq!(status, 403);

    // The bank officer finds it in the inbox, opens the document and acknowledges it.
    let (_, inbox) = call(&app, "GET", &t["bank"], "/api/inbox", None).await;
    let message = inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["topic"] == "risk.notice")
        .unwrap()
        .clone();
    assert_eq!(message["needs_ack"], true);
    let doc = app
        .client
        .get(app.url(&format!("{R}/notices/{id}/document")))
        .bearer_auth(&t["bank"])
        .send()
        .await
        .unwrap();
    assert_eq!(doc.status(), 200);
    assert!(doc.headers()["x-content-sha256"].to_str().unwrap().len() == 64);
    assert_eq!(&doc.bytes().await.unwrap()[..], &pdf[..]);
    let doc = app
        .client
        .get(app.url(&format!("{R}/notices/{id}/document")))
        .bearer_auth(&t["enterprise"])
        .send()
        .await
        .unwrap();
    assert_eq!(doc.status(), 404);
    let (status, acked) = call(
        &app,
        "POST",
        &t["bank"],
        &format!("/api/inbox/{}/acknowledge", message["id"].as_str().unwrap()),
        None,
    )
    .await;
    assert_eq!(status, 200, "{acked}");

    // Staff see one acknowledged and one not, and remind the one who has not.
    let (_, status_of) = call(&app, "GET", staff, &format!("{R}/notices/{id}"), None).await;
    assert_eq!(status_of["acknowledged"], 1, "{status_of}");
    let states: Vec<(bool, &str)> = status_of["status"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["acknowledged_at"].is_i64(),
                r["display_name"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(states.iter().filter(|s| s.0).count(), 1, "{states:?}");
    let (status, reminded) = call(
        &app,
        "POST",
        staff,
        &format!("{R}/notices/{id}/remind"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(reminded["reminded"], 1);
    let (_, fund_inbox) = call(&app, "GET", &t["fund"], "/api/inbox", None).await;
    assert!(
        fund_inbox.to_string().contains("risk.notice.reminder"),
        "{fund_inbox}"
    );
    let (_, bank_inbox) = call(&app, "GET", &t["bank"], "/api/inbox", None).await;
    assert!(!bank_inbox.to_string().contains("risk.notice.reminder"));

    // A reporting-compliance warning frozen by staff: the carrier is told; unfreezing is audited.
    let carrier = text(
        &app,
        "SELECT id FROM organisations WHERE kind = 'carrier' ORDER BY id LIMIT 1",
    )
    .await;
    exec(&app, "INSERT INTO catalogue_report_log (organisation_id, at, received, refused) VALUES ($1, $2, 10, 5)", &[json!(carrier), json!(app.clock.now() - 60)]).await;
    call(&app, "POST", staff, &format!("{R}/evaluate"), None).await;
    let (_, w) = call(
        &app,
        "GET",
        staff,
        &format!("{R}/warnings?indicator=reporting_compliance"),
        None,
    )
    .await;
    let warning = w
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["subject"] == carrier.as_str())
        .unwrap()
        .clone();
    let wid = warning["id"].as_str().unwrap();
    let (status, frozen) = call(
        &app,
        "POST",
        staff,
        &format!("{R}/warnings/{wid}/freeze"),
        Some(json!({"reason": "请整改"})),
    )
    .await;
    assert_eq!(status, 200, "{frozen}");
    assert!(
        frozen["frozen_reason"]
            .as_str()
            .unwrap()
            .contains("数据上报合规"),
        "{frozen}"
    );
    let (_, carrier_inbox) = call(&app, "GET", &t["carrier"], "/api/inbox", None).await;
    assert!(
        carrier_inbox.to_string().contains("risk.frozen"),
        "{carrier_inbox}"
    );
    let (status, _) = call(
        &app,
        "POST",
        staff,
        &format!("{R}/organisations/{carrier}/unfreeze"),
        Some(json!({})),
    )
    .await;
    assert_eq!(status, 400);
    let (status, _) = call(
        &app,
        "POST",
        staff,
        &format!("{R}/organisations/{carrier}/unfreeze"),
        Some(json!({"reason": "已整改"})),
    )
    .await;
    assert_eq!(status, 204);
    let audit = text(
        &app,
        "SELECT action || ':' || detail FROM risk_audit WHERE action = 'unfreeze'",
    )
    .await;
    assert_eq!(audit, "unfreeze:已整改");
    let (_, w) = call(&app, "GET", staff, &format!("{R}/warnings/{wid}"), None).await;
    assert!(w["frozen_reason"].is_null());

    // The dashboard counts the open warnings and each chart downloads.
    let (status, d) = call(&app, "GET", staff, &format!("{R}/dashboard"), None).await;
    assert_eq!(status, 200, "{d}");
    let total: i64 = d["by_level"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["value"].as_i64().unwrap())
        .sum();
    let (_, open) = call(&app, "GET", staff, &format!("{R}/warnings"), None).await;
    assert_eq!(total, open.as_array().unwrap().len() as i64);
    assert!(!d["by_time"].as_array().unwrap().is_empty());
    assert_eq!(d["funds"].as_array().unwrap().len(), 5);
    for chart in [
        "levels",
        "indicators",
        "time",
        "banks",
        "regions",
        "products",
        "organisations",
        "funds",
        "exceedances",
    ] {
        let r = app
            .client
            .get(app.url(&format!("{R}/dashboard/charts/{chart}?format=csv")))
            .bearer_auth(staff)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{chart}");
        assert!(r.text().await.unwrap().lines().count() >= 1);
    }
}

/// A reporting-compliance indicator set to freeze: the carrier's refused reports raise a red
/// warning, the evaluation freezes it, and its next report is refused with 423.
async fn automatic_freeze(backend: Backend) {
    Box::pin(automatic_freeze_on(backend)).await
}

async fn automatic_freeze_on(backend: Backend) {
    let app = spawn_app(backend).await;
    app.load_demo().await;
    let t = tokens(&app).await;
    let staff = &t["admin"];
    let (status, _) = call(
        &app,
        "PUT",
        staff,
        &format!("{R}/indicators/reporting_compliance"),
        Some(json!({"auto_freeze": true})),
    )
    .await;
    assert_eq!(status, 200);
    let job = app
        .carrier_job("上报任务", "catalogue:enterprise:write")
        .await;
    let token = app.machine_token(&job, "catalogue:enterprise:write").await;
    let example: Value = serde_json::from_str(
        idp::catalogue::spec::record_type("enterprise")
            .unwrap()
            .example,
    )
    .unwrap();
    let mut good = example.clone();
    good["ORG_ID"] = json!("ENT-RISK-1");
    let mut bad = example.clone();
    bad["ORG_ID"] = json!("ENT-RISK-2");
    bad["TEL"] = json!("不是电话");
    bad["EMAIL"] = json!("not-an-email");
    let report = |records: Value| {
        let app = &app;
        let token = token.clone();
        async move {
            app.client
                .post(app.url("/api/catalogue/enterprise?mode=partial"))
                .bearer_auth(token)
                .json(&records)
                .send()
                .await
                .unwrap()
        }
    };
    let r = report(json!([good, bad])).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let (status, evaluations) = call(&app, "POST", staff, &format!("{R}/evaluate"), None).await;
    assert_eq!(status, 200);
    let compliance = evaluations
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["indicator"] == "reporting_compliance")
        .unwrap();
    assert_eq!(compliance["red"], 1, "{evaluations}");
    assert_eq!(
        compliance["frozen"].as_array().unwrap().len(),
        1,
        "{evaluations}"
    );
    let r = report(json!([good])).await;
    assert_eq!(r.status(), 423);
    let problem: Value = r.json().await.unwrap();
    assert!(
        problem["detail"].as_str().unwrap().contains("自动冻结"),
        "{problem}"
    );
    let (_, carrier_inbox) = call(&app, "GET", &t["carrier"], "/api/inbox", None).await;
    assert!(carrier_inbox.to_string().contains("risk.frozen"));
    // A second evaluation does not freeze it again.
    let (_, evaluations) = call(&app, "POST", staff, &format!("{R}/evaluate"), None).await;
    let compliance = evaluations
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["indicator"] == "reporting_compliance")
        .unwrap();
    assert_eq!(compliance["frozen"], json!([]));
}

backend_tests!(
    default_indicators,
    notices_and_freezing,
    automatic_freeze,
    console_pages
);

/// The console pages: the dashboard with its data and chart links, evaluating, freezing and
/// unfreezing from the page, an indicator's thresholds, and a notice sent with a PDF.
async fn console_pages(backend: Backend) {
    Box::pin(console_pages_on(backend)).await
}

async fn console_pages_on(backend: Backend) {
    use integration_tests::{hidden_field, page_text};
    let app = spawn_app(backend).await;
    app.load_demo().await;
    let carrier = text(
        &app,
        "SELECT id FROM organisations WHERE kind = 'carrier' ORDER BY id LIMIT 1",
    )
    .await;
    exec(&app, "INSERT INTO catalogue_report_log (organisation_id, at, received, refused) VALUES ($1, $2, 10, 5)", &[json!(carrier), json!(app.clock.now() - 60)]).await;
    let admin = app.demo_browser("admin").await;
    let page = page_text(&admin, app.url("/console/financing/risk")).await;
    assert!(
        page.contains("风险监控")
            && page.contains("id=\"risk-data\"")
            && page.contains("/console/financing/risk/charts/levels.csv"),
        "{page}"
    );
    let csrf = hidden_field(&page, "csrf_token");
    let evaluated = admin
        .post(app.url("/console/financing/risk/evaluate"))
        .form(&[("csrf_token", csrf.as_str())])
        .send()
        .await
        .unwrap();
    let evaluated = evaluated.text().await.unwrap();
    assert!(
        evaluated.contains("已评估") && evaluated.contains("数据上报合规"),
        "{evaluated}"
    );
    let csv = admin
        .get(app.url("/console/financing/risk/charts/indicators.csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), 200);
    assert!(csv.text().await.unwrap().contains("reporting_compliance"));

    // Freeze from the warning's row, then unfreeze with a reason.
    let marker = "action=\"/console/financing/risk/warnings/";
    let start = evaluated.find(marker).expect("a freeze form") + marker.len();
    let wid = &evaluated[start..start + evaluated[start..].find('/').unwrap()];
    let csrf = hidden_field(&evaluated, "csrf_token");
    let r = admin
        .post(app.url(&format!("/console/financing/risk/warnings/{wid}/freeze")))
        .form(&[("csrf_token", csrf.as_str()), ("reason", "限期整改")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let page = page_text(&admin, app.url("/console/financing/risk")).await;
    assert!(
        page.contains("限期整改") && page.contains("已冻结"),
        "{page}"
    );
    let csrf = hidden_field(&page, "csrf_token");
    let r = admin
        .post(app.url(&format!(
            "/console/financing/risk/organisations/{carrier}/unfreeze"
        )))
        .form(&[("csrf_token", csrf.as_str()), ("reason", "已整改")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert!(
        idp::catalogue::freeze::frozen_reason(&app.db, &carrier)
            .await
            .unwrap()
            .is_none()
    );

    // Thresholds from the page; a wrong order is shown, not stored.
    let r = admin
        .post(app.url("/console/financing/risk/indicators/pool_compensation"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("yellow", "60"),
            ("orange", "70"),
            ("red", "80"),
            ("enabled", "1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let r = admin
        .post(app.url("/console/financing/risk/indicators/pool_compensation"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("yellow", "90"),
            ("orange", "70"),
            ("red", "80"),
            ("enabled", "1"),
        ])
        .send()
        .await
        .unwrap();
    assert!(r.text().await.unwrap().contains("黄 ≤ 橙 ≤ 红"));
    let yellow = text(
        &app,
        "SELECT yellow FROM risk_indicators WHERE code = 'pool_compensation'",
    )
    .await;
    assert_eq!(yellow, "60");

    // A custom indicator from the console's form; a field the dataset lacks is shown, not kept.
    let r = admin
        .post(app.url("/console/financing/risk/indicators"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("code", "enterprises_by_county"),
            ("name_zh", "各区县企业数"),
            ("dataset", "catalogue:enterprise"),
            ("subject", "AREA_COUNTY"),
            ("aggregate", "count"),
            ("unit", "count"),
            ("yellow", "0"),
            ("orange", "100"),
            ("red", "1000"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    let r = admin
        .post(app.url("/console/financing/risk/indicators"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("code", "broken"),
            ("name_zh", "坏指标"),
            ("dataset", "catalogue:enterprise"),
            ("subject", "NO_SUCH_FIELD"),
            ("aggregate", "count"),
            ("unit", "count"),
            ("yellow", "0"),
            ("orange", "1"),
            ("red", "2"),
        ])
        .send()
        .await
        .unwrap();
    assert!(r.text().await.unwrap().contains("NO_SUCH_FIELD"));
    let page = page_text(&admin, app.url("/console/financing/risk")).await;
    assert!(
        page.contains("各区县企业数") && !page.contains("坏指标"),
        "{page}"
    );

    // A notice with a PDF to the bank, then its status page.
    let page = page_text(&admin, app.url("/console/financing/risk/notices")).await;
    let csrf = hidden_field(&page, "csrf_token");
    let bank_org = text(
        &app,
        "SELECT id FROM organisations WHERE kind = 'bank' ORDER BY id LIMIT 1",
    )
    .await;
    let boundary = "----nxriskboundary7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (field, value) in [
        ("csrf_token", csrf.as_str()),
        ("title", "关于报送季度风险报告的通知"),
        ("body", "请于月底前报送。"),
        ("organisations", bank_org.as_str()),
    ] {
        body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"\r\n\r\n{value}\r\n").as_bytes());
    }
    body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"document\"; filename=\"notice.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\n%%EOF\n\r\n--{boundary}--\r\n").as_bytes());
    let r = admin
        .post(app.url("/console/financing/risk/notices"))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    let notice_id = location.rsplit('/').next().unwrap().to_owned();
    // The recipient opens the PDF from the inbox's link; someone else cannot.
    let bank = app.demo_browser("bank").await;
    let doc = bank
        .get(app.url(&format!("/notices/{notice_id}/document")))
        .send()
        .await
        .unwrap();
    assert_eq!(doc.status(), 200);
    assert_eq!(&doc.bytes().await.unwrap()[..], b"%PDF-1.4\n%%EOF\n");
    let enterprise = app.demo_browser("enterprise").await;
    let doc = enterprise
        .get(app.url(&format!("/notices/{notice_id}/document")))
        .send()
        .await
        .unwrap();
    assert_eq!(doc.status(), 404);
    let page = page_text(&admin, app.url(&location)).await;
    assert!(
        page.contains("关于报送季度风险报告的通知")
            && page.contains("已确认 0 / 1")
            && page.contains("未确认"),
        "{page}"
    );
}
