//! `Idempotency-Key` on reporting calls: the first answer to a key is kept (in the same
//! transaction as the records it describes), and a retry with the same key and the same request
//! gets that answer again instead of reporting twice.

use aws_lc_rs::digest::{SHA256, digest};
use sqlx::Row;

use crate::db::{Db, DbError, Tx};
use crate::{with_pool, with_tx};

/// A stored answer.
pub struct Stored {
    pub request_hash: String,
    pub status: u16,
    pub body: String,
}

/// Keys are at most this long and printable ASCII.
pub fn valid_key(key: &str) -> bool {
    !key.is_empty() && key.len() <= 255 && key.bytes().all(|b| (0x21..0x7f).contains(&b))
}

/// A fingerprint of the request a key was first used for.
pub fn request_hash(parts: &[&[u8]]) -> String {
    let mut all = Vec::new();
    for p in parts {
        all.extend_from_slice(&(p.len() as u64).to_be_bytes());
        all.extend_from_slice(p);
    }
    digest(&SHA256, &all)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn from_row<R: Row>(row: R) -> Result<Stored, sqlx::Error>
where
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    usize: sqlx::ColumnIndex<R>,
{
    Ok(Stored {
        request_hash: row.try_get(0)?,
        status: u16::try_from(row.try_get::<i64, _>(1)?).unwrap_or(200),
        body: row.try_get(2)?,
    })
}

const SELECT: &str = "SELECT request_hash, status, body FROM catalogue_idempotency WHERE client_id = $1 AND idem_key = $2";

pub async fn find_in(tx: &mut Tx, client_id: &str, key: &str) -> Result<Option<Stored>, DbError> {
    let row = with_tx!(tx, conn => {
        match sqlx::query(SELECT).bind(client_id).bind(key).fetch_optional(&mut *conn).await? {
            Some(row) => Some(from_row(row)?),
            None => None,
        }
    });
    Ok(row)
}

pub async fn find(db: &Db, client_id: &str, key: &str) -> Result<Option<Stored>, DbError> {
    let row = with_pool!(db, pool => {
        match sqlx::query(SELECT).bind(client_id).bind(key).fetch_optional(pool).await? {
            Some(row) => Some(from_row(row)?),
            None => None,
        }
    });
    Ok(row)
}

pub async fn save(
    tx: &mut Tx,
    client_id: &str,
    key: &str,
    stored: &Stored,
    now: i64,
) -> Result<(), sqlx::Error> {
    with_tx!(tx, conn => {
        sqlx::query("INSERT INTO catalogue_idempotency (client_id, idem_key, request_hash, status, body, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(client_id)
            .bind(key)
            .bind(stored.request_hash.as_str())
            .bind(i64::from(stored.status))
            .bind(stored.body.as_str())
            .bind(now)
            .execute(&mut *conn)
            .await?;
    });
    Ok(())
}

/// Answers are kept a day; a retry comes within minutes.
pub const KEEP_SECONDS: i64 = 24 * 3600;
