//! Spreadsheets and records built to exhaust the server: cells far to the right, millions of
//! columns or unknown keys, decompression bombs. Each is refused with a short answer, stores
//! nothing, and the server still answers afterwards.

use std::io::{Cursor, Read, Write};

use integration_tests::{Backend, TestApp, backend_tests, spawn_app};
use serde_json::{Value, json};

use super::{count, reporter};

backend_tests!(
    a_cell_beyond_column_xfd_is_refused_without_sizing_a_row_from_it,
    cells_outside_the_header_are_one_error_per_row,
    a_header_wider_than_the_type_is_refused_before_any_row,
    a_row_or_record_with_a_million_extras_answers_briefly,
    decompression_bombs_are_refused_part_by_part,
    in_lists_and_filters_are_capped,
    csv_exports_neutralise_formulas_and_keep_numbers,
    records_belong_to_organisations_and_link_within_them,
);

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
/// Any of these answers fits in a few kilobytes; the findings were answers of hundreds of MB.
const SHORT_ANSWER: usize = 64 * 1024;

/// A real workbook (rust_xlsxwriter) with the header ORG_ID, ORG_PROPERTY, ORG_NAME,
/// AREA_COUNTY and one good row, whose parts named in `replace` are then swapped for the given
/// XML.
fn workbook(replace: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, title) in ["ORG_ID", "ORG_PROPERTY", "ORG_NAME", "AREA_COUNTY"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, c as u16, *title).unwrap();
    }
    for (c, value) in ["H-1", "1", "好公司", "640104"].iter().enumerate() {
        sheet.write_string(1, c as u16, *value).unwrap();
    }
    let original = book.save_to_buffer().unwrap();
    let mut archive = zip::ZipArchive::new(Cursor::new(original)).unwrap();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    for i in 0..archive.len() {
        let mut part = archive.by_index(i).unwrap();
        let name = part.name().unwrap().into_owned();
        let mut content = Vec::new();
        part.read_to_end(&mut content).unwrap();
        if let Some((_, replacement)) = replace.iter().find(|(n, _)| *n == name) {
            content = replacement.clone();
        }
        out.start_file(name.as_str(), options).unwrap();
        out.write_all(&content).unwrap();
    }
    for (name, content) in replace {
        if archive.index_for_name(name).is_none() {
            out.start_file(*name, options).unwrap();
            out.write_all(content).unwrap();
        }
    }
    out.finish().unwrap().into_inner()
}

