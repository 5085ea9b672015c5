//! Building the application: open the database, migrate, bind the listener, serve until told
//! to stop.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use tokio::net::TcpListener;

use crate::clock::{Clock, SystemClock};
use crate::db::Db;
use crate::http;
use crate::oauth::tokens::TokenService;
use crate::settings::Settings;
use crate::state::AppState;

/// A built application whose listener is bound; [`Application::run_until`] serves it.
pub struct Application {
    address: SocketAddr,
    listener: TcpListener,
    /// `/metrics` on an address of its own, when the settings give one.
    metrics_listener: Option<TcpListener>,
    state: AppState,
}

impl Application {
    /// Connects to the database, applies migrations and binds the listen address. Port 0 binds a
    /// free port; [`Application::address`] tells which.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        Self::build_with_clock(settings, Arc::new(SystemClock)).await
    }

    /// As [`Application::build`], with the clock the application reads time from.
    pub async fn build_with_clock(
        settings: Settings,
        clock: Arc<dyn Clock>,
    ) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(settings.listen)
            .await
            .with_context(|| format!("cannot listen on {}", settings.listen))?;
        Self::build_on(settings, listener, clock).await
    }

    /// As [`Application::build_with_clock`] on a listener the caller bound, for callers (tests)
    /// that must know the address, and so the issuer, before the application is built.
    pub async fn build_on(
        settings: Settings,
        listener: TcpListener,
        clock: Arc<dyn Clock>,
    ) -> anyhow::Result<Self> {
        crate::oauth::jwt_provider::install();
        crate::metrics::install();
        // jsonwebtoken compiles without a crypto backend and then panics at the first token.
        if jsonwebtoken::crypto::CryptoProvider::try_get_default().is_none() {
            anyhow::bail!(
                "no JWT crypto provider: build jsonwebtoken with exactly one of aws_lc_rs or rust_crypto"
            );
        }
        let db = Db::connect_with(
            &settings.database.url,
            settings.database.pool_size(),
            settings.database.acquire_timeout(),
        )
        .await?;
        db.migrate().await?;
        let t = &settings.tokens;
        for alg in [t.signing_algorithm, t.access_token_algorithm] {
            crate::oauth::keys::ensure_key(&db, alg, clock.now())
                .await
                .context("preparing the token signing keys")?;
        }
        let list_db = db
            .list_pool_with(&settings.database.url, settings.database.acquire_timeout())
            .await?;
        let tokens = TokenService::new(
            db.clone(),
            list_db.clone(),
            settings.issuer_str(),
            t.signing_algorithm,
            t.access_token_algorithm,
            t.access_token_ttl,
            t.id_token_ttl,
        );
        let csrf = csrf_config(&db, &settings, clock.now()).await?;
        let rotations = crate::oauth::rotations::Rotations::start(list_db);
        // The payment sandbox signs with a key every instance shares, so a notification signed
        // by one verifies on another.
        let sandbox_key =
            crate::server_secrets::get_or_create(&db, "payment_sandbox_key", 32, clock.now())
                .await?;
        let payments = Arc::new(crate::payments::Payments::sandbox(Arc::new(
            crate::payments::SandboxGateway::new(sandbox_key.as_bytes())
                .with_ledger(db.clone(), clock.clone()),
        )));
        let sealer = {
            use base64::Engine;
            let key =
                crate::server_secrets::get_or_create(&db, "totp_sealing_key", 32, clock.now())
                    .await?;
            let key = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(key)
                .context("decoding the TOTP sealing key")?;
            Arc::new(
                crate::accounts::second_factor::sealing::Sealer::new(&key)
                    .context("the TOTP sealing key")?,
            )
        };
        let webauthn = crate::accounts::second_factor::passkeys::relying_party(
            &settings.issuer,
            crate::accounts::second_factor::totp::ISSUER,
        )
        .map(Arc::new);
        let mut platforms = Vec::new();
        let logouts = crate::oauth::backchannel::Deliverer::new(db.clone(), tokens.clone())?;
        let mut jobs = vec![crate::housekeeping::job(), logouts.job()];
        for platform in crate::platform::ALL {
            let context = crate::platform::Context {
                db: &db,
                clock: clock.clone(),
                settings: settings.platform_section(platform.name),
                payments: payments.clone(),
            };
            let started = (platform.start)(&context)
                .await
                .with_context(|| format!("starting the {} platform", platform.name))?;
            jobs.extend(started.jobs.iter().cloned());
            platforms.push(started);
        }
        let jobs = crate::platform::jobs::Runner::new(db.clone(), clock.clone(), jobs);
        let address = listener.local_addr().context("reading the bound address")?;
        let metrics_listener = match settings.metrics.listen {
            Some(at) => Some(
                TcpListener::bind(at)
                    .await
                    .with_context(|| format!("cannot listen for metrics on {at}"))?,
            ),
            None => None,
        };
        crate::accounts::password::warm_up();
        Ok(Application {
            address,
            listener,
            metrics_listener,
            state: AppState {
                csrf,
                db,
                settings: Arc::new(settings),
                clock,
                tokens,
                clients: Default::default(),
                rotations,
                jobs,
                platforms: Arc::new(platforms),
                payments,
                sealer,
                logouts,
                webauthn,
            },
        })
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Where `/metrics` is served when it has a listener of its own.
    pub fn metrics_address(&self) -> Option<SocketAddr> {
        self.metrics_listener
            .as_ref()
            .and_then(|l| l.local_addr().ok())
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` resolves, then finishes the requests in flight.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let db = self.state.db.clone();
        let jobs = self
            .state
            .jobs
            .spawn(Duration::from_millis(self.state.settings.jobs.interval_ms));
        let limits = self.state.settings.http.clone();
        let metrics = self.metrics_listener.map(|listener| {
            if let Ok(at) = listener.local_addr() {
                tracing::info!(address = %at, "metrics listening");
            }
            let router = http::metrics_router(self.state.clone());
            tokio::spawn(async move { axum::serve(listener, router).await })
        });
        let app = http::router(self.state);
        tracing::info!(address = %self.address, "listening");
        crate::listener::serve(self.listener, app, &limits, shutdown).await;
        for job in jobs {
            job.abort();
        }
        if let Some(metrics) = metrics {
            metrics.abort();
        }
        db.close().await;
        tracing::info!("stopped");
        Ok(())
    }
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown requested; finishing requests in flight");
}

/// CSRF protection for page forms, with a cookie key and salt every instance shares.
async fn csrf_config(
    db: &Db,
    settings: &Settings,
    now: crate::clock::UnixTime,
) -> anyhow::Result<axum_csrf::CsrfConfig> {
    use base64::Engine;
    let key = crate::server_secrets::get_or_create(db, "csrf_cookie_key", 64, now).await?;
    let key = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(key)
        .context("decoding the CSRF cookie key")?;
    let salt = crate::server_secrets::get_or_create(db, "csrf_salt", 32, now).await?;
    Ok(axum_csrf::CsrfConfig::default()
        .with_key(Some(axum_csrf::Key::from(&key)))
        .with_salt(salt)
        .with_cookie_name("nx_csrf")
        .with_secure(settings.issuer.scheme() == "https")
        .with_http_only(true)
        .with_cookie_same_site(axum_csrf::SameSite::Strict))
}
