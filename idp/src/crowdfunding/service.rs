//! The crowdfunding operations: each loads what it needs, asks the lifecycle whether the step
//! is allowed, stores the result with an audit entry and the catalogue records, in one
//! transaction.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use sqlx::Row;

use super::CATEGORIES;
use super::lifecycle::{self, Action, Actor, Facts, Refusal, State};
use super::money::{fen_to_yuan, wan_to_fen, yuan_to_fen};
use super::payments::{GatewayError, NotificationKind, PaymentGateway, Prepay, SandboxGateway};
use super::records;
use crate::accounts::Role;
use crate::catalogue::validate::FieldError;
use crate::db::{Db, DbError, Reader, Tx, is_unique_violation};
use crate::{with_pool, with_reader, with_tx};

#[derive(Debug, thiserror::Error)]
pub enum CrowdfundingError {
    #[error("未找到：{0}。Not found: {0}.")]
    NotFound(String),
    #[error("无权操作：{0}。Not allowed: {0}.")]
    Forbidden(String),
    #[error("请求有误：{0}。Invalid: {0}.")]
    Invalid(String),
    #[error("字段未通过校验。Some fields were refused.")]
    InvalidFields(Vec<FieldError>),
    #[error("当前状态不允许此操作：{}。{}", .0.reason_zh, .0.reason_en)]
    Transition(Refusal),
    #[error(
        "回报“{reward_id}”已售完（剩余 {left} 份）。The reward {reward_id} is sold out ({left} left)."
    )]
    SoldOut { reward_id: String, left: i64 },
    #[error("支付网关出错：{0}。Payment gateway: {0}.")]
    Gateway(#[from] GatewayError),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<sqlx::Error> for CrowdfundingError {
    fn from(e: sqlx::Error) -> Self {
        CrowdfundingError::Db(DbError::Query(e))
    }
}

type Result<T> = std::result::Result<T, CrowdfundingError>;

/// The crowdfunding platform's moving parts.
pub struct Service {
    /// Where payments go (the sandbox, or a real provider's adapter).
    pub gateway: Arc<dyn PaymentGateway>,
    /// The sandbox's own payment page, when the sandbox is the gateway.
    pub sandbox: Option<Arc<SandboxGateway>>,
    /// Innovation voucher: this share of the amount raised (percent) …
    pub subsidy_rate_percent: i64,
    /// … at most this much.
    pub subsidy_cap_fen: i64,
    /// Unpaid orders older than this (seconds) are cancelled and their copies released.
    pub unpaid_order_ttl: i64,
}

/// Who is calling: a signed-in user with their organisation and roles.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user_id: String,
    pub organisation_id: Option<String>,
    pub roles: Vec<Role>,
    /// Acting as platform staff: an administrator on the console, or through a token that
    /// carries the staff scope (`crowdfunding:staff`); the role alone is not enough.
    pub staff: bool,
}

impl Caller {
    pub fn is_staff(&self) -> bool {
        self.staff && self.roles.contains(&Role::Admin)
    }

    fn may_initiate(&self) -> bool {
        self.organisation_id.is_some()
            && self
                .roles
                .iter()
                .any(|r| matches!(r, Role::Enterprise | Role::CarrierOperator))
    }

