//! The product crowdfunding platform over its API: every transition and refusal, a campaign to
//! success with payment, fulfilment, evaluation and a voucher, one to failure with automatic
//! refunds, and no overselling under concurrency, on both databases.

use std::collections::HashMap;

use integration_tests::{Backend, TestApp, backend_tests, hidden_field, page_text, spawn_app};
use nx_sdk::Client;
use serde_json::{Value, json};

const REDIRECT: &str = "http://127.0.0.1:9/cf-callback";

/// Access tokens with the `crowdfunding` scope for the demo users, through the login pages;
/// administrators' tokens also carry the staff scope.
async fn tokens(app: &TestApp, users: &[&str]) -> HashMap<String, String> {
    app.load_demo().await;
    // Staff powers come with the staff scope, which the roles narrow to administrators.
    tokens_through(
        app,
        "openid profile crowdfunding crowdfunding:staff",
        &["openid", "crowdfunding", "crowdfunding:staff"],
        users,
    )
    .await
}

/// Signs `users` in through a new client registered for `client_scope`, asking for `requested`.
pub(crate) async fn tokens_through(
    app: &TestApp,
    client_scope: &str,
    requested: &[&str],
    users: &[&str],
) -> HashMap<String, String> {
    let registered = app
        .register_client(idp::oauth::clients::ClientSpec {
            name: "众筹测试应用".into(),
            redirect_uris: vec![REDIRECT.into()],
            scope: client_scope.into(),
            ..Default::default()
        })
        .await;
    let client = Client::discover(
        &app.address,
        &registered.client_id,
        registered.client_secret.clone(),
    )
    .await
    .unwrap()
    .with_redirect_uri(REDIRECT)
    .unwrap();
    let mut out = HashMap::new();
    for user in users {
        let request = client.authorize_url(requested);
        let (code, _) = crate::sdk::sign_in_through_pages(app, request.url.as_str(), user).await;
        let login = client
            .exchange_code(&code, request.pkce_verifier, &request.nonce)
            .await
            .unwrap();
        out.insert((*user).to_owned(), login.tokens.access_token);
    }
    out
}

