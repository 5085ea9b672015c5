//! Innovation vouchers (科技创新券): a successful project's subsidy, applied for and decided.

use super::access::{actor_for, outsider_refusal};
use super::error::{CrowdfundingError, Result};
use super::lifecycle::{self, Action};
use super::model::*;
use super::service::Service;
use super::store::*;
use crate::accounts::caller::Caller;
use crate::db::Db;
use crate::with_tx;

impl Service {
    /// 众筹补贴申请: a successful project applies for an innovation voucher.
    pub async fn apply_subsidy(
        &self,
        db: &Db,
        caller: &Caller,
        id: &str,
        now: i64,
    ) -> Result<ProjectView> {
        let mut tx = db.begin().await?;
        let project = find_project(&mut tx, id).await?;
        if let Some(refusal) = outsider_refusal(caller, &project) {
            return Err(refusal);
        }
        let f = facts(&mut tx, &project, now).await?;
        lifecycle::transition(
            project.state,
            Action::ApplySubsidy,
            actor_for(caller, &project),
            &f,
        )
        .map_err(CrowdfundingError::Transition)?;
        let amount =
            (project.raised_fen * self.subsidy_rate_percent / 100).min(self.subsidy_cap_fen);
        with_tx!(&mut tx, conn => {
            sqlx::query("INSERT INTO cf_vouchers (id, project_id, state, amount_fen, applied_at) VALUES ($1, $2, 'applied', $3, $4)")
                .bind(new_id("CFV")).bind(id).bind(amount).bind(now)
                .execute(&mut *conn).await?;
        });
        audit(
            &mut tx,
            id,
            None,
            &caller.user_id,
            "apply_subsidy",
            None,
            None,
            None,
            now,
        )
        .await?;
        tx.commit().await?;
        self.view(db, id, Some(caller), now).await
    }

    /// Staff approve or reject a voucher application.
    pub async fn decide_subsidy(
        &self,
        db: &Db,
        caller: &Caller,
        id: &str,
        approve: bool,
        reason: Option<&str>,
        now: i64,
    ) -> Result<ProjectView> {
        if !caller.is_staff() {
            return Err(CrowdfundingError::Forbidden(
                "只有平台管理人员可以审批 / only staff decide".into(),
            ));
        }
        let mut tx = db.begin().await?;
        let changed = with_tx!(&mut tx, conn => {
            sqlx::query("UPDATE cf_vouchers SET state = $1, reason = $2, decided_at = $3, decided_by = $4 WHERE project_id = $5 AND state = 'applied'")
                .bind(if approve { "approved" } else { "rejected" }).bind(reason).bind(now).bind(&caller.user_id).bind(id)
                .execute(&mut *conn).await?.rows_affected()
        });
        if changed == 0 {
            return Err(CrowdfundingError::Invalid(
                "没有待审批的创新券申请 / no voucher application is waiting".into(),
            ));
        }
        audit(
            &mut tx,
            id,
            None,
            &caller.user_id,
            if approve {
                "approve_subsidy"
            } else {
                "reject_subsidy"
            },
            None,
            None,
            reason,
            now,
        )
        .await?;
        tx.commit().await?;
        self.view(db, id, Some(caller), now).await
    }
}
