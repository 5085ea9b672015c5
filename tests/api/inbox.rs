//! The platform inbox: crowdfunding's news reaches the initiating organisation and the backers,
//! messages to a user, an organisation or a role reach exactly those readers, notices that ask
//! for it stay waiting until acknowledged, and the page header counts what waits.

use std::collections::HashMap;

use integration_tests::{Backend, TestApp, backend_tests, hidden_field, page_text, spawn_app};
use nx_sdk::Client;
use serde_json::{Value, json};

use crate::crowdfunding::{back_and_pay, call, draft, tokens_through};

backend_tests!(
    crowdfunding_tells_the_initiator_and_the_backers,
    messages_reach_a_user_an_organisation_or_a_role_and_no_one_else,
    the_page_header_counts_what_waits_and_the_inbox_page_marks_it,
);

async fn tokens(app: &TestApp) -> HashMap<String, String> {
    app.load_demo().await;
    let mut t = tokens_through(
        app,
        "openid profile crowdfunding crowdfunding:staff inbox",
        &["openid", "crowdfunding", "crowdfunding:staff", "inbox"],
        &["enterprise", "admin", "backer"],
    )
    .await;
    t.extend(
        tokens_through(
            app,
            "openid inbox",
            &["openid", "inbox"],
            &["provider", "bank", "carrier"],
        )
        .await,
    );
    t
}

async fn inbox(app: &TestApp, token: &str, query: &str) -> Value {
    let (status, body) = call(app, "GET", token, &format!("/api/inbox{query}"), None).await;
    assert_eq!(status, 200, "{body}");
    body
}

/// The topics of a page, leaving out the crowdsourcing and financing demos' own news (their
/// demands and applications moved on when the demo data loaded).
fn topics(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["source"] != "crowdsourcing" && m["source"] != "financing")
        .map(|m| m["topic"].as_str().unwrap().to_owned())
        .collect()
}

async fn crowdfunding_tells_the_initiator_and_the_backers(backend: Backend) {
    let app = spawn_app(backend).await;
    let t = tokens(&app).await;
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
    let act = |who: &'static str, action: &'static str, reason: Option<&'static str>| {
        let (app, t, id) = (&app, &t, id.clone());
        async move {
            let (status, body) = call(
                app,
                "POST",
                &t[who],
                &format!("/api/crowdfunding/projects/{id}/actions/{action}"),
                reason.map(|r| json!({ "reason": r })),
            )
            .await;
            assert_eq!(status, 200, "{action}: {body}");
        }
    };
    act("enterprise", "submit", None).await;
    act("admin", "return", Some("请补充回报说明")).await;
    let returned = inbox(&app, &t["enterprise"], "").await;
    // The demo's own project was approved when the demo data loaded.
    assert_eq!(topics(&returned), ["project.returned", "project.approved"]);
    assert!(
        returned["items"][0]["body_zh"]
            .as_str()
            .unwrap()
            .contains("请补充回报说明"),
        "{returned}"
    );
    act("enterprise", "submit", None).await;
    act("admin", "approve", None).await;
    let order = back_and_pay(&app, &t["backer"], &id, &reward, 1).await;

    // The period ends short of the target: the project fails and the backer is refunded.
    app.clock.advance(31 * 86_400);
    let t2 = tokens(&app).await;
    let (status, body) = call(
        &app,
        "POST",
        &t2["admin"],
        "/api/crowdfunding/scheduler/run",
        None,
    )
    .await;
    assert_eq!((status, body["closed"].as_u64()), (200, Some(1)), "{body}");

    let initiator = inbox(&app, &t2["enterprise"], "").await;
    assert_eq!(
        topics(&initiator),
        [
            "project.failed",
            "project.approved",
            "project.returned",
            "project.approved"
        ],
        "newest first"
    );
    let demo_news = initiator["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["source"] == "crowdsourcing" || m["source"] == "financing")
        .count();
    assert_eq!(initiator["unread"], 4 + demo_news);
    let backer = inbox(&app, &t2["backer"], "?unread=true").await;
    assert_eq!(topics(&backer), ["order.refunded"]);
    let refund = &backer["items"][0];
    assert!(
        refund["body_zh"].as_str().unwrap().contains(&order),
        "{refund}"
    );
    assert_eq!(refund["link"], format!("/crowdfunding/{id}"));
    assert_eq!(refund["addressed_to"], "user");
    // Nobody else hears of it.
    for other in ["provider", "bank", "admin"] {
        assert_eq!(
            topics(&inbox(&app, &t2[other], "").await),
            Vec::<String>::new(),
            "{other}"
        );
    }

    // Through the SDK: reading it empties the unread list; there is nothing to acknowledge.
    let client = Client::discover(&app.address, "unused", None)
        .await
        .unwrap();
    let sdk = client.inbox(&t2["backer"]);
    let read = sdk.read(refund["id"].as_str().unwrap()).await.unwrap();
    assert!(read.read_at.is_some());
    let page = sdk.list(true, 10, None).await.unwrap();
    assert!(page.items.is_empty());
    assert_eq!(page.unread, 0);
    let refused = sdk.acknowledge(&read.id).await.unwrap_err();
    assert!(refused.to_string().contains("409"), "{refused}");
    // Another user cannot touch it.
    let (status, _) = call(
        &app,
        "POST",
        &t2["enterprise"],
        &format!("/api/inbox/{}/read", read.id),
        None,
    )
    .await;
    assert_eq!(status, 404);
}

