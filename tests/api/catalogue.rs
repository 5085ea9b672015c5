//! The catalogue reporting API: every record type round-trips; every rule refuses with the field
//! and a stable code and stores nothing; batches are atomic unless asked otherwise; retries are
//! idempotent; history is kept; frozen organisations and missing scopes are refused.

mod files;
mod hostile_files;
mod pages;
mod queries;

use idp::accounts::{self, OrganisationKind};
use idp::catalogue::spec::TYPES;
use idp::clock::Clock;
use idp::oauth::clients::{ClientSpec, GrantType};
use integration_tests::{Backend, RegisteredClient, TestApp, backend_tests, spawn_app};
use serde_json::{Value, json};

/// A reporting organisation with a machine client holding every catalogue scope.
pub struct Reporter {
    pub organisation_id: String,
    pub client: RegisteredClient,
    pub token: String,
}

pub fn all_catalogue_scopes() -> String {
    TYPES
        .iter()
        .flat_map(|t| [t.read_scope(), t.write_scope()])
        .collect::<Vec<_>>()
        .join(" ")
}

pub async fn reporter(app: &TestApp, name: &str) -> Reporter {
    let organisation = accounts::create_organisation(
        &app.db,
        name,
        OrganisationKind::Carrier,
        None,
        app.clock.now(),
    )
    .await
    .unwrap();
    let scope = all_catalogue_scopes();
    let client = app
        .register_client(ClientSpec {
            name: format!("{name} reporting job"),
            scope: scope.clone(),
            grant_types: Some(vec![GrantType::ClientCredentials]),
            organisation_id: Some(organisation.id.clone()),
            ..Default::default()
        })
        .await;
    let token = app.machine_token(&client, &scope).await;
    Reporter {
        organisation_id: organisation.id,
        client,
        token,
    }
}

