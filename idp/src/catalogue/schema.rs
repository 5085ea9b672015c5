//! The catalogue's tables, derived from the spec. The migration files hold this text; a unit test
//! fails when they drift apart (run it with `UPDATE_CATALOGUE_MIGRATION=1` to rewrite them), and
//! an integration test compares the live database's columns with the spec.

use super::spec::{RecordType, TYPES};
use crate::db::Backend;

/// Columns every version row has before the record's own fields.
pub const META_COLUMNS: &[&str] = &[
    "version_id",
    "record_key",
    "version",
    "is_current",
    "organisation_id",
    "client_id",
    "user_id",
    "source",
    "reported_at",
    "superseded_at",
];

pub const MIGRATION_NAME: &str = "20261129000004_catalogue.sql";

fn table_ddl(t: &RecordType, backend: Backend) -> String {
    let table = t.table();
    let id = match backend {
        Backend::Sqlite => "version_id      INTEGER PRIMARY KEY AUTOINCREMENT",
        Backend::Postgres => "version_id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
    };
    let mut sql = format!(
        "-- {} {} ({}), key {}\nCREATE TABLE {table} (\n    {id},\n    record_key      TEXT NOT NULL,\n    version         BIGINT NOT NULL,\n    is_current      BOOLEAN NOT NULL,\n    organisation_id TEXT,\n    client_id       TEXT NOT NULL,\n    user_id         TEXT,\n    source          TEXT NOT NULL CHECK (source IN ('api', 'import', 'workflow')),\n    reported_at     BIGINT NOT NULL,\n    superseded_at   BIGINT,\n",
        t.sections.join(" / "),
        t.name_zh,
        t.name_en,
        t.key.join(" + "),
    );
    for f in t.fields {
        sql.push_str(&format!("    \"{}\" TEXT,\n", f.column()));
    }
    sql.push_str("    UNIQUE (record_key, version)\n);\n");
    sql.push_str(&format!(
        "CREATE UNIQUE INDEX {table}_current ON {table} (record_key) WHERE is_current;\n"
    ));
    sql.push_str(&format!(
        "CREATE INDEX {table}_by_organisation ON {table} (organisation_id, version_id) WHERE is_current;\n\n"
    ));
    sql
}

/// The whole migration for one backend.
pub fn migration(backend: Backend) -> String {
    let mut sql = String::from(
        "-- GENERATED from idp/src/catalogue/spec.rs by idp/src/catalogue/schema.rs; do not edit.\n\
         -- One table per record type holds every version of every record: the current one has\n\
         -- is_current, earlier ones keep who reported them and when they were superseded.\n\
         -- Field values are stored as their canonical text, so nothing is rounded or reformatted.\n\n",
    );
    for t in TYPES {
        sql.push_str(&table_ddl(t, backend));
    }
    sql.push_str(
        "-- Answers of idempotent reporting calls, replayed for a retry with the same key.\n\
         CREATE TABLE catalogue_idempotency (\n    client_id    TEXT NOT NULL,\n    idem_key     TEXT NOT NULL,\n    request_hash TEXT NOT NULL,\n    status       BIGINT NOT NULL,\n    body         TEXT NOT NULL,\n    created_at   BIGINT NOT NULL,\n    PRIMARY KEY (client_id, idem_key)\n);\n\n\
         -- Freezes and unfreezes of organisations' reporting, for the record.\n\
         CREATE TABLE organisation_freezes (\n    organisation_id TEXT NOT NULL REFERENCES organisations (id),\n    action          TEXT NOT NULL CHECK (action IN ('freeze', 'unfreeze')),\n    reason          TEXT NOT NULL,\n    actor           TEXT NOT NULL,\n    at              BIGINT NOT NULL\n);\n\
         CREATE INDEX organisation_freezes_by_organisation ON organisation_freezes (organisation_id, at);\n",
    );
    sql
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn migrations_are_generated_from_the_spec() {
        for (backend, dir) in [(Backend::Sqlite, "sqlite"), (Backend::Postgres, "postgres")] {
            let path = format!(
                "{}/../migrations/{dir}/{MIGRATION_NAME}",
                env!("CARGO_MANIFEST_DIR")
            );
            let expected = migration(backend);
            if std::env::var_os("UPDATE_CATALOGUE_MIGRATION").is_some() {
                std::fs::write(&path, &expected).unwrap();
            }
            let actual = std::fs::read_to_string(&path).unwrap_or_default();
            assert!(
                actual == expected,
                "{path} differs from the spec; run UPDATE_CATALOGUE_MIGRATION=1 cargo test -p idp --lib schema"
            );
        }
    }

    #[test]
    fn columns_are_unique_and_do_not_clash_with_metadata() {
        for t in TYPES {
            let mut seen: HashSet<String> = META_COLUMNS.iter().map(|c| (*c).to_owned()).collect();
            for f in t.fields {
                assert!(
                    seen.insert(f.column()),
                    "{}: column {} clashes",
                    t.slug,
                    f.column()
                );
            }
        }
    }
}
