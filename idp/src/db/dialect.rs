//! The SQL that differs between SQLite and PostgreSQL. Callers ask for a statement by meaning;
//! nothing outside this module spells a backend-specific construct.

use super::Backend;

/// `FOR UPDATE` where row locks exist. SQLite has none, but `Db::begin` already holds the
/// database write lock for the whole transaction, which is stronger.
pub fn for_update(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "",
        Backend::Postgres => " FOR UPDATE",
    }
}

/// Spends refresh token `$1` and stores its successor `$2` (created `$3`, expiring `$4`) in the
/// same grant, in one round trip. Affects no row when `$1` was already spent.
///
/// PostgreSQL does it in one atomic statement. SQLite has no data-modifying CTE: two statements
/// run in one call under the process's write gate; the insert happens only if the update
/// changed a row. A crash between them can only lose the successor (the user signs in again),
/// never issue a second one.
pub fn rotate_refresh(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => {
            "UPDATE refresh_tokens SET used_at = $3 WHERE token_hash = $1 AND used_at IS NULL; \
             INSERT INTO refresh_tokens (token_hash, grant_id, created_at, expires_at) \
             SELECT $2, grant_id, $3, $4 FROM refresh_tokens WHERE token_hash = $1 AND changes() = 1"
        }
        Backend::Postgres => {
            "WITH spent AS (UPDATE refresh_tokens SET used_at = $3 WHERE token_hash = $1 AND used_at IS NULL \
             RETURNING grant_id) \
             INSERT INTO refresh_tokens (token_hash, grant_id, created_at, expires_at) \
             SELECT $2, grant_id, $3, $4 FROM spent"
        }
    }
}
