//! What financing tells people through the platform inbox, in the step's transaction: the
//! enterprise about every decision on its application, the bank and the insurer about what
//! waits for them, staff about what waits for staff.

use super::error::Result;
use super::lifecycle::{Action, State};
use super::model::Application;
use crate::accounts::Role;
use crate::db::Tx;
use crate::inbox::{NewMessage, Recipient};

/// Tells whoever the step concerns.
pub(super) async fn after_step(
    tx: &mut Tx,
    a: &Application,
    action: Action,
    to: State,
    now: i64,
) -> Result<()> {
    let mut recipients = Vec::new();
    let org = |id: &Option<String>| id.clone().map(Recipient::Organisation);
    match (action, to) {
        (Action::Submit, _) => {
            recipients.extend(org(&a.bank_org_id));
            recipients.extend(org(&a.insurer_org_id));
            if a.bank_org_id.is_none() {
                recipients.push(Recipient::Role(Role::Admin));
            }
        }
        (Action::BankApprove | Action::Claim | Action::Custody | Action::IssuePolicy, _) => {
            recipients.push(Recipient::Role(Role::Admin));
            recipients.push(Recipient::Organisation(a.enterprise_org_id.clone()));
        }
        (Action::Underwrite, _) | (Action::File, State::Filed) => {
            recipients.extend(org(&a.bank_org_id));
            recipients.push(Recipient::Organisation(a.enterprise_org_id.clone()));
        }
        (Action::Withdraw, _) => {}
        _ => recipients.push(Recipient::Organisation(a.enterprise_org_id.clone())),
    }
    for recipient in recipients {
        // Banks, insurers and staff open it in the console; the enterprise follows it in its
        // carrier's app, which the platform does not know.
        let link = match &recipient {
            Recipient::Organisation(org) if *org == a.enterprise_org_id => None,
            _ => Some(format!("/console/financing/applications/{}", a.id)),
        };
        let message = NewMessage {
            recipient,
            source: "financing",
            topic: topic(action),
            subject_zh: format!("{} {}：{}", a.product.label_zh(), a.id, to.label_zh()),
            body_zh: format!(
                "{}（{}）的申请已{}，当前状态：{}。{}",
                a.comp_name,
                a.business.label_zh(),
                action.label_zh(),
                to.label_zh(),
                a.feedback
                    .as_deref()
                    .map(|f| format!("说明：{f}"))
                    .unwrap_or_default()
            ),
            subject_en: format!("{} {}: {}", a.product.label_en(), a.id, to.label_en()),
            body_en: format!(
                "The application of {} ({}) — {}; it is now {}.{}",
                a.comp_name,
                a.business.label_en(),
                action.label_en(),
                to.label_en(),
                a.feedback
                    .as_deref()
                    .map(|f| format!(" Note: {f}"))
                    .unwrap_or_default()
            ),
            link,
            needs_ack: false,
        };
        crate::inbox::post(tx, &message, now).await?;
    }
    Ok(())
}

fn topic(action: Action) -> &'static str {
    match action {
        Action::Submit => "application.submitted",
        Action::Return => "application.returned",
        Action::Reject => "application.rejected",
        Action::Disburse => "application.disbursed",
        Action::MarkOverdue => "application.overdue",
        Action::Claim => "compensation.claimed",
        Action::Compensate => "compensation.paid",
        Action::Grant => "subsidy.granted",
        Action::Pay => "subsidy.paid",
        _ => "application.step",
    }
}
