//! 还款 (6.4.3): a repayment recorded by a fund manager or staff, applied to the fee, then the
//! interest, then the principal, with its ledger entry and catalogue record; the loan is settled
//! when nothing is owed.

use super::super::error::{Exceeded, FinancingError, Result};
use super::super::service::Service;
use super::applications::field_error;
use super::ledger::{self, Entry, credit, debit};
use super::lifecycle::{self, FundAction, FundState};
use super::model::*;
use super::records;
use super::steps::invalid;
use super::store::*;
use super::terms;
use crate::accounts::caller::Caller;
use crate::db::Db;
use crate::payments::money::{fen_to_yuan, yuan_to_fen};
use crate::with_tx;

impl Service {
    /// 还款: a repayment (6.4.3) applied to the fee, then the interest, then the principal;
    /// when nothing is owed the loan is settled.
    pub async fn fund_repay(
        &self,
        db: &Db,
        caller: &Caller,
        apply_no: &str,
        input: &RepaymentInput,
        now: i64,
    ) -> Result<Repayment> {
        let mut tx = db.begin().await?;
        let mut a = find_application(&mut tx, apply_no).await?;
        let who = actor(caller, &a)?;
        let from = a.state();
        lifecycle::transition(from, FundAction::Repay, who).map_err(FinancingError::Transition)?;
        let amount = yuan_to_fen(&input.repay_amount)
            .filter(|v| *v > 0)
            .ok_or_else(|| {
                field_error(
                    "REPAY_AMOUNT",
                    "REPAY_AMOUNT 须为大于 0 的金额（元）".into(),
                    "REPAY_AMOUNT must be an amount above 0 (元)".into(),
                )
            })?;
        let today = terms::china_day(now).ok_or_else(|| invalid("时钟有误", "bad clock"))?;
        let earliest = a.disbursed_at.and_then(terms::china_day).unwrap_or(today);
        let date = match input
            .repay_date
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(text) => terms::parse_date(text)
                .filter(|d| *d <= today && *d >= earliest)
                .ok_or_else(|| {
                    field_error(
                        "REPAY_DATE",
                        "还款日期须为放款日至今天之间的 yyyy-mm-dd".into(),
                        "REPAY_DATE must be yyyy-mm-dd between the disbursement and today".into(),
                    )
                })?,
            None => today,
        };
        let owed = a.owed();
        if amount > owed.total() {
            return Err(FinancingError::Exceeded(Exceeded {
                limit: "outstanding",
                limit_fen: owed.total(),
                used_fen: 0,
                requested_fen: amount,
                zh: format!(
                    "还款 {} 元超过未还金额 {} 元",
                    fen_to_yuan(amount),
                    fen_to_yuan(owed.total())
                ),
                en: format!(
                    "{} yuan is more than the {} yuan owed",
                    fen_to_yuan(amount),
                    fen_to_yuan(owed.total())
                ),
            }));
        }
        let applied = owed.apply(amount);
        let count: i64 = with_tx!(&mut tx, conn => {
            sqlx::query_scalar("SELECT COUNT(*) FROM fund_repayments WHERE apply_no = $1")
                .bind(apply_no).fetch_one(&mut *conn).await?
        });
        let repay_no = format!("{apply_no}-P{}", count + 1);
        let mut postings = vec![debit("cash", amount)];
        for (account, fen) in [
            ("fee_income", applied.fee_fen),
            ("interest_income", applied.interest_fen),
            ("loans", applied.principal_fen),
        ] {
            if fen > 0 {
                postings.push(credit(account, fen));
            }
        }
        let entry_no = ledger::post(
            &mut tx,
            Entry {
                kind: "repayment",
                apply_no: Some(apply_no),
                org_id: Some(&a.enterprise_org_id),
                memo: format!(
                    "还款 {repay_no}：{} 元（手续费 {}，利息 {}，本金 {}）",
                    fen_to_yuan(amount),
                    fen_to_yuan(applied.fee_fen),
                    fen_to_yuan(applied.interest_fen),
                    fen_to_yuan(applied.principal_fen)
                ),
                by: &caller.user_id,
                postings,
            },
            now,
        )
        .await?;
        let repayment = Repayment {
            repay_no: repay_no.clone(),
            apply_no: apply_no.to_owned(),
            amount_fen: amount,
            repay_date: terms::format_date(date),
            fee_fen: applied.fee_fen,
            interest_fen: applied.interest_fen,
            principal_fen: applied.principal_fen,
            entry_no,
            at: now,
        };
        with_tx!(&mut tx, conn => {
            sqlx::query("INSERT INTO fund_repayments (repay_no, apply_no, amount_fen, repay_date, fee_fen, interest_fen, principal_fen, entry_no, recorded_by, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
                .bind(&repayment.repay_no).bind(apply_no).bind(amount).bind(&repayment.repay_date)
                .bind(applied.fee_fen).bind(applied.interest_fen).bind(applied.principal_fen)
                .bind(entry_no).bind(&caller.user_id).bind(now)
                .execute(&mut *conn).await?;
        });
        a.fee_repaid_fen += applied.fee_fen;
        a.interest_repaid_fen += applied.interest_fen;
        a.principal_repaid_fen += applied.principal_fen;
        let mut to = from;
        let mut records_out = vec![("fund-repayment", records::repayment(&repayment))];
        if a.owed().total() == 0 {
            to = FundState::Settled;
            a.real_repay_date = Some(repayment.repay_date.clone());
            a.settled_at = Some(now);
            records_out.push(("fund-application", records::application(&a)));
        }
        a.state = StateColumn(to);
        save(&mut tx, &a, now).await?;
        records::write(
            &mut tx,
            records_out,
            &a.enterprise_org_id,
            &caller.user_id,
            now,
        )
        .await?;
        audit(
            &mut tx,
            Audit {
                apply_no,
                actor: &caller.user_id,
                action: "repay",
                from: Some(from.as_str()),
                to: Some(to.as_str()),
                note: Some(&format!(
                    "{repay_no} {} 元（手续费 {}，利息 {}，本金 {}），尚欠 {} 元",
                    fen_to_yuan(amount),
                    fen_to_yuan(applied.fee_fen),
                    fen_to_yuan(applied.interest_fen),
                    fen_to_yuan(applied.principal_fen),
                    fen_to_yuan(a.owed().total())
                )),
            },
            now,
        )
        .await?;
        super::notices::after_step(&mut tx, &a, FundAction::Repay, to, now).await?;
        tx.commit().await?;
        Ok(repayment)
    }
}
