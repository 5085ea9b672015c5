//! Checks one submitted record against its type's spec and turns it into the canonical stored
//! text of every field. Pure: no database; links to other records are checked by the store.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Serialize;
use serde_json::Value;

use super::codes;
use super::spec::{Field, IdentityForm, Kind, Length, RecordType, TYPES};

/// Separates the parts of a composite key in storage; it cannot occur in submitted text.
pub const KEY_SEPARATOR: char = '\u{1f}';

/// Problems listed for one record; past this many they are counted, not listed, so a record
/// with a million unknown keys cannot make a million-line answer.
pub const MAX_ERRORS_PER_RECORD: usize = 20;
/// The longest value of any field: no field of the standard is longer than 4,000 characters
/// (unbounded `Text0` fields included).
pub const MAX_VALUE_CHARS: usize = 4_000;
/// How much of a submitted name or value an error message repeats.
const ECHO_CHARS: usize = 64;

/// The problems of one record, listed up to [`MAX_ERRORS_PER_RECORD`] and counted after that.
#[derive(Debug, Default)]
pub struct Problems {
    listed: Vec<FieldError>,
    omitted: usize,
}

impl Problems {
    pub fn push(&mut self, error: FieldError) {
        if self.listed.len() < MAX_ERRORS_PER_RECORD {
            self.listed.push(error);
        } else {
            self.omitted += 1;
        }
    }

    pub fn is_empty(&self) -> bool {
        self.listed.is_empty() && self.omitted == 0
    }

    /// The listed problems, ending with one that says how many more there were.
    pub fn into_vec(mut self) -> Vec<FieldError> {
        if self.omitted > 0 {
            let n = self.omitted;
            self.listed.push(FieldError::new(
                None,
                "more_errors",
                format!("另有 {n} 个问题未列出"),
                format!("{n} more problems are not listed"),
            ));
        }
        self.listed
    }
}

/// At most [`ECHO_CHARS`] characters of `text`, for repeating it in a message.
pub fn echo(text: &str) -> String {
    if text.chars().count() <= ECHO_CHARS {
        text.to_owned()
    } else {
        let mut short: String = text.chars().take(ECHO_CHARS).collect();
        short.push('…');
        short
    }
}

/// What to do with fields the type does not have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UnknownFields {
    #[default]
    Refuse,
    Ignore,
}

/// Field errors as one line in Chinese, for a workflow's error message ("记录" where the
/// record as a whole is refused).
pub fn summary_zh(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| format!("{} {}", e.field.as_deref().unwrap_or("记录"), e.message_zh))
        .collect::<Vec<_>>()
        .join("；")
}

