//! 收回管理: the scheduler's daily work — a reminder some days before the due date and one on
//! it (each once), and the loan marked overdue the day after.

use super::super::error::Result;
use super::super::service::Service;
use super::lifecycle::{FundAction, FundActor, FundState};
use super::model::FundStepInput;
use super::notices::remind;
use super::store::{find_application, save};
use crate::db::Db;
use crate::with_pool;

const DAY: i64 = 86_400;

impl Service {
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
