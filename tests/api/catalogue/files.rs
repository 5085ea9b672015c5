//! Spreadsheet import (CSV in UTF-8 and GBK, XLSX) and export (CSV, XLSX).

use integration_tests::{Backend, TestApp, backend_tests, spawn_app};
use serde_json::Value;

use super::{count, get, reporter};

const HEADER: &str = "ORG_ID,ORG_PROPERTY,ORG_NAME,AREA_COUNTY,REGISTER_ASSET_IGNORED\n";

fn csv_rows() -> String {
    let mut csv = String::from("ORG_ID,ORG_PROPERTY,ORG_NAME,AREA_COUNTY,OPENED_TIME,TEL\n");
    csv.push_str("C-1,1,宁夏银川第一家公司,640104,2020-01,0951-1234567\n");
    csv.push_str("C-2,2,\"固原市某事业单位，含逗号\",640402,2021-12,13800000000\n");
    csv.push_str("C-3,5,中卫沙坡头民办非企业,640502,,\n");
    csv
}

async fn import(
    app: &TestApp,
    token: &str,
    query: &str,
    content_type: &str,
    body: Vec<u8>,
) -> (u16, Value) {
    let response = app
        .client
        .post(app.url(&format!("/api/catalogue/enterprise/import{query}")))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn csv_in_utf8_and_gbk_imports_the_same_records(backend: Backend) {
    let app = spawn_app(backend).await;
    let a = reporter(&app, "导入机构甲").await;
    let (status, body) = import(&app, &a.token, "", "text/csv", csv_rows().into_bytes()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["created"], 3);
    let (_, record) = get(&app, &a.token, "/api/catalogue/enterprise/C-2").await;
    assert_eq!(
        record["current"]["record"]["ORG_NAME"],
        "固原市某事业单位，含逗号"
    );
    assert_eq!(record["current"]["source"], "import");

    // The same file as Chinese Excel saves it: GBK, from another organisation.
    let b = reporter(&app, "导入机构乙").await;
    let gbk_text = csv_rows().replace("C-", "G-");
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(&gbk_text);
    assert!(!unmappable);
    assert!(
        std::str::from_utf8(&gbk).is_err(),
        "the sample really is GBK"
    );
    let (status, body) = import(&app, &b.token, "", "text/csv", gbk.into_owned()).await;
    assert_eq!(status, 200, "{body}");
    let (_, record) = get(&app, &b.token, "/api/catalogue/enterprise/G-2").await;
    assert_eq!(
        record["current"]["record"]["ORG_NAME"],
        "固原市某事业单位，含逗号"
    );

    // A UTF-8 file with a byte order mark and Chinese column titles.
    let c = reporter(&app, "导入机构丙").await;
    let titled = "\u{feff}服务对象编码,服务对象名称,单位性质\nT-1,标题为中文的公司,1\n".to_owned();
    let (status, body) = import(
        &app,
        &c.token,
        "",
        "text/csv; charset=utf-8",
        titled.into_bytes(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["created"], 1);
}

async fn an_import_with_a_bad_row_stores_nothing_unless_partial(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = reporter(&app, "导入校验机构").await;
    let mut csv = csv_rows();
    csv.push_str("C-4,7,单位性质错误的公司,640104,2020-01,\n");
    let (status, body) = import(&app, &r.token, "", "text/csv", csv.clone().into_bytes()).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        body["errors"][0]["index"], 5,
        "the file's line number: {body}"
    );
    assert_eq!(body["errors"][0]["field"], "ORG_PROPERTY");
    assert_eq!(count(&app, &r.token, "enterprise").await, 0);
    let (status, body) = import(
        &app,
        &r.token,
        "?mode=partial",
        "text/csv",
        csv.into_bytes(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (body["created"].as_u64(), body["refused"].as_u64()),
        (Some(3), Some(1))
    );
    assert_eq!(count(&app, &r.token, "enterprise").await, 3);

    let (status, body) = import(&app, &r.token, "", "text/csv", HEADER.as_bytes().to_vec()).await;
    assert_eq!(status, 422, "an unknown column is refused: {body}");
    assert_eq!(body["errors"][0]["field"], "REGISTER_ASSET_IGNORED");
    let (status, _) = import(&app, &r.token, "", "application/pdf", b"%PDF".to_vec()).await;
    assert_eq!(status, 415);
}

fn xlsx_bytes() -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    for (c, title) in ["ORG_ID", "ORG_NAME", "OPENED_TIME", "TEL", "AREA_COUNTY"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, c as u16, *title).unwrap();
    }
    sheet.write_string(1, 0, "X-1").unwrap();
    sheet.write_string(1, 1, "表格导入的公司").unwrap();
    sheet.write_string(1, 2, "2018-05").unwrap();
    // A phone typed as a number in Excel comes back without a decimal point.
    sheet.write_number(1, 3, 13800000000.0).unwrap();
    sheet.write_number(1, 4, 640106.0).unwrap();
    sheet.write_string(2, 0, "X-2").unwrap();
    sheet.write_string(2, 1, "第二家").unwrap();
    workbook.save_to_buffer().unwrap()
}

async fn xlsx_imports_and_exports(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = reporter(&app, "表格机构").await;
    let (status, body) = import(
        &app,
        &r.token,
        "",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        xlsx_bytes(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["created"], 2);
    let (_, record) = get(&app, &r.token, "/api/catalogue/enterprise/X-1").await;
    assert_eq!(record["current"]["record"]["TEL"], "13800000000");
    assert_eq!(record["current"]["record"]["AREA_COUNTY"], "640106");

    // CSV export, element names as titles, filters applied.
    let csv = app
        .client
        .get(app.url("/api/catalogue/enterprise/export?format=csv&ORG_NAME.contains=表格"))
        .bearer_auth(&r.token)
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), 200);
    assert!(
        csv.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let text = csv.text().await.unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with("ORG_ID,ORG_PROPERTY,ORG_CODE,ORG_NAME"),
        "{text}"
    );
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[1].starts_with("X-1,"));

    // Chinese titles on request; the file imports again as it is.
    let zh = app
        .client
        .get(app.url("/api/catalogue/enterprise/export?titles=zh"))
        .bearer_auth(&r.token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(zh.starts_with("\u{feff}服务对象编码,单位性质"), "{zh}");

    let xlsx = app
        .client
        .get(app.url("/api/catalogue/enterprise/export?format=xlsx"))
        .bearer_auth(&r.token)
        .send()
        .await
        .unwrap();
    assert_eq!(xlsx.status(), 200);
    let bytes = xlsx.bytes().await.unwrap();
    assert_eq!(&bytes[..2], b"PK", "an XLSX file is a zip");
    // Exported XLSX imports into another organisation unchanged.
    let other = reporter(&app, "表格机构乙").await;
    let (status, body) = import(
        &app,
        &other.token,
        "?format=xlsx",
        "application/octet-stream",
        bytes.to_vec(),
    )
    .await;
    assert_eq!(status, 200, "keys are per organisation: {body}");
    assert_eq!(body["created"], 2, "{body}");
}

backend_tests!(
    csv_in_utf8_and_gbk_imports_the_same_records,
    an_import_with_a_bad_row_stores_nothing_unless_partial,
    xlsx_imports_and_exports,
);
