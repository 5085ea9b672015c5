//! Escrow (资金托管): the enterprise pays into the platform's hands before work starts; the
//! money leaves only as a release to the provider (less the platform's fee) or a refund along
//! the payment. Every movement is a row of `cs_escrow_moves`, and for every escrow
//! paid = released + refunded + held.

use super::access::{demand_actor, hidden_from, order_actor, order_hidden_from};
use super::demand_input::write_demand_record;
use super::demands::facts;
use super::error::{CrowdsourcingError, Result};
use super::lifecycle::{DemandAction, DemandState, OrderAction, OrderState};
use super::model::*;
use super::notices::{self, notice};
use super::orders::{Step, order_facts, write_order_record};
use super::push::listed_notices;
use super::service::Service;
use super::store::*;
use crate::accounts::caller::Caller;
use crate::db::{Db, Tx, is_unique_violation};
use crate::payments::money::fen_to_yuan;
use crate::payments::{DispatchError, Notification, NotificationKind, NotificationSink, Prepay};
use crate::{with_pool, with_tx};

impl Service {
    /// A reward demand's fee into escrow: the payment that lists it.
    pub async fn pay_demand_escrow(
        &self,
        db: &Db,
        caller: &Caller,
        demand_id: &str,
        now: i64,
    ) -> Result<(Escrow, Prepay)> {
        let mut tx = db.begin().await?;
        let demand = find_demand(&mut tx, demand_id).await?;
        if let Some(hidden) = hidden_from(caller, &demand) {
            return Err(hidden);
        }
        let f = facts(&mut tx, &demand, caller, now).await?;
        demand
            .state
            .transition(DemandAction::PayEscrow, demand_actor(caller, &demand), &f)
            .map_err(CrowdsourcingError::Transition)?;
        let escrow = pending_escrow(&mut tx, demand_id, None, demand.fee_fen, now).await?;
        tx.commit().await?;
        self.prepay(db, escrow, &demand.title).await
    }

    /// An agreed order's amount into escrow: the payment that starts the work.
    pub async fn pay_order_escrow(
        &self,
        db: &Db,
        caller: &Caller,
        order_id: &str,
        now: i64,
    ) -> Result<(Escrow, Prepay)> {
        let mut tx = db.begin().await?;
        let order = find_order(&mut tx, order_id).await?;
        if let Some(hidden) = order_hidden_from(caller, &order) {
            return Err(hidden);
        }
        let f = order_facts(&mut tx, &order, self.policy.rework_rounds, now).await?;
        order
            .state
            .transition(OrderAction::PayEscrow, order_actor(caller, &order), &f)
            .map_err(CrowdsourcingError::Transition)?;
        let escrow = pending_escrow(
            &mut tx,
            &order.demand_id,
            Some(order_id),
            order.amount_fen,
            now,
        )
        .await?;
        let demand = find_demand(&mut tx, &order.demand_id).await?;
        tx.commit().await?;
        self.prepay(db, escrow, &demand.title).await
    }

    async fn prepay(&self, db: &Db, escrow: Escrow, title: &str) -> Result<(Escrow, Prepay)> {
        let prepay = self
            .gateway
            .create_prepay(&escrow.id, escrow.amount_fen, title)
            .await?;
        with_pool!(db, pool => {
            sqlx::query("UPDATE cs_escrows SET prepay_id = $1 WHERE id = $2")
                .bind(&prepay.prepay_id).bind(&escrow.id).execute(pool).await?;
        });
        let mut escrow = escrow;
        escrow.prepay_id = Some(prepay.prepay_id.clone());
        Ok((escrow, prepay))
    }

