//! The SQL that differs between SQLite and PostgreSQL. Callers ask for a statement by meaning;
//! nothing outside this module spells a backend-specific construct.

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
