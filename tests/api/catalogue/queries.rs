//! Filters, sorting and cursor pages of `GET /api/catalogue/{type}`.

use integration_tests::{Backend, backend_tests, spawn_app};
use serde_json::{Value, json};

use super::{example, get, post, reporter};

fn project(id: &str, amount: &str, days: u32, tags: &str) -> Value {
    let mut p = example("crowdfunding-project");
    p["CROWD_ID"] = json!(id);
    p["CROWD_AMOUNT"] = json!(amount);
    p["CROWD_DURATION"] = json!(days);
    p["TAGS"] = json!(tags);
    p["CROWD_TITLE"] = json!(format!("项目 {id}"));
    p
}

fn ids(body: &Value) -> Vec<String> {
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["key"].as_str().unwrap().to_owned())
        .collect()
}

async fn filters_sorting_and_pages(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = reporter(&app, "查询机构").await;
    let projects = json!([
        project("P-01", "5.00", 30, "智能穿戴"),
        project("P-02", "120.50", 60, "家居生活"),
        project("P-03", "9.90", 15, "智能家居"),
        project("P-04", "1000", 90, "艺术文化"),
        project("P-05", "75", 45, "智能穿戴"),
    ]);
    let (status, body) = post(
        &app,
        &r.token,
        "/api/catalogue/crowdfunding-project",
        &projects,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let base = "/api/catalogue/crowdfunding-project";

    let (_, body) = get(
        &app,
        &r.token,
        &format!("{base}?CROWD_AMOUNT.gte=10&sort=CROWD_AMOUNT"),
    )
    .await;
    assert_eq!(
        ids(&body),
        ["P-05", "P-02", "P-04"],
        "numeric, not text, order"
    );
    let (_, body) = get(
        &app,
        &r.token,
        &format!("{base}?TAGS.prefix=智能&sort=-CROWD_DURATION"),
    )
    .await;
    assert_eq!(ids(&body), ["P-05", "P-01", "P-03"]);
    let (_, body) = get(&app, &r.token, &format!("{base}?TAGS.contains=家居")).await;
    assert_eq!(ids(&body), ["P-02", "P-03"]);
    let (_, body) = get(
        &app,
        &r.token,
        &format!("{base}?TAGS=智能穿戴&CROWD_DURATION.lt=40"),
    )
    .await;
    assert_eq!(ids(&body), ["P-01"]);
    let (_, body) = get(&app, &r.token, &format!("{base}?CROWD_ID.in=P-04,P-01")).await;
    assert_eq!(ids(&body), ["P-01", "P-04"]);

    // Cursor pages, sorted, cover everything once.
    let mut seen = Vec::new();
    let mut url = format!("{base}?sort=-CROWD_AMOUNT&limit=2");
    loop {
        let (status, body) = get(&app, &r.token, &url).await;
        assert_eq!(status, 200, "{body}");
        seen.extend(ids(&body));
        match body["next_cursor"].as_str() {
            Some(c) => url = format!("{base}?sort=-CROWD_AMOUNT&limit=2&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen, ["P-04", "P-02", "P-05", "P-03", "P-01"]);

    for bad in [
        "?NO_SUCH_FIELD=1",
        "?CROWD_AMOUNT.gte=lots",
        "?CROWD_AMOUNT.near=1",
        "?limit=0",
        "?cursor=garbage",
        "?sort=NOPE",
    ] {
        let (status, body) = get(&app, &r.token, &format!("{base}{bad}")).await;
        assert_eq!(status, 400, "{bad}: {body}");
        assert!(
            body["detail"].as_str().unwrap().contains('/'),
            "both languages: {body}"
        );
    }

    // Multi-value codes match any of the asked ones.
    let mut org = example("service-org");
    org["ORG_GRADE"] = json!("2;3");
    post(&app, &r.token, "/api/catalogue/service-org", &org).await;
    let (_, body) = get(&app, &r.token, "/api/catalogue/service-org?ORG_GRADE.in=3").await;
    assert_eq!(ids(&body).len(), 1);
    let (_, body) = get(&app, &r.token, "/api/catalogue/service-org?ORG_GRADE.in=1").await;
    assert_eq!(ids(&body).len(), 0);
}

backend_tests!(filters_sorting_and_pages);
