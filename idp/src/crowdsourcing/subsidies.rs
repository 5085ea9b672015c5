//! 服务补贴券: after a deal the enterprise applies for a subsidy of the policy's share of the
//! order amount (government-purchased service), capped per enterprise per year and by the
//! year's budget. Approval takes the amount from both in one conditional statement each, so
//! however many staff approve at once the budget is never overspent.

use super::access::{order_actor, order_hidden_from};
use super::error::{CrowdsourcingError, Result};
use super::lifecycle::OrderAction;
use super::model::*;
use super::notices::{self, notice};
use super::orders::{Step, write_order_record};
use super::service::Service;
use super::store::*;
use crate::accounts::caller::Caller;
use crate::db::{Db, Tx};
use crate::payments::money::fen_to_yuan;
use crate::{with_pool, with_tx};

/// The calendar year in China time.
pub(super) fn china_year(now: i64) -> i64 {
    crate::clock::shanghai_year(now)
}

/// The subsidy columns, with the order's 重点孵化项目 mark for the queue.
const QUEUE_SQL: &str = "SELECT s.id, s.order_id, s.enterprise_org_id, s.year, s.amount_fen, s.state, s.reason, s.applied_at, s.decided_at FROM cs_subsidies s JOIN cs_orders o ON o.id = s.order_id JOIN cs_demands d ON d.id = o.demand_id WHERE s.state = 'applied' ORDER BY d.key_project DESC, s.applied_at, s.id LIMIT 200";

/// What the year's budget holds.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[schema(as = CrowdsourcingBudget)]
pub struct Budget {
    pub year: i64,
    pub budget_fen: i64,
    pub granted_fen: i64,
    pub left_fen: i64,
}

impl Service {
    fn budget_fen(&self) -> i64 {
        self.policy.subsidy_budget_yuan * 100
    }

    fn cap_fen(&self) -> i64 {
        self.policy.subsidy_cap_yuan * 100
    }

    /// 申请服务补贴: the enterprise of a dealt order applies (once per order).
    pub async fn apply_subsidy(
        &self,
        db: &Db,
        caller: &Caller,
        order_id: &str,
        now: i64,
    ) -> Result<OrderView> {
        let mut tx = db.begin().await?;
        let order = find_order(&mut tx, order_id).await?;
        if let Some(hidden) = order_hidden_from(caller, &order) {
            return Err(hidden);
        }
        self.step(
            &mut tx,
            Step {
                order: &order,
                action: OrderAction::ApplySubsidy,
                actor: order_actor(caller, &order),
                by: &caller.user_id,
                reason: None,
            },
            now,
        )
        .await?;
        let year = china_year(now);
        let granted = granted_to(&mut tx, &order.enterprise_org_id, year).await?;
        let left = (self.cap_fen() - granted).max(0);
        let amount = (order.amount_fen * self.policy.subsidy_rate_percent / 100).min(left);
        if amount <= 0 {
            return Err(CrowdsourcingError::SubsidyExhausted {
                limit: "enterprise_cap",
                left_fen: left,
                zh: format!(
                    "贵企业本年度补贴已达上限 {} 元",
                    fen_to_yuan(self.cap_fen())
                ),
                en: format!(
                    "your enterprise reached this year's cap of {} yuan",
                    fen_to_yuan(self.cap_fen())
                ),
            });
        }
        with_tx!(&mut tx, conn => {
            sqlx::query("INSERT INTO cs_subsidies (id, order_id, enterprise_org_id, year, amount_fen, state, applied_at) VALUES ($1, $2, $3, $4, $5, 'applied', $6)")
                .bind(new_id("SUB")).bind(order_id).bind(&order.enterprise_org_id).bind(year).bind(amount).bind(now)
                .execute(&mut *conn).await?;
        });
        notices::post(
            &mut tx,
            vec![notice(
                notices::staff(),
                "subsidy.applied",
                (
                    format!(
                        "服务订单 {order_id} 申请服务补贴 {} 元",
                        fen_to_yuan(amount)
                    ),
                    "重点孵化项目，优先审批。",
                ),
                (
                    format!(
                        "Order {order_id} applies for a {} yuan service subsidy",
                        fen_to_yuan(amount)
                    ),
                    "A key incubation project: review it first.",
                ),
            )],
            now,
        )
        .await?;
        tx.commit().await?;
        self.order_view(db, caller, order_id, now).await
    }

