//! The administrative audit trail: who changed a client, a user, a key, an organisation or a
//! freeze, and every sign-in with its outcome; when, from which address, and the target before
//! and after. Entries are only added (the database's triggers refuse any change or removal),
//! and secrets are never among them: clients are recorded as served (no secret hash), a new
//! secret only as the fact that there is one.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::catalogue::sheets::{csv_line, formula_safe};
use crate::db::{Db, DbError};
use crate::with_pool;

/// Who made a change.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: Option<String>,
    /// A username, `cli:<operating-system user>` or `system:<what>`.
    pub name: String,
    pub address: Option<String>,
}

impl Actor {
    /// A signed-in user (or the holder of a user's token), from `address`.
    pub fn user(user_id: &str, name: &str, address: Option<String>) -> Actor {
        Actor {
            user_id: Some(user_id.to_owned()),
            name: name.to_owned(),
            address,
        }
    }

    /// Someone at the server's command line.
    pub fn command_line() -> Actor {
        let who = std::env::var("USER").unwrap_or_else(|_| "unknown".into());
        Actor {
            user_id: None,
            name: format!("cli:{who}"),
            address: None,
        }
    }

    /// The server itself (`system:risk-monitoring`, `system:keys`).
    pub fn system(what: &str) -> Actor {
        Actor {
            user_id: None,
            name: format!("system:{what}"),
            address: None,
        }
    }
}

/// What happened to what.
#[derive(Debug, Clone)]
pub struct Change {
    pub action: &'static str,
    pub target_kind: &'static str,
    pub target_id: String,
    /// `ok`, `refused` or `throttled`.
    pub outcome: &'static str,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

impl Change {
    pub fn new(action: &'static str, target_kind: &'static str, target_id: &str) -> Change {
        Change {
            action,
            target_kind,
            target_id: target_id.to_owned(),
            outcome: "ok",
            before: None,
            after: None,
        }
    }

    pub fn outcome(mut self, outcome: &'static str) -> Change {
        self.outcome = outcome;
        self
    }

    pub fn before(mut self, value: &impl Serialize) -> Change {
        self.before = serde_json::to_value(value).ok();
        self
    }

    pub fn after(mut self, value: &impl Serialize) -> Change {
        self.after = serde_json::to_value(value).ok();
        self
    }
}

/// Adds an entry. The change it describes is already made: a failure to record is logged as
/// an error for the operators, not turned into a failure of the change.
pub async fn record(db: &Db, actor: &Actor, change: Change, now: i64) {
    if let Err(e) = insert(db, actor, &change, now).await {
        tracing::error!(error = %e, action = change.action, target = %change.target_id, "the audit entry could not be written");
    }
}

async fn insert(db: &Db, actor: &Actor, change: &Change, now: i64) -> Result<(), DbError> {
    let _gate = db.write_gate().await;
    with_pool!(db, pool => {
        sqlx::query("INSERT INTO admin_audit (at, actor_user_id, actor, address, action, target_kind, target_id, outcome, before, after) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
            .bind(now)
            .bind(&actor.user_id)
            .bind(&actor.name)
            .bind(&actor.address)
            .bind(change.action)
            .bind(change.target_kind)
            .bind(&change.target_id)
            .bind(change.outcome)
            .bind(change.before.as_ref().map(Value::to_string))
            .bind(change.after.as_ref().map(Value::to_string))
            .execute(pool)
            .await?;
    });
    Ok(())
}

/// An entry as read back.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Entry {
    pub seq: i64,
    pub at: i64,
    pub actor_user_id: Option<String>,
    pub actor: String,
    pub address: Option<String>,
    pub action: String,
    pub target_kind: String,
    pub target_id: String,
    pub outcome: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// Which entries to read; every part optional.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Filter {
    /// The action or its beginning (`client.`, `sign_in`).
    pub action: String,
    pub actor: String,
    pub target: String,
    /// China dates, `yyyy-mm-dd`; `to` not included.
    pub from: String,
    pub to: String,
    /// Older than this entry.
    pub before_seq: Option<i64>,
    pub limit: Option<i64>,
}

/// The most entries one read answers.
pub const MAX_ENTRIES: i64 = 500;

fn china_midnight(date: &str) -> Result<Option<i64>, String> {
    let date = date.trim();
    if date.is_empty() {
        return Ok(None);
    }
    time::Date::parse(
        date,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .map(|d| Some(d.midnight().assume_utc().unix_timestamp() - 8 * 3600))
    .map_err(|_| format!("日期须为 yyyy-mm-dd / dates are yyyy-mm-dd: {date}"))
}

/// Entries matching `filter`, newest first.
pub async fn list(db: &Db, filter: &Filter) -> Result<Result<Vec<Entry>, String>, DbError> {
    let (from, to) = match (china_midnight(&filter.from), china_midnight(&filter.to)) {
        (Ok(from), Ok(to)) => (from.unwrap_or(i64::MIN), to.unwrap_or(i64::MAX)),
        (Err(e), _) | (_, Err(e)) => return Ok(Err(e)),
    };
    let action = filter.action.trim();
    let entries = with_pool!(db, pool => {
        sqlx::query_as::<_, Entry>(
            "SELECT seq, at, actor_user_id, actor, address, action, target_kind, target_id, outcome, before, after FROM admin_audit \
             WHERE ($1 = '' OR substr(action, 1, length($1)) = $1) AND ($2 = '' OR actor = $2) AND ($3 = '' OR target_id = $3) \
             AND at >= $4 AND at < $5 AND seq < $6 ORDER BY seq DESC LIMIT $7",
        )
        .bind(action)
        .bind(filter.actor.trim())
        .bind(filter.target.trim())
        .bind(from)
        .bind(to)
        .bind(filter.before_seq.unwrap_or(i64::MAX))
        .bind(filter.limit.unwrap_or(100).clamp(1, MAX_ENTRIES))
        .fetch_all(pool)
        .await?
    });
    Ok(Ok(entries))
}

/// Entries as CSV (UTF-8 with a byte-order mark, formula-safe cells).
pub fn csv(entries: &[Entry]) -> Vec<u8> {
    let mut out = "\u{feff}".as_bytes().to_vec();
    out.extend(csv_line([
        "seq",
        "at",
        "time",
        "actor",
        "actor_user_id",
        "address",
        "action",
        "target_kind",
        "target_id",
        "outcome",
        "before",
        "after",
    ]));
    for e in entries {
        let cells = [
            e.seq.to_string(),
            e.at.to_string(),
            crate::clock::shanghai_time(e.at),
            e.actor.clone(),
            e.actor_user_id.clone().unwrap_or_default(),
            e.address.clone().unwrap_or_default(),
            e.action.clone(),
            e.target_kind.clone(),
            e.target_id.clone(),
            e.outcome.clone(),
            e.before.clone().unwrap_or_default(),
            e.after.clone().unwrap_or_default(),
        ];
        out.extend(csv_line(cells.iter().map(|c| formula_safe(c))));
    }
    out
}
