//! The account page: sessions on several browsers, ending one, changing the password.

use integration_tests::{Backend, backend_tests, hidden_field, location, page_text, spawn_app};

backend_tests!(
    the_account_page_lists_sessions_and_ends_another_browsers_session,
    changing_the_password_needs_the_current_one,
);

async fn the_account_page_lists_sessions_and_ends_another_browsers_session(backend: Backend) {
    let app = spawn_app(backend).await;
    app.load_demo().await;
    let laptop = app.new_browser();
    let phone = app.new_browser();
    assert_eq!(
        app.sign_in(&laptop, "enterprise", idp::demo::DEMO_PASSWORD)
            .await
            .status(),
        303
    );
    assert_eq!(
        app.sign_in(&phone, "enterprise", idp::demo::DEMO_PASSWORD)
            .await
            .status(),
        303
    );

    let page = page_text(&laptop, app.url("/account")).await;
    assert_eq!(page.matches("name=\"login_sid\"").count(), 2, "{page}");
    assert!(page.contains("当前浏览器"));
    // The session that is not this browser's: the form after the marker-less entry.
    let forms: Vec<&str> = page.split("<li>登录于").skip(1).collect();
    let other = forms
        .iter()
        .find(|f| !f.contains("当前浏览器"))
        .expect("the phone's session");
    let sid = hidden_field(other, "login_sid");
    let csrf = hidden_field(&page, "csrf_token");
    let response = laptop
        .post(app.url("/account/sessions/end"))
        .form(&[("csrf_token", csrf.as_str()), ("login_sid", sid.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&response), "/account");

    let phone_account = phone.get(app.url("/account")).send().await.unwrap();
    assert!(
        location(&phone_account).starts_with("/login"),
        "the phone is signed out"
    );
    let laptop_account = laptop.get(app.url("/account")).send().await.unwrap();
    assert_eq!(
        laptop_account.status(),
        200,
        "the laptop is still signed in"
    );
}

async fn changing_the_password_needs_the_current_one(backend: Backend) {
    let app = spawn_app(backend).await;
    app.load_demo().await;
    let browser = app.demo_browser("fund").await;
    let page = page_text(&browser, app.url("/account")).await;
    let csrf = hidden_field(&page, "csrf_token");
    let change = |current: &'static str| {
        browser
            .post(app.url("/account/password"))
            .form(&[
                ("csrf_token", csrf.clone()),
                ("current_password", current.to_owned()),
                ("new_password", "a-new-password-1".to_owned()),
            ])
            .send()
    };
    let response = change("not-it-at-all").await.unwrap();
    assert_eq!(location(&response), "/account", "303 after the POST");
    let page = page_text(&browser, app.url("/account")).await;
    assert!(page.contains("当前密码不正确"), "{page}");
    let response = change(idp::demo::DEMO_PASSWORD).await.unwrap();
    assert_eq!(location(&response), "/account");
    let page = page_text(&browser, app.url("/account")).await;
    assert!(page.contains("密码已修改"), "{page}");
    let page = page_text(&browser, app.url("/account")).await;
    assert!(!page.contains("密码已修改"), "the notice is shown once");
    let fresh = app.new_browser();
    assert_eq!(
        app.sign_in(&fresh, "fund", "a-new-password-1")
            .await
            .status(),
        303
    );
}
