//! The financing services platform over its API, driven through the SDK, on both databases:
//! a bridge loan from application to archive with its fee over 3, 5 and 8 days; a risk
//! compensation case from default to recovery with the split, and the insurance path; a bank
//! past its commitment refused with the figures; a leasing subsidy over a part-year and at an
//! affiliated group's cap; the budget under concurrent grants; who sees what.

use std::collections::HashMap;

use idp::clock::Clock;
use integration_tests::{
    Backend, TestApp, backend_tests, hidden_field, page_text, spawn_app, spawn_app_with,
};
use nx_sdk::Client;
use nx_sdk::financing::{ApplicationDraft, Device, Financing, Step};
use serde_json::{Value, json};

const SCOPES: &[&str] = &["openid", "financing", "financing:staff"];
const DAY: i64 = 86_400;
const PDF: &[u8] = b"%PDF-1.4\n% test\n%%EOF\n";

async fn client(app: &TestApp) -> Client {
    Client::discover(&app.address, "unused", None)
        .await
        .unwrap()
}

async fn relogin(app: &TestApp, users: &[&str]) -> HashMap<String, String> {
    crate::crowdfunding::tokens_through(
        app,
        "openid profile financing financing:staff",
        SCOPES,
        users,
    )
    .await
}

/// An organisation of `kind` with one user in `role`; answers the organisation's id.
async fn member(
    app: &TestApp,
    username: &str,
    org: &str,
    kind: idp::accounts::OrganisationKind,
    role: idp::accounts::Role,
) -> String {
    let organisation =
        idp::accounts::create_organisation(&app.db, org, kind, None, app.clock.now())
            .await
            .unwrap();
    idp::accounts::create_user(
        &app.db,
        idp::accounts::NewUser {
            username: username.into(),
            password: idp::demo::DEMO_PASSWORD.into(),
            display_name: format!("{org}用户"),
            email: None,
            phone: None,
            organisation_id: Some(organisation.id.clone()),
            roles: vec![role],
        },
        app.clock.now(),
    )
    .await
    .unwrap();
    organisation.id
}

async fn org_of(app: &TestApp, username: &str) -> String {
    idp::accounts::find_user_by_username(&app.db, username)
        .await
        .unwrap()
        .unwrap()
        .organisation_id
        .unwrap()
}

