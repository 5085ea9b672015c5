//! Test harness: starts the real server on a random port against a fresh database.
//!
//! Every test runs on SQLite. When `TEST_DATABASE_URL` holds a PostgreSQL URL (an account that
//! may create databases), the same tests also run on PostgreSQL, each in a database of its own
//! that is dropped afterwards.

use std::sync::Arc;

use idp::clock::ManualClock;
use idp::db::Db;
use idp::settings::Settings;

/// The database a test runs against.
#[derive(Debug, Clone)]
pub enum Backend {
    Sqlite,
    /// The administrative URL from `TEST_DATABASE_URL`.
    Postgres(String),
}

impl Backend {
    /// PostgreSQL when `TEST_DATABASE_URL` names one; otherwise `None` and the test is skipped.
    pub fn postgres() -> Option<Backend> {
        match std::env::var("TEST_DATABASE_URL") {
            Ok(url) if url.starts_with("postgres") => Some(Backend::Postgres(url)),
            _ => {
                eprintln!("skipped: TEST_DATABASE_URL does not name a PostgreSQL database");
                None
            }
        }
    }
}

/// Declares each listed `async fn name(backend: Backend)` as a test on SQLite (`sqlite::name`)
/// and on PostgreSQL (`postgres::name`).
#[macro_export]
macro_rules! backend_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::Backend::Sqlite).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(backend) = $crate::Backend::postgres() {
                        super::$name(backend).await
                    }
                }
            )*
        }
    };
}

/// A running server and what a test needs to talk to it.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`, also the issuer.
    pub address: String,
    /// A client that keeps cookies and does not follow redirects, like a careful browser test.
    pub client: reqwest::Client,
    pub db: Db,
    pub clock: ManualClock,
    pub database_url: String,
    /// `http://…` of the separate metrics listener, when the settings give one.
    pub metrics_address: Option<String>,
    _database: TestDatabase,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// Registers a client straight in the database, as `idp client add` would.
    pub async fn register_client(&self, spec: idp::oauth::clients::ClientSpec) -> RegisteredClient {
        let registered =
            idp::oauth::clients::register(&self.db, spec, idp::clock::Clock::now(&self.clock))
                .await
                .expect("registering a test client");
        RegisteredClient {
            client_id: registered.client.client_id,
            client_secret: registered.client_secret,
        }
    }

    /// A confidential client allowed `client_credentials` with the given scopes.
    pub async fn machine_client(&self, scope: &str) -> RegisteredClient {
        self.register_client(idp::oauth::clients::ClientSpec {
            name: "test machine client".into(),
            scope: scope.into(),
            grant_types: Some(vec![idp::oauth::clients::GrantType::ClientCredentials]),
            ..Default::default()
        })
        .await
    }

    /// POSTs a form to `path` with HTTP Basic client authentication.
    pub async fn post_form_as(
        &self,
        client: &RegisteredClient,
        path: &str,
        form: &[(&str, &str)],
    ) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .basic_auth(&client.client_id, client.client_secret.as_deref())
            .form(form)
            .send()
            .await
            .expect("the server answers")
    }

    /// An access token from `client_credentials` for `scope`.
    pub async fn machine_token(&self, client: &RegisteredClient, scope: &str) -> String {
        let response = self
            .post_form_as(
                client,
                "/token",
                &[("grant_type", "client_credentials"), ("scope", scope)],
            )
            .await;
        assert_eq!(response.status(), 200, "client_credentials failed");
        let body: serde_json::Value = response.json().await.expect("a JSON token response");
        body["access_token"]
            .as_str()
            .expect("an access token")
            .to_owned()
    }

    /// An access token with the `admin` scope.
    pub async fn admin_token(&self) -> String {
        let client = self.machine_client("admin").await;
        self.machine_token(&client, "admin").await
    }

    /// A reporting job's client (`client_credentials`) of the demo carrier 银川演示众创空间,
    /// allowed `scope`. The demo data must be loaded.
    pub async fn carrier_job(&self, name: &str, scope: &str) -> RegisteredClient {
        let organisation = idp::accounts::find_organisation_by_name(&self.db, "银川演示众创空间")
            .await
            .expect("the organisations load")
            .expect("the demo data is loaded");
        self.register_client(idp::oauth::clients::ClientSpec {
            name: name.into(),
            scope: scope.into(),
            grant_types: Some(vec![idp::oauth::clients::GrantType::ClientCredentials]),
            organisation_id: Some(organisation.id),
            ..Default::default()
        })
        .await
    }

    /// Loads the demo organisations, users (password `idp::demo::DEMO_PASSWORD`) and clients.
    pub async fn load_demo(&self) {
        idp::demo::load(&self.db, idp::clock::Clock::now(&self.clock))
            .await
            .expect("the demo data loads");
    }

    /// A new browser signed in as the demo user `username`.
    pub async fn demo_browser(&self, username: &str) -> reqwest::Client {
        let browser = self.new_browser();
        let response = self
            .sign_in(&browser, username, idp::demo::DEMO_PASSWORD)
            .await;
        assert_eq!(location(&response), "/account", "{username} signs in");
        browser
    }

    /// Another browser: its own cookie jar, no redirects followed.
    pub fn new_browser(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_store(true)
            .build()
            .expect("the HTTP client builds")
    }

    /// Signs `browser` in through the login page.
    pub async fn sign_in(
        &self,
        browser: &reqwest::Client,
        username: &str,
        password: &str,
    ) -> reqwest::Response {
        let page = browser
            .get(self.url("/login"))
            .send()
            .await
            .expect("the login page")
            .text()
            .await
            .expect("text");
        let csrf = hidden_field(&page, "csrf_token");
        browser
            .post(self.url("/login"))
            .form(&[
                ("csrf_token", csrf.as_str()),
                ("username", username),
                ("password", password),
                ("return_to", "/account"),
            ])
            .send()
            .await
            .expect("the server answers")
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("the server answers")
    }
}

