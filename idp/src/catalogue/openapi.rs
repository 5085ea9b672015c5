//! The catalogue's part of `/api/openapi.json`, generated from the spec: a schema per record
//! type and the reporting, query, import and export paths of each, with their scopes.

use serde_json::{Map, Value, json};

use super::spec::{Field, Kind, Length, RecordType, TYPES};

fn schema_name(t: &RecordType) -> String {
    let mut name = String::new();
    for part in t.slug.split('-') {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            name.extend(first.to_uppercase());
            name.push_str(chars.as_str());
        }
    }
    name + "Record"
}

fn field_schema(f: &Field) -> Value {
    let mut description = f.label_zh.to_owned();
    if let Some(unit) = f.unit {
        description.push_str(&format!("（{unit}）"));
    }
    let mut s = Map::new();
    match f.kind {
        Kind::Integer => {
            s.insert("oneOf".into(), json!([{"type": "integer", "minimum": 0}, {"type": "string", "pattern": "^[0-9]+$"}]));
        }
        Kind::Decimal {
            precision,
            scale,
            signed,
        } => {
            let sign = if signed { "-?" } else { "" };
            let int = precision - scale;
            s.insert("type".into(), json!("string"));
            s.insert(
                "pattern".into(),
                json!(format!("^{sign}[0-9]{{1,{int}}}(\\.[0-9]{{1,{scale}}})?$")),
            );
            description.push_str(&format!(" Number({precision},{scale})"));
        }
        Kind::Date => {
            s.insert("type".into(), json!("string"));
            s.insert("format".into(), json!("date"));
        }
        Kind::Month => {
            s.insert("type".into(), json!("string"));
            s.insert("pattern".into(), json!("^[0-9]{4}-[0-9]{2}$"));
        }
        Kind::DateTime => {
            s.insert("type".into(), json!("string"));
            s.insert(
                "pattern".into(),
                json!("^[0-9]{4}-[0-9]{2}-[0-9]{2}[ T]?[0-9]{2}:[0-9]{2}(:[0-9]{2})?$"),
            );
        }
        Kind::Enum(codes) => {
            s.insert("type".into(), json!("string"));
            s.insert("enum".into(), codes.iter().map(|(c, _)| json!(c)).collect());
            let listed: Vec<String> = codes.iter().map(|(c, l)| format!("{c} {l}")).collect();
            description.push_str(&format!("：{}", listed.join("；")));
        }
        Kind::MultiEnum(codes) => {
            s.insert("type".into(), json!("string"));
            let listed: Vec<String> = codes.iter().map(|(c, l)| format!("{c} {l}")).collect();
            description.push_str(&format!("：{}（多个用 ; 分隔）", listed.join("；")));
        }
        Kind::Email => {
            s.insert("type".into(), json!("string"));
            s.insert("format".into(), json!("email"));
        }
        _ => {
            s.insert("type".into(), json!("string"));
        }
    }
    match f.length {
        Length::Max(n) if !matches!(f.kind, Kind::Integer) => {
            s.insert("maxLength".into(), json!(n));
        }
        Length::Exact(n) => {
            s.insert("minLength".into(), json!(n));
            s.insert("maxLength".into(), json!(n));
        }
        _ => {}
    }
    s.insert("description".into(), json!(description));
    Value::Object(s)
}

fn record_schema(t: &RecordType) -> Value {
    let properties: Map<String, Value> = t
        .fields
        .iter()
        .map(|f| (f.name.to_owned(), field_schema(f)))
        .collect();
    let required: Vec<&str> = t
        .fields
        .iter()
        .filter(|f| f.required)
        .map(|f| f.name)
        .collect();
    json!({
        "type": "object",
        "description": format!("{} {}（{}），编码 {}", t.sections.join("/"), t.name_zh, t.name_en, t.key.join(" + ")),
        "properties": properties,
        "required": required,
        "additionalProperties": false,
        "example": serde_json::from_str::<Value>(t.example).unwrap_or_default(),
    })
}

