//! The platform inbox (平台消息): what the platforms tell people. A message goes to one user, to
//! every member of an organisation, or to everyone holding a role; each reader has their own
//! read and acknowledged times. Messages that must be acknowledged (a risk notice) stay marked
//! until their reader says so. Platforms post in the same transaction as the change the message
//! tells of, so a message is never sent for a change that did not happen.

pub mod api;
pub mod pages;

use serde::Serialize;
use sqlx::Row;

use crate::accounts::Role;
use crate::accounts::caller::Caller;
use crate::clock::UnixTime;
use crate::db::{Db, DbError, Tx, dialect};
use crate::{with_pool, with_tx};

/// The most messages one answer lists.
pub const MAX_PAGE: i64 = 100;

/// Who a message is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recipient {
    User(String),
    Organisation(String),
    Role(Role),
}

impl Recipient {
    fn parts(&self) -> (&'static str, String) {
        match self {
            Recipient::User(id) => ("user", id.clone()),
            Recipient::Organisation(id) => ("organisation", id.clone()),
            Recipient::Role(role) => ("role", role.code().to_owned()),
        }
    }
}

/// A message to post.
#[derive(Debug, Clone)]
pub struct NewMessage {
    pub recipient: Recipient,
    /// The part of the platform that speaks (`crowdfunding`).
    pub source: &'static str,
    /// What happened, for programs (`project.approved`).
    pub topic: &'static str,
    pub subject_zh: String,
    pub subject_en: String,
    pub body_zh: String,
    pub body_en: String,
    /// A path on this site where the reader can act on it.
    pub link: Option<String>,
    /// The reader must acknowledge it (a risk notice), not only read it.
    pub needs_ack: bool,
}

/// A message as its reader sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Message {
    pub id: String,
    /// `user`, `organisation` or `role`: how it reached the reader.
    pub addressed_to: String,
    pub source: String,
    pub topic: String,
    pub subject_zh: String,
    pub subject_en: String,
    pub body_zh: String,
    pub body_en: String,
    pub link: Option<String>,
    pub needs_ack: bool,
    pub created_at: i64,
    pub read_at: Option<i64>,
    pub acknowledged_at: Option<i64>,
}

