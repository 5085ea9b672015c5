//! Where money comes from and how much is left: the bridge fund, the risk compensation pool,
//! each partner bank's lending against its commitment, the leasing budget of each year and
//! each enterprise group's yearly cap. Every draw is one conditional update that refuses to
//! pass its limit, so concurrent steps on several instances never overdraw any of them.

use serde::Serialize;
use utoipa::ToSchema;

use super::error::{Exceeded, FinancingError, Result};
use super::service::Service;
use crate::db::{Db, Tx};
use crate::payments::money::fen_to_yuan;
use crate::{with_pool, with_tx};

/// The state of the funds, for the console and the API.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = FinancingFunds)]
pub struct Funds {
    pub bridge_fund_fen: i64,
    /// Bridges disbursed and not yet recovered.
    pub bridge_out_fen: i64,
    pub pool_fen: i64,
    /// Compensation paid less what recovery brought back.
    pub pool_paid_fen: i64,
    /// Each partner bank may lend this much under the pool.
    pub bank_commitment_fen: i64,
    pub banks: Vec<BankLending>,
    pub leasing_year: i64,
    pub leasing_budget_fen: i64,
    pub leasing_granted_fen: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
#[schema(as = FinancingBankLending)]
pub struct BankLending {
    pub bank_org_id: String,
    pub bank_name: String,
    pub outstanding_fen: i64,
}

fn exceeded(
    limit: &'static str,
    limit_fen: i64,
    used_fen: i64,
    requested_fen: i64,
    what: (&str, &str),
) -> FinancingError {
    FinancingError::Exceeded(Exceeded {
        limit,
        limit_fen,
        used_fen,
        requested_fen,
        zh: format!(
            "{}为 {} 元，已用 {} 元，本次 {} 元",
            what.0,
            fen_to_yuan(limit_fen),
            fen_to_yuan(used_fen),
            fen_to_yuan(requested_fen)
        ),
        en: format!(
            "the {} is {} yuan, {} yuan are used, this needs {} yuan",
            what.1,
            fen_to_yuan(limit_fen),
            fen_to_yuan(used_fen),
            fen_to_yuan(requested_fen)
        ),
    })
}

impl Service {
    pub fn bank_commitment_fen(&self) -> i64 {
        self.policy.pool_yuan * 100 * self.policy.bank_commitment_multiple
    }

    /// Sets the funds' sizes from the policy (they are settings; what is out stays).
    pub async fn size_funds(&self, db: &Db) -> Result<()> {
        let mut tx = db.begin().await?;
        for (name, size) in [
            ("bridge", self.policy.bridge_fund_yuan * 100),
            ("pool", self.policy.pool_yuan * 100),
        ] {
            with_tx!(&mut tx, conn => {
                sqlx::query("INSERT INTO fin_funds (name, size_fen, out_fen) VALUES ($1, $2, 0) ON CONFLICT (name) DO UPDATE SET size_fen = $2")
                    .bind(name).bind(size).execute(&mut *conn).await?;
            });
        }
        tx.commit().await?;
        Ok(())
    }

    /// Takes `amount` out of a fund (`bridge` or `pool`), or says how much is left.
    pub(super) async fn draw_fund(
        &self,
        tx: &mut Tx,
        fund: &'static str,
        amount: i64,
    ) -> Result<()> {
        let done = with_tx!(tx, conn => {
            sqlx::query("UPDATE fin_funds SET out_fen = out_fen + $1 WHERE name = $2 AND out_fen + $1 <= size_fen")
                .bind(amount).bind(fund).execute(&mut *conn).await?.rows_affected()
        });
        if done == 1 {
            return Ok(());
        }
        let (size, out) = with_tx!(tx, conn => {
            sqlx::query_as::<_, (i64, i64)>("SELECT size_fen, out_fen FROM fin_funds WHERE name = $1")
                .bind(fund).fetch_optional(&mut *conn).await?
        })
        .unwrap_or((0, 0));
        Err(if fund == "bridge" {
            exceeded(
                "bridge_fund",
                size,
                out,
                amount,
                ("转贷资金池", "bridge fund"),
            )
        } else {
            exceeded(
                "pool",
                size,
                out,
                amount,
                ("风险补偿资金池", "risk compensation pool"),
            )
        })
    }

