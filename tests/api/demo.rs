use idp::accounts;
use integration_tests::{Backend, backend_tests, spawn_app};

backend_tests!(demo_data_has_every_role_and_loading_twice_changes_nothing);

async fn demo_data_has_every_role_and_loading_twice_changes_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let first = idp::demo::load(&app.db, 1_700_000_000).await.unwrap();
    assert_eq!(first.created, 14);
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