    /// Staff approve or reject an application. Approval draws on the year's budget and the
    /// enterprise's cap, each by a conditional update that refuses to pass its limit.
    pub async fn decide_subsidy(
        &self,
        db: &Db,
        caller: &Caller,
        order_id: &str,
        approve: bool,
        reason: Option<&str>,
        now: i64,
    ) -> Result<OrderView> {
        if !caller.is_staff() {
            return Err(CrowdsourcingError::Forbidden(
                "只有平台管理人员可以审批补贴 / only staff decide subsidies".into(),
            ));
        }
        let mut tx = db.begin().await?;
        let order = find_order(&mut tx, order_id).await?;
        let subsidy = with_tx!(&mut tx, conn => {
            sqlx::query_as::<_, Subsidy>("SELECT id, order_id, enterprise_org_id, year, amount_fen, state, reason, applied_at, decided_at FROM cs_subsidies WHERE order_id = $1")
                .bind(order_id).fetch_optional(&mut *conn).await?
        })
        .filter(|s| s.state == "applied")
        .ok_or_else(|| {
            CrowdsourcingError::Invalid("没有待审批的补贴申请 / no subsidy application is waiting".into())
        })?;
        if approve {
            self.draw(&mut tx, &subsidy).await?;
        }
        let decided = with_tx!(&mut tx, conn => {
            sqlx::query("UPDATE cs_subsidies SET state = $1, reason = $2, decided_at = $3, decided_by = $4 WHERE id = $5 AND state = 'applied'")
                .bind(if approve { "approved" } else { "rejected" }).bind(reason).bind(now).bind(&caller.user_id).bind(&subsidy.id)
                .execute(&mut *conn).await?.rows_affected()
        });
        if decided == 0 {
            return Err(CrowdsourcingError::Invalid(
                "该申请已被审批 / this application was decided already".into(),
            ));
        }
        if approve {
            with_tx!(&mut tx, conn => {
                sqlx::query("UPDATE cs_orders SET allowance_fen = $1, updated_at = $2 WHERE id = $3")
                    .bind(subsidy.amount_fen).bind(now).bind(order_id).execute(&mut *conn).await?;
            });
            write_order_record(&mut tx, order_id, &caller.user_id, now).await?;
        }
        audit(
            &mut tx,
            Audit {
                demand_id: &order.demand_id,
                order_id: Some(order_id),
                actor: &caller.user_id,
                action: if approve {
                    "approve_subsidy"
                } else {
                    "reject_subsidy"
                },
                from: None,
                to: None,
                reason,
            },
            now,
        )
        .await?;
        let yuan = fen_to_yuan(subsidy.amount_fen);
        notices::post(
            &mut tx,
            vec![notice(
                notices::organisation(&order.enterprise_org_id),
                if approve {
                    "subsidy.approved"
                } else {
                    "subsidy.rejected"
                },
                (
                    if approve {
                        format!("服务补贴券已批准：{yuan} 元")
                    } else {
                        "服务补贴申请未获批准".to_owned()
                    },
                    format!("服务订单 {order_id}。{}", reason.unwrap_or_default()),
                ),
                (
                    if approve {
                        format!("Service subsidy approved: {yuan} yuan")
                    } else {
                        "Service subsidy not approved".to_owned()
                    },
                    format!("Order {order_id}. {}", reason.unwrap_or_default()),
                ),
            )],
            now,
        )
        .await?;
        tx.commit().await?;
        self.order_view(db, caller, order_id, now).await
    }