#[derive(Debug, thiserror::Error)]
pub enum InboxError {
    #[error("未找到消息 {0} / no message {0}")]
    NotFound(String),
    #[error("此消息无需确认 / this message takes no acknowledgement")]
    NoAcknowledgement,
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<sqlx::Error> for InboxError {
    fn from(e: sqlx::Error) -> Self {
        InboxError::Db(DbError::Query(e))
    }
}

/// Posts a message in the caller's transaction; returns its id.
pub async fn post(tx: &mut Tx, message: &NewMessage, now: UnixTime) -> Result<String, DbError> {
    let id = format!("MSG-{}", uuid::Uuid::new_v4().simple());
    let (kind, recipient) = message.recipient.parts();
    with_tx!(tx, conn => {
        sqlx::query(
            "INSERT INTO inbox_messages (id, recipient_kind, recipient, source, topic, subject_zh, subject_en, body_zh, body_en, link, needs_ack, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)")
            .bind(&id)
            .bind(kind)
            .bind(&recipient)
            .bind(message.source)
            .bind(message.topic)
            .bind(&message.subject_zh)
            .bind(&message.subject_en)
            .bind(&message.body_zh)
            .bind(&message.body_en)
            .bind(&message.link)
            .bind(i64::from(message.needs_ack))
            .bind(now)
            .execute(&mut *conn)
            .await?;
    });
    Ok(id)
}

/// The condition "addressed to the reader" on `m`, with the reader's id as `$1`, organisation as
/// `$2` and roles (a JSON list) as `$3`.
fn addressed(db: &Db) -> String {
    format!(
        "((m.recipient_kind = 'user' AND m.recipient = $1) \
          OR (m.recipient_kind = 'organisation' AND m.recipient = $2) \
          OR (m.recipient_kind = 'role' AND {}))",
        dialect::in_json_list(db.backend(), "m.recipient", "$3")
    )
}

fn roles_json(reader: &Caller) -> String {
    let codes: Vec<&str> = reader.roles.iter().map(|r| r.code()).collect();
    serde_json::to_string(&codes).unwrap_or_else(|_| "[]".into())
}

/// Which messages a listing shows.
#[derive(Debug, Clone, Default)]
pub struct Listing {
    /// Only those not read yet (or, needing acknowledgement, not acknowledged yet).
    pub unread_only: bool,
    /// At most this many (capped at [`MAX_PAGE`]).
    pub limit: i64,
    /// Only those posted before this message (its id), for the next page.
    pub before: Option<String>,
}

/// The reader's messages, newest first.
pub async fn list(db: &Db, reader: &Caller, listing: Listing) -> Result<Vec<Message>, InboxError> {
    let unread = if listing.unread_only {
        " AND (r.read_at IS NULL OR (m.needs_ack = 1 AND r.acknowledged_at IS NULL))"
    } else {
        ""
    };
    let before = match &listing.before {
        // An unknown cursor lists nothing rather than starting over.
        Some(_) => "m.seq < COALESCE((SELECT seq FROM inbox_messages WHERE id = $4), 0)",
        None => "$4 = ''",
    };
    let filter = format!("{before}{unread} ORDER BY m.seq DESC LIMIT $5");
    select(
        db,
        reader,
        &filter,
        Bind::Page(
            listing.before.as_deref().unwrap_or(""),
            listing.limit.clamp(1, MAX_PAGE),
        ),
    )
    .await
}

/// One of the reader's messages.
pub async fn find(db: &Db, reader: &Caller, id: &str) -> Result<Message, InboxError> {
    select(db, reader, "m.id = $4", Bind::Id(id))
        .await?
        .pop()
        .ok_or_else(|| InboxError::NotFound(id.to_owned()))
}

enum Bind<'a> {
    Page(&'a str, i64),
    Id(&'a str),
}

async fn select(
    db: &Db,
    reader: &Caller,
    filter: &str,
    bind: Bind<'_>,
) -> Result<Vec<Message>, InboxError> {
    let sql = format!(
        "SELECT m.id, m.recipient_kind, m.source, m.topic, m.subject_zh, m.subject_en, m.body_zh, m.body_en, m.link, m.needs_ack, m.created_at, r.read_at, r.acknowledged_at \
         FROM inbox_messages m LEFT JOIN inbox_receipts r ON r.message_id = m.id AND r.user_id = $1 \
         WHERE {} AND {filter}",
        addressed(db)
    );
    let mut out = Vec::new();
    with_pool!(db, pool => {
        let query = sqlx::query(&sql)
            .bind(&reader.user_id)
            .bind(reader.organisation_id.as_deref().unwrap_or(""))
            .bind(roles_json(reader));
        let query = match bind {
            Bind::Page(before, limit) => query.bind(before).bind(limit),
            Bind::Id(id) => query.bind(id),
        };
        for row in query.fetch_all(pool).await? {
            let needs_ack: i64 = row.try_get(9)?;
            out.push(Message {
                id: row.try_get(0)?,
                addressed_to: row.try_get(1)?,
                source: row.try_get(2)?,
                topic: row.try_get(3)?,
                subject_zh: row.try_get(4)?,
                subject_en: row.try_get(5)?,
                body_zh: row.try_get(6)?,
                body_en: row.try_get(7)?,
                link: row.try_get(8)?,
                needs_ack: needs_ack != 0,
                created_at: row.try_get(10)?,
                read_at: row.try_get(11)?,
                acknowledged_at: row.try_get(12)?,
            });
        }
    });
    Ok(out)
}

/// How many of the reader's messages are unread or wait for acknowledgement.
pub async fn unread_count(db: &Db, reader: &Caller) -> Result<i64, InboxError> {
    let sql = format!(
        "SELECT COUNT(*) FROM inbox_messages m LEFT JOIN inbox_receipts r ON r.message_id = m.id AND r.user_id = $1 \
         WHERE {} AND (r.read_at IS NULL OR (m.needs_ack = 1 AND r.acknowledged_at IS NULL))",
        addressed(db)
    );
    Ok(with_pool!(db, pool => sqlx::query_scalar::<_, i64>(&sql)
        .bind(&reader.user_id)
        .bind(reader.organisation_id.as_deref().unwrap_or(""))
        .bind(roles_json(reader))
        .fetch_one(pool)
        .await)?)
}

/// Marks a message read (and, with `acknowledge`, acknowledged) by the reader. Doing it again
/// keeps the first times. A message not addressed to the reader is not found.
pub async fn mark(
    db: &Db,
    reader: &Caller,
    id: &str,
    acknowledge: bool,
    now: UnixTime,
) -> Result<Message, InboxError> {
    let message = find(db, reader, id).await?;
    if acknowledge && !message.needs_ack {
        return Err(InboxError::NoAcknowledgement);
    }
    let acknowledged_at = acknowledge.then_some(now);
    with_pool!(db, pool => sqlx::query(
        "INSERT INTO inbox_receipts (message_id, user_id, read_at, acknowledged_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (message_id, user_id) DO UPDATE SET \
         read_at = COALESCE(inbox_receipts.read_at, excluded.read_at), \
         acknowledged_at = COALESCE(inbox_receipts.acknowledged_at, excluded.acknowledged_at)")
        .bind(id)
        .bind(&reader.user_id)
        .bind(now)
        .bind(acknowledged_at)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    find(db, reader, id).await
}