/// A worksheet of inline-string cells: `rows` of `(reference, text)`.
fn sheet_xml(rows: &[&[(&str, &str)]]) -> Vec<u8> {
    let mut xml = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#,
    );
    for (r, cells) in rows.iter().enumerate() {
        xml.push_str(&format!(r#"<row r="{}">"#, r + 1));
        for (reference, text) in *cells {
            xml.push_str(&format!(
                r#"<c r="{reference}" t="inlineStr"><is><t>{text}</t></is></c>"#
            ));
        }
        xml.push_str("</row>");
    }
    xml.push_str("</sheetData></worksheet>");
    xml.into_bytes()
}

const HEADER: &[(&str, &str)] = &[
    ("A1", "ORG_ID"),
    ("B1", "ORG_PROPERTY"),
    ("C1", "ORG_NAME"),
    ("D1", "AREA_COUNTY"),
];

async fn import(app: &TestApp, token: &str, content_type: &str, body: Vec<u8>) -> (u16, Value) {
    import_to(app, token, "", content_type, body).await
}

async fn import_to(
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
    let bytes = response.bytes().await.unwrap();
    assert!(
        bytes.len() < SHORT_ANSWER,
        "an answer of {} bytes to a hostile file",
        bytes.len()
    );
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

async fn still_serving(app: &TestApp) {
    let ready = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200, "the server still answers /readyz");
}

async fn a_cell_beyond_column_xfd_is_refused_without_sizing_a_row_from_it(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = reporter(&app, "远列机构").await;
    // The control: the same workbook without the far cell imports.
    let good = workbook(&[]);
    let (status, body) = import(&app, &r.token, XLSX, good).await;
    assert_eq!(status, 200, "{body}");

    for far in ["ZZZZZZ2", "ZZZZZZZ2", "XFE2"] {
        let sheet = sheet_xml(&[HEADER, &[("A2", "F-1"), (far, "x")]]);
        let file = workbook(&[("xl/worksheets/sheet1.xml", sheet)]);
        assert!(file.len() < 8192, "a small file: {} bytes", file.len());
        let (status, body) = import(&app, &r.token, XLSX, file).await;
        assert_eq!(status, 400, "{far}: {body}");
        still_serving(&app).await;
    }
    // A header reaching past the type's fields is refused as too wide.
    let sheet = sheet_xml(&[&[("A1", "ORG_ID"), ("XFD1", "ORG_NAME")]]);
    let (status, body) = import(
        &app,
        &r.token,
        XLSX,
        workbook(&[("xl/worksheets/sheet1.xml", sheet)]),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("16384"), "{body}");
    assert_eq!(count(&app, &r.token, "enterprise").await, 1);
}

async fn cells_outside_the_header_are_one_error_per_row(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = reporter(&app, "越界单元格机构").await;
    let sheet = sheet_xml(&[
        HEADER,
        &[
            ("A2", "E-1"),
            ("B2", "1"),
            ("C2", "甲公司"),
            ("D2", "640104"),
            ("H2", "x"),
            ("XFD2", "y"),
        ],
    ]);
    let (status, body) = import(
        &app,
        &r.token,
        XLSX,
        workbook(&[("xl/worksheets/sheet1.xml", sheet)]),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    let errors = body["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{body}");
    assert_eq!(errors[0]["code"], "extra_cell");
    assert_eq!(errors[0]["index"], 2);
    assert!(
        errors[0]["message_en"]
            .as_str()
            .unwrap()
            .contains("2 cells from column 8"),
        "{body}"
    );
    assert_eq!(count(&app, &r.token, "enterprise").await, 0);
}

async fn a_header_wider_than_the_type_is_refused_before_any_row(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = reporter(&app, "宽表头机构").await;
    // 2.6 million columns in a 5 MB header.
    let mut csv = String::from("ORG_ID");
    for _ in 0..2_600_000 {
        csv.push_str(",x");
    }
    csv.push_str("\nW-1\n");
    let (status, body) = import(&app, &r.token, "text/csv", csv.into_bytes()).await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["detail"].as_str().unwrap().contains("2600001 columns"),
        "{body}"
    );
    // Ignoring unknown columns still has a bound (256).
    let mut csv = String::from("ORG_ID,ORG_PROPERTY,ORG_NAME,AREA_COUNTY");
    for i in 0..300 {
        csv.push_str(&format!(",extra{i}"));
    }
    csv.push_str("\nW-2,1,宽公司,640104\n");
    let (status, body) = import_to(
        &app,
        &r.token,
        "?unknown=ignore",
        "text/csv",
        csv.into_bytes(),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    // Trailing empty titles are no columns: a sheet formatted wider than it is filled.
    let mut csv = String::from("ORG_ID,ORG_PROPERTY,ORG_NAME,AREA_COUNTY");
    csv.push_str(&",".repeat(500));
    csv.push_str("\nW-3,1,宽公司,640104\n");
    let (status, body) = import(&app, &r.token, "text/csv", csv.into_bytes()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(count(&app, &r.token, "enterprise").await, 1);
    still_serving(&app).await;
}

async fn a_row_or_record_with_a_million_extras_answers_briefly(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = reporter(&app, "多余单元格机构").await;
    // One data row with 2.6 million cells past the header.
    let mut csv = String::from("ORG_ID,ORG_PROPERTY,ORG_NAME,AREA_COUNTY\nX-1,1,多列公司,640104");
    for _ in 0..2_600_000 {
        csv.push_str(",x");
    }
    csv.push('\n');
    let (status, body) = import(&app, &r.token, "text/csv", csv.into_bytes()).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["errors"].as_array().unwrap().len(), 1, "{body}");
    assert!(
        body["errors"][0]["message_en"]
            .as_str()
            .unwrap()
            .contains("2600000 cells"),
        "{body}"
    );

    // A JSON record with a million unknown keys: twenty listed, the rest counted.
    let mut record = serde_json::Map::new();
    record.insert("ORG_ID".into(), json!("J-1"));
    for i in 0..1_000_000 {
        record.insert(format!("k{i}"), json!(0));
    }
    let response = app
        .client
        .post(app.url("/api/catalogue/enterprise"))
        .bearer_auth(&r.token)
        .json(&Value::Object(record))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let bytes = response.bytes().await.unwrap();
    assert!(bytes.len() < SHORT_ANSWER, "{} bytes", bytes.len());
    let body: Value = serde_json::from_slice(&bytes).unwrap();
    let errors = body["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 21, "{body}");
    assert_eq!(errors[20]["code"], "more_errors");

    // Across records the answer lists at most 1,000 errors and counts the rest.
    let records: Vec<Value> = (0..2_000)
        .map(|i| json!({"ORG_ID": format!("M-{i}"), "ORG_PROPERTY": "9"}))
        .collect();
    let response = app
        .client
        .post(app.url("/api/catalogue/enterprise"))
        .bearer_auth(&r.token)
        .json(&records)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    let listed = body["errors"].as_array().unwrap().len();
    assert_eq!(listed, 1_000);
    assert!(body["errors_omitted"].as_u64().unwrap() >= 1_000, "{body}");
    assert_eq!(count(&app, &r.token, "enterprise").await, 0);
    still_serving(&app).await;
}

async fn decompression_bombs_are_refused_part_by_part(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = reporter(&app, "炸弹机构").await;

    // One cell of 100,000 characters: past any field of the standard.
    let long = "a".repeat(100_000);
    let sheet = sheet_xml(&[HEADER, &[("A2", "B-1"), ("C2", long.as_str())]]);
    let file = workbook(&[("xl/worksheets/sheet1.xml", sheet)]);
    let (status, body) = import(&app, &r.token, XLSX, file).await;
    assert_eq!(status, 400, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("4,000"), "{body}");

    // A shared-string table that unpacks past its limit (33 MiB from about 100 KB).
    let mut strings = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#,
    );
    let one = "<si><t>aaaaaaaaaaaaaaaaaaaaaaaa</t></si>";
    strings.push_str(&one.repeat(33 * 1024 * 1024 / one.len() + 1));
    strings.push_str("</sst>");
    let file = workbook(&[("xl/sharedStrings.xml", strings.into_bytes())]);
    assert!(file.len() < 1024 * 1024, "{} bytes packed", file.len());
    let (status, body) = import(&app, &r.token, XLSX, file).await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["detail"].as_str().unwrap().contains("sharedStrings"),
        "{body}"
    );

    // A table that declares four billion strings (calamine would reserve room for them).
    let declared = r#"<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="4000000000" uniqueCount="4000000000"><si><t>a</t></si></sst>"#;
    let file = workbook(&[("xl/sharedStrings.xml", declared.as_bytes().to_vec())]);
    let (status, body) = import(&app, &r.token, XLSX, file).await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["detail"].as_str().unwrap().contains("4000000000"),
        "{body}"
    );

    // Any other part past 16 MiB.
    let file = workbook(&[("xl/media/padding.bin", vec![0u8; 17 * 1024 * 1024])]);
    let (status, body) = import(&app, &r.token, XLSX, file).await;
    assert_eq!(status, 400, "{body}");

    // Not a zip at all.
    let (status, body) = import(&app, &r.token, XLSX, b"PK\x03\x04 nonsense".to_vec()).await;
    assert_eq!(status, 400, "{body}");

    assert_eq!(count(&app, &r.token, "enterprise").await, 0);
    still_serving(&app).await;
    // And an ordinary workbook still imports.
    let (status, body) = import(&app, &r.token, XLSX, workbook(&[])).await;
    assert_eq!(status, 200, "{body}");
}

