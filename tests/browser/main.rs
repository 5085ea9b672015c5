#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test
//! The real-browser end-to-end test: headless Chromium (Debian's `chromium` and
//! `chromium-driver`) opens the example carrier app, logs in through the platform's pages,
//! grants consent, reports a carrier record, sees it listed, backs a project, acknowledges a
//! notice in the platform inbox, logs out and finds the platform
//! session gone; then an enterprise and a provider make a crowdsourcing deal, paid into escrow
//! and accepted, and staff see its statistics drawn; an enterprise applies for a bridge loan
//! in the carrier app and the bank officer approves it in the console; a member enterprise fills
//! in a mutual fund application, prints the A4 form to PDF, uploads the signed scan and staff
//! approve it and check the contract chain; staff evaluate the risk indicators and see the
//! dashboard's charts drawn, and run a query on the data query page; the enterprise user
//! registers a passkey (Chromium's virtual authenticator) and signs in with it. A screenshot of every step
//! is saved under `target/browser-artifacts/`.
//!
//! Without chromium and chromedriver installed the test says so and passes, so that
//! `cargo test --workspace` works on a machine with only the Rust toolchain; CI installs both
//! and sets `REQUIRE_BROWSER=1`, which turns their absence into a failure.

mod passkeys;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use integration_tests::{Backend, spawn_app, spawn_carrier_app};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn artifacts() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/browser-artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn shot(browser: &Client, name: &str) {
    let png = browser.screenshot().await.unwrap();
    std::fs::write(artifacts().join(format!("{name}.png")), png).unwrap();
}

