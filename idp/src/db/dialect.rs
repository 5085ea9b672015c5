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