/// Loads the demo data and starts the example carrier app (`examples/carrier-web`) on a free
/// port, registered like `idp demo` registers it; returns its address.
pub async fn spawn_carrier_app(app: &TestApp) -> String {
    spawn_carrier_app_gated(app).await.0
}

/// [`spawn_carrier_app`] behind a gate: while the flag is down, its back-channel logout
/// endpoint answers 503, as an app being redeployed would.
pub async fn spawn_carrier_app_gated(
    app: &TestApp,
) -> (String, std::sync::Arc<std::sync::atomic::AtomicBool>) {
    app.load_demo().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free port");
    let url = format!("http://{}", listener.local_addr().expect("its address"));
    let organisation = idp::accounts::find_user_by_username(&app.db, "carrier")
        .await
        .expect("the database answers")
        .expect("the demo carrier user")
        .organisation_id;
    let registered = app
        .register_client(idp::oauth::clients::ClientSpec {
            name: "塞上创客空间".into(),
            redirect_uris: vec![format!("{url}/callback")],
            post_logout_redirect_uris: vec![format!("{url}/")],
            // Everything the app asks for (`carrier_web`'s SCOPES).
            scope: "openid profile offline_access crowdfunding crowdsourcing financing \
                    catalogue:carrier:read catalogue:carrier:write \
                    catalogue:carrier-partner:read catalogue:carrier-partner:write \
                    catalogue:carrier-service:read catalogue:carrier-service:write"
                .into(),
            organisation_id: organisation,
            backchannel_logout_uri: Some(format!("{url}/backchannel-logout")),
            ..Default::default()
        })
        .await;
    let config = carrier_web::Config {
        issuer: app.address.clone(),
        client_id: registered.client_id,
        client_secret: registered.client_secret.expect("a confidential client"),
        listen: url.clone(),
        public_url: url.clone(),
    };
    let up = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let gate = up.clone();
    let router = carrier_web::app(config).layer(axum::middleware::from_fn(
        move |request: axum::extract::Request, next: axum::middleware::Next| {
            let up = gate.load(std::sync::atomic::Ordering::SeqCst);
            async move {
                if !up && request.uri().path() == "/backchannel-logout" {
                    return axum::response::IntoResponse::into_response(
                        axum::http::StatusCode::SERVICE_UNAVAILABLE,
                    );
                }
                next.run(request).await
            }
        },
    ));
    tokio::spawn(async move { axum::serve(listener, router).await });
    (url, up)
}

