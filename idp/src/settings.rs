//! Server settings, read in layers: built-in defaults, then a TOML file named with `--config`,
//! then `IDP__…` environment variables (`IDP__DATABASE__URL`), then command-line flags.
//! Unknown keys are refused so that a typo never silently falls back to a default.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::Path;

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use url::Url;

// Not `deny_unknown_fields`: the sections nobody here names land in `platforms`, and `check`
// refuses every one that is not a platform's.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Settings {
    /// Address the HTTP server binds; port 0 picks a free port.
    pub listen: SocketAddr,
    /// Public base URL of this provider; it is the `iss` of every token.
    pub issuer: Url,
    pub database: DatabaseSettings,
    pub log: LogSettings,
    #[serde(default)]
    pub tokens: TokenSettings,
    #[serde(default)]
    pub http: HttpSettings,
    #[serde(default)]
    pub jobs: JobSettings,
    #[serde(default)]
    pub metrics: MetricsSettings,
    #[serde(default)]
    pub login: LoginSettings,
    /// Each business platform's own section (`[crowdfunding]`), checked by the platform.
    #[serde(flatten)]
    pub platforms: BTreeMap<String, serde_json::Value>,
}

/// The HTTP listener's limits against clients that hold connections open.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HttpSettings {
    /// Seconds a client has to send a request's headers, from connecting or from the end of its
    /// previous request (an idle keep-alive connection is closed after as long).
    pub header_read_timeout: u64,
    /// Connections served at once; further ones wait in the kernel's queue until one closes.
    /// Keep it below the process's open-file limit (`ulimit -n`) minus the database pool.
    pub max_connections: usize,
}

impl Default for HttpSettings {
    fn default() -> Self {
        HttpSettings {
            header_read_timeout: 10,
            max_connections: 768,
        }
    }
}

/// Where Prometheus reads the metrics.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MetricsSettings {
    /// Unset (the default): `/metrics` on the main listener, one port to open and to scrape;
    /// the metrics hold no personal data, token or secret. Set: `/metrics` only on this address
    /// (an internal interface the public load balancer does not reach), and the main listener
    /// answers 404 for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<SocketAddr>,
}

/// The scheduled jobs (closing projects, releasing unpaid orders, …).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct JobSettings {
    /// Milliseconds between two turns of each platform job, on each instance (a turn finds
    /// the job's lease held elsewhere and skips when another instance is running it).
    pub interval_ms: u64,
}

impl Default for JobSettings {
    fn default() -> Self {
        JobSettings {
            interval_ms: 30_000,
        }
    }
}

/// Signing in.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LoginSettings {
    /// Roles whose holders must have a second factor (an authenticator app): without one they
    /// are taken to enrolment at their next sign-in. By default the roles that approve money:
    /// platform administrators (staff), bank officers, insurers and fund managers.
    pub second_factor_roles: Vec<crate::accounts::Role>,
}

impl Default for LoginSettings {
    fn default() -> Self {
        use crate::accounts::Role;
        LoginSettings {
            second_factor_roles: vec![
                Role::Admin,
                Role::BankOfficer,
                Role::Insurer,
                Role::FundManager,
            ],
        }
    }
}

/// Token lifetimes (seconds) and signing. Defaults follow RFC 9700 and common practice.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TokenSettings {
    /// Algorithm of the ID tokens' key: RS256 (default, OpenID Connect's baseline), ES256 or
    /// EdDSA.
    pub signing_algorithm: crate::oauth::keys::SigningAlgorithm,
    /// Algorithm of the access tokens' key. Only resource servers (this server, the SDK) read
    /// access tokens, so they need not be RS256, whose 2048-bit signatures cost about fifty
    /// times an ES256 one: ES256 by default. JWKS publishes both keys.
    pub access_token_algorithm: crate::oauth::keys::SigningAlgorithm,
    pub access_token_ttl: i64,
    pub id_token_ttl: i64,
    pub authorization_code_ttl: i64,
    /// A refresh token unused this long expires.
    pub refresh_token_idle_ttl: i64,
    /// No refresh token of a grant outlives this, however often it is rotated.
    pub refresh_token_absolute_ttl: i64,
    /// A spent refresh token presented again within this many seconds is treated as a
    /// concurrent retry rather than theft. 0 (the default) disables the window.
    pub refresh_token_reuse_grace: i64,
    /// How long a login session lasts without use.
    pub session_ttl: i64,
}

