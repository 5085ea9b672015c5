//! What the mutual fund tells people through the platform inbox, in the step's transaction:
//! the enterprise about every decision, staff about what waits for them, fund managers about
//! disbursements to make and loans that fall due, and the reminders before the due date.

use super::super::error::Result;
use super::lifecycle::{FundAction, FundState};
use super::model::FundApplication;
use crate::accounts::Role;
use crate::db::Tx;
use crate::inbox::{NewMessage, Recipient};
use crate::payments::money::fen_to_yuan;

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
pub(super) async fn after_step(
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
pub(super) async fn remind(
    tx: &mut Tx,
    a: &FundApplication,
    on_the_day: bool,
    now: i64,
) -> Result<()> {
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