/// The body of the page at `url`, fetched with `browser`.
pub async fn page_text(browser: &reqwest::Client, url: impl reqwest::IntoUrl) -> String {
    browser
        .get(url)
        .send()
        .await
        .expect("the server answers")
        .text()
        .await
        .expect("a text body")
}

/// The value of a hidden form field in a page.
pub fn hidden_field(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no field {name} in page: {html}"))
        + marker.len();
    let end = html[start..].find('"').expect("the value ends") + start;
    html[start..end].to_owned()
}

/// The `Location` of a redirect.
pub fn location(response: &reqwest::Response) -> String {
    assert!(
        response.status().is_redirection(),
        "expected a redirect, got {}",
        response.status()
    );
    response.headers()["location"]
        .to_str()
        .expect("a text location")
        .to_owned()
}

/// A PKCE verifier and its S256 challenge (RFC 7636 §4.2), computed independently of the server.
pub fn pkce_pair() -> (String, String) {
    use base64::Engine;
    let verifier = format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    let digest = sha256(verifier.as_bytes());
    (
        verifier,
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest),
    )
}

fn sha256(data: &[u8]) -> Vec<u8> {
    use sha2::Digest;
    sha2::Sha256::digest(data).to_vec()
}

/// A client's credentials as its developer holds them.
#[derive(Debug, Clone)]
pub struct RegisteredClient {
    pub client_id: String,
    pub client_secret: Option<String>,
}

/// Starts the application on `127.0.0.1:0` against a fresh database of the given backend.
pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, |_| {}).await
}

/// [`spawn_app`] with settings changed by `adjust` (token lifetimes, grace windows…).
pub async fn spawn_app_with(backend: Backend, adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let database = TestDatabase::create(&backend).await;
    spawn_app_on(database, None, adjust).await
}

/// A second server on the same database as `other`, as a second instance behind a load balancer:
/// same database, same public issuer, its own port.
pub async fn spawn_instance_like(other: &TestApp) -> TestApp {
    spawn_app_on(
        TestDatabase::Shared(other.database_url.clone()),
        Some(&other.address),
        |_| {},
    )
    .await
}

async fn spawn_app_on(
    database: TestDatabase,
    issuer: Option<&str>,
    adjust: impl FnOnce(&mut Settings),
) -> TestApp {
    init_logging();
    let database_url = database.url();
    // Bind first: the issuer must name the port the server really listens on.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free port on loopback");
    let bound = listener.local_addr().expect("the bound address");
    let address = format!("http://{bound}");
    let defaults = Settings::default();
    let mut settings = Settings {
        listen: bound,
        issuer: issuer.unwrap_or(&address).parse().expect("the issuer URL"),
        database: idp::settings::DatabaseSettings {
            url: database_url.clone(),
            max_connections: Some(8),
            acquire_timeout: defaults.database.acquire_timeout,
        },
        // Second factors are asked of nobody unless a test says so (tests/api/second_factor.rs):
        // the other tests sign the demo's administrators and bank officers in with a password.
        login: idp::settings::LoginSettings {
            second_factor_roles: Vec::new(),
        },
        ..defaults
    };
    adjust(&mut settings);
    let clock = ManualClock::new();
    let application = idp::Application::build_on(settings, listener, Arc::new(clock.clone()))
        .await
        .expect("the application builds");
    let db = application.state().db.clone();
    let metrics_address = application.metrics_address().map(|a| format!("http://{a}"));
    tokio::spawn(application.run_until(std::future::pending()));
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .expect("the HTTP client builds");
    TestApp {
        address,
        client,
        db,
        clock,
        database_url,
        metrics_address,
        _database: database,
    }
}

