#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test
//! Two instances on one PostgreSQL database behind nginx, started by `deploy/two-instances.sh`
//! as an operator would: while uploads and refresh-token rotations keep going through nginx,
//! each instance in turn is stopped and started again, and a user signs in while one is down.
//! No request fails (a stopping instance finishes what it serves; nginx sends the rest to the
//! other), and every acknowledged upload is there afterwards.
//!
//! Needs nginx and PostgreSQL (`TEST_DATABASE_URL`); without them it says so and passes, unless
//! `REQUIRE_NGINX=1` (set by `.ci/run`, which installs nginx) makes that a failure.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use integration_tests::{Backend, EmptyDatabase, through_provider_pages};
use nx_sdk::Client;

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The script with this test's ports, database and state folder.
struct Deployment {
    env: Vec<(&'static str, String)>,
    idp: PathBuf,
    database_url: String,
    public: String,
}

impl Deployment {
    fn script(&self, args: &[&str]) {
        let output = Command::new(repository().join("deploy/two-instances.sh"))
            .args(args)
            .envs(self.env.iter().map(|(k, v)| (*k, v.as_str())))
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "two-instances.sh {args:?}: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }

    fn idp(&self, args: &[&str]) -> serde_json::Value {
        let output = Command::new(&self.idp)
            .args(["--database-url", &self.database_url])
            .args(args)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).unwrap()
    }
}

impl Drop for Deployment {
    fn drop(&mut self) {
        if std::thread::panicking() {
            // What nginx and the instances said, to see why.
            let state = self
                .env
                .iter()
                .find(|(k, _)| *k == "STATE_DIR")
                .map(|(_, v)| v.clone());
            for file in ["nginx-error.log", "a.log", "b.log"] {
                if let Some(state) = &state
                    && let Ok(text) = std::fs::read_to_string(Path::new(state).join(file))
                {
                    let tail: Vec<&str> = text.lines().rev().take(15).collect();
                    eprintln!(
                        "--- {file}\n{}",
                        tail.into_iter().rev().collect::<Vec<_>>().join("\n")
                    );
                }
            }
        }
        let _ = Command::new(repository().join("deploy/two-instances.sh"))
            .arg("stop")
            .envs(self.env.iter().map(|(k, v)| (*k, v.as_str())))
            .output();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_behind_nginx_lose_nothing_while_each_restarts() {
    let required = std::env::var_os("REQUIRE_NGINX").is_some();
    let nginx = Command::new("nginx").arg("-v").output().is_ok();
    let Some(backend) = Backend::postgres().filter(|_| nginx) else {
        assert!(
            !required,
            "REQUIRE_NGINX is set but nginx or PostgreSQL is missing"
        );
        eprintln!("skipped: needs nginx and TEST_DATABASE_URL");
        return;
    };
    let database = EmptyDatabase::create(&backend).await;
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repository().join("target"));
    let idp = target.join("debug/idp");
    assert!(
        idp.exists(),
        "{} is built by cargo test --workspace",
        idp.display()
    );
    let state = tempfile::tempdir().unwrap();
    let public_port = free_port();
    let deployment = Deployment {
        env: vec![
            ("IDP_BIN", idp.display().to_string()),
            ("DATABASE_URL", database.url()),
            ("PUBLIC_PORT", public_port.to_string()),
            ("PORT_A", free_port().to_string()),
            ("PORT_B", free_port().to_string()),
            ("STATE_DIR", state.path().display().to_string()),
        ],
        idp,
        database_url: database.url(),
        public: format!("http://127.0.0.1:{public_port}"),
    };
    deployment.script(&["start"]);
    let demo = deployment.idp(&["demo", "--json"]);
    let job = deployment.idp(&[
        "client",
        "add",
        "--name",
        "nginx job",
        "--organisation",
        "银川演示众创空间",
        "--scope",
        "catalogue:carrier:read catalogue:carrier:write",
        "--grant",
        "client_credentials",
        "--json",
    ]);
    let web = &demo["clients"][0];
    let web = Client::discover(
        &deployment.public,
        web["client_id"].as_str().unwrap(),
        Some(web["client_secret"].as_str().unwrap().to_owned()),
    )
    .await
    .unwrap()
    .with_redirect_uri(web["redirect_uri"].as_str().unwrap())
    .unwrap();
    let machine = Client::discover(
        &deployment.public,
        job["client_id"].as_str().unwrap(),
        Some(job["client_secret"].as_str().unwrap().to_owned()),
    )
    .await
    .unwrap();
    let token = machine
        .client_credentials(&["catalogue:carrier:read", "catalogue:carrier:write"])
        .await
        .unwrap()
        .access_token;
    let login = sign_in(&deployment.public, &web).await;

    // Uploads and refresh rotations keep going through nginx.
    let stop = Arc::new(AtomicBool::new(false));
    let failures = Arc::new(Mutex::new(Vec::<String>::new()));
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let uploads = {
        let (stop, failures, acknowledged) = (stop.clone(), failures.clone(), acknowledged.clone());
        let (http, url, token) = (
            reqwest::Client::new(),
            format!("{}/api/catalogue/carrier", deployment.public),
            token.clone(),
        );
        tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(Ordering::SeqCst) {
                let key = format!("BASE-NGINX-{n}");
                let record =
                    serde_json::json!({"BASE_CODE": key, "ENTERPRISE_NAME": "负载均衡后的基地"});
                match http
                    .post(&url)
                    .bearer_auth(&token)
                    .json(&record)
                    .send()
                    .await
                {
                    Ok(r) if r.status() == 200 => acknowledged.lock().unwrap().push(key),
                    Ok(r) => failures
                        .lock()
                        .unwrap()
                        .push(format!("upload {key}: {}", r.status())),
                    Err(e) => failures.lock().unwrap().push(format!("upload {key}: {e}")),
                }
                n += 1;
            }
        })
    };
    let refreshes = {
        let (stop, failures, web) = (stop.clone(), failures.clone(), web.clone());
        let mut current = login.tokens.refresh_token.clone().unwrap();
        tokio::spawn(async move {
            let mut rotated = 0;
            while !stop.load(Ordering::SeqCst) {
                match web.refresh(&current).await {
                    Ok(tokens) => {
                        current = tokens.refresh_token.unwrap();
                        rotated += 1;
                    }
                    Err(e) => {
                        failures.lock().unwrap().push(format!("refresh: {e}"));
                        break;
                    }
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            rotated
        })
    };

    for instance in ["a", "b"] {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let d = &deployment;
        tokio::task::block_in_place(|| d.script(&["stop-instance", instance]));
        // A user signs in while one instance is down.
        sign_in(&deployment.public, &web).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        tokio::task::block_in_place(|| d.script(&["start-instance", instance]));
        // nginx counts an instance it found down as failed for a second (fail_timeout): the
        // next one is stopped only once this one is back in its rotation.
        tokio::time::sleep(Duration::from_millis(1500)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, Ordering::SeqCst);
    uploads.await.unwrap();
    let rotated = refreshes.await.unwrap();

    let failures = failures.lock().unwrap().clone();
    assert!(failures.is_empty(), "requests failed: {failures:?}");
    assert!(rotated > 10, "only {rotated} refreshes");
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(
        acknowledged.len() > 20,
        "only {} uploads",
        acknowledged.len()
    );
    let http = reqwest::Client::new();
    for key in acknowledged {
        let status = http
            .get(format!("{}/api/catalogue/carrier/{key}", deployment.public))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 200, "{key} was acknowledged and is gone");
    }
    drop(deployment);
}

/// The demo carrier operator signs in through the provider's pages behind nginx; the code
/// comes back on the registered redirect URI (nobody listens there: its location is enough).
async fn sign_in(public: &str, client: &Client) -> nx_sdk::Login {
    let request = client.authorize_url(&["openid", "profile", "offline_access"]);
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .unwrap();
    let callback = through_provider_pages(&browser, public, request.url.as_str(), "carrier").await;
    let url = url::Url::parse(&callback).unwrap();
    let query: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
    client
        .check_callback(
            &request.state,
            &query["state"],
            query.get("iss").map(String::as_str),
        )
        .unwrap();
    client
        .exchange_code(&query["code"], request.pkce_verifier, &request.nonce)
        .await
        .unwrap()
}
