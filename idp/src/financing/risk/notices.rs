//! 上传下达: staff send a notice (a warning, or a document such as a 红头文件 PDF) to
//! organisations and roles; each recipient gets it in the platform inbox and acknowledges it
//! there; staff see who has and has not, and remind those who have not.

use base64::Engine;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::RiskError;
use crate::accounts::Role;
use crate::accounts::caller::Caller;
use crate::db::{Db, DbError};
use crate::inbox::{self, NewMessage, Recipient};
use crate::{with_pool, with_tx};

/// Recipients one notice reaches at most.
pub const MAX_RECIPIENTS: i64 = 5_000;

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentInput {
    /// The file's name (`关于加强风险防控的通知.pdf`).
    pub name: String,
    /// The PDF, base64.
    pub content_base64: String,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewNotice {
    pub title: String,
    pub body: String,
    /// The warning it is about, if any.
    #[serde(default)]
    pub warning_id: Option<String>,
    /// Organisations whose members receive it.
    #[serde(default)]
    pub organisations: Vec<String>,
    /// Roles whose holders receive it (`bank_officer`, `carrier_operator`, …).
    #[serde(default)]
    #[schema(value_type = Vec<String>)]
    pub roles: Vec<Role>,
    #[serde(default)]
    pub document: Option<DocumentInput>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NoticeRecipient {
    pub user_id: String,
    pub display_name: String,
    pub organisation_name: Option<String>,
    pub read_at: Option<i64>,
    pub acknowledged_at: Option<i64>,
    pub reminders: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Notice {
    pub id: String,
    pub title: String,
    pub body: String,
    pub warning_id: Option<String>,
    pub document_name: Option<String>,
    pub document_sha256: Option<String>,
    pub sent_by: String,
    pub sent_at: i64,
    pub recipients: usize,
    pub acknowledged: usize,
    /// Each recipient and where they are (only in a notice's own answer).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub status: Vec<NoticeRecipient>,
}

fn invalid(text: &str) -> RiskError {
    RiskError::Invalid(text.into())
}

/// Sends a notice: one inbox message per recipient, all in one transaction.
pub async fn send(
    db: &Db,
    caller: &Caller,
    input: &NewNotice,
    max_document_bytes: usize,
    now: i64,
) -> Result<Notice, RiskError> {
    let title = input.title.trim();
    if title.is_empty() || title.chars().count() > 200 || input.body.chars().count() > 20_000 {
        return Err(invalid(
            "标题为 1 到 200 个字符，正文最多 20000 个字符 / a title is 1 to 200 characters and the body at most 20,000",
        ));
    }
    if input.organisations.len() > 500 || input.roles.len() > 20 {
        return Err(invalid("收件机构最多 500 个 / at most 500 organisations"));
    }
    if let Some(w) = &input.warning_id {
        super::warnings::find(db, w).await?;
    }
    let document = match &input.document {
        None => None,
        Some(d) => {
            // base64 is 4/3 of the bytes: refuse an oversized text before decoding it.
            if d.content_base64.len() > max_document_bytes / 3 * 4 + 4 {
                return Err(RiskError::TooLarge(max_document_bytes));
            }
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(d.content_base64.trim())
                .map_err(|_| {
                    invalid("文件内容不是有效的 base64 / the document is not valid base64")
                })?;
            if bytes.len() > max_document_bytes {
                return Err(RiskError::TooLarge(max_document_bytes));
            }
            if !bytes.starts_with(b"%PDF-") {
                return Err(invalid("文件须为 PDF / the document must be a PDF"));
            }
            let name = d.name.trim();
            if name.is_empty() || name.chars().count() > 200 {
                return Err(invalid("请给出文件名 / the document needs a name"));
            }
            let sha = crate::financing::documents::sha256_hex(&bytes);
            Some((name.to_owned(), sha, bytes))
        }
    };
    // Who receives it: members of the organisations and holders of the roles, once each.
    let orgs = serde_json::to_string(&input.organisations).unwrap_or_else(|_| "[]".into());
    let roles: Vec<&str> = input.roles.iter().map(|r| r.code()).collect();
    let roles = serde_json::to_string(&roles).unwrap_or_else(|_| "[]".into());
    let backend = db.backend();
    let sql = format!(
        "SELECT u.id FROM users u WHERE NOT u.disabled AND ({} OR u.id IN (SELECT r.user_id FROM user_roles r WHERE {})) ORDER BY u.id LIMIT {}",
        crate::db::dialect::in_json_list(backend, "u.organisation_id", "$1"),
        crate::db::dialect::in_json_list(backend, "r.role", "$2"),
        MAX_RECIPIENTS + 1
    );
    let users: Vec<String> = with_pool!(db, pool => {
        sqlx::query_scalar(&sql).bind(&orgs).bind(&roles).fetch_all(pool).await.map_err(DbError::from)?
    });
    if users.is_empty() {
        return Err(invalid(
            "没有收件人：请选择机构或角色 / nobody receives it: choose organisations or roles",
        ));
    }
    if users.len() as i64 > MAX_RECIPIENTS {
        return Err(invalid("收件人过多 / too many recipients"));
    }
    let id = format!("NOTICE-{}", uuid::Uuid::new_v4().simple());
    let mut tx = db.begin().await?;
    let (doc_name, doc_sha, doc_bytes) = match &document {
        Some((n, s, b)) => (Some(n.clone()), Some(s.clone()), Some(b.clone())),
        None => (None, None, None),
    };
    with_tx!(&mut tx, conn => {
        sqlx::query("INSERT INTO risk_notices (id, title, body, warning_id, document_name, document_sha256, document, sent_by, sent_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
            .bind(&id).bind(title).bind(&input.body).bind(&input.warning_id)
            .bind(&doc_name).bind(&doc_sha).bind(&doc_bytes).bind(&caller.user_id).bind(now)
            .execute(&mut *conn).await.map_err(DbError::from)?;
    });
    let document_line = match &doc_name {
        Some(n) => format!("\n附件 / attachment: {n}"),
        None => String::new(),
    };
    for user in &users {
        let message_id = inbox::post(
            &mut tx,
            &NewMessage {
                recipient: Recipient::User(user.clone()),
                source: "financing",
                topic: "risk.notice",
                subject_zh: format!("【通知】{title}"),
                subject_en: format!("[Notice] {title}"),
                body_zh: format!("{}{document_line}", input.body),
                body_en: format!("{}{document_line}", input.body),
                link: doc_name.as_ref().map(|_| format!("/notices/{id}/document")),
                needs_ack: true,
            },
            now,
        )
        .await?;
        with_tx!(&mut tx, conn => {
            sqlx::query("INSERT INTO risk_notice_recipients (notice_id, user_id, message_id) VALUES ($1, $2, $3)")
                .bind(&id).bind(user).bind(&message_id)
                .execute(&mut *conn).await.map_err(DbError::from)?;
        });
    }
    super::warnings::audit(
        &mut tx,
        &caller.user_id,
        "notice",
        &id,
        &format!("{title} → {} recipients", users.len()),
        now,
    )
    .await?;
    tx.commit().await?;
    find(db, &id).await
}

type NoticeRow = (
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    i64,
    i64,
    i64,
);

const NOTICE_SQL: &str = "SELECT n.id, n.title, n.body, n.warning_id, n.document_name, n.document_sha256, n.sent_by, n.sent_at, \
    (SELECT COUNT(*) FROM risk_notice_recipients r WHERE r.notice_id = n.id), \
    (SELECT COUNT(*) FROM risk_notice_recipients r JOIN inbox_receipts x ON x.message_id = r.message_id AND x.user_id = r.user_id WHERE r.notice_id = n.id AND x.acknowledged_at IS NOT NULL) \
    FROM risk_notices n";

fn notice(r: NoticeRow) -> Notice {
    Notice {
        id: r.0,
        title: r.1,
        body: r.2,
        warning_id: r.3,
        document_name: r.4,
        document_sha256: r.5,
        sent_by: r.6,
        sent_at: r.7,
        recipients: r.8 as usize,
        acknowledged: r.9 as usize,
        status: Vec::new(),
    }
}

/// Notices sent, newest first (200).
pub async fn list(db: &Db) -> Result<Vec<Notice>, RiskError> {
    let rows: Vec<NoticeRow> = with_pool!(db, pool => {
        sqlx::query_as(&format!("{NOTICE_SQL} ORDER BY n.sent_at DESC, n.id LIMIT 200"))
            .fetch_all(pool).await.map_err(DbError::from)?
    });
    Ok(rows.into_iter().map(notice).collect())
}

/// A recipient's user id, name, organisation, read and acknowledged times, reminders.
type StatusRow = (
    String,
    String,
    Option<String>,
    Option<i64>,
    Option<i64>,
    i64,
);
/// A notice's document name, hash and bytes, and whether the caller received it.
type DocumentRow = (Option<String>, Option<String>, Option<Vec<u8>>, i64);

/// A notice with each recipient's state.
pub async fn find(db: &Db, id: &str) -> Result<Notice, RiskError> {
    let row: Option<NoticeRow> = with_pool!(db, pool => {
        sqlx::query_as(&format!("{NOTICE_SQL} WHERE n.id = $1"))
            .bind(id).fetch_optional(pool).await.map_err(DbError::from)?
    });
    let mut n =
        notice(row.ok_or_else(|| RiskError::NotFound(crate::catalogue::validate::echo(id)))?);
    let status: Vec<StatusRow> = with_pool!(db, pool => {
        sqlx::query_as("SELECT r.user_id, u.display_name, o.name, x.read_at, x.acknowledged_at, r.reminders FROM risk_notice_recipients r \
            JOIN users u ON u.id = r.user_id LEFT JOIN organisations o ON o.id = u.organisation_id \
            LEFT JOIN inbox_receipts x ON x.message_id = r.message_id AND x.user_id = r.user_id \
            WHERE r.notice_id = $1 ORDER BY (x.acknowledged_at IS NOT NULL), o.name, u.display_name LIMIT 5000")
            .bind(id).fetch_all(pool).await.map_err(DbError::from)?
    });
    n.status = status
        .into_iter()
        .map(|s| NoticeRecipient {
            user_id: s.0,
            display_name: s.1,
            organisation_name: s.2,
            read_at: s.3,
            acknowledged_at: s.4,
            reminders: s.5,
        })
        .collect();
    Ok(n)
}

/// Reminds every recipient who has not acknowledged yet: a new inbox message pointing at the
/// notice. Answers how many were reminded.
pub async fn remind(db: &Db, caller: &Caller, id: &str, now: i64) -> Result<usize, RiskError> {
    let n = find(db, id).await?;
    let waiting: Vec<&NoticeRecipient> = n
        .status
        .iter()
        .filter(|r| r.acknowledged_at.is_none())
        .collect();
    let mut tx = db.begin().await?;
    for r in &waiting {
        inbox::post(
            &mut tx,
            &NewMessage {
                recipient: Recipient::User(r.user_id.clone()),
                source: "financing",
                topic: "risk.notice.reminder",
                subject_zh: format!("【提醒】请确认通知：{}", n.title),
                subject_en: format!("[Reminder] Please acknowledge the notice: {}", n.title),
                body_zh: "您尚未确认收到这份通知，请在消息中心确认。".into(),
                body_en: "You have not acknowledged this notice yet; please do so in your inbox."
                    .into(),
                link: Some("/inbox".into()),
                needs_ack: false,
            },
            now,
        )
        .await?;
        with_tx!(&mut tx, conn => {
            sqlx::query("UPDATE risk_notice_recipients SET reminders = reminders + 1, reminded_at = $1 WHERE notice_id = $2 AND user_id = $3")
                .bind(now).bind(id).bind(&r.user_id)
                .execute(&mut *conn).await.map_err(DbError::from)?;
        });
    }
    super::warnings::audit(
        &mut tx,
        &caller.user_id,
        "remind",
        id,
        &format!("{} reminded", waiting.len()),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(waiting.len())
}

/// A notice's document, for staff and its recipients (others: not found).
pub async fn document(
    db: &Db,
    caller: &Caller,
    id: &str,
) -> Result<(String, String, Vec<u8>), RiskError> {
    let row: Option<DocumentRow> = with_pool!(db, pool => {
        sqlx::query_as("SELECT n.document_name, n.document_sha256, n.document, \
            (SELECT COUNT(*) FROM risk_notice_recipients r WHERE r.notice_id = n.id AND r.user_id = $2) FROM risk_notices n WHERE n.id = $1")
            .bind(id).bind(&caller.user_id).fetch_optional(pool).await.map_err(DbError::from)?
    });
    match row {
        Some((Some(name), Some(sha), Some(bytes), mine)) if caller.is_staff() || mine > 0 => {
            Ok((name, sha, bytes))
        }
        _ => Err(RiskError::NotFound(crate::catalogue::validate::echo(id))),
    }
}
