//! Rows to entities and the queries every operation shares: find, documents on file, audit.

use super::error::{FinancingError, Result};
use super::lifecycle::{DocKind, Product};
use super::model::*;
use crate::db::{Reader, Tx};
use crate::{with_reader, with_tx};

/// An application number: the product's letters (转贷 ZD, 风险补偿 FX, 租赁 ZL) and 16 hex.
pub(super) fn new_apply_no(product: Product) -> String {
    let prefix = match product {
        Product::Bridge => "ZD",
        Product::Compensation => "FX",
        Product::Leasing => "ZL",
    };
    new_id(prefix)
}

pub(super) fn new_id(prefix: &str) -> String {
    format!(
        "{prefix}-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..16]
    )
    .to_uppercase()
}

pub(super) const COLUMNS: &str = "id, product, business, state, enterprise_org_id, applicant_user_id, bank_org_id, insurer_org_id, region_code, comp_name, priority, amount_fen, record, maturing_fen, renewal_fen, self_raised_fen, loan_due_date, loan_purpose, loan_term_months, loan_rate, disbursed_fen, disbursed_at, due_at, recovered_at, used_days, fee_fen, custody_ref, policy_no, premium_fen, loss_fen, compensation_fen, region_share_fen, county_share_fen, bank_share_fen, recovered_fen, pool_back_fen, group_key, subsidy_fen, subsidy_year, paid_at, feedback, submitted_at, created_at, updated_at";

/// One application; in a transaction its row stays locked until the transaction ends.
pub(super) async fn find_application<'r>(
    from: impl Into<Reader<'r>>,
    id: &str,
) -> Result<Application> {
    let reader = from.into();
    let sql = format!(
        "SELECT {COLUMNS} FROM fin_applications WHERE id = $1{}",
        reader.lock_clause()
    );
    let found = with_reader!(reader, exec => {
        sqlx::query_as::<_, Application>(&sql).bind(id).fetch_optional(exec).await?
    });
    found.ok_or_else(|| not_found(id))
}

pub(super) fn not_found(id: &str) -> FinancingError {
    FinancingError::NotFound(format!("融资申请 / application {id}"))
}

/// The kinds of document on file for an application.
pub(super) async fn kinds_on_file<'r>(
    from: impl Into<Reader<'r>>,
    id: &str,
) -> Result<Vec<DocKind>> {
    let kinds: Vec<String> = with_reader!(from.into(), exec => {
        sqlx::query_scalar("SELECT DISTINCT kind FROM fin_documents WHERE application_id = $1")
            .bind(id).fetch_all(exec).await?
    });
    Ok(kinds.iter().filter_map(|k| DocKind::parse(k)).collect())
}

/// Every document version of an application, newest version of each kind last.
pub(super) async fn documents<'r>(from: impl Into<Reader<'r>>, id: &str) -> Result<Vec<Document>> {
    Ok(with_reader!(from.into(), exec => {
        sqlx::query_as::<_, Document>("SELECT id, application_id, kind, version, name, content_type, size_bytes, sha256, at FROM fin_documents WHERE application_id = $1 ORDER BY kind, version")
            .bind(id).fetch_all(exec).await?
    }))
}

pub(super) async fn devices<'r>(from: impl Into<Reader<'r>>, id: &str) -> Result<Vec<Device>> {
    Ok(with_reader!(from.into(), exec => {
        sqlx::query_as::<_, Device>("SELECT position, name, price_fen, finance_rate, lease_months, subsidy_fen FROM fin_devices WHERE application_id = $1 ORDER BY position")
            .bind(id).fetch_all(exec).await?
    }))
}

/// An organisation's name and kind.
pub(super) async fn organisation<'r>(
    from: impl Into<Reader<'r>>,
    id: &str,
) -> Result<Option<(String, String)>> {
    Ok(with_reader!(from.into(), exec => {
        sqlx::query_as::<_, (String, String)>("SELECT name, kind FROM organisations WHERE id = $1")
            .bind(id).fetch_optional(exec).await?
    }))
}

/// One audit entry of a step.
pub(super) struct Audit<'a> {
    pub application_id: &'a str,
    pub actor: &'a str,
    pub action: &'a str,
    pub from: Option<&'a str>,
    pub to: Option<&'a str>,
    pub note: Option<&'a str>,
}

pub(super) async fn audit(tx: &mut Tx, entry: Audit<'_>, now: i64) -> Result<()> {
    metrics::counter!(crate::metrics::PLATFORM_TRANSITIONS, "platform" => "financing", "action" => entry.action.to_owned())
        .increment(1);
    with_tx!(tx, conn => {
        sqlx::query("INSERT INTO fin_audit (application_id, actor, action, from_state, to_state, note, at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(entry.application_id)
            .bind(entry.actor)
            .bind(entry.action)
            .bind(entry.from)
            .bind(entry.to)
            .bind(entry.note)
            .bind(now)
            .execute(&mut *conn)
            .await?;
    });
    Ok(())
}

pub(super) async fn audit_trail<'r>(
    from: impl Into<Reader<'r>>,
    id: &str,
) -> Result<Vec<AuditEntry>> {
    Ok(with_reader!(from.into(), exec => {
        sqlx::query_as::<_, AuditEntry>("SELECT actor, action, from_state, to_state, note, at FROM fin_audit WHERE application_id = $1 ORDER BY seq LIMIT 500")
            .bind(id).fetch_all(exec).await?
    }))
}