async fn start_driver() -> Option<(Driver, String)> {
    let present =
        std::path::Path::new(CHROMIUM).exists() && std::path::Path::new(CHROMEDRIVER).exists();
    if !present {
        assert!(
            std::env::var_os("REQUIRE_BROWSER").is_none(),
            "REQUIRE_BROWSER is set but {CHROMIUM} or {CHROMEDRIVER} is missing"
        );
        eprintln!("browser test skipped: install the Debian packages chromium and chromium-driver");
        return None;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let driver = Driver(child);
    let url = format!("http://127.0.0.1:{port}");
    for _ in 0..100 {
        if reqwest::get(format!("{url}/status")).await.is_ok() {
            return Some((driver, url));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not start");
}

/// Waits up to ten seconds for an element. A form's submit can return before its navigation
/// starts, so a command may land mid-navigation and fail ("aborted by navigation", a stale
/// element); those are retried like a missing element rather than failing the test.
async fn element(browser: &Client, css: &str) -> Element {
    let mut last = String::new();
    for _ in 0..200 {
        match browser.find(Locator::Css(css)).await {
            Ok(element) => return element,
            Err(e) => last = e.to_string(),
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    shot(browser, "failure").await;
    let at = browser.current_url().await.map(|u| u.to_string());
    let page = browser.source().await.unwrap_or_default();
    panic!("no {css} on {at:?}: {last}\n{page}")
}

async fn text_of(browser: &Client, css: &str) -> String {
    for _ in 0..20 {
        if let Ok(text) = element(browser, css).await.text().await {
            return text;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the text of {css} could not be read")
}

/// Waits until the element's text satisfies `ready` (the page may still be the previous one
/// right after a click), and returns the text.
async fn wait_text(browser: &Client, css: &str, ready: impl Fn(&str) -> bool) -> String {
    let mut last = String::new();
    for _ in 0..100 {
        if let Ok(element) = browser.find(Locator::Css(css)).await
            && let Ok(text) = element.text().await
        {
            if ready(&text) {
                return text;
            }
            last = text;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    shot(browser, "failure").await;
    panic!("{css} never became ready; last text: {last}")
}

async fn fill(browser: &Client, css: &str, value: &str) {
    let field = element(browser, css).await;
    field.clear().await.unwrap();
    field.send_keys(value).await.unwrap();
}

async fn click(browser: &Client, css: &str) {
    element(browser, css).await.click().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_carrier_user_logs_in_reports_and_logs_out_in_a_real_browser() {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let Some((_driver, webdriver)) = start_driver().await else {
        return;
    };
    let idp = spawn_app(Backend::Sqlite).await;
    let carrier_url = spawn_carrier_app(&idp).await;

    // A listed crowdfunding project to back: drafted by the demo enterprise, approved by staff.
    let project_id = {
        use idp::accounts::caller::Caller;
        use idp::crowdfunding::model::ProjectInput;
        let as_caller = |u: idp::accounts::User| Caller {
            user_id: u.id,
            organisation_id: u.organisation_id,
            roles: u.roles,
            staff: true,
        };
        let find = |name: &'static str| {
            let db = idp.db.clone();
            async move {
                idp::accounts::find_user_by_username(&db, name)
                    .await
                    .unwrap()
                    .unwrap()
            }
        };
        let enterprise = as_caller(find("enterprise").await);
        let admin = as_caller(find("admin").await);
        let service = idp::crowdfunding::Service::new(std::sync::Arc::new(
            idp::crowdfunding::SandboxGateway::new(b"drafting only"),
        ));
        let now = idp::clock::Clock::now(&idp.clock);
        let input: ProjectInput = serde_json::from_value(serde_json::json!({
            "title": "六盘山蜂蜜众筹", "category": "家居生活", "summary": "原生态蜂蜜",
            "crowd_amount": "1.00", "duration_days": 20,
            "rewards": [{"reward_amount": "88.00", "content": "蜂蜜两瓶", "limit": 100}]
        }))
        .unwrap();
        let draft = service
            .create_draft(&idp.db, &enterprise, &input, now)
            .await
            .unwrap();
        let id = draft.project.id.clone();
        service
            .act(
                &idp.db,
                &enterprise,
                &id,
                idp::crowdfunding::Action::Submit,
                None,
                now,
            )
            .await
            .unwrap();
        service
            .act(
                &idp.db,
                &admin,
                &id,
                idp::crowdfunding::Action::Approve,
                None,
                now,
            )
            .await
            .unwrap();
        id
    };

    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": CHROMIUM,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1280,1000", "--lang=zh-CN"]
        }),
    );
    let browser = ClientBuilder::rustls()
        .unwrap()
        .capabilities(caps)
        .connect(&webdriver)
        .await
        .expect("a chromium session");

    // 1. The carrier app, signed out.
    browser.goto(&format!("{carrier_url}/")).await.unwrap();
    assert_eq!(text_of(&browser, "#login").await, "使用平台账号登录");
    shot(&browser, "01-carrier-home").await;

    // 2. The platform's login page.
    click(&browser, "#login").await;
    element(&browser, "#username").await;
    assert!(
        browser
            .current_url()
            .await
            .unwrap()
            .as_str()
            .starts_with(&idp.address)
    );
    fill(&browser, "#username", "carrier").await;
    fill(&browser, "#password", idp::demo::DEMO_PASSWORD).await;
    shot(&browser, "02-platform-login").await;
    click(&browser, "#login-submit").await;

    // 3. Consent, with the scopes explained in Chinese.
    element(&browser, "#consent-allow").await;
    let consent = text_of(&browser, "main").await;
    assert!(consent.contains("塞上创客空间"), "{consent}");
    shot(&browser, "03-consent").await;
    click(&browser, "#consent-allow").await;

    // 4. Back at the carrier app, signed in.
    let welcome = text_of(&browser, "#welcome").await;
    assert!(welcome.starts_with("欢迎"), "{welcome}");
    assert!(!text_of(&browser, "#organisation").await.is_empty());
    assert!(
        text_of(&browser, "#roles")
            .await
            .contains("carrier_operator")
    );
    shot(&browser, "04-signed-in").await;

    // 5. Report the base's record and see it listed.
    click(&browser, "#report-link").await;
    element(&browser, "#carrier-form").await;
    fill(&browser, "input[name=base_code]", "BASE-BROWSER-01").await;
    fill(&browser, "input[name=enterprise_name]", "浏览器测试基地").await;
    fill(&browser, "input[name=regist_no]", "640106").await;
    fill(&browser, "input[name=incubator_num]", "12").await;
    click(&browser, "#report-carrier").await;
    let flash = text_of(&browser, "#flash").await;
    assert!(flash.contains("已新增"), "{flash}");
    let listed = text_of(&browser, "#carriers").await;
    assert!(
        listed.contains("BASE-BROWSER-01") && listed.contains("浏览器测试基地"),
        "{listed}"
    );
    shot(&browser, "05-reported").await;

    // A refused record shows the platform's reasons.
    fill(&browser, "input[name=base_code]", "BASE-BROWSER-02").await;
    fill(
        &browser,
        "input[name=enterprise_name]",
        "地区编码错误的基地",
    )
    .await;
    fill(&browser, "input[name=regist_no]", "640199").await;
    click(&browser, "#report-carrier").await;
    let flash = wait_text(&browser, "#flash", |t| t.contains("REGIST_NO")).await;
    assert!(flash.contains("640199"), "{flash}");
    shot(&browser, "06-refused").await;

    // 6. Back a crowdfunding project from the carrier app and pay on the sandbox page.
    browser
        .goto(&format!("{carrier_url}/crowdfunding"))
        .await
        .unwrap();
    let listed = text_of(&browser, "#projects").await;
    assert!(listed.contains("六盘山蜂蜜众筹"), "{listed}");
    browser
        .goto(&format!("{carrier_url}/crowdfunding/{project_id}"))
        .await
        .unwrap();
    element(&browser, "button.back").await;
    fill(&browser, "input[name=copies]", "2").await;
    fill(&browser, "input[name=buyer_link_mobile]", "13900000000").await;
    fill(&browser, "input[name=delivery_user_phone]", "13900000000").await;
    fill(
        &browser,
        "input[name=delivery_address]",
        "银川市兴庆区文化街 1 号",
    )
    .await;
    shot(&browser, "07-crowdfunding-back").await;
    click(&browser, "button.back").await;
    let amount = text_of(&browser, "#amount").await;
    assert_eq!(amount, "¥ 176.00", "two copies of 88 元");
    assert!(
        browser
            .current_url()
            .await
            .unwrap()
            .as_str()
            .starts_with(&idp.address)
    );
    shot(&browser, "08-sandbox-payment").await;
    click(&browser, "#pay-confirm").await;
    element(&browser, "#paid").await;
    click(&browser, "#back-to-merchant").await;
    let mut state = String::new();
    for _ in 0..50 {
        state = text_of(&browser, "#order-state").await;
        if state.contains("支付成功") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        browser.refresh().await.unwrap();
    }
    assert!(state.contains("支付成功"), "{state}");
    shot(&browser, "09-crowdfunding-paid").await;

    // 7. A notice waits in the platform inbox: the header counts it until it is acknowledged.
    {
        let mut tx = idp.db.begin().await.unwrap();
        idp::inbox::post(
            &mut tx,
            &idp::inbox::NewMessage {
                recipient: idp::inbox::Recipient::Role(idp::accounts::Role::CarrierOperator),
                source: "risk",
                topic: "risk.notice",
                subject_zh: "请于本月底前上报基地服务情况".into(),
                subject_en: "Report your base's services by the end of the month".into(),
                body_zh: "平台将据此发放运营补贴。".into(),
                body_en: "The platform's operating subsidy depends on it.".into(),
                link: None,
                needs_ack: true,
            },
            idp::clock::Clock::now(&idp.clock),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
    browser
        .goto(&format!("{}/inbox", idp.address))
        .await
        .unwrap();
    assert_eq!(text_of(&browser, "header .badge").await, "1");
    assert!(
        text_of(&browser, ".messages")
            .await
            .contains("请于本月底前上报基地服务情况")
    );
    shot(&browser, "10-inbox").await;
    click(&browser, "form[action$='/acknowledge'] button").await;
    wait_text(&browser, ".messages", |t| t.contains("已确认")).await;
    assert!(browser.find(Locator::Css("header .badge")).await.is_err());

    // 8. Log out: the platform session ends and the browser comes back signed out.
    browser.goto(&format!("{carrier_url}/")).await.unwrap();
    click(&browser, "#logout").await;
    wait_text(&browser, "h1", |t| t.contains("欢迎来到")).await;
    assert_eq!(text_of(&browser, "#login").await, "使用平台账号登录");
    assert!(
        browser
            .current_url()
            .await
            .unwrap()
            .as_str()
            .starts_with(&carrier_url)
    );
    shot(&browser, "11-signed-out").await;

    // 9. The platform no longer knows the browser: its account page asks to sign in.
    browser
        .goto(&format!("{}/account", idp.address))
        .await
        .unwrap();
    element(&browser, "#username").await;
    assert!(
        browser
            .current_url()
            .await
            .unwrap()
            .path()
            .starts_with("/login")
    );
    shot(&browser, "12-platform-session-gone").await;

    crowdsourcing_in_the_browser(&browser, &idp, &carrier_url).await;
    financing_in_the_browser(&browser, &idp, &carrier_url).await;
    mutual_fund_in_the_browser(&browser, &idp).await;
    risk_and_query_in_the_browser(&browser, &idp).await;
    portal_booking_in_the_browser(&browser, &idp).await;
    passkeys::passkeys_in_the_browser(&browser).await;

    browser.close().await.unwrap();
}

/// Signs `username` in to the carrier app through the platform's pages (consenting the first
/// time).
async fn sign_in_to_carrier(browser: &Client, carrier_url: &str, username: &str) {
    browser.goto(&format!("{carrier_url}/")).await.unwrap();
    click(browser, "#login").await;
    element(browser, "#username").await;
    fill(browser, "#username", username).await;
    fill(browser, "#password", idp::demo::DEMO_PASSWORD).await;
    click(browser, "#login-submit").await;
    for _ in 0..200 {
        if browser.find(Locator::Css("#welcome")).await.is_ok() {
            return;
        }
        if let Ok(allow) = browser.find(Locator::Css("#consent-allow")).await {
            let _ = allow.click().await;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    shot(browser, "failure").await;
    panic!("{username} did not get back to the carrier app signed in");
}

async fn sign_out_of_carrier(browser: &Client, carrier_url: &str) {
    browser.goto(&format!("{carrier_url}/")).await.unwrap();
    click(browser, "#logout").await;
    wait_text(browser, "h1", |t| t.contains("欢迎来到")).await;
}

/// Step 10, business crowdsourcing: the enterprise publishes a demand in the carrier app, staff
/// approve it, the demo provider responds and offers terms in the thread, the enterprise
/// accepts them, pays into escrow on the sandbox page and accepts the delivery; staff see the
/// statistics drawn by ECharts on the console.
async fn crowdsourcing_in_the_browser(
    browser: &Client,
    idp: &integration_tests::TestApp,
    carrier_url: &str,
) {
    use idp::accounts::caller::Caller;
    let caller = |username: &'static str, staff: bool| {
        let db = idp.db.clone();
        async move {
            let u = idp::accounts::find_user_by_username(&db, username)
                .await
                .unwrap()
                .unwrap();
            Caller {
                user_id: u.id,
                organisation_id: u.organisation_id,
                roles: u.roles,
                staff,
            }
        }
    };
    let service = idp::crowdsourcing::Service::new(
        std::sync::Arc::new(idp::crowdfunding::SandboxGateway::new(b"review only")),
        idp::crowdsourcing::Policy::default(),
    );
    let now = || idp::clock::Clock::now(&idp.clock);

    sign_in_to_carrier(browser, carrier_url, "enterprise").await;
    click(browser, "#crowdsourcing-link").await;
    click(browser, "#new-demand").await;
    element(browser, "#demand-form").await;
    fill(browser, "input[name=title]", "葡萄酒礼盒包装设计").await;
    fill(
        browser,
        "input[name=description]",
        "两套礼盒包装方案，含印刷文件",
    )
    .await;
    fill(browser, "input[name=fee]", "2.00").await;
    fill(browser, "input[name=cycle_days]", "30").await;
    let expiry = idp::crowdsourcing::records::china_date(now() + 60 * 86_400);
    fill(browser, "input[name=expiry_date]", &expiry).await;
    fill(browser, "input[name=regions]", "640000").await;
    fill(browser, "input[name=charger_mobile]", "13800000001").await;
    shot(browser, "13-crowdsourcing-publish").await;
    click(browser, "#publish").await;
    wait_text(browser, "#demand-state", |t| t.contains("待审核")).await;
    let url = browser.current_url().await.unwrap();
    let demand_id = url.path().rsplit('/').next().unwrap().to_owned();
    // Staff approve it (the console's review does the same).
    service
        .act_on_demand(
            &idp.db,
            &caller("admin", true).await,
            &demand_id,
            idp::crowdsourcing::DemandAction::Approve,
            None,
            now(),
        )
        .await
        .unwrap();
    sign_out_of_carrier(browser, carrier_url).await;

    // The provider sees it among the demands that suit it, responds and offers terms.
    sign_in_to_carrier(browser, carrier_url, "provider").await;
    browser
        .goto(&format!("{carrier_url}/crowdsourcing"))
        .await
        .unwrap();
    let matching = text_of(browser, "#matching").await;
    assert!(matching.contains("葡萄酒礼盒包装设计"), "{matching}");
    browser
        .goto(&format!("{carrier_url}/crowdsourcing/demands/{demand_id}"))
        .await
        .unwrap();
    fill(
        browser,
        "input[name=approach]",
        "两套方案：贺兰山剪影、葡萄藤纹样",
    )
    .await;
    fill(browser, "input[name=price]", "20000.00").await;
    fill(browser, "input[name=duration_days]", "30").await;
    click(browser, "#respond").await;
    element(browser, "#message-form").await;
    fill(
        browser,
        "input[name=body]",
        "两万元、三十天，网络交付源文件",
    )
    .await;
    fill(browser, "input[name=amount]", "20000.00").await;
    fill(browser, "input[name=delivery_days]", "30").await;
    fill(browser, "input[name=delivery_method]", "网络交付").await;
    click(browser, "#send-message").await;
    wait_text(browser, "#messages", |t| t.contains("20000.00")).await;
    shot(browser, "14-crowdsourcing-offer").await;
    sign_out_of_carrier(browser, carrier_url).await;

    // The enterprise accepts the offer, pays into escrow, and accepts the delivery.
    sign_in_to_carrier(browser, carrier_url, "enterprise").await;
    browser
        .goto(&format!("{carrier_url}/crowdsourcing/demands/{demand_id}"))
        .await
        .unwrap();
    click(browser, ".thread-link").await;
    click(browser, ".accept-offer").await;
    wait_text(browser, "#order-state", |t| t.contains("待托管")).await;
    let order_id = browser
        .current_url()
        .await
        .unwrap()
        .path()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    click(browser, "#pay-escrow").await;
    let amount = text_of(browser, "#amount").await;
    assert_eq!(amount, "¥ 20000.00");
    shot(browser, "15-crowdsourcing-escrow").await;
    click(browser, "#pay-confirm").await;
    element(browser, "#paid").await;
    click(browser, "#back-to-merchant").await;
    let mut state = String::new();
    for _ in 0..50 {
        state = text_of(browser, "#order-state").await;
        if state.contains("服务中") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        browser.refresh().await.unwrap();
    }
    assert!(state.contains("服务中"), "{state}");
    assert_eq!(text_of(browser, "#held").await, "20000.00");
    service
        .deliver(
            &idp.db,
            &caller("provider", false).await,
            &order_id,
            &serde_json::from_value(serde_json::json!({"note": "两套方案与印刷文件"})).unwrap(),
            now(),
        )
        .await
        .unwrap();
    browser.refresh().await.unwrap();
    wait_text(browser, "#order-state", |t| t.contains("待验收")).await;
    click(browser, "#accept-delivery").await;
    wait_text(browser, "#order-state", |t| t.contains("已完成")).await;
    shot(browser, "16-crowdsourcing-accepted").await;
    sign_out_of_carrier(browser, carrier_url).await;

    // Staff read the statistics, drawn by the server's own ECharts under its CSP.
    sign_in_to_platform(browser, idp, "admin").await;
    browser
        .goto(&format!("{}/console/crowdsourcing/statistics", idp.address))
        .await
        .unwrap();
    element(browser, "body[data-charts=drawn]").await;
    element(browser, ".chart svg").await;
    shot(browser, "17-crowdsourcing-statistics").await;
}

/// Signs `username` in on the platform's own login page.
async fn sign_in_to_platform(browser: &Client, idp: &integration_tests::TestApp, username: &str) {
    browser
        .goto(&format!("{}/login", idp.address))
        .await
        .unwrap();
    fill(browser, "#username", username).await;
    fill(browser, "#password", idp::demo::DEMO_PASSWORD).await;
    click(browser, "#login-submit").await;
    wait_text(browser, "main", |t| !t.is_empty()).await;
}

/// Signs the browser out of the platform itself.
async fn sign_out_of_platform(browser: &Client, idp: &integration_tests::TestApp) {
    browser
        .goto(&format!("{}/logout", idp.address))
        .await
        .unwrap();
    click(browser, "#logout-confirm").await;
    wait_text(browser, "h1", |t| t.contains("已退出")).await;
}

/// Step 18, financing: the enterprise applies for a bridge loan in the carrier app; the bank
/// officer finds it in the console, approves it with the bank's people named, and the
/// enterprise sees it approved by the bank.
async fn financing_in_the_browser(
    browser: &Client,
    idp: &integration_tests::TestApp,
    carrier_url: &str,
) {
    sign_out_of_platform(browser, idp).await;
    sign_in_to_carrier(browser, carrier_url, "enterprise").await;
    click(browser, "#financing-link").await;
    click(browser, "#apply-bridge").await;
    element(browser, "#bridge-form").await;
    fill(browser, "input[name=comp_name]", "宁夏演示科技有限公司").await;
    fill(browser, "input[name=credit_code]", "91640100MA7XY1230Q").await;
    fill(browser, "input[name=maturing]", "300.00").await;
    fill(browser, "input[name=expire_date]", "2026-12-28").await;
    fill(browser, "input[name=renewal]", "300.00").await;
    fill(browser, "input[name=apply]", "280.00").await;
    fill(browser, "input[name=self_raised]", "20.00").await;
    fill(browser, "input[name=purpose]", "采购枸杞原料").await;
    shot(browser, "18-financing-apply").await;
    click(browser, "#apply").await;
    wait_text(browser, "#state", |t| t.contains("待审核")).await;
    let id = browser
        .current_url()
        .await
        .unwrap()
        .path()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    // The proof of the self-raised funds, uploaded from the page and kept with its hash.
    let proof = artifacts().canonicalize().unwrap().join("self-funds.pdf");
    std::fs::write(&proof, b"%PDF-1.4\n% browser test\n%%EOF\n").unwrap();
    click(browser, "select[name=kind] option[value=self_funds]").await;
    element(browser, "input[type=file]")
        .await
        .send_keys(proof.to_str().unwrap())
        .await
        .unwrap();
    click(browser, "#upload-submit").await;
    wait_text(browser, "#documents", |t| t.contains("self-funds.pdf")).await;
    sign_out_of_carrier(browser, carrier_url).await;

    // The bank officer signs in to the platform and approves it in the console.
    sign_in_to_platform(browser, idp, "bank").await;
    browser
        .goto(&format!(
            "{}/console/financing?product=bridge&state=submitted",
            idp.address
        ))
        .await
        .unwrap();
    let queue = text_of(browser, "#applications").await;
    assert!(queue.contains(&id), "{queue}");
    click(
        browser,
        &format!("a[href='/console/financing/applications/{id}']"),
    )
    .await;
    element(browser, "#step").await;
    fill(browser, "input[name=bank_charge_man]", "周行长").await;
    fill(browser, "input[name=bank_manage_man]", "刘先生").await;
    shot(browser, "19-financing-bank-review").await;
    click(browser, "button[value=bank_approve]").await;
    wait_text(browser, "#state", |t| t.contains("银行已审核")).await;
    shot(browser, "20-financing-bank-approved").await;
    sign_out_of_platform(browser, idp).await;

    // The enterprise sees where it stands.
    sign_in_to_carrier(browser, carrier_url, "enterprise").await;
    browser
        .goto(&format!("{carrier_url}/financing/{id}"))
        .await
        .unwrap();
    wait_text(browser, "#state", |t| t.contains("银行已审核")).await;
    shot(browser, "21-financing-enterprise-sees").await;
    sign_out_of_carrier(browser, carrier_url).await;

    // Staff read the supervision table and the statistics, drawn by ECharts.
    sign_in_to_platform(browser, idp, "admin").await;
    browser
        .goto(&format!("{}/console/financing/supervision", idp.address))
        .await
        .unwrap();
    let table = text_of(browser, "#supervision").await;
    assert!(table.contains("宁夏演示科技有限公司"), "{table}");
    browser
        .goto(&format!("{}/console/financing/statistics", idp.address))
        .await
        .unwrap();
    element(browser, "body[data-charts=drawn]").await;
    element(browser, ".chart svg").await;
    shot(browser, "22-financing-statistics").await;
}

/// Steps 23–26, the mutual fund: the member enterprise fills in its application on the
/// platform, opens the printable 《自治区中小微企业互助申请表》 (every field, the QR code, the
/// seal and signature boxes), prints it to PDF with the browser (A4, the CJK font embedded, so
/// Chinese is text and not boxes), uploads the signed scan and submits; staff approve it, which
/// files its contract, and the chain checks intact.
async fn mutual_fund_in_the_browser(browser: &Client, idp: &integration_tests::TestApp) {
    sign_out_of_platform(browser, idp).await;
    sign_in_to_platform(browser, idp, "enterprise").await;
    // A member enterprise finds the fund from its account page.
    browser
        .goto(&format!("{}/account", idp.address))
        .await
        .unwrap();
    click(browser, "#fund-desk").await;
    element(browser, "#apply").await;
    fill(browser, "input[name=apply_amount]", "60.00").await;
    fill(browser, "input[name=months]", "6").await;
    fill(browser, "input[name=loan_for]", "采购枸杞烘干设备").await;
    fill(browser, "input[name=loan_bank]", "宁夏演示银行银川分行").await;
    fill(browser, "input[name=account_name]", "宁夏演示科技有限公司").await;
    fill(browser, "input[name=account_bank]", "宁夏演示银行金凤支行").await;
    fill(browser, "input[name=account_no]", "6222000000000001").await;
    shot(browser, "23-fund-apply").await;
    click(browser, "#apply-submit").await;
    wait_text(browser, "#state", |t| t.contains("草稿")).await;
    let apply_no = text_of(browser, "h1 code").await;

    // The printable form: every field of the application and the company, the QR code, the
    // boxes for the seal and the signature.
    click(browser, "#printable").await;
    let form = wait_text(browser, "body", |t| {
        t.contains("自治区中小微企业互助申请表")
    })
    .await;
    for expected in [
        apply_no.as_str(),
        "宁夏演示科技有限公司",
        "91640100MA7XY1230Q",
        "采购枸杞烘干设备",
        "60.00",
        "宁夏演示银行金凤支行",
        "6222000000000001",
        "入社编号",
        "入社金额（万元）",
        "借款期限（月）",
        "委贷银行",
        "企业签章",
        "法定代表人（签字）",
    ] {
        assert!(form.contains(expected), "the form shows {expected}: {form}");
    }
    element(browser, "#qr svg").await;
    // The print stylesheet is applied (a ruled table, an A4-wide column), not blocked.
    let ruled = browser
        .execute(
            "return getComputedStyle(document.querySelector('#application th')).borderTopStyle",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        ruled,
        serde_json::json!("solid"),
        "the form's table is ruled"
    );
    element(browser, "#seal").await;
    element(browser, "#signature").await;
    shot(browser, "24-fund-printable-form").await;
    let pdf = browser
        .print(
            fantoccini::wd::PrintConfiguration::builder()
                .size(fantoccini::wd::PrintSize::A4)
                .build()
                .unwrap(),
        )
        .await
        .unwrap();
    std::fs::write(artifacts().join("24-fund-application-form.pdf"), &pdf).unwrap();
    assert!(pdf.starts_with(b"%PDF-"), "the browser printed a PDF");
    let raw = String::from_utf8_lossy(&pdf);
    assert!(
        raw.contains("/MediaBox [0 0 595") || raw.contains("/MediaBox[0 0 595"),
        "an A4 page (595 × 842 points)"
    );
    assert!(
        raw.contains("CJK"),
        "the Chinese text is set in an embedded CJK font (Noto CJK), not boxes"
    );

    // The signed scan (here the printed PDF itself) goes back with the application.
    browser
        .goto(&format!(
            "{}/console/financing/fund/applications/{apply_no}",
            idp.address
        ))
        .await
        .unwrap();
    let scan = artifacts()
        .canonicalize()
        .unwrap()
        .join("24-fund-application-form.pdf");
    click(browser, "select[name=kind] option[value=application_form]").await;
    element(browser, "input[type=file]")
        .await
        .send_keys(scan.to_str().unwrap())
        .await
        .unwrap();
    click(browser, "#upload-submit").await;
    wait_text(browser, "#documents", |t| {
        t.contains("24-fund-application-form.pdf")
    })
    .await;
    click(browser, "button[value=submit]").await;
    wait_text(browser, "#state", |t| t.contains("待审批")).await;
    shot(browser, "25-fund-submitted").await;
    sign_out_of_platform(browser, idp).await;

    // Staff approve it: the contract is filed and the chain checks intact.
    sign_in_to_platform(browser, idp, "admin").await;
    browser
        .goto(&format!(
            "{}/console/financing/fund/applications/{apply_no}",
            idp.address
        ))
        .await
        .unwrap();
    click(browser, "button[value=approve]").await;
    wait_text(browser, "#state", |t| t.contains("已审批")).await;
    let contracts = text_of(browser, "#contracts").await;
    assert!(
        contracts.contains(&format!("HT-{apply_no}-1")),
        "{contracts}"
    );
    browser
        .goto(&format!("{}/console/financing/fund", idp.address))
        .await
        .unwrap();
    click(browser, "#verify button").await;
    wait_text(browser, "#chain-result", |t| t.contains("合约链完整")).await;
    shot(browser, "26-fund-chain-verified").await;
    browser
        .goto(&format!(
            "{}/console/financing/fund/statistics",
            idp.address
        ))
        .await
        .unwrap();
    element(browser, "body[data-charts=drawn]").await;
    element(browser, ".chart svg").await;
    shot(browser, "27-fund-statistics").await;
}

/// How many pixels of a PNG are coloured (not white, grey or black): what a chart drew.
fn coloured_pixels(png_bytes: &[u8]) -> usize {
    let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    buf[..info.buffer_size()]
        .chunks(channels)
        .filter(|p| {
            let (r, g, b) = (i32::from(p[0]), i32::from(p[1]), i32::from(p[2]));
            (r - g).abs() + (g - b).abs() + (r - b).abs() > 60
        })
        .count()
}

/// Steps 28–29: staff evaluate the risk indicators and see the dashboard's charts drawn (the
/// funds chart's canvas, taken from a screenshot, has coloured bars); a crosstab built on the
/// data query page shows its table and chart.
async fn risk_and_query_in_the_browser(browser: &Client, idp: &integration_tests::TestApp) {
    browser
        .goto(&format!("{}/console/financing/risk", idp.address))
        .await
        .unwrap();
    click(browser, "#evaluate").await;
    wait_text(browser, "#risk-message", |t| t.contains("已评估")).await;
    element(browser, "body[data-charts=drawn]").await;
    let funds = element(browser, ".chart[data-chart=funds]").await;
    let png_bytes = funds.screenshot().await.unwrap();
    std::fs::write(artifacts().join("28-risk-funds-chart.png"), &png_bytes).unwrap();
    let coloured = coloured_pixels(&png_bytes);
    assert!(
        coloured > 500,
        "the funds chart drew {coloured} coloured pixels"
    );
    element(browser, ".chart[data-chart=by_level] canvas").await;
    shot(browser, "28-risk-dashboard").await;

    browser
        .goto(&format!(
            "{}/console/financing/query?kind=groups&dataset=workflow:financing-applications&r1=PRODUCT&m1=count&m2=sum&mf2=AMOUNT_FEN",
            idp.address
        ))
        .await
        .unwrap();
    let result = text_of(browser, "#result").await;
    assert!(
        result.contains("bridge") && result.contains("层级 level"),
        "{result}"
    );
    element(browser, "body[data-charts=drawn]").await;
    shot(browser, "29-data-query").await;
}

/// Steps 30–32: a visitor finds the demo carrier's 3D printer from the portal's home page, signs
/// in from the resource's page, books a free slot, and finds the booking in their own area.
async fn portal_booking_in_the_browser(browser: &Client, idp: &integration_tests::TestApp) {
    sign_out_of_platform(browser, idp).await;
    browser
        .goto(&format!("{}/?lang=zh", idp.address))
        .await
        .unwrap();
    wait_text(browser, "#section-carriers", |t| {
        t.contains("银川演示众创空间")
    })
    .await;
    shot(browser, "30-portal-home").await;
    click(browser, "#section-carriers .cards a").await;
    wait_text(browser, "main", |t| t.contains("3D 打印机")).await;
    // The carrier's page lists all its resources; the visitor picks the 3D printer by name.
    browser
        .find(Locator::XPath(
            "//a[starts-with(@href, '/resources/RSC-') and contains(., '3D 打印机')]",
        ))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_text(browser, "#resource-name", |t| t.contains("3D 打印机")).await;
    element(browser, "#week").await;
    click(browser, "#sign-in-to-book").await;
    element(browser, "#username").await;
    fill(browser, "#username", "backer").await;
    fill(browser, "#password", idp::demo::DEMO_PASSWORD).await;
    click(browser, "#login-submit").await;
    // Back on the resource's page, signed in: free slots are buttons now.
    let slot = element(browser, "button.slot.free").await;
    let start = slot.attr("data-start").await.unwrap().unwrap_or_default();
    shot(browser, "31-resource-week").await;
    slot.click().await.unwrap();
    wait_text(browser, "#booking-state", |t| t.contains("已确认")).await;
    let when = text_of(browser, "#booking-when").await;
    assert!(when.starts_with(&start), "booked {when}, clicked {start}");
    element(browser, "#add-to-calendar").await;
    browser.goto(&format!("{}/me", idp.address)).await.unwrap();
    wait_text(browser, "main", |t| {
        t.contains("我的预约与服务请求") && t.contains("3D 打印机")
    })
    .await;
    shot(browser, "32-my-area").await;
}
