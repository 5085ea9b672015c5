//! Crowdfunding's demo data: one listed project of the demo enterprise, so the public page and
//! the backer's flow have something to show. It goes through the workflow like any project
//! (draft, submission, staff approval), so its catalogue records and audit trail are real.

use super::lifecycle::Action;
use super::model::{ProjectInput, RewardInput};
use super::payments::SandboxGateway;
use super::service::Service;
use crate::accounts::caller::Caller;
use crate::db::Db;
use crate::with_pool;

/// The demo project's title; loading twice finds it and adds nothing.
pub const DEMO_PROJECT_TITLE: &str = "贺兰山东麓葡萄酒智能酿造套装";

pub async fn load(db: &Db, now: i64) -> anyhow::Result<()> {
    let (Some(enterprise), Some(admin)) = (
        crate::accounts::find_user_by_username(db, "enterprise").await?,
        crate::accounts::find_user_by_username(db, "admin").await?,
    ) else {
        return Ok(());
    };
    let Some(organisation) = enterprise.organisation_id.clone() else {
        return Ok(());
    };
    let existing: i64 = with_pool!(db, pool => sqlx::query_scalar(
        "SELECT COUNT(*) FROM cf_projects WHERE organisation_id = $1 AND title = $2")
        .bind(&organisation)
        .bind(DEMO_PROJECT_TITLE)
        .fetch_one(pool)
        .await)?;
    if existing > 0 {
        return Ok(());
    }
    let initiator = Caller {
        user_id: enterprise.id,
        organisation_id: Some(organisation),
        roles: enterprise.roles,
        staff: false,
    };
    let staff = Caller {
        user_id: admin.id,
        organisation_id: admin.organisation_id,
        roles: admin.roles,
        staff: true,
    };
    // Drafting and reviewing never reach the gateway.
    let service = Service::new(std::sync::Arc::new(SandboxGateway::new(b"demo")));
    let reward = |amount: &str, brief: &str, content: &str, limit| RewardInput {
        reward_amount: amount.into(),
        brief: brief.into(),
        content: content.into(),
        limit: Some(limit),
        express_fee: Some("0".into()),
        reback_days: Some(30),
    };
    let input = ProjectInput {
        title: DEMO_PROJECT_TITLE.into(),
        category: "家居生活".into(),
        summary: "温控发酵、手机查看酿造进度的家庭葡萄酒套装".into(),
        intro: "银川演示众创空间孵化的团队，用贺兰山东麓的酿酒葡萄和自研温控发酵罐，让家庭也能酿出好酒。".into(),
        tags: "葡萄酒,智能硬件,宁夏".into(),
        cover_url: None,
        comp_id: None,
        link_name: Some("李经理".into()),
        link_mobile: Some("13800000000".into()),
        crowd_amount: "5.00".into(),
        // A season: the demo stays open while someone explores it.
        duration_days: 180,
        rewards: vec![
            reward("99.00", "尝鲜", "酿造体验包一份", 500),
            reward("599.00", "套装", "智能发酵罐与酿造体验包", 100),
        ],
    };
    let draft = service.create_draft(db, &initiator, &input, now).await?;
    let id = draft.project.id;
    service
        .act(db, &initiator, &id, Action::Submit, None, now)
        .await?;
    service
        .act(db, &staff, &id, Action::Approve, None, now)
        .await?;
    Ok(())
}
