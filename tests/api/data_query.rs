//! 融资数据查询 over its API on both databases: browse and fuzzy search, select with and/or and
//! parameters, crosstab and multi-dimensional queries with their totals, saved queries rerun
//! and exported; the four changing kinds with their previews, the catalogue's versions and
//! tombstones, and the audit; injection tried in every part of the query model; staff without
//! the data-admin scope and other roles refused.

use std::collections::HashMap;

use idp::clock::Clock;
use integration_tests::{Backend, TestApp, backend_tests, spawn_app};
use serde_json::{Value, json};

use crate::crowdfunding::call;

const Q: &str = "/api/financing/query";

async fn tokens(app: &TestApp, users: &[&str], data_admin: bool) -> HashMap<String, String> {
    let mut scopes = vec!["openid", "financing", "financing:staff"];
    if data_admin {
        scopes.push("financing:data-admin");
    }
    crate::crowdfunding::tokens_through(
        app,
        "openid financing financing:staff financing:data-admin",
        &scopes,
        users,
    )
    .await
}

/// Six bridge loans reported by a test organisation: 银川 ×3, 石嘴山 ×2, 吴忠 ×1 over two months.
async fn seed(app: &TestApp) {
    let rows = [
        ("DQ-1", "测试银川市", "2026-10-08", "100.00"),
        ("DQ-2", "测试银川市", "2026-10-20", "200.50"),
        ("DQ-3", "测试银川市", "2026-11-02", "300.00"),
        ("DQ-4", "测试石嘴山市", "2026-10-15", "50.00"),
        ("DQ-5", "测试石嘴山市", "2026-11-15", "70.00"),
        ("DQ-6", "测试吴忠市", "2026-11-30", "10.25"),
    ];
    let records = rows
        .iter()
        .map(|(no, region, date, amount)| {
            (
                "bridge-loan",
                json!({"Apply_no": no, "Comp_name": format!("{region}企业"), "Bank_region": region,
                       "Apply_date": date, "Loan_apply": amount, "Loan_bank": "宁夏银行"}),
            )
        })
        .collect();
    let mut tx = app.db.begin().await.unwrap();
    idp::catalogue::reporting::write_workflow(
        &mut tx,
        "test",
        records,
        "ORG-DQ",
        "USR-DQ",
        app.clock.now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

fn cond(field: &str, op: &str, value: Value) -> Value {
    let mut c = json!({"field": field, "op": op});
    match value {
        Value::Array(_) => c["values"] = value,
        Value::Object(ref o) if o.contains_key("param") => c["param"] = o["param"].clone(),
        Value::Null => {}
        v => c["value"] = v,
    }
    json!({"cond": c})
}

fn ours() -> Value {
    cond("Apply_no", "prefix", json!("DQ-"))
}

async fn run(app: &TestApp, token: &str, model: Value, arguments: Value) -> (u16, Value) {
    call(
        app,
        "POST",
        token,
        &format!("{Q}/run"),
        Some(json!({"model": model, "arguments": arguments})),
    )
    .await
}

async fn read_kinds(backend: Backend) {
    Box::pin(read_kinds_on(backend)).await
}

async fn read_kinds_on(backend: Backend) {
    let app = spawn_app(backend).await;
    app.load_demo().await;
    seed(&app).await;
    let t = tokens(&app, &["admin", "bank"], false).await;
    let staff = &t["admin"];

    // Datasets with their labels; other roles are refused.
    let (status, datasets) = call(&app, "GET", staff, &format!("{Q}/datasets"), None).await;
    assert_eq!(status, 200);
    let bridge = datasets
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == "catalogue:bridge-loan")
        .unwrap();
    assert_eq!(bridge["title_zh"], "转贷信息");
    assert!(
        bridge["columns"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["name"] == "Loan_apply"
                && c["label_zh"] == "转贷资金申请额度"
                && c["numeric"] == true)
    );
    for id in [
        "workflow:financing-applications",
        "workflow:fund-applications",
        "workflow:crowdfunding-projects",
        "workflow:crowdsourcing-demands",
    ] {
        assert!(
            datasets.as_array().unwrap().iter().any(|d| d["id"] == id),
            "{id}"
        );
        let (status, page) = call(
            &app,
            "GET",
            staff,
            &format!("{Q}/datasets/{id}/rows?limit=5"),
            None,
        )
        .await;
        assert_eq!(status, 200, "{id}: {page}");
    }
    let (status, problem) = call(&app, "GET", &t["bank"], &format!("{Q}/datasets"), None).await;
    assert_eq!(status, 403, "{problem}");

    // Browse and fuzzy search.
    let (status, page) = call(
        &app,
        "GET",
        staff,
        &format!("{Q}/datasets/catalogue:bridge-loan/rows?q=%E6%B5%8B%E8%AF%95%E7%9F%B3%E5%98%B4%E5%B1%B1"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["rows"].as_array().unwrap().len(), 2, "{page}");

    // Select: and/or, a parameter, sort, chosen fields.
    let model = json!({
        "kind": "select", "dataset": "catalogue:bridge-loan",
        "fields": ["Apply_no", "Bank_region", "Loan_apply"],
        "filter": {"and": [ours(), {"or": [
            cond("Bank_region", "eq", json!({"param": "region"})),
            cond("Loan_apply", "lt", json!("20"))
        ]}]},
        "sort": [{"field": "Loan_apply", "desc": true}],
        "parameters": [{"name": "region", "label": "地区", "default": "测试银川市"}]
    });
    let (status, out) = run(&app, staff, model.clone(), json!({})).await;
    assert_eq!(status, 200, "{out}");
    assert_eq!(out["kind"], "select");
    let rows: Vec<Vec<Value>> = serde_json::from_value(out["rows"].clone()).unwrap();
    let nos: Vec<&str> = rows.iter().map(|r| r[0].as_str().unwrap()).collect();
    assert_eq!(nos, ["DQ-3", "DQ-2", "DQ-1", "DQ-6"]);
    assert_eq!(rows[1][2], "200.5");
    let (_, out) = run(
        &app,
        staff,
        model.clone(),
        json!({"region": "测试石嘴山市"}),
    )
    .await;
    let nos: Vec<&str> = out["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r[0].as_str().unwrap())
        .collect();
    assert_eq!(nos, ["DQ-5", "DQ-4", "DQ-6"]);

    // Crosstab: region × month, count, sum and average, with totals.
    let crosstab = json!({
        "kind": "crosstab", "dataset": "catalogue:bridge-loan", "filter": ours(),
        "rows": [{"field": "Bank_region"}], "column": {"field": "Apply_date", "bucket": "month"},
        "measures": [{"aggregate": "count"}, {"aggregate": "sum", "field": "Loan_apply"},
                     {"aggregate": "avg", "field": "Loan_apply"}]
    });
    let (status, x) = run(&app, staff, crosstab.clone(), json!({})).await;
    assert_eq!(status, 200, "{x}");
    assert_eq!(x["columns"], json!(["2026-10", "2026-11"]));
    let yinchuan = x["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["keys"][0] == "测试银川市")
        .unwrap();
    assert_eq!(yinchuan["cells"][0], json!(["2", "300.5", "150.25"]));
    assert_eq!(yinchuan["cells"][1], json!(["1", "300", "300"]));
    assert_eq!(yinchuan["total"], json!(["3", "600.5", "200.1667"]));
    let wuzhong = x["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["keys"][0] == "测试吴忠市")
        .unwrap();
    assert_eq!(wuzhong["cells"][0], json!([null, null, null]));
    assert_eq!(x["column_totals"][0], json!(["3", "350.5", "116.8333"]));
    assert_eq!(x["grand_total"], json!(["6", "730.75", "121.7917"]));

    // Multi-dimensional: region, month with subtotals and the grand total.
    let groups = json!({
        "kind": "groups", "dataset": "catalogue:bridge-loan", "filter": ours(),
        "rows": [{"field": "Bank_region"}, {"field": "Apply_date", "bucket": "month"}],
        "measures": [{"aggregate": "sum", "field": "Loan_apply"}, {"aggregate": "max", "field": "Loan_apply"}]
    });
    let (status, g) = run(&app, staff, groups, json!({})).await;
    assert_eq!(status, 200, "{g}");
    let lines: Vec<(u64, Value, Value)> = g["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["level"].as_u64().unwrap(),
                r["keys"].clone(),
                r["values"].clone(),
            )
        })
        .collect();
    assert_eq!(lines.len(), 5 + 3 + 1, "{g}");
    assert_eq!(
        lines[0],
        (
            2,
            json!(["测试吴忠市", "2026-11"]),
            json!(["10.25", "10.25"])
        )
    );
    assert_eq!(
        lines[1],
        (1, json!(["测试吴忠市", null]), json!(["10.25", "10.25"]))
    );
    assert_eq!(
        lines[4],
        (1, json!(["测试石嘴山市", null]), json!(["120", "70"]))
    );
    assert_eq!(
        lines[7],
        (1, json!(["测试银川市", null]), json!(["600.5", "300"]))
    );
    assert_eq!(lines[8], (0, json!([null, null]), json!(["730.75", "300"])));

    // Saved, listed, rerun with another value, exported.
    let (status, saved) = call(
        &app,
        "POST",
        staff,
        &format!("{Q}/saved"),
        Some(json!({"name": "各地区转贷", "shared": true, "model": model})),
    )
    .await;
    assert_eq!(status, 201, "{saved}");
    let id = saved["id"].as_str().unwrap();
    let (status, again) = call(
        &app,
        "POST",
        staff,
        &format!("{Q}/saved"),
        Some(json!({"name": "各地区转贷", "model": crosstab})),
    )
    .await;
    assert_eq!(status, 409, "{again}");
    let (_, list) = call(&app, "GET", staff, &format!("{Q}/saved"), None).await;
    assert!(list.as_array().unwrap().iter().any(|q| q["id"] == id));
    let (status, out) = call(
        &app,
        "POST",
        staff,
        &format!("{Q}/saved/{id}/run"),
        Some(json!({"arguments": {"region": "测试吴忠市"}})),
    )
    .await;
    assert_eq!(status, 200, "{out}");
    assert_eq!(out["rows"].as_array().unwrap().len(), 1);
    let csv = app
        .client
        .get(app.url(&format!("{Q}/saved/{id}/export?format=csv&region=%E6%B5%8B%E8%AF%95%E7%9F%B3%E5%98%B4%E5%B1%B1%E5%B8%82")))
        .bearer_auth(staff)
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), 200);
    let text = csv.text().await.unwrap();
    assert!(text.contains("转贷资金申请额度 Loan_apply"), "{text}");
    assert_eq!(text.lines().count(), 1 + 3, "{text}");
    let xlsx = app
        .client
        .post(app.url(&format!("{Q}/export?format=xlsx")))
        .bearer_auth(staff)
        .json(&json!({"model": crosstab}))
        .send()
        .await
        .unwrap();
    assert_eq!(xlsx.status(), 200);
    assert!(xlsx.bytes().await.unwrap().starts_with(b"PK"));

    // A workflow table is queried the same way.
    let (status, out) = run(
        &app,
        staff,
        json!({"kind": "groups", "dataset": "workflow:financing-applications",
               "rows": [{"field": "PRODUCT"}], "measures": [{"aggregate": "count"}]}),
        json!({}),
    )
    .await;
    assert_eq!(status, 200, "{out}");
    assert!(
        out["rows"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["keys"][0] == "bridge")
    );

    Box::pin(injection(&app, staff)).await;
    // Nothing above changed a row.
    let (_, page) = run(
        &app,
        staff,
        json!({"kind": "select", "dataset": "catalogue:bridge-loan", "filter": ours()}),
        json!({}),
    )
    .await;
    assert_eq!(page["rows"].as_array().unwrap().len(), 6);
}

/// Hostile text in every part of the model is refused or bound, never run.
async fn injection(app: &TestApp, staff: &str) {
    let evil = "Loan_apply\" ; DROP TABLE cat_bridge_loan; --";
    let base = |patch: Value| {
        let mut m = json!({"kind": "select", "dataset": "catalogue:bridge-loan", "filter": ours()});
        for (k, v) in patch.as_object().unwrap() {
            m[k] = v.clone();
        }
        m
    };
    let refused = [
        base(json!({"dataset": "catalogue:bridge-loan; DROP TABLE users"})),
        base(json!({"fields": [evil]})),
        base(json!({"filter": cond(evil, "eq", json!("1"))})),
        base(
            json!({"filter": {"cond": {"field": "Loan_apply", "op": "= 1 OR 1=1 --", "value": "1"}}}),
        ),
        base(json!({"filter": cond("Loan_apply", "gt", json!("1 OR 1=1"))})),
        base(json!({"sort": [{"field": evil}]})),
        base(
            json!({"filter": cond("Bank_region", "eq", json!({"param": "x'; DROP TABLE users; --"}))}),
        ),
        json!({"kind": "crosstab", "dataset": "catalogue:bridge-loan", "rows": [{"field": evil}],
               "column": {"field": "Apply_date"}, "measures": [{"aggregate": "count"}]}),
        json!({"kind": "groups", "dataset": "catalogue:bridge-loan", "rows": [{"field": "Bank_region"}],
               "measures": [{"aggregate": "sum", "field": evil}]}),
        json!({"kind": "groups", "dataset": "catalogue:bridge-loan", "rows": [{"field": "Bank_region", "bucket": "1); DROP TABLE users; --"}],
               "measures": [{"aggregate": "count"}]}),
        json!({"kind": "groups", "dataset": "catalogue:bridge-loan", "rows": [{"field": "Bank_region"}],
               "measures": [{"aggregate": "count(*)); DROP TABLE users; --"}]}),
    ];
    for model in refused {
        let (status, problem) = run(app, staff, model.clone(), json!({})).await;
        assert!(
            (400..500).contains(&status),
            "{model} gave {status} {problem}"
        );
        assert!(
            problem["detail"].is_string() || problem["title"].is_string(),
            "{problem}"
        );
    }
    // An undeclared argument is refused; a hostile value is only ever a value.
    let (status, _) = run(
        app,
        staff,
        base(json!({})),
        json!({"x\"; DROP TABLE users; --": "1"}),
    )
    .await;
    assert_eq!(status, 400);
    for value in ["' OR '1'='1", "测试银川市' --", "%", "_"] {
        let (status, out) = run(
            app,
            staff,
            base(json!({"filter": {"and": [ours(), cond("Bank_region", "eq", json!(value))]}})),
            json!({}),
        )
        .await;
        assert_eq!(status, 200, "{out}");
        assert_eq!(out["rows"].as_array().unwrap().len(), 0, "{value}");
        let (_, out) = run(
            app,
            staff,
            base(
                json!({"filter": {"and": [ours(), cond("Bank_region", "contains", json!(value))]}}),
            ),
            json!({}),
        )
        .await;
        assert_eq!(out["rows"].as_array().unwrap().len(), 0, "{value}");
    }
    // Too many conditions, too deep a nesting: bounded.
    let many: Vec<Value> = (0..60)
        .map(|i| cond("Bank_region", "eq", json!(i.to_string())))
        .collect();
    let (status, _) = run(app, staff, base(json!({"filter": {"or": many}})), json!({})).await;
    assert_eq!(status, 400);
    let mut deep = ours();
    for _ in 0..10 {
        deep = json!({"not": deep});
    }
    let (status, _) = run(app, staff, base(json!({"filter": deep})), json!({})).await;
    assert_eq!(status, 400);
}

async fn versions(app: &TestApp, key_suffix: &str) -> Vec<(i64, bool, Option<String>)> {
    let sql = "SELECT version, is_current, loan_bank FROM cat_bridge_loan WHERE record_key LIKE $1 ORDER BY version";
    let pattern = format!("%{key_suffix}");
    idp::with_pool!(&app.db, pool => {
        sqlx::query_as::<_, (i64, bool, Option<String>)>(sql)
            .bind(&pattern)
            .fetch_all(pool)
            .await
            .unwrap()
    })
}

fn change(kind: &str, query: Value, extra: Value) -> Value {
    let mut body = json!({"kind": kind, "query": query});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    body
}

fn shizuishan() -> Value {
    json!({"kind": "select", "dataset": "catalogue:bridge-loan",
        "filter": {"and": [ours(), cond("Bank_region", "eq", json!("测试石嘴山市"))]}})
}

async fn changing_kinds(backend: Backend) {
    let app = spawn_app(backend).await;
    app.load_demo().await;
    seed(&app).await;
    let admin = tokens(&app, &["admin", "bank"], true).await;
    let staff_only = tokens(&app, &["admin"], false).await;
    Box::pin(refused_changes(&app, &staff_only["admin"], &admin["bank"])).await;
    let token = &admin["admin"];
    Box::pin(updates(&app, token)).await;
    Box::pin(deletes(&app, token)).await;
    Box::pin(snapshots_and_appends(&app, token)).await;
    Box::pin(audited(&app, token)).await;
}

async fn refused_changes(app: &TestApp, staff_only: &str, bank: &str) {
    let update = change(
        "update",
        shizuishan(),
        json!({"set": [{"field": "Loan_bank", "value": "石嘴山银行"}]}),
    );
    // Only administrators holding financing:data-admin.
    for t in [staff_only, bank] {
        let (status, problem) = call(
            app,
            "POST",
            t,
            &format!("{Q}/changes/preview"),
            Some(update.clone()),
        )
        .await;
        assert_eq!(status, 403, "{problem}");
        let mut run = update.clone();
        run["confirm_rows"] = json!(2);
        let (status, _) = call(app, "POST", t, &format!("{Q}/changes"), Some(run)).await;
        assert_eq!(status, 403);
    }
    assert_eq!(versions(app, "DQ-4").await.len(), 1);
}

async fn updates(app: &TestApp, token: &str) {
    let update = change(
        "update",
        shizuishan(),
        json!({"set": [{"field": "Loan_bank", "value": "石嘴山银行"}]}),
    );
    // Update: preview, a stale confirmation refused, then run: a new version each.
    let (status, preview) = call(
        app,
        "POST",
        token,
        &format!("{Q}/changes/preview"),
        Some(update.clone()),
    )
    .await;
    assert_eq!(status, 200, "{preview}");
    assert_eq!(preview["rows"], 2);
    assert_eq!(preview["sample"]["rows"].as_array().unwrap().len(), 2);
    let mut stale = update.clone();
    stale["confirm_rows"] = json!(3);
    let (status, problem) = call(app, "POST", token, &format!("{Q}/changes"), Some(stale)).await;
    assert_eq!(status, 409, "{problem}");
    assert_eq!(problem["rows"], 2);
    assert_eq!(versions(app, "DQ-4").await.len(), 1);
    let mut go = update.clone();
    go["confirm_rows"] = json!(2);
    let (status, done) = call(app, "POST", token, &format!("{Q}/changes"), Some(go)).await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["rows_touched"], 2);
    assert_eq!(
        versions(app, "DQ-4").await,
        [
            (1, false, Some("宁夏银行".into())),
            (2, true, Some("石嘴山银行".into()))
        ]
    );

    // Refusals change nothing: a value the catalogue refuses, a key field.
    let bad = change(
        "update",
        shizuishan(),
        json!({"set": [{"field": "Apply_date", "value": "昨天"}], "confirm_rows": 2}),
    );
    let (status, problem) = call(app, "POST", token, &format!("{Q}/changes"), Some(bad)).await;
    assert_eq!(status, 422, "{problem}");
    assert!(
        problem["errors"].to_string().contains("Apply_date"),
        "{problem}"
    );
    let key = change(
        "update",
        shizuishan(),
        json!({"set": [{"field": "Apply_no", "value": "X"}], "confirm_rows": 2}),
    );
    let (status, _) = call(app, "POST", token, &format!("{Q}/changes"), Some(key)).await;
    assert_eq!(status, 400);
    assert_eq!(versions(app, "DQ-4").await.len(), 2);
}