fn problem(description: &str) -> Value {
    json!({"description": description, "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}})
}

fn paths_for(t: &RecordType) -> Vec<(String, Value)> {
    let schema = json!({"$ref": format!("#/components/schemas/{}", schema_name(t))});
    let write = json!([{"bearer": [t.write_scope()]}]);
    let read = json!([{"bearer": [t.read_scope()]}, {"bearer": [crate::oauth::scopes::ADMIN]}]);
    let tag = json!([format!("{} {}", t.sections.join("/"), t.name_zh)]);
    let base = format!("/api/catalogue/{}", t.slug);
    vec![
        (
            base.clone(),
            json!({
                "post": {
                    "tags": tag, "security": write,
                    "summary": format!("上报{} / Report {} records", t.name_zh, t.name_en),
                    "parameters": [
                        {"name": "mode", "in": "query", "schema": {"type": "string", "enum": ["atomic", "partial"]}},
                        {"name": "unknown", "in": "query", "schema": {"type": "string", "enum": ["refuse", "ignore"]}},
                        {"name": "Idempotency-Key", "in": "header", "schema": {"type": "string", "maxLength": 255}}
                    ],
                    "requestBody": {"required": true, "content": {"application/json": {"schema": {"oneOf": [schema, {"type": "array", "maxItems": 10000, "items": schema}]}}}},
                    "responses": {
                        "200": {"description": "Stored (or, in partial mode, a result per record)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ReportSummary"}}}},
                        "403": problem("The token lacks the type's write scope, or its client belongs to no organisation"),
                        "409": problem("The Idempotency-Key was used for another request"),
                        "422": problem("Refused records, their fields listed in `errors` (at most 20 per record and 1,000 in all; `errors_omitted` counts the rest); nothing stored"),
                        "423": problem("The organisation's reporting is frozen; `reason` says why")
                    }
                },
                "get": {
                    "tags": tag, "security": read,
                    "summary": format!("查询{} / Query {} records", t.name_zh, t.name_en),
                    "description": "Filters: `FIELD=v`, `FIELD.contains=v`, `FIELD.prefix=v`, `FIELD.gte|gt|lte|lt=v` (numbers, dates), `FIELD.in=a,b`, `FIELD.exists=true|false`; `sort=FIELD` or `-FIELD`; `limit` (1–1000, default 100); `cursor` from `next_cursor`; admins may pass `organisation`. At most 1,000 values per `.in` and 50 filters per query.",
                    "responses": {"200": {"description": "A page of current records", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/RecordPage"}}}}, "400": problem("A filter that cannot be used, or past the limits"), "403": problem("The token lacks the type's read scope, or its client belongs to no organisation")}
                }
            }),
        ),
        (
            format!("{base}/import"),
            json!({"post": {
                "tags": tag, "security": write,
                "summary": "导入 CSV（UTF-8 或 GBK）或 XLSX / Import CSV (UTF-8 or GBK) or XLSX, up to 100 MB",
                "parameters": [
                    {"name": "mode", "in": "query", "schema": {"type": "string", "enum": ["atomic", "partial"]}},
                    {"name": "format", "in": "query", "schema": {"type": "string", "enum": ["csv", "xlsx"]}},
                    {"name": "encoding", "in": "query", "schema": {"type": "string", "enum": ["utf-8", "gbk"]}}
                ],
                "requestBody": {"required": true, "content": {"text/csv": {"schema": {"type": "string"}}, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"schema": {"type": "string", "format": "binary"}}}},
                "responses": {"200": {"description": "Counts, and the refused rows (index = line number)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ReportSummary"}}}}, "400": problem("An unreadable file, or one past a limit: more columns than the type has fields (256 with `unknown=ignore`), a cell beyond column XFD, an XLSX part that unpacks past its limit (worksheet 1 GiB, shared strings 32 MiB or 1,000,000 strings, other parts 16 MiB, 1,000 parts) or a cell or tag over 64 KiB"), "413": problem("Larger than 100 MB"), "422": problem("Refused rows; nothing stored")}
            }}),
        ),
        (
            format!("{base}/export"),
            json!({"get": {
                "tags": tag, "security": read,
                "summary": "导出 / Export as CSV or XLSX with the list's filters",
                "description": "In CSV, text that a spreadsheet program would run as a formula (starting with `=`, `+`, `-`, `@`, tab or CR) gets a leading `'`; numbers stay numbers, and importing the file takes the `'` off again.",
                "parameters": [
                    {"name": "format", "in": "query", "schema": {"type": "string", "enum": ["csv", "xlsx"]}},
                    {"name": "titles", "in": "query", "description": "`zh` for Chinese column titles", "schema": {"type": "string", "enum": ["zh"]}}
                ],
                "responses": {"200": {"description": "The file", "content": {"text/csv": {}, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}}}}
            }}),
        ),
        (
            format!("{base}/{{key}}"),
            json!({"get": {
                "tags": tag, "security": read,
                "summary": format!("一条记录及其历史版本 / One record and its history; key {}", t.key.join(" / ")),
                "parameters": [{"name": "key", "in": "path", "required": true, "description": "Composite keys are joined by /", "schema": {"type": "string"}},
                    {"name": "organisation", "in": "query", "required": false, "description": "Administrators: whose record (keys are per organisation)", "schema": {"type": "string"}}],
                "responses": {"200": {"description": "Current version and earlier ones, newest first", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/RecordHistory"}}}}, "404": problem("No such record visible to this token"), "409": problem("Administrators: several organisations report this key; name one with ?organisation=")}
            }}),
        ),
    ]
}

