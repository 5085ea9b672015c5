//! The steps of an application after the enterprise fills it in: 审批 (compliance review), the
//! contract fixed on approval (智能合约), 放款 from the fund's account, 收回 (reminders before and
//! on the due date, overdue after it, repayments until it is settled), amendments. Each step
//! stores the new state, its ledger entry, its contract, its catalogue records, its audit entry
//! and its notices in one transaction.

use serde::Serialize;
use utoipa::ToSchema;

use super::super::error::{FinancingError, Refusal, Result};
use super::super::fees::share;
use super::super::service::Service;
use super::applications::{APPLICATION_FORM, field_error, schedule_of};
use super::contracts::{self, ContractBody, FiledDocument};
use super::ledger::{self, Entry, credit, debit};
use super::lifecycle::{self, FundAction, FundActor, FundState};
use super::model::*;
use super::records;
use super::store::*;
use super::terms;
use crate::accounts::Role;
use crate::accounts::caller::Caller;
use crate::db::{Db, Tx};
use crate::inbox::{NewMessage, Recipient};
use crate::payments::money::{fen_to_yuan, yuan_to_fen};
use crate::{with_pool, with_tx};

const DAY: i64 = 86_400;

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
    terms::two_decimals(super::super::fees::round_half_up(ppm as i128, 100))
}

