//! Load generator for the token and introspection endpoints: N concurrent connections, each
//! its own HTTP/1.1 keep-alive client, for a fixed time; prints requests/s and latency
//! percentiles. Bounded in time and aimed only at the URL given (loopback in `bench/run.sh`).

use std::time::{Duration, Instant};

fn arg(name: &str, default: &str) -> String {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
        .unwrap_or_else(|| default.to_owned())
}

#[tokio::main]
async fn main() {
    let url = arg("--url", "http://127.0.0.1:8080");
    let client_id = arg("--client-id", "");
    let secret = arg("--secret", "");
    let mode = arg("--mode", "client_credentials");
    let connections: usize = arg("--connections", "64")
        .parse()
        .expect("--connections is a number");
    let seconds: u64 = arg("--seconds", "10")
        .parse()
        .expect("--seconds is a number");
    let scope = arg("--scope", "catalogue:enterprise:write");

    // Introspection needs a token to look at.
    let setup = reqwest::Client::new();
    let token: serde_json::Value = setup
        .post(format!("{url}/token"))
        .basic_auth(&client_id, Some(&secret))
        .form(&[
            ("grant_type", "client_credentials"),
            ("scope", scope.as_str()),
        ])
        .send()
        .await
        .expect("the server answers")
        .json()
        .await
        .expect("a token response");
    let token = token["access_token"]
        .as_str()
        .expect("an access token")
        .to_owned();

    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let (url, client_id, secret, mode, scope, token) = (
            url.clone(),
            client_id.clone(),
            secret.clone(),
            mode.clone(),
            scope.clone(),
            token.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let http = reqwest::Client::builder()
                .pool_max_idle_per_host(1)
                .build()
                .expect("a client");
            let mut latencies = Vec::new();
            let mut errors = 0u64;
            while Instant::now() < deadline {
                let started = Instant::now();
                let request = match mode.as_str() {
                    "introspect" => http
                        .post(format!("{url}/introspect"))
                        .basic_auth(&client_id, Some(&secret))
                        .form(&[("token", token.as_str())]),
                    _ => http
                        .post(format!("{url}/token"))
                        .basic_auth(&client_id, Some(&secret))
                        .form(&[
                            ("grant_type", "client_credentials"),
                            ("scope", scope.as_str()),
                        ]),
                };
                match request.send().await {
                    Ok(r) if r.status().is_success() => {
                        let _ = r.bytes().await;
                        latencies.push(started.elapsed());
                    }
                    _ => errors += 1,
                }
            }
            (latencies, errors)
        }));
    }
    let mut all = Vec::new();
    let mut errors = 0;
    for task in tasks {
        let (latencies, e) = task.await.expect("a worker finished");
        all.extend(latencies);
        errors += e;
    }
    all.sort_unstable();
    let pct = |p: f64| {
        all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    println!(
        "{mode}: {} requests in {seconds} s = {:.0}/s, p50 {:.1} ms, p99 {:.1} ms, errors {errors}",
        all.len(),
        all.len() as f64 / seconds as f64,
        pct(0.50).as_secs_f64() * 1000.0,
        pct(0.99).as_secs_f64() * 1000.0,
    );
}