pub(crate) async fn call(
    app: &TestApp,
    method: &str,
    token: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = match method {
        "GET" => app.client.get(app.url(path)),
        "PUT" => app.client.put(app.url(path)),
        _ => app.client.post(app.url(path)),
    }
    .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

pub(crate) fn draft(limit: Option<i64>) -> Value {
    json!({
        "title": "枸杞色智能手环",
        "category": "智能穿戴",
        "summary": "记录睡眠与运动",
        "intro": "一款为宁夏户外爱好者设计的手环",
        "tags": "智能穿戴",
        "link_name": "李经理",
        "link_mobile": "13800000001",
        "crowd_amount": "0.10",
        "duration_days": 30,
        "rewards": [
            {"reward_amount": "199.00", "brief": "早鸟价", "content": "手环一只", "limit": limit, "express_fee": "10.00", "reback_days": 15},
            {"reward_amount": "999.00", "brief": "团购", "content": "手环六只", "reback_days": 20}
        ]
    })
}

fn order_body(reward_id: &str, copies: i64) -> Value {
    json!({
        "reward_id": reward_id, "copies": copies,
        "buyer_name": "赵女士", "buyer_link_name": "赵女士", "buyer_link_mobile": "13900000000",
        "delivery_user_name": "赵女士", "delivery_user_phone": "13900000000",
        "delivery_address": "银川市兴庆区文化街 1 号"
    })
}

/// A project approved and listed; returns its id and first reward.
async fn listed_project(
    app: &TestApp,
    t: &HashMap<String, String>,
    limit: Option<i64>,
) -> (String, String) {
    let (status, body) = call(
        app,
        "POST",
        &t["enterprise"],
        "/api/crowdfunding/projects",
        Some(draft(limit)),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_str().unwrap().to_owned();
    let reward = body["rewards"][0]["id"].as_str().unwrap().to_owned();
    let (status, body) = call(
        app,
        "POST",
        &t["enterprise"],
        &format!("/api/crowdfunding/projects/{id}/actions/submit"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = call(
        app,
        "POST",
        &t["admin"],
        &format!("/api/crowdfunding/projects/{id}/actions/approve"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["state"], "listed");
    (id, reward)
}

/// Backs a reward and pays on the sandbox page as a payer would; waits for the verified
/// notification to mark the order paid.
pub(crate) async fn back_and_pay(
    app: &TestApp,
    token: &str,
    project: &str,
    reward: &str,
    copies: i64,
) -> String {
    let (status, body) = call(
        app,
        "POST",
        token,
        &format!("/api/crowdfunding/projects/{project}/orders"),
        Some(order_body(reward, copies)),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let order = body["order"]["id"].as_str().unwrap().to_owned();
    assert_eq!(body["order"]["state"], "pending");
    let pay_url = body["payment"]["pay_url"].as_str().unwrap().to_owned();
    let payer = app.new_browser();
    let response = payer.get(app.url(&pay_url)).send().await.unwrap();
    assert_eq!(
        response.headers()["x-frame-options"],
        "DENY",
        "the pay page is never framed"
    );
    let page = response.text().await.unwrap();
    assert!(page.contains("确认支付"), "{page}");
    let confirmed = payer
        .post(app.url(&pay_url))
        .form(&[("csrf_token", hidden_field(&page, "csrf_token").as_str())])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(confirmed.contains("已付款"), "{confirmed}");
    for _ in 0..100 {
        let (_, o) = call(
            app,
            "GET",
            token,
            &format!("/api/crowdfunding/orders/{order}"),
            None,
        )
        .await;
        if o["state"] == "paid" {
            return order;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("order {order} was never paid");
}

async fn a_campaign_succeeds_is_fulfilled_evaluated_and_subsidised(backend: Backend) {
    let app = spawn_app(backend).await;
    let t = tokens(&app, &["enterprise", "admin", "backer"]).await;
    let (status, body) = call(
        &app,
        "POST",
        &t["enterprise"],
        "/api/crowdfunding/projects",
        Some(draft(Some(50))),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["state"], "draft");
    let id = body["id"].as_str().unwrap().to_owned();
    let base = format!("/api/crowdfunding/projects/{id}");

    // Edit the draft, submit, be returned with feedback, fix, resubmit, be approved.
    let mut edited = draft(Some(50));
    edited["summary"] = json!("记录睡眠、运动与心率");
    let (status, body) = call(&app, "PUT", &t["enterprise"], &base, Some(edited)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["summary"], "记录睡眠、运动与心率");
    call(
        &app,
        "POST",
        &t["enterprise"],
        &format!("{base}/actions/submit"),
        None,
    )
    .await;
    let (status, body) = call(
        &app,
        "POST",
        &t["admin"],
        &format!("{base}/actions/return"),
        Some(json!({"reason": "请补充产品实物照片"})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (body["state"].as_str(), body["feedback"].as_str()),
        (Some("draft"), Some("请补充产品实物照片"))
    );
    call(
        &app,
        "POST",
        &t["enterprise"],
        &format!("{base}/actions/submit"),
        None,
    )
    .await;
    let (_, body) = call(
        &app,
        "POST",
        &t["admin"],
        &format!("{base}/actions/approve"),
        None,
    )
    .await;
    assert_eq!(body["state"], "listed");
    assert_eq!(body["progress"]["days_left"], 30);
    let reward = body["rewards"][0]["id"].as_str().unwrap().to_owned();

    // Listed projects are browsable by category and ranking.
    let (_, list) = call(
        &app,
        "GET",
        &t["backer"],
        "/api/crowdfunding/projects?category=智能穿戴&sort=ending_soon",
        None,
    )
    .await;
    assert_eq!(list["items"][0]["id"], id.as_str());
    let (_, none) = call(
        &app,
        "GET",
        &t["backer"],
        "/api/crowdfunding/projects?category=电视电影",
        None,
    )
    .await;
    assert_eq!(none["items"], json!([]));

    // A backer backs two copies and pays; the total is 2 × 199 + 10 = 408 元.
    let order = back_and_pay(&app, &t["backer"], &id, &reward, 2).await;
    let (_, view) = call(&app, "GET", &t["backer"], &base, None).await;
    assert_eq!(view["progress"]["raised_yuan"], "408.00");
    assert_eq!(view["progress"]["backers"], 1);
    assert_eq!(view["progress"]["percent"], 40);
    assert_eq!(view["rewards"][0]["backers"], 1);
    assert_eq!(view["rewards"][0]["left"], 48);
    let order2 = back_and_pay(&app, &t["backer"], &id, &reward, 3).await;

    // The period ends; the scheduler closes it as a success.
    app.clock.advance(31 * 86_400);
    // A month later the morning's tokens have long expired: everyone signs in again.
    let t = tokens(&app, &["enterprise", "admin", "backer"]).await;
    let (status, body) = call(
        &app,
        "POST",
        &t["admin"],
        "/api/crowdfunding/scheduler/run",
        None,
    )
    .await;
    assert_eq!((status, body["closed"].as_u64()), (200, Some(1)));
    let (_, view) = call(&app, "GET", &t["enterprise"], &base, None).await;
    assert_eq!(view["state"], "succeeded");
    assert_eq!(view["progress"]["raised_yuan"], "1015.00");

    // Fulfilment, then the backer's evaluation.
    let (status, body) = call(
        &app,
        "POST",
        &t["backer"],
        &format!("/api/crowdfunding/orders/{order}/evaluation"),
        Some(json!({"evaluation": 1})),
    )
    .await;
    assert_eq!(status, 400, "not delivered yet: {body}");
    let (status, body) = call(&app, "POST", &t["enterprise"], &format!("/api/crowdfunding/orders/{order}/delivery"),
        Some(json!({"delivery_date": "2027-01-05", "delivery_type": "顺丰", "delivery_no": "SF1234567890"}))).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = call(
        &app,
        "POST",
        &t["backer"],
        &format!("/api/crowdfunding/orders/{order}/evaluation"),
        Some(json!({"evaluation": 1, "remark": "做工很好"})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = call(
        &app,
        "POST",
        &t["enterprise"],
        &format!("/api/crowdfunding/orders/{order2}/evaluation"),
        Some(json!({"evaluation": 5})),
    )
    .await;
    assert_eq!(status, 403, "only the backer evaluates");

    // The order is its catalogue record (4.3), from the workflow.
    let (status, record) = call(
        &app,
        "GET",
        &t["admin"],
        &format!("/api/catalogue/crowdfunding-order/{order}"),
        None,
    )
    .await;
    assert_eq!(status, 403, "the crowdfunding token has no catalogue scope");
    let admin_catalogue = app.admin_token().await;
    let (status, record) = {
        let _ = record;
        call(
            &app,
            "GET",
            &admin_catalogue,
            &format!("/api/catalogue/crowdfunding-order/{order}"),
            None,
        )
        .await
    };
    assert_eq!(status, 200, "{record}");
    assert_eq!(record["current"]["source"], "workflow");
    assert_eq!(record["current"]["record"]["ORDER_AMOUNT"], "408.00");
    assert_eq!(record["current"]["record"]["EVALUATION"], "1");
    assert_eq!(record["current"]["record"]["DELIVERY_NO"], "SF1234567890");
    let (_, project_record) = call(
        &app,
        "GET",
        &admin_catalogue,
        &format!("/api/catalogue/crowdfunding-project/{id}"),
        None,
    )
    .await;
    assert_eq!(project_record["current"]["record"]["CROWD_AMOUNT"], "0.10");

    // An innovation voucher: 10 % of the amount raised.
    let (status, body) = call(
        &app,
        "POST",
        &t["enterprise"],
        &format!("{base}/subsidy"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["voucher"]["state"], "applied");
    assert_eq!(body["voucher"]["amount_yuan"], "101.50");
    let (status, _) = call(
        &app,
        "POST",
        &t["enterprise"],
        &format!("{base}/subsidy"),
        None,
    )
    .await;
    assert_eq!(status, 409, "one application per project");
    let (status, _) = call(
        &app,
        "POST",
        &t["enterprise"],
        &format!("{base}/subsidy/approve"),
        None,
    )
    .await;
    assert_eq!(status, 403);
    let (_, body) = call(
        &app,
        "POST",
        &t["admin"],
        &format!("{base}/subsidy/approve"),
        None,
    )
    .await;
    assert_eq!(body["voucher"]["state"], "approved");

    // Every state change is in the audit trail.
    let (_, trail) = call(
        &app,
        "GET",
        &t["enterprise"],
        &format!("{base}/audit"),
        None,
    )
    .await;
    let actions: Vec<&str> = trail["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for expected in [
        "create",
        "edit",
        "submit",
        "return",
        "approve",
        "order",
        "paid",
        "close",
        "deliver",
        "evaluate",
        "apply_subsidy",
        "approve_subsidy",
    ] {
        assert!(
            actions.contains(&expected),
            "{expected} missing from {actions:?}"
        );
    }
    let returned = trail["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "return")
        .unwrap();
    assert_eq!(
        (
            returned["from_state"].as_str(),
            returned["to_state"].as_str()
        ),
        (Some("submitted"), Some("draft"))
    );
    assert_eq!(returned["reason"], "请补充产品实物照片");
}

async fn a_failed_campaign_refunds_every_paid_order(backend: Backend) {
    let app = spawn_app(backend).await;
    let t = tokens(&app, &["enterprise", "admin", "backer"]).await;
    let mut big = draft(None);
    big["crowd_amount"] = json!("50.00");
    let (_, body) = call(
        &app,
        "POST",
        &t["enterprise"],
        "/api/crowdfunding/projects",
        Some(big),
    )
    .await;
    let id = body["id"].as_str().unwrap().to_owned();
    let reward = body["rewards"][0]["id"].as_str().unwrap().to_owned();
    call(
        &app,
        "POST",
        &t["enterprise"],
        &format!("/api/crowdfunding/projects/{id}/actions/submit"),
        None,
    )
    .await;
    call(
        &app,
        "POST",
        &t["admin"],
        &format!("/api/crowdfunding/projects/{id}/actions/approve"),
        None,
    )
    .await;
    let first = back_and_pay(&app, &t["backer"], &id, &reward, 1).await;
    let second = back_and_pay(&app, &t["backer"], &id, &reward, 1).await;
    // An order left unpaid is cancelled at closing.
    let (_, pending) = call(
        &app,
        "POST",
        &t["backer"],
        &format!("/api/crowdfunding/projects/{id}/orders"),
        Some(order_body(&reward, 1)),
    )
    .await;
    let unpaid = pending["order"]["id"].as_str().unwrap().to_owned();

    app.clock.advance(30 * 86_400);
    let t = tokens(&app, &["enterprise", "admin", "backer"]).await;
    let (_, body) = call(
        &app,
        "POST",
        &t["admin"],
        "/api/crowdfunding/scheduler/run",
        None,
    )
    .await;
    assert_eq!(body["closed"], 1);
    let (_, view) = call(
        &app,
        "GET",
        &t["backer"],
        &format!("/api/crowdfunding/projects/{id}"),
        None,
    )
    .await;
    assert_eq!(view["state"], "failed");
    assert_eq!(
        view["progress"]["raised_yuan"], "418.00",
        "the total at closing is kept"
    );
    assert_eq!(view["progress"]["backers"], 1);
    for order in [&first, &second] {
        let (_, o) = call(
            &app,
            "GET",
            &t["backer"],
            &format!("/api/crowdfunding/orders/{order}"),
            None,
        )
        .await;
        assert_eq!(o["state"], "refunded", "{o}");
        assert!(o["refunded_at"].is_i64());
    }
    let (_, o) = call(
        &app,
        "GET",
        &t["backer"],
        &format!("/api/crowdfunding/orders/{unpaid}"),
        None,
    )
    .await;
    assert_eq!(o["state"], "cancelled");
    // Running again changes nothing.
    let (_, body) = call(
        &app,
        "POST",
        &t["admin"],
        "/api/crowdfunding/scheduler/run",
        None,
    )
    .await;
    assert_eq!(body["closed"], 0);
    let (status, body) = call(
        &app,
        "POST",
        &t["enterprise"],
        &format!("/api/crowdfunding/projects/{id}/subsidy"),
        None,
    )
    .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["current_state"], "failed");
}

async fn refused_transitions_answer_409_with_the_state_and_what_is_allowed(backend: Backend) {
    let app = spawn_app(backend).await;
    let t = tokens(&app, &["enterprise", "admin", "backer", "carrier"]).await;
    let (_, body) = call(
        &app,
        "POST",
        &t["enterprise"],
        "/api/crowdfunding/projects",
        Some(draft(None)),
    )
    .await;
    let id = body["id"].as_str().unwrap().to_owned();
    let base = format!("/api/crowdfunding/projects/{id}");
    assert_eq!(
        body["allowed_actions"],
        json!(["edit", "submit", "request_deletion"])
    );

    // Staff cannot approve a draft; the answer names the state and the staff's options.
    let (status, body) = call(
        &app,
        "POST",
        &t["admin"],
        &format!("{base}/actions/approve"),
        None,
    )
    .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["type"], "/problems/transition-not-allowed");
    assert_eq!(body["current_state"], "draft");
    assert_eq!(body["allowed_actions"], json!([]));
    // Another organisation cannot see or submit it.
    let (status, _) = call(&app, "GET", &t["carrier"], &base, None).await;
    assert_eq!(status, 404);
    let (status, _) = call(
        &app,
        "POST",
        &t["carrier"],
        &format!("{base}/actions/submit"),
        None,
    )
    .await;
    assert_eq!(status, 404, "who may act is checked before the state");
    // A backer cannot start a project.
    let (status, _) = call(
        &app,
        "POST",
        &t["backer"],
        "/api/crowdfunding/projects",
        Some(draft(None)),
    )
    .await;
    assert_eq!(status, 403);
    // Bad drafts are refused and nothing changes.
    let mut bad = draft(None);
    bad["category"] = json!("游戏");
    let (status, _) = call(&app, "PUT", &t["enterprise"], &base, Some(bad)).await;
    assert_eq!(status, 400);
    let mut bad = draft(None);
    bad["link_mobile"] = json!("call me");
    let (status, body) = call(&app, "PUT", &t["enterprise"], &base, Some(bad)).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["errors"][0]["field"], "COMP_LINK_MOBILE");
    let (_, body) = call(&app, "GET", &t["enterprise"], &base, None).await;
    assert_eq!(body["link_mobile"], "13800000001");

    // Submitted: no more edits; the return needs a reason.
    call(
        &app,
        "POST",
        &t["enterprise"],
        &format!("{base}/actions/submit"),
        None,
    )
    .await;
    let (status, body) = call(&app, "PUT", &t["enterprise"], &base, Some(draft(None))).await;
    assert_eq!(status, 409);
    assert_eq!(body["current_state"], "submitted");
    let (status, _) = call(
        &app,
        "POST",
        &t["admin"],
        &format!("{base}/actions/return"),
        None,
    )
    .await;
    assert_eq!(status, 400);
    let (status, _) = call(
        &app,
        "POST",
        &t["enterprise"],
        &format!("{base}/actions/approve"),
        None,
    )
    .await;
    assert_eq!(status, 409);
    // Not listed: nobody can back it.
    let (status, body) = call(
        &app,
        "POST",
        &t["backer"],
        &format!("{base}/orders"),
        Some(order_body(&format!("{id}-R1"), 1)),
    )
    .await;
    assert_eq!(status, 409, "{body}");

    // Deletion: requested with a reason by the initiator, carried out by staff.
    let (status, _) = call(
        &app,
        "POST",
        &t["admin"],
        &format!("{base}/actions/delete"),
        None,
    )
    .await;
    assert_eq!(status, 409, "not requested yet");
    let (status, body) = call(
        &app,
        "POST",
        &t["enterprise"],
        &format!("{base}/actions/request-deletion"),
        Some(json!({"reason": "产品方案调整"})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["deletion_reason"], "产品方案调整");
    let (status, body) = call(
        &app,
        "POST",
        &t["admin"],
        &format!("{base}/actions/delete"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["state"], "deleted");

    // Rejection, and no deletion once someone has paid.
    let (other, reward) = listed_project(&app, &t, None).await;
    back_and_pay(&app, &t["backer"], &other, &reward, 1).await;
    let (status, body) = call(
        &app,
        "POST",
        &t["enterprise"],
        &format!("/api/crowdfunding/projects/{other}/actions/request-deletion"),
        Some(json!({"reason": "不做了"})),
    )
    .await;
    assert_eq!(status, 409);
    assert!(
        body["detail"].as_str().unwrap().contains("已有人支付"),
        "{body}"
    );
    let (_, body) = call(
        &app,
        "POST",
        &t["enterprise"],
        "/api/crowdfunding/projects",
        Some(draft(None)),
    )
    .await;
    let third = body["id"].as_str().unwrap().to_owned();
    call(
        &app,
        "POST",
        &t["enterprise"],
        &format!("/api/crowdfunding/projects/{third}/actions/submit"),
        None,
    )
    .await;
    let (_, body) = call(
        &app,
        "POST",
        &t["admin"],
        &format!("/api/crowdfunding/projects/{third}/actions/reject"),
        Some(json!({"reason": "不属于众筹范围"})),
    )
    .await;
    assert_eq!(body["state"], "rejected");
    let (status, _) = call(
        &app,
        "POST",
        &t["enterprise"],
        &format!("/api/crowdfunding/projects/{third}/actions/submit"),
        None,
    )
    .await;
    assert_eq!(status, 409);

    // A forged payment notification is refused.
    let response = app
        .client
        .post(app.url("/api/crowdfunding/payments/notify"))
        .header("x-sandbox-signature", "AAAA")
        .body(r#"{"event_id":"x","kind":"paid","order_id":"x","prepay_id":"x","transaction_id":"x","amount_fen":1}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
}

async fn a_reward_limit_is_never_oversold(backend: Backend) {
    let app = spawn_app(backend).await;
    let t = tokens(&app, &["enterprise", "admin", "backer"]).await;
    let (id, reward) = listed_project(&app, &t, Some(50)).await;
    let mut tasks = Vec::new();
    for _ in 0..200 {
        let (client, url, token, body) = (
            app.client.clone(),
            app.url(&format!("/api/crowdfunding/projects/{id}/orders")),
            t["backer"].clone(),
            order_body(&reward, 1),
        );
        tasks.push(tokio::spawn(async move {
            client
                .post(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    let mut statuses = HashMap::new();
    for task in tasks {
        *statuses.entry(task.await.unwrap()).or_insert(0) += 1;
    }
    assert_eq!(statuses.get(&201), Some(&50), "{statuses:?}");
    assert_eq!(statuses.get(&409), Some(&150), "{statuses:?}");
    let (_, view) = call(
        &app,
        "GET",
        &t["backer"],
        &format!("/api/crowdfunding/projects/{id}"),
        None,
    )
    .await;
    assert_eq!(view["rewards"][0]["left"], 0);
    let (status, body) = call(
        &app,
        "POST",
        &t["backer"],
        &format!("/api/crowdfunding/projects/{id}/orders"),
        Some(order_body(&reward, 1)),
    )
    .await;
    assert_eq!(status, 409);
    assert_eq!(body["type"], "/problems/sold-out");
}

/// Pays a pending order on the sandbox page, as the payer would.
async fn pay(app: &TestApp, pay_url: &str) {
    let payer = app.new_browser();
    let page = page_text(&payer, app.url(pay_url)).await;
    payer
        .post(app.url(pay_url))
        .form(&[("csrf_token", hidden_field(&page, "csrf_token").as_str())])
        .send()
        .await
        .unwrap();
}

async fn a_whole_campaign_through_the_sdk(backend: Backend) {
    use nx_sdk::crowdfunding::{Backing, ProjectDraft, RewardDraft};
    let app = spawn_app(backend).await;
    let t = tokens(&app, &["enterprise", "admin", "backer"]).await;
    let client = Client::discover(&app.address, "unused", None)
        .await
        .unwrap();
    let initiator = client.crowdfunding(&t["enterprise"]);
    let staff = client.crowdfunding(&t["admin"]);
    let backer = client.crowdfunding(&t["backer"]);

    let draft = ProjectDraft {
        title: "贺兰山葡萄酒文创礼盒".into(),
        category: "艺术文化".into(),
        crowd_amount: "0.05".into(),
        duration_days: 10,
        link_mobile: Some("0951-5012345".into()),
        rewards: vec![RewardDraft {
            reward_amount: "250.00".into(),
            content: "礼盒一套".into(),
            limit: Some(2),
            ..Default::default()
        }],
        ..Default::default()
    };
    let project = initiator.create(&draft).await.unwrap();
    assert_eq!(
        project.allowed_actions,
        ["edit", "submit", "request_deletion"]
    );
    initiator.act(&project.id, "submit", None).await.unwrap();
    let refused = initiator
        .act(&project.id, "approve", None)
        .await
        .unwrap_err();
    match refused {
        nx_sdk::Error::Refused {
            status: 409,
            problem,
        } => {
            assert_eq!(problem.extensions["current_state"], "submitted");
        }
        other => panic!("expected 409, got {other:?}"),
    }
    let listed = staff.act(&project.id, "approve", None).await.unwrap();
    assert_eq!(listed.state, "listed");
    assert!(
        backer
            .list(Some("艺术文化"), "newest")
            .await
            .unwrap()
            .iter()
            .any(|p| p.id == project.id)
    );

    let reward = &listed.rewards[0].id;
    let backing = Backing {
        reward_id: reward.clone(),
        copies: 2,
        buyer_name: "赵女士".into(),
        buyer_link_name: "赵女士".into(),
        buyer_link_mobile: "13900000000".into(),
        delivery_user_name: "赵女士".into(),
        delivery_user_phone: "13900000000".into(),
        delivery_address: "银川市金凤区".into(),
    };
    let placed = backer.back(&project.id, &backing).await.unwrap();
    assert_eq!(
        (placed.order.state.as_str(), placed.order.amount_fen),
        ("pending", 50_000)
    );
    let sold_out = backer.back(&project.id, &backing).await.unwrap_err();
    assert_eq!(sold_out.problem_type(), Some("/problems/sold-out"));
    pay(&app, &placed.payment.pay_url).await;
    let mut paid = false;
    for _ in 0..100 {
        if backer.order(&placed.order.id).await.unwrap().state == "paid" {
            paid = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(paid);

    app.clock.advance(10 * 86_400);
    let t = tokens(&app, &["enterprise", "admin", "backer"]).await;
    let (initiator, staff, backer) = (
        client.crowdfunding(&t["enterprise"]),
        client.crowdfunding(&t["admin"]),
        client.crowdfunding(&t["backer"]),
    );
    assert_eq!(staff.run_scheduler().await.unwrap(), 1);
    let done = initiator.project(&project.id).await.unwrap();
    assert_eq!(
        (done.state.as_str(), done.progress.percent),
        ("succeeded", 100)
    );
    initiator
        .deliver(&placed.order.id, "2027-01-10", "EMS", "EMS0001")
        .await
        .unwrap();
    let rated = backer
        .evaluate(&placed.order.id, 2, Some("包装精美"))
        .await
        .unwrap();
    assert_eq!(rated.evaluation, Some(2));
    let applied = initiator.apply_subsidy(&project.id).await.unwrap();
    assert_eq!(applied.voucher.unwrap().amount_yuan, "50.00");
    let decided = staff
        .decide_subsidy(&project.id, false, Some("额度已用完"))
        .await
        .unwrap();
    assert_eq!(decided.voucher.unwrap().state, "rejected");
    let trail = initiator.audit(&project.id).await.unwrap();
    assert!(
        trail
            .iter()
            .any(|e| e.action == "close" && e.to_state.as_deref() == Some("succeeded"))
    );
}

async fn staff_review_on_the_console_and_a_public_page_to_share(backend: Backend) {
    let app = spawn_app(backend).await;
    let t = tokens(&app, &["enterprise", "backer"]).await;
    let (_, body) = call(
        &app,
        "POST",
        &t["enterprise"],
        "/api/crowdfunding/projects",
        Some(draft(Some(5))),
    )
    .await;
    let id = body["id"].as_str().unwrap().to_owned();
    // Not shared before it is listed.
    assert_eq!(app.get(&format!("/crowdfunding/{id}")).await.status(), 404);
    call(
        &app,
        "POST",
        &t["enterprise"],
        &format!("/api/crowdfunding/projects/{id}/actions/submit"),
        None,
    )
    .await;

    let admin = app.demo_browser("admin").await;
    let page = page_text(&admin, app.url("/console/crowdfunding")).await;
    assert!(
        page.contains("枸杞色智能手环") && page.contains("待审核"),
        "{page}"
    );
    let csrf = hidden_field(&page, "csrf_token");
    let response = admin
        .post(app.url(&format!("/console/crowdfunding/{id}")))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("decision", "approve"),
            ("reason", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    // Approving twice is refused on the page, with the reason.
    let response = admin
        .post(app.url(&format!("/console/crowdfunding/{id}")))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("decision", "approve"),
            ("reason", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 409);
    let backer = app.demo_browser("backer").await;
    assert_eq!(
        backer
            .get(app.url("/console/crowdfunding"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );

    let public = app
        .get(&format!("/crowdfunding/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        public.contains(r#"<meta property="og:title" content="枸杞色智能手环">"#),
        "{public}"
    );
    assert!(public.contains(&format!(
        r#"<meta property="og:url" content="{}/crowdfunding/{id}">"#,
        app.address
    )));
    assert!(
        public.contains("<svg") && public.contains("用微信扫一扫"),
        "a QR code to share"
    );
    assert!(public.contains("众筹中") && public.contains("¥ 199.00"));
}

async fn unpaid_orders_give_their_copies_back(backend: Backend) {
    let app = spawn_app(backend).await;
    let t = tokens(&app, &["enterprise", "admin", "backer"]).await;
    let (id, reward) = listed_project(&app, &t, Some(2)).await;
    let path = format!("/api/crowdfunding/projects/{id}/orders");
    let (status, _) = call(
        &app,
        "POST",
        &t["backer"],
        &path,
        Some(order_body(&reward, 2)),
    )
    .await;
    assert_eq!(status, 201);
    let (status, _) = call(
        &app,
        "POST",
        &t["backer"],
        &path,
        Some(order_body(&reward, 1)),
    )
    .await;
    assert_eq!(
        status, 409,
        "sold out while the first order waits for payment"
    );
    // Nobody paid: after the unpaid-order limit (30 minutes) the copies are free again.
    app.clock.advance(1801);
    let t = tokens(&app, &["admin", "backer"]).await;
    let (_, body) = call(
        &app,
        "POST",
        &t["admin"],
        "/api/crowdfunding/scheduler/run",
        None,
    )
    .await;
    assert_eq!(body["released_unpaid_orders"], 1, "{body}");
    let (_, view) = call(
        &app,
        "GET",
        &t["backer"],
        &format!("/api/crowdfunding/projects/{id}"),
        None,
    )
    .await;
    assert_eq!(view["rewards"][0]["left"], 2);
    let (status, _) = call(
        &app,
        "POST",
        &t["backer"],
        &path,
        Some(order_body(&reward, 2)),
    )
    .await;
    assert_eq!(status, 201);
}

async fn projects_reported_through_the_catalogue_are_listed_read_only(backend: Backend) {
    let app = spawn_app(backend).await;
    let t = tokens(&app, &["backer"]).await;
    let token = crate::catalogue::reporter(&app, "外部众筹平台").await.token;
    let record = json!({"CROWD_ID": "EXT-CF-1", "CROWD_TITLE": "外部平台的众筹", "CROWD_AMOUNT": "5.00", "CROWD_DURATION": 30});
    let response = app
        .client
        .post(app.url("/api/catalogue/crowdfunding-project"))
        .bearer_auth(&token)
        .json(&record)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let (_, list) = call(
        &app,
        "GET",
        &t["backer"],
        "/api/crowdfunding/projects",
        None,
    )
    .await;
    let reported = &list["reported"][0];
    assert_eq!(reported["id"], "EXT-CF-1");
    assert_eq!(reported["source"], "api");
    assert_eq!(reported["read_only"], true);
    // It cannot be backed here.
    let (status, _) = call(
        &app,
        "POST",
        &t["backer"],
        "/api/crowdfunding/projects/EXT-CF-1/orders",
        Some(order_body("x", 1)),
    )
    .await;
    assert_eq!(status, 404);
}

async fn a_failed_campaign_through_the_sdk_refunds_its_backers(backend: Backend) {
    use nx_sdk::crowdfunding::{Backing, ProjectDraft, RewardDraft};
    let app = spawn_app(backend).await;
    let t = tokens(&app, &["enterprise", "admin", "backer"]).await;
    let client = Client::discover(&app.address, "unused", None)
        .await
        .unwrap();
    let backer = client.crowdfunding(&t["backer"]);
    assert_eq!(backer.categories().await.unwrap().len(), 9);
    let project = client
        .crowdfunding(&t["enterprise"])
        .create(&ProjectDraft {
            title: "沙坡头星空露营装备".into(),
            category: "出行定位".into(),
            crowd_amount: "10.00".into(),
            duration_days: 7,
            rewards: vec![RewardDraft {
                reward_amount: "300.00".into(),
                content: "帐篷一顶".into(),
                ..Default::default()
            }],
            ..Default::default()
        })
        .await
        .unwrap();
    client
        .crowdfunding(&t["enterprise"])
        .act(&project.id, "submit", None)
        .await
        .unwrap();
    client
        .crowdfunding(&t["admin"])
        .act(&project.id, "approve", None)
        .await
        .unwrap();
    let placed = backer
        .back(
            &project.id,
            &Backing {
                reward_id: project.rewards[0].id.clone(),
                copies: 1,
                buyer_name: "赵女士".into(),
                buyer_link_name: "赵女士".into(),
                buyer_link_mobile: "13900000000".into(),
                delivery_user_name: "赵女士".into(),
                delivery_user_phone: "13900000000".into(),
                delivery_address: "中卫市沙坡头区".into(),
            },
        )
        .await
        .unwrap();
    pay(&app, &placed.payment.pay_url).await;
    for _ in 0..100 {
        if backer.order(&placed.order.id).await.unwrap().state == "paid" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    app.clock.advance(7 * 86_400);
    let t = tokens(&app, &["admin", "backer"]).await;
    assert_eq!(
        client
            .crowdfunding(&t["admin"])
            .run_scheduler()
            .await
            .unwrap(),
        1
    );
    let backer = client.crowdfunding(&t["backer"]);
    assert_eq!(backer.project(&project.id).await.unwrap().state, "failed");
    assert_eq!(
        backer.order(&placed.order.id).await.unwrap().state,
        "refunded"
    );
}

backend_tests!(
    a_failed_campaign_through_the_sdk_refunds_its_backers,
    projects_reported_through_the_catalogue_are_listed_read_only,
    unpaid_orders_give_their_copies_back,
    staff_review_on_the_console_and_a_public_page_to_share,
    a_whole_campaign_through_the_sdk,
    a_campaign_succeeds_is_fulfilled_evaluated_and_subsidised,
    a_failed_campaign_refunds_every_paid_order,
    refused_transitions_answer_409_with_the_state_and_what_is_allowed,
    a_reward_limit_is_never_oversold,
    staff_powers_need_the_staff_scope_not_only_the_role,
    a_frozen_organisation_cannot_start_or_change_projects,
    covers_are_web_addresses_and_backers_see_the_public_fields,
    outsiders_are_refused_before_the_state_is_looked_at,
    two_instances_refund_every_order_of_a_failed_project_exactly_once,
);

/// Two instances on one database, their jobs ticking every 50 ms: while a third holds the
/// closing job's lease nothing closes and staff asking to settle now hear 409; once it lets go,
/// a failed project's 20 paid orders are each refunded exactly once, as the payment sandbox's
/// own statement shows.
async fn two_instances_refund_every_order_of_a_failed_project_exactly_once(backend: Backend) {
    let fast = |s: &mut idp::settings::Settings| s.jobs.interval_ms = 50;
    let a = integration_tests::spawn_app_with(backend, fast).await;
    let t = tokens(&a, &["enterprise", "admin", "backer"]).await;
    let mut big = draft(None);
    big["crowd_amount"] = json!("50.00");
    let (status, body) = call(
        &a,
        "POST",
        &t["enterprise"],
        "/api/crowdfunding/projects",
        Some(big),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_str().unwrap().to_owned();
    let reward = body["rewards"][0]["id"].as_str().unwrap().to_owned();
    for (who, action) in [("enterprise", "submit"), ("admin", "approve")] {
        let (status, body) = call(
            &a,
            "POST",
            &t[who],
            &format!("/api/crowdfunding/projects/{id}/actions/{action}"),
            None,
        )
        .await;
        assert_eq!(status, 200, "{body}");
    }
    let mut orders = Vec::new();
    for _ in 0..20 {
        orders.push(back_and_pay(&a, &t["backer"], &id, &reward, 1).await);
    }

    // A third instance is busy closing projects: it holds the lease (taken over from this
    // instance's scheduler if it happens to be running the job right now; its release only
    // removes a lease it still holds).
    idp::with_pool!(&a.db, pool => sqlx::query(
        "INSERT INTO job_leases (name, holder, expires_at) VALUES ('crowdfunding.close_due', 'instance-elsewhere', $1) ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at")
        .bind(idp::clock::Clock::now(&a.clock) + 86_400 * 365)
        .execute(pool)
        .await
        .map(|_| ()))
    .unwrap();
    let b = integration_tests::spawn_instance_like_with(&a, fast).await;
    a.clock.advance(31 * 86_400);
    b.clock.advance(31 * 86_400);
    let t = tokens(&a, &["admin"]).await;
    for app in [&a, &b] {
        let (status, body) = call(
            app,
            "POST",
            &t["admin"],
            "/api/crowdfunding/scheduler/run",
            None,
        )
        .await;
        assert_eq!(status, 409, "{body}");
    }
    // Several turns of both instances' jobs pass; the project stays open.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let (_, view) = call(
        &a,
        "GET",
        &t["admin"],
        &format!("/api/crowdfunding/projects/{id}"),
        None,
    )
    .await;
    assert_eq!(view["state"], "listed");

    // The other instance finishes; the next turn on either instance closes and refunds.
    idp::with_pool!(&a.db, pool => sqlx::query("DELETE FROM job_leases WHERE holder = 'instance-elsewhere'")
        .execute(pool)
        .await
        .map(|_| ()))
    .unwrap();
    let mut refunded = 0;
    for _ in 0..400 {
        refunded = idp::with_pool!(&a.db, pool => sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM cf_orders WHERE project_id = $1 AND state = 'refunded'")
            .bind(&id)
            .fetch_one(pool)
            .await)
        .unwrap();
        if refunded == 20 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(refunded, 20, "every paid order is refunded");
    // Both instances keep ticking for a while longer; nothing is refunded twice.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let statement: Vec<(String, i64)> = idp::with_pool!(&a.db, pool => sqlx::query_as(
        "SELECT order_id, COUNT(*) FROM payment_sandbox_ledger WHERE kind = 'refund' GROUP BY order_id ORDER BY order_id")
        .fetch_all(pool)
        .await)
    .unwrap();
    orders.sort();
    assert_eq!(
        statement,
        orders.iter().map(|o| (o.clone(), 1)).collect::<Vec<_>>(),
        "the gateway refunded each order exactly once"
    );
}

/// Another organisation's user learns nothing of a draft (404) and is refused a listed
/// project's actions without its state (403); the initiator still gets 409 with the state.
async fn outsiders_are_refused_before_the_state_is_looked_at(backend: Backend) {
    let app = spawn_app(backend).await;
    let t = tokens(&app, &["enterprise", "carrier", "admin"]).await;
    let (_, body) = call(
        &app,
        "POST",
        &t["enterprise"],
        "/api/crowdfunding/projects",
        Some(draft(None)),
    )
    .await;
    let draft_id = body["id"].as_str().unwrap().to_owned();
    for (method, path, body) in [
        (
            "PUT",
            format!("/api/crowdfunding/projects/{draft_id}"),
            Some(draft(None)),
        ),
        (
            "POST",
            format!("/api/crowdfunding/projects/{draft_id}/actions/submit"),
            None,
        ),
        (
            "POST",
            format!("/api/crowdfunding/projects/{draft_id}/actions/request-deletion"),
            Some(json!({"reason": "x"})),
        ),
    ] {
        let (status, answer) = call(&app, method, &t["carrier"], &path, body).await;
        assert_eq!(status, 404, "{method} {path}: {answer}");
        assert!(answer.get("current_state").is_none(), "{answer}");
    }
    let (listed, _) = listed_project(&app, &t, None).await;
    for action in ["request-deletion", "delete", "submit"] {
        let (status, answer) = call(
            &app,
            "POST",
            &t["carrier"],
            &format!("/api/crowdfunding/projects/{listed}/actions/{action}"),
            Some(json!({"reason": "x"})),
        )
        .await;
        assert_eq!(status, 403, "{action}: {answer}");
        assert!(answer.get("current_state").is_none(), "{answer}");
        assert!(answer.get("allowed_actions").is_none(), "{answer}");
    }
    let (status, _) = call(
        &app,
        "POST",
        &t["carrier"],
        &format!("/api/crowdfunding/projects/{listed}/subsidy"),
        None,
    )
    .await;
    assert_eq!(status, 403);
    // The initiator is told the state and what it may do instead.
    let (status, answer) = call(
        &app,
        "POST",
        &t["enterprise"],
        &format!("/api/crowdfunding/projects/{listed}/actions/submit"),
        None,
    )
    .await;
    assert_eq!(status, 409, "{answer}");
    assert_eq!(answer["current_state"], "listed");
}

/// The administrator's token through an ordinary carrier app, which may not ask for the staff
/// scope.
async fn admin_token_without_staff_scope(app: &TestApp) -> String {
    let mut tokens = tokens_through(
        app,
        "openid profile crowdfunding",
        &["openid", "crowdfunding"],
        &["admin"],
    )
    .await;
    tokens.remove("admin").unwrap()
}

async fn staff_powers_need_the_staff_scope_not_only_the_role(backend: Backend) {
    let app = spawn_app(backend).await;
    let t = tokens(&app, &["enterprise", "admin", "backer"]).await;
    let (id, reward) = listed_project(&app, &t, None).await;
    let order = back_and_pay(&app, &t["backer"], &id, &reward, 1).await;
    let plain_admin = admin_token_without_staff_scope(&app).await;

    // A second project waits for review.
    let (_, body) = call(
        &app,
        "POST",
        &t["enterprise"],
        "/api/crowdfunding/projects",
        Some(draft(None)),
    )
    .await;
    let second = body["id"].as_str().unwrap().to_owned();
    let (status, _) = call(
        &app,
        "POST",
        &t["enterprise"],
        &format!("/api/crowdfunding/projects/{second}/actions/submit"),
        None,
    )
    .await;
    assert_eq!(status, 200);

    for (method, path) in [
        (
            "POST",
            format!("/api/crowdfunding/projects/{second}/actions/reject"),
        ),
        (
            "POST",
            format!("/api/crowdfunding/projects/{second}/actions/approve"),
        ),
        ("POST", "/api/crowdfunding/scheduler/run".to_owned()),
        ("GET", format!("/api/crowdfunding/orders/{order}")),
        ("GET", format!("/api/crowdfunding/projects/{id}/audit")),
    ] {
        let (status, body) = call(
            &app,
            method,
            &plain_admin,
            &path,
            Some(json!({"reason": "不通过"})),
        )
        .await;
        assert!(
            matches!(status, 403 | 404),
            "{method} {path} without the staff scope: {status} {body}"
        );
        assert!(!body.to_string().contains("13900000000"), "{body}");
    }
    let (_, body) = call(
        &app,
        "GET",
        &t["enterprise"],
        &format!("/api/crowdfunding/projects/{second}"),
        None,
    )
    .await;
    assert_eq!(body["state"], "submitted", "nothing was decided");

    // With the staff scope the same administrator acts as staff.
    let (status, body) = call(
        &app,
        "GET",
        &t["admin"],
        &format!("/api/crowdfunding/orders/{order}"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = call(
        &app,
        "POST",
        &t["admin"],
        &format!("/api/crowdfunding/projects/{second}/actions/approve"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
}

async fn a_frozen_organisation_cannot_start_or_change_projects(backend: Backend) {
    let app = spawn_app(backend).await;
    let t = tokens(&app, &["enterprise"]).await;
    let (_, body) = call(
        &app,
        "POST",
        &t["enterprise"],
        "/api/crowdfunding/projects",
        Some(draft(None)),
    )
    .await;
    let id = body["id"].as_str().unwrap().to_owned();
    let user = idp::accounts::find_user_by_username(&app.db, "enterprise")
        .await
        .unwrap()
        .unwrap();
    let organisation = user.organisation_id.unwrap();
    let admin = app.admin_token().await;
    let response = app
        .client
        .post(app.url(&format!("/api/admin/organisations/{organisation}/freeze")))
        .bearer_auth(&admin)
        .json(&json!({"reason": "违规上报"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let projects_before = count_projects(&app).await;
    let (status, body) = call(
        &app,
        "POST",
        &t["enterprise"],
        "/api/crowdfunding/projects",
        Some(draft(None)),
    )
    .await;
    assert_eq!(status, 423, "{body}");
    assert!(
        body["detail"].as_str().unwrap().contains("违规上报"),
        "{body}"
    );
    let (status, _) = call(
        &app,
        "PUT",
        &t["enterprise"],
        &format!("/api/crowdfunding/projects/{id}"),
        Some(draft(None)),
    )
    .await;
    assert_eq!(status, 423);
    let (status, _) = call(
        &app,
        "POST",
        &t["enterprise"],
        &format!("/api/crowdfunding/projects/{id}/actions/submit"),
        None,
    )
    .await;
    assert_eq!(status, 423);
    assert_eq!(
        count_projects(&app).await,
        projects_before,
        "nothing stored"
    );
    // Reading is still allowed.
    let (status, body) = call(
        &app,
        "GET",
        &t["enterprise"],
        &format!("/api/crowdfunding/projects/{id}"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["state"], "draft");
}

async fn count_projects(app: &TestApp) -> i64 {
    let projects: i64 = idp::with_pool!(&app.db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM cf_projects").fetch_one(pool).await).unwrap();
    let records: i64 = idp::with_pool!(&app.db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM cat_crowdfunding_project").fetch_one(pool).await).unwrap();
    projects * 1000 + records
}

async fn covers_are_web_addresses_and_backers_see_the_public_fields(backend: Backend) {
    let app = spawn_app(backend).await;
    let t = tokens(&app, &["enterprise", "admin", "backer"]).await;
    for cover in [
        "javascript:alert(document.cookie)",
        "data:text/html,<b>x</b>",
        "//evil.example/x.png",
        "file:///etc/passwd",
    ] {
        let mut body = draft(None);
        body["cover_url"] = json!(cover);
        let (status, answer) = call(
            &app,
            "POST",
            &t["enterprise"],
            "/api/crowdfunding/projects",
            Some(body),
        )
        .await;
        assert_eq!(status, 400, "{cover}: {answer}");
    }
    let mut body = draft(None);
    body["cover_url"] = json!("https://img.example.cn/cover.png");
    let (status, answer) = call(
        &app,
        "POST",
        &t["enterprise"],
        "/api/crowdfunding/projects",
        Some(body),
    )
    .await;
    assert_eq!(status, 201, "{answer}");

    let (id, _) = listed_project(&app, &t, None).await;
    let (status, own) = call(
        &app,
        "GET",
        &t["enterprise"],
        &format!("/api/crowdfunding/projects/{id}"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        own["link_mobile"], "13800000001",
        "the initiator sees its own contact"
    );
    assert!(own["owner_user_id"].is_string());
    let (status, seen) = call(
        &app,
        "GET",
        &t["backer"],
        &format!("/api/crowdfunding/projects/{id}"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert!(seen["link_mobile"].is_null(), "{seen}");
    assert!(seen["link_name"].is_null(), "{seen}");
    assert!(seen.get("owner_user_id").is_none(), "{seen}");
    assert!(!seen.to_string().contains("13800000001"), "{seen}");
    let (_, listed) = call(
        &app,
        "GET",
        &t["backer"],
        "/api/crowdfunding/projects",
        None,
    )
    .await;
    assert!(!listed.to_string().contains("13800000001"), "{listed}");
}
