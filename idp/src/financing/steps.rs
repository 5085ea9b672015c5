//! Every step of every application: the rule table says whether it may be taken; this file
//! does what the step means — money out of or back into its fund, the fee and the split
//! computed, the record rewritten — then stores the new state, the audit entry and the notices
//! in one transaction. The scheduler's overdue marks go through the same step.

use serde_json::{Map, Value, json};

use super::access::actor;
use super::error::{FinancingError, Result};
use super::fees;
use super::lifecycle::{self, Action, Actor, Facts, Product, State};
use super::model::*;
use super::notices;
use super::records::{self, china_date};
use super::service::Service;
use super::store::*;
use crate::accounts::caller::Caller;
use crate::db::{Db, Tx};
use crate::payments::money::yuan_to_fen;
use crate::{with_pool, with_tx};

const DAY: i64 = 86_400;

fn invalid(zh: &str, en: &str) -> FinancingError {
    FinancingError::Invalid(format!("{zh} / {en}"))
}

/// A required short text of a step.
fn required(v: &Option<String>, max: usize, zh: &str, en: &str) -> Result<String> {
    match v.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) if t.chars().count() <= max => Ok(t.to_owned()),
        Some(_) => Err(invalid(
            &format!("{zh}最多 {max} 字"),
            &format!("{en} takes at most {max} characters"),
        )),
        None => Err(invalid(&format!("须填写{zh}"), &format!("give the {en}"))),
    }
}

/// Calendar days from `from` to `to` in China time, at least one.
pub fn days_between(from: i64, to: i64) -> i64 {
    let day = |t: i64| (t + 8 * 3600).div_euclid(DAY);
    (day(to) - day(from)).max(1)
}

/// `months` calendar months after `at` (the day clamped to the month's end), China time.
fn add_months(at: i64, months: i64) -> i64 {
    let offset = time::UtcOffset::from_hms(8, 0, 0).unwrap_or(time::UtcOffset::UTC);
    let Ok(t) = time::OffsetDateTime::from_unix_timestamp(at).map(|t| t.to_offset(offset)) else {
        return at + months * 30 * DAY;
    };
    let total = t.year() as i64 * 12 + (t.month() as i64 - 1) + months;
    let (year, month) = (
        total.div_euclid(12) as i32,
        (total.rem_euclid(12) + 1) as u8,
    );
    let Ok(month) = time::Month::try_from(month) else {
        return at + months * 30 * DAY;
    };
    let day = t.day().min(month.length(year));
    time::Date::from_calendar_date(year, month, day)
        .map(|d| t.replace_date(d).unix_timestamp())
        .unwrap_or(at + months * 30 * DAY)
}

impl Service {
    /// A step by a person.
    pub async fn act(
        &self,
        db: &Db,
        caller: &Caller,
        id: &str,
        action: Action,
        input: &StepInput,
        now: i64,
    ) -> Result<ApplicationView> {
        let mut tx = db.begin().await?;
        let a = find_application(&mut tx, id).await?;
        let who = actor(caller, &a)?;
        self.step(&mut tx, a, who, &caller.user_id, action, input, now)
            .await?;
        tx.commit().await?;
        self.view(db, caller, id, now).await
    }

    /// The scheduler: bridges past their term and loans past their end become overdue.
    pub async fn mark_overdue(&self, db: &Db, now: i64) -> Result<u64> {
        let due: Vec<String> = with_pool!(db, pool => {
            sqlx::query_scalar("SELECT id FROM fin_applications WHERE state IN ('disbursed', 'repaying') AND due_at < $1 ORDER BY due_at LIMIT 500")
                .bind(now).fetch_all(pool).await?
        });
        let mut marked = 0;
        for id in due {
            let mut tx = db.begin().await?;
            let a = find_application(&mut tx, &id).await?;
            if !matches!(a.state, State::Disbursed | State::Repaying) {
                continue;
            }
            self.step(
                &mut tx,
                a,
                Actor::System,
                "system",
                Action::MarkOverdue,
                &StepInput::default(),
                now,
            )
            .await?;
            tx.commit().await?;
            marked += 1;
        }
        Ok(marked)
    }

