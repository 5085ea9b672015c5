//! The fund as a whole: its capital put on the ledger, its overdue rate (which pauses new
//! disbursements past the setting), and its status at a glance.

use serde::Serialize;
use utoipa::ToSchema;

use super::super::error::{FinancingError, Result};
use super::super::service::Service;
use super::ledger::{self, Entry, credit, debit};
use super::store::managing;
use crate::accounts::caller::Caller;
use crate::db::Db;
use crate::payments::money::fen_to_yuan;
use crate::{with_pool, with_tx};

/// Why new loans wait: the fund's overdue rate passed its threshold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paused {
    pub overdue_fen: i64,
    pub outstanding_fen: i64,
    /// Parts per million.
    pub rate_ppm: i64,
    pub threshold_ppm: i64,
}

/// The fund at a glance.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FundStatus {
    pub cash_fen: i64,
    pub capital_government_fen: i64,
    pub capital_members_fen: i64,
    pub loans_outstanding_fen: i64,
    pub overdue_principal_fen: i64,
    /// Overdue principal ÷ outstanding principal, percent with two decimals.
    pub overdue_rate_percent: String,
    pub pause_threshold_percent: String,
    /// New disbursements wait while the overdue rate is above the threshold.
    pub paused: bool,
    pub members: i64,
    pub active_loans: i64,
    pub ledger: Vec<ledger::AccountBalance>,
    pub debits_fen: i64,
    pub credits_fen: i64,
    /// Σ debits = Σ credits over the whole ledger.
    pub balanced: bool,
    pub chain_length: i64,
    pub chain_head: String,
}

/// `ppm` as a percentage with two decimals.
pub fn ppm_percent(ppm: i64) -> String {
    super::terms::two_decimals(super::super::fees::round_half_up(ppm as i128, 100))
}

impl Service {
    /// Puts the fund's capital (the setting) on the ledger: the opening entry once, then an
    /// entry for each later change of the setting.
    pub async fn size_mutual_fund(&self, db: &Db, now: i64) -> Result<()> {
        let target = self.terms.fund.capital_fen;
        let mut tx = db.begin().await?;
        let lock = crate::db::dialect::for_update(tx.backend());
        let balance: i64 = with_tx!(&mut tx, conn => {
            sqlx::query_scalar(&format!("SELECT balance_fen FROM fund_accounts WHERE code = 'capital_government'{lock}"))
                .fetch_one(&mut *conn).await?
        });
        let opened: i64 = with_tx!(&mut tx, conn => {
            sqlx::query_scalar("SELECT COUNT(*) FROM fund_journal WHERE kind = 'opening'")
                .fetch_one(&mut *conn).await?
        });
        // The capital account is credit-normal: its balance is minus the capital.
        let change = target - (-balance);
        if change == 0 {
            return Ok(());
        }
        let (kind, postings) = if change > 0 {
            (
                if opened == 0 { "opening" } else { "capital" },
                vec![debit("cash", change), credit("capital_government", change)],
            )
        } else {
            (
                "capital",
                vec![
                    debit("capital_government", -change),
                    credit("cash", -change),
                ],
            )
        };
        let posted = ledger::post(
            &mut tx,
            Entry {
                kind,
                apply_no: None,
                org_id: None,
                memo: format!(
                    "财政出资调整为 {} 元 / government capital set to {} yuan",
                    fen_to_yuan(target),
                    fen_to_yuan(target)
                ),
                by: "system",
                postings,
            },
            now,
        )
        .await;
        match posted {
            Ok(_) => tx.commit().await?,
            Err(FinancingError::Exceeded(_)) => tracing::warn!(
                "mutual fund: the capital cannot shrink below what is lent out; left as it is"
            ),
            Err(e) => return Err(e),
        }
        Ok(())
    }

    /// The fund's overdue principal and all outstanding principal.
    pub(super) async fn overdue_figures<'r>(
        &self,
        from: impl Into<crate::db::Reader<'r>>,
    ) -> Result<Paused> {
        let (overdue_fen, outstanding_fen): (i64, i64) = crate::with_reader!(from.into(), exec => {
            sqlx::query_as("SELECT CAST(COALESCE(SUM(CASE WHEN state = 'overdue' THEN amount_fen - principal_repaid_fen ELSE 0 END), 0) AS BIGINT), CAST(COALESCE(SUM(amount_fen - principal_repaid_fen), 0) AS BIGINT) FROM fund_applications WHERE state IN ('disbursed', 'overdue')")
                .fetch_one(exec).await?
        });
        let rate_ppm = if outstanding_fen > 0 {
            super::super::fees::round_half_up(
                overdue_fen as i128 * 1_000_000,
                outstanding_fen as i128,
            )
        } else {
            0
        };
        Ok(Paused {
            overdue_fen,
            outstanding_fen,
            rate_ppm,
            threshold_ppm: self.terms.fund.pause_ppm,
        })
    }

    pub async fn fund_status(&self, db: &Db, caller: &Caller) -> Result<FundStatus> {
        managing(caller)?;
        let figures = self.overdue_figures(db).await?;
        let accounts = ledger::trial_balance(db).await?;
        let bal = |code: &str| {
            accounts
                .iter()
                .find(|a| a.code == code)
                .map_or(0, |a| a.balance_fen)
        };
        let (members, active_loans, chain_length, chain_head): (i64, i64, i64, String) = with_pool!(db, pool => {
            sqlx::query_as("SELECT (SELECT COUNT(*) FROM fund_members WHERE active = 1), (SELECT COUNT(*) FROM fund_applications WHERE state IN ('disbursed', 'overdue')), length, head FROM fund_chain WHERE id = 1")
                .fetch_one(pool).await?
        });
        let debits_fen = accounts.iter().map(|a| a.debits_fen).sum();
        let credits_fen = accounts.iter().map(|a| a.credits_fen).sum();
        Ok(FundStatus {
            cash_fen: bal("cash"),
            capital_government_fen: -bal("capital_government"),
            capital_members_fen: -bal("capital_members"),
            loans_outstanding_fen: bal("loans"),
            overdue_principal_fen: figures.overdue_fen,
            overdue_rate_percent: ppm_percent(figures.rate_ppm),
            pause_threshold_percent: ppm_percent(figures.threshold_ppm),
            paused: figures.rate_ppm > figures.threshold_ppm,
            members,
            active_loans,
            debits_fen,
            credits_fen,
            balanced: debits_fen == credits_fen,
            ledger: accounts,
            chain_length,
            chain_head,
        })
    }
}
