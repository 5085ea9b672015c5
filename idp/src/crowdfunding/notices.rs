//! What crowdfunding tells people through the platform inbox: the initiating organisation when
//! its project is approved, returned, succeeds or fails, and a backer when an order is
//! refunded. Posted in the transaction of the change itself.

use super::State;
use super::model::{Order, Project};
use crate::db::{DbError, Tx};
use crate::inbox::{NewMessage, Recipient};

/// The message for a project reaching `next` (by staff or the scheduler), if that is news.
pub(super) fn project_moved(
    project: &Project,
    next: State,
    reason: Option<&str>,
) -> Option<NewMessage> {
    let title = &project.title;
    let why_zh = reason.map(|r| format!("意见：{r}")).unwrap_or_default();
    let why_en = reason
        .map(|r| format!(" Feedback: {r}"))
        .unwrap_or_default();
    let (topic, subject_zh, subject_en, body_zh, body_en) = match (project.state, next) {
        (State::Submitted, State::Listed) => (
            "project.approved",
            format!("众筹项目「{title}」已通过审核并上线"),
            format!("Your project “{title}” was approved and is listed"),
            "项目已开始筹款。".to_owned(),
            "The project is now raising money.".to_owned(),
        ),
        (State::Submitted, State::Draft) => (
            "project.returned",
            format!("众筹项目「{title}」被退回修改"),
            format!("Your project “{title}” was returned for changes"),
            format!("请按意见修改后重新提交。{why_zh}"),
            format!("Change it as asked and submit it again.{why_en}"),
        ),
        (_, State::Succeeded) => (
            "project.succeeded",
            format!("众筹项目「{title}」众筹成功"),
            format!("Your project “{title}” succeeded"),
            "筹款已达到目标，请按回报承诺发货。".to_owned(),
            "It reached its target; deliver the rewards as promised.".to_owned(),
        ),
        (_, State::Failed) => (
            "project.failed",
            format!("众筹项目「{title}」众筹失败"),
            format!("Your project “{title}” did not reach its target"),
            "已付款的订单将原路退款。".to_owned(),
            "Every paid order is refunded along its payment.".to_owned(),
        ),
        _ => return None,
    };
    Some(NewMessage {
        recipient: Recipient::Organisation(project.organisation_id.clone()),
        source: "crowdfunding",
        topic,
        subject_zh,
        subject_en,
        body_zh,
        body_en,
        link: None,
        needs_ack: false,
    })
}

/// The message to a backer whose order was refunded.
pub(super) fn order_refunded(order: &Order, project_title: &str, reason: &str) -> NewMessage {
    let yuan = super::money::fen_to_yuan(order.amount_fen);
    NewMessage {
        recipient: Recipient::User(order.backer_user_id.clone()),
        source: "crowdfunding",
        topic: "order.refunded",
        subject_zh: format!("您支持「{project_title}」的订单已退款"),
        subject_en: format!("Your order backing “{project_title}” was refunded"),
        body_zh: format!("订单 {}，退款 {yuan} 元。{reason}", order.id),
        body_en: format!("Order {}: {yuan} yuan refunded. {reason}", order.id),
        link: Some(format!("/crowdfunding/{}", order.project_id)),
        needs_ack: false,
    }
}

pub(super) async fn post(
    tx: &mut Tx,
    message: Option<NewMessage>,
    now: i64,
) -> Result<(), DbError> {
    if let Some(message) = message {
        crate::inbox::post(tx, &message, now).await?;
    }
    Ok(())
}