impl Default for TokenSettings {
    fn default() -> Self {
        TokenSettings {
            signing_algorithm: crate::oauth::keys::SigningAlgorithm::Rs256,
            access_token_algorithm: crate::oauth::keys::SigningAlgorithm::Es256,
            access_token_ttl: 600,
            id_token_ttl: 3600,
            authorization_code_ttl: 60,
            refresh_token_idle_ttl: 14 * 86_400,
            refresh_token_absolute_ttl: 90 * 86_400,
            refresh_token_reuse_grace: 0,
            session_ttl: 8 * 3600,
        }
    }
}

impl TokenSettings {
    /// How long a retired signing key must stay published: the longest JWT lifetime, plus a
    /// minute for clock skew.
    pub fn key_retirement_grace(&self) -> i64 {
        self.access_token_ttl.max(self.id_token_ttl) + 60
    }
}

#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    /// `sqlite://path/to/file.db` or `postgres://user@host/db`.
    pub url: String,
    /// Pool size. Unset: 4 on SQLite (one writer at a time; every further connection costs
    /// memory and page-cache churn, not speed) and 16 on PostgreSQL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_connections: Option<u32>,
    /// Seconds a request waits for a database connection before it ends with 503 and
    /// `Retry-After` (the database is down or every connection is busy).
    #[serde(default = "default_acquire_timeout")]
    pub acquire_timeout: u64,
}

fn default_acquire_timeout() -> u64 {
    crate::db::DEFAULT_ACQUIRE_TIMEOUT.as_secs()
}

// The URL may carry a password: never print it.
impl std::fmt::Debug for DatabaseSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DatabaseSettings")
            .field("url", &crate::db::redact_url(&self.url))
            .field("max_connections", &self.max_connections)
            .field("acquire_timeout", &self.acquire_timeout)
            .finish()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSettings {
    pub format: LogFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Readable lines for a terminal.
    Human,
    /// One JSON object per line, for log collectors.
    Json,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            issuer: Url::parse("http://127.0.0.1:8080").expect("static URL parses"),
            database: DatabaseSettings {
                url: "sqlite://data/idp.db".to_owned(),
                max_connections: None,
                acquire_timeout: default_acquire_timeout(),
            },
            log: LogSettings {
                format: LogFormat::Human,
            },
            tokens: TokenSettings::default(),
            jobs: JobSettings::default(),
            metrics: MetricsSettings::default(),
            login: LoginSettings::default(),
            platforms: BTreeMap::new(),
            http: HttpSettings::default(),
        }
    }
}

/// Values given on the command line; `None` leaves the lower layers in force.
#[derive(Debug, Default, Serialize)]
pub struct Overrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<SocketAddr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer: Option<Url>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_format: Option<LogFormat>,
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("configuration file {0} does not exist")]
    MissingFile(String),
    #[error("invalid configuration: {0}")]
    Invalid(String),
}

impl DatabaseSettings {
    /// How long a statement waits for a pooled connection.
    pub fn acquire_timeout(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.acquire_timeout)
    }

    /// The configured pool size, or the backend's default.
    pub fn pool_size(&self) -> u32 {
        self.max_connections
            .unwrap_or(if self.url.starts_with("sqlite:") {
                4
            } else {
                16
            })
    }
}

