//! Service orders (5.3): what each side sees, delivery with attachments, acceptance, rework up
//! to the limit, acceptance by the scheduler when the enterprise stays silent, cancellation
//! before any money moved.

use super::access::{order_actor, order_hidden_from};
use super::error::{CrowdsourcingError, Result};
use super::lifecycle::{OrderAction, OrderActor, OrderFacts, OrderState, Side};
use super::model::*;
use super::notices::{self, notice};
use super::records::{self, OrderContext};
use super::responses::check_links;
use super::service::Service;
use super::store::*;
use crate::accounts::caller::Caller;
use crate::db::{Db, Tx};
use crate::{with_pool, with_tx};

const DELIVERY_COLUMNS: &str = "id, round, note, attachments, decision, reason, at, decided_at";
const DISPUTE_COLUMNS: &str = "id, opened_by, reason, evidence, answer, answered_at, decision, refund_fen, decision_note, decided_at, opened_at";
const EVALUATION_COLUMNS: &str =
    "side, target_org_id, quality, cycle, on_time, communication, payment, overall, remark, at";
const SUBSIDY_COLUMNS: &str =
    "id, order_id, enterprise_org_id, year, amount_fen, state, reason, applied_at, decided_at";

/// The order's 5.3 record as it now is, reported for the provider.
pub(super) async fn write_order_record(
    tx: &mut Tx,
    order_id: &str,
    user_id: &str,
    now: i64,
) -> Result<()> {
    let order = find_order(&mut *tx, order_id).await?;
    let demand = find_demand(&mut *tx, &order.demand_id).await?;
    let provider_name = organisation_name(&mut *tx, &order.provider_org_id).await?;
    let enterprise_name = organisation_name(&mut *tx, &order.enterprise_org_id).await?;
    let evaluation = evaluations_of(&mut *tx, order_id)
        .await?
        .into_iter()
        .find(|e| e.side == Side::Enterprise.as_str());
    let record = records::order_record(
        &order,
        &OrderContext {
            demand: &demand,
            provider_name: &provider_name,
            enterprise_name: &enterprise_name,
            evaluation: evaluation.as_ref(),
        },
    );
    records::write(
        tx,
        vec![("service-order", record)],
        &order.provider_org_id,
        user_id,
        now,
    )
    .await
}

pub(super) async fn evaluations_of(tx: &mut Tx, order_id: &str) -> Result<Vec<Evaluation>> {
    Ok(with_tx!(tx, conn => {
        sqlx::query_as::<_, Evaluation>(&format!("SELECT {EVALUATION_COLUMNS} FROM cs_evaluations WHERE order_id = $1 ORDER BY side"))
            .bind(order_id).fetch_all(&mut *conn).await?
    }))
}

/// The facts the order rules need.
pub(super) async fn order_facts(
    tx: &mut Tx,
    order: &Order,
    max_rework_rounds: i64,
    now: i64,
) -> Result<OrderFacts> {
    let dispute = with_tx!(tx, conn => {
        sqlx::query_as::<_, (String, Option<String>)>("SELECT opened_by, answer FROM cs_disputes WHERE order_id = $1 AND decided_at IS NULL ORDER BY opened_at DESC LIMIT 1")
            .bind(&order.id).fetch_optional(&mut *conn).await?
    });
    let evaluations = evaluations_of(tx, &order.id).await?;
    let subsidies = count(
        &mut *tx,
        "SELECT COUNT(*) FROM cs_subsidies WHERE order_id = $1",
        &order.id,
    )
    .await?;
    Ok(OrderFacts {
        now,
        auto_accept_at: order.auto_accept_at,
        rework_rounds: order.rework_rounds,
        max_rework_rounds,
        dispute_opened_by: dispute.as_ref().and_then(|(by, _)| Side::parse(by)),
        dispute_answered: dispute.is_some_and(|(_, answer)| answer.is_some()),
        evaluated_by_enterprise: evaluations.iter().any(|e| e.side == "enterprise"),
        evaluated_by_provider: evaluations.iter().any(|e| e.side == "provider"),
        subsidy_applied: subsidies > 0,
    })
}

/// Moves an order: checks the rule, sets the new state (and any columns the step sets), writes
/// its 5.3 record and the audit entry. The caller commits.
pub(super) struct Step<'a> {
    pub order: &'a Order,
    pub action: OrderAction,
    pub actor: OrderActor,
    pub by: &'a str,
    pub reason: Option<&'a str>,
}

/// An uploaded file as it arrived.
pub struct Upload<'a> {
    pub name: &'a str,
    pub content_type: &'a str,
    pub content: &'a [u8],
}

