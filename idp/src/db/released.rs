//! Released migrations never change: a database that applied one refuses to start when its text
//! differs (sqlx keeps each applied migration's checksum). `migrations/released.sha256` lists
//! every migration file with the SHA-256 of its text; a test fails when one of them changes or
//! when a migration file is missing from the list. New migration files are added to the list
//! with `UPDATE_MIGRATION_CHECKSUMS=1 cargo test -p idp --lib released`, which never rewrites
//! a line already there.

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::{Path, PathBuf};

    fn root() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations")
    }

    fn sha256(bytes: &[u8]) -> String {
        aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, bytes)
            .as_ref()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// `backend/file` → checksum, of the files on disk.
    fn on_disk() -> BTreeMap<String, String> {
        let mut files = BTreeMap::new();
        for backend in ["sqlite", "postgres"] {
            for entry in std::fs::read_dir(root().join(backend)).unwrap() {
                let path = entry.unwrap().path();
                if path.extension().is_some_and(|e| e == "sql") {
                    let name = format!("{backend}/{}", path.file_name().unwrap().to_string_lossy());
                    files.insert(name, sha256(&std::fs::read(&path).unwrap()));
                }
            }
        }
        files
    }

    #[test]
    fn released_migrations_never_change() {
        let list_path = root().join("released.sha256");
        let listed_text = std::fs::read_to_string(&list_path).unwrap_or_default();
        let listed: BTreeMap<String, String> = listed_text
            .lines()
            .filter_map(|line| {
                let (sum, name) = line.split_once("  ")?;
                Some((name.to_owned(), sum.to_owned()))
            })
            .collect();
        let files = on_disk();
        for (name, sum) in &listed {
            match files.get(name) {
                Some(actual) => assert_eq!(
                    actual, sum,
                    "{name} was released and has changed; put the change in a new migration"
                ),
                None => panic!("{name} was released and is gone; released migrations stay"),
            }
        }
        let new: Vec<(&String, &String)> = files
            .iter()
            .filter(|(n, _)| !listed.contains_key(*n))
            .collect();
        if new.is_empty() {
            return;
        }
        assert!(
            std::env::var_os("UPDATE_MIGRATION_CHECKSUMS").is_some(),
            "migrations not yet in migrations/released.sha256: {:?}; run UPDATE_MIGRATION_CHECKSUMS=1 cargo test -p idp --lib released",
            new.iter().map(|(n, _)| n).collect::<Vec<_>>()
        );
        let mut text = listed_text;
        for (name, sum) in new {
            text.push_str(&format!("{sum}  {name}\n"));
        }
        std::fs::write(list_path, text).unwrap();
    }
}
