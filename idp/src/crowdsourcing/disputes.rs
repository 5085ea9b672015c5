//! Disputes (争议): either side opens one with a reason and evidence, the other answers, and
//! staff decide: release to the provider, a partial refund of an amount, or a full refund.
//! Every step is in the audit trail; the money moves as decided.

use super::access::{order_actor, order_hidden_from};
use super::error::{CrowdsourcingError, Result};
use super::lifecycle::{Decision, OrderAction, OrderActor, Side};
use super::model::*;
use super::notices::{self, notice};
use super::orders::{Step, write_order_record};
use super::service::Service;
use super::store::*;
use crate::accounts::caller::Caller;
use crate::db::Db;
use crate::payments::money::{fen_to_yuan, yuan_to_fen};
use crate::with_tx;

fn text(value: &str, max: usize, what_zh: &str, what_en: &str) -> Result<String> {
    let v = value.trim();
    if v.is_empty() || v.chars().count() > max {
        return Err(CrowdsourcingError::Invalid(format!(
            "{what_zh}须为 1 到 {max} 字 / {what_en} takes 1 to {max} characters"
        )));
    }
    Ok(v.to_owned())
}

impl Service {
    /// 发起争议: the work stops, the escrow stays held until staff decide.
    pub async fn open_dispute(
        &self,
        db: &Db,
        caller: &Caller,
        order_id: &str,
        input: &DisputeInput,
        now: i64,
    ) -> Result<OrderView> {
        let reason = text(&input.reason, 2000, "争议理由", "the reason")?;
        if input.evidence.chars().count() > 8000 {
            return Err(CrowdsourcingError::Invalid(
                "证据最多 8000 字 / evidence takes at most 8000 characters".into(),
            ));
        }
        let mut tx = db.begin().await?;
        let order = find_order(&mut tx, order_id).await?;
        if let Some(hidden) = order_hidden_from(caller, &order) {
            return Err(hidden);
        }
        let actor = order_actor(caller, &order);
        self.step(
            &mut tx,
            Step {
                order: &order,
                action: OrderAction::OpenDispute,
                actor,
                by: &caller.user_id,
                reason: Some(&reason),
            },
            now,
        )
        .await?;
        let side = match actor {
            OrderActor::Party(side) => side,
            _ => Side::Enterprise,
        };
        with_tx!(&mut tx, conn => {
            sqlx::query("INSERT INTO cs_disputes (id, order_id, opened_by, reason, evidence, opened_at) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(new_id("DSP")).bind(order_id).bind(side.as_str()).bind(&reason).bind(input.evidence.trim()).bind(now)
                .execute(&mut *conn).await?;
            // The silence rule waits while a dispute is open.
            sqlx::query("UPDATE cs_orders SET auto_accept_at = NULL WHERE id = $1").bind(order_id).execute(&mut *conn).await?;
        });
        let other = match side {
            Side::Enterprise => &order.provider_org_id,
            Side::Provider => &order.enterprise_org_id,
        };
        notices::post(
            &mut tx,
            vec![
                notice(
                    notices::organisation(other),
                    "dispute.opened",
                    (
                        format!("服务订单 {order_id} 有争议，请答复"),
                        format!("对方理由：{reason}"),
                    ),
                    (
                        format!("A dispute on order {order_id}: please answer"),
                        format!("Their reason: {reason}"),
                    ),
                ),
                notice(
                    notices::staff(),
                    "dispute.opened",
                    (format!("服务订单 {order_id} 有争议待裁决"), reason.clone()),
                    (
                        format!("A dispute on order {order_id} waits for a decision"),
                        reason.clone(),
                    ),
                ),
            ],
            now,
        )
        .await?;
        tx.commit().await?;
        self.order_view(db, caller, order_id, now).await
    }

    /// The other side answers the open dispute.
    pub async fn answer_dispute(
        &self,
        db: &Db,
        caller: &Caller,
        order_id: &str,
        answer: &str,
        now: i64,
    ) -> Result<OrderView> {
        let answer = text(answer, 8000, "答复", "the answer")?;
        let mut tx = db.begin().await?;
        let order = find_order(&mut tx, order_id).await?;
        if let Some(hidden) = order_hidden_from(caller, &order) {
            return Err(hidden);
        }
        self.step(
            &mut tx,
            Step {
                order: &order,
                action: OrderAction::AnswerDispute,
                actor: order_actor(caller, &order),
                by: &caller.user_id,
                reason: Some(&answer),
            },
            now,
        )
        .await?;
        with_tx!(&mut tx, conn => {
            sqlx::query("UPDATE cs_disputes SET answer = $1, answered_at = $2 WHERE order_id = $3 AND decided_at IS NULL")
                .bind(&answer).bind(now).bind(order_id).execute(&mut *conn).await?;
        });
        tx.commit().await?;
        self.order_view(db, caller, order_id, now).await
    }

    /// 裁决: staff decide the open dispute; the money moves as decided.
    pub async fn decide_dispute(
        &self,
        db: &Db,
        caller: &Caller,
        order_id: &str,
        input: &DecisionInput,
        now: i64,
    ) -> Result<OrderView> {
        if !caller.is_staff() {
            return Err(CrowdsourcingError::Forbidden(
                "只有平台管理人员可以裁决争议 / only staff decide disputes".into(),
            ));
        }
        let mut tx = db.begin().await?;
        let order = find_order(&mut tx, order_id).await?;
        let escrow = escrow_of(&mut tx, &order.demand_id).await?;
        let held = escrow.as_ref().map(|e| e.held_fen).unwrap_or_default();
        let refund = match input.decision {
            Decision::Release => 0,
            Decision::FullRefund => held,
            Decision::PartialRefund => input
                    .refund_amount
                    .as_deref()
                    .and_then(yuan_to_fen)
                    .filter(|a| *a > 0 && *a < held)
                    .ok_or_else(|| {
                        CrowdsourcingError::Invalid(format!(
                            "部分退款须给出 0 到 {} 元之间的 refund_amount / a partial refund needs refund_amount between 0 and {} yuan",
                            fen_to_yuan(held),
                            fen_to_yuan(held)
                        ))
                    })?,
        };
        let note = input
            .note
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty());
        self.step(
            &mut tx,
            Step {
                order: &order,
                action: OrderAction::Decide,
                actor: OrderActor::Staff,
                by: &caller.user_id,
                reason: note,
            },
            now,
        )
        .await?;
        let outcome = input.decision.outcome();
        with_tx!(&mut tx, conn => {
            sqlx::query("UPDATE cs_orders SET state = $1, ended_at = $2, updated_at = $2 WHERE id = $3")
                .bind(outcome.as_str()).bind(now).bind(order_id).execute(&mut *conn).await?;
            sqlx::query("UPDATE cs_disputes SET decision = $1, refund_fen = $2, decision_note = $3, decided_by = $4, decided_at = $5 WHERE order_id = $6 AND decided_at IS NULL")
                .bind(input.decision.as_str()).bind(refund).bind(note).bind(&caller.user_id).bind(now).bind(order_id)
                .execute(&mut *conn).await?;
        });
        audit(
            &mut tx,
            Audit {
                demand_id: &order.demand_id,
                order_id: Some(order_id),
                actor: &caller.user_id,
                action: input.decision.as_str(),
                from: Some("disputed"),
                to: Some(outcome.as_str()),
                reason: note,
            },
            now,
        )
        .await?;
        if let Some(escrow) = &escrow
            && held - refund > 0
        {
            self.release(&mut tx, escrow, held - refund, now).await?;
        }
        write_order_record(&mut tx, order_id, &caller.user_id, now).await?;
        let (zh, en) = match input.decision {
            Decision::Release => (
                format!("裁决：向接包方放款 {} 元", fen_to_yuan(held)),
                format!(
                    "Decided: {} yuan released to the provider",
                    fen_to_yuan(held)
                ),
            ),
            Decision::PartialRefund => (
                format!(
                    "裁决：退还发包方 {} 元，其余 {} 元放款",
                    fen_to_yuan(refund),
                    fen_to_yuan(held - refund)
                ),
                format!(
                    "Decided: {} yuan refunded, {} yuan released",
                    fen_to_yuan(refund),
                    fen_to_yuan(held - refund)
                ),
            ),
            Decision::FullRefund => (
                format!("裁决：全额退还发包方 {} 元", fen_to_yuan(held)),
                format!(
                    "Decided: all {} yuan refunded to the enterprise",
                    fen_to_yuan(held)
                ),
            ),
        };
        let body = (
            note.unwrap_or_default().to_owned(),
            note.unwrap_or_default().to_owned(),
        );
        notices::post(
            &mut tx,
            [&order.enterprise_org_id, &order.provider_org_id]
                .into_iter()
                .map(|org| {
                    notice(
                        notices::organisation(org),
                        "dispute.decided",
                        (
                            format!("服务订单 {order_id} 争议已裁决：{zh}"),
                            body.0.clone(),
                        ),
                        (
                            format!("The dispute on order {order_id} was decided: {en}"),
                            body.1.clone(),
                        ),
                    )
                })
                .collect(),
            now,
        )
        .await?;
        tx.commit().await?;
        if let Some(escrow) = escrow
            && refund > 0
        {
            self.refund_escrow(
                db,
                &escrow.id,
                refund,
                "争议裁决退款 / refund decided on a dispute",
                now,
            )
            .await?;
        }
        self.order_view(db, caller, order_id, now).await
    }
}
