#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test
//! The `idp` command line as an operator meets it: bad settings fail with one clear line on
//! stderr and a non-zero exit, never a panic or a backtrace.

use std::process::{Command, Output};

fn idp(dir: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_idp"));
    command.current_dir(dir).args(args).env_remove("RUST_LOG");
    for (key, _) in std::env::vars() {
        if key.starts_with("IDP__") {
            command.env_remove(key);
        }
    }
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("the idp binary runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// One readable line, no panic text.
fn assert_one_clear_error(output: &Output, needle: &str) {
    assert!(!output.status.success(), "expected failure: {output:?}");
    let text = stderr(output);
    assert!(text.contains(needle), "stderr lacks {needle:?}: {text}");
    assert!(!text.contains("panicked"), "{text}");
    assert!(!text.contains("backtrace"), "{text}");
    assert_eq!(
        text.trim_end().lines().count(),
        1,
        "one line expected: {text}"
    );
}

#[test]
fn help_explains_commands_and_settings() {
    let dir = tempfile::tempdir().unwrap();
    let output = idp(dir.path(), &["--help"], &[]);
    assert!(output.status.success());
    let text = String::from_utf8_lossy(&output.stdout);
    for needle in [
        "serve",
        "migrate",
        "demo",
        "IDP__DATABASE__URL",
        "--database-url",
        "sqlite://data/idp.db",
    ] {
        assert!(text.contains(needle), "--help lacks {needle}: {text}");
    }
}

#[test]
fn logs_to_a_pipe_carry_no_colour_codes() {
    let dir = tempfile::tempdir().unwrap();
    let output = idp(dir.path(), &["migrate"], &[("RUST_LOG", "debug")]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stderr(&output);
    assert!(!text.trim().is_empty(), "debug logging says something");
    assert!(
        !text.contains('\u{1b}'),
        "colour codes in piped logs: {text:?}"
    );
}

#[test]
fn migrate_creates_the_default_sqlite_file_and_folder() {
    let dir = tempfile::tempdir().unwrap();
    let output = idp(dir.path(), &["migrate"], &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(dir.path().join("data/idp.db").exists());
}

#[test]
fn unsupported_database_url_is_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let output = idp(
        dir.path(),
        &["migrate", "--database-url", "mysql://root@localhost/idp"],
        &[],
    );
    assert_one_clear_error(
        &output,
        "unsupported database URL mysql://root@localhost/idp",
    );
}

#[test]
fn unreachable_database_names_the_cause_and_hides_the_password() {
    let dir = tempfile::tempdir().unwrap();
    let output = idp(
        dir.path(),
        &[
            "migrate",
            "--database-url",
            "postgres://app:s3cret@127.0.0.1:1/idp",
        ],
        &[],
    );
    assert_one_clear_error(
        &output,
        "cannot connect to the database at postgres://app:***@127.0.0.1:1/idp",
    );
    assert!(stderr(&output).contains("refused"), "{}", stderr(&output));
    assert!(!stderr(&output).contains("s3cret"));
}

#[test]
fn malformed_database_url_is_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let output = idp(
        dir.path(),
        &[
            "migrate",
            "--database-url",
            "postgres://app:s3cret@[::1/idp",
        ],
        &[],
    );
    assert_one_clear_error(&output, "invalid database URL");
    assert!(!stderr(&output).contains("s3cret"));
}

#[test]
fn unknown_key_in_the_config_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("idp.toml");
    std::fs::write(
        &file,
        "listen = \"127.0.0.1:0\"\n[database]\nurll = \"sqlite://x.db\"\n",
    )
    .unwrap();
    let output = idp(
        dir.path(),
        &["--config", file.to_str().unwrap(), "migrate"],
        &[],
    );
    assert_one_clear_error(&output, "unknown field: found `urll`");
}

#[test]
fn unknown_key_in_the_environment_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let output = idp(dir.path(), &["migrate"], &[("IDP__LISTN", "127.0.0.1:9")]);
    assert_one_clear_error(&output, "unknown field: found `listn`");
}