async fn post(
    app: &TestApp,
    recipient: idp::inbox::Recipient,
    topic: &'static str,
    needs_ack: bool,
) -> String {
    let mut tx = app.db.begin().await.unwrap();
    let id = idp::inbox::post(
        &mut tx,
        &idp::inbox::NewMessage {
            recipient,
            source: "risk",
            topic,
            subject_zh: format!("{topic} 主题"),
            subject_en: format!("{topic} subject"),
            body_zh: "正文".into(),
            body_en: "Text".into(),
            link: Some("/account".into()),
            needs_ack,
        },
        idp::clock::Clock::now(&app.clock),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    app.clock.advance(1);
    id
}

async fn messages_reach_a_user_an_organisation_or_a_role_and_no_one_else(backend: Backend) {
    let app = spawn_app(backend).await;
    let t = tokens(&app).await;
    let enterprise = idp::accounts::find_user_by_username(&app.db, "enterprise")
        .await
        .unwrap()
        .unwrap();
    let backer = idp::accounts::find_user_by_username(&app.db, "backer")
        .await
        .unwrap()
        .unwrap();
    use idp::inbox::Recipient;
    let notice = post(
        &app,
        Recipient::Role(idp::accounts::Role::BankOfficer),
        "risk.notice",
        true,
    )
    .await;
    post(
        &app,
        Recipient::Organisation(enterprise.organisation_id.clone().unwrap()),
        "org.news",
        false,
    )
    .await;
    post(&app, Recipient::User(backer.id.clone()), "user.news", false).await;

    assert_eq!(topics(&inbox(&app, &t["bank"], "").await), ["risk.notice"]);
    assert_eq!(
        topics(&inbox(&app, &t["enterprise"], "").await),
        ["org.news", "project.approved"],
        "with the demo project's approval"
    );
    assert_eq!(topics(&inbox(&app, &t["backer"], "").await), ["user.news"]);
    for other in ["provider", "carrier", "admin"] {
        assert_eq!(
            topics(&inbox(&app, &t[other], "").await),
            Vec::<String>::new(),
            "{other}"
        );
    }
    // Someone else's message is not found, whatever its id.
    let (status, body) = call(
        &app,
        "POST",
        &t["backer"],
        &format!("/api/inbox/{notice}/read"),
        None,
    )
    .await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["type"], "/problems/not-found");

    // Reading a notice that asks for acknowledgement leaves it waiting until acknowledged.
    let (status, read) = call(
        &app,
        "POST",
        &t["bank"],
        &format!("/api/inbox/{notice}/read"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{read}");
    assert!(read["read_at"].is_i64());
    assert!(read["acknowledged_at"].is_null());
    // Still waiting (beside the financing demo's news for the demo bank).
    assert_eq!(
        topics(&inbox(&app, &t["bank"], "?unread=true").await),
        ["risk.notice"]
    );
    let (status, acked) = call(
        &app,
        "POST",
        &t["bank"],
        &format!("/api/inbox/{notice}/acknowledge"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{acked}");
    assert_eq!(
        acked["read_at"], read["read_at"],
        "the first reading is kept"
    );
    assert!(acked["acknowledged_at"].is_i64());
    assert!(topics(&inbox(&app, &t["bank"], "?unread=true").await).is_empty());

    // Paging: at most `limit`, then older ones with `before`.
    for _ in 0..3 {
        post(&app, Recipient::User(backer.id.clone()), "user.more", false).await;
    }
    let first = inbox(&app, &t["backer"], "?limit=2").await;
    assert_eq!(topics(&first), ["user.more", "user.more"]);
    let before = first["items"][1]["id"].as_str().unwrap().to_owned();
    let rest = inbox(&app, &t["backer"], &format!("?limit=100&before={before}")).await;
    assert_eq!(topics(&rest), ["user.more", "user.news"]);
    // A token without the inbox scope is refused.
    let (status, body) = call(&app, "GET", &app.admin_token().await, "/api/inbox", None).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["required_scope"], "inbox");
}

async fn the_page_header_counts_what_waits_and_the_inbox_page_marks_it(backend: Backend) {
    let app = spawn_app(backend).await;
    app.load_demo().await;
    let backer = idp::accounts::find_user_by_username(&app.db, "backer")
        .await
        .unwrap()
        .unwrap();
    let message = post(
        &app,
        idp::inbox::Recipient::User(backer.id.clone()),
        "user.news",
        false,
    )
    .await;
    let browser = app.demo_browser("backer").await;
    let account = page_text(&browser, app.url("/account")).await;
    assert!(
        account.contains(r#"<a class="inbox" href="/inbox">消息 <span class="badge""#),
        "{account}"
    );
    assert!(account.contains(">1</span>"), "{account}");
    let page = page_text(&browser, app.url("/inbox")).await;
    assert!(page.contains("user.news 主题"), "{page}");
    let english = page_text(&browser, app.url("/inbox?lang=en")).await;
    assert!(english.contains("user.news subject"), "{english}");
    let response = browser
        .post(app.url(&format!("/inbox/{message}/read")))
        .form(&[("csrf_token", hidden_field(&page, "csrf_token").as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let account = page_text(&browser, app.url("/account?lang=zh")).await;
    assert!(
        account.contains(r#"<a class="inbox" href="/inbox">消息</a>"#),
        "{account}"
    );
    // A form without its CSRF token changes nothing.
    let forged = browser
        .post(app.url(&format!("/inbox/{message}/acknowledge")))
        .form(&[("csrf_token", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 400);
    // Signed out: the inbox page sends to the login page, and the header shows no inbox.
    let stranger = app.new_browser();
    let response = stranger.get(app.url("/inbox")).send().await.unwrap();
    assert_eq!(response.status(), 303);
    assert!(integration_tests::location(&response).starts_with("/login?return_to=%2Finbox"));
    let login = page_text(&stranger, app.url("/login")).await;
    assert!(!login.contains(r#"class="inbox""#));
}
