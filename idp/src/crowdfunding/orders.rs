//! Orders: backing a project, payment notifications, refunds, delivery and evaluation.

use super::access::actor_for;
use super::error::{CrowdfundingError, Result};
use super::lifecycle::{self, Actor, Refusal, State};
use super::model::*;
use super::payments::{NotificationKind, Prepay};
use super::records;
use super::service::Service;
use super::store::*;
use crate::accounts::caller::Caller;
use crate::db::{Db, Tx, is_unique_violation};
use crate::{with_pool, with_tx};

impl Service {
    /// 参与众筹: reserves copies of a reward (never past its limit) and opens a payment.
    pub async fn place_order(
        &self,
        db: &Db,
        caller: &Caller,
        project_id: &str,
        input: &OrderInput,
        now: i64,
    ) -> Result<(Order, Prepay)> {
        if !(1..=9999).contains(&input.copies) {
            return Err(CrowdfundingError::Invalid(
                "购买份数须为 1 到 9999 / copies must be 1 to 9999".into(),
            ));
        }
        for (name, value) in [
            ("buyer_name", &input.buyer_name),
            ("buyer_link_name", &input.buyer_link_name),
            ("buyer_link_mobile", &input.buyer_link_mobile),
            ("delivery_user_name", &input.delivery_user_name),
            ("delivery_user_phone", &input.delivery_user_phone),
            ("delivery_address", &input.delivery_address),
        ] {
            if value.trim().is_empty() {
                return Err(CrowdfundingError::Invalid(format!(
                    "{name} 必须填写 / {name} is required"
                )));
            }
        }
        let mut tx = db.begin().await?;
        let project = find_project(&mut tx, project_id).await?;
        let open = project.state == State::Listed && project.ends_at.is_some_and(|e| now < e);
        if !open {
            let f = facts(&mut tx, &project, now).await?;
            return Err(CrowdfundingError::Transition(Refusal {
                current: project.state,
                allowed: lifecycle::allowed_actions(project.state, actor_for(caller, &project), &f),
                reason_zh: "项目当前不接受支持".into(),
                reason_en: "the project is not open for backing".into(),
            }));
        }
        let rewards = rewards_of(&mut tx, project_id).await?;
        let reward = rewards
            .iter()
            .find(|r| r.id == input.reward_id)
            .ok_or_else(|| CrowdfundingError::NotFound(format!("回报 {}", input.reward_id)))?
            .clone();
        let amount = reward.amount_fen * input.copies + reward.express_fee_fen;
        let order = Order {
            id: new_id("CFO"),
            project_id: project_id.to_owned(),
            reward_id: reward.id.clone(),
            backer_user_id: caller.user_id.clone(),
            state: "pending".into(),
            copies: input.copies,
            amount_fen: amount,
            buyer_name: input.buyer_name.trim().to_owned(),
            buyer_link_name: input.buyer_link_name.trim().to_owned(),
            buyer_link_mobile: input.buyer_link_mobile.trim().to_owned(),
            delivery_user_name: input.delivery_user_name.trim().to_owned(),
            delivery_user_phone: input.delivery_user_phone.trim().to_owned(),
            delivery_address: input.delivery_address.trim().to_owned(),
            prepay_id: None,
            transaction_id: None,
            paid_at: None,
            refunded_at: None,
            delivery_date: None,
            delivery_type: None,
            delivery_no: None,
            evaluation: None,
            remark: None,
            created_at: now,
        };
        // The order's catalogue fields are checked now, so a bad phone is refused before payment.
        let t = crate::catalogue::spec::record_type("crowdfunding-order")
            .ok_or_else(|| CrowdfundingError::NotFound("spec".into()))?;
        if let Err((_, errors)) = crate::catalogue::validate::check_json(
            t,
            &records::order_record(&order),
            Default::default(),
        ) {
            return Err(CrowdfundingError::InvalidFields(errors));
        }
        // The reservation is one conditional statement: with many concurrent orders, the
        // database serialises them on the reward's row and none passes the limit.
        let reserved = with_tx!(&mut tx, conn => {
            sqlx::query("UPDATE cf_rewards SET sold = sold + $1 WHERE id = $2 AND (reward_limit IS NULL OR sold + $1 <= reward_limit)")
                .bind(input.copies)
                .bind(&reward.id)
                .execute(&mut *conn)
                .await?
                .rows_affected()
        });
        if reserved == 0 {
            let left = reward
                .reward_limit
                .map(|l| l - reward.sold)
                .unwrap_or_default()
                .max(0);
            return Err(CrowdfundingError::SoldOut {
                reward_id: reward.id,
                left,
            });
        }
        with_tx!(&mut tx, conn => {
            sqlx::query("INSERT INTO cf_orders (id, project_id, reward_id, backer_user_id, state, copies, amount_fen, buyer_name, buyer_link_name, buyer_link_mobile, delivery_user_name, delivery_user_phone, delivery_address, created_at) VALUES ($1, $2, $3, $4, 'pending', $5, $6, $7, $8, $9, $10, $11, $12, $13)")
                .bind(&order.id).bind(&order.project_id).bind(&order.reward_id).bind(&order.backer_user_id)
                .bind(order.copies).bind(order.amount_fen).bind(&order.buyer_name).bind(&order.buyer_link_name)
                .bind(&order.buyer_link_mobile).bind(&order.delivery_user_name).bind(&order.delivery_user_phone)
                .bind(&order.delivery_address).bind(now)
                .execute(&mut *conn)
                .await?;
        });
        audit(
            &mut tx,
            project_id,
            Some(&order.id),
            &caller.user_id,
            "order",
            None,
            None,
            None,
            now,
        )
        .await?;
        tx.commit().await?;
        let prepay = self
            .gateway
            .create_prepay(&order.id, order.amount_fen, &project.title)
            .await?;
        with_pool!(db, pool => {
            sqlx::query("UPDATE cf_orders SET prepay_id = $1 WHERE id = $2")
                .bind(&prepay.prepay_id)
                .bind(&order.id)
                .execute(pool)
                .await?;
        });
        let mut order = order;
        order.prepay_id = Some(prepay.prepay_id.clone());
        Ok((order, prepay))
    }