fn init_logging() {
    if std::env::var_os("TEST_LOG").is_some() {
        idp::telemetry::init(idp::settings::LogFormat::Human);
    }
}

/// [`spawn_instance_like`] with settings changed by `adjust`.
pub async fn spawn_instance_like_with(
    other: &TestApp,
    adjust: impl FnOnce(&mut Settings),
) -> TestApp {
    spawn_app_on(
        TestDatabase::Shared(other.database_url.clone()),
        Some(&other.address),
        adjust,
    )
    .await
}

/// Follows `browser` from `start` through the provider's pages at `provider` (signing in as
/// `username` with the demo password when asked, then allowing on the consent page) until a
/// redirect leaves the provider; returns where it points (a client's callback).
pub async fn through_provider_pages(
    browser: &reqwest::Client,
    provider: &str,
    start: &str,
    username: &str,
) -> String {
    let absolute = |at: &str| {
        if at.starts_with('/') {
            format!("{provider}{at}")
        } else {
            at.to_owned()
        }
    };
    let leaves = |at: &str| !at.starts_with('/') && !at.starts_with(provider);
    let mut next = start.to_owned();
    loop {
        let response = browser
            .get(absolute(&next))
            .send()
            .await
            .expect("the provider answers");
        if response.status().is_redirection() {
            next = location(&response);
            if leaves(&next) {
                return next;
            }
            continue;
        }
        let path = response.url().path().to_owned();
        let page = response.text().await.expect("text");
        let csrf = hidden_field(&page, "csrf_token");
        let form: Vec<(&str, String)> = if path == "/login" {
            vec![
                ("csrf_token", csrf),
                ("username", username.to_owned()),
                ("password", idp::demo::DEMO_PASSWORD.to_owned()),
                ("return_to", hidden_field(&page, "return_to")),
            ]
        } else {
            assert_eq!(path, "/consent", "{page}");
            vec![("csrf_token", csrf), ("decision", "allow".to_owned())]
        };
        let submitted = browser
            .post(format!("{provider}{path}"))
            .form(&form)
            .send()
            .await
            .expect("the provider answers");
        assert!(
            submitted.status().is_redirection(),
            "{path}: {}",
            submitted.status()
        );
        next = location(&submitted);
        if leaves(&next) {
            return next;
        }
    }
}

/// An empty database of a backend (no schema yet), removed when the test ends.
pub struct EmptyDatabase(TestDatabase);

impl EmptyDatabase {
    pub async fn create(backend: &Backend) -> EmptyDatabase {
        EmptyDatabase(TestDatabase::create(backend).await)
    }

    pub fn url(&self) -> String {
        self.0.url()
    }
}

/// Starts the application on `database` (bringing its schema up to date); the app owns it.
pub async fn spawn_app_on_database(database: EmptyDatabase) -> TestApp {
    spawn_app_on(database.0, None, |_| {}).await
}

/// A TCP relay between the server and PostgreSQL that a test can cut, as if the database had
/// been stopped (every connection drops, new ones are refused), and restore.
pub struct DbProxy {
    cut: Arc<std::sync::atomic::AtomicBool>,
    generation: tokio::sync::watch::Sender<u64>,
}

impl DbProxy {
    async fn start(target: String) -> (DbProxy, std::net::SocketAddr) {
        use std::sync::atomic::Ordering;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free port for the proxy");
        let address = listener.local_addr().expect("the proxy's address");
        let cut = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (generation, _) = tokio::sync::watch::channel(0u64);
        let proxy = DbProxy {
            cut: cut.clone(),
            generation: generation.clone(),
        };
        tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                if cut.load(Ordering::SeqCst) {
                    continue; // dropped at once: the server sees the connection refused
                }
                let target = target.clone();
                let mut cuts = generation.subscribe();
                tokio::spawn(async move {
                    let Ok(mut outbound) = tokio::net::TcpStream::connect(target).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                        _ = cuts.changed() => {}
                    }
                });
            }
        });
        (proxy, address)
    }

    /// The database "stops": open connections drop and new ones fail.
    pub fn cut(&self) {
        self.cut.store(true, std::sync::atomic::Ordering::SeqCst);
        self.generation.send_modify(|g| *g += 1);
    }

    /// The database is back.
    pub fn restore(&self) {
        self.cut.store(false, std::sync::atomic::Ordering::SeqCst);
    }
}

