//! Documents of an application: PDF, JPEG or PNG (recognised by their first bytes, not by
//! what the sender claims), at most the policy's size, kept with their SHA-256; a changed
//! document is the next version of its kind, never an overwrite. Only the parties and staff
//! download them.

use super::access::actor;
use super::error::{FinancingError, Result};
use super::lifecycle::DocKind;
use super::model::Document;
use super::service::Service;
use super::steps::accepts_documents;
use super::store::*;
use crate::accounts::caller::Caller;
use crate::db::Db;
use crate::with_tx;

/// The most versions one application keeps (all kinds together).
const MAX_DOCUMENTS: i64 = 100;

/// The content type the first bytes show, if it is one the platform keeps.
pub fn sniff(content: &[u8]) -> Option<&'static str> {
    if content.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if content.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if content.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else {
        None
    }
}

/// SHA-256 of `content`, lowercase hex.
pub fn sha256_hex(content: &[u8]) -> String {
    aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, content)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What an upload carries.
pub struct Upload<'a> {
    pub kind: &'a str,
    pub name: &'a str,
    pub content: &'a [u8],
}

impl Service {
    pub async fn upload(
        &self,
        db: &Db,
        caller: &Caller,
        id: &str,
        upload: Upload<'_>,
        now: i64,
    ) -> Result<Document> {
        let limit = self.policy.max_document_bytes;
        if upload.content.len() > limit {
            return Err(FinancingError::TooLarge { limit });
        }
        let kind = DocKind::parse(upload.kind).ok_or_else(|| {
            FinancingError::Invalid(format!(
                "未知的材料类型 / unknown document kind `{}`",
                upload.kind.chars().take(40).collect::<String>()
            ))
        })?;
        let content_type = sniff(upload.content).ok_or_else(|| {
            FinancingError::Invalid(
                "只接受 PDF、JPEG 或 PNG 文件 / only PDF, JPEG or PNG files are kept".into(),
            )
        })?;
        let name = upload.name.trim();
        if name.is_empty() || name.chars().count() > 200 || name.contains(['/', '\\']) {
            return Err(FinancingError::Invalid(
                "文件名须为 1 到 200 个字，不含路径 / a name takes 1 to 200 characters, no path"
                    .into(),
            ));
        }
        let sha256 = sha256_hex(upload.content);
        let mut tx = db.begin().await?;
        let a = find_application(&mut tx, id).await?;
        actor(caller, &a)?;
        if !accepts_documents(a.state) {
            return Err(FinancingError::Invalid(format!(
                "申请已{}，材料不再变更 / the application is {}; its documents are final",
                a.state.label_zh(),
                a.state.as_str()
            )));
        }
        let (count, latest): (i64, Option<i64>) = with_tx!(&mut tx, conn => {
            sqlx::query_as("SELECT COUNT(*), MAX(CASE WHEN kind = $2 THEN version END) FROM fin_documents WHERE application_id = $1")
                .bind(id).bind(kind.as_str()).fetch_one(&mut *conn).await?
        });
        if count >= MAX_DOCUMENTS {
            return Err(FinancingError::Invalid(format!(
                "每个申请最多 {MAX_DOCUMENTS} 份材料 / at most {MAX_DOCUMENTS} documents per application"
            )));
        }
        let document = Document {
            id: new_id("DOC"),
            application_id: id.to_owned(),
            kind: kind.as_str().to_owned(),
            version: latest.unwrap_or(0) + 1,
            name: name.to_owned(),
            content_type: content_type.to_owned(),
            size_bytes: upload.content.len() as i64,
            sha256,
            at: now,
        };
        with_tx!(&mut tx, conn => {
            sqlx::query("INSERT INTO fin_documents (id, application_id, kind, version, name, content_type, size_bytes, sha256, content, organisation_id, uploaded_by, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)")
                .bind(&document.id).bind(id).bind(&document.kind).bind(document.version).bind(&document.name)
                .bind(&document.content_type).bind(document.size_bytes).bind(&document.sha256).bind(upload.content)
                .bind(&caller.organisation_id).bind(&caller.user_id).bind(now)
                .execute(&mut *conn).await?;
        });
        audit(
            &mut tx,
            Audit {
                application_id: id,
                actor: &caller.user_id,
                action: "upload",
                from: None,
                to: None,
                note: Some(&format!(
                    "{} v{} {} sha256:{}",
                    document.kind, document.version, document.name, document.sha256
                )),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(document)
    }

    /// A document and its content, for the parties and staff.
    pub async fn document(
        &self,
        db: &Db,
        caller: &Caller,
        document_id: &str,
    ) -> Result<(Document, Vec<u8>)> {
        let found = crate::with_pool!(db, pool => {
            sqlx::query_as::<_, (String, String, String, i64, String, String, i64, String, Vec<u8>, i64)>("SELECT id, application_id, kind, version, name, content_type, size_bytes, sha256, content, at FROM fin_documents WHERE id = $1")
                .bind(document_id).fetch_optional(pool).await?
        });
        let missing = || FinancingError::NotFound(format!("材料 / document {document_id}"));
        let row = found.ok_or_else(missing)?;
        let a = find_application(db, &row.1).await?;
        actor(caller, &a).map_err(|_| missing())?;
        Ok((
            Document {
                id: row.0,
                application_id: row.1,
                kind: row.2,
                version: row.3,
                name: row.4,
                content_type: row.5,
                size_bytes: row.6,
                sha256: row.7,
                at: row.9,
            },
            row.8,
        ))
    }
}
