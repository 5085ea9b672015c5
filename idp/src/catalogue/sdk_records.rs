//! The SDK's typed records (`sdk/src/records.rs`) are generated from the spec, so a field
//! renamed here cannot drift there: a unit test fails when the file differs (run it with
//! `UPDATE_SDK_RECORDS=1` to rewrite it).

use super::spec::{Kind, Length, RecordType, TYPES};

fn type_name(t: &RecordType) -> String {
    t.slug
        .split('-')
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|c| c.to_uppercase().collect::<String>() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn rule(t: &Length) -> String {
    match t {
        Length::Max(n) => format!(", V{n}"),
        Length::Exact(n) => format!(", F{n}"),
        Length::Unbounded => String::new(),
    }
}

/// The whole of `sdk/src/records.rs`.
pub fn generate() -> String {
    let mut out = String::from(
        "//! Typed records of all 19 catalogue types. GENERATED from the server's spec table\n\
         //! (`idp/src/catalogue/spec.rs`) by `idp/src/catalogue/sdk_records.rs`; do not edit.\n\
         //! JSON names are the standard's element names; decimals are strings so that `12.50`\n\
         //! stays `12.50`.\n\n\
         use serde::{Deserialize, Serialize};\n\n\
         use crate::catalogue::Record;\n\n",
    );
    out.push_str("/// Every record type's slug, in the standard's order.\n");
    out.push_str("pub const ALL_TYPES: &[&str] = &[\n");
    for t in TYPES {
        out.push_str(&format!("    \"{}\",\n", t.slug));
    }
    out.push_str("];\n");
    for t in TYPES {
        let name = type_name(t);
        out.push_str(&format!(
            "\n/// {} {} ({}). Key: {}.\n#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]\npub struct {name} {{\n",
            t.sections.join(" / "),
            t.name_zh,
            t.name_en,
            t.key.join(" + ")
        ));
        for f in t.fields {
            let base = match f.kind {
                Kind::Integer => "u64",
                _ => "String",
            };
            let unit = f.unit.map(|u| format!(", {u}")).unwrap_or_default();
            let required = if f.required { ", required" } else { "" };
            out.push_str(&format!(
                "    /// {}（{}{}{}{}）\n",
                f.label_zh,
                f.kind.name(),
                rule(&f.length),
                unit,
                required
            ));
            if f.required {
                out.push_str(&format!(
                    "    #[serde(rename = \"{}\")]\n    pub {}: {base},\n",
                    f.name,
                    f.column()
                ));
            } else {
                out.push_str(&format!(
                    "    #[serde(rename = \"{}\", default, skip_serializing_if = \"Option::is_none\")]\n    pub {}: Option<{base}>,\n",
                    f.name,
                    f.column()
                ));
            }
        }
        out.push_str("}\n\n");
        let key_parts: Vec<String> = t
            .key
            .iter()
            .filter_map(|k| t.fields.iter().find(|f| f.name == *k))
            .map(|f| {
                if f.required {
                    format!("self.{}.to_string()", f.column())
                } else {
                    format!(
                        "self.{}.clone().unwrap_or_else(|| \"{}\".to_owned())",
                        f.column(),
                        f.default.unwrap_or_default()
                    )
                }
            })
            .collect();
        let keys: Vec<String> = t.key.iter().map(|k| format!("\"{k}\"")).collect();
        out.push_str(&format!(
            "impl Record for {name} {{\n    const TYPE: &'static str = \"{}\";\n    const KEY: &'static [&'static str] = &[{}];\n    fn key(&self) -> String {{\n        [{}].join(\"/\")\n    }}\n}}\n",
            t.slug,
            keys.join(", "),
            key_parts.join(", ")
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_sdk_records_are_generated_from_the_spec() {
        let path = format!("{}/../sdk/src/records.rs", env!("CARGO_MANIFEST_DIR"));
        let expected = super::generate();
        if std::env::var_os("UPDATE_SDK_RECORDS").is_some() {
            std::fs::write(&path, &expected).unwrap();
        }
        let actual = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            actual == expected,
            "{path} differs from the spec; run UPDATE_SDK_RECORDS=1 cargo test -p idp --lib sdk_records"
        );
    }
}
