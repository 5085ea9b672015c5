#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test
//! The SDK as a carrier developer meets it: the two programs of `sdk/README.md` (a reporting
//! job and an axum app that signs users in), taken from the README's very lines, built as a
//! crate of their own outside this workspace with the `Cargo.toml` lines the README gives, and
//! run against a live provider. A test binary of its own, so that its build does not compete
//! with the other tests for the machine (cargo runs test binaries one after another).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use integration_tests::{Backend, TestApp, location, spawn_app, through_provider_pages};

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The README's programs by the name of the `<!-- program: NAME -->` marker before them, and
/// the dependency lines of its `toml` blocks.
fn readme() -> (Vec<(String, String)>, Vec<String>) {
    let text = std::fs::read_to_string(repository().join("sdk/README.md")).unwrap();
    let mut programs = Vec::new();
    let mut dependencies = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if let Some(name) = line
            .strip_prefix("<!-- program: ")
            .and_then(|rest| rest.strip_suffix(" -->"))
        {
            assert!(lines.next().unwrap().starts_with("```rust"), "{name}");
            let code: Vec<&str> = lines.by_ref().take_while(|l| *l != "```").collect();
            programs.push((name.to_owned(), code.join("\n")));
        } else if line == "```toml" {
            for l in lines.by_ref().take_while(|l| *l != "```") {
                if !l.starts_with('[') && !l.trim().is_empty() {
                    dependencies.push(l.to_owned());
                }
            }
        }
    }
    (programs, dependencies)
}

/// Writes the crate and builds it (its own target folder under this repository's, kept
/// between runs); returns the folder of its binaries.
fn build(programs: &[(String, String)], dependencies: &[String]) -> PathBuf {
    let sdk = repository().join("sdk").canonicalize().unwrap();
    let root = tempfile::tempdir().unwrap().keep();
    let mut manifest = String::from(
        "[package]\nname = \"readme-programs\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n\
         # A workspace of its own: nothing of the SDK's repository is borrowed.\n[workspace]\n\n",
    );
    for (name, _) in programs {
        manifest.push_str(&format!(
            "[[bin]]\nname = \"{name}\"\npath = \"src/{name}.rs\"\n\n"
        ));
    }
    manifest.push_str("[dependencies]\n");
    for line in dependencies {
        // The README's path is relative to a project beside the SDK; here it is absolute.
        manifest.push_str(&line.replace("path = \"../sdk\"", &format!("path = {:?}", sdk)));
        manifest.push('\n');
    }
    std::fs::create_dir_all(root.join("src")).unwrap();
    std::fs::write(root.join("Cargo.toml"), manifest).unwrap();
    for (name, code) in programs {
        std::fs::write(root.join(format!("src/{name}.rs")), code).unwrap();
    }
    // The versions this repository is tested with, and no download: everything needed is in
    // the registry cache already.
    std::fs::copy(repository().join("Cargo.lock"), root.join("Cargo.lock")).unwrap();
    let target = repository().join("target/readme-programs");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args(["build", "--offline", "--bins"])
        .current_dir(&root)
        .env("CARGO_TARGET_DIR", &target)
        .env_remove("RUSTFLAGS")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "the README's programs do not build:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let _ = std::fs::remove_dir_all(&root);
    target.join("debug")
}

/// A child process killed when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_readme_programs_build_on_their_own_and_work_against_the_provider() {
    let (programs, dependencies) = readme();
    let names: Vec<&str> = programs.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["reporting-job", "axum-login"]);
    let bin = tokio::task::spawn_blocking(move || build(&programs, &dependencies))
        .await
        .unwrap();

    let app = spawn_app(Backend::Sqlite).await;
    app.load_demo().await;
    reporting_job(&app, &bin).await;
    axum_login(&app, &bin).await;
}

/// The reporting job reports its base and reads it back.
async fn reporting_job(app: &TestApp, bin: &Path) {
    let registered = app
        .carrier_job(
            "README reporting job",
            "catalogue:carrier:read catalogue:carrier:write",
        )
        .await;
    let (program, issuer) = (bin.join("reporting-job"), app.address.clone());
    let (id, secret) = (registered.client_id, registered.client_secret.unwrap());
    let run = move || {
        Command::new(&program)
            .env("NX_ISSUER", &issuer)
            .env("NX_CLIENT_ID", &id)
            .env("NX_CLIENT_SECRET", &secret)
            .output()
            .unwrap()
    };
    let first = tokio::task::spawn_blocking(run.clone()).await.unwrap();
    let said = String::from_utf8_lossy(&first.stdout);
    assert!(
        first.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert_eq!(
        said,
        "1 created, 0 updated\n1 records; 0 earlier versions\n"
    );
    // Run again: the same batch key answers as before (idempotent), nothing new is stored.
    let again = tokio::task::spawn_blocking(run).await.unwrap();
    assert!(again.status.success());
    assert_eq!(String::from_utf8_lossy(&again.stdout), said);
}

/// The axum app signs the demo carrier operator in through the provider's pages.
async fn axum_login(app: &TestApp, bin: &Path) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let registered = app
        .register_client(idp::oauth::clients::ClientSpec {
            name: "README axum app".into(),
            redirect_uris: vec![format!("{base}/callback")],
            scope: "openid profile".into(),
            ..Default::default()
        })
        .await;
    let _running = Running(
        Command::new(bin.join("axum-login"))
            .env("NX_ISSUER", &app.address)
            .env("NX_CLIENT_ID", &registered.client_id)
            .env(
                "NX_CLIENT_SECRET",
                registered.client_secret.as_deref().unwrap(),
            )
            .env("NX_REDIRECT_URI", format!("{base}/callback"))
            .env("NX_LISTEN", format!("127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let browser = app.new_browser();
    let mut home = String::new();
    for _ in 0..200 {
        if let Ok(response) = browser.get(&base).send().await {
            home = response.text().await.unwrap();
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(home, "not signed in: open /login");

    let login = location(&browser.get(format!("{base}/login")).send().await.unwrap());
    let next = through_provider_pages(&browser, &app.address, &login, "carrier").await;
    assert!(next.contains("iss="), "the callback carries iss: {next}");
    let back = browser.get(&next).send().await.unwrap();
    assert_eq!(location(&back), "/");
    let home = browser
        .get(&base)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(home, "signed in as 载体运营王工");
    // The pending login was used up: the same callback again is refused.
    let replayed = browser.get(&next).send().await.unwrap();
    assert_eq!(replayed.status(), 400);
}
