//! The business crowdsourcing platform over its API, driven through the SDK: a whole job in
//! each mode from publication to two-way evaluation (auto-acceptance included), rework to the
//! limit, a dispute in each outcome, restrictions, re-review of changes and deletions, the
//! subsidy budget under 100 concurrent approvals, and money conservation, on both databases.

use std::collections::HashMap;

use idp::clock::Clock;

use integration_tests::{
    Backend, TestApp, backend_tests, hidden_field, page_text, spawn_app, spawn_app_with,
};
use nx_sdk::Client;
use nx_sdk::crowdsourcing::{
    Crowdsourcing, Delivery, DemandDraft, Evaluation, Offer, Order, Proposal,
};
use serde_json::{Value, json};

const SCOPES: &[&str] = &["openid", "crowdsourcing", "crowdsourcing:staff"];

/// A service organisation user outside Ningxia (甘肃兰州, 620102) and one inside (石嘴山,
/// 640202), each with a profile and a design product; answers their usernames.
async fn more_providers(app: &TestApp, t: &mut HashMap<String, String>) {
    for (username, org, area, industry) in [
        ("lanzhou", "兰州设计工坊（测试）", "620102", "M7491"),
        (
            "shizuishan",
            "石嘴山智造设计中心（测试）",
            "640202",
            "M7491",
        ),
    ] {
        let organisation = idp::accounts::create_organisation(
            &app.db,
            org,
            idp::accounts::OrganisationKind::ServiceProvider,
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
                display_name: format!("{org}顾问"),
                email: None,
                phone: None,
                organisation_id: Some(organisation.id),
                roles: vec![idp::accounts::Role::ServiceProvider],
            },
            app.clock.now(),
        )
        .await
        .unwrap();
        let token = crate::crowdfunding::tokens_through(
            app,
            "openid profile crowdsourcing",
            &["openid", "crowdsourcing"],
            &[username],
        )
        .await
        .remove(username)
        .unwrap();
        let cs = client(app).await;
        let api = cs.crowdsourcing(&token);
        api.save_profile(
            &json!({"AREA_COUNTY": area, "INDUSTRY_CODE": industry, "LINKMAN": "王工"}),
        )
        .await
        .unwrap();
        api.add_product(&json!({"SERVICE_NAME": "产品外观设计", "SERVICE_CLASS": "CPSJ"}))
            .await
            .unwrap();
        t.insert(username.to_owned(), token);
    }
}

async fn client(app: &TestApp) -> Client {
    Client::discover(&app.address, "unused", None)
        .await
        .unwrap()
}

/// Tokens with the crowdsourcing scopes for the demo users (demo data loaded).
async fn tokens(app: &TestApp, users: &[&str]) -> HashMap<String, String> {
    app.load_demo().await;
    relogin(app, users).await
}

/// New tokens (the old ones expire when the clock moves on by days).
async fn relogin(app: &TestApp, users: &[&str]) -> HashMap<String, String> {
    crate::crowdfunding::tokens_through(
        app,
        "openid profile crowdsourcing crowdsourcing:staff",
        SCOPES,
        users,
    )
    .await
}

fn draft(app: &TestApp, mode: &str, fee: &str) -> DemandDraft {
    DemandDraft {
        mode: mode.into(),
        title: format!("智能手环外观设计（{mode}）"),
        description: "三套工业设计方案".into(),
        fee: fee.into(),
        cycle_days: 30,
        expiry_date: idp::crowdsourcing::records::china_date(app.clock.now() + 60 * 86_400),
        service_class: "CPSJ".into(),
        industry_code: "C3990".into(),
        regions: vec!["640000".into()],
        charger_name: Some("李经理".into()),
        charger_mobile: Some("13800000001".into()),
        ..Default::default()
    }
}