/// The status and problem extensions of a refused call.
fn refused<T: std::fmt::Debug>(result: Result<T, nx_sdk::Error>) -> (u16, Value) {
    match result {
        Err(nx_sdk::Error::Refused { status, problem }) => {
            (status, serde_json::to_value(problem.extensions).unwrap())
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn bridge(bank: &str, loan: &str, apply: &str) -> ApplicationDraft {
    ApplicationDraft {
        business: "bridge".into(),
        bank_org_id: Some(bank.into()),
        region_code: "640106".into(),
        loan_purpose: Some("购买原材料".into()),
        loan_term_months: Some(12),
        loan_rate: Some("年利率 4.35%".into()),
        record: json!({
            "Comp_name": "宁夏演示科技有限公司", "Credit_code": "91640100MA7XY1230Q",
            "Comp_legal_name": "李经理", "Loan_bank": "宁夏演示银行银川分行",
            "Expire_loan_acount": loan, "Expire_date": "2026-12-20", "Loan_amount": loan,
            "Loan_apply": apply, "Self_repay_amount": "20.00"
        }),
        ..Default::default()
    }
}

fn compensation(
    business: &str,
    bank: &str,
    insurer: Option<&str>,
    amount: &str,
    flags: usize,
) -> ApplicationDraft {
    let flag = |i: usize| if i < flags { "0" } else { "1" };
    ApplicationDraft {
        business: business.into(),
        bank_org_id: Some(bank.into()),
        insurer_org_id: insurer.map(str::to_owned),
        region_code: "640106".into(),
        record: json!({
            "Loan_comp": format!("风险补偿测试企业{flags}"), "Loan_amount": amount, "Loan_deadline": "12",
            "Is_technology": flag(0), "Is_specialization": flag(1), "Is_emerging": flag(2), "Is_incubatorbase": flag(3)
        }),
        ..Default::default()
    }
}

fn leasing(price: &str, months: i64) -> ApplicationDraft {
    ApplicationDraft {
        business: "leaseback".into(),
        region_code: "640106".into(),
        record: json!({"Comp_name": "宁夏演示科技有限公司", "Credit_code": "91640100MA7XY1230Q"}),
        devices: vec![Device {
            name: "五轴数控加工中心 × 1".into(),
            price: price.into(),
            finance_rate: "年化 5.8%".into(),
            lease_months: months,
        }],
        ..Default::default()
    }
}

async fn upload_all(fin: &Financing<'_>, id: &str, kinds: &[&str]) {
    for kind in kinds {
        fin.upload(id, kind, &format!("{kind}.pdf"), PDF.to_vec())
            .await
            .unwrap();
    }
}

fn manager() -> Step {
    Step {
        bank_charge_man: Some("周行长".into()),
        bank_manage_man: Some("刘先生".into()),
        ..Default::default()
    }
}

/// A bridge taken by the enterprise, the bank and staff to disbursement.
async fn disbursed(
    e: &Financing<'_>,
    b: &Financing<'_>,
    s: &Financing<'_>,
    bank: &str,
    loan: &str,
    apply: &str,
) -> String {
    let a = e.create(&bridge(bank, loan, apply)).await.unwrap();
    e.act(&a.id, "submit", None).await.unwrap();
    b.act(&a.id, "bank_approve", Some(&manager()))
        .await
        .unwrap();
    s.act(&a.id, "approve", None).await.unwrap();
    upload_all(e, &a.id, &["renewal_commitment", "self_funds"]).await;
    s.act(&a.id, "verify", None).await.unwrap();
    let a = s.act(&a.id, "disburse", None).await.unwrap();
    assert_eq!(a.state, "disbursed");
    a.id
}

async fn bridge_loan_from_application_to_archive(backend: Backend) {
    let app = spawn_app(backend).await;
    app.load_demo().await;
    let other_bank = member(
        &app,
        "bank2",
        "第二测试银行",
        idp::accounts::OrganisationKind::Bank,
        idp::accounts::Role::BankOfficer,
    )
    .await;
    let t = relogin(&app, &["enterprise", "bank", "admin", "bank2"]).await;
    let c = client(&app).await;
    let (e, b, s, b2) = (
        c.financing(&t["enterprise"]),
        c.financing(&t["bank"]),
        c.financing(&t["admin"]),
        c.financing(&t["bank2"]),
    );
    let bank = org_of(&app, "bank").await;
    // An application to the other bank is that bank's alone.
    let elsewhere = e
        .create(&bridge(&other_bank, "100.00", "90.00"))
        .await
        .unwrap();
    e.act(&elsewhere.id, "submit", None).await.unwrap();
    assert_eq!(refused(b.application(&elsewhere.id).await).0, 404);
    assert_eq!(
        b2.application(&elsewhere.id).await.unwrap().allowed_actions,
        vec!["bank_approve", "return", "reject"]
    );

    // The enterprise applies; the catalogue's rules check the 6.1 fields.
    let (status, problem) = refused(
        e.create(&ApplicationDraft {
            record: json!({"Comp_name": "x", "Loan_apply": "abc"}),
            ..bridge(&bank, "300", "280")
        })
        .await,
    );
    assert_eq!(status, 422, "{problem}");
    let a = e.create(&bridge(&bank, "300.00", "300.00")).await.unwrap();
    assert_eq!((a.state.as_str(), a.amount_fen), ("draft", 300_000_000));
    assert_eq!(a.allowed_actions, vec!["submit", "withdraw"]);
    // Nobody but the applicant touches a draft; another bank does not even see it.
    assert_eq!(refused(b2.application(&a.id).await).0, 404);
    let a = e.act(&a.id, "submit", None).await.unwrap();
    assert_eq!(a.state, "submitted");
    // Staff may not approve before the bank; the refusal names the state and the way on.
    let (status, problem) = refused(s.act(&a.id, "approve", None).await);
    assert_eq!(status, 409);
    assert_eq!(problem["current_state"], "submitted");
    assert!(
        problem["allowed_actions"]
            .as_array()
            .unwrap()
            .contains(&json!("reject")),
        "{problem}"
    );
    // The bank's approval names its people and dates the 6.1 record.
    assert_eq!(refused(b.act(&a.id, "bank_approve", None).await).0, 400);
    let a = b
        .act(&a.id, "bank_approve", Some(&manager()))
        .await
        .unwrap();
    assert_eq!(a.record["Bank_manage_man"], "刘先生");
    assert!(
        a.record["Bank_audit_date"]
            .as_str()
            .unwrap()
            .starts_with("20")
    );
    let a = s.act(&a.id, "approve", None).await.unwrap();
    // 核查核实 needs the bank's written commitment and the self-raised funds on file.
    let (status, problem) = refused(s.act(&a.id, "verify", None).await);
    assert_eq!(status, 409, "{problem}");
    assert_eq!(
        a.missing_documents,
        vec!["renewal_commitment", "self_funds"]
    );
    // Only PDF, JPEG or PNG, whatever the sender claims.
    assert_eq!(
        refused(
            e.upload(
                &a.id,
                "self_funds",
                "x.pdf",
                b"MZ\x90\x00 not a pdf".to_vec()
            )
            .await
        )
        .0,
        400
    );
    upload_all(&e, &a.id, &["renewal_commitment", "self_funds"]).await;
    // A changed document is a new version; both are kept.
    let v2 = e
        .upload(
            &a.id,
            "self_funds",
            "self_funds-2.pdf",
            b"%PDF-1.4\n% v2\n".to_vec(),
        )
        .await
        .unwrap();
    assert_eq!(v2.version, 2);
    assert_eq!(
        s.download(&v2.id).await.unwrap(),
        b"%PDF-1.4\n% v2\n".to_vec()
    );
    assert_eq!(refused(b2.download(&v2.id).await).0, 404);
    s.act(&a.id, "verify", None).await.unwrap();
    // 95 % of the 300 万 renewal: 285 万 go out.
    let a = s.act(&a.id, "disburse", None).await.unwrap();
    assert_eq!(a.disbursed_fen, Some(285_000_000));
    let first = a.id.clone();
    // Two more bridges, for the fee over five and eight days.
    let five = disbursed(&e, &b, &s, &bank, "300.00", "300.00").await;
    let eight = disbursed(&e, &b, &s, &bank, "300.00", "300.00").await;
    // Tokens last ten minutes: each jump of the clock signs the users in again.
    app.clock.advance(3 * DAY);
    let admin = relogin(&app, &["admin"]).await;
    let a = c
        .financing(&admin["admin"])
        .act(&first, "recover", None)
        .await
        .unwrap();
    // 285 万 × 3 × 0.02 % = 1 710 元.
    assert_eq!((a.used_days, a.fee_fen), (Some(3), Some(171_000)));
    app.clock.advance(2 * DAY);
    let admin = relogin(&app, &["admin"]).await;
    let a = c
        .financing(&admin["admin"])
        .act(&five, "recover", None)
        .await
        .unwrap();
    // 285 万 × 5 × 0.02 % = 2 850 元.
    assert_eq!((a.used_days, a.fee_fen), (Some(5), Some(285_000)));
    app.clock.advance(3 * DAY);
    let t = relogin(&app, &["enterprise", "bank", "admin", "bank2"]).await;
    let (e, b, s) = (
        c.financing(&t["enterprise"]),
        c.financing(&t["bank"]),
        c.financing(&t["admin"]),
    );
    let a = s.act(&eight, "recover", None).await.unwrap();
    // 285 万 × (5 × 0.02 % + 3 × 0.04 %) = 6 270 元.
    assert_eq!((a.used_days, a.fee_fen), (Some(8), Some(627_000)));
    // 资料归档: every document with its SHA-256 in the audit trail.
    let a = s.act(&first, "archive", None).await.unwrap();
    assert_eq!(a.state, "archived");
    assert_eq!(
        refused(e.upload(&first, "other", "late.pdf", PDF.to_vec()).await).0,
        400
    );
    let trail = e.audit(&first).await.unwrap();
    let archive = trail.iter().find(|x| x["action"] == "archive").unwrap();
    assert!(
        archive["note"].as_str().unwrap().contains(&v2.sha256),
        "{archive}"
    );
    // A bridge past its ten days is marked overdue by the scheduler.
    let late = disbursed(&e, &b, &s, &bank, "100.00", "50.00").await;
    app.clock.advance(11 * DAY);
    let t = relogin(&app, &["enterprise", "bank", "admin", "bank2"]).await;
    let (e, b, s, b2) = (
        c.financing(&t["enterprise"]),
        c.financing(&t["bank"]),
        c.financing(&t["admin"]),
        c.financing(&t["bank2"]),
    );
    assert!(s.run_scheduler().await.unwrap() >= 1);
    assert_eq!(e.application(&late).await.unwrap().state, "overdue");
    // 监管: the seed's columns; the bank sees its own, the other bank none.
    let page = s.bridge_supervision(None, 0).await.unwrap();
    let row = page["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == first.as_str())
        .unwrap()
        .clone();
    assert_eq!(
        (
            row["maturing_fen"].as_i64(),
            row["renewal_fen"].as_i64(),
            row["amount_fen"].as_i64(),
            row["self_raised_fen"].as_i64()
        ),
        (
            Some(300_000_000),
            Some(300_000_000),
            Some(300_000_000),
            Some(20_000_000)
        )
    );
    assert_eq!(row["loan_due_date"], "2026-12-20");
    assert_eq!(row["bank_name"], "宁夏演示银行银川分行");
    assert!(
        b.bridge_supervision(None, 0).await.unwrap()["rows"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["id"] == first.as_str())
    );
    assert!(
        b2.bridge_supervision(None, 0).await.unwrap()["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["id"] == elsewhere.id.as_str())
    );
    let detail = s.bridge_detail(&first).await.unwrap();
    assert_eq!(
        (
            detail["lender"].as_str(),
            detail["purpose"].as_str(),
            detail["term_months"].as_i64(),
            detail["interest"].as_str()
        ),
        (
            Some("宁夏演示银行银川分行"),
            Some("购买原材料"),
            Some(12),
            Some("年利率 4.35%")
        )
    );
    assert_eq!(detail["enterprise"]["Comp_legal_name"], "李经理");
    // Statistics (staff only): the four disbursed bridges, their fees and the fund's use.
    let month = idp::financing::records::china_date(app.clock.now())[..7].to_owned();
    let year = &month[..4];
    let stats = s
        .statistics("year", &format!("{year}-01"), &format!("{year}-12"))
        .await
        .unwrap();
    let total = &stats["bridge"]["total"];
    assert!(total["count"].as_i64().unwrap() >= 4, "{total}");
    assert!(total["fees_fen"].as_i64().unwrap() >= 171_000 + 285_000 + 627_000);
    assert!(stats["bridge"]["usage_rate"].as_f64().unwrap() > 0.0);
    assert_eq!(
        refused(e.statistics("year", "2026-01", "2026-12").await).0,
        403
    );
    assert_eq!(
        refused(s.statistics("week", "2026-01", "2026-12").await).0,
        400
    );
    // The 6.1 record is in the catalogue, written by the workflow.
    let records = idp::with_pool!(&app.db, pool => {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM cat_bridge_loan WHERE apply_no = $1 AND source = 'workflow'")
            .bind(&first).fetch_one(pool).await.unwrap()
    });
    assert!(records >= 2, "{records}");
}

async fn compensation_from_default_to_recovery(backend: Backend) {
    let app = spawn_app(backend).await;
    app.load_demo().await;
    let t = relogin(&app, &["enterprise", "bank", "admin", "insurer"]).await;
    let c = client(&app).await;
    let (e, b, s, i) = (
        c.financing(&t["enterprise"]),
        c.financing(&t["bank"]),
        c.financing(&t["admin"]),
        c.financing(&t["insurer"]),
    );
    let bank = org_of(&app, "bank").await;
    let insurer = org_of(&app, "insurer").await;
    // The county is a division code the catalogue knows, checked when the draft is made.
    let (status, problem) = refused(
        e.create(&ApplicationDraft {
            region_code: "649999".into(),
            ..compensation("pledge", &bank, None, "50.00", 0)
        })
        .await,
    );
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "Regist_region_code");
    // The review queue lists priority enterprises first.
    let plain = e
        .create(&compensation("pledge", &bank, None, "50.00", 0))
        .await
        .unwrap();
    let priority = e
        .create(&compensation("pledge", &bank, None, "200.00", 3))
        .await
        .unwrap();
    assert_eq!(priority.priority, 3);
    e.act(&plain.id, "submit", None).await.unwrap();
    e.act(&priority.id, "submit", None).await.unwrap();
    let queue = b
        .applications(Some("compensation"), Some("submitted"))
        .await
        .unwrap();
    let ours: Vec<&str> = queue
        .iter()
        .map(|q| q.id.as_str())
        .filter(|id| [plain.id.as_str(), priority.id.as_str()].contains(id))
        .collect();
    assert_eq!(ours, vec![priority.id.as_str(), plain.id.as_str()]);
    // 股权质押: first review, custody with its reference, filing, disbursement.
    let id = priority.id.clone();
    assert_eq!(refused(i.act(&id, "underwrite", None).await).0, 404);
    b.act(&id, "bank_approve", None).await.unwrap();
    assert_eq!(refused(b.act(&id, "custody", None).await).0, 400);
    b.act(
        &id,
        "custody",
        Some(&Step {
            custody_ref: Some("NXGQ-2026-0001".into()),
            ..Default::default()
        }),
    )
    .await
    .unwrap();
    assert_eq!(refused(b.act(&id, "disburse", None).await).0, 409);
    s.act(&id, "file", None).await.unwrap();
    let a = b.act(&id, "disburse", None).await.unwrap();
    assert_eq!(
        (a.state.as_str(), a.record["Loan_status"].as_str()),
        ("repaying", Some("1"))
    );
    // Default: overdue, the bank's claim for 100 万 unpaid, staff verify and pay from the pool.
    b.act(&id, "mark_overdue", None).await.unwrap();
    assert_eq!(refused(e.act(&id, "claim", None).await).0, 409);
    assert_eq!(
        refused(
            b.act(
                &id,
                "claim",
                Some(&Step {
                    loss: Some("3000000".into()),
                    ..Default::default()
                })
            )
            .await
        )
        .0,
        400
    );
    b.act(
        &id,
        "claim",
        Some(&Step {
            loss: Some("1000000".into()),
            ..Default::default()
        }),
    )
    .await
    .unwrap();
    let (status, problem) = refused(s.act(&id, "verify_claim", None).await);
    assert_eq!(status, 409, "the claim needs its evidence: {problem}");
    b.upload(&id, "claim_evidence", "催收记录.pdf", PDF.to_vec())
        .await
        .unwrap();
    let a = s.act(&id, "verify_claim", None).await.unwrap();
    // 80 % (region 40 + county 40) would be 80 万; the 50 % cap makes it 50 万.
    assert_eq!(
        (
            a.compensation_fen,
            a.region_share_fen,
            a.county_share_fen,
            a.bank_share_fen
        ),
        (
            Some(50_000_000),
            Some(25_000_000),
            Some(25_000_000),
            Some(50_000_000)
        )
    );
    let before = s.funds().await.unwrap()["pool_paid_fen"].as_i64().unwrap();
    s.act(&id, "compensate", None).await.unwrap();
    assert_eq!(
        s.funds().await.unwrap()["pool_paid_fen"].as_i64().unwrap(),
        before + 50_000_000
    );
    // 追偿: 30 万 recovered, half of it back to the pool (the share of the loss it bore).
    let a = b
        .act(
            &id,
            "recover",
            Some(&Step {
                recovered: Some("300000".into()),
                ..Default::default()
            }),
        )
        .await
        .unwrap();
    assert_eq!(
        (a.state.as_str(), a.recovered_fen, a.pool_back_fen),
        ("recovered", Some(30_000_000), Some(15_000_000))
    );
    assert_eq!(
        s.funds().await.unwrap()["pool_paid_fen"].as_i64().unwrap(),
        before + 35_000_000
    );
    // 保证保险: underwriting at 2 %, the policy, disbursement, settlement.
    let a = e
        .create(&compensation(
            "insurance",
            &bank,
            Some(&insurer),
            "80.00",
            0,
        ))
        .await
        .unwrap();
    e.act(&a.id, "submit", None).await.unwrap();
    assert_eq!(refused(b.act(&a.id, "bank_approve", None).await).0, 409);
    let a = i.act(&a.id, "underwrite", None).await.unwrap();
    assert_eq!(a.premium_fen, Some(1_600_000));
    i.act(
        &a.id,
        "issue_policy",
        Some(&Step {
            policy_no: Some("PICC-1".into()),
            ..Default::default()
        }),
    )
    .await
    .unwrap();
    b.act(&a.id, "disburse", None).await.unwrap();
    let a = b.act(&a.id, "settle", None).await.unwrap();
    assert_eq!(
        (a.state.as_str(), a.record["Loan_status"].as_str()),
        ("settled", Some("0"))
    );
    // The scheduler marks a loan past its end overdue.
    let late = e
        .create(&compensation(
            "insurance",
            &bank,
            Some(&insurer),
            "10.00",
            0,
        ))
        .await
        .unwrap();
    e.act(&late.id, "submit", None).await.unwrap();
    i.act(&late.id, "underwrite", None).await.unwrap();
    i.act(
        &late.id,
        "issue_policy",
        Some(&Step {
            policy_no: Some("PICC-2".into()),
            ..Default::default()
        }),
    )
    .await
    .unwrap();
    b.act(&late.id, "disburse", None).await.unwrap();
    app.clock.advance(400 * DAY);
    let admin = relogin(&app, &["admin"]).await;
    let s = c.financing(&admin["admin"]);
    assert!(s.run_scheduler().await.unwrap() >= 1);
    assert_eq!(s.application(&late.id).await.unwrap().state, "overdue");
}

async fn a_bank_past_its_commitment_is_refused(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.platforms.insert(
            "financing".into(),
            json!({"pool_yuan": 100_000, "bank_commitment_multiple": 10}),
        );
    })
    .await;
    app.load_demo().await;
    let t = relogin(&app, &["enterprise", "bank", "admin"]).await;
    let c = client(&app).await;
    let (e, b, s) = (
        c.financing(&t["enterprise"]),
        c.financing(&t["bank"]),
        c.financing(&t["admin"]),
    );
    let bank = org_of(&app, "bank").await;
    let before = s.funds().await.unwrap()["banks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["bank_org_id"] == bank.as_str())
        .map(|x| x["outstanding_fen"].as_i64().unwrap())
        .unwrap_or(0);
    let ready = |amount: &'static str| {
        let (e, b, s, bank) = (&e, &b, &s, bank.clone());
        async move {
            let a = e
                .create(&compensation("pledge", &bank, None, amount, 0))
                .await
                .unwrap();
            e.act(&a.id, "submit", None).await.unwrap();
            b.act(&a.id, "bank_approve", None).await.unwrap();
            b.act(
                &a.id,
                "custody",
                Some(&Step {
                    custody_ref: Some("R".into()),
                    ..Default::default()
                }),
            )
            .await
            .unwrap();
            s.act(&a.id, "file", None).await.unwrap();
            a.id
        }
    };
    // The commitment is 10 × 10 万 = 100 万; what is out already counts.
    let room = 100_000_000 - before;
    let first = ready("60.00").await;
    let second = ready("60.00").await;
    if room >= 60_000_000 {
        b.act(&first, "disburse", None).await.unwrap();
    }
    let (status, problem) = refused(b.act(&second, "disburse", None).await);
    assert_eq!(status, 409, "{problem}");
    assert_eq!(problem["limit"], "bank_commitment");
    assert_eq!(problem["limit_fen"], 100_000_000);
    assert_eq!(problem["requested_fen"], 60_000_000);
    assert_eq!(s.application(&second).await.unwrap().state, "filed");
    // Settling the first frees the commitment.
    if room >= 60_000_000 {
        b.act(&first, "settle", None).await.unwrap();
        b.act(&second, "disburse", None).await.unwrap();
    }
}

async fn leasing_subsidy_over_a_part_year_and_at_the_cap(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.platforms
            .insert("financing".into(), json!({"leasing_cap_yuan": 60_000}));
    })
    .await;
    app.load_demo().await;
    let sister = member(
        &app,
        "sister",
        "宁夏演示科技关联公司",
        idp::accounts::OrganisationKind::Enterprise,
        idp::accounts::Role::Enterprise,
    )
    .await;
    let t = relogin(&app, &["enterprise", "sister", "admin"]).await;
    let c = client(&app).await;
    let (e, e2, s) = (
        c.financing(&t["enterprise"]),
        c.financing(&t["sister"]),
        c.financing(&t["admin"]),
    );
    let own = org_of(&app, "enterprise").await;
    // The demo granted this enterprise already; a fresh group for the two affiliated ones.
    s.set_affiliation(&own, Some("塞上集团")).await.unwrap();
    s.set_affiliation(&sister, Some("塞上集团")).await.unwrap();
    let filed = |fin: &'static str| {
        let (e, e2, s) = (&e, &e2, &s);
        async move {
            let f = if fin == "own" { e } else { e2 };
            let a = f.create(&leasing("1800000", 17)).await.unwrap();
            let (status, problem) = refused(f.act(&a.id, "submit", None).await);
            assert_eq!(status, 409, "the signed form first: {problem}");
            upload_all(f, &a.id, &["application_form"]).await;
            f.act(&a.id, "submit", None).await.unwrap();
            s.act(&a.id, "approve", None).await.unwrap();
            assert_eq!(refused(s.act(&a.id, "file", None).await).0, 409);
            upload_all(
                f,
                &a.id,
                &["lease_contract", "qualification", "company_info"],
            )
            .await;
            s.act(&a.id, "file", None).await.unwrap();
            a.id
        }
    };
    let first = filed("own").await;
    let second = filed("sister").await;
    // 180 万 × 2 % × 17 ⁄ 12 = 51 000 元.
    let a = s.act(&first, "grant", None).await.unwrap();
    assert_eq!(a.subsidy_fen, Some(5_100_000));
    assert_eq!(a.devices[0]["subsidy_fen"], 5_100_000);
    // The sister company shares the 60 000 元 cap: 9 000 元 are left.
    let a = s.act(&second, "grant", None).await.unwrap();
    assert_eq!(a.subsidy_fen, Some(900_000));
    let third = filed("sister").await;
    let (status, problem) = refused(s.act(&third, "grant", None).await);
    assert_eq!(status, 409);
    assert_eq!(problem["limit"], "enterprise_cap");
    let a = s.act(&first, "pay", None).await.unwrap();
    assert_eq!(a.state, "paid");
    let rows = s.leasing_supervision().await.unwrap();
    assert!(rows.iter().any(|r| r["id"] == first.as_str()
        && r["subsidy_fen"] == 5_100_000
        && r["paid_at"].is_i64()));
    // The enterprise sees only its own.
    assert_eq!(refused(e.application(&second).await).0, 404);
    assert!(
        e.applications(Some("leasing"), None)
            .await
            .unwrap()
            .iter()
            .all(|x| x.id != second)
    );
}