    /// Gives `amount` back to a fund.
    pub(super) async fn return_fund(
        &self,
        tx: &mut Tx,
        fund: &'static str,
        amount: i64,
    ) -> Result<()> {
        with_tx!(tx, conn => {
            sqlx::query("UPDATE fin_funds SET out_fen = CASE WHEN out_fen >= $1 THEN out_fen - $1 ELSE 0 END WHERE name = $2")
                .bind(amount).bind(fund).execute(&mut *conn).await?;
        });
        Ok(())
    }

    /// A partner bank lends `amount` under the pool: refused past its commitment.
    pub(super) async fn draw_commitment(&self, tx: &mut Tx, bank: &str, amount: i64) -> Result<()> {
        let commitment = self.bank_commitment_fen();
        let done = with_tx!(tx, conn => {
            sqlx::query("INSERT INTO fin_bank_lending (bank_org_id, outstanding_fen) VALUES ($1, 0) ON CONFLICT (bank_org_id) DO NOTHING")
                .bind(bank).execute(&mut *conn).await?;
            sqlx::query("UPDATE fin_bank_lending SET outstanding_fen = outstanding_fen + $1 WHERE bank_org_id = $2 AND outstanding_fen + $1 <= $3")
                .bind(amount).bind(bank).bind(commitment).execute(&mut *conn).await?.rows_affected()
        });
        if done == 1 {
            return Ok(());
        }
        let out: i64 = with_tx!(tx, conn => {
            sqlx::query_scalar("SELECT outstanding_fen FROM fin_bank_lending WHERE bank_org_id = $1")
                .bind(bank).fetch_one(&mut *conn).await?
        });
        Err(exceeded(
            "bank_commitment",
            commitment,
            out,
            amount,
            ("该银行的合作放款承诺额度", "bank's lending commitment"),
        ))
    }

    /// A loan under the pool is over (settled or compensated): the bank's commitment frees up.
    pub(super) async fn release_commitment(
        &self,
        tx: &mut Tx,
        bank: &str,
        amount: i64,
    ) -> Result<()> {
        with_tx!(tx, conn => {
            sqlx::query("UPDATE fin_bank_lending SET outstanding_fen = CASE WHEN outstanding_fen >= $1 THEN outstanding_fen - $1 ELSE 0 END WHERE bank_org_id = $2")
                .bind(amount).bind(bank).execute(&mut *conn).await?;
        });
        Ok(())
    }

    /// Grants a leasing subsidy of up to `computed` to `group` in `year`: the group's cap
    /// shortens it, the year's budget must hold all of it. Answers what was granted.
    pub(super) async fn draw_leasing(
        &self,
        tx: &mut Tx,
        group: &str,
        year: i64,
        computed: i64,
    ) -> Result<i64> {
        let cap = self.policy.leasing_cap_yuan * 100;
        let budget = self.policy.leasing_budget_yuan * 100;
        let granted: i64 = with_tx!(tx, conn => {
            sqlx::query("INSERT INTO fin_group_grants (group_key, year, granted_fen) VALUES ($1, $2, 0) ON CONFLICT (group_key, year) DO NOTHING")
                .bind(group).bind(year).execute(&mut *conn).await?;
            sqlx::query("INSERT INTO fin_budgets (year, budget_fen, granted_fen) VALUES ($1, $2, 0) ON CONFLICT (year) DO UPDATE SET budget_fen = $2")
                .bind(year).bind(budget).execute(&mut *conn).await?;
            sqlx::query_scalar("SELECT granted_fen FROM fin_group_grants WHERE group_key = $1 AND year = $2")
                .bind(group).bind(year).fetch_one(&mut *conn).await?
        });
        let amount = computed.min(cap - granted);
        if amount <= 0 {
            return Err(exceeded(
                "enterprise_cap",
                cap,
                granted,
                computed,
                (
                    "企业（含关联企业）本年度融资租赁补贴上限",
                    "enterprise group's yearly cap",
                ),
            ));
        }
        let capped = with_tx!(tx, conn => {
            sqlx::query("UPDATE fin_group_grants SET granted_fen = granted_fen + $1 WHERE group_key = $2 AND year = $3 AND granted_fen + $1 <= $4")
                .bind(amount).bind(group).bind(year).bind(cap).execute(&mut *conn).await?.rows_affected()
        });
        if capped != 1 {
            return Err(exceeded(
                "enterprise_cap",
                cap,
                granted,
                amount,
                (
                    "企业（含关联企业）本年度融资租赁补贴上限",
                    "enterprise group's yearly cap",
                ),
            ));
        }
        let within = with_tx!(tx, conn => {
            sqlx::query("UPDATE fin_budgets SET granted_fen = granted_fen + $1 WHERE year = $2 AND granted_fen + $1 <= budget_fen")
                .bind(amount).bind(year).execute(&mut *conn).await?.rows_affected()
        });
        if within != 1 {
            let (size, used) = with_tx!(tx, conn => {
                sqlx::query_as::<_, (i64, i64)>("SELECT budget_fen, granted_fen FROM fin_budgets WHERE year = $1")
                    .bind(year).fetch_one(&mut *conn).await?
            });
            return Err(exceeded(
                "budget",
                size,
                used,
                amount,
                ("本年度融资租赁补贴预算", "year's leasing subsidy budget"),
            ));
        }
        Ok(amount)
    }