impl Service {
    pub(super) async fn step(&self, tx: &mut Tx, s: Step<'_>, now: i64) -> Result<OrderState> {
        let f = order_facts(tx, s.order, self.policy.rework_rounds, now).await?;
        let next = s
            .order
            .state
            .transition(s.action, s.actor, &f)
            .map_err(CrowdsourcingError::Transition)?;
        if next != s.order.state {
            with_tx!(tx, conn => {
                sqlx::query("UPDATE cs_orders SET state = $1, updated_at = $2 WHERE id = $3")
                    .bind(next.as_str()).bind(now).bind(&s.order.id)
                    .execute(&mut *conn).await?;
            });
        }
        audit(
            tx,
            Audit {
                demand_id: &s.order.demand_id,
                order_id: Some(&s.order.id),
                actor: s.by,
                action: s.action.as_str(),
                from: Some(s.order.state.as_str()),
                to: Some(next.as_str()),
                reason: s.reason,
            },
            now,
        )
        .await?;
        Ok(next)
    }

    /// An order as `caller` sees it: its sides and staff only.
    pub async fn order_view(
        &self,
        db: &Db,
        caller: &Caller,
        id: &str,
        now: i64,
    ) -> Result<OrderView> {
        // Read without locking: a view must never wait on, or deadlock with, a write.
        let order = find_order(db, id).await?;
        if let Some(hidden) = order_hidden_from(caller, &order) {
            return Err(hidden);
        }
        let demand = find_demand(db, &order.demand_id).await?;
        let escrow = escrow_of(db, &order.demand_id).await?;
        let mut tx = db.begin().await?;
        let f = order_facts(&mut tx, &order, self.policy.rework_rounds, now).await?;
        let deliveries = with_tx!(&mut tx, conn => {
            sqlx::query_as::<_, Delivery>(&format!("SELECT {DELIVERY_COLUMNS} FROM cs_deliveries WHERE order_id = $1 ORDER BY round"))
                .bind(id).fetch_all(&mut *conn).await?
        });
        let disputes = with_tx!(&mut tx, conn => {
            sqlx::query_as::<_, Dispute>(&format!("SELECT {DISPUTE_COLUMNS} FROM cs_disputes WHERE order_id = $1 ORDER BY opened_at"))
                .bind(id).fetch_all(&mut *conn).await?
        });
        let evaluations = evaluations_of(&mut tx, id).await?;
        let subsidy = with_tx!(&mut tx, conn => {
            sqlx::query_as::<_, Subsidy>(&format!("SELECT {SUBSIDY_COLUMNS} FROM cs_subsidies WHERE order_id = $1"))
                .bind(id).fetch_optional(&mut *conn).await?
        });
        tx.commit().await?;
        Ok(OrderView {
            state_label: order.state.label_zh(),
            demand_title: demand.title,
            mode: demand.mode,
            allowed_actions: order
                .state
                .allowed(order_actor(caller, &order), &f)
                .iter()
                .map(|a| a.as_str())
                .collect(),
            escrow,
            deliveries,
            disputes,
            evaluations,
            subsidy,
            order,
        })
    }

    /// The caller's orders (as either side; staff: all), newest first, at most 100.
    pub async fn orders(
        &self,
        db: &Db,
        caller: &Caller,
        state: Option<OrderState>,
    ) -> Result<Vec<Order>> {
        let org = caller.organisation_id.clone().unwrap_or_default();
        let sql = format!(
            "SELECT {ORDER_COLUMNS} FROM cs_orders WHERE ($1 OR enterprise_org_id = $2 OR provider_org_id = $2) AND ($3 = '' OR state = $3) ORDER BY created_at DESC, id DESC LIMIT 100"
        );
        Ok(with_pool!(db, pool => {
            sqlx::query_as::<_, Order>(&sql)
                .bind(caller.is_staff())
                .bind(&org)
                .bind(state.map(|s| s.as_str()).unwrap_or_default())
                .fetch_all(pool)
                .await?
        }))
    }