/// A server on a fresh PostgreSQL database reached through a [`DbProxy`]; `None` without
/// `TEST_DATABASE_URL`.
pub async fn spawn_app_behind_proxy(
    adjust: impl FnOnce(&mut Settings),
) -> Option<(TestApp, DbProxy)> {
    let backend = Backend::postgres()?;
    let database = TestDatabase::create(&backend).await;
    let mut url = url::Url::parse(&database.url()).expect("the database URL");
    let target = format!(
        "{}:{}",
        url.host_str().unwrap_or("127.0.0.1"),
        url.port().unwrap_or(5432)
    );
    let (proxy, address) = DbProxy::start(target).await;
    url.set_host(Some("127.0.0.1")).expect("a host");
    url.set_port(Some(address.port())).expect("a port");
    let through = TestDatabase::Through {
        _database: Box::new(database),
        url: url.to_string(),
    };
    Some((spawn_app_on(through, None, adjust).await, proxy))
}

/// A database that exists for one test and is removed when the test ends, also on panic.
enum TestDatabase {
    /// Reached at another address (a proxy) than where it was created.
    Through {
        _database: Box<TestDatabase>,
        url: String,
    },
    Sqlite(tempfile::TempDir),
    Postgres {
        admin_url: String,
        name: String,
        url: String,
    },
    /// Owned by another [`TestApp`].
    Shared(String),
}

impl TestDatabase {
    async fn create(backend: &Backend) -> TestDatabase {
        match backend {
            Backend::Sqlite => {
                TestDatabase::Sqlite(tempfile::tempdir().expect("a temporary folder"))
            }
            Backend::Postgres(admin_url) => {
                let name = format!("idp_test_{}", uuid::Uuid::new_v4().simple());
                let admin = Db::connect(admin_url, 1)
                    .await
                    .expect("TEST_DATABASE_URL connects");
                idp::with_pool!(&admin, pool => sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(pool)
                    .await
                    .map(|_| ()))
                .expect("creating the test database");
                admin.close().await;
                let mut url = url::Url::parse(admin_url).expect("TEST_DATABASE_URL is a URL");
                url.set_path(&name);
                TestDatabase::Postgres {
                    admin_url: admin_url.clone(),
                    name,
                    url: url.to_string(),
                }
            }
        }
    }

    fn url(&self) -> String {
        match self {
            TestDatabase::Sqlite(dir) => format!("sqlite://{}/idp.db", dir.path().display()),
            TestDatabase::Postgres { url, .. } => url.clone(),
            TestDatabase::Shared(url) => url.clone(),
            TestDatabase::Through { url, .. } => url.clone(),
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let TestDatabase::Postgres {
            admin_url, name, ..
        } = self
        else {
            return;
        };
        let (admin_url, name) = (admin_url.clone(), name.clone());
        let shown = name.clone();
        // Drop runs inside the test's runtime, which cannot block on itself: use a thread with a
        // runtime of its own. FORCE ends the server's pooled connections.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime for cleanup");
            runtime.block_on(async {
                if let Ok(admin) = Db::connect(&admin_url, 1).await {
                    let _ = idp::with_pool!(&admin, pool => sqlx::query(&format!(
                        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                    ))
                    .execute(pool)
                    .await
                    .map(|_| ()));
                    admin.close().await;
                }
            });
        })
        .join();
        if dropped.is_err() {
            eprintln!("could not drop test database {shown}");
        }
    }
}
