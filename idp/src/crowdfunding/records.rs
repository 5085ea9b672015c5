//! Projects, rewards and paid orders as catalogue records (4.2.1, 4.2.2, 4.3), written with
//! source `workflow` in the caller's transaction, through the same validation as any report.

use serde_json::{Value, json};

use super::error::CrowdfundingError;
use super::model::{Order, Project, Reward};
use super::money::{fen_to_wan, fen_to_yuan};
use crate::catalogue::reporting::{WorkflowRefusal, write_workflow};
use crate::db::Tx;

fn drop_nulls(mut v: Value) -> Value {
    if let Value::Object(map) = &mut v {
        map.retain(|_, v| !v.is_null() && v != "");
    }
    v
}

pub fn project_record(p: &Project) -> Value {
    drop_nulls(json!({
        "CROWD_ID": p.id,
        "COMP_ID": p.comp_id,
        "COMP_LINK_NAME": p.link_name,
        "COMP_LINK_MOBILE": p.link_mobile,
        "TAGS": if p.tags.is_empty() { p.category.clone() } else { p.tags.clone() },
        "CROWD_TITLE": p.title,
        "CROWD_INTRO": p.intro,
        "CROWD_AMOUNT": fen_to_wan(p.target_fen),
        "CROWD_DURATION": p.duration_days,
    }))
}

pub fn reward_record(r: &Reward) -> Value {
    drop_nulls(json!({
        "REWARD_ID": r.id,
        "CROWD_ID": r.project_id,
        "ISLOTTO": "0",
        "REWARD_AMOUNT": fen_to_yuan(r.amount_fen),
        "REWARD_BRIEF": r.brief,
        "REWARD_CONTENT": r.content,
        "REWARD_LIMIT": r.reward_limit,
        "EXPRESS_FEE": fen_to_yuan(r.express_fee_fen),
        "REBACK_DATE": r.reback_days,
    }))
}

pub fn order_record(o: &Order) -> Value {
    drop_nulls(json!({
        "ORDER_ID": o.id,
        "CROWD_ID": o.project_id,
        "REWARD_ID": o.reward_id,
        "BUYER_NAME": o.buyer_name,
        "BUYER_LINK_NAME": o.buyer_link_name,
        "BUYER_LINK_MOBILE": o.buyer_link_mobile,
        "REWARD_COPIES": o.copies,
        "ORDER_AMOUNT": fen_to_yuan(o.amount_fen),
        "DELIVERY_DATE": o.delivery_date,
        "DELIVERY_TYPE": o.delivery_type,
        "DELIVERY_NO": o.delivery_no,
        "DELIVERY_USER_NAME": o.delivery_user_name,
        "DELIVERY_USER_PHONE": o.delivery_user_phone,
        "EVALUATION": o.evaluation.map(|e| e.to_string()),
        "REMARK": o.remark,
    }))
}

/// Writes records (in order) for the project's organisation; a refusal by the catalogue's
/// rules is the caller's error (e.g. a contact phone that is not one).
pub async fn write(
    tx: &mut Tx,
    records: Vec<(&'static str, Value)>,
    organisation_id: &str,
    user_id: &str,
    now: i64,
) -> Result<(), CrowdfundingError> {
    write_workflow(tx, "crowdfunding", records, organisation_id, user_id, now)
        .await
        .map_err(|refusal| match refusal {
            WorkflowRefusal::Fields(errors) => CrowdfundingError::InvalidFields(errors),
            WorkflowRefusal::Db(e) => CrowdfundingError::Db(e),
        })
}
