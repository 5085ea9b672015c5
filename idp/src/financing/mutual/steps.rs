//! The steps of an application after the enterprise fills it in: 审批 (compliance review), the
//! contract fixed on approval (智能合约), 放款 from the fund's account, amendments, and the
//! scheduler's overdue mark (repayments are in `repayments.rs`, reminders in `collection.rs`). Each step
//! stores the new state, its ledger entry, its contract, its catalogue records, its audit entry
//! and its notices in one transaction.

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
use crate::accounts::caller::Caller;
use crate::db::{Db, Tx};
use crate::payments::money::{fen_to_yuan, yuan_to_fen};

pub(super) fn invalid(zh: &str, en: &str) -> FinancingError {
    FinancingError::Invalid(format!("{zh} / {en}"))
}

impl Service {
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
        let mut tx = db.begin().await?;
        let a = find_application(&mut tx, apply_no).await?;
        let who = actor(caller, &a)?;
        self.fund_step(&mut tx, a, who, &caller.user_id, action, input, now)
            .await?;
        tx.commit().await?;
        self.fund_view(db, caller, apply_no).await
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) async fn fund_step(
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
            // A repayment carries an amount: `fund_repay` records it.
            FundAction::Repay => {
                return Err(invalid(
                    "还款请登记到 repayments",
                    "record repayments through /repayments",
                ));
            }
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
        super::notices::after_step(tx, &a, action, to, now).await
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
}

struct FundContractFiled {
    contract_no: String,
    hash: String,
}
