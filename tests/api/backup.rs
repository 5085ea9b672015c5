//! Backups that restore: one taken while records keep arriving holds every record acknowledged
//! before it began, with all its versions, and the restored database serves them; restoring
//! over a database in use, or one that holds data, is refused unless forced.

use std::sync::{Arc, Mutex};

use integration_tests::{
    Backend, EmptyDatabase, TestApp, backend_tests, spawn_app, spawn_app_on_database,
};
use serde_json::{Value, json};

backend_tests!(a_backup_taken_during_uploads_restores_every_acknowledged_record);

async fn report(app: &TestApp, token: &str, records: Value) -> reqwest::StatusCode {
    app.client
        .post(app.url("/api/catalogue/carrier"))
        .bearer_auth(token)
        .json(&records)
        .send()
        .await
        .unwrap()
        .status()
}

fn carrier(code: &str, name: &str) -> Value {
    json!({"BASE_CODE": code, "ENTERPRISE_NAME": name})
}

async fn a_backup_taken_during_uploads_restores_every_acknowledged_record(backend: Backend) {
    let app = spawn_app(backend.clone()).await;
    app.load_demo().await;
    let scope = "catalogue:carrier:read catalogue:carrier:write";
    let job = app.carrier_job("backup test job", scope).await;
    let token = app.machine_token(&job, scope).await;
    // Ten bases, each reported three times with a new name: three versions apiece.
    for version in 1..=3 {
        let batch: Vec<Value> = (0..10)
            .map(|i| carrier(&format!("BASE-B-{i}"), &format!("基地 {i} 第 {version} 版")))
            .collect();
        assert_eq!(report(&app, &token, Value::Array(batch)).await, 200);
    }

    // Uploads keep arriving while the backup is taken; each acknowledged key is noted.
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let uploads = {
        let (acknowledged, stop) = (acknowledged.clone(), stop.clone());
        let (client, url, token) = (
            app.client.clone(),
            app.url("/api/catalogue/carrier"),
            token.clone(),
        );
        tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                let key = format!("BASE-LIVE-{n}");
                let status = client
                    .post(&url)
                    .bearer_auth(&token)
                    .json(&carrier(&key, "持续上报的基地"))
                    .send()
                    .await
                    .map(|r| r.status().as_u16());
                if matches!(status, Ok(200)) {
                    acknowledged.lock().unwrap().push(key);
                }
                n += 1;
            }
        })
    };
    while acknowledged.lock().unwrap().len() < 5 {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("idp.backup");
    let before: Vec<String> = acknowledged.lock().unwrap().clone();
    idp::backup::backup(&app.database_url, &file).await.unwrap();
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    uploads.await.unwrap();
    assert!(
        acknowledged.lock().unwrap().len() > before.len(),
        "uploads went on during the backup"
    );
    // A backup never overwrites a file.
    assert!(matches!(
        idp::backup::backup(&app.database_url, &file).await,
        Err(idp::backup::BackupError::TargetExists(_))
    ));
    // The running server's database is not restored over.
    let refused = idp::backup::restore(&app.database_url, &file, false).await;
    assert!(
        matches!(
            refused,
            Err(idp::backup::BackupError::InUse(_) | idp::backup::BackupError::HoldsData(_))
        ),
        "{refused:?}"
    );

    let target = EmptyDatabase::create(&backend).await;
    idp::backup::restore(&target.url(), &file, false)
        .await
        .unwrap();
    let restored = spawn_app_on_database(target).await;
    // The restored server knows the client, its keys and every record acknowledged before the
    // backup began, with all its versions.
    let token = restored.machine_token(&job, scope).await;
    let read = |key: String| {
        let (restored, token) = (&restored, &token);
        async move {
            let response = restored
                .client
                .get(restored.url(&format!("/api/catalogue/carrier/{key}")))
                .bearer_auth(token)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200, "{key}");
            response.json::<Value>().await.unwrap()
        }
    };
    for i in 0..10 {
        let record = read(format!("BASE-B-{i}")).await;
        assert_eq!(
            record["current"]["record"]["ENTERPRISE_NAME"],
            format!("基地 {i} 第 3 版")
        );
        assert_eq!(record["history"].as_array().unwrap().len(), 2, "{record}");
    }
    for key in before {
        read(key).await;
    }
}
