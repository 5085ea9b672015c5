//! Rows to entities and the queries every operation shares: find, list, count, audit, facts.

use sqlx::Row;

use super::error::{CrowdfundingError, Result};
use super::lifecycle::{Facts, State};
use super::model::*;
use crate::db::{Reader, Tx};
use crate::{with_reader, with_tx};

pub(super) fn new_id(prefix: &str) -> String {
    format!(
        "{prefix}-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..16]
    )
    .to_uppercase()
}

pub(super) const PROJECT_COLUMNS: &str = "id, organisation_id, owner_user_id, state, category, title, summary, intro, tags, cover_url, comp_id, link_name, link_mobile, target_fen, duration_days, feedback, deletion_reason, raised_fen, listed_at, ends_at, closed_at, created_at, updated_at";
pub(super) const REWARD_COLUMNS: &str = "id, project_id, position, amount_fen, brief, content, reward_limit, sold, express_fee_fen, reback_days";
pub(super) const ORDER_COLUMNS: &str = "id, project_id, reward_id, backer_user_id, state, copies, amount_fen, buyer_name, buyer_link_name, buyer_link_mobile, delivery_user_name, delivery_user_phone, delivery_address, prepay_id, transaction_id, paid_at, refunded_at, delivery_date, delivery_type, delivery_no, evaluation, remark, created_at";

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

pub(super) async fn rewards_of<'r>(
    from: impl Into<Reader<'r>>,
    project_id: &str,
) -> Result<Vec<Reward>> {
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

pub(super) async fn orders_of(tx: &mut Tx, project_id: &str, state: &str) -> Result<Vec<Order>> {
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

pub(super) async fn count(tx: &mut Tx, sql: &str, id: &str) -> Result<i64> {
    Ok(
        with_tx!(tx, conn => sqlx::query_scalar::<_, i64>(sql).bind(id).fetch_one(&mut *conn).await?),
    )
}

// The arguments are the audit row's columns, in order; a struct would only rename them.
#[allow(clippy::too_many_arguments)]
pub(super) async fn audit(
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

pub(super) async fn facts(tx: &mut Tx, project: &Project, now: i64) -> Result<Facts> {
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
