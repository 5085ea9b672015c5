//! The SQL that differs between SQLite and PostgreSQL. Callers ask for a statement by meaning;
//! nothing outside this module spells a backend-specific construct.

use super::Backend;

/// Appended to a `SELECT` inside a write transaction: on PostgreSQL the rows are locked, so
/// concurrent writers of the same rows queue; SQLite writers are serialised already.
pub fn for_update(backend: Backend) -> &'static str {
    match backend {
        Backend::Postgres => " FOR UPDATE",
        Backend::Sqlite => "",
    }
}

/// `count` placeholders numbered from `start`: `$n` on PostgreSQL; plain `?` on SQLite, whose
/// parser looks each `$n` up by name in a list, which turns a 28,000-value insert quadratic
/// (seconds, not milliseconds). Statements using this bind in order and reuse no placeholder.
pub fn placeholders(backend: Backend, start: usize, count: usize) -> String {
    match backend {
        Backend::Sqlite => vec!["?"; count].join(", "),
        Backend::Postgres => (start..start + count)
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// `expr` compared as a number (decimals are stored as their text).
pub fn numeric(backend: Backend, expr: &str) -> String {
    match backend {
        Backend::Sqlite => format!("CAST({expr} AS REAL)"),
        Backend::Postgres => format!("CAST({expr} AS NUMERIC)"),
    }
}

/// Whether text `haystack` contains `needle`.
pub fn contains(backend: Backend, haystack: &str, needle: &str) -> String {
    match backend {
        Backend::Sqlite => format!("instr({haystack}, {needle}) > 0"),
        Backend::Postgres => format!("strpos({haystack}, {needle}) > 0"),
    }
}

/// Whether `column` is one of the strings in `param`, a JSON array bound as text: one statement
/// text for any number of values. Run such statements on [`super::Db::list_pool`].
pub fn in_json_list(backend: Backend, column: &str, param: &str) -> String {
    match backend {
        Backend::Sqlite => format!("{column} IN (SELECT value FROM json_each({param}))"),
        Backend::Postgres => {
            format!("{column} IN (SELECT jsonb_array_elements_text(CAST({param} AS JSONB)))")
        }
    }
}

/// PostgreSQL: for each rotation in `$1` (a JSON array of objects with `presented_hash`,
/// `next_hash`, `now`, `expires_at`), spends the presented refresh token and stores its
/// successor in the same grant, atomically, in one statement; returns the successors stored.
/// A rotation whose token was already spent stores nothing.
pub const ROTATE_REFRESH_BATCH_POSTGRES: &str = "WITH input AS (\
     SELECT * FROM jsonb_to_recordset(CAST($1 AS JSONB)) \
     AS x(presented_hash TEXT, next_hash TEXT, now BIGINT, expires_at BIGINT)), \
     spent AS (UPDATE refresh_tokens r SET used_at = input.now FROM input \
     WHERE r.token_hash = input.presented_hash AND r.used_at IS NULL \
     RETURNING r.grant_id, input.next_hash, input.now, input.expires_at) \
     INSERT INTO refresh_tokens (token_hash, grant_id, created_at, expires_at) \
     SELECT next_hash, grant_id, now, expires_at FROM spent RETURNING token_hash";

/// SQLite has no data-modifying CTE, so a batch of rotations is two statements in one
/// transaction. This one spends each refresh token in `$1` (a JSON array of objects with
/// `presented_hash` and `now`; no token twice) that is not spent yet, returning
/// `(token_hash, grant_id)` of those it spent.
pub const SPEND_REFRESH_BATCH_SQLITE: &str = "UPDATE refresh_tokens SET used_at = j.now \
     FROM (SELECT value ->> 'presented_hash' AS presented_hash, value ->> 'now' AS now \
     FROM json_each($1)) AS j \
     WHERE refresh_tokens.token_hash = j.presented_hash AND refresh_tokens.used_at IS NULL \
     RETURNING token_hash, grant_id";

/// SQLite: stores the successors in `$1`, a JSON array of objects with `next_hash`,
/// `grant_id`, `now` and `expires_at`.
pub const STORE_SUCCESSORS_SQLITE: &str = "INSERT INTO refresh_tokens \
     (token_hash, grant_id, created_at, expires_at) \
     SELECT value ->> 'next_hash', value ->> 'grant_id', value ->> 'now', value ->> 'expires_at' \
     FROM json_each($1)";