async fn deletes(app: &TestApp, token: &str) {
    // Delete: a tombstone version; the record leaves listings but keeps its history.
    let wuzhong = json!({"kind": "select", "dataset": "catalogue:bridge-loan",
        "filter": {"and": [ours(), cond("Bank_region", "eq", json!("测试吴忠市"))]}});
    let (_, preview) = call(
        app,
        "POST",
        token,
        &format!("{Q}/changes/preview"),
        Some(change("delete", wuzhong.clone(), json!({}))),
    )
    .await;
    assert_eq!(preview["rows"], 1);
    let (status, done) = call(
        app,
        "POST",
        token,
        &format!("{Q}/changes"),
        Some(change(
            "delete",
            wuzhong.clone(),
            json!({"confirm_rows": 1}),
        )),
    )
    .await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(
        versions(app, "DQ-6").await,
        [(1, false, Some("宁夏银行".into())), (2, false, None)]
    );
    let (_, out) = run(
        app,
        token,
        json!({"kind": "select", "dataset": "catalogue:bridge-loan", "filter": ours()}),
        json!({}),
    )
    .await;
    assert_eq!(out["rows"].as_array().unwrap().len(), 5);
    // Reported again, it comes back as its next version.
    let mut tx = app.db.begin().await.unwrap();
    idp::catalogue::reporting::write_workflow(
        &mut tx,
        "test",
        vec![(
            "bridge-loan",
            json!({"Apply_no": "DQ-6", "Comp_name": "回来了", "Loan_bank": "吴忠银行"}),
        )],
        "ORG-DQ",
        "USR-DQ",
        app.clock.now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        versions(app, "DQ-6").await.last().unwrap(),
        &(3, true, Some("吴忠银行".into()))
    );
}

