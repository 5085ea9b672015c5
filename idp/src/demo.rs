//! Demo data for trying the platform: an organisation of every kind with a user in each role.
//! Loading is idempotent: what already exists (by name) is left exactly as it is.
//!
//! The passwords are fixed and printed, so a newcomer can log in from the README; they exist
//! only where someone ran `idp demo` or `serve --demo`, never from a migration.

use serde::Serialize;

use crate::accounts::{self, AccountError, NewUser, OrganisationKind, Role};
use crate::clock::UnixTime;
use crate::db::Db;
use crate::oauth::clients::{self, ClientSpec};

/// The password of every demo user. Demo only.
pub const DEMO_PASSWORD: &str = "demo-2026";

struct DemoOrganisation {
    name: &'static str,
    kind: OrganisationKind,
    credit_code: &'static str,
}

const ORGANISATIONS: &[DemoOrganisation] = &[
    DemoOrganisation {
        name: "宁夏众创空间共享平台",
        kind: OrganisationKind::Platform,
        credit_code: "12640000MB1234567U",
    },
    DemoOrganisation {
        name: "银川演示众创空间",
        kind: OrganisationKind::Carrier,
        credit_code: "91640100MA76543210",
    },
    DemoOrganisation {
        name: "宁夏演示科技有限公司",
        kind: OrganisationKind::Enterprise,
        credit_code: "91640100MA7XY1230Q",
    },
    DemoOrganisation {
        name: "宁夏演示知识产权服务中心",
        kind: OrganisationKind::ServiceProvider,
        credit_code: "52640000MJ0000001X",
    },
    DemoOrganisation {
        name: "宁夏演示银行银川分行",
        kind: OrganisationKind::Bank,
        credit_code: "91640000MA7BANK001",
    },
    DemoOrganisation {
        name: "宁夏双创互助基金（演示）",
        kind: OrganisationKind::Fund,
        credit_code: "53640000MJ0FUND001",
    },
    DemoOrganisation {
        name: "宁夏演示财产保险公司",
        kind: OrganisationKind::Insurer,
        credit_code: "91640000MA7INSR001",
    },
];

struct DemoUser {
    username: &'static str,
    display_name: &'static str,
    organisation: Option<&'static str>,
    role: Role,
}

const USERS: &[DemoUser] = &[
    DemoUser {
        username: "admin",
        display_name: "平台管理员",
        organisation: Some("宁夏众创空间共享平台"),
        role: Role::Admin,
    },
    DemoUser {
        username: "carrier",
        display_name: "载体运营王工",
        organisation: Some("银川演示众创空间"),
        role: Role::CarrierOperator,
    },
    DemoUser {
        username: "enterprise",
        display_name: "企业李经理",
        organisation: Some("宁夏演示科技有限公司"),
        role: Role::Enterprise,
    },
    DemoUser {
        username: "provider",
        display_name: "服务机构张顾问",
        organisation: Some("宁夏演示知识产权服务中心"),
        role: Role::ServiceProvider,
    },
    DemoUser {
        username: "backer",
        display_name: "众筹参与者赵女士",
        organisation: None,
        role: Role::Backer,
    },
    DemoUser {
        username: "bank",
        display_name: "银行信贷员刘先生",
        organisation: Some("宁夏演示银行银川分行"),
        role: Role::BankOfficer,
    },
    DemoUser {
        username: "fund",
        display_name: "基金管理员陈女士",
        organisation: Some("宁夏双创互助基金（演示）"),
        role: Role::FundManager,
    },
    DemoUser {
        username: "insurer",
        display_name: "保险核保员孙女士",
        organisation: Some("宁夏演示财产保险公司"),
        role: Role::Insurer,
    },
];

/// The example carrier web app (`examples/carrier-web`), registered with fixed demo credentials.
pub const CARRIER_APP_CLIENT_ID: &str = "cl_carrier_web_demo";
pub const CARRIER_APP_SECRET: &str = "nxcs_demo_carrier_web_secret_not_for_production";
pub const CARRIER_APP_REDIRECT_URI: &str = "http://127.0.0.1:3000/callback";
/// Where the example carrier app takes logout tokens (OpenID Connect Back-Channel Logout).
pub const CARRIER_APP_BACKCHANNEL_LOGOUT_URI: &str = "http://127.0.0.1:3000/backchannel-logout";
/// A second redirect URI of the demo client, for trying the SDK while the example carrier app
/// holds port 3000.
pub const EXPERIMENT_REDIRECT_URI: &str = "http://127.0.0.1:3001/callback";

