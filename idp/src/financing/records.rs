//! Applications as catalogue records: a bridge loan as 6.1, a risk compensation case as 6.2, a
//! leasing application as 6.3.1 with a 6.3.2 record per device. The enterprise's fields are
//! checked by the catalogue's own rules when it writes them; the platform fills in what it
//! knows (the application number, the bank's name, dates, amounts it computed) and writes the
//! records with source `workflow` in the step's transaction.

use serde_json::{Map, Value, json};

use super::error::{FinancingError, Result};
use super::lifecycle::{Business, Product};
use super::model::{Application, Device};
use crate::catalogue::reporting::{WorkflowRefusal, write_workflow};
use crate::catalogue::spec::{RecordType, record_type};
use crate::catalogue::validate::{self, FieldError, UnknownFields};
use crate::db::Tx;
use crate::payments::money::{fen_to_wan, wan_to_fen};

/// The catalogue type of a product's application record.
pub fn slug(product: Product) -> &'static str {
    match product {
        Product::Bridge => "bridge-loan",
        Product::Compensation => "risk-compensation",
        Product::Leasing => "leasing-application",
    }
}

/// Dates and times as the seed writes them, in China time (`2024-05-01`, `2024-05-01 08:00`).
pub use crate::clock::{shanghai_date as china_date, shanghai_time as china_datetime};

/// The enterprise's fields checked by the catalogue's rules, with their normalised values.
pub(super) struct Fields {
    record_type: &'static RecordType,
    values: Vec<Option<String>>,
    pub raw: Map<String, Value>,
}

impl Fields {
    /// Checks `record` as the product's type (unknown fields refused) after the platform's
    /// own fields are set in it.
    pub(super) fn check(product: Product, mut raw: Map<String, Value>) -> Result<Fields> {
        let record_type = record_type(slug(product))
            .ok_or_else(|| FinancingError::Invalid("catalogue type missing".into()))?;
        raw.retain(|_, v| !v.is_null());
        let checked = validate::check_json(
            record_type,
            &Value::Object(raw.clone()),
            UnknownFields::Refuse,
        )
        .map_err(|(_, errors)| FinancingError::InvalidFields(errors))?;
        Ok(Fields {
            record_type,
            values: checked.values,
            raw,
        })
    }

    /// A field's checked value (empty counts as absent).
    pub(super) fn get(&self, name: &str) -> Option<&str> {
        let i = self
            .record_type
            .fields
            .iter()
            .position(|f| f.name == name)?;
        self.values[i].as_deref().filter(|v| !v.trim().is_empty())
    }

    /// A required field, or a field error naming it.
    pub(super) fn require(&self, name: &'static str) -> Result<&str> {
        self.get(name).ok_or_else(|| {
            FinancingError::InvalidFields(vec![FieldError::new(
                Some(name),
                "required",
                format!("申请须填写 {name}"),
                format!("the application needs {name}"),
            )])
        })
    }

    /// A required amount in 万元 as fen, more than zero.
    pub(super) fn wan(&self, name: &'static str) -> Result<i64> {
        let text = self.require(name)?;
        wan_to_fen(text).filter(|v| *v > 0).ok_or_else(|| {
            FinancingError::InvalidFields(vec![FieldError::new(
                Some(name),
                "amount",
                format!("{name} 须为大于 0 的金额（万元）"),
                format!("{name} must be an amount above 0 (万元)"),
            )])
        })
    }

    /// An optional amount in 万元 as fen.
    pub(super) fn wan_or_zero(&self, name: &'static str) -> i64 {
        self.get(name).and_then(wan_to_fen).unwrap_or(0)
    }
}

/// How many of 6.2's priority flags (科技型, 专精特新, 新兴产业, 孵化基地) are set; the seed
/// codes "yes" as `0`.
pub(super) fn priority(fields: &Fields) -> i64 {
    [
        "Is_technology",
        "Is_specialization",
        "Is_emerging",
        "Is_incubatorbase",
    ]
    .iter()
    .filter(|f| fields.get(f) == Some("0"))
    .count() as i64
}

/// The platform's fields of `application` laid over the enterprise's, as the catalogue
/// stores them now.
pub(super) fn current(a: &Application, bank_name: Option<&str>) -> Value {
    let mut record: Map<String, Value> =
        serde_json::from_str::<Map<String, Value>>(&a.record).unwrap_or_default();
    record.insert("Apply_no".into(), json!(a.id));
    let set = |record: &mut Map<String, Value>, k: &str, v: Option<String>| {
        if let Some(v) = v {
            record.insert(k.to_owned(), Value::String(v));
        }
    };
    match a.product {
        Product::Bridge => {
            let has = record.contains_key("Loan_bank");
            set(
                &mut record,
                "Loan_bank",
                bank_name.map(str::to_owned).filter(|_| !has),
            );
            set(&mut record, "Apply_date", a.submitted_at.map(china_date));
        }
        Product::Compensation => {
            let has = record.contains_key("Band_name");
            set(
                &mut record,
                "Band_name",
                bank_name.map(str::to_owned).filter(|_| !has),
            );
            set(
                &mut record,
                "Regist_region_code",
                Some(a.region_code.clone()),
            );
            if !record.contains_key("Loan_type") {
                let code = if a.business == Business::Pledge {
                    "2"
                } else {
                    "3"
                };
                record.insert("Loan_type".into(), json!(code));
            }
            set(
                &mut record,
                "Loan_start_date",
                a.disbursed_at.map(china_datetime),
            );
            set(&mut record, "Loan_end_date", a.due_at.map(china_datetime));
            if a.disbursed_at.is_some() {
                let repaid = matches!(a.state, super::State::Settled);
                record.insert("Loan_status".into(), json!(if repaid { "0" } else { "1" }));
            }
        }
        Product::Leasing => {
            set(&mut record, "Region_code", Some(a.region_code.clone()));
        }
    }
    Value::Object(record)
}

/// A device as 6.3.2; amounts in 万元 as the example writes them.
fn device_record(apply_no: &str, d: &Device) -> Value {
    let mut v = json!({
        "Apply_no": apply_no,
        "Device_name": d.name,
        "Price": format!("{} 万元（租期 {} 个月）", fen_to_wan(d.price_fen), d.lease_months),
        "Finance_rate": d.finance_rate,
    });
    if let Some(subsidy) = d.subsidy_fen {
        v["Subsidy"] = json!(format!("{} 万元", fen_to_wan(subsidy)));
    }
    v
}

/// Writes the application's records (for a leasing application also its devices and the
/// total) in the step's transaction.
pub(super) async fn write(
    tx: &mut Tx,
    a: &Application,
    bank_name: Option<&str>,
    devices: &[Device],
    user_id: &str,
    now: i64,
) -> Result<()> {
    let mut main = current(a, bank_name);
    let mut records = Vec::new();
    if a.product == Product::Leasing {
        let total: i64 = a
            .subsidy_fen
            .unwrap_or_else(|| devices.iter().filter_map(|d| d.subsidy_fen).sum());
        if total > 0 {
            main["Subsidy_total"] = json!(fen_to_wan(total));
        }
        records.push(("leasing-application", main));
        for d in devices {
            records.push(("leasing-device", device_record(&a.id, d)));
        }
    } else {
        records.push((slug(a.product), main));
    }
    write_workflow(tx, "financing", records, &a.enterprise_org_id, user_id, now)
        .await
        .map_err(|refusal| match refusal {
            WorkflowRefusal::Fields(errors) => FinancingError::InvalidFields(errors),
            WorkflowRefusal::Db(e) => FinancingError::Db(e),
        })
}
