//! Demands, service orders, service products and service organisations as catalogue records
//! (5.4, 5.3, 5.2, 5.1), written with source `workflow` in the step's transaction, through the
//! same validation as any report.

use serde_json::{Value, json};

use super::error::CrowdsourcingError;
use super::model::{Demand, Evaluation, Order};
use crate::catalogue::reporting::{WorkflowRefusal, write_workflow};
use crate::db::Tx;
use crate::payments::money::{fen_to_wan, fen_to_yuan};

fn drop_nulls(mut v: Value) -> Value {
    if let Value::Object(map) = &mut v {
        map.retain(|_, v| !v.is_null() && v != "");
    }
    v
}

/// Dates and times as the seed writes them, in China time (`2024-05-01`, `2024-05-01 08:00`).
pub use crate::clock::{shanghai_date as china_date, shanghai_time as china_datetime};

/// A demand as 5.4 (DEMAND_FEE in 万元).
pub fn demand_record(d: &Demand) -> Value {
    drop_nulls(json!({
        "DEMAND_NO": d.id,
        "COMP_CODE": d.comp_code,
        "COMP_NAME": d.comp_name,
        "COMP_REGIST_TYPE": d.comp_regist_type,
        "COMP_ADDRESS": d.comp_address,
        "CHARGER_NAME": d.charger_name,
        "CHARGER_MOBILE": d.charger_mobile,
        "DEMAND_TITLE": d.title,
        "DEMAND_DESCRIBE": d.description,
        "DEMAND_FEE": fen_to_wan(d.fee_fen),
        "DEMAND_CYCLE": d.cycle_days,
        "EXPIRY_DATE": d.expiry_date,
        "SELECTED_DATE": d.selected_at.map(china_date),
        "SERVER_ORG_ID": d.server_org_id,
        "SERVER_LINK_NAME": d.server_link_name,
        "SERVICE_ORDER_NO": d.order_id,
    }))
}

/// The parts of an order's 5.3 record that come from around it.
pub struct OrderContext<'a> {
    pub demand: &'a Demand,
    pub provider_name: &'a str,
    pub enterprise_name: &'a str,
    /// The enterprise's evaluation of the provider, once made.
    pub evaluation: Option<&'a Evaluation>,
}

/// A service order as 5.3: SERVICE_TYPE 2 (商业服务), income in 元.
pub fn order_record(o: &Order, c: &OrderContext<'_>) -> Value {
    drop_nulls(json!({
        "SERVICE_ORDER_NO": o.id,
        "SERVICE_TYPE": "2",
        "SERVICE_CLASS": c.demand.service_class,
        "SERVICE_ORG_ID": o.provider_org_id,
        "SERVICE_ORG_NAME": c.provider_name,
        "SERVICE_ITEM_ID": o.service_item_id,
        "SERVICE_NAME": c.demand.title,
        "SERVICE_DESC": c.demand.description,
        "SERVED_ORG_ID": o.enterprise_org_id,
        "SERVED_ORG_NAME": c.enterprise_name,
        "SERVED_ORG_LINKMAN": c.demand.charger_name,
        "SERVED_ORG_TEL": c.demand.charger_mobile,
        "SERVER_METHOD": o.delivery_method,
        "SERVER_DATE_APPLY": china_datetime(o.applied_at),
        "SERVER_DATE_ACCEPT": o.started_at.map(china_datetime),
        "SERVER_DATE_END": o.ended_at.map(china_datetime),
        "SERVER_RESULT": o.result,
        "SERVER_INCOME": fen_to_yuan(o.amount_fen),
        "ALLOWANCE": o.allowance_fen.map(fen_to_yuan),
        "SERVED_ORG_EVALUATION": c.evaluation.map(|e| e.overall.to_string()),
        "SERVED_ORG_REMARK": c.evaluation.and_then(|e| e.remark.clone()),
    }))
}

/// Writes records (in order) for `organisation_id`; a refusal by the catalogue's rules is the
/// caller's error and the step's transaction is dropped with it.
pub async fn write(
    tx: &mut Tx,
    records: Vec<(&'static str, Value)>,
    organisation_id: &str,
    user_id: &str,
    now: i64,
) -> Result<(), CrowdsourcingError> {
    write_workflow(tx, "crowdsourcing", records, organisation_id, user_id, now)
        .await
        .map_err(|refusal| match refusal {
            WorkflowRefusal::Fields(errors) => CrowdsourcingError::InvalidFields(errors),
            WorkflowRefusal::Db(e) => CrowdsourcingError::Db(e),
        })
}