    /// A verified payment notification for an escrow: handled once per event. The money is
    /// held; a reward demand is listed, an order starts. Money arriving for a demand or order
    /// that has gone meanwhile is refunded at once.
    pub async fn handle_payment(&self, db: &Db, n: Notification, now: i64) -> Result<()> {
        let mut tx = db.begin().await?;
        let first = with_tx!(&mut tx, conn => {
            sqlx::query("INSERT INTO cs_payment_events (event_id, escrow_id, received_at) VALUES ($1, $2, $3)")
                .bind(&n.event_id).bind(&n.order_id).bind(now)
                .execute(&mut *conn).await.map(|r| r.rows_affected())
        });
        match first {
            Ok(_) => {}
            Err(e) if is_unique_violation(&e) => return Ok(()),
            Err(e) => return Err(e.into()),
        }
        let escrow = find_escrow(&mut tx, &n.order_id).await?;
        if n.kind != NotificationKind::Paid {
            tx.commit().await?;
            return Ok(());
        }
        if n.amount_fen != escrow.amount_fen {
            return Err(CrowdsourcingError::Invalid(format!(
                "支付金额与托管不符 / the paid amount does not match escrow {}",
                escrow.id
            )));
        }
        if escrow.state != "pending" {
            // A second payment of the same escrow: it goes straight back.
            tx.commit().await?;
            self.gateway
                .refund(&escrow.id, &n.transaction_id, n.amount_fen)
                .await?;
            return Ok(());
        }
        with_tx!(&mut tx, conn => {
            sqlx::query("UPDATE cs_escrows SET state = 'held', paid_fen = $1, transaction_id = $2, paid_at = $3 WHERE id = $4")
                .bind(n.amount_fen).bind(&n.transaction_id).bind(now).bind(&escrow.id)
                .execute(&mut *conn).await?;
        });
        record_move(
            &mut tx,
            &escrow.id,
            "paid",
            n.amount_fen,
            Some(&n.transaction_id),
            now,
        )
        .await?;
        // Rows are locked in one order everywhere: escrow, order, demand.
        let order = match escrow.order_id.as_deref() {
            Some(id) => Some(find_order(&mut tx, id).await?),
            None => None,
        };
        let demand = find_demand(&mut tx, &escrow.demand_id).await?;
        let mut still_wanted = true;
        match order {
            None => {
                if demand.state == DemandState::AwaitingEscrow && demand.deletion_reason.is_none() {
                    with_tx!(&mut tx, conn => {
                        sqlx::query("UPDATE cs_demands SET state = 'listed', listed_at = $1, updated_at = $1 WHERE id = $2")
                            .bind(now).bind(&demand.id).execute(&mut *conn).await?;
                    });
                    audit(
                        &mut tx,
                        Audit {
                            demand_id: &demand.id,
                            order_id: None,
                            actor: "payment-gateway",
                            action: "pay_escrow",
                            from: Some(demand.state.as_str()),
                            to: Some("listed"),
                            reason: None,
                        },
                        now,
                    )
                    .await?;
                    write_demand_record(&mut tx, &demand.id, &demand.owner_user_id, now).await?;
                    let pushed = listed_notices(&mut tx, &demand, self.policy.push_limit).await?;
                    notices::post(&mut tx, pushed, now).await?;
                } else {
                    still_wanted = false;
                }
            }
            Some(order) => {
                let order_id = order.id.as_str();
                if order.state == OrderState::AwaitingEscrow {
                    self.step(
                        &mut tx,
                        Step {
                            order: &order,
                            action: OrderAction::PayEscrow,
                            actor: super::lifecycle::OrderActor::Party(
                                super::lifecycle::Side::Enterprise,
                            ),
                            by: "payment-gateway",
                            reason: None,
                        },
                        now,
                    )
                    .await?;
                    with_tx!(&mut tx, conn => {
                        sqlx::query("UPDATE cs_orders SET started_at = $1 WHERE id = $2")
                            .bind(now).bind(order_id).execute(&mut *conn).await?;
                    });
                    write_order_record(&mut tx, order_id, "payment-gateway", now).await?;
                    let yuan = fen_to_yuan(order.amount_fen);
                    notices::post(
                        &mut tx,
                        vec![notice(
                            notices::organisation(&order.provider_org_id),
                            "order.escrow_paid",
                            (
                                format!("服务订单 {order_id} 的费用已托管，可以开始服务"),
                                format!("平台已托管 {yuan} 元，验收后放款。请在 {} 天内交付。", order.delivery_days),
                            ),
                            (
                                format!("Order {order_id} is paid into escrow: start the work"),
                                format!("The platform holds {yuan} yuan until acceptance. Deliver within {} days.", order.delivery_days),
                            ),
                        )],
                        now,
                    )
                    .await?;
                } else {
                    still_wanted = false;
                }
            }
        }
        tx.commit().await?;
        if !still_wanted {
            self.refund_escrow(
                db,
                &escrow.id,
                n.amount_fen,
                "付款时需求或订单已关闭 / the demand or order had closed when the payment arrived",
                now,
            )
            .await?;
        }
        Ok(())
    }

    /// Releases whatever the demand's escrow still holds to the provider; answers how much.
    pub(super) async fn release_all(&self, tx: &mut Tx, demand_id: &str, now: i64) -> Result<i64> {
        let Some(escrow) = escrow_of(&mut *tx, demand_id).await? else {
            return Ok(0);
        };
        if escrow.held_fen <= 0 {
            return Ok(0);
        }
        self.release(tx, &escrow, escrow.held_fen, now).await?;
        Ok(escrow.held_fen)
    }

    /// Releases `amount` of a held escrow to the provider, the platform's fee taken from it.
    pub(super) async fn release(
        &self,
        tx: &mut Tx,
        escrow: &Escrow,
        amount: i64,
        now: i64,
    ) -> Result<()> {
        let fee = amount * self.policy.platform_fee_percent / 100;
        let moved = with_tx!(tx, conn => {
            sqlx::query("UPDATE cs_escrows SET released_fen = released_fen + $1, fee_fen = fee_fen + $2, state = CASE WHEN paid_fen - released_fen - refunded_fen - $1 = 0 THEN 'closed' ELSE state END, closed_at = CASE WHEN paid_fen - released_fen - refunded_fen - $1 = 0 THEN $3 ELSE closed_at END WHERE id = $4 AND state = 'held' AND paid_fen - released_fen - refunded_fen >= $1")
                .bind(amount).bind(fee).bind(now).bind(&escrow.id)
                .execute(&mut *conn).await?.rows_affected()
        });
        if moved == 0 {
            return Err(CrowdsourcingError::Invalid(format!(
                "托管余额不足 / escrow {} does not hold that much",
                escrow.id
            )));
        }
        record_move(tx, &escrow.id, "released", amount, None, now).await
    }

