//! Reads shared by the resources' operations.

use super::error::Result;
use super::model::*;
use crate::db::{Db, Reader};
use crate::{with_pool, with_reader};

pub(super) fn new_id(prefix: &str) -> String {
    format!(
        "{prefix}-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..16]
    )
    .to_uppercase()
}

pub(super) async fn item_row(reader: impl Into<Reader<'_>>, id: &str) -> Result<Option<ItemRow>> {
    let reader = reader.into();
    let sql = format!(
        "SELECT {ITEM_COLUMNS} FROM res_items WHERE id = $1 {}",
        reader.lock_clause()
    );
    Ok(with_reader!(reader, exec => {
        sqlx::query_as::<_, ItemRow>(&sql).bind(id).fetch_optional(exec).await?
    }))
}

pub(super) async fn resource_row(
    reader: impl Into<Reader<'_>>,
    id: &str,
) -> Result<Option<ResourceRow>> {
    let reader = reader.into();
    let sql = format!(
        "SELECT {RESOURCE_COLUMNS} FROM res_resources WHERE id = $1 {}",
        reader.lock_clause()
    );
    Ok(with_reader!(reader, exec => {
        sqlx::query_as::<_, ResourceRow>(&sql).bind(id).fetch_optional(exec).await?
    }))
}

pub(super) async fn booking_row(
    reader: impl Into<Reader<'_>>,
    id: &str,
) -> Result<Option<BookingRow>> {
    let reader = reader.into();
    let sql = format!(
        "SELECT {BOOKING_COLUMNS} FROM res_bookings WHERE id = $1 {}",
        reader.lock_clause()
    );
    Ok(with_reader!(reader, exec => {
        sqlx::query_as::<_, BookingRow>(&sql).bind(id).fetch_optional(exec).await?
    }))
}

pub(super) async fn request_row(
    reader: impl Into<Reader<'_>>,
    id: &str,
) -> Result<Option<Request>> {
    let reader = reader.into();
    let sql = format!(
        "SELECT {REQUEST_COLUMNS} FROM res_requests WHERE id = $1 {}",
        reader.lock_clause()
    );
    Ok(with_reader!(reader, exec => {
        sqlx::query_as::<_, Request>(&sql).bind(id).fetch_optional(exec).await?
    }))
}

/// An organisation's name ("" when unknown).
pub(super) async fn organisation_name(reader: impl Into<Reader<'_>>, id: &str) -> Result<String> {
    let reader = reader.into();
    let name: Option<String> = with_reader!(reader, exec => {
        sqlx::query_scalar("SELECT name FROM organisations WHERE id = $1")
            .bind(id)
            .fetch_optional(exec)
            .await?
    });
    Ok(name.unwrap_or_default())
}

/// A resource's name ("" when unknown).
pub(super) async fn resource_name(db: &Db, id: &str) -> Result<String> {
    let name: Option<String> = with_pool!(db, pool => {
        sqlx::query_scalar("SELECT name FROM res_resources WHERE id = $1")
            .bind(id)
            .fetch_optional(pool)
            .await?
    });
    Ok(name.unwrap_or_default())
}

/// The slots of `resource` claimed from `from` to `to`, in order.
pub(super) async fn claimed(db: &Db, resource: &str, from: i64, to: i64) -> Result<Vec<i64>> {
    Ok(with_pool!(db, pool => {
        sqlx::query_scalar("SELECT slot_start FROM res_slot_claims WHERE resource_id = $1 AND slot_start >= $2 AND slot_start < $3 ORDER BY slot_start")
            .bind(resource)
            .bind(from)
            .bind(to)
            .fetch_all(pool)
            .await?
    }))
}
