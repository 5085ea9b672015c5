//! Shared carrier resources over the API and the pages: every booking rule and refusal, the
//! slot race (100 concurrent requests, exactly one booking), iCalendar read back by two
//! parsers, requests like orders, the sharing statistics, and the public portal with and
//! without a platform's data, on both databases.

use std::collections::HashMap;
use std::str::FromStr;

use idp::clock::Clock;
use idp::resources::hours;
use integration_tests::{Backend, TestApp, backend_tests, spawn_app};
use serde_json::{Value, json};

use crate::crowdfunding::call;

const DAY: i64 = 86_400;

async fn tokens(app: &TestApp, users: &[&str]) -> HashMap<String, String> {
    crate::crowdfunding::tokens_through(
        app,
        "openid profile resources",
        &["openid", "resources"],
        users,
    )
    .await
}

/// The China midnight of the Monday at least a week ahead.
fn next_monday(app: &TestApp) -> i64 {
    let today = hours::day_start(app.clock.now());
    let ahead = 7 - hours::weekday(today) as i64;
    today + (ahead + 7) * DAY
}

fn at(day: i64, clock: &str) -> String {
    format!("{} {clock}", idp::clock::shanghai_date(day))
}

/// The demo resource named `name`'s id.
async fn resource_id(app: &TestApp, token: &str, name: &str) -> String {
    let (status, body) = call(app, "GET", token, "/api/resources/resources?q=", None).await;
    assert_eq!(status, 200, "{body}");
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == name)
        .unwrap_or_else(|| panic!("{name} is listed: {body}"))["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn book(app: &TestApp, token: &str, resource: &str, body: Value) -> (u16, Value) {
    call(
        app,
        "POST",
        token,
        &format!("/api/resources/resources/{resource}/bookings"),
        Some(body),
    )
    .await
}

