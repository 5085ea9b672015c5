//! Projects: drafts and their checks, the workflow's actions, and what callers see.

use sqlx::Row;

use super::CATEGORIES;
use super::access::{actor_for, may_initiate, outsider_refusal};
use super::error::{CrowdfundingError, Result};
use super::lifecycle::{self, Action, Actor, Facts, State};
use super::model::*;
use super::money::{fen_to_yuan, wan_to_fen, yuan_to_fen};
use super::records;
use super::service::Service;
use super::store::*;
use crate::accounts::caller::Caller;
use crate::db::{Db, Tx};
use crate::{with_pool, with_tx};

/// Each reward's amount and express fee in fen, with its input.
pub(super) type CheckedRewards = Vec<(i64, RewardInput, i64)>;

pub(super) fn checked_input(input: &ProjectInput) -> Result<(i64, CheckedRewards)> {
    let title = input.title.trim();
    if title.is_empty() || title.chars().count() > 100 {
        return Err(CrowdfundingError::Invalid(
            "标题须为 1 到 100 个字 / the title takes 1 to 100 characters".into(),
        ));
    }
    if let Some(cover) = input
        .cover_url
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        let web = url::Url::parse(cover)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
        if web.is_none() || cover.len() > 1000 {
            return Err(CrowdfundingError::Invalid(
                "封面图片须为 http 或 https 网址 / cover_url must be an http or https address"
                    .into(),
            ));
        }
    }
    if !CATEGORIES.contains(&input.category.as_str()) {
        return Err(CrowdfundingError::Invalid(format!(
            "类别须为：{} / the category must be one of these",
            CATEGORIES.join("、")
        )));
    }
    let target = wan_to_fen(&input.crowd_amount)
        .filter(|f| *f > 0)
        .ok_or_else(|| CrowdfundingError::Invalid("目标金额（万元）须为正数，最多两位小数 / crowd_amount (万元) must be positive with at most two decimals".into()))?;
    if !(1..=999).contains(&input.duration_days) {
        return Err(CrowdfundingError::Invalid(
            "众筹天数须为 1 到 999 / duration_days must be 1 to 999".into(),
        ));
    }
    let mut rewards = Vec::new();
    for (i, r) in input.rewards.iter().enumerate() {
        let amount = yuan_to_fen(&r.reward_amount)
            .filter(|f| *f > 0)
            .ok_or_else(|| {
                CrowdfundingError::Invalid(format!(
                    "第 {} 档回报的支持金额无效 / reward {} has an invalid amount",
                    i + 1,
                    i + 1
                ))
            })?;
        if r.limit.is_some_and(|l| !(1..=99_999).contains(&l)) {
            return Err(CrowdfundingError::Invalid(format!(
                "第 {} 档回报的限额须为 1 到 99999 / reward {} limit must be 1 to 99999",
                i + 1,
                i + 1
            )));
        }
        let fee = match &r.express_fee {
            None => 0,
            Some(f) => yuan_to_fen(f).ok_or_else(|| {
                CrowdfundingError::Invalid(format!(
                    "第 {} 档回报的运费无效 / reward {} has an invalid express fee",
                    i + 1,
                    i + 1
                ))
            })?,
        };
        rewards.push((amount, r.clone(), fee));
    }
    Ok((target, rewards))
}

impl Service {
    /// 发起众筹: a new draft of the caller's organisation.
    pub async fn create_draft(
        &self,
        db: &Db,
        caller: &Caller,
        input: &ProjectInput,
        now: i64,
    ) -> Result<ProjectView> {
        if !may_initiate(caller) {
            return Err(CrowdfundingError::Forbidden(
                "只有企业或载体用户可以发起众筹 / only enterprise or carrier users start projects"
                    .into(),
            ));
        }
        let id = new_id("CF");
        let mut tx = db.begin().await?;
        let organisation = caller.organisation_id.clone().unwrap_or_default();
        with_tx!(&mut tx, conn => {
            sqlx::query("INSERT INTO cf_projects (id, organisation_id, owner_user_id, state, category, title, target_fen, duration_days, created_at, updated_at) VALUES ($1, $2, $3, 'draft', '其他', '', 1, 1, $4, $4)")
                .bind(&id)
                .bind(&organisation)
                .bind(&caller.user_id)
                .bind(now)
                .execute(&mut *conn)
                .await?;
        });
        self.save_fields(&mut tx, &id, caller, input, now).await?;
        audit(
            &mut tx,
            &id,
            None,
            &caller.user_id,
            "create",
            None,
            Some(State::Draft),
            None,
            now,
        )
        .await?;
        tx.commit().await?;
        self.view(db, &id, Some(caller), now).await
    }