async fn concurrent_grants_never_exceed_the_budget(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        // The demo grants 238 666.67 元 at load; then room for exactly five 20 000 元 grants.
        s.platforms.insert(
            "financing".into(),
            json!({"leasing_budget_yuan": 338_667, "leasing_cap_yuan": 10_000_000}),
        );
    })
    .await;
    app.load_demo().await;
    let t = relogin(&app, &["enterprise", "admin"]).await;
    let c = client(&app).await;
    let (e, s) = (c.financing(&t["enterprise"]), c.financing(&t["admin"]));
    let mut ids = Vec::new();
    for _ in 0..12 {
        // 1 000 000 元 × 2 % × 12 ⁄ 12 = 20 000 元 each.
        let a = e.create(&leasing("1000000", 12)).await.unwrap();
        upload_all(
            &e,
            &a.id,
            &[
                "application_form",
                "lease_contract",
                "qualification",
                "company_info",
            ],
        )
        .await;
        e.act(&a.id, "submit", None).await.unwrap();
        s.act(&a.id, "approve", None).await.unwrap();
        s.act(&a.id, "file", None).await.unwrap();
        ids.push(a.id);
    }
    let grants = ids.iter().map(|id| {
        let s = &s;
        async move { s.act(id, "grant", None).await }
    });
    let results = futures_util::future::join_all(grants).await;
    let granted = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(granted, 5, "{results:?}");
    for r in results.into_iter().filter(|r| r.is_err()) {
        let (status, problem) = refused(r);
        assert_eq!((status, problem["limit"].as_str()), (409, Some("budget")));
    }
    let funds = s.funds().await.unwrap();
    assert!(
        funds["leasing_granted_fen"].as_i64().unwrap()
            <= funds["leasing_budget_fen"].as_i64().unwrap(),
        "{funds}"
    );
}