/// A platform's section is checked by the platform before anything starts.
#[test]
fn a_platform_section_with_a_typo_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let output = idp(
        dir.path(),
        &["migrate"],
        &[("IDP__CROWDFUNDING__UNPAID_ORDR_TTL", "60")],
    );
    assert_one_clear_error(&output, "crowdfunding: unknown field `unpaid_ordr_ttl`");
    let output = idp(
        dir.path(),
        &["migrate"],
        &[("IDP__CROWDFUNDING__UNPAID_ORDER_TTL", "soon")],
    );
    assert_one_clear_error(&output, "crowdfunding: invalid type");
}

#[test]
fn missing_config_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let output = idp(dir.path(), &["--config", "nope.toml", "migrate"], &[]);
    assert_one_clear_error(&output, "configuration file nope.toml does not exist");
}

#[test]
fn settings_layers_apply_file_then_environment_then_flags() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("idp.toml");
    std::fs::write(&file, "[database]\nurl = \"sqlite://from-file/idp.db\"\n").unwrap();
    let config = file.to_str().unwrap();

    assert!(
        idp(dir.path(), &["--config", config, "migrate"], &[])
            .status
            .success()
    );
    assert!(dir.path().join("from-file/idp.db").exists());

    let env = [("IDP__DATABASE__URL", "sqlite://from-env/idp.db")];
    assert!(
        idp(dir.path(), &["--config", config, "migrate"], &env)
            .status
            .success()
    );
    assert!(dir.path().join("from-env/idp.db").exists());

    let flags = [
        "--config",
        config,
        "migrate",
        "--database-url",
        "sqlite://from-flag/idp.db",
    ];
    assert!(idp(dir.path(), &flags, &env).status.success());
    assert!(dir.path().join("from-flag/idp.db").exists());
}

#[test]
fn port_in_use_is_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = taken.local_addr().unwrap().to_string();
    let output = idp(dir.path(), &["serve", "--listen", &address], &[]);
    assert_one_clear_error(&output, &format!("cannot listen on {address}"));
    assert!(stderr(&output).contains("in use"), "{}", stderr(&output));
}

#[test]
fn demo_prints_json_and_a_second_run_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let first = idp(dir.path(), &["demo", "--json"], &[]);
    assert!(first.status.success(), "{}", stderr(&first));
    let first: serde_json::Value = serde_json::from_slice(&first.stdout).unwrap();
    // Seven organisations and eight users, one in each role.
    assert_eq!(first["created"], 16);
    assert_eq!(first["users"].as_array().unwrap().len(), 8);

    let second = idp(dir.path(), &["demo", "--json"], &[]);
    let second: serde_json::Value = serde_json::from_slice(&second.stdout).unwrap();
    assert_eq!(second["created"], 0);
    assert_eq!(first["users"], second["users"], "same users, same ids");
}

