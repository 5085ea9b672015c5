//! Backups that restore. `idp backup --to FILE` copies the database consistently while servers
//! keep running: SQLite with `VACUUM INTO` (one transaction's snapshot, written as a compact
//! database file), PostgreSQL with `pg_dump --format=custom` (one snapshot as well). `idp restore
//! --from FILE` puts a backup back, and refuses to overwrite a database that holds data or that a
//! server is using unless told (`--force`).

use std::path::{Path, PathBuf};

use crate::db::Db;
use crate::with_pool;

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0} exists already; a backup never overwrites a file")]
    TargetExists(String),
    #[error("{0} is not a backup of this kind of database")]
    NotABackup(String),
    #[error(
        "the database at {0} is in use by a server (or was not closed cleanly); stop the servers first, or pass --force"
    )]
    InUse(String),
    #[error("the database at {0} holds data; restoring would replace it: pass --force to do so")]
    HoldsData(String),
    #[error(
        "{0} was not found: install PostgreSQL's client programs (Debian: postgresql-client), or run it yourself as the README shows"
    )]
    ToolMissing(&'static str),
    #[error("{tool} failed: {message}")]
    Tool { tool: &'static str, message: String },
    #[error("unsupported database URL {0}")]
    UnsupportedUrl(String),
    #[error(transparent)]
    Db(#[from] crate::db::DbError),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// Copies the database at `url` into `to` (a new file).
pub async fn backup(url: &str, to: &Path) -> Result<(), BackupError> {
    if to.exists() {
        return Err(BackupError::TargetExists(to.display().to_string()));
    }
    if url.starts_with("sqlite:") {
        let db = Db::connect(url, 1).await?;
        let target = to.to_string_lossy().into_owned();
        let copied = with_pool!(&db, pool => sqlx::query("VACUUM INTO $1")
            .bind(&target)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()));
        db.close().await;
        copied.map_err(crate::db::DbError::from)?;
        Ok(())
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        run_tool(
            "pg_dump",
            &[
                "--format=custom",
                "--no-owner",
                "--file",
                &to.to_string_lossy(),
                "--dbname",
                url,
            ],
        )
        .await
    } else {
        Err(BackupError::UnsupportedUrl(crate::db::redact_url(url)))
    }
}

/// Puts the backup `from` into the database at `url`.
pub async fn restore(url: &str, from: &Path, force: bool) -> Result<(), BackupError> {
    if !from.is_file() {
        return Err(BackupError::NotABackup(from.display().to_string()));
    }
    if url.starts_with("sqlite:") {
        restore_sqlite(url, from, force).await
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        restore_postgres(url, from, force).await
    } else {
        Err(BackupError::UnsupportedUrl(crate::db::redact_url(url)))
    }
}

fn sqlite_path(url: &str) -> PathBuf {
    let path = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    PathBuf::from(path.split('?').next().unwrap_or_default())
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

async fn restore_sqlite(url: &str, from: &Path, force: bool) -> Result<(), BackupError> {
    let mut header = [0u8; 16];
    let read = {
        use std::io::Read;
        std::fs::File::open(from)?.read(&mut header)?
    };
    if read < 16 || &header != b"SQLite format 3\0" {
        return Err(BackupError::NotABackup(from.display().to_string()));
    }
    let path = sqlite_path(url);
    let shown = path.display().to_string();
    // A server keeps the write-ahead log's shared-memory file while it has the database open.
    // A process that ended before its connections closed leaves one too; SQLite removes it
    // when the last connection closes, so opening and closing the database once tells the two
    // apart (a server's stays).
    if with_suffix(&path, "-shm").exists() && !force {
        if let Ok(db) = Db::connect(url, 1).await {
            db.close().await;
        }
        if with_suffix(&path, "-shm").exists() {
            return Err(BackupError::InUse(shown));
        }
    }
    if path.exists() && std::fs::metadata(&path)?.len() > 0 && !force {
        return Err(BackupError::HoldsData(shown));
    }
    if let Some(folder) = path.parent().filter(|f| !f.as_os_str().is_empty()) {
        std::fs::create_dir_all(folder)?;
    }
    // Copied beside the target, then renamed over it: never a half-written database.
    let partial = with_suffix(&path, ".restoring");
    std::fs::copy(from, &partial)?;
    for stale in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(with_suffix(&path, stale));
    }
    std::fs::rename(&partial, &path)?;
    Ok(())
}

async fn restore_postgres(url: &str, from: &Path, force: bool) -> Result<(), BackupError> {
    let shown = crate::db::redact_url(url);
    let db = Db::connect(url, 1).await?;
    let count = |sql: &'static str| {
        let db = db.clone();
        async move {
            with_pool!(&db, pool => sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await)
                .map_err(crate::db::DbError::from)
        }
    };
    // Only clients count (not autovacuum), and a client that has just disconnected (the one
    // that created the database, say) may linger for a moment: look again for up to a second.
    let mut others = Ok(0);
    for _ in 0..10 {
        others = count(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'",
        )
        .await;
        if !matches!(others, Ok(n) if n > 0) || force {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let tables = count(
        "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema()",
    )
    .await;
    db.close().await;
    let (others, tables) = (others?, tables?);
    if others > 0 && !force {
        return Err(BackupError::InUse(shown));
    }
    if tables > 0 && !force {
        return Err(BackupError::HoldsData(shown));
    }
    run_tool(
        "pg_restore",
        &[
            "--clean",
            "--if-exists",
            "--no-owner",
            "--exit-on-error",
            "--dbname",
            url,
            &from.to_string_lossy(),
        ],
    )
    .await
}

async fn run_tool(tool: &'static str, args: &[&str]) -> Result<(), BackupError> {
    let output = tokio::process::Command::new(tool)
        .args(args)
        .output()
        .await
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => BackupError::ToolMissing(tool),
            _ => BackupError::Io(e),
        })?;
    if output.status.success() {
        Ok(())
    } else {
        Err(BackupError::Tool {
            tool,
            message: String::from_utf8_lossy(&output.stderr)
                .lines()
                .last()
                .unwrap_or_default()
                .to_owned(),
        })
    }
}