    /// The funds as they stand.
    pub async fn funds(&self, db: &Db, year: i64) -> Result<Funds> {
        let (funds, banks, leasing) = with_pool!(db, pool => {
            let funds = sqlx::query_as::<_, (String, i64, i64)>("SELECT name, size_fen, out_fen FROM fin_funds")
                .fetch_all(pool).await?;
            let banks = sqlx::query_as::<_, BankLending>("SELECT l.bank_org_id, o.name AS bank_name, l.outstanding_fen FROM fin_bank_lending l JOIN organisations o ON o.id = l.bank_org_id ORDER BY o.name LIMIT 200")
                .fetch_all(pool).await?;
            let leasing = sqlx::query_as::<_, (i64, i64)>("SELECT budget_fen, granted_fen FROM fin_budgets WHERE year = $1")
                .bind(year).fetch_optional(pool).await?;
            (funds, banks, leasing)
        });
        let fund = |name: &str| {
            funds
                .iter()
                .find(|f| f.0 == name)
                .map(|f| (f.1, f.2))
                .unwrap_or((0, 0))
        };
        let (leasing_budget_fen, leasing_granted_fen) =
            leasing.unwrap_or((self.policy.leasing_budget_yuan * 100, 0));
        Ok(Funds {
            bridge_fund_fen: fund("bridge").0,
            bridge_out_fen: fund("bridge").1,
            pool_fen: fund("pool").0,
            pool_paid_fen: fund("pool").1,
            bank_commitment_fen: self.bank_commitment_fen(),
            banks,
            leasing_year: year,
            leasing_budget_fen,
            leasing_granted_fen,
        })
    }

    /// Staff name the group an enterprise belongs to (关联企业 share one cap); `None` removes it.
    pub async fn set_affiliation(
        &self,
        db: &Db,
        organisation_id: &str,
        group: Option<&str>,
    ) -> Result<()> {
        let group = group.map(str::trim).filter(|g| !g.is_empty());
        if group.is_some_and(|g| g.chars().count() > 100) {
            return Err(FinancingError::Invalid(
                "分组名最多 100 字 / a group name takes at most 100 characters".into(),
            ));
        }
        if super::store::organisation(db, organisation_id)
            .await?
            .is_none()
        {
            return Err(FinancingError::NotFound(format!(
                "机构 / organisation {organisation_id}"
            )));
        }
        with_pool!(db, pool => {
            sqlx::query("DELETE FROM fin_affiliations WHERE organisation_id = $1").bind(organisation_id).execute(pool).await?;
            if let Some(g) = group {
                sqlx::query("INSERT INTO fin_affiliations (organisation_id, group_key) VALUES ($1, $2)")
                    .bind(organisation_id).bind(g).execute(pool).await?;
            }
        });
        Ok(())
    }
}