impl Settings {
    /// Loads the layers in order; `config_file` is the `--config` argument, if any.
    pub fn load(config_file: Option<&Path>, overrides: Overrides) -> Result<Self, SettingsError> {
        let mut figment = Figment::from(Serialized::defaults(Settings::default()));
        if let Some(path) = config_file {
            if !path.exists() {
                return Err(SettingsError::MissingFile(path.display().to_string()));
            }
            figment = figment.merge(Toml::file_exact(path));
        }
        figment = figment.merge(Env::prefixed("IDP__").split("__"));

        let mut flags = serde_json::Map::new();
        if let Some(listen) = overrides.listen {
            flags.insert("listen".into(), listen.to_string().into());
        }
        if let Some(issuer) = overrides.issuer {
            flags.insert("issuer".into(), issuer.to_string().into());
        }
        if let Some(url) = overrides.database_url {
            flags.insert("database".into(), serde_json::json!({ "url": url }));
        }
        if let Some(format) = overrides.log_format {
            flags.insert("log".into(), serde_json::json!({ "format": format }));
        }
        figment = figment.merge(Serialized::defaults(serde_json::Value::Object(flags)));

        let settings: Settings = figment
            .extract()
            .map_err(|e| SettingsError::Invalid(one_line(&e)))?;
        settings.check()?;
        Ok(settings)
    }

    fn check(&self) -> Result<(), SettingsError> {
        if !matches!(self.issuer.scheme(), "http" | "https") {
            return Err(SettingsError::Invalid(format!(
                "issuer must be an http(s) URL, got {}",
                self.issuer
            )));
        }
        if self.issuer.query().is_some() || self.issuer.fragment().is_some() {
            return Err(SettingsError::Invalid(
                "issuer must not have a query or fragment (OpenID Connect Discovery §3)".into(),
            ));
        }
        let t = &self.tokens;
        for (name, value) in [
            ("tokens.access_token_ttl", t.access_token_ttl),
            ("tokens.id_token_ttl", t.id_token_ttl),
            ("tokens.authorization_code_ttl", t.authorization_code_ttl),
            ("tokens.refresh_token_idle_ttl", t.refresh_token_idle_ttl),
            (
                "tokens.refresh_token_absolute_ttl",
                t.refresh_token_absolute_ttl,
            ),
            ("tokens.session_ttl", t.session_ttl),
        ] {
            if value <= 0 {
                return Err(SettingsError::Invalid(format!(
                    "{name} must be a positive number of seconds"
                )));
            }
        }
        if t.refresh_token_reuse_grace < 0 {
            return Err(SettingsError::Invalid(
                "tokens.refresh_token_reuse_grace must not be negative".into(),
            ));
        }
        for (section, value) in &self.platforms {
            let platform = crate::platform::find(section).ok_or_else(|| {
                let platforms: Vec<&str> = crate::platform::ALL.iter().map(|p| p.name).collect();
                SettingsError::Invalid(format!(
                    "unknown field: found `{section}`, expected one of `listen`, `issuer`, `database`, `log`, `tokens`, `http`, `jobs` or a platform's section (`{}`)",
                    platforms.join("`, `")
                ))
            })?;
            (platform.check_settings)(Some(value))
                .map_err(|e| SettingsError::Invalid(format!("{section}: {e}")))?;
        }
        if self.jobs.interval_ms == 0 {
            return Err(SettingsError::Invalid(
                "jobs.interval_ms must be at least 1".into(),
            ));
        }
        if self.database.acquire_timeout == 0 {
            return Err(SettingsError::Invalid(
                "database.acquire_timeout must be at least 1 second".into(),
            ));
        }
        if self.database.max_connections == Some(0) {
            return Err(SettingsError::Invalid(
                "database.max_connections must be at least 1".into(),
            ));
        }
        Ok(())
    }

    /// A platform's section as written, if any.
    pub fn platform_section(&self, name: &str) -> Option<&serde_json::Value> {
        self.platforms.get(name)
    }

    /// The issuer without a trailing slash, as it appears in `iss` and in discovery.
    pub fn issuer_str(&self) -> &str {
        self.issuer.as_str().trim_end_matches('/')
    }
}

fn one_line(error: &figment::Error) -> String {
    error
        .clone()
        .into_iter()
        .map(|e| e.to_string())
        .collect::<Vec<_>>()
        .join("; ")
}
