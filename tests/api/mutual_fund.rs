//! The mutual fund (互助基金) over its API on both databases: a loan from membership and
//! application through return, approval (its contract), disbursement, reminders, overdue and
//! partial repayments to settlement with the clock moved forward; the overdue-rate pause; the
//! contract chain catching a changed and a removed contract; two disbursements racing for the
//! fund's last money; the ledger balancing throughout.

use std::collections::HashMap;

use idp::clock::Clock;
use integration_tests::{Backend, TestApp, backend_tests, spawn_app, spawn_app_with};
use serde_json::{Value, json};

use crate::crowdfunding::call;

const SCOPES: &[&str] = &["openid", "financing", "financing:staff"];
const DAY: i64 = 86_400;
const PDF: &[u8] = b"%PDF-1.4\n% signed form\n%%EOF\n";
const F: &str = "/api/financing/fund";

async fn relogin(app: &TestApp, users: &[&str]) -> HashMap<String, String> {
    crate::crowdfunding::tokens_through(
        app,
        "openid profile financing financing:staff",
        SCOPES,
        users,
    )
    .await
}

/// A new enterprise with one user; answers the organisation's id.
async fn enterprise(app: &TestApp, username: &str, name: &str) -> String {
    let org = idp::accounts::create_organisation(
        &app.db,
        name,
        idp::accounts::OrganisationKind::Enterprise,
        None,
        app.clock.now(),
    )
    .await
    .unwrap();
    idp::accounts::create_user(
        &app.db,
        idp::accounts::NewUser {
            username: username.into(),
            password: idp::demo::DEMO_PASSWORD.into(),
            display_name: format!("{name}用户"),
            email: None,
            phone: None,
            organisation_id: Some(org.id.clone()),
            roles: vec![idp::accounts::Role::Enterprise],
        },
        app.clock.now(),
    )
    .await
    .unwrap();
    org.id
}

fn application(join_no: &str, amount: &str, months: i64) -> Value {
    json!({
        "join_no": join_no, "apply_amount": amount, "months": months, "loan_for": "采购原材料",
        "loan_bank": "黄河农村商业银行", "account_name": "测试企业", "account_bank": "黄河农商银行金凤支行",
        "account_no": "6222000000000099"
    })
}