fn invalid(zh: &str, en: &str) -> FinancingError {
    FinancingError::Invalid(format!("{zh} / {en}"))
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
    async fn overdue_figures<'r>(&self, from: impl Into<crate::db::Reader<'r>>) -> Result<Paused> {
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

    /// A step by a person.
    pub async fn fund_act(
        &self,
        db: &Db,
        caller: &Caller,
        apply_no: &str,
        action: FundAction,
        input: &FundStepInput,
        now: i64,
    ) -> Result<FundApplicationView> {
        if action == FundAction::Repay {
            return Err(invalid(
                "还款请登记到 repayments",
                "record repayments through /repayments",
            ));
        }
        let mut tx = db.begin().await?;
        let a = find_application(&mut tx, apply_no).await?;
        let who = actor(caller, &a)?;
        self.fund_step(&mut tx, a, who, &caller.user_id, action, input, now)
            .await?;
        tx.commit().await?;
        self.fund_view(db, caller, apply_no).await
    }

    #[allow(clippy::too_many_arguments)]
    async fn fund_step(
        &self,
        tx: &mut Tx,
        mut a: FundApplication,
        who: FundActor,
        by: &str,
        action: FundAction,
        input: &FundStepInput,
        now: i64,
    ) -> Result<()> {
        let from = a.state();
        let mut to =
            lifecycle::transition(from, action, who).map_err(FinancingError::Transition)?;
        let reason = input
            .reason
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty());
        if reason.is_some_and(|r| r.chars().count() > 2000) {
            return Err(invalid(
                "说明最多 2000 字",
                "a reason takes at most 2000 characters",
            ));
        }
        let mut note = reason.map(str::to_owned);
        let mut write_record = false;
        match action {
            FundAction::Submit => {
                self.compliance(tx, &a, from).await?;
                a.submitted_at = Some(now);
                a.feedback = None;
                write_record = true;
            }
            FundAction::Return | FundAction::Reject => {
                let Some(reason) = reason else {
                    return Err(invalid("须说明理由", "give a reason"));
                };
                a.feedback = Some(reason.to_owned());
            }
            FundAction::Approve => {
                self.compliance(tx, &a, from).await?;
                self.fix_terms(&mut a, input, now)?;
                let contract = self.file_contract(tx, &a, None, by, reason, now).await?;
                note = Some(format!(
                    "合约 {} sha256:{} {}",
                    contract.contract_no,
                    contract.hash,
                    reason.unwrap_or_default()
                ));
                a.contract_no = Some(contract.contract_no);
                a.feedback = None;
                write_record = true;
            }
            FundAction::Disburse => {
                let figures = self.overdue_figures(&mut *tx).await?;
                if figures.rate_ppm > figures.threshold_ppm {
                    return Err(FinancingError::Paused(figures));
                }
                ledger::post(
                    tx,
                    Entry {
                        kind: "disbursement",
                        apply_no: Some(&a.apply_no),
                        org_id: Some(&a.enterprise_org_id),
                        memo: format!(
                            "放款 {} 元至 {} {} {}",
                            fen_to_yuan(a.amount_fen),
                            a.account_name,
                            a.account_bank,
                            a.account_no
                        ),
                        by,
                        postings: vec![debit("loans", a.amount_fen), credit("cash", a.amount_fen)],
                    },
                    now,
                )
                .await?;
                a.disbursed_at = Some(now);
                note = Some(format!(
                    "放款 {} 元 / disbursed {} yuan → {}",
                    fen_to_yuan(a.amount_fen),
                    fen_to_yuan(a.amount_fen),
                    a.account_no
                ));
            }
            FundAction::Amend => {
                let extend = input
                    .extend_months
                    .filter(|m| (1..=12).contains(m))
                    .ok_or_else(|| {
                        field_error(
                            "extend_months",
                            "展期月数须为 1 到 12".into(),
                            "extend_months must be 1 to 12".into(),
                        )
                    })?;
                let Some(reason) = reason else {
                    return Err(invalid(
                        "须说明变更理由",
                        "give the reason for the amendment",
                    ));
                };
                let rate = a
                    .monthly_rate
                    .as_deref()
                    .and_then(terms::ten_thousandths)
                    .map(|r| r / 100)
                    .unwrap_or(0);
                let loan_date = a
                    .loan_date
                    .as_deref()
                    .and_then(terms::parse_date)
                    .ok_or_else(|| invalid("合约缺少借款日期", "the contract has no loan date"))?;
                a.months += extend;
                let last = terms::last_repay_date(loan_date, a.months)
                    .ok_or_else(|| invalid("日期超出范围", "date out of range"))?;
                a.last_repay_date = Some(terms::format_date(last));
                a.interest_fen = Some(terms::interest(a.amount_fen, rate, a.months));
                a.due_at = Some(terms::end_of_day(last));
                a.reminded_before_at = None;
                a.reminded_due_at = None;
                let amends = a.contract_no.clone();
                let contract = self
                    .file_contract(tx, &a, amends, by, Some(reason), now)
                    .await?;
                note = Some(format!(
                    "合约 {} 变更 {}：展期 {extend} 个月 sha256:{} {reason}",
                    contract.contract_no,
                    a.contract_no.as_deref().unwrap_or(""),
                    contract.hash
                ));
                a.contract_no = Some(contract.contract_no);
                if from == FundState::Overdue && a.due_at.is_some_and(|d| d > now) {
                    to = FundState::Disbursed;
                }
                write_record = true;
            }
            FundAction::Withdraw | FundAction::MarkOverdue => {}
            FundAction::Repay => unreachable_repay()?,
        }
        a.state = StateColumn(to);
        save(tx, &a, now).await?;
        if write_record {
            records::write(
                tx,
                vec![("fund-application", records::application(&a))],
                &a.enterprise_org_id,
                by,
                now,
            )
            .await?;
        }
        audit(
            tx,
            Audit {
                apply_no: &a.apply_no,
                actor: by,
                action: action.as_str(),
                from: Some(from.as_str()),
                to: Some(to.as_str()),
                note: note.as_deref(),
            },
            now,
        )
        .await?;
        notify_step(tx, &a, action, to, now).await
    }

    /// 合规性审查: the membership current, the amount within its multiple, the signed form on
    /// file.
    async fn compliance(&self, tx: &mut Tx, a: &FundApplication, from: FundState) -> Result<()> {
        let member = find_member(&mut *tx, &a.join_no).await?;
        if member.active == 0 {
            return Err(FinancingError::Transition(Refusal {
                current: from.as_str(),
                allowed: Vec::new(),
                reason_zh: format!("入社编号 {} 已退社", a.join_no),
                reason_en: format!("membership {} has ended", a.join_no),
            }));
        }
        self.within_multiple(&member, a.amount_fen)?;
        let docs = documents(&mut *tx, &a.apply_no).await?;
        if !docs.iter().any(|d| d.kind == APPLICATION_FORM) {
            return Err(FinancingError::Transition(Refusal {
                current: from.as_str(),
                allowed: Vec::new(),
                reason_zh: "缺少加盖签章的申请表（application_form）".into(),
                reason_en: "the sealed, signed application form (application_form) is missing"
                    .into(),
            }));
        }
        Ok(())
    }

    /// Fixes the loan's terms at approval.
    fn fix_terms(&self, a: &mut FundApplication, input: &FundStepInput, now: i64) -> Result<()> {
        let t = &self.terms.fund;
        let today = terms::china_day(now).ok_or_else(|| invalid("时钟有误", "bad clock"))?;
        let loan_date = match input
            .loan_date
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(text) => terms::parse_date(text)
                .filter(|d| *d >= today && *d <= today + time::Duration::days(366))
                .ok_or_else(|| {
                    field_error(
                        "LOAN_DATE",
                        "借款日期须为今天起一年内的 yyyy-mm-dd".into(),
                        "LOAN_DATE must be yyyy-mm-dd, today or within a year".into(),
                    )
                })?,
            None => today,
        };
        let floating = match input.floating_percent.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(text) => terms::ten_thousandths(text)
                .filter(|v| *v <= 1_000_000 && text.split_once('.').is_none_or(|(_, d)| d.len() <= 2))
                .ok_or_else(|| {
                    field_error(
                        "FLOATING_MULTIPLES",
                        "上浮倍数须为 0 到 100 的百分比，最多两位小数".into(),
                        "FLOATING_MULTIPLES must be a percentage from 0 to 100 with at most two decimals".into(),
                    )
                })?,
            None => t.floating_e4,
        };
        let rate = terms::monthly_rate(t.base_rate_e4, floating);
        let fee = match input
            .handling_fee
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(text) => yuan_to_fen(text)
                .filter(|v| *v >= 0 && *v <= a.amount_fen)
                .ok_or_else(|| {
                    field_error(
                        "HANDLING_FEE",
                        "手续费须为 0 到本金之间的金额（元）".into(),
                        "HANDLING_FEE must be 0 to the principal (元)".into(),
                    )
                })?,
            None => share(a.amount_fen, t.fee_ppm),
        };
        let last = terms::last_repay_date(loan_date, a.months)
            .ok_or_else(|| invalid("日期超出范围", "date out of range"))?;
        a.floating_percent = Some(terms::four_decimals(floating));
        a.monthly_rate = Some(terms::two_decimals(rate));
        a.handling_fee_fen = Some(fee);
        a.interest_fen = Some(terms::interest(a.amount_fen, rate, a.months));
        a.loan_date = Some(terms::format_date(loan_date));
        a.last_repay_date = Some(terms::format_date(last));
        a.due_at = Some(terms::end_of_day(last));
        a.enlarge_multiples = Some(t.enlarge_multiples);
        Ok(())
    }

    /// Files the loan's current terms as the next contract in the chain.
    async fn file_contract(
        &self,
        tx: &mut Tx,
        a: &FundApplication,
        amends: Option<String>,
        by: &str,
        note: Option<&str>,
        now: i64,
    ) -> Result<FundContractFiled> {
        let member = find_member(&mut *tx, &a.join_no).await?;
        let docs = documents(&mut *tx, &a.apply_no).await?;
        let body = ContractBody {
            index: 0,
            contract_no: String::new(),
            apply_no: a.apply_no.clone(),
            join_no: a.join_no.clone(),
            amends,
            enterprise_org_id: a.enterprise_org_id.clone(),
            company_name: member.company_name,
            company_code: member.company_code,
            account_name: a.account_name.clone(),
            account_bank: a.account_bank.clone(),
            account_no: a.account_no.clone(),
            principal_fen: a.amount_fen,
            months: a.months,
            enlarge_multiples: a
                .enlarge_multiples
                .unwrap_or(self.terms.fund.enlarge_multiples),
            floating_percent: a.floating_percent.clone().unwrap_or_default(),
            monthly_rate: a.monthly_rate.clone().unwrap_or_default(),
            handling_fee_fen: a.handling_fee_fen.unwrap_or(0),
            interest_fen: a.interest_fen.unwrap_or(0),
            loan_date: a.loan_date.clone().unwrap_or_default(),
            last_repay_date: a.last_repay_date.clone().unwrap_or_default(),
            loan_for: a.loan_for.clone(),
            loan_bank: a.loan_bank.clone(),
            schedule: schedule_of(a),
            documents: docs.iter().map(FiledDocument::from).collect(),
            note: note.map(str::to_owned),
            signed_by: by.to_owned(),
            signed_at: now,
        };
        let row = contracts::append(tx, body, now).await?;
        Ok(FundContractFiled {
            contract_no: row.contract_no,
            hash: row.hash,
        })
    }

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
            return Err(FinancingError::Exceeded(super::super::error::Exceeded {
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
        notify_step(&mut tx, &a, FundAction::Repay, to, now).await?;
        tx.commit().await?;
        Ok(repayment)
    }

    /// The scheduler's daily work: reminders before and on the due date, overdue after it.
    /// Answers (reminders sent, loans marked overdue).
    pub async fn fund_collect(&self, db: &Db, now: i64) -> Result<(u64, u64)> {
        let remind_from = self.terms.fund.remind_days * DAY;
        let due: Vec<(String, i64, Option<i64>, Option<i64>)> = with_pool!(db, pool => {
            sqlx::query_as("SELECT apply_no, due_at, reminded_before_at, reminded_due_at FROM fund_applications WHERE state = 'disbursed' AND due_at IS NOT NULL AND due_at - $2 <= $1 ORDER BY due_at LIMIT 500")
                .bind(now).bind(DAY + remind_from).fetch_all(pool).await?
        });
        let (mut reminded, mut overdue) = (0, 0);
        for (apply_no, due_at, before, on_day) in due {
            let due_day_starts = due_at - DAY;
            let mut tx = db.begin().await?;
            let mut a = find_application(&mut tx, &apply_no).await?;
            if a.state() != FundState::Disbursed || a.due_at != Some(due_at) {
                continue;
            }
            if now >= due_at {
                self.fund_step(
                    &mut tx,
                    a,
                    FundActor::System,
                    "system",
                    FundAction::MarkOverdue,
                    &FundStepInput::default(),
                    now,
                )
                .await?;
                overdue += 1;
            } else if now >= due_day_starts && on_day.is_none() {
                a.reminded_due_at = Some(now);
                a.reminded_before_at = a.reminded_before_at.or(Some(now));
                save(&mut tx, &a, now).await?;
                remind(&mut tx, &a, true, now).await?;
                reminded += 1;
            } else if now < due_day_starts && before.is_none() {
                a.reminded_before_at = Some(now);
                save(&mut tx, &a, now).await?;
                remind(&mut tx, &a, false, now).await?;
                reminded += 1;
            } else {
                continue;
            }
            tx.commit().await?;
        }
        Ok((reminded, overdue))
    }
}

fn unreachable_repay() -> Result<()> {
    Err(invalid(
        "还款请登记到 repayments",
        "record repayments through /repayments",
    ))
}

struct FundContractFiled {
    contract_no: String,
    hash: String,
}

fn link(a: &FundApplication) -> Option<String> {
    Some(format!(
        "/console/financing/fund/applications/{}",
        a.apply_no
    ))
}

async fn post(tx: &mut Tx, message: NewMessage, now: i64) -> Result<()> {
    crate::inbox::post(tx, &message, now).await?;
    Ok(())
}

/// Tells the enterprise about every decision, staff about what waits for them, fund managers
/// about disbursements to make and loans that fall due.
async fn notify_step(
    tx: &mut Tx,
    a: &FundApplication,
    action: FundAction,
    to: FundState,
    now: i64,
) -> Result<()> {
    let mut recipients = vec![];
    match action {
        FundAction::Submit => recipients.push(Recipient::Role(Role::Admin)),
        FundAction::Approve => {
            recipients.push(Recipient::Organisation(a.enterprise_org_id.clone()));
            recipients.push(Recipient::Role(Role::FundManager));
        }
        FundAction::Withdraw => {}
        FundAction::MarkOverdue => {
            recipients.push(Recipient::Organisation(a.enterprise_org_id.clone()));
            recipients.push(Recipient::Role(Role::FundManager));
            recipients.push(Recipient::Role(Role::Admin));
        }
        _ => recipients.push(Recipient::Organisation(a.enterprise_org_id.clone())),
    }
    let owed = a.owed();
    for recipient in recipients {
        post(
            tx,
            NewMessage {
                recipient,
                source: "financing",
                topic: match action {
                    FundAction::Submit => "fund.submitted",
                    FundAction::Approve => "fund.approved",
                    FundAction::Disburse => "fund.disbursed",
                    FundAction::Repay if to == FundState::Settled => "fund.settled",
                    FundAction::Repay => "fund.repaid",
                    FundAction::MarkOverdue => "fund.overdue",
                    _ => "fund.step",
                },
                subject_zh: format!("互助基金 {}：{}", a.apply_no, to.label_zh()),
                subject_en: format!("Mutual fund {}: {}", a.apply_no, to.label_en()),
                body_zh: format!(
                    "申请 {}（{} 元，{} 个月）{}，当前状态：{}。{}{}",
                    a.apply_no,
                    fen_to_yuan(a.amount_fen),
                    a.months,
                    action.label_zh(),
                    to.label_zh(),
                    if owed.total() > 0 {
                        format!(
                            "尚欠 {} 元，最晚还款日 {}。",
                            fen_to_yuan(owed.total()),
                            a.last_repay_date.as_deref().unwrap_or("—")
                        )
                    } else {
                        String::new()
                    },
                    a.feedback
                        .as_deref()
                        .map(|f| format!("说明：{f}"))
                        .unwrap_or_default()
                ),
                body_en: format!(
                    "Application {} ({} yuan, {} months): {}; it is now {}.{}{}",
                    a.apply_no,
                    fen_to_yuan(a.amount_fen),
                    a.months,
                    action.label_en(),
                    to.label_en(),
                    if owed.total() > 0 {
                        format!(
                            " {} yuan owed, due {}.",
                            fen_to_yuan(owed.total()),
                            a.last_repay_date.as_deref().unwrap_or("—")
                        )
                    } else {
                        String::new()
                    },
                    a.feedback
                        .as_deref()
                        .map(|f| format!(" Note: {f}"))
                        .unwrap_or_default()
                ),
                link: link(a),
                needs_ack: false,
            },
            now,
        )
        .await?;
    }
    Ok(())
}

/// 到期提醒: principal, interest, fee and the due date, to the enterprise and the fund managers.
async fn remind(tx: &mut Tx, a: &FundApplication, on_the_day: bool, now: i64) -> Result<()> {
    let owed = a.owed();
    let due = a.last_repay_date.as_deref().unwrap_or("—");
    for recipient in [
        Recipient::Organisation(a.enterprise_org_id.clone()),
        Recipient::Role(Role::FundManager),
    ] {
        post(
            tx,
            NewMessage {
                recipient,
                source: "financing",
                topic: if on_the_day { "fund.due_today" } else { "fund.due_soon" },
                subject_zh: format!(
                    "互助基金 {} {}还款提醒：{} 到期",
                    a.apply_no,
                    if on_the_day { "今日" } else { "" },
                    due
                ),
                subject_en: format!(
                    "Mutual fund {}: repayment due {}{}",
                    a.apply_no,
                    due,
                    if on_the_day { " (today)" } else { "" }
                ),
                body_zh: format!(
                    "借款 {} 最晚还款日 {}。尚欠本金 {} 元、利息 {} 元、手续费 {} 元，合计 {} 元。",
                    a.apply_no,
                    due,
                    fen_to_yuan(owed.principal_fen),
                    fen_to_yuan(owed.interest_fen),
                    fen_to_yuan(owed.fee_fen),
                    fen_to_yuan(owed.total())
                ),
                body_en: format!(
                    "Loan {} is due {}. Owed: principal {} yuan, interest {} yuan, fee {} yuan; {} yuan in all.",
                    a.apply_no,
                    due,
                    fen_to_yuan(owed.principal_fen),
                    fen_to_yuan(owed.interest_fen),
                    fen_to_yuan(owed.fee_fen),
                    fen_to_yuan(owed.total())
                ),
                link: link(a),
                needs_ack: false,
            },
            now,
        )
        .await?;
    }
    Ok(())
}