#[derive(Debug, Serialize)]
pub struct DemoClientReport {
    pub client_id: String,
    pub client_secret: &'static str,
    pub redirect_uri: &'static str,
    /// Also registered, for experiments beside the running example app.
    pub experiment_redirect_uri: &'static str,
    pub scope: String,
}

#[derive(Debug, Serialize)]
pub struct DemoReport {
    pub organisations: Vec<DemoOrganisationReport>,
    pub users: Vec<DemoUserReport>,
    pub clients: Vec<DemoClientReport>,
    /// How many organisations and users this run created (0 on a second run).
    pub created: usize,
}

#[derive(Debug, Serialize)]
pub struct DemoOrganisationReport {
    pub id: String,
    pub name: String,
    pub kind: OrganisationKind,
}

#[derive(Debug, Serialize)]
pub struct DemoUserReport {
    pub sub: String,
    pub username: String,
    pub password: &'static str,
    pub role: Role,
    pub organisation: Option<String>,
}

/// Loads the demo organisations, users and clients, then each platform's demo data.
pub async fn load(db: &Db, now: UnixTime) -> anyhow::Result<DemoReport> {
    let report = load_accounts(db, now).await?;
    for platform in crate::platform::ALL {
        (platform.demo)(db, now).await.map_err(|e| {
            e.context(format!(
                "loading the {} platform's demo data",
                platform.name
            ))
        })?;
    }
    Ok(report)
}

