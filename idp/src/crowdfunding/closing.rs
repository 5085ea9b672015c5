//! The scheduled work: releasing unpaid orders and closing projects whose period is over.

use sqlx::Row;

use super::error::Result;
use super::lifecycle::{self, Action, Actor, State};
use super::money::fen_to_yuan;
use super::service::Service;
use super::store::*;
use crate::db::Db;
use crate::{with_pool, with_tx};

impl Service {
    /// Cancels unpaid orders older than the limit and gives their copies back; a payment that
    /// still arrives for one is refunded.
    pub async fn release_unpaid(&self, db: &Db, now: i64) -> Result<usize> {
        let stale: Vec<(String, String, i64)> = with_pool!(db, pool => {
            let mut out = Vec::new();
            for row in sqlx::query("SELECT id, reward_id, copies FROM cf_orders WHERE state = 'pending' AND created_at < $1")
                .bind(now - self.unpaid_order_ttl)
                .fetch_all(pool)
                .await?
            {
                out.push((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?));
            }
            out
        });
        let mut released = 0;
        for (id, reward, copies) in stale {
            let mut tx = db.begin().await?;
            let cancelled = with_tx!(&mut tx, conn => {
                sqlx::query("UPDATE cf_orders SET state = 'cancelled' WHERE id = $1 AND state = 'pending'")
                    .bind(&id).execute(&mut *conn).await?.rows_affected()
            });
            if cancelled > 0 {
                with_tx!(&mut tx, conn => {
                    sqlx::query("UPDATE cf_rewards SET sold = sold - $1 WHERE id = $2")
                        .bind(copies).bind(&reward).execute(&mut *conn).await?;
                });
                released += 1;
            }
            tx.commit().await?;
        }
        Ok(released)
    }

    /// 进度: closes every listed project whose period is over; a failed one refunds every paid
    /// order. Unpaid orders are cancelled and their copies released. Returns how many closed.
    pub async fn close_due(&self, db: &Db, now: i64) -> Result<usize> {
        let due: Vec<String> = with_pool!(db, pool => sqlx::query_scalar("SELECT id FROM cf_projects WHERE state = 'listed' AND ends_at <= $1")
            .bind(now)
            .fetch_all(pool)
            .await?);
        let mut closed = 0;
        for id in due {
            let mut tx = db.begin().await?;
            let project = find_project(&mut tx, &id).await?;
            let f = facts(&mut tx, &project, now).await?;
            let Ok(next) = lifecycle::transition(project.state, Action::Close, Actor::System, &f)
            else {
                continue;
            };
            for pending in orders_of(&mut tx, &id, "pending").await? {
                with_tx!(&mut tx, conn => {
                    sqlx::query("UPDATE cf_orders SET state = 'cancelled' WHERE id = $1").bind(&pending.id).execute(&mut *conn).await?;
                    sqlx::query("UPDATE cf_rewards SET sold = sold - $1 WHERE id = $2").bind(pending.copies).bind(&pending.reward_id).execute(&mut *conn).await?;
                });
            }
            // The raised total at closing, for the record: paid orders only.
            with_tx!(&mut tx, conn => {
                sqlx::query("UPDATE cf_projects SET state = $1, closed_at = $2, updated_at = $2 WHERE id = $3")
                    .bind(next.as_str()).bind(now).bind(&id)
                    .execute(&mut *conn).await?;
            });
            audit(
                &mut tx,
                &id,
                None,
                "scheduler",
                "close",
                Some(project.state),
                Some(next),
                Some(&format!(
                    "raised {} of {}",
                    fen_to_yuan(project.raised_fen),
                    fen_to_yuan(project.target_fen)
                )),
                now,
            )
            .await?;
            super::notices::post(
                &mut tx,
                super::notices::project_moved(&project, next, None),
                now,
            )
            .await?;
            let paid = orders_of(&mut tx, &id, "paid").await?;
            tx.commit().await?;
            metrics::counter!(crate::metrics::PLATFORM_TRANSITIONS, "platform" => "crowdfunding", "action" => "close")
                .increment(1);
            if next == State::Failed {
                for order in paid {
                    self.refund(
                        db,
                        &order,
                        "众筹失败，原路退回 / the project failed; refunded along the payment",
                        now,
                    )
                    .await?;
                }
            }
            closed += 1;
        }
        Ok(closed)
    }
}