fn common_schemas() -> Vec<(String, Value)> {
    vec![
        (
            "FieldError".into(),
            json!({"type": "object", "properties": {
            "field": {"type": "string"}, "code": {"type": "string", "description": "Stable: required, too_long, wrong_length, not_an_integer, not_a_decimal, too_large, too_many_decimals, negative, not_a_date, not_a_month, not_a_datetime, unknown_code, duplicate_code, not_a_phone_number, unknown_region, not_a_postcode, not_an_email, not_a_url, not_an_identity_code, bad_credit_code, unknown_field, duplicate_field, wrong_type, missing_parent, reported_by_another_organisation"},
            "message_zh": {"type": "string"}, "message_en": {"type": "string"}}}),
        ),
        (
            "RecordResult".into(),
            json!({"type": "object", "properties": {
            "index": {"type": "integer"}, "type": {"type": "string"}, "key": {"type": "string"},
            "status": {"type": "string", "enum": ["created", "updated", "unchanged", "refused"]},
            "version": {"type": "integer"},
            "errors": {"type": "array", "items": {"$ref": "#/components/schemas/FieldError"}},
            "identified": {"type": "object", "additionalProperties": {"type": "string", "enum": ["credit_code", "organisation_code", "registration_number", "resident_id", "mobile"]}}}}),
        ),
        (
            "ReportSummary".into(),
            json!({"type": "object", "properties": {
            "mode": {"type": "string"}, "received": {"type": "integer"}, "created": {"type": "integer"},
            "updated": {"type": "integer"}, "unchanged": {"type": "integer"}, "refused": {"type": "integer"},
            "results": {"type": "array", "items": {"$ref": "#/components/schemas/RecordResult"}},
            "errors_omitted": {"type": "integer", "description": "Field errors left out of results (at most 20 are listed per record and 1,000 per answer)"}}}),
        ),
        (
            "Version".into(),
            json!({"type": "object", "properties": {
            "key": {"type": "string"}, "version": {"type": "integer"}, "current": {"type": "boolean"},
            "organisation_id": {"type": ["string", "null"]}, "client_id": {"type": "string"}, "user_id": {"type": ["string", "null"]},
            "source": {"type": "string", "enum": ["api", "import", "workflow"]}, "reported_at": {"type": "integer"}, "reported_at_text": {"type": "string", "description": "reported_at in Beijing time, yyyy-mm-dd hh:mm"},
            "superseded_at": {"type": ["integer", "null"]}, "record": {"type": "object"}}}),
        ),
        (
            "RecordPage".into(),
            json!({"type": "object", "properties": {
            "type": {"type": "string"}, "items": {"type": "array", "items": {"$ref": "#/components/schemas/Version"}},
            "next_cursor": {"type": ["string", "null"]}}}),
        ),
        (
            "RecordHistory".into(),
            json!({"type": "object", "properties": {
            "type": {"type": "string"}, "key": {"type": "string"}, "current": {"$ref": "#/components/schemas/Version"},
            "history": {"type": "array", "items": {"$ref": "#/components/schemas/Version"}}}}),
        ),
    ]
}

/// Adds the catalogue to an OpenAPI document.
pub fn extend(document: &mut Value) {
    let mut scopes = Map::new();
    for t in TYPES {
        scopes.insert(
            t.read_scope(),
            json!(format!("读取{} / read {}", t.name_zh, t.name_en)),
        );
        scopes.insert(
            t.write_scope(),
            json!(format!("上报{} / report {}", t.name_zh, t.name_en)),
        );
        if let Some(paths) = document["paths"].as_object_mut() {
            for (path, item) in paths_for(t) {
                paths.insert(path, item);
            }
        }
        if let Some(schemas) = document["components"]["schemas"].as_object_mut() {
            schemas.insert(schema_name(t), record_schema(t));
        }
    }
    if let Some(schemas) = document["components"]["schemas"].as_object_mut() {
        for (name, schema) in common_schemas() {
            schemas.insert(name, schema);
        }
    }
    if let Some(paths) = document["paths"].as_object_mut() {
        paths.insert(
            "/api/catalogue".into(),
            json!({
                "get": {"security": [], "summary": "整个数据标准 / The whole data standard as JSON", "responses": {"200": {"description": "Every type, field, rule and code"}}},
                "post": {"summary": "按顺序上报多种类型的记录 / Report records of several types in order (a parent earlier in the batch counts)",
                    "requestBody": {"content": {"application/json": {"schema": {"type": "array", "items": {"type": "object", "required": ["type", "record"], "properties": {"type": {"type": "string"}, "record": {"type": "object"}}}}}}},
                    "responses": {"200": {"description": "Stored", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ReportSummary"}}}}, "422": problem("Refused records; nothing stored")}}
            }),
        );
    }
    if let Some(flow) =
        document["components"]["securitySchemes"]["bearer"]["flows"]["clientCredentials"]["scopes"]
            .as_object_mut()
    {
        flow.extend(scopes);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_type_has_a_schema_and_paths() {
        let mut doc = serde_json::json!({"paths": {}, "components": {"schemas": {}, "securitySchemes": {"bearer": {"flows": {"clientCredentials": {"scopes": {}}}}}}});
        super::extend(&mut doc);
        assert!(
            doc["components"]["schemas"]["CrowdfundingRewardRecord"]["properties"]["CROWD_ID"]
                .is_object()
        );
        assert!(doc["paths"]["/api/catalogue/leasing-device/{key}"].is_object());
        assert_eq!(doc["paths"].as_object().unwrap().len(), 19 * 4 + 1);
    }
}