#[test]
fn client_and_user_commands_print_json_for_scripts() {
    let dir = tempfile::tempdir().unwrap();
    let output = idp(
        dir.path(),
        &[
            "client",
            "add",
            "--name",
            "门户",
            "--redirect-uri",
            "https://carrier.example/cb",
            "--scope",
            "openid profile",
            "--json",
        ],
        &[],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let client: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let client_id = client["client_id"].as_str().unwrap().to_owned();
    assert!(
        client["client_secret"]
            .as_str()
            .unwrap()
            .starts_with("nxcs_")
    );
    assert_eq!(
        client["grant_types"],
        serde_json::json!(["authorization_code", "refresh_token", "client_credentials"])
    );

    let output = idp(
        dir.path(),
        &[
            "client",
            "add",
            "--name",
            "app",
            "--redirect-uri",
            "http://127.0.0.1/cb",
            "--scope",
            "openid",
            "--public",
            "--json",
        ],
        &[],
    );
    let public: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(public["client_secret"].is_null());
    assert_eq!(
        public["grant_types"],
        serde_json::json!(["authorization_code", "refresh_token"])
    );

    let output = idp(
        dir.path(),
        &[
            "user",
            "add",
            "--username",
            "li",
            "--password",
            "long-enough-1",
            "--role",
            "enterprise",
            "--json",
        ],
        &[],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let user: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let sub = user["sub"].as_str().unwrap();
    assert_ne!(sub, client_id, "a client id never equals a user's sub");

    // A lost phone: the second factor is reset from the shell.
    let output = idp(dir.path(), &["user", "reset-second-factor", "li"], &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(String::from_utf8_lossy(&output.stdout).contains("no authenticator app"));
    let output = idp(dir.path(), &["user", "reset-second-factor", "nobody"], &[]);
    assert_one_clear_error(&output, "no user named nobody");

    // Logout tokens name users: they go over https (or to loopback) only.
    let output = idp(
        dir.path(),
        &[
            "client",
            "add",
            "--name",
            "app",
            "--redirect-uri",
            "https://carrier.example/cb",
            "--scope",
            "openid",
            "--backchannel-logout-uri",
            "http://carrier.example/logout",
        ],
        &[],
    );
    assert_one_clear_error(&output, "backchannel_logout_uri");

    let output = idp(
        dir.path(),
        &["client", "rotate-secret", &client_id, "--json"],
        &[],
    );
    let rotated: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_ne!(rotated["client_secret"], client["client_secret"]);

    let output = idp(dir.path(), &["client", "remove", &client_id], &[]);
    assert!(output.status.success());
    let output = idp(dir.path(), &["client", "show", &client_id], &[]);
    assert_one_clear_error(&output, "no client with id");
}

#[test]
fn bad_client_registrations_are_refused_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let output = idp(
        dir.path(),
        &[
            "client",
            "add",
            "--name",
            "x",
            "--redirect-uri",
            "http://carrier.example/cb",
            "--scope",
            "openid",
        ],
        &[],
    );
    assert_one_clear_error(&output, "http is only allowed for loopback");
    let output = idp(
        dir.path(),
        &[
            "client",
            "add",
            "--name",
            "x",
            "--redirect-uri",
            "https://c.example/cb",
            "--scope",
            "openid nonsense",
        ],
        &[],
    );
    assert_one_clear_error(&output, "unknown scope `nonsense`");
    let output = idp(
        dir.path(),
        &["user", "add", "--username", "x", "--password", "short"],
        &[],
    );
    assert_one_clear_error(&output, "at least 8 characters");
}

#[test]
fn keys_rotate_adds_a_current_key() {
    let dir = tempfile::tempdir().unwrap();
    assert!(idp(dir.path(), &["migrate"], &[]).status.success());
    let output = idp(
        dir.path(),
        &["keys", "rotate", "--algorithm", "EdDSA", "--json"],
        &[],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let rotated: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(rotated["alg"], "EdDSA");
    let output = idp(dir.path(), &["keys", "list", "--json"], &[]);
    let keys: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(keys[0]["kid"], rotated["kid"]);
}

/// In JSON mode every request's closing line names its route template, status and latency, and
/// who called (client id, subject), never a token or a secret.
#[test]
fn json_request_logs_name_the_route_and_the_caller() {
    use std::io::{Read, Write};
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/idp.db", dir.path().display());
    let created = idp(
        dir.path(),
        &[
            "--database-url",
            &db,
            "client",
            "add",
            "--name",
            "log reader",
            "--scope",
            "catalogue:carrier:read",
            "--grant",
            "client_credentials",
            "--json",
        ],
        &[],
    );
    assert!(created.status.success(), "{}", stderr(&created));
    let client: serde_json::Value = serde_json::from_slice(&created.stdout).unwrap();
    let (id, secret) = (
        client["client_id"].as_str().unwrap().to_owned(),
        client["client_secret"].as_str().unwrap().to_owned(),
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let address = format!("127.0.0.1:{port}");
    let mut server = Command::new(env!("CARGO_BIN_EXE_idp"))
        .current_dir(dir.path())
        .env_remove("RUST_LOG")
        .args(["--log-format", "json", "--database-url", &db, "serve"])
        .args([
            "--listen",
            &address,
            "--issuer",
            &format!("http://{address}"),
        ])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stream = None;
    for _ in 0..200 {
        if let Ok(s) = std::net::TcpStream::connect(&address) {
            stream = Some(s);
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let mut stream = stream.expect("the server listens");
    let body = format!("grant_type=client_credentials&client_id={id}&client_secret={secret}");
    write!(
        stream,
        "POST /token HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let token = answer
        .split("\"access_token\":\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    server.kill().unwrap();
    let _ = server.wait();
    let mut logs = String::new();
    server
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut logs)
        .unwrap();
    let closing = logs
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|l| l["span"]["route"] == "/token" && l.get("status").is_some())
        .unwrap_or_else(|| panic!("no closing line for /token in:\n{logs}"));
    assert_eq!(closing["status"], 200, "{closing}");
    assert!(closing.get("latency").is_some(), "{closing}");
    assert_eq!(closing["span"]["client_id"], id.as_str(), "{closing}");
    assert!(!logs.contains(&secret), "the secret is in the logs");
    assert!(!logs.contains(&token), "the token is in the logs");
}

/// `idp backup` and `idp restore` as an operator runs them; restoring over a database that
/// holds data takes `--force`.
#[test]
fn backup_and_restore_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let live = format!("sqlite://{}/live.db", dir.path().display());
    let copy = format!("sqlite://{}/copy.db", dir.path().display());
    let demo = idp(dir.path(), &["--database-url", &live, "demo"], &[]);
    assert!(demo.status.success(), "{}", stderr(&demo));
    let backup = idp(
        dir.path(),
        &["--database-url", &live, "backup", "--to", "live.backup"],
        &[],
    );
    assert!(backup.status.success(), "{}", stderr(&backup));
    assert!(stderr(&backup).contains("backup written to live.backup"));
    let again = idp(
        dir.path(),
        &["--database-url", &live, "backup", "--to", "live.backup"],
        &[],
    );
    assert_one_clear_error(&again, "live.backup exists already");
    let over = idp(
        dir.path(),
        &["--database-url", &live, "restore", "--from", "live.backup"],
        &[],
    );
    assert_one_clear_error(&over, "holds data");
    let restored = idp(
        dir.path(),
        &["--database-url", &copy, "restore", "--from", "live.backup"],
        &[],
    );
    assert!(restored.status.success(), "{}", stderr(&restored));
    let users = idp(dir.path(), &["--database-url", &copy, "user", "list"], &[]);
    assert!(users.status.success(), "{}", stderr(&users));
    assert!(String::from_utf8_lossy(&users.stdout).contains("carrier"));
}

#[test]
fn fund_verify_names_the_changed_contract_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    assert!(idp(dir.path(), &["demo"], &[]).status.success());
    let ok = idp(dir.path(), &["fund", "verify", "--json"], &[]);
    assert!(ok.status.success(), "{}", stderr(&ok));
    let ok: serde_json::Value = serde_json::from_slice(&ok.stdout).unwrap();
    assert_eq!(ok["intact"], true, "{ok}");
    assert!(
        ok["length"].as_i64().unwrap() >= 3,
        "the demo's approved loans: {ok}"
    );

    // Someone changes the second contract's principal in the database itself.
    let url = format!("sqlite://{}", dir.path().join("data/idp.db").display());
    let second: String = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            use sqlx::Connection;
            let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
            let (seq, no, body): (i64, String, String) = sqlx::query_as(
                "SELECT seq, contract_no, body FROM fund_contracts ORDER BY seq LIMIT 1 OFFSET 1",
            )
            .fetch_one(&mut conn)
            .await
            .unwrap();
            sqlx::query("UPDATE fund_contracts SET body = $1 WHERE seq = $2")
                .bind(body.replacen("\"principal_fen\":", "\"principal_fen\":9", 1))
                .bind(seq)
                .execute(&mut conn)
                .await
                .unwrap();
            no
        });
    let bad = idp(dir.path(), &["fund", "verify"], &[]);
    assert_eq!(bad.status.code(), Some(1), "{}", stderr(&bad));
    let out = String::from_utf8_lossy(&bad.stdout);
    assert!(out.contains(&second), "names {second}: {out}");
    assert!(out.contains("#2"), "{out}");
}