/// Field errors as one line in English.
pub fn summary_en(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| {
            format!(
                "{} {}",
                e.field.as_deref().unwrap_or("record"),
                e.message_en
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// One problem with one field (or with the record as a whole when `field` is `None`).
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct FieldError {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Stable identifier programs switch on.
    pub code: &'static str,
    pub message_zh: String,
    pub message_en: String,
}

impl FieldError {
    pub fn new(
        field: Option<&str>,
        code: &'static str,
        zh: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        FieldError {
            field: field.map(str::to_owned),
            code,
            message_zh: zh.into(),
            message_en: en.into(),
        }
    }
}

/// A record that passed every check of its own; `values` follow the spec's field order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub key: String,
    pub values: Vec<Option<String>>,
    /// Which form each identity code field was recognised as.
    pub identified: Vec<(&'static str, IdentityForm)>,
}

/// Input names are matched without case and whitespace, so the seed's spaced spellings
/// (`CROWD _ID`) and lower-case headers find their field.
fn normalise_name(name: &str) -> String {
    name.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .collect()
}

fn lookup(record_type: &RecordType) -> &'static HashMap<String, usize> {
    static LOOKUPS: OnceLock<Vec<HashMap<String, usize>>> = OnceLock::new();
    let all = LOOKUPS.get_or_init(|| {
        TYPES
            .iter()
            .map(|t| {
                let mut map = HashMap::new();
                for (i, f) in t.fields.iter().enumerate() {
                    map.insert(normalise_name(f.name), i);
                    for alias in f.aliases {
                        map.insert(normalise_name(alias), i);
                    }
                }
                map
            })
            .collect()
    });
    let index = TYPES
        .iter()
        .position(|t| std::ptr::eq(t, record_type))
        .unwrap_or_default();
    &all[index]
}

/// The field a submitted name (element name, alias, any case) stands for.
pub fn resolve_field(record_type: &RecordType, name: &str) -> Option<usize> {
    lookup(record_type).get(&normalise_name(name)).copied()
}

/// The key of a record for messages: its key fields' values joined by `/`, as far as known.
pub fn display_key(record_type: &RecordType, values: &[Option<String>]) -> String {
    record_type
        .key_indexes()
        .iter()
        .map(|i| values.get(*i).cloned().flatten().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("/")
}

/// Joins key parts as they are stored.
pub fn storage_key(parts: &[&str]) -> String {
    parts.join(&KEY_SEPARATOR.to_string())
}

/// Checks a record given as a JSON object.
pub fn check_json(
    record_type: &RecordType,
    record: &Value,
    unknown: UnknownFields,
) -> Result<Checked, (String, Vec<FieldError>)> {
    let Value::Object(map) = record else {
        return Err((
            String::new(),
            vec![FieldError::new(
                None,
                "not_an_object",
                "每条记录应为 JSON 对象",
                "each record must be a JSON object",
            )],
        ));
    };
    let mut raw: Vec<Option<RawValue<'_>>> = vec![None; record_type.fields.len()];
    let mut errors = Problems::default();
    for (name, value) in map {
        match resolve_field(record_type, name) {
            Some(i) if raw[i].is_some() => errors.push(FieldError::new(
                Some(record_type.fields[i].name),
                "duplicate_field",
                format!("字段 {} 重复出现", echo(name)),
                format!("the field {} is given twice", echo(name)),
            )),
            Some(i) => raw[i] = Some(RawValue::Json(value)),
            None if unknown == UnknownFields::Ignore => {}
            None => errors.push(unknown_field(record_type, name)),
        }
    }
    finish(record_type, raw, errors)
}

/// Checks a record given as text cells (CSV or spreadsheet), already matched to fields.
pub fn check_cells(
    record_type: &RecordType,
    cells: Vec<Option<String>>,
    errors: Vec<FieldError>,
) -> Result<Checked, (String, Vec<FieldError>)> {
    let raw = cells
        .into_iter()
        .map(|c| c.map(RawValue::Text))
        .collect::<Vec<_>>();
    let mut problems = Problems::default();
    for e in errors {
        problems.push(e);
    }
    finish(record_type, raw, problems)
}

pub fn unknown_field(record_type: &RecordType, name: &str) -> FieldError {
    let name = &echo(name);
    FieldError::new(
        Some(name),
        "unknown_field",
        format!("“{}”没有字段 {name}", record_type.name_zh),
        format!("{} records have no field {name}", record_type.name_en),
    )
}

#[derive(Clone)]
enum RawValue<'a> {
    Json(&'a Value),
    Text(String),
}

fn finish(
    record_type: &RecordType,
    raw: Vec<Option<RawValue<'_>>>,
    mut errors: Problems,
) -> Result<Checked, (String, Vec<FieldError>)> {
    let mut values = Vec::with_capacity(raw.len());
    let mut identified = Vec::new();
    for (field, value) in record_type.fields.iter().zip(raw) {
        let text = match value {
            None => None,
            Some(RawValue::Text(t)) => Some(t),
            Some(RawValue::Json(v)) => match json_text(field, v) {
                Ok(t) => t,
                Err(e) => {
                    errors.push(e);
                    values.push(None);
                    continue;
                }
            },
        };
        let text = text.filter(|t| !t.trim().is_empty());
        let text = text.or_else(|| field.default.map(str::to_owned));
        match text {
            None if field.required => {
                errors.push(FieldError::new(
                    Some(field.name),
                    "required",
                    format!("{}（{}）必须填写", field.name, field.label_zh),
                    format!("{} is required", field.name),
                ));
                values.push(None);
            }
            None => values.push(None),
            Some(text) => match check_value(field, text) {
                Ok((canonical, form)) => {
                    if let Some(form) = form {
                        identified.push((field.name, form));
                    }
                    values.push(Some(canonical));
                }
                Err(e) => {
                    errors.push(e);
                    values.push(None);
                }
            },
        }
    }
    let shown = display_key(record_type, &values);
    if !errors.is_empty() {
        return Err((shown, errors.into_vec()));
    }
    let parts: Vec<&str> = record_type
        .key_indexes()
        .iter()
        .map(|i| values[*i].as_deref().unwrap_or_default())
        .collect();
    Ok(Checked {
        key: storage_key(&parts),
        values,
        identified,
    })
}

/// A JSON value as text: strings as they are, numbers in their JSON spelling; a multi-enum may
/// also be an array of codes.
fn json_text(field: &Field, value: &Value) -> Result<Option<String>, FieldError> {
    match value {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s.clone())),
        Value::Number(n) => Ok(Some(n.to_string())),
        Value::Array(items) if matches!(field.kind, Kind::MultiEnum(_)) => {
            let mut parts = Vec::with_capacity(items.len());
            for item in items {
                match item {
                    Value::String(s) => parts.push(s.clone()),
                    Value::Number(n) => parts.push(n.to_string()),
                    _ => return Err(wrong_type(field)),
                }
            }
            Ok(Some(parts.join(";")))
        }
        _ => Err(wrong_type(field)),
    }
}

fn wrong_type(field: &Field) -> FieldError {
    FieldError::new(
        Some(field.name),
        "wrong_type",
        format!("{} 应为文字或数字", field.name),
        format!("{} must be a string or a number", field.name),
    )
}

type Outcome = Result<(String, Option<IdentityForm>), FieldError>;

fn check_value(field: &Field, text: String) -> Outcome {
    let name = field.name;
    let err =
        |code: &'static str, zh: String, en: String| FieldError::new(Some(name), code, zh, en);
    // Before anything else looks at it (or repeats it in a message).
    let chars = text.chars().count();
    if chars > MAX_VALUE_CHARS {
        return Err(err(
            "too_long",
            format!("{name} 最多 {MAX_VALUE_CHARS} 个字符，实际 {chars} 个"),
            format!("{name} takes at most {MAX_VALUE_CHARS} characters, got {chars}"),
        ));
    }
    if text.contains(KEY_SEPARATOR)
        || text.contains(super::store::NAMESPACE_SEPARATOR)
        || text.contains('\0')
    {
        return Err(err(
            "control_character",
            format!("{name} 含有不可见的控制字符"),
            format!("{name} contains a control character"),
        ));
    }
    let (canonical, form) = match field.kind {
        Kind::Text => (text, None),
        Kind::Integer => (integer(field, text.trim())?, None),
        Kind::Decimal {
            precision,
            scale,
            signed,
        } => (decimal(field, text.trim(), precision, scale, signed)?, None),
        Kind::Date => {
            let t = text.trim();
            if parse_date(t) {
                (t.to_owned(), None)
            } else {
                return Err(err(
                    "not_a_date",
                    format!("{name} 应为 yyyy-mm-dd 格式的日期，收到“{t}”"),
                    format!("{name} must be a date yyyy-mm-dd, got '{t}'"),
                ));
            }
        }
        Kind::Month => {
            let t = text.trim();
            if parse_date(&format!("{t}-01")) && t.len() == 7 {
                (t.to_owned(), None)
            } else {
                return Err(err(
                    "not_a_month",
                    format!("{name} 应为 yyyy-mm 格式的年月，收到“{t}”"),
                    format!("{name} must be a month yyyy-mm, got '{t}'"),
                ));
            }
        }
        Kind::DateTime => match datetime(text.trim()) {
            Some(c) => (c, None),
            None => {
                return Err(err(
                    "not_a_datetime",
                    format!(
                        "{name} 应为 yyyy-mm-dd hh24:mi 格式的时间，收到“{}”",
                        text.trim()
                    ),
                    format!(
                        "{name} must be a time yyyy-mm-dd hh24:mi, got '{}'",
                        text.trim()
                    ),
                ));
            }
        },
        Kind::Enum(codes) => {
            let t = text.trim();
            match find_code(codes, t) {
                Some(code) => (code.to_owned(), None),
                None => return Err(unknown_code(field, t, codes)),
            }
        }
        Kind::MultiEnum(codes) => {
            let mut seen: Vec<&str> = Vec::new();
            for part in text
                .split([';', '；'])
                .map(str::trim)
                .filter(|p| !p.is_empty())
            {
                let Some(code) = find_code(codes, part) else {
                    return Err(unknown_code(field, part, codes));
                };
                if seen.contains(&code) {
                    return Err(err(
                        "duplicate_code",
                        format!("{name} 中的“{part}”重复"),
                        format!("'{part}' appears twice in {name}"),
                    ));
                }
                seen.push(code);
            }
            (seen.join(";"), None)
        }
        Kind::Phone => {
            if is_phone(&text) {
                (text, None)
            } else {
                return Err(err(
                    "not_a_phone_number",
                    format!(
                        "{name} 不是电话号码：“{text}”（可写作 0951-1234567、13800000000、+86…）"
                    ),
                    format!(
                        "{name} is not a phone number: '{text}' (write 0951-1234567, 13800000000, +86…)"
                    ),
                ));
            }
        }
        Kind::Region => {
            let t = text.trim();
            check_length(field, t)?;
            if let Err(why) = codes::check_region(t) {
                return Err(err(
                    "unknown_region",
                    format!("{name}：{}", why.zh),
                    format!("{name}: {}", why.en),
                ));
            }
            (t.to_owned(), None)
        }
        Kind::Postcode => {
            let t = text.trim();
            if t.len() == 6 && t.chars().all(|c| c.is_ascii_digit()) {
                (t.to_owned(), None)
            } else {
                return Err(err(
                    "not_a_postcode",
                    format!("{name} 应为 6 位数字的邮政编码"),
                    format!("{name} must be a 6-digit postcode"),
                ));
            }
        }
        Kind::Email => {
            let t = text.trim();
            if is_email(t) {
                (t.to_owned(), None)
            } else {
                return Err(err(
                    "not_an_email",
                    format!("{name} 不是电子邮箱地址：“{t}”"),
                    format!("{name} is not an email address: '{t}'"),
                ));
            }
        }
        Kind::Url => {
            let t = text.trim();
            if is_web_address(t) {
                (t.to_owned(), None)
            } else {
                return Err(err(
                    "not_a_url",
                    format!("{name} 不是网址：“{t}”"),
                    format!("{name} is not a web address: '{t}'"),
                ));
            }
        }
        Kind::Identity(forms) => {
            let t = text.trim();
            match codes::identify(t, forms) {
                Ok(form) => (t.to_owned(), Some(form)),
                Err(why) => {
                    return Err(err(
                        "not_an_identity_code",
                        format!("{name} 不是可识别的代码：{}", why.zh),
                        format!("{name} is not a recognised code: {}", why.en),
                    ));
                }
            }
        }
        Kind::CreditCode => {
            let t = text.trim();
            if let Err(why) = codes::check_credit_code(t) {
                return Err(err(
                    "bad_credit_code",
                    format!("{name}：{}", why.zh),
                    format!("{name}: {}", why.en),
                ));
            }
            (t.to_owned(), Some(IdentityForm::CreditCode))
        }
    };
    check_length(field, &canonical)?;
    Ok((canonical, form))
}

fn check_length(field: &Field, value: &str) -> Result<(), FieldError> {
    let n = value.chars().count() as u32;
    match field.length {
        Length::Max(max) if n > max => Err(FieldError::new(
            Some(field.name),
            "too_long",
            format!("{} 最多 {max} 个字符，实际 {n} 个", field.name),
            format!("{} takes at most {max} characters, got {n}", field.name),
        )),
        Length::Exact(len) if n != len => Err(FieldError::new(
            Some(field.name),
            "wrong_length",
            format!("{} 应为 {len} 个字符，实际 {n} 个", field.name),
            format!("{} takes exactly {len} characters, got {n}", field.name),
        )),
        _ => Ok(()),
    }
}

fn integer(field: &Field, t: &str) -> Result<String, FieldError> {
    if t.is_empty() || !t.chars().all(|c| c.is_ascii_digit()) {
        return Err(FieldError::new(
            Some(field.name),
            "not_an_integer",
            format!("{} 应为非负整数，收到“{t}”", field.name),
            format!(
                "{} must be a whole number of zero or more, got '{t}'",
                field.name
            ),
        ));
    }
    let trimmed = t.trim_start_matches('0');
    Ok(if trimmed.is_empty() { "0" } else { trimmed }.to_owned())
}

fn decimal(
    field: &Field,
    t: &str,
    precision: u8,
    scale: u8,
    signed: bool,
) -> Result<String, FieldError> {
    let name = field.name;
    let bad = || {
        FieldError::new(
            Some(name),
            "not_a_decimal",
            format!("{name} 应为数字，收到“{t}”"),
            format!("{name} must be a number, got '{t}'"),
        )
    };
    let (negative, digits) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t),
    };
    let (int_part, frac_part) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if int_part.is_empty()
        || !all_digits(int_part)
        || !all_digits(frac_part)
        || (digits.contains('.') && frac_part.is_empty())
    {
        return Err(bad());
    }
    if negative && !signed {
        return Err(FieldError::new(
            Some(name),
            "negative",
            format!("{name} 不能为负数"),
            format!("{name} cannot be negative"),
        ));
    }
    if frac_part.len() > scale as usize {
        return Err(FieldError::new(
            Some(name),
            "too_many_decimals",
            format!("{name} 最多保留 {scale} 位小数"),
            format!("{name} takes at most {scale} decimal places"),
        ));
    }
    let int_digits = int_part.trim_start_matches('0').len();
    let max_int = (precision - scale) as usize;
    if int_digits > max_int {
        return Err(FieldError::new(
            Some(name),
            "too_large",
            format!("{name} 的整数部分最多 {max_int} 位（Number({precision},{scale})）"),
            format!(
                "{name} takes at most {max_int} digits before the point (Number({precision},{scale}))"
            ),
        ));
    }
    Ok(t.to_owned())
}

