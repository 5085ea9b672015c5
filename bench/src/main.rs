//! Load benchmarks of the identity provider: many concurrent keep-alive connections for a fixed
//! time against a running server, printing requests per second and latency percentiles. Every
//! loop is bounded by its duration and aimed only at the URL given (loopback in `run.sh`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand};
use serde_json::Value;

#[derive(Parser)]
struct Cli {
    /// The server's base URL.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    url: String,
    /// The server's database, for seeding what a benchmark needs (clients, refresh chains).
    #[arg(long)]
    database_url: String,
    #[arg(long, default_value_t = 64)]
    connections: usize,
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    #[command(subcommand)]
    what: What,
}

#[derive(Subcommand, Clone, Copy)]
enum What {
    /// POST /token with grant_type=client_credentials.
    ClientCredentials,
    /// POST /introspect of a valid access token.
    Introspect,
    /// POST /token with grant_type=refresh_token, each connection rotating its own chain.
    Refresh,
    /// Whole logins: authorize, login form, code, token exchange (consent already given).
    Login,
    /// Raw argon2id password verifications on all cores, for comparison with `login`.
    Argon2,
    /// Seeds one refresh chain per connection and prints them with the client's credentials
    /// (one per line: client id, secret, then the tokens), for `bench/wrk_refresh.lua`.
    SeedRefresh,
}

struct Report {
    latencies: Vec<Duration>,
    errors: u64,
}

