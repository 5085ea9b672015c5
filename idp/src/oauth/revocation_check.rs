//! Whether an access token, or the grant it came from, was revoked: the one database question
//! behind every introspection and every API call. The questions waiting at any moment are
//! asked together in one statement (see [`crate::db::coalesce`]); each still sees every
//! revocation committed before it was asked.

use std::collections::HashSet;
use std::sync::Arc;

use crate::db::coalesce::Coalescer;
use crate::db::{Db, DbError, dialect};
use crate::with_pool;

/// Questions asked together at most; bounds the statement's lists.
const MAX_BATCH: usize = 256;
/// One task: the next batch gathers while its statement runs, and batches stay large.
const WORKERS: usize = 1;

/// What to check: a token's `jti`, and for a user's token its grant (`gid`).
pub struct Question {
    pub jti: String,
    pub gid: Option<String>,
}

/// Answers revocation questions.
#[derive(Clone)]
pub struct RevocationCheck {
    batches: Coalescer<Question, bool>,
}

impl RevocationCheck {
    /// Starts the tasks that ask the database; they end when every copy is dropped.
    pub fn start(db: Db) -> Self {
        let backend = db.backend();
        let sql: Arc<str> = format!(
            "SELECT 0, jti FROM revoked_access_tokens WHERE {} \
             UNION ALL SELECT 1, id FROM grants WHERE {} AND revoked_at IS NULL",
            dialect::in_json_list(backend, "jti", "$1"),
            dialect::in_json_list(backend, "id", "$2"),
        )
        .into();
        let batches = Coalescer::start(WORKERS, MAX_BATCH, move |questions| {
            let db = db.clone();
            let sql = sql.clone();
            async move { ask_batch(&db, &sql, questions).await }
        });
        RevocationCheck { batches }
    }

    /// True when the token was revoked, or it names a grant that is revoked or gone (the user
    /// signed out, or a refresh token of the grant was replayed).
    pub async fn is_revoked(&self, question: Question) -> Result<bool, DbError> {
        self.batches.ask(question).await
    }
}

async fn ask_batch(db: &Db, sql: &str, questions: Vec<Question>) -> Result<Vec<bool>, DbError> {
    let jtis: Vec<&str> = questions.iter().map(|q| q.jti.as_str()).collect();
    let gids: Vec<&str> = questions.iter().filter_map(|q| q.gid.as_deref()).collect();
    let jtis = serde_json::to_string(&jtis).unwrap_or_default();
    let gids = serde_json::to_string(&gids).unwrap_or_default();
    let rows: Vec<(i32, String)> = with_pool!(db, pool => sqlx::query_as(sql)
        .bind(&jtis)
        .bind(&gids)
        .fetch_all(pool)
        .await)?;
    let mut revoked_jtis = HashSet::new();
    let mut live_grants = HashSet::new();
    for (kind, id) in rows {
        if kind == 0 {
            revoked_jtis.insert(id);
        } else {
            live_grants.insert(id);
        }
    }
    Ok(questions
        .iter()
        .map(|q| {
            revoked_jtis.contains(&q.jti)
                || q.gid.as_ref().is_some_and(|gid| !live_grants.contains(gid))
        })
        .collect())
}