async fn snapshots_and_appends(app: &TestApp, token: &str) {
    // Make-table: a named snapshot, browsed and queried like any dataset.
    let all_fields = change(
        "make_table",
        shizuishan(),
        json!({"name": "shizuishan", "confirm_rows": 2}),
    );
    let (status, done) = call(
        app,
        "POST",
        token,
        &format!("{Q}/changes"),
        Some(all_fields.clone()),
    )
    .await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["dataset"], "snapshot:shizuishan");
    let (status, _) = call(
        app,
        "POST",
        token,
        &format!("{Q}/changes"),
        Some(all_fields),
    )
    .await;
    assert_eq!(status, 409);
    let (_, page) = call(
        app,
        "GET",
        token,
        &format!("{Q}/datasets/snapshot:shizuishan/rows"),
        None,
    )
    .await;
    assert_eq!(page["rows"].as_array().unwrap().len(), 2, "{page}");
    let (status, g) = run(app, token, json!({"kind": "groups", "dataset": "snapshot:shizuishan",
        "rows": [{"field": "Loan_bank"}], "measures": [{"aggregate": "sum", "field": "Loan_apply"}]}), json!({})).await;
    assert_eq!(status, 200, "{g}");
    assert_eq!(g["rows"][0]["keys"], json!(["石嘴山银行"]));
    assert_eq!(g["rows"][0]["values"], json!(["120"]));

    // Append: through the catalogue's validation, for an organisation that exists.
    let org: String = idp::with_pool!(&app.db, pool => {
        sqlx::query_scalar("SELECT id FROM organisations WHERE kind = 'enterprise' ORDER BY id LIMIT 1")
            .fetch_one(pool).await.unwrap()
    });
    let from_snapshot = json!({"kind": "select", "dataset": "snapshot:shizuishan"});
    let broken = change(
        "append",
        from_snapshot.clone(),
        json!({
        "target": "catalogue:bridge-loan", "organisation_id": org, "confirm_rows": 2,
        "mapping": {"Apply_no": "Apply_no", "Comp_name": "Comp_name", "Apply_date": "Bank_region"}}),
    );
    let (status, problem) = call(app, "POST", token, &format!("{Q}/changes"), Some(broken)).await;
    assert_eq!(status, 422, "{problem}");
    let appended = change(
        "append",
        from_snapshot,
        json!({
        "target": "catalogue:bridge-loan", "organisation_id": org, "confirm_rows": 2}),
    );
    let (status, done) = call(app, "POST", token, &format!("{Q}/changes"), Some(appended)).await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["rows_touched"], 2);
    let (_, out) = run(
        app,
        token,
        json!({"kind": "select", "dataset": "catalogue:bridge-loan",
        "filter": {"and": [ours(), cond("ORGANISATION_ID", "eq", json!(org))]}}),
        json!({}),
    )
    .await;
    assert_eq!(out["rows"].as_array().unwrap().len(), 2, "{out}");
}