    /// Either side calls the order off before any money was paid.
    pub async fn cancel_order(
        &self,
        db: &Db,
        caller: &Caller,
        id: &str,
        reason: Option<&str>,
        now: i64,
    ) -> Result<OrderView> {
        let mut tx = db.begin().await?;
        let order = find_order(&mut tx, id).await?;
        if let Some(hidden) = order_hidden_from(caller, &order) {
            return Err(hidden);
        }
        self.step(
            &mut tx,
            Step {
                order: &order,
                action: OrderAction::Cancel,
                actor: order_actor(caller, &order),
                by: &caller.user_id,
                reason,
            },
            now,
        )
        .await?;
        with_tx!(&mut tx, conn => {
            sqlx::query("UPDATE cs_orders SET ended_at = $1 WHERE id = $2").bind(now).bind(id).execute(&mut *conn).await?;
        });
        write_order_record(&mut tx, id, &caller.user_id, now).await?;
        let other = if caller.belongs_to(&order.provider_org_id) {
            &order.enterprise_org_id
        } else {
            &order.provider_org_id
        };
        notices::post(
            &mut tx,
            vec![notice(
                notices::organisation(other),
                "order.cancelled",
                (
                    format!("服务订单 {id} 已取消"),
                    reason.unwrap_or_default().to_owned(),
                ),
                (
                    format!("Service order {id} was cancelled"),
                    reason.unwrap_or_default().to_owned(),
                ),
            )],
            now,
        )
        .await?;
        tx.commit().await?;
        self.order_view(db, caller, id, now).await
    }

