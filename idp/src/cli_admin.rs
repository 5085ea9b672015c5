//! `idp client …`, `idp user …` and `idp keys …`: managing the provider from a shell. Each works
//! on the database directly, so it is safe to run while servers run on the same database.

use crate::audit::{self, Actor, Change};
use anyhow::{Context, bail};
use clap::Subcommand;
use serde_json::json;

use crate::accounts::{self, NewUser, Role};
use crate::clock::{Clock, SystemClock};
use crate::db::Db;
use crate::oauth::clients::{self, ClientSpec, GrantType};
use crate::oauth::keys::{self, SigningAlgorithm};
use crate::settings::Settings;

#[derive(Debug, Subcommand)]
pub enum ClientCommand {
    /// Register a client and print its id and (once) its secret.
    ///
    /// Without --grant, a confidential client gets authorization_code, refresh_token and
    /// client_credentials; a public client (--public) gets authorization_code and
    /// refresh_token and must use PKCE.
    Add {
        #[arg(long)]
        name: String,
        /// A redirect URI, exactly as the client will send it (repeatable). https, or http on
        /// 127.0.0.1 / localhost.
        #[arg(long = "redirect-uri", value_name = "URI")]
        redirect_uris: Vec<String>,
        /// Where the client may send users after logout (repeatable).
        #[arg(long = "post-logout-redirect-uri", value_name = "URI")]
        post_logout_redirect_uris: Vec<String>,
        /// Space-separated scopes the client may ask for, e.g. "openid profile offline_access".
        #[arg(long)]
        scope: String,
        /// Comma-separated grants: authorization_code,refresh_token,client_credentials.
        #[arg(long = "grant", value_delimiter = ',')]
        grants: Vec<String>,
        /// A public client (an app that cannot keep a secret): no secret, PKCE required.
        #[arg(long)]
        public: bool,
        /// Name or id of the organisation the client reports for.
        #[arg(long)]
        organisation: Option<String>,
        #[arg(long)]
        logo_uri: Option<String>,
        /// The algorithm of its ID tokens (default: the server's, RS256).
        #[arg(long, value_enum)]
        id_token_alg: Option<SigningAlgorithm>,
        /// Its authorization requests must be pushed first (PAR, RFC 9126).
        #[arg(long)]
        require_par: bool,
        /// Where to post logout tokens when a user's login ends (Back-Channel Logout).
        #[arg(long, value_name = "URI")]
        backchannel_logout_uri: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// List the registered clients.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Show one client.
    Show {
        client_id: String,
        #[arg(long)]
        json: bool,
    },
    /// Change a client's name, URIs, scopes or grants; options not given keep their values.
    Update {
        client_id: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long = "redirect-uri", value_name = "URI")]
        redirect_uris: Vec<String>,
        #[arg(long = "post-logout-redirect-uri", value_name = "URI")]
        post_logout_redirect_uris: Vec<String>,
        #[arg(long)]
        scope: Option<String>,
        #[arg(long = "grant", value_delimiter = ',')]
        grants: Vec<String>,
        /// The algorithm of its ID tokens.
        #[arg(long, value_enum)]
        id_token_alg: Option<SigningAlgorithm>,
        /// Whether its authorization requests must be pushed first (PAR, RFC 9126).
        #[arg(long)]
        require_par: Option<bool>,
        /// Where to post logout tokens (Back-Channel Logout); an empty value removes it.
        #[arg(long, value_name = "URI")]
        backchannel_logout_uri: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Remove a client with its grants, codes and consents.
    Remove { client_id: String },
    /// Issue a new secret; the old one stops working at once.
    RotateSecret {
        client_id: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user and print its subject id.
    Add {
        #[arg(long)]
        username: String,
        /// At least 8 characters. Prefer IDP_USER_PASSWORD in scripts, to keep it out of `ps`.
        #[arg(long, env = "IDP_USER_PASSWORD", hide_env_values = true)]
        password: String,
        #[arg(long)]
        display_name: Option<String>,
        #[arg(long)]
        email: Option<String>,
        #[arg(long)]
        phone: Option<String>,
        /// Name or id of the user's organisation.
        #[arg(long)]
        organisation: Option<String>,
        /// A role (repeatable): admin, carrier_operator, enterprise, service_provider, backer,
        /// bank_officer, fund_manager.
        #[arg(long = "role")]
        roles: Vec<Role>,
        #[arg(long)]
        json: bool,
    },
    /// List users.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Set a user's password.
    Passwd {
        username: String,
        #[arg(long, env = "IDP_USER_PASSWORD", hide_env_values = true)]
        password: String,
    },
    /// Remove a user's authenticator app and recovery codes (a lost phone); a user whose role
    /// requires one sets up a new one at the next sign-in. Their sessions end.
    ResetSecondFactor { username: String },
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Add a signing key that becomes current at once. Earlier keys stay published until every
    /// token they signed has expired.
    Rotate {
        /// Algorithm of the new key; default: a new key for each algorithm in use
        /// (tokens.signing_algorithm for ID tokens, tokens.access_token_algorithm for access
        /// tokens).
        #[arg(long, value_enum)]
        algorithm: Option<SigningAlgorithm>,
        #[arg(long)]
        json: bool,
    },
    /// List the published signing keys.
    List {
        #[arg(long)]
        json: bool,
    },
}

fn print_json(value: &impl serde::Serialize) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

async fn organisation_id(db: &Db, name_or_id: Option<String>) -> anyhow::Result<Option<String>> {
    let Some(key) = name_or_id else {
        return Ok(None);
    };
    if let Some(org) = accounts::find_organisation(db, &key).await? {
        return Ok(Some(org.id));
    }
    match accounts::find_organisation_by_name(db, &key).await? {
        Some(org) => Ok(Some(org.id)),
        None => bail!("no organisation named or numbered {key}"),
    }
}

fn parse_grants(grants: &[String]) -> anyhow::Result<Option<Vec<GrantType>>> {
    if grants.is_empty() {
        return Ok(None);
    }
    grants
        .iter()
        .map(|g| {
            GrantType::from_code(g.trim()).with_context(|| {
                format!(
                    "unknown grant {g}; use authorization_code, refresh_token or client_credentials"
                )
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()
        .map(Some)
}

pub async fn client(db: &Db, command: ClientCommand) -> anyhow::Result<()> {
    let now = SystemClock.now();
    match command {
        ClientCommand::Add {
            name,
            redirect_uris,
            post_logout_redirect_uris,
            scope,
            grants,
            public,
            organisation,
            logo_uri,
            id_token_alg,
            require_par,
            backchannel_logout_uri,
            json,
        } => {
            let spec = ClientSpec {
                name,
                public,
                organisation_id: organisation_id(db, organisation).await?,
                logo_uri,
                redirect_uris,
                post_logout_redirect_uris,
                scope,
                grant_types: parse_grants(&grants)?,
                id_token_signed_response_alg: id_token_alg,
                require_pushed_authorization_requests: require_par,
                backchannel_logout_uri,
            };
            let registered = clients::register(db, spec, now).await?;
            let change = Change::new("client.register", "client", &registered.client.client_id)
                .after(&registered.client);
            audit::record(db, &Actor::command_line(), change, now).await;
            if json {
                print_json(&registered)?;
            } else {
                println!("client_id:     {}", registered.client.client_id);
                match &registered.client_secret {
                    Some(secret) => println!("client_secret: {secret}\n(shown once; store it now)"),
                    None => println!("public client: no secret; PKCE is required"),
                }
            }
        }
        ClientCommand::List { json } => {
            let all = clients::list(db).await?;
            if json {
                print_json(&all)?;
            } else {
                for c in all {
                    println!(
                        "{}  {}  {}  [{}]",
                        c.client_id,
                        if c.public { "public" } else { "confidential" },
                        c.name,
                        c.scope
                    );
                }
            }
        }
        ClientCommand::Show { client_id, json } => {
            let client = clients::find(db, &client_id)
                .await?
                .with_context(|| format!("no client with id {client_id}"))?;
            if json {
                print_json(&client)?;
            } else {
                println!("{}", serde_json::to_string_pretty(&client)?);
            }
        }
        ClientCommand::Update {
            client_id,
            name,
            redirect_uris,
            post_logout_redirect_uris,
            scope,
            grants,
            id_token_alg,
            require_par,
            backchannel_logout_uri,
            json,
        } => {
            let current = clients::find(db, &client_id)
                .await?
                .with_context(|| format!("no client with id {client_id}"))?;
            let before = current.clone();
            let spec = ClientSpec {
                name: name.unwrap_or(current.name),
                public: current.public,
                organisation_id: current.organisation_id,
                logo_uri: current.logo_uri,
                redirect_uris: if redirect_uris.is_empty() {
                    current.redirect_uris
                } else {
                    redirect_uris
                },
                post_logout_redirect_uris: if post_logout_redirect_uris.is_empty() {
                    current.post_logout_redirect_uris
                } else {
                    post_logout_redirect_uris
                },
                scope: scope.unwrap_or(current.scope),
                grant_types: parse_grants(&grants)?.or(Some(current.grant_types)),
                id_token_signed_response_alg: id_token_alg.or(current.id_token_signed_response_alg),
                require_pushed_authorization_requests: require_par
                    .unwrap_or(current.require_pushed_authorization_requests),
                backchannel_logout_uri: match backchannel_logout_uri {
                    None => current.backchannel_logout_uri,
                    Some(uri) if uri.trim().is_empty() => None,
                    Some(uri) => Some(uri),
                },
            };
            let client = clients::update(db, &client_id, spec, now).await?;
            let change = Change::new("client.update", "client", &client_id)
                .before(&before)
                .after(&client);
            audit::record(db, &Actor::command_line(), change, now).await;
            if json {
                print_json(&client)?;
            } else {
                println!("updated {}", client.client_id);
            }
        }
        ClientCommand::Remove { client_id } => {
            let before = clients::find(db, &client_id).await?;
            clients::remove(db, &client_id).await?;
            let change = Change::new("client.remove", "client", &client_id).before(&before);
            audit::record(db, &Actor::command_line(), change, now).await;
            println!("removed {client_id}");
        }
        ClientCommand::RotateSecret { client_id, json } => {
            let registered = clients::rotate_secret(db, &client_id, now).await?;
            let change = Change::new("client.rotate_secret", "client", &client_id)
                .after(&json!({"secret": "rotated"}));
            audit::record(db, &Actor::command_line(), change, now).await;
            if json {
                print_json(
                    &json!({ "client_id": registered.client.client_id, "client_secret": registered.client_secret }),
                )?;
            } else {
                println!(
                    "client_secret: {}\n(shown once; the old secret no longer works)",
                    registered.client_secret.unwrap_or_default()
                );
            }
        }
    }
    Ok(())
}

pub async fn user(db: &Db, command: UserCommand) -> anyhow::Result<()> {
    let now = SystemClock.now();
    match command {
        UserCommand::Add {
            username,
            password,
            display_name,
            email,
            phone,
            organisation,
            roles,
            json,
        } => {
            let new = NewUser {
                display_name: display_name.unwrap_or_else(|| username.clone()),
                username,
                password,
                email,
                phone,
                organisation_id: organisation_id(db, organisation).await?,
                roles,
            };
            let user = accounts::create_user(db, new, now).await?;
            let change = Change::new("user.create", "user", &user.id).after(&user);
            audit::record(db, &Actor::command_line(), change, now).await;
            if json {
                print_json(
                    &json!({ "sub": user.id, "username": user.username, "roles": user.roles, "organisation_id": user.organisation_id }),
                )?;
            } else {
                println!("sub: {}", user.id);
            }
        }
        UserCommand::List { json } => {
            let users = accounts::list_users(db).await?;
            if json {
                print_json(&users)?;
            } else {
                for u in users {
                    let roles: Vec<&str> = u.roles.iter().map(|r| r.code()).collect();
                    println!(
                        "{}  {}  {}  [{}]",
                        u.id,
                        u.username,
                        u.display_name,
                        roles.join(",")
                    );
                }
            }
        }
        UserCommand::Passwd { username, password } => {
            accounts::set_password(db, &username, password, now).await?;
            let change = Change::new("user.password", "user", &username)
                .after(&json!({"password": "changed"}));
            audit::record(db, &Actor::command_line(), change, now).await;
            // Whoever knew the old password is signed out everywhere.
            if let Some(user) = accounts::find_user_by_username(db, &username).await? {
                crate::web::session_store::DbSessionStore::sign_out_elsewhere(
                    db,
                    &user.id,
                    None,
                    "password changed",
                    now,
                )
                .await?;
            }
            println!("password changed for {username}; their sessions and grants have ended");
        }
        UserCommand::ResetSecondFactor { username } => {
            let user = accounts::find_user_by_username(db, &username)
                .await?
                .with_context(|| format!("no user named {username}"))?;
            let removed = accounts::second_factor::totp::remove(db, &user.id).await?;
            let change = Change::new("user.totp_removed", "user", &user.id)
                .after(&json!({"by": "command line"}));
            audit::record(db, &Actor::command_line(), change, now).await;
            crate::web::session_store::DbSessionStore::sign_out_elsewhere(
                db,
                &user.id,
                None,
                "second factor reset",
                now,
            )
            .await?;
            if removed {
                println!(
                    "{username}'s authenticator app and recovery codes are removed; their sessions have ended"
                );
            } else {
                println!("{username} had no authenticator app; their sessions have ended");
            }
        }
    }
    Ok(())
}

pub async fn keys(db: &Db, settings: &Settings, command: KeysCommand) -> anyhow::Result<()> {
    let now = SystemClock.now();
    match command {
        KeysCommand::Rotate { algorithm, json } => {
            let t = &settings.tokens;
            let mut algorithms = match algorithm {
                Some(alg) => vec![alg],
                None => vec![t.signing_algorithm, t.access_token_algorithm],
            };
            algorithms.dedup();
            let mut rotated = Vec::new();
            for alg in algorithms {
                let kid = keys::rotate(db, alg, now, t.key_retirement_grace()).await?;
                let change = Change::new("key.rotate", "signing_key", &kid)
                    .after(&json!({"kid": kid, "alg": alg.name()}));
                audit::record(db, &Actor::command_line(), change, now).await;
                if !json {
                    println!(
                        "new signing key {kid} ({}) is current; earlier {} keys retire in {} s",
                        alg.name(),
                        alg.name(),
                        t.key_retirement_grace()
                    );
                }
                rotated.push(json!({ "kid": kid, "alg": alg.name() }));
            }
            if json {
                // One key asked for: its object; the default: one object per algorithm.
                if algorithm.is_some() {
                    print_json(&rotated[0])?;
                } else {
                    print_json(&json!(rotated))?;
                }
            }
        }
        KeysCommand::List { json } => {
            let set = keys::Keyring::new(db.clone()).reload(now).await?;
            let listed: Vec<_> = set
                .keys
                .iter()
                .map(|k| json!({ "kid": k.kid, "alg": k.alg.name(), "retire_at": k.retire_at }))
                .collect();
            if json {
                print_json(&listed)?;
            } else {
                for k in listed {
                    println!("{k}");
                }
            }
        }
    }
    Ok(())
}