    /// A payment notification: verified first; each event handled once; only then is the order
    /// paid. A payment arriving after the project closed is refunded at once.
    pub async fn handle_notification(
        &self,
        db: &Db,
        body: &[u8],
        signature: &str,
        now: i64,
    ) -> Result<()> {
        let n = self.gateway.verify_notification(body, signature)?;
        self.handle_verified(db, n, now).await
    }

    /// A notification whose signature has been verified.
    pub async fn handle_verified(
        &self,
        db: &Db,
        n: super::payments::Notification,
        now: i64,
    ) -> Result<()> {
        let mut tx = db.begin().await?;
        let first = with_tx!(&mut tx, conn => {
            sqlx::query("INSERT INTO cf_payment_events (event_id, order_id, kind, received_at) VALUES ($1, $2, $3, $4)")
                .bind(&n.event_id)
                .bind(&n.order_id)
                .bind(match n.kind { NotificationKind::Paid => "paid", NotificationKind::Refunded => "refunded" })
                .bind(now)
                .execute(&mut *conn)
                .await
                .map(|r| r.rows_affected())
        });
        match first {
            Ok(_) => {}
            Err(e) if is_unique_violation(&e) => return Ok(()),
            Err(e) => return Err(e.into()),
        }
        let order = find_order(&mut tx, &n.order_id).await?;
        if n.kind == NotificationKind::Paid && order.state == "cancelled" {
            // Paid after its reservation lapsed: the money goes back.
            tx.commit().await?;
            self.gateway
                .refund(&order.id, &n.transaction_id, n.amount_fen)
                .await?;
            return Ok(());
        }
        if n.kind != NotificationKind::Paid || order.state != "pending" {
            tx.commit().await?;
            return Ok(());
        }
        if n.amount_fen != order.amount_fen {
            return Err(CrowdfundingError::Invalid(format!(
                "支付金额与订单不符 / the paid amount does not match order {}",
                order.id
            )));
        }
        let project = find_project(&mut tx, &order.project_id).await?;
        // A payment that arrives after the project closed does not count; it is refunded below.
        let counts = if project.state == State::Listed {
            order.amount_fen
        } else {
            0
        };
        with_tx!(&mut tx, conn => {
            sqlx::query("UPDATE cf_orders SET state = 'paid', transaction_id = $1, paid_at = $2 WHERE id = $3")
                .bind(&n.transaction_id).bind(now).bind(&order.id)
                .execute(&mut *conn).await?;
            sqlx::query("UPDATE cf_projects SET raised_fen = raised_fen + $1, updated_at = $2 WHERE id = $3")
                .bind(counts).bind(now).bind(&project.id)
                .execute(&mut *conn).await?;
        });
        audit(
            &mut tx,
            &project.id,
            Some(&order.id),
            "payment-gateway",
            "paid",
            None,
            None,
            None,
            now,
        )
        .await?;
        let paid = find_order(&mut tx, &order.id).await?;
        records::write(
            &mut tx,
            vec![("crowdfunding-order", records::order_record(&paid))],
            &project.organisation_id,
            &paid.backer_user_id,
            now,
        )
        .await?;
        tx.commit().await?;
        if project.state != State::Listed {
            self.refund(db, &paid, "项目已结束 / the project had closed", now)
                .await?;
        }
        Ok(())
    }