fn print(name: &str, seconds: u64, mut latencies: Vec<Duration>, errors: u64) {
    latencies.sort_unstable();
    let at = |p: f64| {
        let i = ((latencies.len() as f64) * p) as usize;
        latencies
            .get(i.min(latencies.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    println!(
        "{name}: {:.0}/s ({} in {seconds} s), p50 {:.1} ms, p99 {:.1} ms, errors {errors}",
        latencies.len() as f64 / seconds as f64,
        latencies.len(),
        at(0.50).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3,
    );
}

#[tokio::main]
async fn main() -> anyhow_free::Result {
    let cli = Cli::parse();
    let db = idp::db::Db::connect(&cli.database_url, 4)
        .await
        .map_err(|e| e.to_string())?;
    let now = idp::clock::Clock::now(&idp::clock::SystemClock);
    let registered = idp::oauth::clients::register(
        &db,
        idp::oauth::clients::ClientSpec {
            name: "benchmark".into(),
            redirect_uris: vec!["http://127.0.0.1:9/cb".into()],
            scope: "openid offline_access catalogue:enterprise:write".into(),
            ..Default::default()
        },
        now,
    )
    .await
    .map_err(|e| e.to_string())?;
    let client_id = Arc::new(registered.client.client_id.clone());
    let secret = Arc::new(registered.client_secret.clone().unwrap_or_default());
    let deadline = Instant::now() + Duration::from_secs(cli.seconds);

    if let What::Argon2 = cli.what {
        let stored = idp::accounts::password::hash("benchmark-password".into())
            .await
            .map_err(|e| e.to_string())?;
        let mut workers = Vec::new();
        for _ in 0..std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2)
        {
            let stored = stored.clone();
            workers.push(tokio::spawn(async move {
                let mut latencies = Vec::new();
                while Instant::now() < deadline {
                    let started = Instant::now();
                    assert!(
                        idp::accounts::password::verify(
                            "benchmark-password".into(),
                            Some(stored.clone())
                        )
                        .await
                    );
                    latencies.push(started.elapsed());
                }
                latencies
            }));
        }
        let mut all = Vec::new();
        for w in workers {
            all.extend(w.await.map_err(|e| e.to_string())?);
        }
        print("argon2id verify", cli.seconds, all, 0);
        return Ok(());
    }

    // One refresh chain per connection, seeded directly: a grant for the demo user.
    let mut chains = Vec::new();
    if let What::Refresh | What::SeedRefresh = cli.what {
        let user = idp::accounts::find_user_by_username(&db, "enterprise")
            .await
            .map_err(|e| e.to_string())?
            .ok_or("run `idp demo` on this database first")?;
        for _ in 0..cli.connections {
            let mut tx = db.begin().await.map_err(|e| e.to_string())?;
            let grant = idp::oauth::grants::create_grant(
                &mut tx,
                idp::oauth::grants::NewGrant {
                    client_id: &client_id,
                    user_id: Some(&user.id),
                    session_id: None,
                    scope: "openid offline_access",
                    auth_time: now,
                    lifetime: 86_400,
                },
                now,
            )
            .await
            .map_err(|e| e.to_string())?;
            let token = idp::oauth::grants::issue_refresh(&mut tx, &grant, now, 86_400)
                .await
                .map_err(|e| e.to_string())?;
            tx.commit().await.map_err(|e| e.to_string())?;
            chains.push(token.into_string());
        }
    }
    if let What::SeedRefresh = cli.what {
        println!("{client_id}");
        println!("{secret}");
        for chain in &chains {
            println!("{chain}");
        }
        return Ok(());
    }
    if let What::Login = cli.what {
        // One user per connection, as many people sign in at once: the throttle lets one
        // account check at most three passwords at a time from one address, since any of them
        // may be wrong. Each consents once, so that the measured logins are login + code +
        // token.
        let enterprise = idp::accounts::find_user_by_username(&db, "enterprise")
            .await
            .map_err(|e| e.to_string())?
            .ok_or("run `idp demo` on this database first")?;
        let browser = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| e.to_string())?;
        for i in 0..LOGIN_CONNECTIONS {
            let username = login_user(i);
            if idp::accounts::find_user_by_username(&db, &username)
                .await
                .map_err(|e| e.to_string())?
                .is_none()
            {
                idp::accounts::create_user(
                    &db,
                    idp::accounts::NewUser {
                        username: username.clone(),
                        password: idp::demo::DEMO_PASSWORD.to_owned(),
                        display_name: format!("登录基准用户 {i}"),
                        email: None,
                        phone: None,
                        organisation_id: enterprise.organisation_id.clone(),
                        roles: enterprise.roles.clone(),
                    },
                    idp::clock::Clock::now(&idp::clock::SystemClock),
                )
                .await
                .map_err(|e| e.to_string())?;
            }
            login_once(&browser, &cli.url, &client_id, &secret, &username, true).await?;
        }
    }
    db.close().await;

    let http_setup = reqwest::Client::new();
    let access_token = if let What::Introspect = cli.what {
        let body: Value = http_setup
            .post(format!("{}/token", cli.url))
            .basic_auth(client_id.as_str(), Some(secret.as_str()))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .map_err(|e| e.to_string())?
            .json()
            .await
            .map_err(|e| e.to_string())?;
        body["access_token"].as_str().unwrap_or_default().to_owned()
    } else {
        String::new()
    };

    let connections = if let What::Login = cli.what {
        cli.connections.min(LOGIN_CONNECTIONS)
    } else {
        cli.connections
    };
    let mut workers = Vec::new();
    for i in 0..connections {
        let (url, client_id, secret, access_token) = (
            cli.url.clone(),
            client_id.clone(),
            secret.clone(),
            access_token.clone(),
        );
        let mut refresh = chains.get(i).cloned().unwrap_or_default();
        let what = cli.what;
        workers.push(tokio::spawn(async move {
            let http = reqwest::Client::builder()
                .pool_max_idle_per_host(1)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("an HTTP client");
            let mut report = Report {
                latencies: Vec::new(),
                errors: 0,
            };
            while Instant::now() < deadline {
                let started = Instant::now();
                let ok = match what {
                    What::ClientCredentials => http
                        .post(format!("{url}/token"))
                        .basic_auth(client_id.as_str(), Some(secret.as_str()))
                        .form(&[
                            ("grant_type", "client_credentials"),
                            ("scope", "catalogue:enterprise:write"),
                        ])
                        .send()
                        .await
                        .is_ok_and(|r| r.status().is_success()),
                    What::Introspect => match http
                        .post(format!("{url}/introspect"))
                        .basic_auth(client_id.as_str(), Some(secret.as_str()))
                        .form(&[("token", access_token.as_str())])
                        .send()
                        .await
                    {
                        Ok(r) => r.json::<Value>().await.is_ok_and(|b| b["active"] == true),
                        Err(_) => false,
                    },
                    What::Refresh => match http
                        .post(format!("{url}/token"))
                        .basic_auth(client_id.as_str(), Some(secret.as_str()))
                        .form(&[
                            ("grant_type", "refresh_token"),
                            ("refresh_token", refresh.as_str()),
                        ])
                        .send()
                        .await
                    {
                        Ok(r) if r.status().is_success() => match r.json::<Value>().await {
                            Ok(body) => {
                                refresh = body["refresh_token"]
                                    .as_str()
                                    .unwrap_or_default()
                                    .to_owned();
                                true
                            }
                            Err(_) => false,
                        },
                        _ => false,
                    },
                    What::Login => {
                        login_once(&http, &url, &client_id, &secret, &login_user(i), false)
                            .await
                            .is_ok()
                    }
                    What::Argon2 | What::SeedRefresh => false,
                };
                if ok {
                    report.latencies.push(started.elapsed());
                } else {
                    report.errors += 1;
                    if matches!(what, What::Refresh) {
                        // A broken chain cannot continue.
                        break;
                    }
                }
            }
            report
        }));
    }
    let (mut all, mut errors) = (Vec::new(), 0);
    for w in workers {
        let report = w.await.map_err(|e| e.to_string())?;
        all.extend(report.latencies);
        errors += report.errors;
    }
    let name = match cli.what {
        What::ClientCredentials => "client_credentials",
        What::Introspect => "introspect",
        What::Refresh => "refresh_token",
        What::Login => "login",
        What::Argon2 => "argon2",
        What::SeedRefresh => "seed",
    };
    print(name, cli.seconds, all, errors);
    Ok(())
}

/// A browser's cookies for one login: kept by hand so that one HTTP client (and its
/// connection) serves many logins, each starting with no cookies, as a new visitor does.
/// Building a client with a cookie store per login cost the shared CPU more than the server's
/// own work for it.
#[derive(Default)]
struct Cookies(Vec<(String, String)>);

impl Cookies {
    fn header(&self) -> String {
        self.0
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn take(&mut self, response: &reqwest::Response) {
        for set in response.headers().get_all("set-cookie") {
            let Some((pair, attributes)) = set
                .to_str()
                .ok()
                .map(|v| v.split_once(';').unwrap_or((v, "")))
            else {
                continue;
            };
            let Some((name, value)) = pair.split_once('=') else {
                continue;
            };
            let (name, value) = (name.trim().to_owned(), value.trim().to_owned());
            self.0.retain(|(existing, _)| *existing != name);
            let removed = value.is_empty() || attributes.to_ascii_lowercase().contains("max-age=0");
            if !removed {
                self.0.push((name, value));
            }
        }
    }
}

/// Logins in flight at once (argon2 saturates the cores well before).
const LOGIN_CONNECTIONS: usize = 8;

/// The user connection `i` signs in as.
fn login_user(i: usize) -> String {
    format!("bench-login-{i}")
}

/// One whole login as a browser and the client's back end do it, over `http` (which must not
/// follow redirects).
async fn login_once(
    http: &reqwest::Client,
    url: &str,
    client_id: &str,
    secret: &str,
    username: &str,
    consent: bool,
) -> anyhow_free::Result {
    let mut cookies = Cookies::default();
    let location = |r: &reqwest::Response| -> Result<String, String> {
        r.headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .ok_or_else(|| format!("expected a redirect, got {}", r.status()))
    };
    let field = |html: &str, name: &str| -> Result<String, String> {
        let marker = format!("name=\"{name}\" value=\"");
        let start = html.find(&marker).ok_or("no field")? + marker.len();
        let end = html[start..].find('"').ok_or("no end")? + start;
        Ok(html[start..end].to_owned())
    };
    let send = async |cookies: &mut Cookies, request: reqwest::RequestBuilder| {
        let response = request
            .header("cookie", cookies.header())
            .send()
            .await
            .map_err(|e| e.to_string())?;
        cookies.take(&response);
        Ok::<_, String>(response)
    };

    let authorize = format!(
        "{url}/authorize?response_type=code&client_id={client_id}&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcb&scope=openid&state=s"
    );
    let r = send(&mut cookies, http.get(authorize)).await?;
    let login_path = location(&r)?;
    let page = send(&mut cookies, http.get(format!("{url}{login_path}")))
        .await?
        .text()
        .await
        .map_err(|e| e.to_string())?;
    let form = [
        ("csrf_token", field(&page, "csrf_token")?),
        ("username", username.to_owned()),
        ("password", idp::demo::DEMO_PASSWORD.to_owned()),
        ("return_to", field(&page, "return_to")?),
    ];
    let r = send(&mut cookies, http.post(format!("{url}/login")).form(&form)).await?;
    // The login answers with the client's redirect (or consent) directly; an older server went
    // through a resume page first.
    let mut next = location(&r)?;
    if next.starts_with('/') && next != "/consent" {
        let r = send(&mut cookies, http.get(format!("{url}{next}"))).await?;
        next = location(&r)?;
    }
    if consent && next == "/consent" {
        let page = send(&mut cookies, http.get(format!("{url}/consent")))
            .await?
            .text()
            .await
            .map_err(|e| e.to_string())?;
        let form = [
            ("csrf_token", field(&page, "csrf_token")?),
            ("decision", "allow".to_owned()),
        ];
        let r = send(
            &mut cookies,
            http.post(format!("{url}/consent")).form(&form),
        )
        .await?;
        next = location(&r)?;
    }
    let back = url::Url::parse(&next).map_err(|e| e.to_string())?;
    let code = back
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .ok_or("no code")?;
    let r = http
        .post(format!("{url}/token"))
        .basic_auth(client_id, Some(secret))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", "http://127.0.0.1:9/cb"),
        ])
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if r.status().is_success() {
        Ok(())
    } else {
        Err(format!("token exchange: {}", r.status()))
    }
}

/// Errors as text: a benchmark only reports them.
mod anyhow_free {
    pub type Result = std::result::Result<(), String>;
}