    /// Takes an approved subsidy from the year's budget and the enterprise's cap.
    async fn draw(&self, tx: &mut Tx, s: &Subsidy) -> Result<()> {
        let budget = self.budget_fen();
        let cap = self.cap_fen();
        let drawn = with_tx!(tx, conn => {
            sqlx::query("INSERT INTO cs_subsidy_budgets (year, budget_fen, granted_fen) VALUES ($1, $2, 0) ON CONFLICT (year) DO UPDATE SET budget_fen = excluded.budget_fen")
                .bind(s.year).bind(budget).execute(&mut *conn).await?;
            sqlx::query("UPDATE cs_subsidy_budgets SET granted_fen = granted_fen + $1 WHERE year = $2 AND granted_fen + $1 <= budget_fen")
                .bind(s.amount_fen).bind(s.year).execute(&mut *conn).await?.rows_affected()
        });
        if drawn == 0 {
            let left = self.budget(&mut *tx, s.year).await?.left_fen;
            return Err(CrowdsourcingError::SubsidyExhausted {
                limit: "budget",
                left_fen: left,
                zh: format!(
                    "{} 年度补贴预算剩余 {} 元，不足 {} 元",
                    s.year,
                    fen_to_yuan(left),
                    fen_to_yuan(s.amount_fen)
                ),
                en: format!(
                    "the {} budget has {} yuan left, less than {} yuan",
                    s.year,
                    fen_to_yuan(left),
                    fen_to_yuan(s.amount_fen)
                ),
            });
        }
        let capped = with_tx!(tx, conn => {
            sqlx::query("INSERT INTO cs_subsidy_granted (organisation_id, year, granted_fen) VALUES ($1, $2, 0) ON CONFLICT (organisation_id, year) DO NOTHING")
                .bind(&s.enterprise_org_id).bind(s.year).execute(&mut *conn).await?;
            sqlx::query("UPDATE cs_subsidy_granted SET granted_fen = granted_fen + $1 WHERE organisation_id = $2 AND year = $3 AND granted_fen + $1 <= $4")
                .bind(s.amount_fen).bind(&s.enterprise_org_id).bind(s.year).bind(cap)
                .execute(&mut *conn).await?.rows_affected()
        });
        if capped == 0 {
            let left = (cap - granted_to(tx, &s.enterprise_org_id, s.year).await?).max(0);
            return Err(CrowdsourcingError::SubsidyExhausted {
                limit: "enterprise_cap",
                left_fen: left,
                zh: format!("该企业本年度补贴上限剩余 {} 元", fen_to_yuan(left)),
                en: format!(
                    "the enterprise has {} yuan left of this year's cap",
                    fen_to_yuan(left)
                ),
            });
        }
        Ok(())
    }

    /// The year's budget as it stands.
    pub async fn budget<'r>(
        &self,
        from: impl Into<crate::db::Reader<'r>>,
        year: i64,
    ) -> Result<Budget> {
        let granted = crate::with_reader!(from.into(), exec => {
            sqlx::query_scalar::<_, i64>("SELECT granted_fen FROM cs_subsidy_budgets WHERE year = $1")
                .bind(year).fetch_optional(exec).await?
        })
        .unwrap_or(0);
        let budget = self.budget_fen();
        Ok(Budget {
            year,
            budget_fen: budget,
            granted_fen: granted,
            left_fen: (budget - granted).max(0),
        })
    }

    /// Applications waiting for staff, key incubation projects first.
    pub async fn subsidy_queue(&self, db: &Db) -> Result<Vec<Subsidy>> {
        Ok(with_pool!(db, pool => sqlx::query_as::<_, Subsidy>(QUEUE_SQL).fetch_all(pool).await?))
    }
}

async fn granted_to(tx: &mut Tx, organisation: &str, year: i64) -> Result<i64> {
    Ok(with_tx!(tx, conn => {
        sqlx::query_scalar::<_, i64>("SELECT granted_fen FROM cs_subsidy_granted WHERE organisation_id = $1 AND year = $2")
            .bind(organisation).bind(year).fetch_optional(&mut *conn).await?
    })
    .unwrap_or(0))
}