async fn returns_rejections_withdrawals_and_refused_claims(backend: Backend) {
    let app = spawn_app(backend).await;
    app.load_demo().await;
    let t = relogin(&app, &["enterprise", "bank", "admin"]).await;
    let c = client(&app).await;
    let (e, b, s) = (
        c.financing(&t["enterprise"]),
        c.financing(&t["bank"]),
        c.financing(&t["admin"]),
    );
    let bank = org_of(&app, "bank").await;
    // The bank returns a bridge with its reason; the enterprise corrects the draft and submits
    // again; staff reject it in the end.
    let a = e.create(&bridge(&bank, "300.00", "300.00")).await.unwrap();
    e.act(&a.id, "submit", None).await.unwrap();
    assert_eq!(
        refused(e.update(&a.id, &bridge(&bank, "300.00", "200.00")).await).0,
        409
    );
    assert_eq!(
        refused(b.act(&a.id, "return", None).await).0,
        400,
        "a return needs its reason"
    );
    let why = Step {
        reason: Some("自筹资金证明不清晰".into()),
        ..Default::default()
    };
    let a = b.act(&a.id, "return", Some(&why)).await.unwrap();
    assert_eq!(
        (a.state.as_str(), a.feedback.as_deref()),
        ("draft", Some("自筹资金证明不清晰"))
    );
    let a = e
        .update(&a.id, &bridge(&bank, "300.00", "200.00"))
        .await
        .unwrap();
    assert_eq!(a.amount_fen, 200_000_000);
    e.act(&a.id, "submit", None).await.unwrap();
    b.act(&a.id, "bank_approve", Some(&manager()))
        .await
        .unwrap();
    let a = s
        .act(
            &a.id,
            "reject",
            Some(&Step {
                reason: Some("不符合续贷条件".into()),
                ..Default::default()
            }),
        )
        .await
        .unwrap();
    assert_eq!((a.state.as_str(), a.allowed_actions.len()), ("rejected", 0));
    let (status, problem) = refused(e.act(&a.id, "submit", None).await);
    assert_eq!(
        (status, problem["current_state"].as_str()),
        (409, Some("rejected"))
    );
    // A draft is withdrawn by its enterprise, and then nobody acts on it.
    let w = e.create(&bridge(&bank, "100.00", "90.00")).await.unwrap();
    assert_eq!(
        e.act(&w.id, "withdraw", None).await.unwrap().state,
        "withdrawn"
    );
    assert_eq!(refused(e.act(&w.id, "submit", None).await).0, 409);
    // A claim staff refuse goes back to overdue, with the reason, and may be claimed again.
    let p = e
        .create(&compensation("pledge", &bank, None, "30.00", 0))
        .await
        .unwrap();
    e.act(&p.id, "submit", None).await.unwrap();
    b.act(&p.id, "bank_approve", None).await.unwrap();
    b.act(
        &p.id,
        "custody",
        Some(&Step {
            custody_ref: Some("R-1".into()),
            ..Default::default()
        }),
    )
    .await
    .unwrap();
    s.act(&p.id, "file", None).await.unwrap();
    b.act(&p.id, "disburse", None).await.unwrap();
    b.act(&p.id, "mark_overdue", None).await.unwrap();
    b.act(
        &p.id,
        "claim",
        Some(&Step {
            loss: Some("100000".into()),
            ..Default::default()
        }),
    )
    .await
    .unwrap();
    let p = s
        .act(
            &p.id,
            "refuse_claim",
            Some(&Step {
                reason: Some("未尽催收义务".into()),
                ..Default::default()
            }),
        )
        .await
        .unwrap();
    assert_eq!(
        (p.state.as_str(), p.feedback.as_deref()),
        ("overdue", Some("未尽催收义务"))
    );
    assert!(
        p.allowed_actions.is_empty(),
        "staff have nothing to do on an overdue loan: {:?}",
        p.allowed_actions
    );
    assert!(
        b.application(&p.id)
            .await
            .unwrap()
            .allowed_actions
            .contains(&"claim".to_owned())
    );
    // The audit trail has every step, who took it and from which state to which.
    let trail = e.audit(&p.id).await.unwrap();
    let steps: Vec<&str> = trail.iter().filter_map(|x| x["action"].as_str()).collect();
    assert_eq!(
        steps,
        vec![
            "create",
            "submit",
            "bank_approve",
            "custody",
            "file",
            "disburse",
            "mark_overdue",
            "claim",
            "refuse_claim"
        ]
    );
    // An unknown step is not found; a malformed body is refused before anything happens.
    assert_eq!(refused(e.act(&p.id, "launder", None).await).0, 404);
}