async fn booking_rules(backend: Backend) {
    let app = spawn_app(backend).await;
    app.load_demo().await;
    let t = tokens(&app, &["carrier", "enterprise", "backer"]).await;
    let printer = resource_id(&app, &t["backer"], "3D 打印机（光固化）").await;
    let cutter = resource_id(&app, &t["backer"], "激光切割机").await;
    let monday = next_monday(&app);

    // A founder without an organisation books one slot: confirmed at once.
    let (status, first) = book(
        &app,
        &t["backer"],
        &printer,
        json!({"start": at(monday, "09:00")}),
    )
    .await;
    assert_eq!(status, 201, "{first}");
    assert_eq!(first["state"], "confirmed");
    assert_eq!(first["service_object"], "5");
    assert_eq!(first["external"], true);

    // The same slot again is refused with the slot named.
    let (status, body) = book(
        &app,
        &t["enterprise"],
        &printer,
        json!({"start": at(monday, "09:00"), "service_object": "2"}),
    )
    .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(
        body["type"].as_str().unwrap().rsplit('/').next(),
        Some("slot-taken")
    );
    assert!(body["slot"].as_str().unwrap().contains("09:00"), "{body}");

    // Members of an organisation say what they book as.
    let (status, body) = book(
        &app,
        &t["enterprise"],
        &printer,
        json!({"start": at(monday, "10:00")}),
    )
    .await;
    assert_eq!(status, 400, "{body}");

    // Each rule refuses with its name, and nothing is stored.
    for (start, slots, object, rule) in [
        (at(monday, "10:30"), 1, "2", "grid"),
        (at(monday, "17:00"), 2, "2", "opening_hours"),
        (at(monday + 6 * DAY, "10:00"), 1, "2", "opening_hours"),
        (at(monday, "10:00"), 1, "4", "service_object"),
        (at(monday + 70 * DAY, "10:00"), 1, "2", "too_far_ahead"),
        (
            at(hours::day_start(app.clock.now()) - DAY, "10:00"),
            1,
            "2",
            "past",
        ),
        (at(monday, "10:00"), 17, "2", "slots"),
    ] {
        let (status, body) = book(
            &app,
            &t["enterprise"],
            &printer,
            json!({"start": start, "slots": slots, "service_object": object}),
        )
        .await;
        assert_eq!(status, 422, "{rule}: {body}");
        assert_eq!(body["rule"], rule, "{body}");
    }

    // At most four hours a day on the printer.
    let (status, body) = book(
        &app,
        &t["enterprise"],
        &printer,
        json!({"start": at(monday, "10:00"), "slots": 4, "service_object": "2"}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let (status, body) = book(
        &app,
        &t["enterprise"],
        &printer,
        json!({"start": at(monday, "15:00"), "service_object": "2"}),
    )
    .await;
    assert_eq!(
        (status, body["rule"].as_str()),
        (422, Some("daily_limit")),
        "{body}"
    );
    // The next day is a new day.
    let (status, _) = book(
        &app,
        &t["enterprise"],
        &printer,
        json!({"start": at(monday + DAY, "15:00"), "service_object": "2"}),
    )
    .await;
    assert_eq!(status, 201);

    // The laser cutter needs training, then the carrier's approval.
    let (status, body) = book(
        &app,
        &t["enterprise"],
        &cutter,
        json!({"start": at(monday, "09:00"), "service_object": "2"}),
    )
    .await;
    assert_eq!(
        (status, body["rule"].as_str()),
        (422, Some("training")),
        "{body}"
    );
    let (status, body) = call(
        &app,
        "POST",
        &t["enterprise"],
        &format!("/api/resources/resources/{cutter}/trainings"),
        Some(json!({"username": "enterprise"})),
    )
    .await;
    assert_eq!(status, 403, "only the carrier records training: {body}");
    let (status, _) = call(
        &app,
        "POST",
        &t["carrier"],
        &format!("/api/resources/resources/{cutter}/trainings"),
        Some(json!({"username": "enterprise"})),
    )
    .await;
    assert_eq!(status, 204);
    let (status, cut) = book(
        &app,
        &t["enterprise"],
        &cutter,
        json!({"start": at(monday, "09:00"), "service_object": "2", "purpose": "亚克力外壳"}),
    )
    .await;
    assert_eq!(status, 201, "{cut}");
    assert_eq!(cut["state"], "requested");
    let cut_id = cut["id"].as_str().unwrap();
    let (status, body) = call(
        &app,
        "POST",
        &t["enterprise"],
        &format!("/api/resources/bookings/{cut_id}/actions/approve"),
        None,
    )
    .await;
    assert_eq!(status, 409, "the booker cannot approve: {body}");
    let (status, body) = call(
        &app,
        "POST",
        &t["carrier"],
        &format!("/api/resources/bookings/{cut_id}/actions/approve"),
        None,
    )
    .await;
    assert_eq!(
        (status, body["state"].as_str()),
        (200, Some("confirmed")),
        "{body}"
    );
    // Cancelled before the deadline, the slot is free again.
    let (status, body) = call(
        &app,
        "POST",
        &t["enterprise"],
        &format!("/api/resources/bookings/{cut_id}/actions/cancel"),
        None,
    )
    .await;
    assert_eq!(
        (status, body["state"].as_str()),
        (200, Some("cancelled")),
        "{body}"
    );
    let (status, again) = book(
        &app,
        &t["enterprise"],
        &cutter,
        json!({"start": at(monday, "09:00"), "service_object": "2"}),
    )
    .await;
    assert_eq!(status, 201, "{again}");
    let (status, body) = call(
        &app,
        "POST",
        &t["carrier"],
        &format!(
            "/api/resources/bookings/{}/actions/decline",
            again["id"].as_str().unwrap()
        ),
        Some(json!({"reason": "设备检修"})),
    )
    .await;
    assert_eq!(
        (status, body["state"].as_str()),
        (200, Some("declined")),
        "{body}"
    );
    assert_eq!(body["reason"], "设备检修");

    // Within two hours of the start the booker can no longer cancel; after it, the carrier
    // marks a no-show.
    let first_id = first["id"].as_str().unwrap();
    let start = first["starts_at"].as_i64().unwrap();
    app.clock.advance(start - app.clock.now() - 3600);
    // Access tokens last minutes: sign in again after the days pass.
    let t = tokens(&app, &["carrier", "enterprise", "backer"]).await;
    let (status, body) = call(
        &app,
        "POST",
        &t["backer"],
        &format!("/api/resources/bookings/{first_id}/actions/cancel"),
        None,
    )
    .await;
    assert_eq!(status, 409, "{body}");
    assert!(
        body["detail"].as_str().unwrap().contains("取消期限"),
        "{body}"
    );
    let (status, body) = call(
        &app,
        "POST",
        &t["carrier"],
        &format!("/api/resources/bookings/{first_id}/actions/no-show"),
        None,
    )
    .await;
    assert_eq!(status, 409, "not before it starts: {body}");
    app.clock.advance(2 * 3600);
    let t = tokens(&app, &["carrier", "enterprise"]).await;
    let (status, body) = call(
        &app,
        "POST",
        &t["carrier"],
        &format!("/api/resources/bookings/{first_id}/actions/no-show"),
        None,
    )
    .await;
    assert_eq!(
        (status, body["state"].as_str()),
        (200, Some("no_show")),
        "{body}"
    );

    // Others' bookings are not found.
    let (status, _) = call(
        &app,
        "GET",
        &t["enterprise"],
        &format!("/api/resources/bookings/{first_id}"),
        None,
    )
    .await;
    assert_eq!(status, 404);
    let (status, mine) = call(
        &app,
        "GET",
        &t["enterprise"],
        "/api/resources/bookings",
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(mine["items"].as_array().unwrap().len(), 4, "{mine}");

    // The sharing figures: the carrier's own; every carrier's only for staff.
    let carrier_org = first["carrier_org_id"].as_str().unwrap();
    let period = format!(
        "from={}&to={}",
        idp::clock::shanghai_date(monday),
        idp::clock::shanghai_date(monday + 7 * DAY)
    );
    let (status, s) = call(
        &app,
        "GET",
        &t["carrier"],
        &format!("/api/resources/statistics?carrier={carrier_org}&{period}"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{s}");
    // Booked: the no-show (1 h), 4 h and 1 h of the enterprise on the printer.
    assert_eq!(s["total"]["booked_hours"], 6.0, "{s}");
    assert_eq!(s["total"]["no_shows"], 1);
    assert_eq!(s["total"]["cancelled"], 1);
    // Open: the printer and cutter 9 h × 5 + 6 h, the hall 12 h × 6, the desks 8 h × 5.
    assert_eq!(s["total"]["open_hours"], 51.0 * 2.0 + 72.0 + 40.0, "{s}");
    let (status, _) = call(
        &app,
        "GET",
        &t["enterprise"],
        &format!("/api/resources/statistics?{period}"),
        None,
    )
    .await;
    assert_eq!(status, 403);
    let csv = app
        .client
        .get(app.url(&format!(
            "/api/resources/statistics?carrier={carrier_org}&{period}&format=csv"
        )))
        .bearer_auth(&t["carrier"])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        csv.starts_with('\u{feff}') && csv.contains("sharing_rate_percent"),
        "{csv}"
    );
}

async fn requests_like_orders(backend: Backend) {
    let app = spawn_app(backend).await;
    app.load_demo().await;
    let t = tokens(&app, &["carrier", "enterprise"]).await;
    let (_, items) = call(
        &app,
        "GET",
        &t["enterprise"],
        "/api/resources/items?class=CYFW",
        None,
    )
    .await;
    let item = items["items"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(items["items"][0]["service_name"], "创业辅导与工商代办");
    let (status, r) = call(
        &app,
        "POST",
        &t["enterprise"],
        &format!("/api/resources/items/{item}/requests"),
        Some(json!({"note": "下周二办理营业执照变更"})),
    )
    .await;
    assert_eq!(
        (status, r["state"].as_str()),
        (201, Some("requested")),
        "{r}"
    );
    let id = r["id"].as_str().unwrap();
    let act = |who: &'static str, action: &'static str| {
        let (app, t, id) = (&app, &t, id.to_owned());
        async move {
            call(
                app,
                "POST",
                &t[who],
                &format!("/api/resources/requests/{id}/actions/{action}"),
                None,
            )
            .await
        }
    };
    assert_eq!(act("enterprise", "accept").await.0, 409);
    assert_eq!(act("carrier", "accept").await.1["state"], "accepted");
    assert_eq!(act("carrier", "done").await.1["state"], "done");
    let (status, body) = call(
        &app,
        "POST",
        &t["enterprise"],
        &format!("/api/resources/requests/{id}/evaluation"),
        Some(json!({"score": 5, "remark": "高效"})),
    )
    .await;
    assert_eq!(
        (status, body["state"].as_str(), body["score"].as_i64()),
        (200, Some("evaluated"), Some(5)),
        "{body}"
    );
    let (status, _) = call(
        &app,
        "POST",
        &t["enterprise"],
        &format!("/api/resources/requests/{id}/evaluation"),
        Some(json!({"score": 4})),
    )
    .await;
    assert_eq!(status, 409);
    // The carrier's items are catalogue records of type carrier-resource, from the workflow.
    let records: i64 = match &app.db {
        idp::db::Db::Sqlite(pool, _) => sqlx::query_scalar(
            "SELECT COUNT(*) FROM cat_carrier_resource WHERE is_current AND source = 'workflow'",
        )
        .fetch_one(pool)
        .await
        .unwrap(),
        idp::db::Db::Postgres(pool) => sqlx::query_scalar(
            "SELECT COUNT(*) FROM cat_carrier_resource WHERE is_current AND source = 'workflow'",
        )
        .fetch_one(pool)
        .await
        .unwrap(),
    };
    assert_eq!(records, 2);
    // An unknown class is refused, and nothing is stored.
    let (status, body) = call(&app, "POST", &t["carrier"], "/api/resources/items", Some(json!({"record": {"SERVICE_NAME": "x", "SERVICE_CLASS": "ZZZZ"}, "region_code": "640104"}))).await;
    assert_eq!(status, 400, "{body}");
    let (status, body) = call(&app, "POST", &t["carrier"], "/api/resources/items", Some(json!({"record": {"SERVICE_NAME": "x", "SERVICE_CLASS": "CDKJ", "EMAIL": "not-an-email"}, "region_code": "640104"}))).await;
    assert_eq!(status, 422, "the catalogue's rules: {body}");
    let (status, _) = call(&app, "POST", &t["enterprise"], "/api/resources/items", Some(json!({"record": {"SERVICE_NAME": "x", "SERVICE_CLASS": "CDKJ"}, "region_code": "640104"}))).await;
    assert_eq!(status, 403);
}

/// 100 concurrent requests for one slot, from four people: exactly one booking.
async fn slot_race(backend: Backend) {
    let app = spawn_app(backend).await;
    app.load_demo().await;
    let users = ["carrier", "enterprise", "backer", "provider"];
    let t = tokens(&app, &users).await;
    let desks = resource_id(&app, &t["backer"], "开放工位").await;
    let start = at(next_monday(&app), "08:00");
    let attempts = (0..100).map(|i| {
        let user = users[i % 4];
        let body = if user == "backer" {
            json!({"start": start})
        } else {
            json!({"start": start, "service_object": "2"})
        };
        let (app, token, desks) = (&app, t[user].clone(), desks.clone());
        async move { book(app, &token, &desks, body).await }
    });
    let answers = futures_util::future::join_all(attempts).await;
    let created = answers.iter().filter(|(s, _)| *s == 201).count();
    assert_eq!(created, 1, "{answers:?}");
    for (status, body) in answers.iter().filter(|(s, _)| *s != 201) {
        assert_eq!(*status, 409, "{body}");
        assert!(body["slot"].as_str().unwrap().contains("08:00"), "{body}");
    }
    let counts: (i64, i64) = match &app.db {
        idp::db::Db::Sqlite(pool, _) => (
            sqlx::query_scalar("SELECT COUNT(*) FROM res_bookings")
                .fetch_one(pool)
                .await
                .unwrap(),
            sqlx::query_scalar("SELECT COUNT(*) FROM res_slot_claims")
                .fetch_one(pool)
                .await
                .unwrap(),
        ),
        idp::db::Db::Postgres(pool) => (
            sqlx::query_scalar("SELECT COUNT(*) FROM res_bookings")
                .fetch_one(pool)
                .await
                .unwrap(),
            sqlx::query_scalar("SELECT COUNT(*) FROM res_slot_claims")
                .fetch_one(pool)
                .await
                .unwrap(),
        ),
    };
    assert_eq!(counts, (1, 1));
}

/// A booking and a schedule as iCalendar, read back by the icalendar crate and by ical.
async fn icalendar(backend: Backend) {
    let app = spawn_app(backend).await;
    app.load_demo().await;
    let t = tokens(&app, &["backer"]).await;
    let printer = resource_id(&app, &t["backer"], "3D 打印机（光固化）").await;
    let monday = next_monday(&app);
    let (_, booking) = book(
        &app,
        &t["backer"],
        &printer,
        json!({"start": at(monday, "14:00"), "slots": 2, "purpose": "打印外壳, 测试; 转义\\字符"}),
    )
    .await;
    let id = booking["id"].as_str().unwrap();
    let response = app
        .client
        .get(app.url(&format!("/api/resources/bookings/{id}/calendar.ics")))
        .bearer_auth(&t["backer"])
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.headers()["content-type"],
        "text/calendar; charset=utf-8"
    );
    let text = response.text().await.unwrap();
    let starts = chrono_text(monday + 14 * 3600);
    let ends = chrono_text(monday + 16 * 3600);

    let calendar = icalendar::Calendar::from_str(&text).expect("icalendar parses it");
    use icalendar::Component;
    let events: Vec<_> = calendar.events().collect();
    assert_eq!(events.len(), 1);
    let event = events[0];
    assert!(event.get_uid().unwrap().starts_with(id));
    assert!(event.get_summary().unwrap().contains("3D 打印机"));
    assert_eq!(event.property_value("DTSTART"), Some(starts.as_str()));
    assert_eq!(event.property_value("DTEND"), Some(ends.as_str()));
    assert!(
        event
            .get_description()
            .unwrap()
            .contains("打印外壳, 测试; 转义\\字符")
    );

    let mut parser = ical::IcalParser::new(std::io::BufReader::new(text.as_bytes()));
    let parsed = parser
        .next()
        .expect("one calendar")
        .expect("ical parses it");
    assert_eq!(parsed.events.len(), 1);
    let value = |name: &str| {
        parsed.events[0]
            .properties
            .iter()
            .find(|p| p.name == name)
            .and_then(|p| p.value.clone())
            .unwrap_or_default()
    };
    assert_eq!(value("DTSTART"), starts);
    assert_eq!(value("DTEND"), ends);
    assert_eq!(value("STATUS"), "CONFIRMED");
    assert!(value("UID").starts_with(id));

    // The public schedule shows the block but not who booked it.
    let schedule = app
        .client
        .get(app.url(&format!("/resources/{printer}/calendar.ics")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let mut parser = ical::IcalParser::new(std::io::BufReader::new(schedule.as_bytes()));
    let parsed = parser.next().unwrap().unwrap();
    assert_eq!(parsed.events.len(), 1);
    assert!(!schedule.contains(booking["user_id"].as_str().unwrap()));
    assert!(icalendar::Calendar::from_str(&schedule).is_ok());
}

fn chrono_text(unix: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(unix).unwrap();
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// The portal shows a platform's section only once it has something public.
async fn portal(backend: Backend) {
    let app = spawn_app(backend).await;
    let home = app.client.get(app.url("/")).send().await.unwrap();
    assert_eq!(home.status(), 200);
    let html = home.text().await.unwrap();
    assert!(
        html.contains("id=\"section-financing\""),
        "the products are always there"
    );
    for absent in ["section-carriers", "section-projects", "section-demands"] {
        assert!(!html.contains(absent), "no empty {absent}");
    }
    app.load_demo().await;
    let html = app
        .client
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for present in ["section-carriers", "section-demands", "section-financing"] {
        assert!(html.contains(present), "{present}: {}", html);
    }
    assert!(html.contains("银川演示众创空间"));
    let english = app
        .client
        .get(app.url("/?lang=en"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(english.contains("Shared carrier resources"));
    // Searching narrows every section.
    let html = app
        .client
        .get(app.url("/?q=%E9%93%B6%E5%B7%9D"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("section-carriers") && !html.contains("section-financing"),
        "{}",
        html
    );
    let list = app
        .client
        .get(app.url("/portal/carriers?lang=zh&q=nothing-like-this"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(list.contains("没有找到"));
    assert_eq!(
        app.client
            .get(app.url("/portal/unknown"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    // A resource's own page with Open Graph tags and its week.
    let search = app
        .client
        .get(app.url("/resources?q=3D"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let href = search
        .split("href=\"/resources/RSC-")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let page = app
        .client
        .get(app.url(&format!("/resources/RSC-{href}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("og:title") && page.contains("3D 打印机"),
        "{}",
        page
    );
    assert!(page.contains("sign-in-to-book"));
    // A financing product from the home page, on its own page.
    let product = app
        .client
        .get(app.url("/financing/bridge?lang=zh"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        product.contains("og:title")
            && product.contains("转贷资金")
            && product.contains("如何申请")
    );
    assert_eq!(
        app.client
            .get(app.url("/financing/unknown"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    // The own area asks to sign in, then shows each platform's part.
    let me = app.client.get(app.url("/me")).send().await.unwrap();
    assert_eq!(me.status(), 303);
    assert_eq!(me.headers()["location"], "/login?return_to=%2Fme");
    let browser = app.demo_browser("enterprise").await;
    let me = browser
        .get(app.url("/me"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for part in [
        "我的众包需求",
        "我的融资申请",
        "我的预约与服务请求",
        "我的众筹",
    ] {
        assert!(me.contains(part), "{part}");
    }
}

/// The SDK's resources module against the server: search, a week, booking (and the refusal of
/// a taken slot), the caller's bookings, the calendar file, cancelling, a request.
async fn through_the_sdk(backend: Backend) {
    let app = spawn_app(backend).await;
    app.load_demo().await;
    let t = tokens(&app, &["backer"]).await;
    let registered = app
        .register_client(idp::oauth::clients::ClientSpec {
            name: "资源 SDK 测试".into(),
            redirect_uris: vec!["http://127.0.0.1:3000/callback".into()],
            scope: "openid resources".into(),
            ..Default::default()
        })
        .await;
    let sdk = nx_sdk::Client::discover(
        &app.address,
        &registered.client_id,
        registered.client_secret,
    )
    .await
    .unwrap();
    let api = sdk.resources(&t["backer"]);
    let found = api
        .search(&nx_sdk::resources::Search {
            q: "3D".into(),
            kind: "equipment".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    let printer = &found[0];
    assert_eq!(printer.max_minutes_per_day, Some(240));
    let monday = idp::clock::shanghai_date(next_monday(&app));
    let week = api.week(&printer.id, Some(&monday), 7).await.unwrap();
    assert_eq!(
        (week.days.len(), week.days[0].date.as_str()),
        (7, monday.as_str())
    );
    let slot = week.days[0].slots.iter().find(|s| s.free).unwrap().clone();
    let booking = nx_sdk::resources::NewBooking {
        start: slot.start.clone(),
        slots: 2,
        service_object: None,
        purpose: "外壳打样".into(),
    };
    let booked = api.book(&printer.id, &booking).await.unwrap();
    assert_eq!(
        (booked.state.as_str(), booked.starts_at),
        ("confirmed", slot.starts_at)
    );
    match api.book(&printer.id, &booking).await {
        Err(nx_sdk::Error::Refused {
            status: 409,
            problem,
        }) => {
            assert!(problem.kind.ends_with("slot-taken"), "{problem:?}")
        }
        other => panic!("a taken slot is refused: {other:?}"),
    }
    assert_eq!(api.my_bookings().await.unwrap().len(), 1);
    let calendar = api.calendar(&booked.id).await.unwrap();
    assert!(calendar.starts_with("BEGIN:VCALENDAR") && calendar.contains(&booked.id));
    let cancelled = api.cancel(&booked.id, Some("改期")).await.unwrap();
    assert_eq!(cancelled.state, "cancelled");
    let again = api.week(&printer.id, Some(&monday), 1).await.unwrap();
    assert!(
        again.days[0]
            .slots
            .iter()
            .find(|s| s.starts_at == slot.starts_at)
            .unwrap()
            .free
    );
    let request = api
        .request_item(&printer.item_id, "想了解培训安排")
        .await
        .unwrap();
    assert_eq!(request.state, "requested");
}

backend_tests!(
    booking_rules,
    requests_like_orders,
    slot_race,
    icalendar,
    portal,
    through_the_sdk
);
