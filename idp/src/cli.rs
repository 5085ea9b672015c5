//! The `idp` command line: serve, migrate and load demo data. Every command reads the same
//! settings layers as the server (see [`crate::settings`]).

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use url::Url;

use crate::clock::{Clock, SystemClock};
use crate::db::Db;
use crate::settings::{LogFormat, Overrides, Settings};
use crate::startup::{Application, shutdown_signal};
use crate::{demo, telemetry};

/// Identity provider and data platform of the Ningxia makerspace shared platform
/// (宁夏众创空间共享平台).
///
/// Settings come from built-in defaults, then the file named by --config (TOML), then
/// environment variables IDP__<SECTION>__<KEY> (for example IDP__DATABASE__URL,
/// IDP__LISTEN, IDP__ISSUER, IDP__LOG__FORMAT), then the flags below.
#[derive(Debug, Parser)]
#[command(name = "idp", version, propagate_version = true)]
pub struct Cli {
    /// A TOML settings file (keys: listen, issuer, [database] url, max_connections, [log] format).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Database to use: sqlite://path/to/file.db (created if missing) or
    /// postgres://user@host:5432/db. Default: sqlite://data/idp.db.
    #[arg(long, global = true, value_name = "URL")]
    pub database_url: Option<String>,

    /// Log format on stderr.
    #[arg(long, global = true, value_enum, value_name = "FORMAT")]
    pub log_format: Option<LogFormat>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP server (migrations are applied first). Stops cleanly on Ctrl-C or SIGTERM.
    Serve {
        /// Address and port to listen on. Default: 127.0.0.1:8080.
        #[arg(long, value_name = "ADDR")]
        listen: Option<SocketAddr>,
        /// Public base URL of this server, used as the token issuer. Default:
        /// http://127.0.0.1:8080.
        #[arg(long, value_name = "URL")]
        issuer: Option<Url>,
        /// Load the demo organisations and users before serving (as `idp demo` does).
        #[arg(long)]
        demo: bool,
    },
    /// Apply the database migrations and exit.
    Migrate,
    /// Register, list, change and remove clients (relying parties).
    #[command(subcommand)]
    Client(crate::cli_admin::ClientCommand),
    /// Create and list users, set passwords.
    #[command(subcommand)]
    User(crate::cli_admin::UserCommand),
    /// Rotate and list token signing keys.
    #[command(subcommand)]
    Keys(crate::cli_admin::KeysCommand),
    /// Copy the database into FILE while servers keep running (SQLite: VACUUM INTO;
    /// PostgreSQL: pg_dump --format=custom, which must be installed).
    Backup {
        /// The backup file to write; an existing file is never overwritten.
        #[arg(long, value_name = "FILE")]
        to: PathBuf,
    },
    /// Put a backup made by `idp backup` into the configured database. Refuses a database that
    /// holds data or that a server is using, unless --force.
    Restore {
        /// The backup file.
        #[arg(long, value_name = "FILE")]
        from: PathBuf,
        /// Replace a database that holds data (stop the servers first).
        #[arg(long)]
        force: bool,
    },
    /// The mutual fund (互助基金): check its contract chain.
    #[command(subcommand)]
    Fund(FundCommand),
    /// Load demo organisations and users (one per role) and print their logins. Running it
    /// again changes nothing.
    Demo {
        /// Print what was loaded as JSON, for scripts.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum FundCommand {
    /// Walk the chain of contracts and name the first one that does not match (exit status 1
    /// when one does not). Prints the chain's head: keep it elsewhere to detect a rewritten chain.
    Verify {
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
}

pub async fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let (listen, issuer) = match &cli.command {
        Command::Serve { listen, issuer, .. } => (*listen, issuer.clone()),
        _ => (None, None),
    };
    let settings = Settings::load(
        cli.config.as_deref(),
        Overrides {
            listen,
            issuer,
            database_url: cli.database_url.clone(),
            log_format: cli.log_format,
        },
    )?;
    telemetry::init(settings.log.format);

    match cli.command {
        Command::Serve {
            demo: with_demo, ..
        } => {
            let application = Application::build(settings).await?;
            if with_demo {
                let report = demo::load(&application.state().db, application.state().now())
                    .await
                    .context("loading demo data")?;
                eprint!("{}", demo::render_text(&report));
            }
            application.run_until(shutdown_signal()).await
        }
        Command::Backup { to } => {
            crate::backup::backup(&settings.database.url, &to).await?;
            eprintln!("backup written to {}", to.display());
            Ok(())
        }
        Command::Restore { from, force } => {
            crate::backup::restore(&settings.database.url, &from, force).await?;
            eprintln!(
                "restored {} into {}; `idp migrate` (or the next start) brings its schema up to date",
                from.display(),
                crate::db::redact_url(&settings.database.url)
            );
            Ok(())
        }
        Command::Migrate => {
            let db = open(&settings).await?;
            db.close().await;
            eprintln!("migrations applied");
            Ok(())
        }
        Command::Client(command) => {
            let db = open(&settings).await?;
            let result = crate::cli_admin::client(&db, command).await;
            db.close().await;
            result
        }
        Command::User(command) => {
            let db = open(&settings).await?;
            let result = crate::cli_admin::user(&db, command).await;
            db.close().await;
            result
        }
        Command::Keys(command) => {
            let db = open(&settings).await?;
            let result = crate::cli_admin::keys(&db, &settings, command).await;
            db.close().await;
            result
        }
        Command::Fund(FundCommand::Verify { json }) => {
            let db = open(&settings).await?;
            let result = crate::financing::mutual::contracts::verify(&db).await;
            db.close().await;
            let v = result.map_err(|e| anyhow::anyhow!(e.to_string()))?;
            if json {
                println!("{}", serde_json::to_string_pretty(&v)?);
            } else if let Some(m) = &v.first_mismatch {
                println!(
                    "合约链不完整 / the contract chain does not match: #{} {}\n{}\n{}",
                    m.index,
                    m.contract_no.as_deref().unwrap_or("—"),
                    m.problem_zh,
                    m.problem_en
                );
            } else {
                println!(
                    "合约链完整 / the contract chain is intact: {} contracts, head {}",
                    v.checked, v.head
                );
            }
            if !v.intact {
                std::process::exit(1);
            }
            Ok(())
        }
        Command::Demo { json } => {
            let db = open(&settings).await?;
            let report = demo::load(&db, SystemClock.now())
                .await
                .context("loading demo data")?;
            db.close().await;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print!("{}", demo::render_text(&report));
            }
            Ok(())
        }
    }
}

/// Opens the configured database and brings its schema up to date.
pub async fn open(settings: &Settings) -> anyhow::Result<Db> {
    let db = Db::connect(&settings.database.url, settings.database.pool_size()).await?;
    db.migrate().await?;
    Ok(db)
}
