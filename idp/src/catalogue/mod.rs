//! The reporting catalogue (seed section 一 and 三): the spec of every record type, validation,
//! versioned storage, queries and spreadsheet import and export. Its endpoints are in the HTTP
//! layer (`http/catalogue`); this module knows nothing of requests.

pub mod codes;
pub mod csv_rows;
pub mod freeze;
pub mod idempotency;
pub mod openapi;
pub mod query;
pub mod reporting;
pub mod schema;
pub mod sdk_records;
pub mod sheets;
pub mod spec;
pub mod store;
pub mod validate;
pub mod xlsx_limits;

use serde::Serialize;
use serde_json::{Map, Value};

use spec::{Kind, RecordType};
use store::Version;

/// A record's values as JSON, by element name; absent fields are left out. Integers are JSON
/// numbers; decimals stay strings, so that `12.50` is given back as it was reported.
pub fn record_json(t: &RecordType, values: &[Option<String>]) -> Map<String, Value> {
    let mut map = Map::with_capacity(values.len());
    for (f, v) in t.fields.iter().zip(values) {
        let Some(v) = v else { continue };
        let value = match f.kind {
            Kind::Integer => v
                .parse::<u64>()
                .map(Value::from)
                .unwrap_or_else(|_| Value::from(v.as_str())),
            _ => Value::from(v.as_str()),
        };
        map.insert(f.name.to_owned(), value);
    }
    map
}

/// A version as the API shows it.
#[derive(Debug, Serialize)]
pub struct VersionView {
    pub key: String,
    #[serde(flatten)]
    pub meta: Version,
    pub reported_at_text: String,
    pub record: Map<String, Value>,
}

impl VersionView {
    pub fn new(t: &RecordType, version: Version) -> Self {
        VersionView {
            key: store::shown_key(&version.key),
            record: record_json(t, &version.values),
            reported_at_text: crate::clock::shanghai_time(version.reported_at),
            meta: version,
        }
    }
}

/// The whole spec as JSON (`GET /api/catalogue`), for programs and the console page.
pub fn spec_json() -> Value {
    let types: Vec<Value> = spec::TYPES
        .iter()
        .map(|t| {
            let fields: Vec<Value> = t
                .fields
                .iter()
                .map(|f| {
                    let mut field = serde_json::json!({
                        "name": f.name,
                        "label_zh": f.label_zh,
                        "kind": f.kind.name(),
                        "length": f.length,
                        "required": f.required,
                    });
                    if let Kind::Decimal {
                        precision,
                        scale,
                        signed,
                    } = f.kind
                    {
                        field["precision"] = precision.into();
                        field["scale"] = scale.into();
                        field["signed"] = signed.into();
                    }
                    if let Kind::Identity(forms) = f.kind {
                        field["forms"] = serde_json::to_value(forms).unwrap_or_default();
                    }
                    if !f.kind.codes().is_empty() {
                        field["codes"] = f
                            .kind
                            .codes()
                            .iter()
                            .map(|(c, l)| serde_json::json!({"code": c, "label_zh": l}))
                            .collect();
                        if matches!(f.kind, Kind::MultiEnum(_)) {
                            field["separator"] = ";".into();
                        }
                    }
                    if let Some(unit) = f.unit {
                        field["unit"] = unit.into();
                    }
                    if let Some(d) = f.default {
                        field["default"] = d.into();
                    }
                    if !f.aliases.is_empty() {
                        field["aliases"] = serde_json::to_value(f.aliases).unwrap_or_default();
                    }
                    field
                })
                .collect();
            serde_json::json!({
                "type": t.slug,
                "sections": t.sections,
                "name_zh": t.name_zh,
                "name_en": t.name_en,
                "key": t.key,
                "links": t.links,
                "read_scope": t.read_scope(),
                "write_scope": t.write_scope(),
                "fields": fields,
                "example": serde_json::from_str::<Value>(t.example).unwrap_or_default(),
            })
        })
        .collect();
    serde_json::json!({ "types": types })
}

#[cfg(test)]
mod tests {
    use super::spec::TYPES;

    #[test]
    fn the_spec_covers_the_seed() {
        assert_eq!(TYPES.len(), 19);
        let sections: usize = TYPES.iter().map(|t| t.sections.len()).sum();
        assert_eq!(sections, 21);
        let fields: usize = TYPES
            .iter()
            .map(|t| t.fields.len() * t.sections.len())
            .sum();
        assert_eq!(fields, 328);
        for t in TYPES {
            for k in t.key {
                assert!(
                    t.field_index(k).is_some(),
                    "{}: key {k} is not a field",
                    t.slug
                );
            }
            for link in t.links {
                let parent = super::spec::record_type(link.parent).unwrap();
                assert_eq!(
                    link.fields.len(),
                    parent.key.len(),
                    "{} → {}",
                    t.slug,
                    link.parent
                );
            }
        }
    }

    #[test]
    fn scopes_name_every_type() {
        let slugs: Vec<&str> = TYPES.iter().map(|t| t.slug).collect();
        let scoped: Vec<&str> = crate::oauth::scopes::CATALOGUE_TYPES
            .iter()
            .map(|(s, _)| *s)
            .collect();
        assert_eq!(slugs, scoped);
    }
}
