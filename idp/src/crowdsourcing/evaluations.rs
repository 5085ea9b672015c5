//! 服务评价: after the work, each side rates the other once on the seed's scale (1 = 非常满意
//! … 5 = 差); the enterprise's rating is the order's SERVED_ORG_EVALUATION, and both feed the
//! organisations' comprehensive ratings shown wherever they are listed.

use super::access::{order_actor, order_hidden_from};
use super::error::{CrowdsourcingError, Result};
use super::lifecycle::{OrderAction, OrderActor, Side};
use super::model::*;
use super::orders::{Step, write_order_record};
use super::providers::add_score;
use super::service::Service;
use super::store::*;
use crate::accounts::caller::Caller;
use crate::db::Db;
use crate::with_tx;

fn score(value: Option<i64>, name: &str) -> Result<i64> {
    value.filter(|v| (1..=5).contains(v)).ok_or_else(|| {
        CrowdsourcingError::Invalid(format!(
            "{name} 须为 1（非常满意）到 5（差）/ {name} must be 1 (very satisfied) to 5 (poor)"
        ))
    })
}

impl Service {
    pub async fn evaluate(
        &self,
        db: &Db,
        caller: &Caller,
        order_id: &str,
        input: &EvaluationInput,
        now: i64,
    ) -> Result<OrderView> {
        if input
            .remark
            .as_deref()
            .is_some_and(|r| r.chars().count() > 4000)
        {
            return Err(CrowdsourcingError::Invalid(
                "评价内容最多 4000 字 / the remark takes at most 4000 characters".into(),
            ));
        }
        let mut tx = db.begin().await?;
        let order = find_order(&mut tx, order_id).await?;
        if let Some(hidden) = order_hidden_from(caller, &order) {
            return Err(hidden);
        }
        let actor = order_actor(caller, &order);
        let (action, side, target, scores) = match actor {
            OrderActor::Party(Side::Enterprise) => (
                OrderAction::EvaluateProvider,
                Side::Enterprise,
                order.provider_org_id.clone(),
                [
                    Some(score(input.quality, "quality")?),
                    Some(score(input.cycle, "cycle")?),
                    Some(score(input.on_time, "on_time")?),
                    None,
                    None,
                ],
            ),
            OrderActor::Party(Side::Provider) => (
                OrderAction::EvaluateEnterprise,
                Side::Provider,
                order.enterprise_org_id.clone(),
                [
                    None,
                    None,
                    None,
                    Some(score(input.communication, "communication")?),
                    Some(score(input.payment, "payment")?),
                ],
            ),
            _ => {
                return Err(CrowdsourcingError::Forbidden(
                    "只有订单双方可以评价 / only the two sides evaluate".into(),
                ));
            }
        };
        self.step(
            &mut tx,
            Step {
                order: &order,
                action,
                actor,
                by: &caller.user_id,
                reason: input.remark.as_deref(),
            },
            now,
        )
        .await?;
        let given: Vec<i64> = scores.iter().flatten().copied().collect();
        // The mean, rounded half up; on the seed's scale lower is better.
        let overall =
            (given.iter().sum::<i64>() * 2 + given.len() as i64) / (2 * given.len() as i64);
        let remark = input
            .remark
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty());
        with_tx!(&mut tx, conn => {
            sqlx::query("INSERT INTO cs_evaluations (order_id, side, target_org_id, quality, cycle, on_time, communication, payment, overall, remark, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)")
                .bind(order_id).bind(side.as_str()).bind(&target)
                .bind(scores[0]).bind(scores[1]).bind(scores[2]).bind(scores[3]).bind(scores[4])
                .bind(overall).bind(remark).bind(now)
                .execute(&mut *conn).await?;
        });
        let target_side = match side {
            Side::Enterprise => Side::Provider,
            Side::Provider => Side::Enterprise,
        };
        add_score(&mut tx, &target, target_side, overall).await?;
        if side == Side::Enterprise {
            write_order_record(&mut tx, order_id, &caller.user_id, now).await?;
        }
        tx.commit().await?;
        self.order_view(db, caller, order_id, now).await
    }
}