    /// An attachment for a delivery (or a dispute's evidence), at most the policy's size.
    pub async fn upload_attachment(
        &self,
        db: &Db,
        caller: &Caller,
        order_id: &str,
        upload: Upload<'_>,
        now: i64,
    ) -> Result<Attachment> {
        let Upload {
            name,
            content_type,
            content,
        } = upload;
        if content.len() > self.policy.max_attachment_bytes {
            return Err(CrowdsourcingError::TooLarge {
                limit: self.policy.max_attachment_bytes,
            });
        }
        if content.is_empty() {
            return Err(CrowdsourcingError::Invalid(
                "附件为空 / the attachment is empty".into(),
            ));
        }
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 200 || name.contains(['/', '\\']) {
            return Err(CrowdsourcingError::Invalid(
                "文件名须为 1 到 200 个字，不含路径 / name takes 1 to 200 characters, no path"
                    .into(),
            ));
        }
        let order = find_order(db, order_id).await?;
        if !matches!(order_actor(caller, &order), OrderActor::Party(_)) {
            return Err(order_hidden_from(caller, &order).unwrap_or_else(|| {
                CrowdsourcingError::Forbidden(
                    "只有订单双方可以上传附件 / only the two sides upload".into(),
                )
            }));
        }
        let attachments = count(
            db,
            "SELECT COUNT(*) FROM cs_attachments WHERE order_id = $1",
            order_id,
        )
        .await?;
        if attachments >= 50 {
            return Err(CrowdsourcingError::Invalid(
                "每个订单最多 50 个附件 / at most 50 attachments per order".into(),
            ));
        }
        let attachment = Attachment {
            id: new_id("ATT"),
            order_id: order_id.to_owned(),
            name: name.to_owned(),
            content_type: content_type.chars().take(100).collect(),
            size_bytes: content.len() as i64,
            at: now,
        };
        let organisation = caller.organisation_id.clone().unwrap_or_default();
        with_pool!(db, pool => {
            sqlx::query("INSERT INTO cs_attachments (id, order_id, organisation_id, name, content_type, size_bytes, content, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                .bind(&attachment.id).bind(order_id).bind(&organisation).bind(&attachment.name)
                .bind(&attachment.content_type).bind(attachment.size_bytes).bind(content).bind(now)
                .execute(pool).await?;
        });
        Ok(attachment)
    }

    /// An attachment's content, for the order's sides and staff.
    pub async fn attachment(
        &self,
        db: &Db,
        caller: &Caller,
        id: &str,
    ) -> Result<(Attachment, Vec<u8>)> {
        let row = with_pool!(db, pool => {
            sqlx::query_as::<_, (String, String, String, String, i64, Vec<u8>, i64)>("SELECT id, order_id, name, content_type, size_bytes, content, at FROM cs_attachments WHERE id = $1")
                .bind(id).fetch_optional(pool).await?
        })
        .ok_or_else(|| CrowdsourcingError::NotFound(format!("附件 / attachment {id}")))?;
        let order = find_order(db, &row.1).await?;
        if order_hidden_from(caller, &order).is_some() {
            return Err(CrowdsourcingError::NotFound(format!(
                "附件 / attachment {id}"
            )));
        }
        Ok((
            Attachment {
                id: row.0,
                order_id: row.1,
                name: row.2,
                content_type: row.3,
                size_bytes: row.4,
                at: row.6,
            },
            row.5,
        ))
    }

    /// 交付: the provider delivers (a note, links, uploaded attachments); the enterprise has the
    /// policy's window to accept or send it back.
    pub async fn deliver(
        &self,
        db: &Db,
        caller: &Caller,
        id: &str,
        input: &DeliveryInput,
        now: i64,
    ) -> Result<OrderView> {
        let note = input.note.trim();
        if note.is_empty() || note.chars().count() > 4000 {
            return Err(CrowdsourcingError::Invalid(
                "交付说明须为 1 到 4000 字 / the note takes 1 to 4000 characters".into(),
            ));
        }
        check_links(&input.links)?;
        if input.attachment_ids.len() > 20 {
            return Err(CrowdsourcingError::Invalid(
                "最多 20 个附件 / at most 20 attachments".into(),
            ));
        }
        let mut tx = db.begin().await?;
        let order = find_order(&mut tx, id).await?;
        if let Some(hidden) = order_hidden_from(caller, &order) {
            return Err(hidden);
        }
        for attachment in &input.attachment_ids {
            let belongs = with_tx!(&mut tx, conn => {
                sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM cs_attachments WHERE id = $1 AND order_id = $2")
                    .bind(attachment).bind(id).fetch_one(&mut *conn).await?
            });
            if belongs == 0 {
                return Err(CrowdsourcingError::NotFound(format!(
                    "本订单的附件 / attachment of this order {attachment}"
                )));
            }
        }
        self.step(
            &mut tx,
            Step {
                order: &order,
                action: OrderAction::Deliver,
                actor: order_actor(caller, &order),
                by: &caller.user_id,
                reason: None,
            },
            now,
        )
        .await?;
        let round = order.rework_rounds + 1;
        let attachments =
            serde_json::json!({"links": input.links, "attachment_ids": input.attachment_ids});
        with_tx!(&mut tx, conn => {
            sqlx::query("INSERT INTO cs_deliveries (id, order_id, round, note, attachments, at) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(new_id("DL")).bind(id).bind(round).bind(note).bind(attachments.to_string()).bind(now)
                .execute(&mut *conn).await?;
            sqlx::query("UPDATE cs_orders SET result = $1, delivered_at = $2, first_delivered_at = COALESCE(first_delivered_at, $2), auto_accept_at = $3 WHERE id = $4")
                .bind(note).bind(now).bind(now + self.auto_accept_seconds()).bind(id)
                .execute(&mut *conn).await?;
        });
        write_order_record(&mut tx, id, &caller.user_id, now).await?;
        let days = self.policy.auto_accept_days;
        notices::post(
            &mut tx,
            vec![notice(
                notices::organisation(&order.enterprise_org_id),
                "order.delivered",
                (
                    format!("服务订单 {id} 已交付（第 {round} 次）"),
                    format!("请在 {days} 天内验收或退回返工；逾期未处理将自动验收并放款。"),
                ),
                (
                    format!("Service order {id} was delivered (round {round})"),
                    format!("Accept it or send it back within {days} days; after that it is accepted and paid automatically."),
                ),
            )],
            now,
        )
        .await?;
        tx.commit().await?;
        self.order_view(db, caller, id, now).await
    }

    /// 验收: the enterprise accepts the delivery; the escrow is released to the provider.
    pub async fn accept_delivery(
        &self,
        db: &Db,
        caller: &Caller,
        id: &str,
        now: i64,
    ) -> Result<OrderView> {
        let mut tx = db.begin().await?;
        let order = find_order(&mut tx, id).await?;
        if let Some(hidden) = order_hidden_from(caller, &order) {
            return Err(hidden);
        }
        self.complete(
            &mut tx,
            &order,
            OrderAction::Accept,
            order_actor(caller, &order),
            &caller.user_id,
            now,
        )
        .await?;
        tx.commit().await?;
        self.order_view(db, caller, id, now).await
    }

    /// Acceptance by the enterprise or, after the window, the scheduler.
    async fn complete(
        &self,
        tx: &mut Tx,
        order: &Order,
        action: OrderAction,
        actor: OrderActor,
        by: &str,
        now: i64,
    ) -> Result<()> {
        self.step(
            tx,
            Step {
                order,
                action,
                actor,
                by,
                reason: None,
            },
            now,
        )
        .await?;
        let decision = if action == OrderAction::AutoAccept {
            "auto_accepted"
        } else {
            "accepted"
        };
        with_tx!(tx, conn => {
            sqlx::query("UPDATE cs_deliveries SET decision = $1, decided_at = $2 WHERE order_id = $3 AND decision IS NULL")
                .bind(decision).bind(now).bind(&order.id).execute(&mut *conn).await?;
            sqlx::query("UPDATE cs_orders SET ended_at = $1, auto_accept_at = NULL WHERE id = $2")
                .bind(now).bind(&order.id).execute(&mut *conn).await?;
        });
        let released = self.release_all(tx, &order.demand_id, now).await?;
        write_order_record(tx, &order.id, by, now).await?;
        let yuan = crate::payments::money::fen_to_yuan(released);
        let (zh, en) = if action == OrderAction::AutoAccept {
            (
                "验收期满未处理，系统已自动验收",
                "nobody answered within the window; accepted automatically",
            )
        } else {
            ("发包方已验收", "the enterprise accepted it")
        };
        notices::post(
            tx,
            vec![
                notice(
                    notices::organisation(&order.provider_org_id),
                    "order.completed",
                    (
                        format!("服务订单 {} 已完成", order.id),
                        format!("{zh}，托管款 {yuan} 元已放款。请评价发包方。"),
                    ),
                    (
                        format!("Service order {} is complete", order.id),
                        format!("{en}; {yuan} yuan released. Please rate the enterprise."),
                    ),
                ),
                notice(
                    notices::organisation(&order.enterprise_org_id),
                    "order.completed",
                    (
                        format!("服务订单 {} 已完成", order.id),
                        format!("{zh}。请评价接包方。"),
                    ),
                    (
                        format!("Service order {} is complete", order.id),
                        format!("{en}. Please rate the provider."),
                    ),
                ),
            ],
            now,
        )
        .await
    }

    /// 退回返工: the enterprise sends the delivery back with a reason, up to the limit.
    pub async fn request_rework(
        &self,
        db: &Db,
        caller: &Caller,
        id: &str,
        reason: Option<&str>,
        now: i64,
    ) -> Result<OrderView> {
        let reason = reason
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .ok_or_else(|| {
                CrowdsourcingError::Invalid(
                    "请说明返工理由（reason）/ rework needs a reason".into(),
                )
            })?;
        let mut tx = db.begin().await?;
        let order = find_order(&mut tx, id).await?;
        if let Some(hidden) = order_hidden_from(caller, &order) {
            return Err(hidden);
        }
        self.step(
            &mut tx,
            Step {
                order: &order,
                action: OrderAction::Rework,
                actor: order_actor(caller, &order),
                by: &caller.user_id,
                reason: Some(reason),
            },
            now,
        )
        .await?;
        with_tx!(&mut tx, conn => {
            sqlx::query("UPDATE cs_deliveries SET decision = 'rework', reason = $1, decided_at = $2 WHERE order_id = $3 AND decision IS NULL")
                .bind(reason).bind(now).bind(id).execute(&mut *conn).await?;
            sqlx::query("UPDATE cs_orders SET rework_rounds = rework_rounds + 1, auto_accept_at = NULL WHERE id = $1")
                .bind(id).execute(&mut *conn).await?;
        });
        write_order_record(&mut tx, id, &caller.user_id, now).await?;
        let left = self.policy.rework_rounds - order.rework_rounds - 1;
        notices::post(
            &mut tx,
            vec![notice(
                notices::organisation(&order.provider_org_id),
                "order.rework",
                (
                    format!("服务订单 {id} 被退回返工"),
                    format!("理由：{reason}（还可返工 {left} 次）"),
                ),
                (
                    format!("Service order {id} was sent back"),
                    format!("Reason: {reason} ({left} more rounds allowed)"),
                ),
            )],
            now,
        )
        .await?;
        tx.commit().await?;
        self.order_view(db, caller, id, now).await
    }

    /// Deliveries nobody answered within the window are accepted; answers how many.
    pub async fn auto_accept_due(&self, db: &Db, now: i64) -> Result<usize> {
        let due: Vec<String> = with_pool!(db, pool => {
            sqlx::query_scalar("SELECT id FROM cs_orders WHERE state = 'delivered' AND auto_accept_at <= $1 ORDER BY auto_accept_at LIMIT 500")
                .bind(now).fetch_all(pool).await?
        });
        let mut done = 0;
        for id in due {
            let mut tx = db.begin().await?;
            let order = find_order(&mut tx, &id).await?;
            match self
                .complete(
                    &mut tx,
                    &order,
                    OrderAction::AutoAccept,
                    OrderActor::System,
                    "scheduler",
                    now,
                )
                .await
            {
                Ok(()) => {
                    tx.commit().await?;
                    done += 1;
                }
                // Accepted or disputed meanwhile.
                Err(CrowdsourcingError::Transition(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(done)
    }
}
