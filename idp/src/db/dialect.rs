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

/// PostgreSQL: spends refresh token `$1` and stores its successor `$2` (created `$3`, expiring
/// `$4`) in the same grant, atomically, in one statement. Affects no row when `$1` was already
/// spent.
pub const ROTATE_REFRESH_POSTGRES: &str = "WITH spent AS (UPDATE refresh_tokens SET used_at = $3 \
     WHERE token_hash = $1 AND used_at IS NULL RETURNING grant_id) \
     INSERT INTO refresh_tokens (token_hash, grant_id, created_at, expires_at) \
     SELECT $2, grant_id, $3, $4 FROM spent";

/// SQLite has no data-modifying CTE: for each of `jobs` rotations, an update and an insert that
/// happens only if that update changed a row (`changes()`), all in one statement string run in
/// one transaction. Rotation k uses parameters $(4k+1) to $(4k+4) as above; a token presented
/// twice in one batch is spent by the first rotation and refused to the second.
pub fn rotate_refresh_sqlite_batch(jobs: usize) -> String {
    let mut sql = String::new();
    for k in 0..jobs {
        let (a, b, c, d) = (4 * k + 1, 4 * k + 2, 4 * k + 3, 4 * k + 4);
        sql.push_str(&format!(
            "UPDATE refresh_tokens SET used_at = ${c} WHERE token_hash = ${a} AND used_at IS NULL; \
             INSERT INTO refresh_tokens (token_hash, grant_id, created_at, expires_at) \
             SELECT ${b}, grant_id, ${c}, ${d} FROM refresh_tokens WHERE token_hash = ${a} AND changes() = 1; "
        ));
    }
    sql
}