async fn load_accounts(db: &Db, now: UnixTime) -> Result<DemoReport, AccountError> {
    let mut created = 0;
    let mut organisations = Vec::new();
    for demo in ORGANISATIONS {
        let organisation = match accounts::find_organisation_by_name(db, demo.name).await? {
            Some(existing) => existing,
            None => {
                match accounts::create_organisation(
                    db,
                    demo.name,
                    demo.kind,
                    Some(demo.credit_code),
                    now,
                )
                .await
                {
                    Ok(org) => {
                        created += 1;
                        let change = crate::audit::Change::new(
                            "organisation.create",
                            "organisation",
                            &org.id,
                        )
                        .after(&org);
                        crate::audit::record(db, &crate::audit::Actor::system("demo"), change, now)
                            .await;
                        org
                    }
                    // Another instance loading the demo at the same moment got there first.
                    Err(AccountError::OrganisationExists(_)) => {
                        accounts::find_organisation_by_name(db, demo.name)
                            .await?
                            .ok_or_else(|| {
                                AccountError::UnknownOrganisation(demo.name.to_owned())
                            })?
                    }
                    Err(e) => return Err(e),
                }
            }
        };
        organisations.push(DemoOrganisationReport {
            id: organisation.id,
            name: organisation.name,
            kind: demo.kind,
        });
    }

    let mut users = Vec::new();
    for demo in USERS {
        let organisation_id = demo.organisation.and_then(|name| {
            organisations
                .iter()
                .find(|o| o.name == name)
                .map(|o| o.id.clone())
        });
        let user = match accounts::find_user_by_username(db, demo.username).await? {
            Some(existing) => existing,
            None => {
                let new = NewUser {
                    username: demo.username.to_owned(),
                    password: DEMO_PASSWORD.to_owned(),
                    display_name: demo.display_name.to_owned(),
                    email: Some(format!("{}@demo.nxzc.example", demo.username)),
                    phone: None,
                    organisation_id,
                    roles: vec![demo.role],
                };
                match accounts::create_user(db, new, now).await {
                    Ok(user) => {
                        created += 1;
                        let change =
                            crate::audit::Change::new("user.create", "user", &user.id).after(&user);
                        crate::audit::record(db, &crate::audit::Actor::system("demo"), change, now)
                            .await;
                        user
                    }
                    Err(AccountError::UsernameTaken(_)) => {
                        accounts::find_user_by_username(db, demo.username)
                            .await?
                            .ok_or_else(|| AccountError::UsernameTaken(demo.username.to_owned()))?
                    }
                    Err(e) => return Err(e),
                }
            }
        };
        users.push(DemoUserReport {
            sub: user.id,
            username: user.username,
            password: DEMO_PASSWORD,
            role: demo.role,
            organisation: demo.organisation.map(str::to_owned),
        });
    }
    let carrier_org = organisations
        .iter()
        .find(|o| o.kind == OrganisationKind::Carrier)
        .map(|o| o.id.clone());
    let client = match clients::find(db, CARRIER_APP_CLIENT_ID)
        .await
        .map_err(client_error)?
    {
        Some(existing) => existing,
        None => {
            let spec = ClientSpec {
                id_token_signed_response_alg: None,
                name: "示例载体应用 Example carrier app".into(),
                public: false,
                organisation_id: carrier_org,
                logo_uri: None,
                redirect_uris: vec![
                    CARRIER_APP_REDIRECT_URI.into(),
                    EXPERIMENT_REDIRECT_URI.into(),
                ],
                post_logout_redirect_uris: vec![
                    "http://127.0.0.1:3000/".into(),
                    "http://127.0.0.1:3001/".into(),
                ],
                scope: "openid profile email phone offline_access crowdfunding crowdsourcing financing \
                        catalogue:carrier:read catalogue:carrier:write catalogue:carrier-partner:read \
                        catalogue:carrier-partner:write catalogue:carrier-service:read catalogue:carrier-service:write"
                    .into(),
                grant_types: None,
                require_pushed_authorization_requests: false,
                backchannel_logout_uri: Some(CARRIER_APP_BACKCHANNEL_LOGOUT_URI.into()),
            };
            let id = CARRIER_APP_CLIENT_ID.trim_start_matches("cl_");
            match clients::register_fixed(db, spec, id, CARRIER_APP_SECRET, now).await {
                Ok(registered) => {
                    created += 1;
                    registered.client
                }
                // Registered by a concurrent loader in the meantime.
                Err(_) => clients::find(db, CARRIER_APP_CLIENT_ID)
                    .await
                    .map_err(client_error)?
                    .ok_or_else(|| AccountError::UnknownOrganisation("demo client".into()))?,
            }
        }
    };
    let clients = vec![DemoClientReport {
        client_id: client.client_id,
        client_secret: CARRIER_APP_SECRET,
        redirect_uri: CARRIER_APP_REDIRECT_URI,
        experiment_redirect_uri: EXPERIMENT_REDIRECT_URI,
        scope: client.scope,
    }];
    Ok(DemoReport {
        organisations,
        users,
        clients,
        created,
    })
}

fn client_error(e: clients::ClientError) -> AccountError {
    match e {
        clients::ClientError::Db(e) => AccountError::Db(e),
        other => AccountError::Db(crate::db::DbError::Query(sqlx::Error::Protocol(
            other.to_string(),
        ))),
    }
}

/// The report as a short table for a terminal.
pub fn render_text(report: &DemoReport) -> String {
    let mut out = String::new();
    if report.created == 0 {
        out.push_str("演示数据已存在，未作改动。Demo data already present; nothing changed.\n");
    } else {
        out.push_str(&format!(
            "已载入演示数据（新建 {} 项）。Demo data loaded ({} created).\n",
            report.created, report.created
        ));
    }
    out.push_str("\nDemo users (password for all: ");
    out.push_str(DEMO_PASSWORD);
    out.push_str(")\n");
    for user in &report.users {
        out.push_str(&format!(
            "  {:<11} {:<17} {:<38} {}\n",
            user.username,
            user.role.code(),
            user.sub,
            user.organisation.as_deref().unwrap_or("-")
        ));
    }
    for client in &report.clients {
        out.push_str(&format!(
            "\nExample carrier app client (demo only):\n  client_id     {}\n  client_secret {}\n  redirect_uri  {} (the example app), {} (free for your experiments)\n",
            client.client_id, client.client_secret, client.redirect_uri, client.experiment_redirect_uri
        ));
    }
    out
}