fn parse_date(t: &str) -> bool {
    t.len() == 10
        && time::Date::parse(t, time::macros::format_description!("[year]-[month]-[day]")).is_ok()
}

/// `yyyy-mm-dd hh24:mi`, with or without the space (the seed writes `yyyy-mm-ddhh24:mi`), `T`
/// accepted, seconds optional; canonical with one space.
fn datetime(t: &str) -> Option<String> {
    if t.len() < 15 || !t.is_char_boundary(10) {
        return None;
    }
    let (day, rest) = t.split_at(10);
    if !parse_date(day) {
        return None;
    }
    let clock = rest
        .strip_prefix(' ')
        .or_else(|| rest.strip_prefix('T'))
        .unwrap_or(rest);
    let ok = match clock.len() {
        5 => time::Time::parse(clock, time::macros::format_description!("[hour]:[minute]")).is_ok(),
        8 => time::Time::parse(
            clock,
            time::macros::format_description!("[hour]:[minute]:[second]"),
        )
        .is_ok(),
        _ => false,
    };
    ok.then(|| format!("{day} {clock}"))
}

fn find_code(codes: &'static [(&'static str, &'static str)], t: &str) -> Option<&'static str> {
    codes
        .iter()
        .find(|(code, label)| *code == t || *label == t)
        .map(|(code, _)| *code)
}

fn unknown_code(field: &Field, t: &str, codes: &[(&str, &str)]) -> FieldError {
    let listed = codes
        .iter()
        .map(|(c, l)| {
            if c == l {
                (*c).to_owned()
            } else {
                format!("{c} {l}")
            }
        })
        .collect::<Vec<_>>()
        .join("、");
    FieldError::new(
        Some(field.name),
        "unknown_code",
        format!("{} 不接受“{t}”，可选：{listed}", field.name),
        format!("{} does not take '{t}'; allowed: {listed}", field.name),
    )
}

/// Written phone numbers: digits with the usual separators, an optional leading `+`, and an
/// extension after `转` or `ext`.
fn is_phone(t: &str) -> bool {
    let main = t.split(['转']).next().unwrap_or(t);
    let main = main.split("ext").next().unwrap_or(main);
    let body = main.trim().strip_prefix('+').unwrap_or(main.trim());
    let digits = body.chars().filter(|c| c.is_ascii_digit()).count();
    (5..=20).contains(&digits)
        && body
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')' | '（' | '）'))
}

