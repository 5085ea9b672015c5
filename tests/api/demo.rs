use idp::accounts;
use integration_tests::{Backend, backend_tests, spawn_app};

backend_tests!(
    demo_data_has_every_role_and_loading_twice_changes_nothing,
    the_demo_client_has_a_redirect_uri_free_for_experiments,
);

/// The SDK can be tried against the demo client while the example app holds port 3000.
async fn the_demo_client_has_a_redirect_uri_free_for_experiments(backend: Backend) {
    let app = spawn_app(backend).await;
    app.load_demo().await;
    let client = nx_sdk::Client::discover(
        &app.address,
        idp::demo::CARRIER_APP_CLIENT_ID,
        Some(idp::demo::CARRIER_APP_SECRET.to_owned()),
    )
    .await
    .unwrap();
    for (uri, accepted) in [
        (idp::demo::CARRIER_APP_REDIRECT_URI, true),
        (idp::demo::EXPERIMENT_REDIRECT_URI, true),
        ("http://127.0.0.1:3002/callback", false),
    ] {
        let request = client
            .clone()
            .with_redirect_uri(uri)
            .unwrap()
            .authorize_url(&["openid"]);
        let response = app.client.get(request.url.as_str()).send().await.unwrap();
        let to_login = response.status() == 303
            && integration_tests::location(&response).starts_with("/login");
        assert_eq!(to_login, accepted, "{uri}: {}", response.status());
    }
}

async fn demo_data_has_every_role_and_loading_twice_changes_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let first = idp::demo::load(&app.db, 1_700_000_000).await.unwrap();
    assert_eq!(first.created, 16);
    for role in accounts::Role::ALL {
        assert!(
            first.users.iter().any(|u| u.role == *role),
            "no demo user has role {role}"
        );
    }
    for kind in accounts::OrganisationKind::ALL {
        assert!(first.organisations.iter().any(|o| o.kind == *kind));
    }

    let second = idp::demo::load(&app.db, 1_800_000_000).await.unwrap();
    assert_eq!(second.created, 0);
    let users = accounts::list_users(&app.db).await.unwrap();
    assert_eq!(users.len(), first.users.len());
    let admin = users.iter().find(|u| u.username == "admin").unwrap();
    assert_eq!(
        admin.created_at, 1_700_000_000,
        "the first load's user is kept as it was"
    );
    assert_eq!(admin.roles, vec![accounts::Role::Admin]);
}