    pub(super) async fn refund(
        &self,
        db: &Db,
        order: &Order,
        reason: &str,
        now: i64,
    ) -> Result<()> {
        self.gateway
            .refund(
                &order.id,
                order.transaction_id.as_deref().unwrap_or_default(),
                order.amount_fen,
            )
            .await?;
        let mut tx = db.begin().await?;
        let done = with_tx!(&mut tx, conn => {
            sqlx::query("UPDATE cf_orders SET state = 'refunded', refunded_at = $1 WHERE id = $2 AND state = 'paid'")
                .bind(now).bind(&order.id)
                .execute(&mut *conn).await?.rows_affected()
        });
        // The project's raised total stays as it was at closing, for the record.
        if done > 0 {
            audit(
                &mut tx,
                &order.project_id,
                Some(&order.id),
                "payment-gateway",
                "refunded",
                None,
                None,
                Some(reason),
                now,
            )
            .await?;
            let project = find_project(&mut tx, &order.project_id).await?;
            super::notices::post(
                &mut tx,
                Some(super::notices::order_refunded(
                    order,
                    &project.title,
                    reason,
                )),
                now,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// 众筹回报: the initiator records the delivery of a paid order of a successful project.
    pub async fn deliver(
        &self,
        db: &Db,
        caller: &Caller,
        order_id: &str,
        input: &DeliveryInput,
        now: i64,
    ) -> Result<Order> {
        let mut tx = db.begin().await?;
        let order = find_order(&mut tx, order_id).await?;
        let project = find_project(&mut tx, &order.project_id).await?;
        if actor_for(caller, &project) != Actor::Initiator {
            return Err(CrowdfundingError::Forbidden(
                "只有发起方可以登记发货 / only the initiator records deliveries".into(),
            ));
        }
        if project.state != State::Succeeded || order.state != "paid" {
            return Err(CrowdfundingError::Transition(Refusal {
                current: project.state,
                allowed: Vec::new(),
                reason_zh: "只有成功项目的已支付订单可以发货".into(),
                reason_en: "only paid orders of a successful project are delivered".into(),
            }));
        }
        with_tx!(&mut tx, conn => {
            sqlx::query("UPDATE cf_orders SET delivery_date = $1, delivery_type = $2, delivery_no = $3 WHERE id = $4")
                .bind(input.delivery_date.trim()).bind(input.delivery_type.trim()).bind(input.delivery_no.trim()).bind(order_id)
                .execute(&mut *conn).await?;
        });
        let updated =
            order_changed(&mut tx, &project, order_id, caller, "deliver", None, now).await?;
        tx.commit().await?;
        Ok(updated)
    }

    /// The backer rates a delivered order (1 很满意 … 5 差).
    pub async fn evaluate(
        &self,
        db: &Db,
        caller: &Caller,
        order_id: &str,
        evaluation: i64,
        remark: Option<&str>,
        now: i64,
    ) -> Result<Order> {
        if !(1..=5).contains(&evaluation) {
            return Err(CrowdfundingError::Invalid(
                "评价须为 1 到 5 / evaluation is 1 to 5".into(),
            ));
        }
        let mut tx = db.begin().await?;
        let order = find_order(&mut tx, order_id).await?;
        if order.backer_user_id != caller.user_id {
            return Err(CrowdfundingError::Forbidden(
                "只有支持者本人可以评价 / only the backer evaluates".into(),
            ));
        }
        if order.delivery_no.is_none() {
            return Err(CrowdfundingError::Invalid(
                "尚未发货，不能评价 / not delivered yet".into(),
            ));
        }
        let project = find_project(&mut tx, &order.project_id).await?;
        with_tx!(&mut tx, conn => {
            sqlx::query("UPDATE cf_orders SET evaluation = $1, remark = $2 WHERE id = $3")
                .bind(evaluation).bind(remark).bind(order_id)
                .execute(&mut *conn).await?;
        });
        let updated =
            order_changed(&mut tx, &project, order_id, caller, "evaluate", remark, now).await?;
        tx.commit().await?;
        Ok(updated)
    }
}

/// After a change to an order: its catalogue record (4.3) and the audit entry, in the change's
/// transaction; gives the order as it now is.
async fn order_changed(
    tx: &mut Tx,
    project: &Project,
    order_id: &str,
    caller: &Caller,
    action: &str,
    reason: Option<&str>,
    now: i64,
) -> Result<Order> {
    let updated = find_order(&mut *tx, order_id).await?;
    records::write(
        tx,
        vec![("crowdfunding-order", records::order_record(&updated))],
        &project.organisation_id,
        &caller.user_id,
        now,
    )
    .await?;
    audit(
        tx,
        &project.id,
        Some(order_id),
        &caller.user_id,
        action,
        None,
        None,
        reason,
        now,
    )
    .await?;
    Ok(updated)
}