    /// Sends `amount` of a held escrow back along its payment, then records it.
    pub(super) async fn refund_escrow(
        &self,
        db: &Db,
        escrow_id: &str,
        amount: i64,
        reason: &str,
        now: i64,
    ) -> Result<()> {
        if amount <= 0 {
            return Ok(());
        }
        let escrow = find_escrow(db, escrow_id).await?;
        if escrow.held_fen < amount {
            return Err(CrowdsourcingError::Invalid(format!(
                "托管余额不足 / escrow {escrow_id} does not hold that much"
            )));
        }
        let transaction: Option<String> = with_pool!(db, pool => {
            sqlx::query_scalar("SELECT transaction_id FROM cs_escrows WHERE id = $1")
                .bind(escrow_id).fetch_one(pool).await?
        });
        let refund_id = self
            .gateway
            .refund(
                escrow_id,
                transaction.as_deref().unwrap_or_default(),
                amount,
            )
            .await?;
        let mut tx = db.begin().await?;
        let moved = with_tx!(&mut tx, conn => {
            sqlx::query("UPDATE cs_escrows SET refunded_fen = refunded_fen + $1, state = CASE WHEN paid_fen - released_fen - refunded_fen - $1 = 0 THEN 'closed' ELSE state END, closed_at = CASE WHEN paid_fen - released_fen - refunded_fen - $1 = 0 THEN $2 ELSE closed_at END WHERE id = $3 AND paid_fen - released_fen - refunded_fen >= $1")
                .bind(amount).bind(now).bind(escrow_id)
                .execute(&mut *conn).await?.rows_affected()
        });
        if moved > 0 {
            record_move(
                &mut tx,
                escrow_id,
                "refunded",
                amount,
                Some(&refund_id),
                now,
            )
            .await?;
            audit(
                &mut tx,
                Audit {
                    demand_id: &escrow.demand_id,
                    order_id: escrow.order_id.as_deref(),
                    actor: "payment-gateway",
                    action: "refund",
                    from: None,
                    to: None,
                    reason: Some(reason),
                },
                now,
            )
            .await?;
            let demand = find_demand(&mut tx, &escrow.demand_id).await?;
            notices::post(
                &mut tx,
                vec![notice(
                    notices::organisation(&demand.organisation_id),
                    "escrow.refunded",
                    (
                        format!(
                            "「{}」的托管款已退回 {} 元",
                            demand.title,
                            fen_to_yuan(amount)
                        ),
                        reason.to_owned(),
                    ),
                    (
                        format!(
                            "{} yuan of the escrow for “{}” was refunded",
                            fen_to_yuan(amount),
                            demand.title
                        ),
                        reason.to_owned(),
                    ),
                )],
                now,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

/// The pending escrow for this demand (and order), or a new one.
async fn pending_escrow(
    tx: &mut Tx,
    demand_id: &str,
    order_id: Option<&str>,
    amount_fen: i64,
    now: i64,
) -> Result<Escrow> {
    let existing = with_tx!(tx, conn => {
        sqlx::query_scalar::<_, String>("SELECT id FROM cs_escrows WHERE demand_id = $1 AND state = 'pending' AND amount_fen = $2 ORDER BY created_at DESC LIMIT 1")
            .bind(demand_id).bind(amount_fen).fetch_optional(&mut *conn).await?
    });
    let id = match existing {
        Some(id) => id,
        None => {
            let id = new_id("CSE");
            with_tx!(tx, conn => {
                sqlx::query("INSERT INTO cs_escrows (id, demand_id, order_id, amount_fen, state, created_at) VALUES ($1, $2, $3, $4, 'pending', $5)")
                    .bind(&id).bind(demand_id).bind(order_id).bind(amount_fen).bind(now)
                    .execute(&mut *conn).await?;
            });
            id
        }
    };
    find_escrow(&mut *tx, &id).await
}

async fn record_move(
    tx: &mut Tx,
    escrow_id: &str,
    kind: &str,
    amount: i64,
    reference: Option<&str>,
    now: i64,
) -> Result<()> {
    with_tx!(tx, conn => {
        sqlx::query("INSERT INTO cs_escrow_moves (id, escrow_id, kind, amount_fen, reference, at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(uuid::Uuid::new_v4().simple().to_string()).bind(escrow_id).bind(kind).bind(amount).bind(reference).bind(now)
            .execute(&mut *conn).await?;
    });
    Ok(())
}

#[async_trait::async_trait]
impl NotificationSink for Service {
    async fn handle(
        &self,
        db: &Db,
        notification: Notification,
        now: i64,
    ) -> std::result::Result<(), DispatchError> {
        self.handle_payment(db, notification, now)
            .await
            .map_err(|e| match e {
                CrowdsourcingError::Db(_) | CrowdsourcingError::Gateway(_) => {
                    DispatchError::Failed(e.to_string())
                }
                other => DispatchError::Refused(other.to_string()),
            })
    }
}