fn is_email(t: &str) -> bool {
    let Some((local, domain)) = t.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !t.chars().any(char::is_whitespace)
}

/// An http(s) address; the scheme may be left out (`www.example.cn`), as carriers often do.
fn is_web_address(t: &str) -> bool {
    if t.chars().any(char::is_whitespace) {
        return false;
    }
    let candidate = if t.contains("://") {
        t.to_owned()
    } else {
        format!("http://{t}")
    };
    match url::Url::parse(&candidate) {
        Ok(u) => {
            matches!(u.scheme(), "http" | "https")
                && u.host_str()
                    .is_some_and(|h| h.contains('.') || h == "localhost")
        }
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::spec::record_type;

    #[test]
    fn every_example_is_valid_and_round_trips() {
        for t in TYPES {
            let example: Value = serde_json::from_str(t.example).unwrap();
            let checked = check_json(t, &example, UnknownFields::Refuse)
                .unwrap_or_else(|e| panic!("{} example invalid: {e:?}", t.slug));
            let object = example.as_object().unwrap();
            assert_eq!(
                object.len(),
                t.fields.len(),
                "{} example is not complete",
                t.slug
            );
            for (f, v) in t.fields.iter().zip(&checked.values) {
                let given = match &object[f.name] {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                assert_eq!(v.as_deref(), Some(given.as_str()), "{}.{}", t.slug, f.name);
            }
        }
    }

    #[test]
    fn datetimes_with_and_without_the_space() {
        assert_eq!(
            datetime("2026-04-0110:00").as_deref(),
            Some("2026-04-01 10:00")
        );
        assert_eq!(
            datetime("2026-04-01 10:00").as_deref(),
            Some("2026-04-01 10:00")
        );
        assert_eq!(
            datetime("2026-04-01T10:00:05").as_deref(),
            Some("2026-04-01 10:00:05")
        );
        assert_eq!(datetime("2026-02-30 10:00"), None);
        assert_eq!(datetime("2026-04-01 25:00"), None);
    }

    #[test]
    fn decimals_follow_precision_and_scale() {
        let t = record_type("service-org").unwrap();
        let f = &t.fields[t.field_index("REGISTER_ASSET").unwrap()];
        assert!(decimal(f, "99999999999.99", 13, 2, false).is_ok());
        assert_eq!(
            decimal(f, "999999999999", 13, 2, false).unwrap_err().code,
            "too_large"
        );
        assert_eq!(
            decimal(f, "1.999", 13, 2, false).unwrap_err().code,
            "too_many_decimals"
        );
        assert_eq!(decimal(f, "-1", 13, 2, false).unwrap_err().code, "negative");
        assert_eq!(
            decimal(f, "1e5", 13, 2, false).unwrap_err().code,
            "not_a_decimal"
        );
    }

    #[test]
    fn phones_keep_their_written_form() {
        for ok in [
            "0951-1234567",
            "13800000000",
            "+86 138 0000 0000",
            "(0951)1234567",
        ] {
            assert!(is_phone(ok), "{ok}");
        }
        for bad in ["call me", "12", "13800000000a"] {
            assert!(!is_phone(bad), "{bad}");
        }
    }
}