pub async fn post(app: &TestApp, token: &str, path: &str, body: &Value) -> (u16, Value) {
    let response = app
        .client
        .post(app.url(path))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

pub async fn get(app: &TestApp, token: &str, path: &str) -> (u16, Value) {
    let response = app
        .client
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

pub fn example(slug: &str) -> Value {
    let t = idp::catalogue::spec::record_type(slug).unwrap();
    serde_json::from_str(t.example).unwrap()
}

/// How many current records of a type the reporter sees.
pub async fn count(app: &TestApp, token: &str, slug: &str) -> usize {
    let (status, body) = get(app, token, &format!("/api/catalogue/{slug}?limit=1000")).await;
    assert_eq!(status, 200, "{body}");
    body["items"].as_array().unwrap().len()
}

/// The seed's order puts every parent before its children.
async fn report_all_examples(app: &TestApp, r: &Reporter) {
    for t in TYPES {
        let (status, body) = post(
            app,
            &r.token,
            &format!("/api/catalogue/{}", t.slug),
            &example(t.slug),
        )
        .await;
        assert_eq!(status, 200, "{}: {body}", t.slug);
        assert_eq!(body["created"], 1, "{}: {body}", t.slug);
    }
}

async fn every_type_round_trips_exactly(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = reporter(&app, "塞上创客空间").await;
    report_all_examples(&app, &r).await;
    for t in TYPES {
        let sent = example(t.slug);
        let key: Vec<String> = t
            .key
            .iter()
            .map(|k| sent[*k].as_str().unwrap().to_owned())
            .collect();
        let path = format!("/api/catalogue/{}/{}", t.slug, key.join("/"));
        let (status, body) = get(&app, &r.token, &path).await;
        assert_eq!(status, 200, "{path}: {body}");
        assert_eq!(
            body["current"]["record"], sent,
            "{} does not round-trip",
            t.slug
        );
        assert_eq!(body["current"]["version"], 1);
        assert_eq!(body["current"]["source"], "api");
        assert_eq!(
            body["current"]["organisation_id"],
            r.organisation_id.as_str()
        );
        assert_eq!(body["current"]["client_id"], r.client.client_id.as_str());
        assert_eq!(body["history"], json!([]));
    }
}

/// (type, field, bad value, expected code)
const VIOLATIONS: &[(&str, &str, &str, &str)] = &[
    ("enterprise", "ORG_NAME", "", "required"),
    (
        "enterprise",
        "LINKMAN",
        "一二三四五六七八九十一二三四五六七八九十一",
        "too_long",
    ),
    ("enterprise", "AREA_COUNTY", "64010", "wrong_length"),
    ("enterprise", "AREA_COUNTY", "640199", "unknown_region"),
    ("enterprise", "AREA_COUNTY", "990101", "unknown_region"),
    ("enterprise", "ORG_PROPERTY", "6", "unknown_code"),
    ("enterprise", "SHARE_TYPE", "0", "unknown_code"),
    ("enterprise", "OPENED_TIME", "2019-13", "not_a_month"),
    ("enterprise", "OPENED_TIME", "2019/06", "not_a_month"),
    ("enterprise", "POSTCODE", "75000A", "not_a_postcode"),
    ("enterprise", "EMAIL", "contact.example.cn", "not_an_email"),
    ("enterprise", "WEBSITE", "not a site", "not_a_url"),
    (
        "enterprise",
        "ORG_CODE",
        "91640100MA76X12341",
        "not_an_identity_code",
    ),
    (
        "enterprise",
        "ORG_CODE",
        "11010519491231002Y",
        "not_an_identity_code",
    ),
    ("enterprise", "ORG_CODE", "12345", "not_an_identity_code"),
    ("service-org", "ORG_GRADE", "1;4", "unknown_code"),
    ("service-org", "ORG_GRADE", "1;1", "duplicate_code"),
    (
        "service-org",
        "REGISTER_ASSET",
        "123456789012.00",
        "too_large",
    ),
    (
        "service-org",
        "REGISTER_ASSET",
        "1.234",
        "too_many_decimals",
    ),
    ("service-org", "REGISTER_ASSET", "-5", "negative"),
    ("service-org", "REGISTER_ASSET", "五百", "not_a_decimal"),
    ("service-org", "POSTCODE", "7500011", "not_a_postcode"),
    (
        "carrier",
        "LINK_PHONE",
        "call 13800000000",
        "not_a_phone_number",
    ),
    ("carrier", "INCUBATOR_NUM", "12345", "too_long"),
    ("carrier", "INCUBATOR_NUM", "4.5", "not_an_integer"),
    ("carrier", "REGIST_NO", "6401", "unknown_region"),
    ("crowdfunding-project", "CROWD_DURATION", "1000", "too_long"),
    ("crowdfunding-reward", "ISLOTTO", "2", "unknown_code"),
    ("crowdfunding-order", "EVALUATION", "6", "unknown_code"),
    (
        "crowdfunding-order",
        "DELIVERY_DATE",
        "2026-02-30",
        "not_a_date",
    ),
    ("service-product", "SERVICE_OBJECT", "1;A", "unknown_code"),
    (
        "service-product",
        "SERVICE_METHOD",
        "上门服务;飞鸽服务",
        "unknown_code",
    ),
    (
        "service-product",
        "REGISTER_DATE",
        "2026-03-01",
        "not_a_datetime",
    ),
    (
        "service-order",
        "SERVER_DATE_APPLY",
        "2026-04-01 24:00",
        "not_a_datetime",
    ),
    ("service-order", "SERVICE_TYPE", "5", "unknown_code"),
    (
        "demand",
        "COMP_CODE",
        "91640100MA76X1234I",
        "bad_credit_code",
    ),
    (
        "bridge-loan",
        "Credit_code",
        "91640100MA76X12343",
        "bad_credit_code",
    ),
    ("risk-compensation", "Is_technology", "2", "unknown_code"),
    ("risk-compensation", "Loan_type", "1;5", "unknown_code"),
    (
        "risk-compensation",
        "House_pro",
        "100.001",
        "too_many_decimals",
    ),
    (
        "leasing-application",
        "Region_code",
        "640000x",
        "wrong_length",
    ),
    ("fund-application", "MONTHLY_RATE", "1e3", "not_a_decimal"),
    ("fund-repayment", "REPAY_DATE", "20270220", "not_a_date"),
];

async fn every_rule_refuses_with_field_and_code_and_stores_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = reporter(&app, "规则检查机构").await;
    report_all_examples(&app, &r).await;
    for (slug, field, bad, code) in VIOLATIONS {
        let mut record = example(slug);
        // A new key, so that a wrongly accepted record would be a new one and visible.
        let t = idp::catalogue::spec::record_type(slug).unwrap();
        let key_field = t.key.iter().rev().find(|k| *k != field).unwrap();
        record[*key_field] = json!(format!("NEW-{field}-{code}"));
        if bad.is_empty() {
            record.as_object_mut().unwrap().remove(*field);
        } else {
            record[*field] = json!(bad);
        }
        let before = count(&app, &r.token, slug).await;
        let (status, body) = post(&app, &r.token, &format!("/api/catalogue/{slug}"), &record).await;
        assert_eq!(status, 422, "{slug}.{field}={bad}: {body}");
        assert_eq!(body["type"], "/problems/invalid-records");
        let errors = body["errors"].as_array().unwrap();
        assert!(
            errors
                .iter()
                .any(|e| e["field"] == *field && e["code"] == *code),
            "{slug}.{field}={bad} expected {code}, got {body}"
        );
        for e in errors {
            assert_eq!(e["index"], 0);
            assert!(!e["message_zh"].as_str().unwrap().is_empty());
            assert!(!e["message_en"].as_str().unwrap().is_empty());
        }
        assert_eq!(
            count(&app, &r.token, slug).await,
            before,
            "{slug}.{field}: something was stored"
        );
    }
}

async fn unknown_fields_are_named_or_ignored_on_request(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = reporter(&app, "字段检查机构").await;
    let mut record = example("enterprise");
    record["ORG_ID"] = json!("U-1");
    record["ORG_COLOUR"] = json!("红");
    let (status, body) = post(&app, &r.token, "/api/catalogue/enterprise", &record).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["errors"][0]["field"], "ORG_COLOUR");
    assert_eq!(body["errors"][0]["code"], "unknown_field");
    let (status, body) = post(
        &app,
        &r.token,
        "/api/catalogue/enterprise?unknown=ignore",
        &record,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["created"], 1);

    // The seed's spaced spellings are accepted as the same field.
    report_all_examples(&app, &r).await;
    let mut reward = example("crowdfunding-reward");
    let object = reward.as_object_mut().unwrap();
    let crowd = object.remove("CROWD_ID").unwrap();
    object.insert("CROWD _ID".into(), crowd);
    let content = object.remove("REWARD_CONTENT").unwrap();
    object.insert("REWARD_ CONTENT".into(), content);
    object.insert("REWARD_ID".into(), json!("R-SPACED"));
    let (status, body) = post(
        &app,
        &r.token,
        "/api/catalogue/crowdfunding-reward",
        &reward,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (_, stored) = get(
        &app,
        &r.token,
        "/api/catalogue/crowdfunding-reward/R-SPACED",
    )
    .await;
    assert_eq!(stored["current"]["record"]["CROWD_ID"], "CF-2026-0001");
    assert_eq!(stored["current"]["record"]["REWARD_CONTENT"], "手环一只");
}

async fn identity_codes_name_the_form_they_matched(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = reporter(&app, "代码识别机构").await;
    let forms = [
        ("91640100MA76X12342", "credit_code"),
        ("11010519491231002X", "resident_id"),
        ("D2143569-X", "organisation_code"),
        ("640100000012348", "registration_number"),
        ("13800000000", "mobile"),
    ];
    for (i, (code, form)) in forms.iter().enumerate() {
        let mut record = example("enterprise");
        record["ORG_ID"] = json!(format!("ID-FORM-{i}"));
        record["ORG_CODE"] = json!(code);
        let (status, body) = post(&app, &r.token, "/api/catalogue/enterprise", &record).await;
        assert_eq!(status, 200, "{code}: {body}");
        assert_eq!(
            body["results"][0]["identified"]["ORG_CODE"], *form,
            "{code}"
        );
    }
    // A wrong check character is explained.
    let mut record = example("enterprise");
    record["ORG_CODE"] = json!("91640100MA76X12341");
    let (_, body) = post(&app, &r.token, "/api/catalogue/enterprise", &record).await;
    let message = body["errors"][0]["message_zh"].as_str().unwrap();
    assert!(message.contains("校验位应为 2"), "{message}");
}

async fn links_need_their_parent_which_may_come_earlier_in_the_batch(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = reporter(&app, "链接检查机构").await;
    let (status, body) = post(
        &app,
        &r.token,
        "/api/catalogue/carrier-partner",
        &example("carrier-partner"),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["errors"][0]["field"], "BASE_CODE");
    assert_eq!(body["errors"][0]["code"], "missing_parent");
    assert_eq!(count(&app, &r.token, "carrier-partner").await, 0);

    let batch = json!([
        {"type": "carrier", "record": example("carrier")},
        {"type": "carrier-partner", "record": example("carrier-partner")},
        {"type": "carrier-service", "record": example("carrier-service")},
    ]);
    let (status, body) = post(&app, &r.token, "/api/catalogue", &batch).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["created"], 3);

    // The chain of the mutual fund: repayment → application → membership.
    let (status, body) = post(
        &app,
        &r.token,
        "/api/catalogue/fund-repayment",
        &example("fund-repayment"),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(body["errors"][0]["field"], "APPLY_NO");
    let batch = json!([
        {"type": "fund-membership", "record": example("fund-membership")},
        {"type": "fund-application", "record": example("fund-application")},
        {"type": "fund-repayment", "record": example("fund-repayment")},
    ]);
    let (status, body) = post(&app, &r.token, "/api/catalogue", &batch).await;
    assert_eq!(status, 200, "{body}");
}

pub fn enterprise(id: &str, name: &str) -> Value {
    let mut record = example("enterprise");
    record["ORG_ID"] = json!(id);
    record["ORG_NAME"] = json!(name);
    record
}

async fn batches_are_atomic_unless_partial_is_asked(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = reporter(&app, "批量检查机构").await;
    let mut bad = enterprise("B-2", "坏记录");
    bad["POSTCODE"] = json!("1");
    bad["EMAIL"] = json!("nope");
    let batch = json!([
        enterprise("B-1", "好记录一"),
        bad,
        enterprise("B-3", "好记录三")
    ]);
    let (status, body) = post(&app, &r.token, "/api/catalogue/enterprise", &batch).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["refused"], 1);
    let errors = body["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2, "both bad fields are listed: {body}");
    assert!(errors.iter().all(|e| e["index"] == 1 && e["key"] == "B-2"));
    assert_eq!(count(&app, &r.token, "enterprise").await, 0);

    let (status, body) = post(
        &app,
        &r.token,
        "/api/catalogue/enterprise?mode=partial",
        &batch,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (body["created"].as_u64(), body["refused"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(body["results"][1]["status"], "refused");
    assert_eq!(body["results"][1]["errors"].as_array().unwrap().len(), 2);
    assert_eq!(body["results"][2]["status"], "created");
    assert_eq!(count(&app, &r.token, "enterprise").await, 2);

    let too_many: Vec<Value> = (0..10_001)
        .map(|i| json!({"ORG_ID": i.to_string()}))
        .collect();
    let (status, _) = post(
        &app,
        &r.token,
        "/api/catalogue/enterprise",
        &json!(too_many),
    )
    .await;
    assert_eq!(status, 400);
}

async fn a_retry_with_the_same_idempotency_key_stores_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = reporter(&app, "重试检查机构").await;
    let send = |body: Value, key: &'static str| {
        app.client
            .post(app.url("/api/catalogue/enterprise"))
            .bearer_auth(&r.token)
            .header("Idempotency-Key", key)
            .json(&body)
            .send()
    };
    let first = send(enterprise("I-1", "第一次"), "batch-0001")
        .await
        .unwrap();
    assert_eq!(first.status(), 200);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let first: Value = first.json().await.unwrap();
    let again = send(enterprise("I-1", "第一次"), "batch-0001")
        .await
        .unwrap();
    assert_eq!(again.status(), 200);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.json::<Value>().await.unwrap(), first);
    let (_, record) = get(&app, &r.token, "/api/catalogue/enterprise/I-1").await;
    assert_eq!(record["current"]["version"], 1);
    assert_eq!(record["history"], json!([]));
    // The same key for a different request is a mistake, not a replay.
    let other = send(enterprise("I-1", "第二次"), "batch-0001")
        .await
        .unwrap();
    assert_eq!(other.status(), 409);
    let (_, record) = get(&app, &r.token, "/api/catalogue/enterprise/I-1").await;
    assert_eq!(record["current"]["record"]["ORG_NAME"], "第一次");
}

async fn re_reports_keep_every_earlier_version(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = reporter(&app, "版本检查机构").await;
    for (i, name) in ["名称一", "名称二", "名称三"].iter().enumerate() {
        app.clock.advance(60);
        let (status, body) = post(
            &app,
            &r.token,
            "/api/catalogue/enterprise",
            &enterprise("V-1", name),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        let expected = if i == 0 { "created" } else { "updated" };
        assert_eq!(body["results"][0]["status"], expected);
        assert_eq!(body["results"][0]["version"], i + 1);
    }
    // The same content again changes nothing.
    let (_, body) = post(
        &app,
        &r.token,
        "/api/catalogue/enterprise",
        &enterprise("V-1", "名称三"),
    )
    .await;
    assert_eq!(body["results"][0]["status"], "unchanged");
    assert_eq!(body["results"][0]["version"], 3);

    let (status, body) = get(&app, &r.token, "/api/catalogue/enterprise/V-1").await;
    assert_eq!(status, 200);
    assert_eq!(body["current"]["version"], 3);
    assert_eq!(body["current"]["record"]["ORG_NAME"], "名称三");
    let history = body["history"].as_array().unwrap();
    let names: Vec<&str> = history
        .iter()
        .map(|v| v["record"]["ORG_NAME"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["名称二", "名称一"]);
    assert!(
        history
            .iter()
            .all(|v| v["current"] == false && v["superseded_at"].is_i64())
    );
    assert!(history[0]["reported_at"].as_i64() > history[1]["reported_at"].as_i64());
    // Listing shows the current version only.
    assert_eq!(count(&app, &r.token, "enterprise").await, 1);
}

async fn a_frozen_organisation_cannot_report(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = reporter(&app, "冻结检查机构").await;
    let admin = app.admin_token().await;
    let (status, body) = post(
        &app,
        &admin,
        &format!("/api/admin/organisations/{}/freeze", r.organisation_id),
        &json!({"reason": "连续三个月未按规则上报"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["frozen_reason"], "连续三个月未按规则上报");

    let (status, body) = post(
        &app,
        &r.token,
        "/api/catalogue/enterprise",
        &enterprise("F-1", "冻结后"),
    )
    .await;
    assert_eq!(status, 423, "{body}");
    assert_eq!(body["type"], "/problems/organisation-frozen");
    assert_eq!(body["reason"], "连续三个月未按规则上报");
    // Reading stays possible; nothing was stored.
    assert_eq!(count(&app, &r.token, "enterprise").await, 0);

    let (status, _) = post(
        &app,
        &admin,
        &format!("/api/admin/organisations/{}/freeze", r.organisation_id),
        &json!({"reason": " "}),
    )
    .await;
    assert_eq!(status, 400, "a freeze needs a reason");
    let (status, _) = post(
        &app,
        &admin,
        &format!("/api/admin/organisations/{}/unfreeze", r.organisation_id),
        &json!({"reason": "已整改"}),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = post(
        &app,
        &r.token,
        "/api/catalogue/enterprise",
        &enterprise("F-1", "解冻后"),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = post(
        &app,
        &r.token,
        "/api/admin/organisations/x/freeze",
        &json!({"reason": "x"}),
    )
    .await;
    assert_eq!(status, 403, "only admins freeze");
}

async fn scopes_guard_each_type(backend: Backend) {
    let app = spawn_app(backend).await;
    let organisation = accounts::create_organisation(
        &app.db,
        "范围检查机构",
        OrganisationKind::Carrier,
        None,
        app.clock.now(),
    )
    .await
    .unwrap();
    let scope = "catalogue:carrier:read catalogue:enterprise:write";
    let client = app
        .register_client(ClientSpec {
            name: "范围检查".into(),
            scope: scope.into(),
            grant_types: Some(vec![GrantType::ClientCredentials]),
            organisation_id: Some(organisation.id.clone()),
            ..Default::default()
        })
        .await;
    let token = app.machine_token(&client, scope).await;
    let (status, body) = post(&app, &token, "/api/catalogue/carrier", &example("carrier")).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["required_scope"], "catalogue:carrier:write");
    let (status, body) = get(&app, &token, "/api/catalogue/enterprise").await;
    assert_eq!(status, 403);
    assert_eq!(body["required_scope"], "catalogue:enterprise:read");
    let (status, _) = get(&app, &token, "/api/catalogue/carrier").await;
    assert_eq!(status, 200);
    let (status, _) = get(&app, "not-a-token", "/api/catalogue/carrier").await;
    assert_eq!(status, 401);
    let (status, body) = get(&app, &token, "/api/catalogue/no-such-type").await;
    assert_eq!(status, 404, "{body}");
    let (status, body) = post(
        &app,
        &token,
        "/api/catalogue/enterprise",
        &enterprise("P-1", "范围检查"),
    )
    .await;
    assert_eq!(status, 200, "{body}");

    // A client of no organisation may neither report nor read: records belong to one.
    let orphan = app.machine_client(scope).await;
    let orphan_token = app.machine_token(&orphan, scope).await;
    let (status, body) = post(
        &app,
        &orphan_token,
        "/api/catalogue/enterprise",
        &enterprise("P-2", "无主"),
    )
    .await;
    assert_eq!(status, 403, "{body}");
    let (status, _) = get(&app, &orphan_token, "/api/catalogue/carrier").await;
    assert_eq!(status, 403);
}

async fn organisations_see_and_change_only_their_own_records(backend: Backend) {
    let app = spawn_app(backend).await;
    let a = reporter(&app, "甲机构").await;
    let b = reporter(&app, "乙机构").await;
    let (status, _) = post(
        &app,
        &a.token,
        "/api/catalogue/enterprise",
        &enterprise("O-1", "甲的"),
    )
    .await;
    assert_eq!(status, 200);
    // Keys are per organisation: the same key from another organisation is that
    // organisation's own record, and says nothing about the first one.
    let (status, body) = post(
        &app,
        &b.token,
        "/api/catalogue/enterprise",
        &enterprise("O-1", "乙的"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["results"][0]["status"], "created");
    assert_eq!(body["results"][0]["key"], "O-1");
    let (_, body) = get(&app, &b.token, "/api/catalogue/enterprise/O-1").await;
    assert_eq!(body["current"]["record"]["ORG_NAME"], "乙的");
    assert_eq!(body["current"]["version"], 1);
    let (_, body) = get(&app, &a.token, "/api/catalogue/enterprise/O-1").await;
    assert_eq!(body["current"]["record"]["ORG_NAME"], "甲的", "untouched");
    assert_eq!(body["history"], json!([]));
    assert_eq!(count(&app, &b.token, "enterprise").await, 1);
    // A key only another organisation has is not found.
    let (status, _) = post(
        &app,
        &a.token,
        "/api/catalogue/enterprise",
        &enterprise("O-2", "甲独有"),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = get(&app, &b.token, "/api/catalogue/enterprise/O-2").await;
    assert_eq!(status, 404);
    // An administrator names the organisation when several report a key.
    let admin = app.admin_token().await;
    let (status, body) = get(&app, &admin, "/api/catalogue/enterprise/O-1").await;
    assert_eq!(status, 409, "{body}");
    let (status, body) = get(
        &app,
        &admin,
        &format!(
            "/api/catalogue/enterprise/O-1?organisation={}",
            b.organisation_id
        ),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["current"]["record"]["ORG_NAME"], "乙的");
    let (status, body) = get(&app, &admin, "/api/catalogue/enterprise/O-2").await;
    assert_eq!(status, 200, "the only owner: {body}");
    assert_eq!(body["current"]["record"]["ORG_NAME"], "甲独有");
    let (_, body) = get(
        &app,
        &admin,
        &format!(
            "/api/catalogue/enterprise?organisation={}",
            b.organisation_id
        ),
    )
    .await;
    assert_eq!(body["items"].as_array().unwrap().len(), 1);
}

async fn the_database_columns_match_the_spec(backend: Backend) {
    let app = spawn_app(backend).await;
    for t in TYPES {
        let columns: Vec<String> = match &app.db {
            idp::db::Db::Sqlite(pool, _) => {
                sqlx::query_scalar(&format!("SELECT name FROM pragma_table_info('{}') ORDER BY cid", t.table()))
                    .fetch_all(pool)
                    .await
                    .unwrap()
            }
            idp::db::Db::Postgres(pool) => sqlx::query_scalar(
                "SELECT column_name::text FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
            )
            .bind(t.table())
            .fetch_all(pool)
            .await
            .unwrap(),
        };
        let mut expected: Vec<String> = idp::catalogue::schema::META_COLUMNS
            .iter()
            .map(|c| (*c).to_owned())
            .collect();
        expected.extend(t.fields.iter().map(|f| f.column()));
        assert_eq!(columns, expected, "{}", t.table());
    }
}

async fn the_spec_is_published(backend: Backend) {
    let app = spawn_app(backend).await;
    let body: Value = app.get("/api/catalogue").await.json().await.unwrap();
    let types = body["types"].as_array().unwrap();
    assert_eq!(types.len(), 19);
    let enterprise = &types[0];
    assert_eq!(enterprise["type"], "enterprise");
    assert_eq!(enterprise["sections"], json!(["1", "4.1"]));
    assert_eq!(enterprise["fields"][1]["name"], "ORG_PROPERTY");
    assert_eq!(
        enterprise["fields"][1]["codes"][0],
        json!({"code": "1", "label_zh": "企业"})
    );
    let fields: usize = types
        .iter()
        .map(|t| t["fields"].as_array().unwrap().len() * t["sections"].as_array().unwrap().len())
        .sum();
    assert_eq!(fields, 328);
}

backend_tests!(
    every_type_round_trips_exactly,
    every_rule_refuses_with_field_and_code_and_stores_nothing,
    unknown_fields_are_named_or_ignored_on_request,
    identity_codes_name_the_form_they_matched,
    links_need_their_parent_which_may_come_earlier_in_the_batch,
    batches_are_atomic_unless_partial_is_asked,
    a_retry_with_the_same_idempotency_key_stores_once,
    re_reports_keep_every_earlier_version,
    a_frozen_organisation_cannot_report,
    scopes_guard_each_type,
    organisations_see_and_change_only_their_own_records,
    the_database_columns_match_the_spec,
    the_spec_is_published,
);