    /// 修改项目资料: only drafts change.
    pub async fn update_draft(
        &self,
        db: &Db,
        caller: &Caller,
        id: &str,
        input: &ProjectInput,
        now: i64,
    ) -> Result<ProjectView> {
        let mut tx = db.begin().await?;
        let project = find_project(&mut tx, id).await?;
        if let Some(refusal) = outsider_refusal(caller, &project) {
            return Err(refusal);
        }
        let f = facts(&mut tx, &project, now).await?;
        lifecycle::transition(project.state, Action::Edit, actor_for(caller, &project), &f)
            .map_err(CrowdfundingError::Transition)?;
        self.save_fields(&mut tx, id, caller, input, now).await?;
        audit(
            &mut tx,
            id,
            None,
            &caller.user_id,
            "edit",
            Some(project.state),
            Some(project.state),
            None,
            now,
        )
        .await?;
        tx.commit().await?;
        self.view(db, id, Some(caller), now).await
    }

    pub(super) async fn save_fields(
        &self,
        tx: &mut Tx,
        id: &str,
        caller: &Caller,
        input: &ProjectInput,
        now: i64,
    ) -> Result<()> {
        let (target, rewards) = checked_input(input)?;
        with_tx!(tx, conn => {
            sqlx::query("UPDATE cf_projects SET category = $1, title = $2, summary = $3, intro = $4, tags = $5, cover_url = $6, comp_id = $7, link_name = $8, link_mobile = $9, target_fen = $10, duration_days = $11, updated_at = $12 WHERE id = $13")
                .bind(&input.category)
                .bind(input.title.trim())
                .bind(&input.summary)
                .bind(&input.intro)
                .bind(&input.tags)
                .bind(&input.cover_url)
                .bind(&input.comp_id)
                .bind(&input.link_name)
                .bind(&input.link_mobile)
                .bind(target)
                .bind(input.duration_days)
                .bind(now)
                .bind(id)
                .execute(&mut *conn)
                .await?;
            // A draft has no orders, so its rewards are replaced whole; their catalogue
            // records keep their history.
            sqlx::query("DELETE FROM cf_rewards WHERE project_id = $1").bind(id).execute(&mut *conn).await?;
        });
        for (position, (amount, r, fee)) in rewards.into_iter().enumerate() {
            with_tx!(tx, conn => {
                sqlx::query("INSERT INTO cf_rewards (id, project_id, position, amount_fen, brief, content, reward_limit, express_fee_fen, reback_days) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
                    .bind(format!("{id}-R{}", position + 1))
                    .bind(id)
                    .bind(position as i64)
                    .bind(amount)
                    .bind(&r.brief)
                    .bind(&r.content)
                    .bind(r.limit)
                    .bind(fee)
                    .bind(r.reback_days)
                    .execute(&mut *conn)
                    .await?;
            });
        }
        self.write_project_records(tx, id, &caller.user_id, now)
            .await
    }

    pub(super) async fn write_project_records(
        &self,
        tx: &mut Tx,
        id: &str,
        user_id: &str,
        now: i64,
    ) -> Result<()> {
        let project = find_project(&mut *tx, id).await?;
        let mut recs = vec![("crowdfunding-project", records::project_record(&project))];
        for r in rewards_of(&mut *tx, id).await? {
            recs.push(("crowdfunding-reward", records::reward_record(&r)));
        }
        records::write(tx, recs, &project.organisation_id, user_id, now).await
    }

    /// Submit, approve, return, reject, request deletion, delete.
    pub async fn act(
        &self,
        db: &Db,
        caller: &Caller,
        id: &str,
        action: Action,
        reason: Option<&str>,
        now: i64,
    ) -> Result<ProjectView> {
        let reason = reason.map(str::trim).filter(|r| !r.is_empty());
        let needs_reason = matches!(
            action,
            Action::Return | Action::Reject | Action::RequestDeletion
        );
        if needs_reason && reason.is_none() {
            return Err(CrowdfundingError::Invalid(
                "请写明理由 / a reason is required".into(),
            ));
        }
        let mut tx = db.begin().await?;
        let project = find_project(&mut tx, id).await?;
        if let Some(refusal) = outsider_refusal(caller, &project) {
            return Err(refusal);
        }
        let f = facts(&mut tx, &project, now).await?;
        let next = lifecycle::transition(project.state, action, actor_for(caller, &project), &f)
            .map_err(CrowdfundingError::Transition)?;
        if action == Action::Submit {
            let rewards = rewards_of(&mut tx, id).await?;
            if rewards.is_empty() {
                return Err(CrowdfundingError::Invalid(
                    "提交前请至少设置一档回报 / add at least one reward before submitting".into(),
                ));
            }
        }
        let sql = match action {
            Action::Approve => {
                "UPDATE cf_projects SET state = $1, listed_at = $2, ends_at = $2 + duration_days * 86400, feedback = NULL, updated_at = $2 WHERE id = $3"
            }
            Action::Return => {
                "UPDATE cf_projects SET state = $1, feedback = $4, updated_at = $2 WHERE id = $3"
            }
            Action::RequestDeletion => {
                "UPDATE cf_projects SET state = $1, deletion_reason = $4, updated_at = $2 WHERE id = $3"
            }
            _ => "UPDATE cf_projects SET state = $1, updated_at = $2 WHERE id = $3",
        };
        with_tx!(&mut tx, conn => {
            let q = sqlx::query(sql).bind(next.as_str()).bind(now).bind(id);
            let q = if sql.contains("$4") { q.bind(reason) } else { q };
            q.execute(&mut *conn).await?;
        });
        audit(
            &mut tx,
            id,
            None,
            &caller.user_id,
            action.as_str(),
            Some(project.state),
            Some(next),
            reason,
            now,
        )
        .await?;
        super::notices::post(
            &mut tx,
            super::notices::project_moved(&project, next, reason),
            now,
        )
        .await?;
        tx.commit().await?;
        metrics::counter!(crate::metrics::PLATFORM_TRANSITIONS, "platform" => "crowdfunding", "action" => action.as_str())
            .increment(1);
        self.view(db, id, Some(caller), now).await
    }

    /// A project with its rewards, progress, voucher and what the caller may do next. Drafts
    /// and other unlisted projects are visible only to their organisation and staff.
    pub async fn view(
        &self,
        db: &Db,
        id: &str,
        caller: Option<&Caller>,
        now: i64,
    ) -> Result<ProjectView> {
        let project = find_project(db, id).await?;
        let actor = caller
            .map(|c| actor_for(c, &project))
            .unwrap_or(Actor::Other);
        if !project.state.is_public() && actor == Actor::Other {
            return Err(CrowdfundingError::NotFound(format!("众筹项目 {id}")));
        }
        let mut project = project;
        if actor == Actor::Other {
            // Backers and visitors see what the public page shows: not who in the initiating
            // organisation drafted it, how to reach them, or what staff wrote to them.
            project.owner_user_id.clear();
            project.link_name = None;
            project.link_mobile = None;
            project.feedback = None;
            project.deletion_reason = None;
        }
        let rewards = rewards_of(db, id).await?;
        let per_reward: Vec<(String, i64)> = with_pool!(db, pool => {
            let mut out = Vec::new();
            for row in sqlx::query("SELECT reward_id, COUNT(*) FROM cf_orders WHERE project_id = $1 AND state IN ('paid', 'refunded') GROUP BY reward_id").bind(id).fetch_all(pool).await? {
                out.push((row.try_get::<String, _>(0)?, row.try_get::<i64, _>(1)?));
            }
            out
        });
        let backers: i64 = with_pool!(db, pool => sqlx::query_scalar("SELECT COUNT(DISTINCT backer_user_id) FROM cf_orders WHERE project_id = $1 AND state IN ('paid', 'refunded')").bind(id).fetch_one(pool).await?);
        let voucher = with_pool!(db, pool => {
            match sqlx::query("SELECT state, amount_fen, reason FROM cf_vouchers WHERE project_id = $1").bind(id).fetch_optional(pool).await? {
                Some(row) => {
                    let amount: i64 = row.try_get(1)?;
                    Some(Voucher { state: row.try_get(0)?, amount_fen: amount, amount_yuan: fen_to_yuan(amount), reason: row.try_get(2)? })
                }
                None => None,
            }
        });
        let facts = Facts {
            now,
            ends_at: project.ends_at,
            raised_fen: project.raised_fen,
            target_fen: project.target_fen,
            paid_orders: per_reward.iter().map(|(_, n)| n).sum(),
            deletion_requested: project.deletion_reason.is_some(),
            subsidy_applied: voucher.is_some(),
        };
        let allowed = lifecycle::allowed_actions(project.state, actor, &facts);
        let progress = Progress {
            raised_fen: project.raised_fen,
            raised_yuan: fen_to_yuan(project.raised_fen),
            target_yuan: fen_to_yuan(project.target_fen),
            backers,
            percent: project.raised_fen * 100 / project.target_fen.max(1),
            days_left: project
                .ends_at
                .map(|e| ((e - now).max(0) + 86_399) / 86_400),
        };
        let rewards = rewards
            .into_iter()
            .map(|r| RewardView {
                amount_yuan: fen_to_yuan(r.amount_fen),
                backers: per_reward
                    .iter()
                    .find(|(id, _)| *id == r.id)
                    .map(|(_, n)| *n)
                    .unwrap_or(0),
                left: r.reward_limit.map(|l| l - r.sold),
                reward: r,
            })
            .collect();
        Ok(ProjectView {
            state_label: project.state.label_zh(),
            project,
            rewards,
            progress,
            allowed_actions: allowed,
            voucher,
        })
    }

    /// 项目展示: listed projects, by category, ranked.
    pub async fn list(
        &self,
        db: &Db,
        category: Option<&str>,
        ranking: &str,
        now: i64,
    ) -> Result<Vec<ProjectView>> {
        let order = match ranking {
            "newest" => "p.listed_at DESC",
            "ending_soon" => "p.ends_at ASC",
            "popular" => "recent DESC, p.listed_at DESC",
            "funded_ratio" => "(p.raised_fen * 1.0 / p.target_fen) DESC",
            other => {
                return Err(CrowdfundingError::Invalid(format!(
                    "排序须为 newest、ending_soon、popular 或 funded_ratio，收到 {other} / unknown ranking {other}"
                )));
            }
        };
        let sql = format!(
            "SELECT p.id, (SELECT COUNT(DISTINCT o.backer_user_id) FROM cf_orders o WHERE o.project_id = p.id AND o.state = 'paid' AND o.paid_at >= $1) AS recent FROM cf_projects p WHERE p.state = 'listed' AND ($2 = '' OR p.category = $2) ORDER BY {order} LIMIT 100"
        );
        let ids: Vec<String> = with_pool!(db, pool => {
            let mut out = Vec::new();
            for row in sqlx::query(&sql).bind(now - 7 * 86_400).bind(category.unwrap_or_default()).fetch_all(pool).await? {
                out.push(row.try_get::<String, _>(0)?);
            }
            out
        });
        let mut views = Vec::with_capacity(ids.len());
        for id in ids {
            views.push(self.view(db, &id, None, now).await?);
        }
        Ok(views)
    }

    /// Projects reported to the catalogue from outside (4.2.1 records with no project here):
    /// shown read-only, with where they came from.
    pub async fn reported_elsewhere(&self, db: &Db) -> Result<Vec<ReportedProject>> {
        let mut out = Vec::new();
        with_pool!(db, pool => {
            for row in sqlx::query(
                "SELECT crowd_id, crowd_title, tags, crowd_amount, crowd_duration, source, organisation_id \
                 FROM cat_crowdfunding_project c WHERE is_current AND source <> 'workflow' \
                 AND NOT EXISTS (SELECT 1 FROM cf_projects p WHERE p.id = c.crowd_id) ORDER BY version_id DESC LIMIT 100",
            )
            .fetch_all(pool)
            .await?
            {
                out.push(ReportedProject {
                    id: row.try_get(0)?,
                    title: row.try_get::<Option<String>, _>(1)?.unwrap_or_default(),
                    tags: row.try_get(2)?,
                    crowd_amount: row.try_get(3)?,
                    duration_days: row.try_get(4)?,
                    source: row.try_get(5)?,
                    organisation_id: row.try_get(6)?,
                    read_only: true,
                });
            }
        });
        Ok(out)
    }

    pub async fn audit_trail(&self, db: &Db, caller: &Caller, id: &str) -> Result<Vec<AuditEntry>> {
        let project = find_project(db, id).await?;
        if actor_for(caller, &project) == Actor::Other {
            return Err(CrowdfundingError::Forbidden(
                "只有发起方和平台管理人员可以查看 / only the initiator and staff see the trail"
                    .into(),
            ));
        }
        let mut out = Vec::new();
        with_pool!(db, pool => {
            for row in sqlx::query("SELECT actor, action, from_state, to_state, reason, order_id, at FROM cf_audit WHERE project_id = $1 ORDER BY at, id").bind(id).fetch_all(pool).await? {
                out.push(AuditEntry {
                    actor: row.try_get(0)?, action: row.try_get(1)?, from_state: row.try_get(2)?, to_state: row.try_get(3)?,
                    reason: row.try_get(4)?, order_id: row.try_get(5)?, at: row.try_get(6)?,
                });
            }
        });
        Ok(out)
    }

    /// What waits for staff: submitted projects, deletion requests and vouchers to decide,
    /// oldest first.
    pub async fn review_queue(
        &self,
        db: &Db,
        staff: &Caller,
        now: i64,
    ) -> Result<Vec<ProjectView>> {
        let ids: Vec<String> = with_pool!(db, pool => sqlx::query_scalar(
            "SELECT id FROM cf_projects WHERE state = 'submitted' OR (deletion_reason IS NOT NULL AND state NOT IN ('deleted')) \
             OR id IN (SELECT project_id FROM cf_vouchers WHERE state = 'applied') ORDER BY updated_at LIMIT 500",
        )
        .fetch_all(pool)
        .await)?;
        let mut views = Vec::with_capacity(ids.len());
        for id in ids {
            views.push(self.view(db, &id, Some(staff), now).await?);
        }
        Ok(views)
    }
}