async fn in_lists_and_filters_are_capped(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = reporter(&app, "长列表机构").await;
    let list = |n: usize| {
        (0..n)
            .map(|i| format!("K-{i}"))
            .collect::<Vec<_>>()
            .join(",")
    };
    for (slug, field) in [("enterprise", "ORG_ID"), ("service-org", "ORG_GRADE")] {
        let (status, body) = super::get(
            &app,
            &r.token,
            &format!("/api/catalogue/{slug}?{field}.in={}", list(5_000)),
        )
        .await;
        assert_eq!(status, 400, "{body}");
        assert!(body["detail"].as_str().unwrap().contains("1000"), "{body}");
    }
    let (status, body) = super::get(
        &app,
        &r.token,
        &format!("/api/catalogue/enterprise?ORG_ID.in={}", list(1_000)),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let many: String = (0..51).map(|i| format!("&ORG_NAME.contains={i}")).collect();
    let (status, body) = super::get(
        &app,
        &r.token,
        &format!("/api/catalogue/enterprise?limit=5{many}"),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    still_serving(&app).await;
}

async fn csv_exports_neutralise_formulas_and_keep_numbers(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = reporter(&app, "公式机构").await;
    let mut loan = super::example("bridge-loan");
    loan["Apply_no"] = json!("F-1");
    loan["Comp_name"] = json!("=HYPERLINK(\"http://evil.example\",\"点我\")");
    loan["Comp_legal_name"] = json!("@SUM(A1)");
    loan["Link_name"] = json!("+1");
    loan["Last_year_profit"] = json!("-12.50");
    let (status, body) = super::post(&app, &r.token, "/api/catalogue/bridge-loan", &loan).await;
    assert_eq!(status, 200, "{body}");

    let response = app
        .client
        .get(app.url("/api/catalogue/bridge-loan/export?format=csv"))
        .bearer_auth(&r.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let csv = response.text().await.unwrap();
    assert!(
        csv.contains("\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"点我\"\")\""),
        "{csv}"
    );
    assert!(csv.contains(",'@SUM(A1),"), "{csv}");
    assert!(csv.contains(",'+1,"), "{csv}");
    assert!(
        csv.contains(",-12.50,"),
        "a negative number stays a number: {csv}"
    );
    assert!(!csv.contains(",=HYPERLINK"), "{csv}");

    // The exported file, imported again, keeps the values as they were reported.
    let response = app
        .client
        .post(app.url("/api/catalogue/bridge-loan/import"))
        .bearer_auth(&r.token)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["unchanged"], 1, "{body}");
}

async fn records_belong_to_organisations_and_link_within_them(backend: Backend) {
    let app = spawn_app(backend).await;
    // A client registered for no organisation may neither report nor read.
    let scope = super::all_catalogue_scopes();
    let orphan = app
        .register_client(idp::oauth::clients::ClientSpec {
            name: "无机构客户端".into(),
            scope: scope.clone(),
            grant_types: Some(vec![idp::oauth::clients::GrantType::ClientCredentials]),
            ..Default::default()
        })
        .await;
    let token = app.machine_token(&orphan, &scope).await;
    let (status, body) = super::post(
        &app,
        &token,
        "/api/catalogue/enterprise",
        &super::enterprise("O-1", "无主公司"),
    )
    .await;
    assert_eq!(status, 403, "{body}");
    let (status, _) = super::get(&app, &token, "/api/catalogue/enterprise").await;
    assert_eq!(status, 403);

    // A child links only to a parent of its own organisation.
    let a = reporter(&app, "父记录机构").await;
    let b = reporter(&app, "子记录机构").await;
    let project = super::example("crowdfunding-project");
    let (status, body) = super::post(
        &app,
        &a.token,
        "/api/catalogue/crowdfunding-project",
        &project,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let reward = super::example("crowdfunding-reward");
    let (status, body) = super::post(
        &app,
        &b.token,
        "/api/catalogue/crowdfunding-reward",
        &reward,
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["errors"][0]["code"], "missing_parent", "{body}");
    let (status, body) = super::post(
        &app,
        &a.token,
        "/api/catalogue/crowdfunding-reward",
        &reward,
    )
    .await;
    assert_eq!(status, 200, "{body}");
}
