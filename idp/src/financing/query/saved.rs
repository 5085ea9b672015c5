//! Saved queries: a query model under a name, the owner's own or shared with every staff
//! member, rerun with new parameter values.

use serde::{Deserialize, Serialize};
use sqlx::Row;
use utoipa::ToSchema;

use super::QueryError;
use super::model::QueryModel;
use crate::db::{Db, DbError};
use crate::with_pool;

/// Saved queries one person keeps at most.
pub const MAX_SAVED: i64 = 500;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SavedQuery {
    pub id: String,
    pub name: String,
    pub owner_user_id: String,
    pub shared: bool,
    pub model: QueryModel,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A query to save.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSavedQuery {
    pub name: String,
    #[serde(default)]
    pub shared: bool,
    pub model: QueryModel,
}

macro_rules! saved_from_row {
    ($row:expr) => {{
        let row = $row;
        let model: String = row.try_get(4).map_err(DbError::from)?;
        let shared: i64 = row.try_get(3).map_err(DbError::from)?;
        SavedQuery {
            id: row.try_get(0).map_err(DbError::from)?,
            name: row.try_get(1).map_err(DbError::from)?,
            owner_user_id: row.try_get(2).map_err(DbError::from)?,
            shared: shared != 0,
            model: serde_json::from_str(&model).map_err(|e| QueryError::Invalid {
                zh: format!("保存的查询无法读取：{e}"),
                en: format!("the saved query cannot be read: {e}"),
            })?,
            created_at: row.try_get(5).map_err(DbError::from)?,
            updated_at: row.try_get(6).map_err(DbError::from)?,
        }
    }};
}

const COLUMNS: &str = "id, name, owner_user_id, shared, model, created_at, updated_at";

/// The caller's own queries and those shared, by name.
pub async fn list(db: &Db, user_id: &str) -> Result<Vec<SavedQuery>, QueryError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM dq_saved_queries WHERE owner_user_id = $1 OR shared = 1 ORDER BY name, id LIMIT {MAX_SAVED}"
    );
    let mut out = Vec::new();
    with_pool!(db, pool => {
        for row in sqlx::query(&sql).bind(user_id).fetch_all(pool).await.map_err(DbError::from)? {
            out.push(saved_from_row!(&row));
        }
    });
    Ok(out)
}

/// A saved query the caller may see (their own or shared); others are not found.
pub async fn find(db: &Db, user_id: &str, id: &str) -> Result<SavedQuery, QueryError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM dq_saved_queries WHERE id = $1 AND (owner_user_id = $2 OR shared = 1)"
    );
    let found = with_pool!(db, pool => {
        match sqlx::query(&sql).bind(id).bind(user_id).fetch_optional(pool).await.map_err(DbError::from)? {
            Some(row) => Some(saved_from_row!(&row)),
            None => None,
        }
    });
    found.ok_or_else(|| QueryError::NotFound(crate::catalogue::validate::echo(id)))
}

fn check_name(name: &str) -> Result<(), QueryError> {
    if name.trim().is_empty() || name.chars().count() > 100 {
        return Err(QueryError::Invalid {
            zh: "查询名称为 1 到 100 个字符".into(),
            en: "a query's name is 1 to 100 characters".into(),
        });
    }
    Ok(())
}

/// Saves a query (its model already compiled once by the caller, so it is known to run).
pub async fn create(
    db: &Db,
    user_id: &str,
    new: &NewSavedQuery,
    now: i64,
) -> Result<SavedQuery, QueryError> {
    check_name(&new.name)?;
    let count: i64 = with_pool!(db, pool => {
        sqlx::query_scalar("SELECT COUNT(*) FROM dq_saved_queries WHERE owner_user_id = $1")
            .bind(user_id)
            .fetch_one(pool)
            .await
            .map_err(DbError::from)?
    });
    if count >= MAX_SAVED {
        return Err(QueryError::Invalid {
            zh: format!("每人最多保存 {MAX_SAVED} 个查询"),
            en: format!("one person keeps at most {MAX_SAVED} saved queries"),
        });
    }
    let id = format!("Q-{}", uuid::Uuid::new_v4().simple());
    let model = serde_json::to_string(&new.model).unwrap_or_default();
    let inserted = with_pool!(db, pool => {
        sqlx::query("INSERT INTO dq_saved_queries (id, name, owner_user_id, shared, model, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT (owner_user_id, name) DO NOTHING")
            .bind(&id)
            .bind(new.name.trim())
            .bind(user_id)
            .bind(i64::from(new.shared))
            .bind(&model)
            .bind(now)
            .execute(pool)
            .await
            .map_err(DbError::from)?
            .rows_affected()
    });
    if inserted == 0 {
        return Err(QueryError::Exists(new.name.trim().to_owned()));
    }
    find(db, user_id, &id).await
}

/// Deletes one of the caller's own saved queries.
pub async fn delete(db: &Db, user_id: &str, id: &str) -> Result<(), QueryError> {
    let deleted = with_pool!(db, pool => {
        sqlx::query("DELETE FROM dq_saved_queries WHERE id = $1 AND owner_user_id = $2")
            .bind(id)
            .bind(user_id)
            .execute(pool)
            .await
            .map_err(DbError::from)?
            .rows_affected()
    });
    if deleted == 0 {
        return Err(QueryError::NotFound(crate::catalogue::validate::echo(id)));
    }
    Ok(())
}