async fn audited(app: &TestApp, token: &str) {
    // The audit: who, what, how many, which records; failed runs left none.
    let (status, audit) = call(app, "GET", token, &format!("{Q}/audit"), None).await;
    assert_eq!(status, 200);
    let kinds: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["append", "make_table", "delete", "update"]);
    let update_entry = audit.as_array().unwrap().last().unwrap();
    assert_eq!(update_entry["rows_touched"], 2);
    assert!(update_entry["keys"].as_str().unwrap().contains("DQ-4"));
    assert!(
        update_entry["model"]
            .as_str()
            .unwrap()
            .contains("石嘴山银行")
    );
    let admin_id: String = idp::with_pool!(&app.db, pool => {
        sqlx::query_scalar("SELECT id FROM users WHERE username = 'admin'").fetch_one(pool).await.unwrap()
    });
    assert_eq!(update_entry["user_id"], admin_id);
}

backend_tests!(read_kinds, changing_kinds, console_page);

/// The console page: browse with the search box, a crosstab from the builder form with its
/// chart data and export, saving it, and an update previewed and run from the page.
async fn console_page(backend: Backend) {
    Box::pin(console_page_on(backend)).await
}

async fn console_page_on(backend: Backend) {
    use integration_tests::{hidden_field, page_text};
    let app = spawn_app(backend).await;
    app.load_demo().await;
    seed(&app).await;
    let admin = app.demo_browser("admin").await;
    let page = page_text(&admin, app.url("/console/financing/query?dataset=catalogue:bridge-loan&q=%E6%B5%8B%E8%AF%95%E5%90%B4%E5%BF%A0")).await;
    assert!(
        page.contains("融资数据查询") && page.contains("DQ-6") && !page.contains("DQ-5"),
        "{page}"
    );
    assert!(page.contains("转贷资金申请额度 Loan_apply"));
    let crosstab = "/console/financing/query?kind=crosstab&dataset=catalogue:bridge-loan&f1=Apply_no&o1=prefix&v1=DQ-&r1=Bank_region&c=Apply_date&cb=month&m1=sum&mf1=Loan_apply";
    let page = page_text(&admin, app.url(crosstab)).await;
    assert!(
        page.contains("2026-10 sum(Loan_apply)") && page.contains("730.75"),
        "{page}"
    );
    assert!(page.contains("id=\"statistics\""), "{page}");
    let csv = admin
        .get(app.url(&crosstab.replace(
            "/console/financing/query?",
            "/console/financing/query/export.csv?",
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), 200);
    assert!(csv.text().await.unwrap().contains("730.75"));
    // A bad operator is a readable message, not an error page.
    let page = page_text(&admin, app.url("/console/financing/query?kind=select&dataset=catalogue:bridge-loan&f1=Apply_no&o1=drop")).await;
    assert!(page.contains("不支持的条件"), "{page}");

    // Save it.
    let page = page_text(&admin, app.url(crosstab)).await;
    let csrf = hidden_field(&page, "csrf_token");
    let model = hidden_field(&page, "model_json")
        .replace("&quot;", "\"")
        .replace("&#34;", "\"");
    let saved = admin
        .post(app.url("/console/financing/query/saved"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("name", "地区×月份"),
            ("model_json", model.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), 303, "{}", saved.text().await.unwrap());
    let location = saved.headers()["location"].to_str().unwrap().to_owned();
    let page = page_text(&admin, app.url(&location)).await;
    assert!(
        page.contains("地区×月份") && page.contains("730.75"),
        "{page}"
    );

    // An update previewed and run from the page.
    let page = page_text(&admin, app.url("/console/financing/query")).await;
    let csrf = hidden_field(&page, "csrf_token");
    let preview = admin
        .post(app.url("/console/financing/query/changes"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("action", "preview"),
            ("change", "update"),
            ("dataset", "catalogue:bridge-loan"),
            ("f1", "Bank_region"),
            ("o1", "eq"),
            ("v1", "测试吴忠市"),
            ("set_field", "Loan_bank"),
            ("set_value", "吴忠农商银行"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(preview.status(), 200);
    let preview = preview.text().await.unwrap();
    assert!(preview.contains("将涉及 1 行"), "{preview}");
    let csrf = hidden_field(&preview, "csrf_token");
    let request = hidden_field(&preview, "request_json")
        .replace("&quot;", "\"")
        .replace("&#34;", "\"");
    let done = admin
        .post(app.url("/console/financing/query/changes"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("action", "run"),
            ("request_json", request.as_str()),
            ("confirm_rows", "1"),
        ])
        .send()
        .await
        .unwrap();
    let done = done.text().await.unwrap();
    assert!(
        done.contains("已执行") && done.contains("涉及 1 行"),
        "{done}"
    );
    assert_eq!(
        versions(&app, "DQ-6").await.last().unwrap(),
        &(2, true, Some("吴忠农商银行".into()))
    );
    // Others are refused the page.
    let enterprise = app.demo_browser("enterprise").await;
    let r = enterprise
        .get(app.url("/console/financing/query"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}