/// The status and problem of a refused call.
fn refused<T: std::fmt::Debug>(result: Result<T, nx_sdk::Error>) -> (u16, Value) {
    match result {
        Err(nx_sdk::Error::Refused { status, problem }) => {
            (status, serde_json::to_value(problem.extensions).unwrap())
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// A demand drafted, submitted and approved (reward demands also paid into escrow).
async fn listed(
    app: &TestApp,
    owner: &Crowdsourcing<'_>,
    staff: &Crowdsourcing<'_>,
    draft: &DemandDraft,
) -> String {
    let demand = owner.create_demand(draft).await.unwrap();
    assert_eq!(demand.state, "draft");
    owner.act(&demand.id, "submit", None).await.unwrap();
    let approved = staff.act(&demand.id, "approve", None).await.unwrap();
    if draft.mode == "reward" {
        assert_eq!(approved.state, "awaiting_escrow");
        let paying = owner.pay_demand_escrow(&demand.id).await.unwrap();
        pay(app, &paying.payment.pay_url).await;
        wait_for(|| async { owner.demand(&demand.id).await.unwrap().state == "listed" }).await;
    } else {
        assert_eq!(approved.state, "listed", "{approved:?}");
    }
    demand.id
}

/// Pays on the sandbox page as the payer would.
async fn pay(app: &TestApp, pay_url: &str) {
    let payer = app.new_browser();
    let page = page_text(&payer, app.url(pay_url)).await;
    assert!(page.contains("确认支付"), "{page}");
    let confirmed = payer
        .post(app.url(pay_url))
        .form(&[("csrf_token", hidden_field(&page, "csrf_token").as_str())])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(confirmed.contains("已付款"), "{confirmed}");
}

/// Waits (without sleeping long) for the asynchronous payment notification's effect.
async fn wait_for<F, Fut>(mut done: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..200 {
        if done().await {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("the payment notification never arrived");
}

/// Pays an order's escrow and waits for the work to start.
async fn fund(app: &TestApp, owner: &Crowdsourcing<'_>, order: &str) {
    let paying = owner.pay_order_escrow(order).await.unwrap();
    assert_eq!(paying.escrow.state, "pending");
    pay(app, &paying.payment.pay_url).await;
    wait_for(|| async { owner.order(order).await.unwrap().state == "in_progress" }).await;
}

fn delivery(note: &str) -> Delivery {
    Delivery {
        note: note.into(),
        links: vec!["https://pan.example.cn/design-v1.zip".into()],
        attachment_ids: Vec::new(),
    }
}

/// A tender (招标) deal on agreed terms, funded: answers the order.
async fn funded_tender(
    app: &TestApp,
    owner: &Crowdsourcing<'_>,
    staff: &Crowdsourcing<'_>,
    provider: &Crowdsourcing<'_>,
    amount: &str,
) -> Order {
    let id = listed(app, owner, staff, &draft(app, "tender", "1.00")).await;
    let response = provider
        .respond(
            &id,
            &Proposal {
                approach: "草图、建模、手板三步".into(),
                price: amount.into(),
                duration_days: 20,
                attachments: Vec::new(),
            },
        )
        .await
        .unwrap();
    let order = owner.select(&response.id).await.unwrap();
    assert_eq!(order.state, "awaiting_escrow");
    fund(app, owner, &order.id).await;
    owner.order(&order.id).await.unwrap()
}

async fn a_tender_job_from_publication_to_evaluation(backend: Backend) {
    let app = spawn_app(backend).await;
    let t = tokens(&app, &["enterprise", "provider", "admin"]).await;
    let c = client(&app).await;
    let (owner, provider, staff) = (
        c.crowdsourcing(&t["enterprise"]),
        c.crowdsourcing(&t["provider"]),
        c.crowdsourcing(&t["admin"]),
    );

    // 发布服务 and 平台审核.
    let demand = owner
        .create_demand(&draft(&app, "tender", "3.50"))
        .await
        .unwrap();
    assert_eq!(demand.allowed_actions, ["edit", "submit", "delete"]);
    assert!(
        provider.demand(&demand.id).await.is_err(),
        "a draft is not on the portal"
    );
    owner.act(&demand.id, "submit", None).await.unwrap();
    let returned = staff
        .act(&demand.id, "return", Some("请补充交付物清单"))
        .await
        .unwrap();
    assert_eq!(returned.state, "draft");
    assert_eq!(returned.feedback.as_deref(), Some("请补充交付物清单"));
    owner.act(&demand.id, "submit", None).await.unwrap();
    let approved = staff.act(&demand.id, "approve", None).await.unwrap();
    assert_eq!(approved.state, "listed");

    // 精准推送: the demo provider offers design in 银川 and hears of it.
    let pushed = number(
        &app,
        "SELECT COUNT(*) FROM inbox_messages WHERE topic = 'demand.matched'",
        &[],
    )
    .await;
    assert!(pushed >= 1, "the matching provider is told");
    let matching = provider.matching_demands().await.unwrap();
    assert!(matching.iter().any(|d| d.id == demand.id), "{matching:?}");
    let portal = provider
        .demands(&[
            ("class", "CPSJ"),
            ("region", "640104"),
            ("mode", "tender"),
            ("fee_min", "3"),
            ("fee_max", "4"),
        ])
        .await
        .unwrap();
    assert!(portal.iter().any(|d| d.id == demand.id));
    assert!(
        portal.iter().all(|d| d.direct_provider_id.is_none()),
        "filters hold"
    );
    let elsewhere = provider.demands(&[("region", "620102")]).await.unwrap();
    assert!(
        elsewhere.iter().all(|d| d.id != demand.id),
        "not open to 兰州"
    );
    let suggested = owner.suggested_providers(&demand.id).await.unwrap();
    assert!(suggested[0].match_score.unwrap() >= 2, "{suggested:?}");

    // 项目响应 and 线上服务对接.
    let response = provider
        .respond(
            &demand.id,
            &Proposal {
                approach: "三套方案，两轮修改".into(),
                price: "36000.00".into(),
                duration_days: 40,
                attachments: vec!["https://pan.example.cn/portfolio.pdf".into()],
            },
        )
        .await
        .unwrap();
    let offer = provider
        .send_message(
            &response.id,
            "可以 34000 元、35 天完成",
            Some(&Offer {
                amount: "34000.00".into(),
                delivery_days: 35,
                delivery_method: "网络交付".into(),
            }),
        )
        .await
        .unwrap();
    let (status, problem) = refused(provider.accept_offer(&response.id, &offer.id).await);
    assert_eq!(
        status, 400,
        "one's own offer is accepted by the other side: {problem}"
    );
    let counter = owner
        .send_message(
            &response.id,
            "32000 元，30 天，含源文件",
            Some(&Offer {
                amount: "32000.00".into(),
                delivery_days: 30,
                delivery_method: "网络交付，含源文件".into(),
            }),
        )
        .await
        .unwrap();
    let thread = owner.thread(&response.id).await.unwrap();
    assert_eq!(thread.len(), 2);
    assert_eq!(thread[0].offer_state.as_deref(), Some("superseded"));
    let order = provider
        .accept_offer(&response.id, &counter.id)
        .await
        .unwrap();
    assert_eq!(order.state, "awaiting_escrow");
    assert_eq!(order.amount_fen, 3_200_000);
    assert_eq!(order.delivery_method, "网络交付，含源文件");
    let dealt = owner.demand(&demand.id).await.unwrap();
    assert_eq!(dealt.state, "dealt");
    assert!(dealt.key_project, "a deal joins the key incubation list");
    assert_eq!(dealt.order_id.as_deref(), Some(order.id.as_str()));
    assert!(
        staff
            .key_projects()
            .await
            .unwrap()
            .iter()
            .any(|d| d.id == demand.id)
    );

    // No work before the escrow: delivering now is refused with the state.
    let (status, problem) = refused(provider.deliver(&order.id, &delivery("初稿")).await);
    assert_eq!(status, 409);
    assert_eq!(problem["current_state"], "awaiting_escrow");
    fund(&app, &owner, &order.id).await;
    let funded = owner.order(&order.id).await.unwrap();
    assert_eq!(funded.escrow.as_ref().unwrap().held_fen, 3_200_000);

    // 交付, 退回返工, 交付 again; silence after that is acceptance.
    let attachment = provider
        .upload(
            &order.id,
            "方案一.pdf",
            "application/pdf",
            b"%PDF-1.4 sketch".to_vec(),
        )
        .await
        .unwrap();
    assert_eq!(
        owner.download(&attachment.id).await.unwrap(),
        b"%PDF-1.4 sketch",
        "the enterprise reads what the provider uploaded"
    );
    let mut first = delivery("三套方案初稿");
    first.attachment_ids = vec![attachment.id.clone()];
    let delivered = provider.deliver(&order.id, &first).await.unwrap();
    assert_eq!(delivered.state, "delivered");
    let reworked = owner.rework(&order.id, "方案二的握持感不足").await.unwrap();
    assert_eq!(reworked.state, "in_progress");
    assert_eq!(reworked.rework_rounds, 1);
    provider
        .deliver(&order.id, &delivery("修改稿"))
        .await
        .unwrap();
    app.clock.advance(7 * 86_400 - 10);
    let t = relogin(&app, &["enterprise", "provider", "admin"]).await;
    let (owner, provider, staff) = (
        c.crowdsourcing(&t["enterprise"]),
        c.crowdsourcing(&t["provider"]),
        c.crowdsourcing(&t["admin"]),
    );
    assert_eq!(
        staff.run_scheduler().await.unwrap().0,
        0,
        "the window is not over"
    );
    app.clock.advance(20);
    assert_eq!(staff.run_scheduler().await.unwrap().0, 1);
    let completed = owner.order(&order.id).await.unwrap();
    assert_eq!(completed.state, "completed");
    let escrow = completed.escrow.unwrap();
    assert_eq!(
        (escrow.released_fen, escrow.held_fen, escrow.state.as_str()),
        (3_200_000, 0, "closed")
    );

    // 服务评价: once each; the provider's comprehensive rating shows it.
    owner
        .evaluate(
            &order.id,
            &Evaluation {
                quality: Some(1),
                cycle: Some(2),
                on_time: Some(2),
                remark: Some("专业".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let (status, _) = refused(
        owner
            .evaluate(
                &order.id,
                &Evaluation {
                    quality: Some(1),
                    cycle: Some(1),
                    on_time: Some(1),
                    ..Default::default()
                },
            )
            .await,
    );
    assert_eq!(status, 409, "once");
    provider
        .evaluate(
            &order.id,
            &Evaluation {
                communication: Some(1),
                payment: Some(1),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let rated = owner.provider(&order.provider_org_id).await.unwrap();
    assert_eq!(rated.rating.count, 1);
    assert_eq!(
        rated.rating.average,
        Some(2.0),
        "mean of 1, 2, 2 rounds to 2"
    );

    // The order is its 5.3 record: evaluation and income as the seed writes them.
    let record: (String, String, String, String) = idp::with_pool!(&app.db, pool => {
        sqlx::query_as("SELECT server_income, served_org_evaluation, server_result, source FROM cat_service_order WHERE is_current AND service_order_no = $1")
            .bind(&order.id)
            .fetch_one(pool)
            .await
            .unwrap()
    });
    assert_eq!(
        record,
        (
            "32000.00".into(),
            "2".into(),
            "修改稿".into(),
            "workflow".into()
        )
    );

    // 申请服务补贴: half the order, approved by staff, is the order's ALLOWANCE.
    owner.apply_subsidy(&order.id).await.unwrap();
    let granted = staff
        .decide_subsidy(&order.id, true, Some("重点孵化项目"))
        .await
        .unwrap();
    assert_eq!(granted.allowance_fen, Some(1_600_000));
    let audit = owner.audit(&demand.id).await.unwrap();
    for action in [
        "create",
        "submit",
        "return",
        "approve",
        "respond",
        "agree_offer",
        "pay_escrow",
        "deliver",
        "rework",
        "auto_accept",
        "approve_subsidy",
    ] {
        assert!(
            audit.iter().any(|e| e["action"] == action),
            "{action} is audited: {audit:?}"
        );
    }
}

/// A number from the app's database, for what the API does not show.
async fn number(app: &TestApp, sql: &str, binds: &[&str]) -> i64 {
    idp::with_pool!(&app.db, pool => {
        let mut q = sqlx::query_scalar::<_, i64>(sql);
        for b in binds {
            q = q.bind(*b);
        }
        q.fetch_one(pool).await.unwrap()
    })
}

async fn a_reward_job_and_a_direct_job(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut t = tokens(&app, &["enterprise", "provider", "admin"]).await;
    more_providers(&app, &mut t).await;
    let c = client(&app).await;
    let (owner, provider, staff, second) = (
        c.crowdsourcing(&t["enterprise"]),
        c.crowdsourcing(&t["provider"]),
        c.crowdsourcing(&t["admin"]),
        c.crowdsourcing(&t["shizuishan"]),
    );

    // 悬赏: held from listing; two providers submit work; the owner picks one.
    let id = listed(&app, &owner, &staff, &draft(&app, "reward", "0.50")).await;
    let held = owner.demand(&id).await.unwrap().escrow.unwrap();
    assert_eq!((held.paid_fen, held.held_fen), (500_000, 500_000));
    let work = |text: &str| Proposal {
        approach: text.into(),
        price: "5000.00".into(),
        duration_days: 10,
        attachments: vec!["https://pan.example.cn/logo.png".into()],
    };
    provider.respond(&id, &work("葡萄藤标志")).await.unwrap();
    let winner = second.respond(&id, &work("贺兰山剪影标志")).await.unwrap();
    let (status, problem) = refused(second.respond(&id, &work("再来一个")).await);
    assert_eq!(
        (status, problem["current_state"].as_str()),
        (409, Some("listed"))
    );
    let (status, _) = refused(
        provider
            .send_message(
                &winner.id,
                "x",
                Some(&Offer {
                    amount: "1.00".into(),
                    delivery_days: 1,
                    delivery_method: "x".into(),
                }),
            )
            .await,
    );
    assert_eq!(status, 404, "another provider's thread is not found");
    let order = owner.select(&winner.id).await.unwrap();
    assert_eq!(order.state, "delivered", "the winning work is the delivery");
    let accepted = owner.accept(&order.id).await.unwrap();
    assert_eq!(accepted.state, "completed");
    assert_eq!(accepted.escrow.unwrap().released_fen, 500_000);
    let losers = owner.responses(&id).await.unwrap();
    assert!(losers.iter().any(|r| r.state == "not_selected"));
    owner
        .evaluate(
            &order.id,
            &Evaluation {
                quality: Some(1),
                cycle: Some(1),
                on_time: Some(1),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    second
        .evaluate(
            &order.id,
            &Evaluation {
                communication: Some(1),
                payment: Some(2),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let winner_rating = owner
        .provider(&accepted.provider_org_id)
        .await
        .unwrap()
        .rating;
    assert_eq!((winner_rating.average, winner_rating.count), (Some(1.0), 1));

    // 指定: the named provider declines, the owner resubmits, the provider accepts.
    let products = owner.products(Some("ZSCQ"), None).await.unwrap();
    let patent = products
        .iter()
        .find(|p| p.service_name == "发明专利申请代理")
        .unwrap();
    let mut direct = draft(&app, "direct", "0.80");
    direct.service_class = "ZSCQ".into();
    direct.direct_product_id = Some(patent.id.clone());
    let id = listed(&app, &owner, &staff, &direct).await;
    let (status, problem) = refused(second.respond(&id, &work("我也想做")).await);
    assert_eq!(status, 409, "{problem}");
    let declined = provider.act(&id, "decline-direct", Some("排期已满")).await;
    assert!(declined.is_err() || declined.as_ref().unwrap().state == "draft");
    let back = owner.demand(&id).await.unwrap();
    assert_eq!(back.state, "draft");
    assert!(back.feedback.unwrap().contains("排期已满"));
    owner.act(&id, "submit", None).await.unwrap();
    staff.act(&id, "approve", None).await.unwrap();
    provider.act(&id, "accept-direct", None).await.unwrap();
    let order_id = owner.demand(&id).await.unwrap().order_id.unwrap();
    fund(&app, &owner, &order_id).await;
    provider
        .deliver(&order_id, &delivery("申请已受理"))
        .await
        .unwrap();
    let done = owner.accept(&order_id).await.unwrap();
    assert_eq!(done.state, "completed");
    assert_eq!(done.amount_fen, 800_000);
    provider
        .evaluate(
            &order_id,
            &Evaluation {
                communication: Some(2),
                payment: Some(1),
                ..Default::default()
            },
        )
        .await
        .unwrap();
}

async fn restrictions_and_refusals(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut t = tokens(&app, &["enterprise", "provider", "admin", "backer"]).await;
    more_providers(&app, &mut t).await;
    let c = client(&app).await;
    let (owner, provider, staff, lanzhou) = (
        c.crowdsourcing(&t["enterprise"]),
        c.crowdsourcing(&t["provider"]),
        c.crowdsourcing(&t["admin"]),
        c.crowdsourcing(&t["lanzhou"]),
    );
    let proposal = Proposal {
        approach: "方案".into(),
        price: "1000.00".into(),
        duration_days: 10,
        attachments: Vec::new(),
    };
    let id = listed(&app, &owner, &staff, &draft(&app, "tender", "1.00")).await;
    // A provider outside the region is refused, the restriction named.
    let (status, problem) = refused(lanzhou.respond(&id, &proposal).await);
    assert_eq!(
        (status, problem["restriction"].as_str()),
        (403, Some("region"))
    );
    // An industry restriction the provider does not meet.
    let mut narrow = draft(&app, "tender", "1.00");
    narrow.industries = vec!["C39".into()];
    let narrow = listed(&app, &owner, &staff, &narrow).await;
    let (status, problem) = refused(provider.respond(&narrow, &proposal).await);
    assert_eq!(
        (status, problem["restriction"].as_str()),
        (403, Some("industry"))
    );
    // Roles and states.
    let (status, problem) = refused(provider.act(&id, "approve", None).await);
    assert_eq!(status, 409);
    assert_eq!(problem["current_state"], "listed");
    let (status, _) = refused(owner.respond(&id, &proposal).await);
    assert_eq!(status, 409, "the owner does not answer its own demand");
    let (status, _) = refused(owner.act(&id, "return", None).await);
    assert_eq!(status, 409);
    let (status, _) = refused(staff.act(&id, "reject", None).await);
    assert_eq!(status, 409, "a listed demand is past review");
    let (status, _) = refused(
        c.crowdsourcing(&t["backer"])
            .create_demand(&draft(&app, "tender", "1.00"))
            .await,
    );
    assert_eq!(status, 403, "a backer has no crowdsourcing scope");
    // Bad input changes nothing.
    let before = owner
        .demands(&[("mine", "true"), ("limit", "100")])
        .await
        .unwrap()
        .len();
    let mut bad = draft(&app, "tender", "-1");
    let (status, _) = refused(owner.create_demand(&bad).await);
    assert_eq!(status, 400);
    bad.fee = "1.00".into();
    bad.regions = vec!["64".into()];
    let (status, _) = refused(owner.create_demand(&bad).await);
    assert_eq!(status, 400);
    bad.regions = Vec::new();
    bad.expiry_date = "2001-01-01".into();
    let (status, _) = refused(owner.create_demand(&bad).await);
    assert_eq!(status, 400);
    bad.expiry_date = draft(&app, "tender", "1").expiry_date;
    bad.charger_mobile = Some("not a phone".into());
    let (status, problem) = refused(owner.create_demand(&bad).await);
    assert_eq!(status, 422, "the 5.4 record's rules refuse it: {problem}");
    let mine = owner
        .demands(&[("mine", "true"), ("limit", "100")])
        .await
        .unwrap();
    assert_eq!(mine.len(), before, "nothing was stored");

    // Rework to the limit.
    let order = funded_tender(&app, &owner, &staff, &provider, "1000.00").await;
    for round in 1..=3 {
        provider
            .deliver(&order.id, &delivery("稿件"))
            .await
            .unwrap();
        let sent_back = owner
            .rework(&order.id, &format!("第 {round} 次返工"))
            .await
            .unwrap();
        assert_eq!(sent_back.rework_rounds, round);
    }
    provider
        .deliver(&order.id, &delivery("第四稿"))
        .await
        .unwrap();
    let (status, problem) = refused(owner.rework(&order.id, "再改").await);
    assert_eq!(status, 409);
    assert_eq!(problem["current_state"], "delivered");
    assert_eq!(
        problem["allowed_actions"],
        json!(["accept", "open_dispute", "apply_subsidy"])
    );
    let (status, _) = refused(owner.rework(&order.id, "").await);
    assert_eq!(status, 400, "a reason is required");
    // Deletion after a deal is refused.
    let order = owner.order(&order.id).await.unwrap();
    let (status, problem) = refused(
        owner
            .act(&order.demand_id, "request-deletion", Some("不做了"))
            .await,
    );
    assert_eq!(status, 409, "{problem}");
    // Attachments: only the two sides see them; an outsider's download is not found.
    let attachment = provider
        .upload(&order.id, "a.txt", "text/plain", b"hello".to_vec())
        .await
        .unwrap();
    let response = app
        .client
        .get(app.url(&format!("/api/crowdsourcing/attachments/{}", attachment.id)))
        .bearer_auth(&t["lanzhou"])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let response = app
        .client
        .get(app.url(&format!("/api/crowdsourcing/attachments/{}", attachment.id)))
        .bearer_auth(&t["enterprise"])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment"),
        "a download, never shown inline"
    );
    assert_eq!(response.bytes().await.unwrap().as_ref(), b"hello");
}

async fn changes_and_deletions_are_re_reviewed(backend: Backend) {
    let app = spawn_app(backend).await;
    let t = tokens(&app, &["enterprise", "provider", "admin"]).await;
    let c = client(&app).await;
    let (owner, provider, staff) = (
        c.crowdsourcing(&t["enterprise"]),
        c.crowdsourcing(&t["provider"]),
        c.crowdsourcing(&t["admin"]),
    );
    let id = listed(&app, &owner, &staff, &draft(&app, "tender", "1.00")).await;
    provider
        .respond(
            &id,
            &Proposal {
                approach: "方案".into(),
                price: "9000.00".into(),
                duration_days: 20,
                attachments: Vec::new(),
            },
        )
        .await
        .unwrap();
    let mut change = draft(&app, "tender", "1.20");
    change.cycle_days = 25;
    let pending = owner.update_demand(&id, &change).await.unwrap();
    assert_eq!(
        pending.fee_fen, 1_000_000,
        "the listed demand stays as it was until confirmed"
    );
    assert!(pending.pending_change.is_some());
    let (status, _) = refused(owner.update_demand(&id, &change).await);
    assert_eq!(status, 409, "one change at a time");
    let queue = staff.review_queue().await.unwrap();
    assert!(
        queue["demands"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["id"] == id)
    );
    let confirmed = staff.act(&id, "confirm-change", None).await.unwrap();
    assert_eq!((confirmed.fee_fen, confirmed.cycle_days), (1_200_000, 25));
    assert!(confirmed.pending_change.is_none());
    let told = number(
        &app,
        "SELECT COUNT(*) FROM inbox_messages WHERE topic = 'demand.changed'",
        &[],
    )
    .await;
    assert_eq!(told, 1, "the provider who responded is told");
    // A refused change leaves the demand as it was.
    change.fee = "9.00".into();
    owner.update_demand(&id, &change).await.unwrap();
    let refused_change = staff
        .act(&id, "refuse-change", Some("预算变化过大"))
        .await
        .unwrap();
    assert_eq!(refused_change.fee_fen, 1_200_000);
    // Deletion: requested, re-reviewed, done; the responses close.
    let (status, _) = refused(owner.act(&id, "request-deletion", None).await);
    assert_eq!(status, 400, "a deletion needs a reason");
    owner
        .act(&id, "request-deletion", Some("项目取消"))
        .await
        .unwrap();
    let gone = staff.act(&id, "confirm-deletion", None).await.unwrap();
    assert_eq!(gone.state, "deleted");
    assert!(provider.demand(&id).await.is_err(), "gone from the portal");
    // A draft is deleted at once.
    let draft_demand = owner
        .create_demand(&draft(&app, "tender", "1.00"))
        .await
        .unwrap();
    assert_eq!(
        owner
            .act(&draft_demand.id, "delete", None)
            .await
            .unwrap()
            .state,
        "deleted"
    );
    // A reward demand deleted while listed gives its held fee back.
    let reward = listed(&app, &owner, &staff, &draft(&app, "reward", "0.10")).await;
    owner
        .act(&reward, "request-deletion", Some("改用招标"))
        .await
        .unwrap();
    staff.act(&reward, "confirm-deletion", None).await.unwrap();
    let escrow = owner.demand(&reward).await.unwrap().escrow.unwrap();
    assert_eq!((escrow.refunded_fen, escrow.held_fen), (100_000, 0));
    // Expiry: a listed demand past its date closes.
    let expiring = listed(&app, &owner, &staff, &draft(&app, "tender", "1.00")).await;
    app.clock.advance(61 * 86_400);
    let t = relogin(&app, &["enterprise", "admin"]).await;
    let (owner, staff) = (
        c.crowdsourcing(&t["enterprise"]),
        c.crowdsourcing(&t["admin"]),
    );
    let (_, expired) = staff.run_scheduler().await.unwrap();
    assert!(expired >= 1);
    assert_eq!(owner.demand(&expiring).await.unwrap().state, "expired");
}

async fn disputes_in_each_outcome_and_money_is_conserved(backend: Backend) {
    let app = spawn_app(backend).await;
    let t = tokens(&app, &["enterprise", "provider", "admin"]).await;
    let c = client(&app).await;
    let (owner, provider, staff) = (
        c.crowdsourcing(&t["enterprise"]),
        c.crowdsourcing(&t["provider"]),
        c.crowdsourcing(&t["admin"]),
    );
    // Release: opened by the provider after silence would be too long to wait for.
    let released = funded_tender(&app, &owner, &staff, &provider, "1000.00").await;
    provider
        .deliver(&released.id, &delivery("成稿"))
        .await
        .unwrap();
    let disputed = provider
        .open_dispute(&released.id, "发包方不验收也不答复", "聊天记录截图链接")
        .await
        .unwrap();
    assert_eq!(disputed.state, "disputed");
    assert!(
        disputed.auto_accept_at.is_none(),
        "silence waits for the decision"
    );
    let (status, _) = refused(provider.answer_dispute(&released.id, "自己答复自己").await);
    assert_eq!(status, 409);
    owner
        .answer_dispute(&released.id, "稿件质量不达标")
        .await
        .unwrap();
    let (status, _) = refused(
        owner
            .decide_dispute(&released.id, "release", None, None)
            .await,
    );
    assert_eq!(status, 403, "staff decide");
    let decided = staff
        .decide_dispute(&released.id, "release", None, Some("交付物符合约定"))
        .await
        .unwrap();
    assert_eq!(decided.state, "completed");
    // Partial refund: opened by the enterprise during the work.
    let partial = funded_tender(&app, &owner, &staff, &provider, "2000.00").await;
    owner
        .open_dispute(&partial.id, "进度严重滞后", "")
        .await
        .unwrap();
    let (status, _) = refused(
        staff
            .decide_dispute(&partial.id, "partial_refund", Some("2000.00"), None)
            .await,
    );
    assert_eq!(status, 400, "a partial refund is less than the whole");
    let decided = staff
        .decide_dispute(
            &partial.id,
            "partial_refund",
            Some("500.00"),
            Some("按完成度"),
        )
        .await
        .unwrap();
    assert_eq!(decided.state, "partially_refunded");
    // Full refund.
    let full = funded_tender(&app, &owner, &staff, &provider, "3000.00").await;
    owner
        .open_dispute(&full.id, "接包方失联", "")
        .await
        .unwrap();
    let decided = staff
        .decide_dispute(&full.id, "full_refund", None, None)
        .await
        .unwrap();
    assert_eq!(decided.state, "refunded");
    // An accepted one and an unpaid cancelled one complete the mix.
    let accepted = funded_tender(&app, &owner, &staff, &provider, "4000.00").await;
    provider
        .deliver(&accepted.id, &delivery("成稿"))
        .await
        .unwrap();
    owner.accept(&accepted.id).await.unwrap();
    let id = listed(&app, &owner, &staff, &draft(&app, "tender", "1.00")).await;
    let r = provider
        .respond(
            &id,
            &Proposal {
                approach: "x".into(),
                price: "100.00".into(),
                duration_days: 1,
                attachments: Vec::new(),
            },
        )
        .await
        .unwrap();
    let cancelled = owner.select(&r.id).await.unwrap();
    assert_eq!(
        provider
            .cancel(&cancelled.id, Some("无法按期"))
            .await
            .unwrap()
            .state,
        "cancelled"
    );

    // For every escrow: paid = released + refunded + held; the ledger of moves agrees; and
    // what the sandbox refunded is what the escrows say was refunded.
    let rows: Vec<(String, i64, i64, i64, i64)> = idp::with_pool!(&app.db, pool => {
        sqlx::query_as(
            "SELECT id, paid_fen, released_fen, refunded_fen, paid_fen - released_fen - refunded_fen FROM cs_escrows WHERE state <> 'pending' AND order_id IS NOT NULL",
        )
        .fetch_all(pool)
        .await
        .unwrap()
    });
    assert!(rows.len() >= 4);
    let expected: HashMap<&str, (i64, i64)> = HashMap::from([
        (released.id.as_str(), (100_000, 0)),
        (partial.id.as_str(), (150_000, 50_000)),
        (full.id.as_str(), (0, 300_000)),
        (accepted.id.as_str(), (400_000, 0)),
    ]);
    for (escrow, paid, released_fen, refunded, held) in &rows {
        assert_eq!(*paid, released_fen + refunded + held, "{escrow}");
        assert_eq!(*held, 0, "every order of the mix is settled: {escrow}");
        for kind in ["paid", "released", "refunded"] {
            let moved = number(&app, "SELECT CAST(COALESCE(SUM(amount_fen), 0) AS BIGINT) FROM cs_escrow_moves WHERE escrow_id = $1 AND kind = $2", &[escrow, kind]).await;
            let stated = match kind {
                "paid" => *paid,
                "released" => *released_fen,
                _ => *refunded,
            };
            assert_eq!(moved, stated, "{escrow} {kind}");
        }
        let sandbox = number(&app, "SELECT CAST(COALESCE(SUM(amount_fen), 0) AS BIGINT) FROM payment_sandbox_ledger WHERE order_id = $1 AND kind = 'refund'", &[escrow]).await;
        assert_eq!(sandbox, *refunded, "{escrow}");
    }
    for (order, (want_released, want_refunded)) in expected {
        let escrow = owner.order(order).await.unwrap().escrow.unwrap();
        assert_eq!(
            (escrow.released_fen, escrow.refunded_fen),
            (want_released, want_refunded),
            "{order}"
        );
    }
    let audit = owner.audit(&full.demand_id).await.unwrap();
    for action in ["open_dispute", "decide", "full_refund", "refund"] {
        assert!(
            audit.iter().any(|e| e["action"] == action),
            "{action}: {audit:?}"
        );
    }
}

async fn the_subsidy_budget_is_never_overspent(backend: Backend) {
    // A budget for exactly ten subsidies of 500 元 (half of 1,000 元 orders).
    let app = spawn_app_with(backend, |s| {
        s.platforms.insert(
            "crowdsourcing".into(),
            json!({"subsidy_budget_yuan": 5000, "subsidy_cap_yuan": 1_000_000}),
        );
    })
    .await;
    let t = tokens(&app, &["enterprise", "provider", "admin"]).await;
    let c = client(&app).await;
    let (owner, provider, staff) = (
        c.crowdsourcing(&t["enterprise"]),
        c.crowdsourcing(&t["provider"]),
        c.crowdsourcing(&t["admin"]),
    );
    let patent = owner.products(Some("ZSCQ"), None).await.unwrap().remove(0);
    let one = |_: usize| {
        let (owner, provider, staff) = (&owner, &provider, &staff);
        let mut direct = draft(&app, "direct", "0.10");
        direct.service_class = "ZSCQ".into();
        direct.direct_product_id = Some(patent.id.clone());
        async move {
            let demand = owner.create_demand(&direct).await.unwrap();
            owner.act(&demand.id, "submit", None).await.unwrap();
            staff.act(&demand.id, "approve", None).await.unwrap();
            let dealt = provider
                .act(&demand.id, "accept-direct", None)
                .await
                .unwrap();
            let order = owner.demand(&dealt.id).await.unwrap().order_id.unwrap();
            owner.apply_subsidy(&order).await.unwrap();
            order
        }
    };
    let mut orders = Vec::new();
    for chunk in 0..10 {
        orders.extend(futures_join((0..10).map(|i| one(chunk * 10 + i))).await);
    }
    assert_eq!(orders.len(), 100);
    let outcomes = futures_join(orders.iter().map(|o| staff.decide_subsidy(o, true, None))).await;
    let approved = outcomes.iter().filter(|r| r.is_ok()).count();
    assert_eq!(approved, 10, "exactly ten fit the budget");
    for refused_one in outcomes.into_iter().filter(|r| r.is_err()) {
        let (status, problem) = refused(refused_one);
        assert_eq!((status, problem["limit"].as_str()), (409, Some("budget")));
    }
    let stats = staff.statistics(true).await.unwrap();
    assert_eq!(stats["budget"]["granted_fen"], 500_000);
    assert_eq!(stats["budget"]["left_fen"], 0);
    assert_eq!(stats["subsidies_granted"], 10);
}

/// Runs futures concurrently on this task and collects their outputs in order.
async fn futures_join<F: std::future::Future>(
    futures: impl IntoIterator<Item = F>,
) -> Vec<F::Output> {
    let handles: Vec<_> = futures.into_iter().collect();
    let mut set = Vec::with_capacity(handles.len());
    for f in handles {
        set.push(Box::pin(f));
    }
    let mut out = Vec::with_capacity(set.len());
    // join_all without another dependency: poll them all together.
    let all = std::future::poll_fn(move |cx| {
        let mut pending = false;
        for (i, f) in set.iter_mut().enumerate() {
            if out.len() <= i {
                out.push(None);
            }
            if out[i].is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => out[i] = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(
                std::mem::take(&mut out)
                    .into_iter()
                    .map(|v| v.expect("ready"))
                    .collect::<Vec<_>>(),
            )
        }
    });
    all.await
}

async fn statistics_pages_and_exports(backend: Backend) {
    let app = spawn_app(backend).await;
    let t = tokens(&app, &["enterprise", "provider", "admin"]).await;
    let c = client(&app).await;
    let (owner, provider, staff) = (
        c.crowdsourcing(&t["enterprise"]),
        c.crowdsourcing(&t["provider"]),
        c.crowdsourcing(&t["admin"]),
    );
    let order = funded_tender(&app, &owner, &staff, &provider, "1000.00").await;
    provider
        .deliver(&order.id, &delivery("成稿"))
        .await
        .unwrap();
    owner.rework(&order.id, "再改一版").await.unwrap();
    let stats = staff.statistics(true).await.unwrap();
    assert!(
        stats["demands_by_state"]
            .as_array()
            .unwrap()
            .iter()
            .any(|b| b["key"] == "listed"),
        "the demo demands: {stats}"
    );
    assert_eq!(stats["rates"]["rework_rate"], 1.0);
    assert_eq!(stats["orders_by_region"][0]["key"], "640100");
    let (status, _) = refused(owner.statistics(true).await);
    assert_eq!(status, 403);

    let admin = app.demo_browser("admin").await;
    let page = page_text(&admin, app.url("/console/crowdsourcing/statistics?fresh=1")).await;
    assert!(page.contains("统计时间"), "the page says when it counted");
    assert!(
        page.contains("业务众包数据统计") && page.contains("/static/echarts.min.js"),
        "{page}"
    );
    let data = page
        .split_once("id=\"statistics\">")
        .and_then(|(_, rest)| rest.split_once("</script>"))
        .map(|(json, _)| json)
        .unwrap();
    assert!(!data.contains('<'), "the data cannot close its element");
    let data: Value = serde_json::from_str(data).unwrap();
    assert_eq!(data["rates"]["rework_rate"], 1.0);
    let script = admin
        .get(app.url("/static/echarts.min.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(script.status(), 200);
    assert!(script.text().await.unwrap().contains("echarts"));
    let csv = admin
        .get(app.url("/console/crowdsourcing/statistics.csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), 200);
    let text = csv.text().await.unwrap();
    assert!(
        text.contains("section,key,label,count,amount_yuan") && text.contains("rework_rate"),
        "{text}"
    );
    let xlsx = admin
        .get(app.url("/console/crowdsourcing/statistics.xlsx"))
        .send()
        .await
        .unwrap();
    assert_eq!(xlsx.status(), 200);
    assert!(xlsx.bytes().await.unwrap().starts_with(b"PK"));
    let enterprise = app.demo_browser("enterprise").await;
    let response = enterprise
        .get(app.url("/console/crowdsourcing/statistics"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403, "staff only");

    // The review page: a submitted demand approved from the console.
    let demand = owner
        .create_demand(&draft(&app, "tender", "2.00"))
        .await
        .unwrap();
    owner.act(&demand.id, "submit", None).await.unwrap();
    let page = page_text(&admin, app.url("/console/crowdsourcing")).await;
    assert!(page.contains(&demand.id), "{page}");
    let decided = admin
        .post(app.url(&format!("/console/crowdsourcing/demands/{}", demand.id)))
        .form(&[
            ("csrf_token", hidden_field(&page, "csrf_token").as_str()),
            ("decision", "approve"),
            ("reason", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(decided.status(), 303);
    assert_eq!(owner.demand(&demand.id).await.unwrap().state, "listed");
}

async fn attachments_are_bounded(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.platforms.insert(
            "crowdsourcing".into(),
            json!({"max_attachment_bytes": 1024}),
        );
    })
    .await;
    let t = tokens(&app, &["enterprise", "provider", "admin"]).await;
    let c = client(&app).await;
    let (owner, provider, staff) = (
        c.crowdsourcing(&t["enterprise"]),
        c.crowdsourcing(&t["provider"]),
        c.crowdsourcing(&t["admin"]),
    );
    let order = funded_tender(&app, &owner, &staff, &provider, "1000.00").await;
    let (status, problem) = refused(
        provider
            .upload(
                &order.id,
                "big.bin",
                "application/octet-stream",
                vec![7; 1025],
            )
            .await,
    );
    assert_eq!((status, problem["limit_bytes"].as_i64()), (413, Some(1024)));
    provider
        .upload(
            &order.id,
            "ok.bin",
            "application/octet-stream",
            vec![7; 1024],
        )
        .await
        .unwrap();
    let (status, _) = refused(
        provider
            .upload(&order.id, "../etc/passwd", "text/plain", b"x".to_vec())
            .await,
    );
    assert_eq!(status, 400);
}

backend_tests!(
    a_tender_job_from_publication_to_evaluation,
    a_reward_job_and_a_direct_job,
    restrictions_and_refusals,
    changes_and_deletions_are_re_reviewed,
    disputes_in_each_outcome_and_money_is_conserved,
    the_subsidy_budget_is_never_overspent,
    statistics_pages_and_exports,
    attachments_are_bounded,
);
