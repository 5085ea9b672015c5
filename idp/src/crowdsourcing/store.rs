//! Rows to entities and the queries every operation shares: find, list, audit.

use super::error::{CrowdsourcingError, Result};
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

pub(super) const DEMAND_COLUMNS: &str = "id, organisation_id, owner_user_id, state, mode, title, description, fee_fen, cycle_days, expiry_date, expires_at, service_class, industry_code, regions, industries, direct_product_id, direct_provider_id, comp_code, comp_name, comp_regist_type, comp_address, charger_name, charger_mobile, feedback, pending_change, deletion_reason, order_id, selected_at, server_org_id, server_link_name, key_project, listed_at, created_at, updated_at";
pub(super) const ORDER_COLUMNS: &str = "id, demand_id, response_id, enterprise_org_id, provider_org_id, service_item_id, state, amount_fen, delivery_days, delivery_method, rework_rounds, result, applied_at, started_at, delivered_at, auto_accept_at, ended_at, allowance_fen, created_at, updated_at";
pub(super) const RESPONSE_COLUMNS: &str = "id, demand_id, provider_org_id, provider_user_id, state, approach, price_fen, duration_days, attachments, created_at";
pub(super) const ESCROW_COLUMNS: &str = "id, demand_id, order_id, amount_fen, state, paid_fen, released_fen, fee_fen, refunded_fen, paid_fen - released_fen - refunded_fen AS held_fen, prepay_id, paid_at, closed_at";

/// Finds one row of `T` by id; in a transaction its row stays locked until the transaction ends.
macro_rules! find_one {
    ($name:ident, $ty:ty, $table:literal, $columns:expr, $what:literal) => {
        pub async fn $name<'r>(from: impl Into<Reader<'r>>, id: &str) -> Result<$ty> {
            let reader = from.into();
            let sql = format!(
                "SELECT {} FROM {} WHERE id = $1{}",
                $columns,
                $table,
                reader.lock_clause()
            );
            let found = with_reader!(reader, exec => {
                sqlx::query_as::<_, $ty>(&sql).bind(id).fetch_optional(exec).await?
            });
            found.ok_or_else(|| CrowdsourcingError::NotFound(format!("{} {id}", $what)))
        }
    };
}

find_one!(
    find_demand,
    Demand,
    "cs_demands",
    DEMAND_COLUMNS,
    "需求 / demand"
);
find_one!(
    find_order,
    Order,
    "cs_orders",
    ORDER_COLUMNS,
    "服务订单 / order"
);
find_one!(
    find_response,
    Response,
    "cs_responses",
    RESPONSE_COLUMNS,
    "响应 / response"
);
find_one!(
    find_escrow,
    Escrow,
    "cs_escrows",
    ESCROW_COLUMNS,
    "托管 / escrow"
);

/// A query with one text parameter answering one number.
pub(super) async fn count<'r>(from: impl Into<Reader<'r>>, sql: &str, id: &str) -> Result<i64> {
    Ok(with_reader!(from.into(), exec => {
        sqlx::query_scalar::<_, i64>(sql).bind(id).fetch_one(exec).await?
    }))
}

/// The escrow of a demand (reward mode, before the winner) or of its order.
pub(super) async fn escrow_of<'r>(
    from: impl Into<Reader<'r>>,
    demand_id: &str,
) -> Result<Option<Escrow>> {
    let sql = format!(
        "SELECT {ESCROW_COLUMNS} FROM cs_escrows WHERE demand_id = $1 ORDER BY created_at DESC LIMIT 1"
    );
    Ok(with_reader!(from.into(), exec => {
        sqlx::query_as::<_, Escrow>(&sql).bind(demand_id).fetch_optional(exec).await?
    }))
}

/// One audit entry; `order_id` when it concerns the order.
pub(super) struct Audit<'a> {
    pub demand_id: &'a str,
    pub order_id: Option<&'a str>,
    pub actor: &'a str,
    pub action: &'a str,
    pub from: Option<&'a str>,
    pub to: Option<&'a str>,
    pub reason: Option<&'a str>,
}

pub(super) async fn audit(tx: &mut Tx, entry: Audit<'_>, now: i64) -> Result<()> {
    // Every workflow step is audited, so the step counter is kept here (its actions are the
    // lifecycle's fixed names, a bounded label).
    metrics::counter!(crate::metrics::PLATFORM_TRANSITIONS, "platform" => "crowdsourcing", "action" => entry.action.to_owned())
        .increment(1);
    with_tx!(tx, conn => {
        sqlx::query("INSERT INTO cs_audit (id, demand_id, order_id, actor, action, from_state, to_state, reason, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
            .bind(uuid::Uuid::new_v4().simple().to_string())
            .bind(entry.demand_id)
            .bind(entry.order_id)
            .bind(entry.actor)
            .bind(entry.action)
            .bind(entry.from)
            .bind(entry.to)
            .bind(entry.reason)
            .bind(now)
            .execute(&mut *conn)
            .await?;
    });
    Ok(())
}

/// An organisation's name.
pub(super) async fn organisation_name<'r>(from: impl Into<Reader<'r>>, id: &str) -> Result<String> {
    let name = with_reader!(from.into(), exec => {
        sqlx::query_scalar::<_, String>("SELECT name FROM organisations WHERE id = $1")
            .bind(id)
            .fetch_optional(exec)
            .await?
    });
    name.ok_or_else(|| CrowdsourcingError::NotFound(format!("机构 / organisation {id}")))
}

pub(super) const PROVIDER_COLUMNS: &str =
    "organisation_id, org_name, area_county, industry_code, profile, updated_at";
pub(super) const PRODUCT_COLUMNS: &str =
    "id, organisation_id, service_name, service_class, record, created_at";

/// A service organisation's profile, if it has one.
pub(super) async fn find_provider<'r>(
    from: impl Into<Reader<'r>>,
    organisation_id: &str,
) -> Result<Option<Provider>> {
    let sql = format!("SELECT {PROVIDER_COLUMNS} FROM cs_providers WHERE organisation_id = $1");
    Ok(with_reader!(from.into(), exec => {
        sqlx::query_as::<_, Provider>(&sql).bind(organisation_id).fetch_optional(exec).await?
    }))
}
