//! `/console/catalogue`: the data standard as people read it (every type, field, rule and
//! code, in Chinese).

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;

use crate::catalogue::spec::{Field, Kind, Length, RecordType, TYPES};
use crate::error::PageError;
use crate::web::lang::Lang;
use crate::web::pages::render;

/// A field as one row of the page.
pub struct FieldRow {
    name: &'static str,
    label: &'static str,
    kind: String,
    length: String,
    required: bool,
    unit: &'static str,
    codes: String,
}

impl FieldRow {
    fn new(f: &Field, en: bool) -> Self {
        let kind = match f.kind {
            Kind::Decimal {
                precision, scale, ..
            } => format!("{} Number({precision},{scale})", kind_name(f.kind, en)),
            other => kind_name(other, en).to_owned(),
        };
        let length = match f.length {
            Length::Max(n) => format!("V{n}"),
            Length::Exact(n) => format!("F{n}"),
            Length::Unbounded => String::new(),
        };
        let codes = f
            .kind
            .codes()
            .iter()
            .map(|(c, l)| {
                if c == l {
                    (*c).to_owned()
                } else {
                    format!("{c} {l}")
                }
            })
            .collect::<Vec<_>>()
            .join("；");
        FieldRow {
            name: f.name,
            label: f.label_zh,
            kind,
            length,
            required: f.required,
            unit: f.unit.unwrap_or_default(),
            codes,
        }
    }
}

fn kind_name(kind: Kind, en: bool) -> &'static str {
    let (zh, en_name) = match kind {
        Kind::Text => ("文本", "text"),
        Kind::Integer => ("整数", "integer"),
        Kind::Decimal { .. } => ("小数", "decimal"),
        Kind::Date => ("日期 yyyy-mm-dd", "date yyyy-mm-dd"),
        Kind::Month => ("年月 yyyy-mm", "month yyyy-mm"),
        Kind::DateTime => ("时间 yyyy-mm-dd hh24:mi", "time yyyy-mm-dd hh24:mi"),
        Kind::Enum(_) => ("代码", "code"),
        Kind::MultiEnum(_) => ("代码（可多选，; 分隔）", "codes (several, ; separated)"),
        Kind::Phone => ("电话", "phone"),
        Kind::Region => ("行政区划代码", "division code"),
        Kind::Postcode => ("邮政编码", "postcode"),
        Kind::Email => ("电子邮箱", "email"),
        Kind::Url => ("网址", "web address"),
        Kind::Identity(_) => ("机构或个人代码", "identity code"),
        Kind::CreditCode => ("统一社会信用代码", "credit code"),
    };
    if en { en_name } else { zh }
}

pub struct TypeSection {
    t: &'static RecordType,
    sections: String,
    key: String,
    links: String,
    fields: Vec<FieldRow>,
}

#[derive(Template)]
#[template(path = "console_catalogue.html")]
struct CataloguePage {
    en: bool,
    types: Vec<TypeSection>,
}

/// Public: the standard carriers report against.
pub async fn get_catalogue(lang: Lang) -> Result<Response, PageError> {
    let types = TYPES
        .iter()
        .map(|t| TypeSection {
            t,
            sections: t.sections.join("、"),
            key: t.key.join(" + "),
            links: t
                .links
                .iter()
                .map(|l| format!("{} → {}", l.fields.join(" + "), l.parent))
                .collect::<Vec<_>>()
                .join("；"),
            fields: t.fields.iter().map(|f| FieldRow::new(f, lang.en)).collect(),
        })
        .collect();
    let page = CataloguePage { en: lang.en, types };
    Ok(render(lang, StatusCode::OK, None, &page))
}