async fn upload_form(app: &TestApp, token: &str, apply_no: &str) -> (u16, Value) {
    let response = app
        .client
        .post(app.url(&format!(
            "{F}/applications/{apply_no}/documents?kind=application_form&name=form.pdf"
        )))
        .bearer_auth(token)
        .header("content-type", "application/octet-stream")
        .body(PDF.to_vec())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Joins `org` to the fund with `amount` 万元 as the fund manager; answers JOIN_NO.
async fn join(app: &TestApp, manager: &str, org: &str, amount: &str) -> String {
    let (status, member) = call(
        app,
        "POST",
        manager,
        &format!("{F}/members"),
        Some(json!({"enterprise_org_id": org, "join_amount": amount, "company_code": "91640100MA7XY1230Q", "company_link_mobile": "13800000009"})),
    )
    .await;
    assert_eq!(status, 201, "{member}");
    member["join_no"].as_str().unwrap().to_owned()
}

/// A draft taken to approval; answers the application.
async fn approved(
    app: &TestApp,
    t: &HashMap<String, String>,
    who: &str,
    join_no: &str,
    amount: &str,
) -> Value {
    let (status, a) = call(
        app,
        "POST",
        &t[who],
        &format!("{F}/applications"),
        Some(application(join_no, amount, 6)),
    )
    .await;
    assert_eq!(status, 201, "{a}");
    let no = a["apply_no"].as_str().unwrap().to_owned();
    assert_eq!(upload_form(app, &t[who], &no).await.0, 201);
    let (status, a) = call(
        app,
        "POST",
        &t[who],
        &format!("{F}/applications/{no}/actions/submit"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{a}");
    let (status, a) = call(
        app,
        "POST",
        &t["admin"],
        &format!("{F}/applications/{no}/actions/approve"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{a}");
    a
}

async fn status(app: &TestApp, token: &str) -> Value {
    let (code, s) = call(app, "GET", token, &format!("{F}/status"), None).await;
    assert_eq!(code, 200, "{s}");
    assert_eq!(s["balanced"], true, "the ledger balances: {s}");
    assert_eq!(s["debits_fen"], s["credits_fen"]);
    s
}

/// Messages of `topic` about application `no`.
async fn messages(app: &TestApp, topic: &str, no: &str) -> i64 {
    idp::with_pool!(&app.db, pool => sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM inbox_messages WHERE topic = $1 AND link = $2")
        .bind(topic).bind(format!("/console/financing/fund/applications/{no}")).fetch_one(pool).await).unwrap()
}

async fn a_loan_from_application_to_settlement(backend: Backend) {
    let app = spawn_app(backend).await;
    app.load_demo().await;
    let org = enterprise(&app, "member2", "宁夏互助测试企业").await;
    let t = relogin(&app, &["member2", "fund", "admin", "enterprise"]).await;
    // Not a member yet: nothing to apply under.
    let (code, _) = call(
        &app,
        "POST",
        &t["member2"],
        &format!("{F}/applications"),
        Some(application("HZ-2026-NONE", "10.00", 6)),
    )
    .await;
    assert_eq!(code, 404);
    // Enterprises do not record memberships; the fund manager does.
    let (code, _) = call(
        &app,
        "POST",
        &t["member2"],
        &format!("{F}/members"),
        Some(json!({"enterprise_org_id": org, "join_amount": "50.00"})),
    )
    .await;
    assert_eq!(code, 403);
    let cash_before = status(&app, &t["fund"]).await["cash_fen"].as_i64().unwrap();
    let join_no = join(&app, &t["fund"], &org, "50.00").await;
    let s = status(&app, &t["fund"]).await;
    assert_eq!(
        s["cash_fen"].as_i64().unwrap(),
        cash_before + 50_000_000,
        "the contribution is in the fund's account"
    );
    let (_, mine) = call(&app, "GET", &t["member2"], &format!("{F}/members"), None).await;
    assert_eq!(
        mine.as_array().unwrap().len(),
        1,
        "an enterprise sees its own membership only"
    );

    // At most JOIN_AMOUNT × ENLARGE_MULTIPLES (50 万 × 4).
    let (code, problem) = call(
        &app,
        "POST",
        &t["member2"],
        &format!("{F}/applications"),
        Some(application(&join_no, "200.01", 12)),
    )
    .await;
    assert_eq!(
        (code, problem["limit"].as_str()),
        (409, Some("membership_multiple")),
        "{problem}"
    );
    assert_eq!(problem["limit_fen"], 200_000_000);
    let (code, a) = call(
        &app,
        "POST",
        &t["member2"],
        &format!("{F}/applications"),
        Some(application(&join_no, "200.00", 12)),
    )
    .await;
    assert_eq!(code, 201, "{a}");
    let no = a["apply_no"].as_str().unwrap().to_owned();
    assert_eq!(no, format!("{join_no}-A1"));
    assert_eq!(a["apply_time"], 1);
    assert_eq!(a["allowed_actions"], json!(["submit", "withdraw"]));
    // Another enterprise is told it does not exist.
    assert_eq!(
        call(
            &app,
            "GET",
            &t["enterprise"],
            &format!("{F}/applications/{no}"),
            None
        )
        .await
        .0,
        404
    );
    // Not without the sealed, signed form; and the form is a PDF.
    let (code, problem) = call(
        &app,
        "POST",
        &t["member2"],
        &format!("{F}/applications/{no}/actions/submit"),
        None,
    )
    .await;
    assert_eq!(
        (code, problem["current_state"].as_str()),
        (409, Some("draft")),
        "{problem}"
    );
    let png = app
        .client
        .post(app.url(&format!(
            "{F}/applications/{no}/documents?kind=application_form&name=a.png"
        )))
        .bearer_auth(&t["member2"])
        .body(b"\x89PNG\r\n\x1a\nxx".to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(png.status().as_u16(), 400);
    let (code, doc) = upload_form(&app, &t["member2"], &no).await;
    assert_eq!(code, 201, "{doc}");
    assert_eq!(doc["sha256"].as_str().unwrap().len(), 64);
    let (code, a) = call(
        &app,
        "POST",
        &t["member2"],
        &format!("{F}/applications/{no}/actions/submit"),
        None,
    )
    .await;
    assert_eq!((code, a["state"].as_str()), (200, Some("submitted")), "{a}");
    // Only staff approve; the fund manager is refused with the state and no way on.
    let (code, problem) = call(
        &app,
        "POST",
        &t["fund"],
        &format!("{F}/applications/{no}/actions/approve"),
        None,
    )
    .await;
    assert_eq!(
        (code, problem["current_state"].as_str()),
        (409, Some("submitted"))
    );
    assert_eq!(problem["allowed_actions"], json!([]));
    // Returned with feedback (a reason is required), changed, submitted again.
    assert_eq!(
        call(
            &app,
            "POST",
            &t["admin"],
            &format!("{F}/applications/{no}/actions/return"),
            None
        )
        .await
        .0,
        400
    );
    let (code, a) = call(
        &app,
        "POST",
        &t["admin"],
        &format!("{F}/applications/{no}/actions/return"),
        Some(json!({"reason": "请补充用途说明"})),
    )
    .await;
    assert_eq!(
        (code, a["state"].as_str(), a["feedback"].as_str()),
        (200, Some("returned"), Some("请补充用途说明"))
    );
    let (code, a) = call(
        &app,
        "PUT",
        &t["member2"],
        &format!("{F}/applications/{no}"),
        Some(application(&join_no, "200.00", 12)),
    )
    .await;
    assert_eq!(code, 200, "{a}");
    call(
        &app,
        "POST",
        &t["member2"],
        &format!("{F}/applications/{no}/actions/submit"),
        None,
    )
    .await;

    // Approval fixes the terms in a contract: 4.35 ‰ (3.95 ‰ floated 10 %), 12 months.
    let (code, a) = call(
        &app,
        "POST",
        &t["admin"],
        &format!("{F}/applications/{no}/actions/approve"),
        Some(json!({"floating_percent": "10"})),
    )
    .await;
    assert_eq!(code, 200, "{a}");
    assert_eq!(a["state"], "approved");
    assert_eq!(a["monthly_rate"], "4.35");
    assert_eq!(a["interest_fen"], 10_440_000, "200 万 × 4.35 ‰ × 12");
    assert_eq!(a["handling_fee_fen"], 200_000, "0.1 % of the principal");
    assert_eq!(a["record"]["INTEREST"], "104400.00");
    assert_eq!(a["record"]["ENLARGE_MULTIPLES"], 4);
    assert_eq!(a["schedule"].as_array().unwrap().len(), 12);
    assert_eq!(a["contract_no"], format!("HT-{no}-1"));
    let contract: Value =
        serde_json::from_str(a["contracts"][0]["body"].as_str().unwrap()).unwrap();
    assert_eq!(
        contract["documents"][0]["sha256"], doc["sha256"],
        "the contract holds the form's hash"
    );
    let last_repay_date = a["last_repay_date"].as_str().unwrap().to_owned();

    // The enterprise cannot pay itself; the fund manager disburses from the fund's account.
    assert_eq!(
        call(
            &app,
            "POST",
            &t["member2"],
            &format!("{F}/applications/{no}/actions/disburse"),
            None
        )
        .await
        .0,
        409
    );
    let cash = status(&app, &t["fund"]).await["cash_fen"].as_i64().unwrap();
    let (code, a) = call(
        &app,
        "POST",
        &t["fund"],
        &format!("{F}/applications/{no}/actions/disburse"),
        None,
    )
    .await;
    assert_eq!((code, a["state"].as_str()), (200, Some("disbursed")), "{a}");
    assert_eq!(a["owed_fen"], 200_000_000 + 10_440_000 + 200_000);
    assert_eq!(
        status(&app, &t["fund"]).await["cash_fen"].as_i64().unwrap(),
        cash - 200_000_000
    );
    // A first partial repayment covers the fee, then interest.
    let (code, r) = call(
        &app,
        "POST",
        &t["fund"],
        &format!("{F}/applications/{no}/repayments"),
        Some(json!({"repay_amount": "3000.00"})),
    )
    .await;
    assert_eq!(code, 201, "{r}");
    assert_eq!(
        (
            r["fee_fen"].as_i64(),
            r["interest_fen"].as_i64(),
            r["principal_fen"].as_i64()
        ),
        (Some(200_000), Some(100_000), Some(0))
    );
    assert_eq!(r["repay_no"], format!("{no}-P1"));
    // More than is owed is refused with the figures; the enterprise records nothing.
    let (code, problem) = call(
        &app,
        "POST",
        &t["fund"],
        &format!("{F}/applications/{no}/repayments"),
        Some(json!({"repay_amount": "3000000.00"})),
    )
    .await;
    assert_eq!(
        (code, problem["limit"].as_str()),
        (409, Some("outstanding")),
        "{problem}"
    );
    assert_eq!(
        call(
            &app,
            "POST",
            &t["member2"],
            &format!("{F}/applications/{no}/repayments"),
            Some(json!({"repay_amount": "1.00"}))
        )
        .await
        .0,
        409
    );

    // Seven days before the due date, and on it, the enterprise and the fund managers are reminded once.
    let due_at: i64 = idp::with_pool!(&app.db, pool => sqlx::query_scalar::<_, i64>("SELECT due_at FROM fund_applications WHERE apply_no = $1").bind(&no).fetch_one(pool).await).unwrap();
    assert_eq!(idp::clock::shanghai_date(due_at - 1), last_repay_date);
    app.clock
        .advance(due_at - DAY - 7 * DAY + 60 - app.clock.now());
    let t = relogin(&app, &["member2", "fund", "admin"]).await;
    let run = |t: HashMap<String, String>| {
        let app = &app;
        async move {
            call(
                app,
                "POST",
                &t["admin"],
                &format!("{F}/scheduler/run"),
                None,
            )
            .await
            .1
        }
    };
    let first = run(t.clone()).await;
    assert!(first["reminded"].as_u64().unwrap() >= 1, "{first}");
    assert_eq!(
        messages(&app, "fund.due_soon", &no).await,
        2,
        "the enterprise and the fund managers"
    );
    let again = run(t.clone()).await;
    assert_eq!(again["reminded"], 0, "{again}");
    app.clock.advance(7 * DAY);
    let t = relogin(&app, &["member2", "fund", "admin"]).await;
    run(t.clone()).await;
    assert_eq!(messages(&app, "fund.due_today", &no).await, 2);
    let (_, a) = call(
        &app,
        "GET",
        &t["member2"],
        &format!("{F}/applications/{no}"),
        None,
    )
    .await;
    assert_eq!(
        a["state"], "disbursed",
        "not overdue on the due date itself"
    );
    // The day after: overdue, listed, and the fund pauses new loans (its overdue rate is far past 5 %).
    app.clock.advance(DAY);
    let t = relogin(&app, &["member2", "fund", "admin"]).await;
    let marked = run(t.clone()).await;
    // The demo's loan of the same term falls due too.
    assert!(marked["marked_overdue"].as_u64().unwrap() >= 1, "{marked}");
    let (_, overdue) = call(
        &app,
        "GET",
        &t["fund"],
        &format!("{F}/applications?state=overdue"),
        None,
    )
    .await;
    assert!(
        overdue
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["apply_no"] == no.as_str())
    );
    let s = status(&app, &t["fund"]).await;
    assert_eq!(s["paused"], true, "{s}");
    let second = approved(&app, &t, "member2", &join_no, "10.00").await;
    let second_no = second["apply_no"].as_str().unwrap();
    let (code, problem) = call(
        &app,
        "POST",
        &t["fund"],
        &format!("{F}/applications/{second_no}/actions/disburse"),
        None,
    )
    .await;
    assert_eq!(
        (
            code,
            problem["type"].as_str().map(|t| t.ends_with("fund-paused"))
        ),
        (409, Some(true)),
        "{problem}"
    );
    assert_eq!(problem["threshold_percent"], "5.00");
    assert!(problem["overdue_principal_fen"].as_i64().unwrap() >= 200_000_000);

    // Repaid in two parts after the due date: settled with REAL_REPAY_DATE, and the pause lifts.
    let (_, a) = call(
        &app,
        "GET",
        &t["fund"],
        &format!("{F}/applications/{no}"),
        None,
    )
    .await;
    let owed = a["owed_fen"].as_i64().unwrap();
    let half = owed / 2;
    let yuan = |fen: i64| format!("{}.{:02}", fen / 100, fen % 100);
    let (code, _) = call(
        &app,
        "POST",
        &t["fund"],
        &format!("{F}/applications/{no}/repayments"),
        Some(json!({"repay_amount": yuan(half)})),
    )
    .await;
    assert_eq!(code, 201);
    let (code, r) = call(
        &app,
        "POST",
        &t["fund"],
        &format!("{F}/applications/{no}/repayments"),
        Some(json!({"repay_amount": yuan(owed - half)})),
    )
    .await;
    assert_eq!(code, 201, "{r}");
    let (_, a) = call(
        &app,
        "GET",
        &t["member2"],
        &format!("{F}/applications/{no}"),
        None,
    )
    .await;
    assert_eq!(
        (a["state"].as_str(), a["owed_fen"].as_i64()),
        (Some("settled"), Some(0))
    );
    assert_eq!(a["record"]["REAL_REPAY_DATE"], r["repay_date"]);
    assert_eq!(a["repayments"].as_array().unwrap().len(), 3);
    // The demo's loan that fell due with it is repaid too.
    let (_, overdue) = call(
        &app,
        "GET",
        &t["fund"],
        &format!("{F}/applications?state=overdue"),
        None,
    )
    .await;
    for other in overdue.as_array().unwrap() {
        let (code, r) = call(
            &app,
            "POST",
            &t["fund"],
            &format!(
                "{F}/applications/{}/repayments",
                other["apply_no"].as_str().unwrap()
            ),
            Some(json!({"repay_amount": yuan(other["owed_fen"].as_i64().unwrap())})),
        )
        .await;
        assert_eq!(code, 201, "{r}");
    }
    let s = status(&app, &t["fund"]).await;
    assert_eq!(s["paused"], false, "{s}");
    let (code, a2) = call(
        &app,
        "POST",
        &t["fund"],
        &format!("{F}/applications/{second_no}/actions/disburse"),
        None,
    )
    .await;
    assert_eq!(code, 200, "{a2}");
    // Every step is audited, and every record is in the catalogue with source `workflow`.
    let (_, trail) = call(
        &app,
        "GET",
        &t["fund"],
        &format!("{F}/applications/{no}/audit"),
        None,
    )
    .await;
    let actions: Vec<&str> = trail["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "create",
            "upload",
            "submit",
            "return",
            "update",
            "submit",
            "approve",
            "disburse",
            "repay",
            "mark_overdue",
            "repay",
            "repay"
        ]
    );
    let repayments: i64 = idp::with_pool!(&app.db, pool => sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM cat_fund_repayment WHERE source = 'workflow' AND is_current AND apply_no = $1").bind(&no).fetch_one(pool).await).unwrap();
    assert_eq!(repayments, 3);
    let versions: i64 = idp::with_pool!(&app.db, pool => sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM cat_fund_application WHERE apply_no = $1").bind(&no).fetch_one(pool).await).unwrap();
    assert!(versions >= 3, "earlier versions are kept: {versions}");
    // The ledger: interest and fees earned equal what was charged; debits equal credits.
    let (_, ledger) = call(
        &app,
        "GET",
        &t["fund"],
        &format!("{F}/ledger?apply_no={no}"),
        None,
    )
    .await;
    assert_eq!(
        ledger["entries"].as_array().unwrap().len(),
        4,
        "one disbursement, three repayments"
    );
    // Statistics: by term, rate and purpose, and month by month a balanced general ledger.
    let (code, stats) = call(&app, "GET", &t["fund"], &format!("{F}/statistics"), None).await;
    assert_eq!(code, 200, "{stats}");
    let twelve = stats["by_term"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["label"] == "7–12 个月")
        .unwrap()
        .clone();
    assert!(
        twelve["amount_fen"].as_i64().unwrap() >= 200_000_000,
        "{stats}"
    );
    assert!(
        stats["by_rate"]
            .as_array()
            .unwrap()
            .iter()
            .any(|b| b["label"] == "4.35 ‰"),
        "{stats}"
    );
    assert!(
        stats["by_purpose"]
            .as_array()
            .unwrap()
            .iter()
            .any(|b| b["label"] == "采购原材料"),
        "{stats}"
    );
    for month in stats["months"].as_array().unwrap() {
        assert_eq!(month["debits_fen"], month["credits_fen"], "{month}");
    }
    assert_eq!(
        call(&app, "GET", &t["member2"], &format!("{F}/statistics"), None)
            .await
            .0,
        403
    );
    // Supervision: the enterprise with what it borrowed, its applications and ledger history.
    let (_, lines) = call(&app, "GET", &t["fund"], &format!("{F}/supervision"), None).await;
    let line = lines
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["enterprise_org_id"] == org.as_str())
        .unwrap()
        .clone();
    assert_eq!(line["lent_fen"], 210_000_000, "{line}");
    let (_, detail) = call(
        &app,
        "GET",
        &t["fund"],
        &format!("{F}/supervision/{org}"),
        None,
    )
    .await;
    assert!(
        detail["applications"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["apply_no"] == no.as_str())
    );
    assert!(
        detail["ledger"].as_array().unwrap().len() >= 6,
        "membership, two loans, three repayments: {detail}"
    );
    // Withdrawn and rejected applications take no further step.
    let (_, w) = call(
        &app,
        "POST",
        &t["member2"],
        &format!("{F}/applications"),
        Some(application(&join_no, "5.00", 3)),
    )
    .await;
    let w_no = w["apply_no"].as_str().unwrap();
    let (code, w) = call(
        &app,
        "POST",
        &t["member2"],
        &format!("{F}/applications/{w_no}/actions/withdraw"),
        None,
    )
    .await;
    assert_eq!(
        (code, w["state"].as_str(), w["allowed_actions"].clone()),
        (200, Some("withdrawn"), json!([]))
    );
    let r = approved(&app, &t, "member2", &join_no, "5.00").await;
    let r_no = r["apply_no"].as_str().unwrap();
    let (code, r) = call(
        &app,
        "POST",
        &t["admin"],
        &format!("{F}/applications/{r_no}/actions/reject"),
        Some(json!({"reason": "资金用途不符"})),
    )
    .await;
    assert_eq!((code, r["state"].as_str()), (200, Some("rejected")));
    // A member that has left gets no new approval (only staff end a membership).
    let (_, pending) = call(
        &app,
        "POST",
        &t["member2"],
        &format!("{F}/applications"),
        Some(application(&join_no, "5.00", 3)),
    )
    .await;
    let p_no = pending["apply_no"].as_str().unwrap().to_owned();
    upload_form(&app, &t["member2"], &p_no).await;
    call(
        &app,
        "POST",
        &t["member2"],
        &format!("{F}/applications/{p_no}/actions/submit"),
        None,
    )
    .await;
    assert_eq!(
        call(
            &app,
            "POST",
            &t["fund"],
            &format!("{F}/members/{join_no}/leave"),
            None
        )
        .await
        .0,
        403
    );
    let (code, left) = call(
        &app,
        "POST",
        &t["admin"],
        &format!("{F}/members/{join_no}/leave"),
        None,
    )
    .await;
    assert_eq!((code, left["active"].as_bool()), (200, Some(false)));
    let (code, problem) = call(
        &app,
        "POST",
        &t["admin"],
        &format!("{F}/applications/{p_no}/actions/approve"),
        None,
    )
    .await;
    assert_eq!(
        (code, problem["current_state"].as_str()),
        (409, Some("submitted")),
        "{problem}"
    );
    status(&app, &t["fund"]).await;
}

async fn the_contract_chain_shows_changes_and_removals(backend: Backend) {
    let app = spawn_app(backend).await;
    app.load_demo().await;
    let t = relogin(&app, &["fund", "admin", "enterprise"]).await;
    let verify = |token: String| {
        let app = &app;
        async move {
            let (code, v) = call(app, "GET", &token, &format!("{F}/contracts/verify"), None).await;
            assert_eq!(code, 200, "{v}");
            v
        }
    };
    assert_eq!(
        call(
            &app,
            "GET",
            &t["enterprise"],
            &format!("{F}/contracts/verify"),
            None
        )
        .await
        .0,
        403
    );
    // An amendment extends a disbursed loan by a new contract naming the one it amends.
    let (_, list) = call(
        &app,
        "GET",
        &t["fund"],
        &format!("{F}/applications?state=disbursed"),
        None,
    )
    .await;
    let no = list[0]["apply_no"].as_str().unwrap().to_owned();
    let (_, before) = call(
        &app,
        "GET",
        &t["fund"],
        &format!("{F}/applications/{no}"),
        None,
    )
    .await;
    let (code, a) = call(
        &app,
        "POST",
        &t["admin"],
        &format!("{F}/applications/{no}/actions/amend"),
        Some(json!({"extend_months": 3, "reason": "企业申请展期"})),
    )
    .await;
    assert_eq!(code, 200, "{a}");
    assert_eq!(
        a["months"].as_i64().unwrap(),
        before["months"].as_i64().unwrap() + 3
    );
    assert_ne!(a["last_repay_date"], before["last_repay_date"]);
    let contracts = a["contracts"].as_array().unwrap();
    assert_eq!(contracts.len(), 2);
    assert_eq!(contracts[1]["amends"], contracts[0]["contract_no"]);
    let v = verify(t["fund"].clone()).await;
    assert_eq!(v["intact"], true, "{v}");
    let length = v["length"].as_i64().unwrap();
    assert!(length >= 3, "{v}");
    // The console: staff export the statistics; an enterprise has no members' page.
    let staff = app.demo_browser("admin").await;
    let csv = staff
        .get(app.url("/console/financing/fund/statistics.csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status().as_u16(), 200);
    let csv = csv.text().await.unwrap();
    assert!(
        csv.contains("分组 / group") && csv.contains("期限 / term"),
        "{csv}"
    );
    let xlsx = staff
        .get(app.url("/console/financing/fund/statistics.xlsx"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(xlsx.starts_with(b"PK"), "an XLSX workbook");
    let page = staff
        .get(app.url("/console/financing/fund/supervision"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("宁夏演示科技有限公司"), "{page}");
    let member = app.demo_browser("enterprise").await;
    let refused = member
        .get(app.url("/console/financing/fund/members"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status().as_u16(), 403);
    let own = member
        .get(app.url("/console/financing/fund"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(own.contains("在线申请") && own.contains(&no), "{own}");
    let rows: Vec<(i64, String, String)> = idp::with_pool!(&app.db, pool => sqlx::query_as("SELECT seq, contract_no, body FROM fund_contracts ORDER BY seq").fetch_all(pool).await).unwrap();

    // A changed principal in the second contract is named.
    let (seq, second, body) = rows[1].clone();
    let forged = body.replacen("\"principal_fen\":", "\"principal_fen\":1", 1);
    assert_ne!(forged, body);
    idp::with_pool!(&app.db, pool => sqlx::query("UPDATE fund_contracts SET body = $1 WHERE seq = $2").bind(&forged).bind(seq).execute(pool).await.map(|_| ())).unwrap();
    let v = verify(t["fund"].clone()).await;
    assert_eq!(v["intact"], false);
    assert_eq!(v["first_mismatch"]["contract_no"], second.as_str(), "{v}");
    assert_eq!(v["first_mismatch"]["index"], 2);
    idp::with_pool!(&app.db, pool => sqlx::query("UPDATE fund_contracts SET body = $1 WHERE seq = $2").bind(&body).bind(seq).execute(pool).await.map(|_| ())).unwrap();
    assert_eq!(verify(t["fund"].clone()).await["intact"], true);

    // A removed contract in the middle: the one after it is named.
    let saved: (i64, String, String, Option<String>, String, String, String, String, i64) = idp::with_pool!(&app.db, pool => sqlx::query_as("SELECT seq, contract_no, apply_no, amends, body, prev_hash, hash, created_by, created_at FROM fund_contracts WHERE seq = $1").bind(seq).fetch_one(pool).await).unwrap();
    idp::with_pool!(&app.db, pool => sqlx::query("DELETE FROM fund_contracts WHERE seq = $1").bind(seq).execute(pool).await.map(|_| ())).unwrap();
    let v = verify(t["fund"].clone()).await;
    assert_eq!(v["intact"], false);
    assert_eq!(
        v["first_mismatch"]["contract_no"],
        rows[2].1.as_str(),
        "{v}"
    );
    let restore = |row: (
        i64,
        String,
        String,
        Option<String>,
        String,
        String,
        String,
        String,
        i64,
    )| {
        let app = &app;
        async move {
            idp::with_pool!(&app.db, pool => sqlx::query("INSERT INTO fund_contracts (seq, contract_no, apply_no, amends, body, prev_hash, hash, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
                .bind(row.0).bind(row.1).bind(row.2).bind(row.3).bind(row.4).bind(row.5).bind(row.6).bind(row.7).bind(row.8).execute(pool).await.map(|_| ())).unwrap();
        }
    };
    restore(saved).await;
    assert_eq!(verify(t["fund"].clone()).await["intact"], true);

    // The last contract removed: the chain's head no longer matches.
    let last: (i64, String, String, Option<String>, String, String, String, String, i64) = idp::with_pool!(&app.db, pool => sqlx::query_as("SELECT seq, contract_no, apply_no, amends, body, prev_hash, hash, created_by, created_at FROM fund_contracts ORDER BY seq DESC LIMIT 1").fetch_one(pool).await).unwrap();
    idp::with_pool!(&app.db, pool => sqlx::query("DELETE FROM fund_contracts WHERE seq = $1").bind(last.0).execute(pool).await.map(|_| ())).unwrap();
    let v = verify(t["fund"].clone()).await;
    assert_eq!(v["intact"], false, "{v}");
    assert_eq!(v["first_mismatch"]["index"], length, "{v}");
    restore(last).await;
    assert_eq!(verify(t["fund"].clone()).await["intact"], true);
}

async fn two_disbursements_never_overdraw_the_fund(backend: Backend) {
    // No government capital: the fund holds only what its one member paid in (100 万).
    let app = spawn_app_with(backend, |s| {
        s.platforms
            .insert("financing".into(), json!({"fund_capital_yuan": 0}));
    })
    .await;
    app.load_demo().await;
    let org = enterprise(&app, "member3", "宁夏并发测试企业").await;
    let t = relogin(&app, &["member3", "fund", "admin"]).await;
    let before = status(&app, &t["fund"]).await["cash_fen"].as_i64().unwrap();
    let join_no = join(&app, &t["fund"], &org, "100.00").await;
    let first = approved(&app, &t, "member3", &join_no, "80.00").await;
    let second = approved(&app, &t, "member3", &join_no, "80.00").await;
    // Take what the demo left in the account, so that 100 万 is all there is.
    let cash = status(&app, &t["fund"]).await["cash_fen"].as_i64().unwrap();
    assert_eq!(cash, before + 100_000_000);
    idp::with_pool!(&app.db, pool => sqlx::query("UPDATE fund_accounts SET balance_fen = balance_fen - $1 WHERE code = 'cash'").bind(before).execute(pool).await.map(|_| ())).unwrap();
    let disburse = |no: String| {
        let app = &app;
        let token = t["fund"].clone();
        async move {
            call(
                app,
                "POST",
                &token,
                &format!("{F}/applications/{no}/actions/disburse"),
                None,
            )
            .await
        }
    };
    let (a, b) = tokio::join!(
        disburse(first["apply_no"].as_str().unwrap().to_owned()),
        disburse(second["apply_no"].as_str().unwrap().to_owned())
    );
    let mut codes = [a.0, b.0];
    codes.sort();
    assert_eq!(codes, [200, 409], "{a:?} {b:?}");
    let refused = if a.0 == 409 { a.1 } else { b.1 };
    assert_eq!(refused["limit"], "fund_cash", "{refused}");
    assert_eq!(refused["limit_fen"], 20_000_000);
    let cash: i64 = idp::with_pool!(&app.db, pool => sqlx::query_scalar::<_, i64>("SELECT balance_fen FROM fund_accounts WHERE code = 'cash'").fetch_one(pool).await).unwrap();
    assert_eq!(cash, 20_000_000, "never below zero");
}

backend_tests!(
    a_loan_from_application_to_settlement,
    the_contract_chain_shows_changes_and_removals,
    two_disbursements_never_overdraw_the_fund,
);
