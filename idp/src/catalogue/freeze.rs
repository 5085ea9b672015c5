//! Freezing an organisation's reporting (seed 二.3 风险监控: "可随时冻结企业上报数据的接口功能").
//! A frozen organisation's reporting calls are refused with the reason; its data stays readable.

use crate::db::{Db, DbError};
use crate::with_tx;

#[derive(Debug, thiserror::Error)]
pub enum FreezeError {
    #[error("没有这个机构：{0}。No such organisation: {0}.")]
    NoSuchOrganisation(String),
    #[error("请写明原因。A reason is required.")]
    ReasonRequired,
    #[error(transparent)]
    Db(#[from] DbError),
}

/// The reason an organisation's reporting is frozen, if it is.
pub async fn frozen_reason(db: &Db, organisation_id: &str) -> Result<Option<String>, DbError> {
    let reason: Option<Option<String>> = crate::with_pool!(db, pool => {
        sqlx::query_scalar("SELECT frozen_reason FROM organisations WHERE id = $1")
            .bind(organisation_id)
            .fetch_optional(pool)
            .await?
    });
    Ok(reason.flatten())
}

/// Freezes (`Some(reason)`) or unfreezes (`None` as the new state, `reason` for the record)
/// an organisation, recording who did it.
pub async fn set_frozen(
    db: &Db,
    organisation_id: &str,
    freeze: bool,
    reason: &str,
    actor: &crate::audit::Actor,
    now: i64,
) -> Result<(), FreezeError> {
    let reason = reason.trim();
    if freeze && reason.is_empty() {
        return Err(FreezeError::ReasonRequired);
    }
    let mut tx = db.begin().await?;
    let updated = with_tx!(&mut tx, conn => {
        sqlx::query("UPDATE organisations SET frozen_reason = $1, frozen_at = $2 WHERE id = $3")
            .bind(freeze.then_some(reason))
            .bind(freeze.then_some(now))
            .bind(organisation_id)
            .execute(&mut *conn)
            .await
            .map_err(DbError::from)?
            .rows_affected()
    });
    if updated == 0 {
        return Err(FreezeError::NoSuchOrganisation(organisation_id.to_owned()));
    }
    with_tx!(&mut tx, conn => {
        sqlx::query("INSERT INTO organisation_freezes (organisation_id, action, reason, actor, at) VALUES ($1, $2, $3, $4, $5)")
            .bind(organisation_id)
            .bind(if freeze { "freeze" } else { "unfreeze" })
            .bind(reason)
            .bind(actor.user_id.as_deref().unwrap_or(&actor.name))
            .bind(now)
            .execute(&mut *conn)
            .await
            .map_err(DbError::from)?;
    });
    tx.commit().await?;
    let action = if freeze {
        "organisation.freeze"
    } else {
        "organisation.unfreeze"
    };
    let change = crate::audit::Change::new(action, "organisation", organisation_id)
        .after(&serde_json::json!({"frozen": freeze, "reason": reason}));
    crate::audit::record(db, actor, change, now).await;
    Ok(())
}