    fn actor_for(&self, project: &Project) -> Actor {
        if self.is_staff() {
            Actor::Staff
        } else if self.may_initiate()
            && self.organisation_id.as_deref() == Some(&project.organisation_id)
        {
            Actor::Initiator
        } else {
            Actor::Other
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Project {
    pub id: String,
    pub organisation_id: String,
    /// Shown to the initiating organisation and staff only (empty, and left out, for others).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub owner_user_id: String,
    pub state: State,
    pub category: String,
    pub title: String,
    pub summary: String,
    pub intro: String,
    pub tags: String,
    pub cover_url: Option<String>,
    pub comp_id: Option<String>,
    pub link_name: Option<String>,
    pub link_mobile: Option<String>,
    pub target_fen: i64,
    pub duration_days: i64,
    pub feedback: Option<String>,
    pub deletion_reason: Option<String>,
    pub raised_fen: i64,
    pub listed_at: Option<i64>,
    pub ends_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Reward {
    pub id: String,
    pub project_id: String,
    pub position: i64,
    pub amount_fen: i64,
    pub brief: String,
    pub content: String,
    pub reward_limit: Option<i64>,
    pub sold: i64,
    pub express_fee_fen: i64,
    pub reback_days: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Order {
    pub id: String,
    pub project_id: String,
    pub reward_id: String,
    pub backer_user_id: String,
    pub state: String,
    pub copies: i64,
    pub amount_fen: i64,
    pub buyer_name: String,
    pub buyer_link_name: String,
    pub buyer_link_mobile: String,
    pub delivery_user_name: String,
    pub delivery_user_phone: String,
    pub delivery_address: String,
    pub prepay_id: Option<String>,
    pub transaction_id: Option<String>,
    pub paid_at: Option<i64>,
    pub refunded_at: Option<i64>,
    pub delivery_date: Option<String>,
    pub delivery_type: Option<String>,
    pub delivery_no: Option<String>,
    pub evaluation: Option<i64>,
    pub remark: Option<String>,
    pub created_at: i64,
}

/// A project's fields as an initiator writes them. Amounts as the seed writes them:
/// `crowd_amount` in 万元, reward amounts and fees in 元.
#[derive(Debug, Clone, Deserialize)]
pub struct ProjectInput {
    pub title: String,
    pub category: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub intro: String,
    #[serde(default)]
    pub tags: String,
    pub cover_url: Option<String>,
    pub comp_id: Option<String>,
    pub link_name: Option<String>,
    pub link_mobile: Option<String>,
    pub crowd_amount: String,
    pub duration_days: i64,
    #[serde(default)]
    pub rewards: Vec<RewardInput>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RewardInput {
    pub reward_amount: String,
    #[serde(default)]
    pub brief: String,
    #[serde(default)]
    pub content: String,
    pub limit: Option<i64>,
    pub express_fee: Option<String>,
    pub reback_days: Option<i64>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct OrderInput {
    pub reward_id: String,
    pub copies: i64,
    pub buyer_name: String,
    pub buyer_link_name: String,
    pub buyer_link_mobile: String,
    pub delivery_user_name: String,
    pub delivery_user_phone: String,
    pub delivery_address: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DeliveryInput {
    pub delivery_date: String,
    pub delivery_type: String,
    pub delivery_no: String,
}

/// A reward with how many backed it.
#[derive(Debug, Clone, Serialize)]
pub struct RewardView {
    #[serde(flatten)]
    pub reward: Reward,
    pub amount_yuan: String,
    pub backers: i64,
    pub left: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Progress {
    pub raised_fen: i64,
    pub raised_yuan: String,
    pub target_yuan: String,
    pub backers: i64,
    pub percent: i64,
    pub days_left: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProjectView {
    #[serde(flatten)]
    pub project: Project,
    pub state_label: &'static str,
    pub rewards: Vec<RewardView>,
    pub progress: Progress,
    pub allowed_actions: Vec<Action>,
    pub voucher: Option<Voucher>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Voucher {
    pub state: String,
    pub amount_fen: i64,
    pub amount_yuan: String,
    pub reason: Option<String>,
}

/// A project known only from the catalogue (reported by a carrier's system).
#[derive(Debug, Clone, Serialize)]
pub struct ReportedProject {
    pub id: String,
    pub title: String,
    pub tags: Option<String>,
    /// CROWD_AMOUNT, 万元, as reported.
    pub crowd_amount: Option<String>,
    pub duration_days: Option<String>,
    /// `api` or `import`.
    pub source: String,
    pub organisation_id: Option<String>,
    pub read_only: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct AuditEntry {
    pub actor: String,
    pub action: String,
    pub from_state: Option<String>,
    pub to_state: Option<String>,
    pub reason: Option<String>,
    pub order_id: Option<String>,
    pub at: i64,
}

/// Who may touch a project is checked before its state: someone outside the initiating
/// organisation (and not staff) learns nothing of a project that is not public (404) and
/// is refused without its state and options (403) for one that is.
fn outsider_refusal(caller: &Caller, project: &Project) -> Option<CrowdfundingError> {
    if caller.actor_for(project) != Actor::Other {
        return None;
    }
    Some(if project.state.is_public() {
        CrowdfundingError::Forbidden(
            "只有发起机构和平台工作人员可以这样做 / only the initiating organisation and platform staff may do this".into(),
        )
    } else {
        CrowdfundingError::NotFound(format!("众筹项目 {}", project.id))
    })
}

fn new_id(prefix: &str) -> String {
    format!(
        "{prefix}-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..16]
    )
    .to_uppercase()
}

const PROJECT_COLUMNS: &str = "id, organisation_id, owner_user_id, state, category, title, summary, intro, tags, cover_url, comp_id, link_name, link_mobile, target_fen, duration_days, feedback, deletion_reason, raised_fen, listed_at, ends_at, closed_at, created_at, updated_at";
const REWARD_COLUMNS: &str = "id, project_id, position, amount_fen, brief, content, reward_limit, sold, express_fee_fen, reback_days";
const ORDER_COLUMNS: &str = "id, project_id, reward_id, backer_user_id, state, copies, amount_fen, buyer_name, buyer_link_name, buyer_link_mobile, delivery_user_name, delivery_user_phone, delivery_address, prepay_id, transaction_id, paid_at, refunded_at, delivery_date, delivery_type, delivery_no, evaluation, remark, created_at";

macro_rules! project_from {
    ($row:expr) => {{
        let row = $row;
        let state: String = row.try_get(3)?;
        Project {
            id: row.try_get(0)?,
            organisation_id: row.try_get(1)?,
            owner_user_id: row.try_get(2)?,
            state: State::parse(&state).unwrap_or(State::Draft),
            category: row.try_get(4)?,
            title: row.try_get(5)?,
            summary: row.try_get(6)?,
            intro: row.try_get(7)?,
            tags: row.try_get(8)?,
            cover_url: row.try_get(9)?,
            comp_id: row.try_get(10)?,
            link_name: row.try_get(11)?,
            link_mobile: row.try_get(12)?,
            target_fen: row.try_get(13)?,
            duration_days: row.try_get(14)?,
            feedback: row.try_get(15)?,
            deletion_reason: row.try_get(16)?,
            raised_fen: row.try_get(17)?,
            listed_at: row.try_get(18)?,
            ends_at: row.try_get(19)?,
            closed_at: row.try_get(20)?,
            created_at: row.try_get(21)?,
            updated_at: row.try_get(22)?,
        }
    }};
}

macro_rules! reward_from {
    ($row:expr) => {{
        let row = $row;
        Reward {
            id: row.try_get(0)?,
            project_id: row.try_get(1)?,
            position: row.try_get(2)?,
            amount_fen: row.try_get(3)?,
            brief: row.try_get(4)?,
            content: row.try_get(5)?,
            reward_limit: row.try_get(6)?,
            sold: row.try_get(7)?,
            express_fee_fen: row.try_get(8)?,
            reback_days: row.try_get(9)?,
        }
    }};
}

macro_rules! order_from {
    ($row:expr) => {{
        let row = $row;
        Order {
            id: row.try_get(0)?,
            project_id: row.try_get(1)?,
            reward_id: row.try_get(2)?,
            backer_user_id: row.try_get(3)?,
            state: row.try_get(4)?,
            copies: row.try_get(5)?,
            amount_fen: row.try_get(6)?,
            buyer_name: row.try_get(7)?,
            buyer_link_name: row.try_get(8)?,
            buyer_link_mobile: row.try_get(9)?,
            delivery_user_name: row.try_get(10)?,
            delivery_user_phone: row.try_get(11)?,
            delivery_address: row.try_get(12)?,
            prepay_id: row.try_get(13)?,
            transaction_id: row.try_get(14)?,
            paid_at: row.try_get(15)?,
            refunded_at: row.try_get(16)?,
            delivery_date: row.try_get(17)?,
            delivery_type: row.try_get(18)?,
            delivery_no: row.try_get(19)?,
            evaluation: row.try_get(20)?,
            remark: row.try_get(21)?,
            created_at: row.try_get(22)?,
        }
    }};
}

/// A project; read in a transaction, its row stays locked until the transaction ends.
pub async fn find_project<'r>(from: impl Into<Reader<'r>>, id: &str) -> Result<Project> {
    let reader = from.into();
    let sql = format!(
        "SELECT {PROJECT_COLUMNS} FROM cf_projects WHERE id = $1{}",
        reader.lock_clause()
    );
    let project = with_reader!(reader, exec => {
        match sqlx::query(&sql).bind(id).fetch_optional(exec).await? {
            Some(row) => Some(project_from!(row)),
            None => None,
        }
    });
    project.ok_or_else(|| CrowdfundingError::NotFound(format!("众筹项目 {id}")))
}

async fn rewards_of<'r>(from: impl Into<Reader<'r>>, project_id: &str) -> Result<Vec<Reward>> {
    let sql =
        format!("SELECT {REWARD_COLUMNS} FROM cf_rewards WHERE project_id = $1 ORDER BY position");
    let mut out = Vec::new();
    with_reader!(from.into(), exec => {
        for row in sqlx::query(&sql).bind(project_id).fetch_all(exec).await? {
            out.push(reward_from!(row));
        }
    });
    Ok(out)
}

/// An order; read in a transaction, its row stays locked until the transaction ends.
pub async fn find_order<'r>(from: impl Into<Reader<'r>>, id: &str) -> Result<Order> {
    let reader = from.into();
    let sql = format!(
        "SELECT {ORDER_COLUMNS} FROM cf_orders WHERE id = $1{}",
        reader.lock_clause()
    );
    let order = with_reader!(reader, exec => {
        match sqlx::query(&sql).bind(id).fetch_optional(exec).await? {
            Some(row) => Some(order_from!(row)),
            None => None,
        }
    });
    order.ok_or_else(|| CrowdfundingError::NotFound(format!("订单 {id}")))
}

async fn orders_of(tx: &mut Tx, project_id: &str, state: &str) -> Result<Vec<Order>> {
    let sql = format!(
        "SELECT {ORDER_COLUMNS} FROM cf_orders WHERE project_id = $1 AND state = $2 ORDER BY created_at"
    );
    let mut out = Vec::new();
    with_tx!(tx, conn => {
        for row in sqlx::query(&sql).bind(project_id).bind(state).fetch_all(&mut *conn).await? {
            out.push(order_from!(row));
        }
    });
    Ok(out)
}

async fn count(tx: &mut Tx, sql: &str, id: &str) -> Result<i64> {
    Ok(
        with_tx!(tx, conn => sqlx::query_scalar::<_, i64>(sql).bind(id).fetch_one(&mut *conn).await?),
    )
}

// The arguments are the audit row's columns, in order; a struct would only rename them.
#[allow(clippy::too_many_arguments)]
async fn audit(
    tx: &mut Tx,
    project_id: &str,
    order_id: Option<&str>,
    actor: &str,
    action: &str,
    from: Option<State>,
    to: Option<State>,
    reason: Option<&str>,
    now: i64,
) -> Result<()> {
    with_tx!(tx, conn => {
        sqlx::query("INSERT INTO cf_audit (id, project_id, order_id, actor, action, from_state, to_state, reason, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
            .bind(uuid::Uuid::new_v4().simple().to_string())
            .bind(project_id)
            .bind(order_id)
            .bind(actor)
            .bind(action)
            .bind(from.map(State::as_str))
            .bind(to.map(State::as_str))
            .bind(reason)
            .bind(now)
            .execute(&mut *conn)
            .await?;
    });
    Ok(())
}

async fn facts(tx: &mut Tx, project: &Project, now: i64) -> Result<Facts> {
    let paid = count(
        tx,
        "SELECT COUNT(*) FROM cf_orders WHERE project_id = $1 AND state = 'paid'",
        &project.id,
    )
    .await?;
    let vouchers = count(
        tx,
        "SELECT COUNT(*) FROM cf_vouchers WHERE project_id = $1",
        &project.id,
    )
    .await?;
    Ok(Facts {
        now,
        ends_at: project.ends_at,
        raised_fen: project.raised_fen,
        target_fen: project.target_fen,
        paid_orders: paid,
        deletion_requested: project.deletion_reason.is_some(),
        subsidy_applied: vouchers > 0,
    })
}

/// Each reward's amount and express fee in fen, with its input.
type CheckedRewards = Vec<(i64, RewardInput, i64)>;

fn checked_input(input: &ProjectInput) -> Result<(i64, CheckedRewards)> {
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
    /// A service paying through the sandbox gateway.
    pub fn new(sandbox: Arc<SandboxGateway>) -> Self {
        Service {
            gateway: sandbox.clone(),
            sandbox: Some(sandbox),
            subsidy_rate_percent: 10,
            subsidy_cap_fen: 5_000_000,
            unpaid_order_ttl: 1800,
        }
    }

    /// With the operator's policy numbers (the `crowdfunding` settings section).
    pub fn with_policy(mut self, policy: &super::Policy) -> Self {
        self.subsidy_rate_percent = policy.subsidy_rate_percent;
        self.subsidy_cap_fen = policy.subsidy_cap_yuan * 100;
        self.unpaid_order_ttl = policy.unpaid_order_ttl;
        self
    }

    /// Cancels unpaid orders older than the limit and gives their copies back; a payment that
    /// still arrives for one is refunded.
    pub async fn release_unpaid(&self, db: &Db, now: i64) -> Result<usize> {
        let stale: Vec<(String, String, i64)> = with_pool!(db, pool => {
            let mut out = Vec::new();
            for row in sqlx::query("SELECT id, reward_id, copies FROM cf_orders WHERE state = 'pending' AND created_at < $1")
                .bind(now - self.unpaid_order_ttl)
                .fetch_all(pool)
                .await?
            {
                out.push((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?));
            }
            out
        });
        let mut released = 0;
        for (id, reward, copies) in stale {
            let mut tx = db.begin().await?;
            let cancelled = with_tx!(&mut tx, conn => {
                sqlx::query("UPDATE cf_orders SET state = 'cancelled' WHERE id = $1 AND state = 'pending'")
                    .bind(&id).execute(&mut *conn).await?.rows_affected()
            });
            if cancelled > 0 {
                with_tx!(&mut tx, conn => {
                    sqlx::query("UPDATE cf_rewards SET sold = sold - $1 WHERE id = $2")
                        .bind(copies).bind(&reward).execute(&mut *conn).await?;
                });
                released += 1;
            }
            tx.commit().await?;
        }
        Ok(released)
    }

    /// 发起众筹: a new draft of the caller's organisation.
    pub async fn create_draft(
        &self,
        db: &Db,
        caller: &Caller,
        input: &ProjectInput,
        now: i64,
    ) -> Result<ProjectView> {
        if !caller.may_initiate() {
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
        lifecycle::transition(project.state, Action::Edit, caller.actor_for(&project), &f)
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

    async fn save_fields(
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

    async fn write_project_records(
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
        let next = lifecycle::transition(project.state, action, caller.actor_for(&project), &f)
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
        tx.commit().await?;
        self.view(db, id, Some(caller), now).await
    }

    /// 参与众筹: reserves copies of a reward (never past its limit) and opens a payment.
    pub async fn place_order(
        &self,
        db: &Db,
        caller: &Caller,
        project_id: &str,
        input: &OrderInput,
        now: i64,
    ) -> Result<(Order, Prepay)> {
        if !(1..=9999).contains(&input.copies) {
            return Err(CrowdfundingError::Invalid(
                "购买份数须为 1 到 9999 / copies must be 1 to 9999".into(),
            ));
        }
        for (name, value) in [
            ("buyer_name", &input.buyer_name),
            ("buyer_link_name", &input.buyer_link_name),
            ("buyer_link_mobile", &input.buyer_link_mobile),
            ("delivery_user_name", &input.delivery_user_name),
            ("delivery_user_phone", &input.delivery_user_phone),
            ("delivery_address", &input.delivery_address),
        ] {
            if value.trim().is_empty() {
                return Err(CrowdfundingError::Invalid(format!(
                    "{name} 必须填写 / {name} is required"
                )));
            }
        }
        let mut tx = db.begin().await?;
        let project = find_project(&mut tx, project_id).await?;
        let open = project.state == State::Listed && project.ends_at.is_some_and(|e| now < e);
        if !open {
            let f = facts(&mut tx, &project, now).await?;
            return Err(CrowdfundingError::Transition(Refusal {
                current: project.state,
                allowed: lifecycle::allowed_actions(project.state, caller.actor_for(&project), &f),
                reason_zh: "项目当前不接受支持".into(),
                reason_en: "the project is not open for backing".into(),
            }));
        }
        let rewards = rewards_of(&mut tx, project_id).await?;
        let reward = rewards
            .iter()
            .find(|r| r.id == input.reward_id)
            .ok_or_else(|| CrowdfundingError::NotFound(format!("回报 {}", input.reward_id)))?
            .clone();
        let amount = reward.amount_fen * input.copies + reward.express_fee_fen;
        let order = Order {
            id: new_id("CFO"),
            project_id: project_id.to_owned(),
            reward_id: reward.id.clone(),
            backer_user_id: caller.user_id.clone(),
            state: "pending".into(),
            copies: input.copies,
            amount_fen: amount,
            buyer_name: input.buyer_name.trim().to_owned(),
            buyer_link_name: input.buyer_link_name.trim().to_owned(),
            buyer_link_mobile: input.buyer_link_mobile.trim().to_owned(),
            delivery_user_name: input.delivery_user_name.trim().to_owned(),
            delivery_user_phone: input.delivery_user_phone.trim().to_owned(),
            delivery_address: input.delivery_address.trim().to_owned(),
            prepay_id: None,
            transaction_id: None,
            paid_at: None,
            refunded_at: None,
            delivery_date: None,
            delivery_type: None,
            delivery_no: None,
            evaluation: None,
            remark: None,
            created_at: now,
        };
        // The order's catalogue fields are checked now, so a bad phone is refused before payment.
        let t = crate::catalogue::spec::record_type("crowdfunding-order")
            .ok_or_else(|| CrowdfundingError::NotFound("spec".into()))?;
        if let Err((_, errors)) = crate::catalogue::validate::check_json(
            t,
            &records::order_record(&order),
            Default::default(),
        ) {
            return Err(CrowdfundingError::InvalidFields(errors));
        }
        // The reservation is one conditional statement: with many concurrent orders, the
        // database serialises them on the reward's row and none passes the limit.
        let reserved = with_tx!(&mut tx, conn => {
            sqlx::query("UPDATE cf_rewards SET sold = sold + $1 WHERE id = $2 AND (reward_limit IS NULL OR sold + $1 <= reward_limit)")
                .bind(input.copies)
                .bind(&reward.id)
                .execute(&mut *conn)
                .await?
                .rows_affected()
        });
        if reserved == 0 {
            let left = reward
                .reward_limit
                .map(|l| l - reward.sold)
                .unwrap_or_default()
                .max(0);
            return Err(CrowdfundingError::SoldOut {
                reward_id: reward.id,
                left,
            });
        }
        with_tx!(&mut tx, conn => {
            sqlx::query("INSERT INTO cf_orders (id, project_id, reward_id, backer_user_id, state, copies, amount_fen, buyer_name, buyer_link_name, buyer_link_mobile, delivery_user_name, delivery_user_phone, delivery_address, created_at) VALUES ($1, $2, $3, $4, 'pending', $5, $6, $7, $8, $9, $10, $11, $12, $13)")
                .bind(&order.id).bind(&order.project_id).bind(&order.reward_id).bind(&order.backer_user_id)
                .bind(order.copies).bind(order.amount_fen).bind(&order.buyer_name).bind(&order.buyer_link_name)
                .bind(&order.buyer_link_mobile).bind(&order.delivery_user_name).bind(&order.delivery_user_phone)
                .bind(&order.delivery_address).bind(now)
                .execute(&mut *conn)
                .await?;
        });
        audit(
            &mut tx,
            project_id,
            Some(&order.id),
            &caller.user_id,
            "order",
            None,
            None,
            None,
            now,
        )
        .await?;
        tx.commit().await?;
        let prepay = self
            .gateway
            .create_prepay(&order.id, order.amount_fen, &project.title)
            .await?;
        with_pool!(db, pool => {
            sqlx::query("UPDATE cf_orders SET prepay_id = $1 WHERE id = $2")
                .bind(&prepay.prepay_id)
                .bind(&order.id)
                .execute(pool)
                .await?;
        });
        let mut order = order;
        order.prepay_id = Some(prepay.prepay_id.clone());
        Ok((order, prepay))
    }

    /// A payment notification: verified first; each event handled once; only then is the order
    /// paid. A payment arriving after the project closed is refunded at once.
    pub async fn handle_notification(
        &self,
        db: &Db,
        body: &[u8],
        signature: &str,
        now: i64,
    ) -> Result<()> {
        let n = self.gateway.verify_notification(body, signature)?;
        let mut tx = db.begin().await?;
        let first = with_tx!(&mut tx, conn => {
            sqlx::query("INSERT INTO cf_payment_events (event_id, order_id, kind, received_at) VALUES ($1, $2, $3, $4)")
                .bind(&n.event_id)
                .bind(&n.order_id)
                .bind(match n.kind { NotificationKind::Paid => "paid", NotificationKind::Refunded => "refunded" })
                .bind(now)
                .execute(&mut *conn)
                .await
                .map(|r| r.rows_affected())
        });
        match first {
            Ok(_) => {}
            Err(e) if is_unique_violation(&e) => return Ok(()),
            Err(e) => return Err(e.into()),
        }
        let order = find_order(&mut tx, &n.order_id).await?;
        if n.kind == NotificationKind::Paid && order.state == "cancelled" {
            // Paid after its reservation lapsed: the money goes back.
            tx.commit().await?;
            self.gateway
                .refund(&order.id, &n.transaction_id, n.amount_fen)
                .await?;
            return Ok(());
        }
        if n.kind != NotificationKind::Paid || order.state != "pending" {
            tx.commit().await?;
            return Ok(());
        }
        if n.amount_fen != order.amount_fen {
            return Err(CrowdfundingError::Invalid(format!(
                "支付金额与订单不符 / the paid amount does not match order {}",
                order.id
            )));
        }
        let project = find_project(&mut tx, &order.project_id).await?;
        // A payment that arrives after the project closed does not count; it is refunded below.
        let counts = if project.state == State::Listed {
            order.amount_fen
        } else {
            0
        };
        with_tx!(&mut tx, conn => {
            sqlx::query("UPDATE cf_orders SET state = 'paid', transaction_id = $1, paid_at = $2 WHERE id = $3")
                .bind(&n.transaction_id).bind(now).bind(&order.id)
                .execute(&mut *conn).await?;
            sqlx::query("UPDATE cf_projects SET raised_fen = raised_fen + $1, updated_at = $2 WHERE id = $3")
                .bind(counts).bind(now).bind(&project.id)
                .execute(&mut *conn).await?;
        });
        audit(
            &mut tx,
            &project.id,
            Some(&order.id),
            "payment-gateway",
            "paid",
            None,
            None,
            None,
            now,
        )
        .await?;
        let paid = find_order(&mut tx, &order.id).await?;
        records::write(
            &mut tx,
            vec![("crowdfunding-order", records::order_record(&paid))],
            &project.organisation_id,
            &paid.backer_user_id,
            now,
        )
        .await?;
        tx.commit().await?;
        if project.state != State::Listed {
            self.refund(db, &paid, "项目已结束 / the project had closed", now)
                .await?;
        }
        Ok(())
    }

    async fn refund(&self, db: &Db, order: &Order, reason: &str, now: i64) -> Result<()> {
        self.gateway
            .refund(
                &order.id,
                order.transaction_id.as_deref().unwrap_or_default(),
                order.amount_fen,
            )
            .await?;
        let mut tx = db.begin().await?;
        let done = with_tx!(&mut tx, conn => {
            sqlx::query("UPDATE cf_orders SET state = 'refunded', refunded_at = $1 WHERE id = $2 AND state = 'paid'")
                .bind(now).bind(&order.id)
                .execute(&mut *conn).await?.rows_affected()
        });
        // The project's raised total stays as it was at closing, for the record.
        if done > 0 {
            audit(
                &mut tx,
                &order.project_id,
                Some(&order.id),
                "payment-gateway",
                "refunded",
                None,
                None,
                Some(reason),
                now,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// 进度: closes every listed project whose period is over; a failed one refunds every paid
    /// order. Unpaid orders are cancelled and their copies released. Returns how many closed.
    pub async fn close_due(&self, db: &Db, now: i64) -> Result<usize> {
        let due: Vec<String> = with_pool!(db, pool => sqlx::query_scalar("SELECT id FROM cf_projects WHERE state = 'listed' AND ends_at <= $1")
            .bind(now)
            .fetch_all(pool)
            .await?);
        let mut closed = 0;
        for id in due {
            let mut tx = db.begin().await?;
            let project = find_project(&mut tx, &id).await?;
            let f = facts(&mut tx, &project, now).await?;
            let Ok(next) = lifecycle::transition(project.state, Action::Close, Actor::System, &f)
            else {
                continue;
            };
            for pending in orders_of(&mut tx, &id, "pending").await? {
                with_tx!(&mut tx, conn => {
                    sqlx::query("UPDATE cf_orders SET state = 'cancelled' WHERE id = $1").bind(&pending.id).execute(&mut *conn).await?;
                    sqlx::query("UPDATE cf_rewards SET sold = sold - $1 WHERE id = $2").bind(pending.copies).bind(&pending.reward_id).execute(&mut *conn).await?;
                });
            }
            // The raised total at closing, for the record: paid orders only.
            with_tx!(&mut tx, conn => {
                sqlx::query("UPDATE cf_projects SET state = $1, closed_at = $2, updated_at = $2 WHERE id = $3")
                    .bind(next.as_str()).bind(now).bind(&id)
                    .execute(&mut *conn).await?;
            });
            audit(
                &mut tx,
                &id,
                None,
                "scheduler",
                "close",
                Some(project.state),
                Some(next),
                Some(&format!(
                    "raised {} of {}",
                    fen_to_yuan(project.raised_fen),
                    fen_to_yuan(project.target_fen)
                )),
                now,
            )
            .await?;
            let paid = orders_of(&mut tx, &id, "paid").await?;
            tx.commit().await?;
            if next == State::Failed {
                for order in paid {
                    self.refund(
                        db,
                        &order,
                        "众筹失败，原路退回 / the project failed; refunded along the payment",
                        now,
                    )
                    .await?;
                }
            }
            closed += 1;
        }
        Ok(closed)
    }

    /// 众筹回报: the initiator records the delivery of a paid order of a successful project.
    pub async fn deliver(
        &self,
        db: &Db,
        caller: &Caller,
        order_id: &str,
        input: &DeliveryInput,
        now: i64,
    ) -> Result<Order> {
        let mut tx = db.begin().await?;
        let order = find_order(&mut tx, order_id).await?;
        let project = find_project(&mut tx, &order.project_id).await?;
        if caller.actor_for(&project) != Actor::Initiator {
            return Err(CrowdfundingError::Forbidden(
                "只有发起方可以登记发货 / only the initiator records deliveries".into(),
            ));
        }
        if project.state != State::Succeeded || order.state != "paid" {
            return Err(CrowdfundingError::Transition(Refusal {
                current: project.state,
                allowed: Vec::new(),
                reason_zh: "只有成功项目的已支付订单可以发货".into(),
                reason_en: "only paid orders of a successful project are delivered".into(),
            }));
        }
        with_tx!(&mut tx, conn => {
            sqlx::query("UPDATE cf_orders SET delivery_date = $1, delivery_type = $2, delivery_no = $3 WHERE id = $4")
                .bind(input.delivery_date.trim()).bind(input.delivery_type.trim()).bind(input.delivery_no.trim()).bind(order_id)
                .execute(&mut *conn).await?;
        });
        let updated = find_order(&mut tx, order_id).await?;
        records::write(
            &mut tx,
            vec![("crowdfunding-order", records::order_record(&updated))],
            &project.organisation_id,
            &caller.user_id,
            now,
        )
        .await?;
        audit(
            &mut tx,
            &project.id,
            Some(order_id),
            &caller.user_id,
            "deliver",
            None,
            None,
            None,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(updated)
    }

    /// The backer rates a delivered order (1 很满意 … 5 差).
    pub async fn evaluate(
        &self,
        db: &Db,
        caller: &Caller,
        order_id: &str,
        evaluation: i64,
        remark: Option<&str>,
        now: i64,
    ) -> Result<Order> {
        if !(1..=5).contains(&evaluation) {
            return Err(CrowdfundingError::Invalid(
                "评价须为 1 到 5 / evaluation is 1 to 5".into(),
            ));
        }
        let mut tx = db.begin().await?;
        let order = find_order(&mut tx, order_id).await?;
        if order.backer_user_id != caller.user_id {
            return Err(CrowdfundingError::Forbidden(
                "只有支持者本人可以评价 / only the backer evaluates".into(),
            ));
        }
        if order.delivery_no.is_none() {
            return Err(CrowdfundingError::Invalid(
                "尚未发货，不能评价 / not delivered yet".into(),
            ));
        }
        let project = find_project(&mut tx, &order.project_id).await?;
        with_tx!(&mut tx, conn => {
            sqlx::query("UPDATE cf_orders SET evaluation = $1, remark = $2 WHERE id = $3")
                .bind(evaluation).bind(remark).bind(order_id)
                .execute(&mut *conn).await?;
        });
        let updated = find_order(&mut tx, order_id).await?;
        records::write(
            &mut tx,
            vec![("crowdfunding-order", records::order_record(&updated))],
            &project.organisation_id,
            &caller.user_id,
            now,
        )
        .await?;
        audit(
            &mut tx,
            &project.id,
            Some(order_id),
            &caller.user_id,
            "evaluate",
            None,
            None,
            remark,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(updated)
    }

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
            caller.actor_for(&project),
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
            .map(|c| c.actor_for(&project))
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
        if caller.actor_for(&project) == Actor::Other {
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
}

/// Closes due projects every 30 seconds until the process ends.
pub fn spawn_scheduler(
    service: Arc<Service>,
    db: Db,
    clock: Arc<dyn crate::clock::Clock>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(std::time::Duration::from_secs(30));
        loop {
            interval.tick().await;
            if let Err(e) = service.release_unpaid(&db, clock.now()).await {
                tracing::warn!(error = %e, "releasing unpaid crowdfunding orders failed; will retry");
            }
            match service.close_due(&db, clock.now()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(closed = n, "crowdfunding projects closed"),
                Err(e) => {
                    tracing::warn!(error = %e, "closing crowdfunding projects failed; will retry")
                }
            }
        }
    })
}
