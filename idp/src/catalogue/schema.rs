//! The catalogue's tables, derived from the spec. The first catalogue migration was generated
//! from it and is released, so it never changes again (`migrations/released.sha256`). A later
//! change of the spec comes as a new migration: `migrations/catalogue_layout.json` records the
//! tables and columns the released migrations create, a unit test fails while the spec has a
//! table or column they lack, and `UPDATE_CATALOGUE_MIGRATION=1 cargo test -p idp --lib schema`
//! writes the migration that adds them (new tables whole, new fields as added columns; nothing
//! is ever dropped, so no reported value is lost). An integration test compares the live
//! database's columns with the spec.

use std::collections::BTreeMap;

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

/// The tables and their field columns, in the spec's order.
pub type Layout = BTreeMap<String, Vec<String>>;

/// The layout the spec asks for.
pub fn layout() -> Layout {
    TYPES
        .iter()
        .map(|t| (t.table(), t.fields.iter().map(|f| f.column()).collect()))
        .collect()
}

/// The statements that bring a database laid out as `released` to the spec's layout: the
/// tables it lacks, whole, and the columns its tables lack. `None` when it lacks nothing.
pub fn changes(released: &Layout, backend: Backend) -> Option<String> {
    let mut sql = String::new();
    for t in TYPES {
        match released.get(&t.table()) {
            None => sql.push_str(&table_ddl(t, backend)),
            Some(columns) => {
                for f in t.fields {
                    if !columns.contains(&f.column()) {
                        sql.push_str(&format!(
                            "ALTER TABLE {} ADD COLUMN \"{}\" TEXT;\n",
                            t.table(),
                            f.column()
                        ));
                    }
                }
            }
        }
    }
    (!sql.is_empty()).then(|| {
        format!(
            "-- GENERATED from idp/src/catalogue/spec.rs by idp/src/catalogue/schema.rs: what the\n\
             -- spec gained since the previous catalogue migration.\n\n{sql}"
        )
    })
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn migrations_dir(backend: &str) -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../migrations")
            .join(backend)
    }

    fn layout_path() -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations/catalogue_layout.json")
    }

    /// The first catalogue migration is the spec as it was released; the layout file says so.
    #[test]
    fn the_first_catalogue_migration_creates_the_recorded_layout() {
        let released: Layout =
            serde_json::from_str(&std::fs::read_to_string(layout_path()).unwrap()).unwrap();
        let first = std::fs::read_to_string(
            migrations_dir("postgres").join("20261129000004_catalogue.sql"),
        )
        .unwrap();
        for (table, columns) in &released {
            assert!(
                first.contains(&format!("CREATE TABLE {table} (")),
                "{table}"
            );
            for column in columns {
                assert!(
                    first.contains(&format!("\"{column}\" TEXT")),
                    "{table}.{column}"
                );
            }
        }
    }

    /// A spec with a table or column the released migrations lack needs a new migration.
    #[test]
    fn spec_changes_come_as_new_migrations() {
        let released: Layout =
            serde_json::from_str(&std::fs::read_to_string(layout_path()).unwrap()).unwrap();
        let pending = [Backend::Sqlite, Backend::Postgres].map(|b| changes(&released, b));
        let [Some(sqlite), Some(postgres)] = pending else {
            return;
        };
        assert!(
            std::env::var_os("UPDATE_CATALOGUE_MIGRATION").is_some(),
            "the spec has tables or columns no migration creates; run UPDATE_CATALOGUE_MIGRATION=1 cargo test -p idp --lib schema"
        );
        // The next version after every existing migration, on both backends.
        let last: u64 = ["sqlite", "postgres"]
            .iter()
            .flat_map(|b| std::fs::read_dir(migrations_dir(b)).unwrap())
            .filter_map(|e| {
                let name = e.ok()?.file_name().into_string().ok()?;
                name.split('_').next()?.parse().ok()
            })
            .max()
            .unwrap_or(0);
        let name = format!("{}_catalogue_changes.sql", last + 1);
        std::fs::write(migrations_dir("sqlite").join(&name), sqlite).unwrap();
        std::fs::write(migrations_dir("postgres").join(&name), postgres).unwrap();
        let mut now = released;
        for (table, columns) in layout() {
            let known = now.entry(table).or_default();
            for column in columns {
                if !known.contains(&column) {
                    known.push(column);
                }
            }
        }
        std::fs::write(
            layout_path(),
            serde_json::to_string_pretty(&now).unwrap() + "\n",
        )
        .unwrap();
    }

    #[test]
    fn a_new_field_is_an_added_column_and_a_new_type_a_new_table() {
        let mut released = layout();
        assert_eq!(changes(&released, Backend::Postgres), None);
        let enterprise = TYPES[0].table();
        let dropped = released.get_mut(&enterprise).unwrap().pop().unwrap();
        let carrier = TYPES[2].table();
        released.remove(&carrier);
        let sql = changes(&released, Backend::Sqlite).unwrap();
        assert!(sql.contains(&format!(
            "ALTER TABLE {enterprise} ADD COLUMN \"{dropped}\" TEXT;"
        )));
        assert!(sql.contains(&format!("CREATE TABLE {carrier} (")));
        assert!(sql.contains("INTEGER PRIMARY KEY AUTOINCREMENT"));
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