    #[allow(clippy::too_many_arguments)]
    async fn step(
        &self,
        tx: &mut Tx,
        mut a: Application,
        who: Actor,
        by: &str,
        action: Action,
        input: &StepInput,
        now: i64,
    ) -> Result<()> {
        let facts = Facts {
            documents: kinds_on_file(&mut *tx, &a.id).await?,
            due_passed: a.due_at.is_some_and(|due| now > due),
        };
        let from = a.state;
        let to = lifecycle::transition(a.business, from, action, who, &facts)
            .map_err(FinancingError::Transition)?;
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
        let mut note: Option<String> = reason.map(str::to_owned);
        let mut rewrite_record = false;
        let mut devices = Vec::new();
        match action {
            Action::Submit => {
                a.submitted_at = Some(now);
                a.feedback = None;
                rewrite_record = true;
            }
            Action::Return | Action::Reject | Action::RefuseClaim => {
                let Some(reason) = reason else {
                    return Err(invalid("须说明理由", "give a reason"));
                };
                a.feedback = Some(reason.to_owned());
            }
            Action::BankApprove if a.product == Product::Bridge => {
                let mut record: Map<String, Value> =
                    serde_json::from_str(&a.record).unwrap_or_default();
                record.insert(
                    "Bank_charge_man".into(),
                    json!(required(
                        &input.bank_charge_man,
                        10,
                        "贷款银行负责人",
                        "bank's person in charge (bank_charge_man)"
                    )?),
                );
                record.insert(
                    "Bank_manage_man".into(),
                    json!(required(
                        &input.bank_manage_man,
                        10,
                        "贷款银行经办人",
                        "bank's handling officer (bank_manage_man)"
                    )?),
                );
                record.insert("Bank_audit_date".into(), json!(china_date(now)));
                a.record = Value::Object(record).to_string();
                rewrite_record = true;
            }
            Action::Disburse if a.product == Product::Bridge => {
                let amount = fees::bridge_amount(
                    a.amount_fen,
                    a.renewal_fen.unwrap_or(0),
                    &self.terms.bridge,
                );
                if amount <= 0 {
                    return Err(invalid("可放款金额为 0", "nothing can be disbursed"));
                }
                self.draw_fund(tx, "bridge", amount).await?;
                a.disbursed_fen = Some(amount);
                a.disbursed_at = Some(now);
                a.due_at = Some(now + self.policy.bridge_max_days * DAY);
                note = Some(format!(
                    "放款 {} 元 / disbursed {} yuan",
                    fen(amount),
                    fen(amount)
                ));
            }
            Action::Disburse => {
                // Under the pool: the bank's lending stays within its commitment.
                let bank = a.bank_org_id.clone().unwrap_or_default();
                self.draw_commitment(tx, &bank, a.amount_fen).await?;
                let months: i64 = serde_json::from_str::<Map<String, Value>>(&a.record)
                    .ok()
                    .and_then(|r| {
                        r.get("Loan_deadline")
                            .and_then(|v| v.as_str().map(str::to_owned))
                    })
                    .and_then(|m| m.trim().parse().ok())
                    .unwrap_or(12);
                a.disbursed_fen = Some(a.amount_fen);
                a.disbursed_at = Some(now);
                a.due_at = Some(add_months(now, months));
                rewrite_record = true;
            }
            Action::Recover if a.product == Product::Bridge => {
                let principal = a.disbursed_fen.unwrap_or(0);
                let days = days_between(a.disbursed_at.unwrap_or(now), now);
                let fee = fees::bridge_fee(principal, days, &self.terms.bridge);
                self.return_fund(tx, "bridge", principal).await?;
                a.recovered_at = Some(now);
                a.used_days = Some(days);
                a.fee_fen = Some(fee);
                note = Some(format!(
                    "收回本金 {} 元、费用 {} 元（{} 天） / recovered {} yuan and a fee of {} yuan ({} days)",
                    fen(principal),
                    fen(fee),
                    days,
                    fen(principal),
                    fen(fee),
                    days
                ));
            }
            Action::Recover => {
                let text = required(
                    &input.recovered,
                    20,
                    "追偿金额（元）",
                    "recovered amount in yuan (recovered)",
                )?;
                let recovered = yuan_to_fen(&text).filter(|v| *v >= 0).ok_or_else(|| {
                    invalid(
                        "追偿金额须为金额（元）",
                        "recovered must be an amount in yuan",
                    )
                })?;
                let loss = a.loss_fen.unwrap_or(0);
                if recovered > loss {
                    return Err(invalid(
                        "追偿金额不能超过损失本金",
                        "more cannot be recovered than was lost",
                    ));
                }
                let back = fees::recovery_to_pool(recovered, a.compensation_fen.unwrap_or(0), loss);
                self.return_fund(tx, "pool", back).await?;
                a.recovered_fen = Some(recovered);
                a.pool_back_fen = Some(back);
                a.recovered_at = Some(now);
                note = Some(format!(
                    "追偿 {} 元，其中 {} 元回补资金池 / recovered {} yuan, {} yuan back to the pool",
                    fen(recovered),
                    fen(back),
                    fen(recovered),
                    fen(back)
                ));
            }
            Action::Archive => {
                // The archive is the list of every document with its hash, kept in the audit.
                let manifest: Vec<String> = documents(&mut *tx, &a.id)
                    .await?
                    .iter()
                    .map(|d| format!("{} v{} {} sha256:{}", d.kind, d.version, d.name, d.sha256))
                    .collect();
                note = Some(manifest.join("\n"));
            }
            Action::Custody => {
                a.custody_ref = Some(required(
                    &input.custody_ref,
                    100,
                    "股权托管登记编号",
                    "custody registration reference (custody_ref)",
                )?);
            }
            Action::Underwrite => {
                a.premium_fen = Some(fees::share(a.amount_fen, self.terms.premium_ppm));
            }
            Action::IssuePolicy => {
                a.policy_no = Some(required(
                    &input.policy_no,
                    100,
                    "保单号",
                    "policy number (policy_no)",
                )?);
            }
            Action::Settle => {
                let bank = a.bank_org_id.clone().unwrap_or_default();
                self.release_commitment(tx, &bank, a.disbursed_fen.unwrap_or(0))
                    .await?;
                a.recovered_at = Some(now);
                rewrite_record = true;
            }
            Action::Claim => {
                let text = required(
                    &input.loss,
                    20,
                    "未偿本金（元）",
                    "unpaid principal in yuan (loss)",
                )?;
                let loss = yuan_to_fen(&text).filter(|v| *v > 0).ok_or_else(|| {
                    invalid(
                        "未偿本金须为大于 0 的金额（元）",
                        "loss must be an amount above 0 yuan",
                    )
                })?;
                if loss > a.disbursed_fen.unwrap_or(0) {
                    return Err(invalid(
                        "未偿本金不能超过贷款金额",
                        "the loss cannot exceed the loan",
                    ));
                }
                a.loss_fen = Some(loss);
            }
            Action::VerifyClaim => {
                let split = fees::compensation_split(a.loss_fen.unwrap_or(0), &self.terms.split);
                a.compensation_fen = Some(split.compensation_fen);
                a.region_share_fen = Some(split.region_fen);
                a.county_share_fen = Some(split.county_fen);
                a.bank_share_fen = Some(split.bank_fen);
            }
            Action::Compensate => {
                let amount = a.compensation_fen.unwrap_or(0);
                self.draw_fund(tx, "pool", amount).await?;
                let bank = a.bank_org_id.clone().unwrap_or_default();
                self.release_commitment(tx, &bank, a.disbursed_fen.unwrap_or(0))
                    .await?;
                note = Some(format!(
                    "资金池代偿 {} 元 / the pool paid {} yuan",
                    fen(amount),
                    fen(amount)
                ));
            }
            Action::Grant => {
                devices = super::store::devices(&mut *tx, &a.id).await?;
                for d in &mut devices {
                    d.subsidy_fen = Some(fees::leasing_subsidy(
                        d.price_fen,
                        d.lease_months,
                        self.terms.leasing_ppm,
                    ));
                }
                let computed: i64 = devices.iter().filter_map(|d| d.subsidy_fen).sum();
                let group: Option<String> = with_tx!(&mut *tx, conn => {
                    sqlx::query_scalar("SELECT group_key FROM fin_affiliations WHERE organisation_id = $1")
                        .bind(&a.enterprise_org_id).fetch_optional(&mut *conn).await?
                });
                let group = group
                    .map(|g| format!("group:{g}"))
                    .unwrap_or_else(|| format!("org:{}", a.enterprise_org_id));
                let year = crate::clock::shanghai_year(now);
                let granted = self.draw_leasing(tx, &group, year, computed).await?;
                for d in &devices {
                    with_tx!(&mut *tx, conn => {
                        sqlx::query("UPDATE fin_devices SET subsidy_fen = $1 WHERE application_id = $2 AND position = $3")
                            .bind(d.subsidy_fen).bind(&a.id).bind(d.position).execute(&mut *conn).await?;
                    });
                }
                a.subsidy_fen = Some(granted);
                a.subsidy_year = Some(year);
                a.group_key = Some(group);
                rewrite_record = true;
                note = Some(if granted < computed {
                    format!(
                        "测算 {} 元，受年度上限核定 {} 元 / computed {} yuan, granted {} yuan under the cap",
                        fen(computed),
                        fen(granted),
                        fen(computed),
                        fen(granted)
                    )
                } else {
                    format!("核定 {} 元 / granted {} yuan", fen(granted), fen(granted))
                });
            }
            Action::Pay => {
                a.paid_at = Some(now);
            }
            Action::Withdraw
            | Action::Approve
            | Action::Verify
            | Action::File
            | Action::BankApprove
            | Action::MarkOverdue => {}
        }
        a.state = to;
        a.updated_at = now;
        let stored = with_tx!(&mut *tx, conn => {
            sqlx::query("UPDATE fin_applications SET state = $1, record = $2, disbursed_fen = $3, disbursed_at = $4, disbursed_month = $5, due_at = $6, recovered_at = $7, used_days = $8, fee_fen = $9, custody_ref = $10, policy_no = $11, premium_fen = $12, loss_fen = $13, compensation_fen = $14, region_share_fen = $15, county_share_fen = $16, bank_share_fen = $17, recovered_fen = $18, pool_back_fen = $19, group_key = $20, subsidy_fen = $21, subsidy_year = $22, paid_at = $23, feedback = $24, submitted_at = $25, updated_at = $26 WHERE id = $27 AND state = $28")
                .bind(to.as_str()).bind(&a.record).bind(a.disbursed_fen).bind(a.disbursed_at)
                .bind(a.disbursed_at.map(|t| china_date(t)[..7].to_owned())).bind(a.due_at).bind(a.recovered_at)
                .bind(a.used_days).bind(a.fee_fen).bind(&a.custody_ref).bind(&a.policy_no).bind(a.premium_fen)
                .bind(a.loss_fen).bind(a.compensation_fen).bind(a.region_share_fen).bind(a.county_share_fen)
                .bind(a.bank_share_fen).bind(a.recovered_fen).bind(a.pool_back_fen).bind(&a.group_key)
                .bind(a.subsidy_fen).bind(a.subsidy_year).bind(a.paid_at).bind(&a.feedback).bind(a.submitted_at)
                .bind(now).bind(&a.id).bind(from.as_str())
                .execute(&mut *conn).await?.rows_affected()
        });
        if stored != 1 {
            return Err(invalid(
                "申请已被他人处理，请刷新",
                "someone else acted on it first; reload",
            ));
        }
        if rewrite_record {
            let bank_name = match &a.bank_org_id {
                Some(b) => organisation(&mut *tx, b).await?.map(|o| o.0),
                None => None,
            };
            if devices.is_empty() && a.product == Product::Leasing {
                devices = super::store::devices(&mut *tx, &a.id).await?;
            }
            records::write(tx, &a, bank_name.as_deref(), &devices, by, now).await?;
        }
        audit(
            tx,
            Audit {
                application_id: &a.id,
                actor: by,
                action: action.as_str(),
                from: Some(from.as_str()),
                to: Some(to.as_str()),
                note: note.as_deref(),
            },
            now,
        )
        .await?;
        notices::after_step(tx, &a, action, to, now).await?;
        Ok(())
    }
}

fn fen(v: i64) -> String {
    crate::payments::money::fen_to_yuan(v)
}

/// Whether documents may still be added: an archived, rejected or withdrawn application
/// keeps exactly what it has.
pub(super) fn accepts_documents(state: State) -> bool {
    !matches!(state, State::Archived | State::Rejected | State::Withdrawn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_counted_by_china_calendar_days() {
        // 2026-01-01 09:00 China → 2026-01-04 08:00 China: 3 days.
        let start = 1_767_229_200; // 2026-01-01 01:00 UTC
        assert_eq!(days_between(start, start + 3 * DAY - 3600), 3);
        assert_eq!(days_between(start, start + 60), 1);
        assert_eq!(days_between(start, start + 8 * DAY), 8);
    }

    #[test]
    fn months_are_calendar_months() {
        // 2026-01-31 12:00 China + 1 month → 2026-02-28.
        let jan31 = 1_769_832_000; // 2026-01-31 04:00 UTC
        let feb = add_months(jan31, 1);
        assert_eq!(china_date(feb), "2026-02-28");
        assert_eq!(china_date(add_months(jan31, 12)), "2027-01-31");
    }
}