/// A `multipart/form-data` body with the CSRF token first, then `kind`, then the file.
fn upload_form(token: &str, kind: &str, name: &str, content: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----nxtestboundary7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (field, value) in [("csrf_token", token), ("kind", kind)] {
        body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"\r\n\r\n{value}\r\n").as_bytes());
    }
    body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/pdf\r\n\r\n").as_bytes());
    body.extend(content);
    body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn the_console_serves_banks_and_staff(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.platforms
            .insert("financing".into(), json!({"max_document_bytes": 2048}));
    })
    .await;
    app.load_demo().await;
    let t = relogin(&app, &["enterprise"]).await;
    let c = client(&app).await;
    let e = c.financing(&t["enterprise"]);
    let bank = org_of(&app, "bank").await;
    let a = e.create(&bridge(&bank, "300.00", "300.00")).await.unwrap();
    e.act(&a.id, "submit", None).await.unwrap();
    // The bank hears of it in its inbox, with a link to the application in the console.
    let reader =
        crate::crowdfunding::tokens_through(&app, "openid inbox", &["openid", "inbox"], &["bank"])
            .await;
    let messages = c
        .inbox(&reader["bank"])
        .list(true, 100, None)
        .await
        .unwrap()
        .items;
    let link = format!("/console/financing/applications/{}", a.id);
    assert!(
        messages.iter().any(|m| m.topic == "application.submitted" && m.link.as_deref() == Some(link.as_str())),
        "{messages:?}"
    );
    // The bank officer's queue shows it; statistics are for staff; an enterprise user has no
    // console.
    let officer = app.demo_browser("bank").await;
    let queue = page_text(
        &officer,
        app.url("/console/financing?product=bridge&state=submitted"),
    )
    .await;
    assert!(queue.contains(&a.id), "{queue}");
    let denied = officer
        .get(app.url("/console/financing/statistics"))
        .send()
        .await
        .unwrap();
    assert_eq!(denied.status(), 403);
    let outsider = app.demo_browser("enterprise").await;
    assert_eq!(
        outsider
            .get(app.url("/console/financing"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    // Upload from the page: a forged token stores nothing; too large a file is refused; the
    // real token stores it.
    let page_url = app.url(&format!("/console/financing/applications/{}", a.id));
    let page = page_text(&officer, page_url.clone()).await;
    let token = hidden_field(&page, "csrf_token");
    let documents = app.url(&format!(
        "/console/financing/applications/{}/documents",
        a.id
    ));
    let send = |token: String, content: Vec<u8>| {
        let (officer, documents) = (officer.clone(), documents.clone());
        async move {
            let (content_type, body) =
                upload_form(&token, "renewal_commitment", "续贷承诺书.pdf", &content);
            officer
                .post(documents)
                .header("content-type", content_type)
                .body(body)
                .send()
                .await
                .unwrap()
        }
    };
    assert_eq!(send("forged".into(), PDF.to_vec()).await.status(), 400);
    let mut big = PDF.to_vec();
    big.resize(4096, b' ');
    assert_eq!(send(token.clone(), big).await.status(), 400);
    assert!(e.application(&a.id).await.unwrap().documents.is_empty());
    let stored = send(token.clone(), PDF.to_vec()).await;
    assert_eq!(stored.status(), 303);
    let view = e.application(&a.id).await.unwrap();
    assert_eq!(
        (view.documents.len(), view.documents[0].name.as_str()),
        (1, "续贷承诺书.pdf")
    );
    // The bank approves from the page, naming its people.
    let approved = officer
        .post(page_url.clone())
        .form(&[
            ("csrf_token", token.as_str()),
            ("action", "bank_approve"),
            ("bank_charge_man", "周行长"),
            ("bank_manage_man", "刘先生"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(approved.status(), 303);
    assert_eq!(e.application(&a.id).await.unwrap().state, "bank_approved");
    // A step the rules refuse shows the page again with the reason.
    let refused_page = officer
        .post(page_url)
        .form(&[("csrf_token", token.as_str()), ("action", "approve")])
        .send()
        .await
        .unwrap();
    assert_eq!(refused_page.status(), 409);
    // Staff see the statistics page and its exports.
    let admin = app.demo_browser("admin").await;
    let stats = page_text(&admin, app.url("/console/financing/statistics")).await;
    assert!(stats.contains("转贷资金使用率"), "{stats}");
    let csv = admin
        .get(app.url("/console/financing/statistics.csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), 200);
    assert!(csv.text().await.unwrap().contains("bridge_total"));
    let xlsx = admin
        .get(app.url("/console/financing/statistics.xlsx"))
        .send()
        .await
        .unwrap();
    assert_eq!(&xlsx.bytes().await.unwrap()[..2], b"PK");
}

backend_tests!(
    the_console_serves_banks_and_staff,
    returns_rejections_withdrawals_and_refused_claims,
    bridge_loan_from_application_to_archive,
    compensation_from_default_to_recovery,
    a_bank_past_its_commitment_is_refused,
    leasing_subsidy_over_a_part_year_and_at_the_cap,
    concurrent_grants_never_exceed_the_budget,
);
