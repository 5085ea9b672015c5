//! `/console/clients`: platform administrators register, change and remove applications and
//! rotate their secrets. The same rules as the CLI and the admin API apply (they all go through
//! `oauth::clients`).

use crate::audit::{self, Change};
use crate::http::extract::ClientAddress;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum_csrf::CsrfToken;
use serde::Deserialize;
use tower_sessions::Session;

use crate::accounts::{self, Organisation};
use crate::error::PageError;
use crate::oauth::clients::{self, Client, ClientError, ClientSpec, GrantType};
use crate::state::AppState;
use crate::web::auth::ConsoleStaff;
use crate::web::lang::Lang;
use crate::web::pages::{self, CsrfOnly, PageForm, form_token, render};

const FLASH_SECRET: &str = "console_secret";

/// The form's fields as the page shows them.
#[derive(Default)]
pub struct ClientFields {
    name: String,
    redirect_uris: String,
    post_logout_redirect_uris: String,
    scope: String,
    authorization_code: bool,
    refresh_token: bool,
    client_credentials: bool,
    organisation_id: String,
    id_token_alg: String,
    require_par: bool,
    backchannel_logout_uri: String,
}

impl From<&Client> for ClientFields {
    fn from(c: &Client) -> Self {
        ClientFields {
            name: c.name.clone(),
            redirect_uris: c.redirect_uris.join("\n"),
            post_logout_redirect_uris: c.post_logout_redirect_uris.join("\n"),
            scope: c.scope.clone(),
            authorization_code: c.allows_grant(GrantType::AuthorizationCode),
            refresh_token: c.allows_grant(GrantType::RefreshToken),
            client_credentials: c.allows_grant(GrantType::ClientCredentials),
            organisation_id: c.organisation_id.clone().unwrap_or_default(),
            id_token_alg: c
                .id_token_signed_response_alg
                .map(|a| a.name().to_owned())
                .unwrap_or_default(),
            require_par: c.require_pushed_authorization_requests,
            backchannel_logout_uri: c.backchannel_logout_uri.clone().unwrap_or_default(),
        }
    }
}

#[derive(Deserialize)]
pub struct ClientForm {
    name: String,
    #[serde(default)]
    redirect_uris: String,
    #[serde(default)]
    post_logout_redirect_uris: String,
    scope: String,
    grant_authorization_code: Option<String>,
    grant_refresh_token: Option<String>,
    grant_client_credentials: Option<String>,
    #[serde(default)]
    organisation_id: String,
    public: Option<String>,
    #[serde(default)]
    id_token_alg: String,
    require_par: Option<String>,
    #[serde(default)]
    backchannel_logout_uri: String,
}

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

impl ClientForm {
    fn spec(&self) -> ClientSpec {
        let mut grants = Vec::new();
        for (on, grant) in [
            (&self.grant_authorization_code, GrantType::AuthorizationCode),
            (&self.grant_refresh_token, GrantType::RefreshToken),
            (&self.grant_client_credentials, GrantType::ClientCredentials),
        ] {
            if on.is_some() {
                grants.push(grant);
            }
        }
        ClientSpec {
            name: self.name.clone(),
            public: self.public.is_some(),
            organisation_id: Some(self.organisation_id.clone()).filter(|o| !o.is_empty()),
            logo_uri: None,
            redirect_uris: lines(&self.redirect_uris),
            post_logout_redirect_uris: lines(&self.post_logout_redirect_uris),
            scope: self.scope.clone(),
            grant_types: (!grants.is_empty()).then_some(grants),
            id_token_signed_response_alg: crate::oauth::keys::SigningAlgorithm::from_name(
                &self.id_token_alg,
            ),
            require_pushed_authorization_requests: self.require_par.is_some(),
            backchannel_logout_uri: Some(self.backchannel_logout_uri.trim().to_owned())
                .filter(|u| !u.is_empty()),
        }
    }

    fn fields(&self) -> ClientFields {
        ClientFields {
            name: self.name.clone(),
            redirect_uris: self.redirect_uris.clone(),
            post_logout_redirect_uris: self.post_logout_redirect_uris.clone(),
            scope: self.scope.clone(),
            authorization_code: self.grant_authorization_code.is_some(),
            refresh_token: self.grant_refresh_token.is_some(),
            client_credentials: self.grant_client_credentials.is_some(),
            organisation_id: self.organisation_id.clone(),
            id_token_alg: self.id_token_alg.clone(),
            require_par: self.require_par.is_some(),
            backchannel_logout_uri: self.backchannel_logout_uri.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "console_clients.html")]
struct ClientsPage {
    en: bool,
    csrf_token: String,
    clients: Vec<Client>,
    organisations: Vec<Organisation>,
    form: ClientFields,
    notice: Option<String>,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "console_client.html")]
struct ClientPage {
    en: bool,
    csrf_token: String,
    client: Client,
    organisations: Vec<Organisation>,
    form: ClientFields,
    secret: Option<String>,
    error: Option<String>,
}

/// A refusal to show on the form beside what was typed; anything else is the error page.
fn refused(e: ClientError) -> Result<String, PageError> {
    match e {
        ClientError::Db(_) | ClientError::NotFound(_) => Err(e.into()),
        other => Ok(other.to_string()),
    }
}

async fn list_page(
    state: &AppState,
    lang: Lang,
    csrf: CsrfToken,
    form: ClientFields,
    notice: Option<String>,
    error: Option<String>,
) -> Result<Response, PageError> {
    let page = ClientsPage {
        en: lang.en,
        csrf_token: form_token(&csrf)?,
        clients: clients::list(&state.db).await?,
        organisations: accounts::list_organisations(&state.db).await?,
        form,
        notice,
        error,
    };
    let status = if page.error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    Ok(render(lang, status, Some(csrf), &page))
}

pub async fn get_clients(
    State(state): State<AppState>,
    _staff: ConsoleStaff,
    lang: Lang,
    csrf: CsrfToken,
) -> Result<Response, PageError> {
    let form = ClientFields {
        scope: "openid profile offline_access".into(),
        authorization_code: true,
        refresh_token: true,
        ..Default::default()
    };
    list_page(&state, lang, csrf, form, None, None).await
}

pub async fn post_clients(
    State(state): State<AppState>,
    ConsoleStaff(staff): ConsoleStaff,
    session: Session,
    lang: Lang,
    csrf: CsrfToken,
    address: ClientAddress,
    PageForm(form): PageForm<ClientForm>,
) -> Result<Response, PageError> {
    match clients::register(&state.db, form.spec(), state.now()).await {
        Ok(registered) => {
            let change = Change::new("client.register", "client", &registered.client.client_id)
                .after(&registered.client);
            audit::record(&state.db, &actor(&staff, address), change, state.now()).await;
            if let Some(secret) = registered.client_secret {
                session.insert(FLASH_SECRET, secret).await?;
            }
            Ok(pages::see_other(&format!(
                "/console/clients/{}",
                registered.client.client_id
            )))
        }
        Err(e) => {
            let message = refused(e)?;
            list_page(&state, lang, csrf, form.fields(), None, Some(message)).await
        }
    }
}

async fn client_page(
    state: &AppState,
    lang: Lang,
    csrf: CsrfToken,
    client: Client,
    form: Option<ClientFields>,
    secret: Option<String>,
    error: Option<String>,
) -> Result<Response, PageError> {
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let page = ClientPage {
        en: lang.en,
        csrf_token: form_token(&csrf)?,
        form: form.unwrap_or_else(|| ClientFields::from(&client)),
        client,
        organisations: accounts::list_organisations(&state.db).await?,
        secret,
        error,
    };
    Ok(render(lang, status, Some(csrf), &page))
}

pub async fn get_client(
    State(state): State<AppState>,
    _staff: ConsoleStaff,
    lang: Lang,
    csrf: CsrfToken,
    session: Session,
    Path(client_id): Path<String>,
) -> Result<Response, PageError> {
    let client = clients::find(&state.db, &client_id)
        .await?
        .ok_or(PageError::NotFound)?;
    // A secret is shown once, on the page right after it was made.
    let secret: Option<String> = session.remove(FLASH_SECRET).await?;
    client_page(&state, lang, csrf, client, None, secret, None).await
}

pub async fn post_client(
    State(state): State<AppState>,
    ConsoleStaff(staff): ConsoleStaff,
    lang: Lang,
    csrf: CsrfToken,
    Path(client_id): Path<String>,
    address: ClientAddress,
    PageForm(form): PageForm<ClientForm>,
) -> Result<Response, PageError> {
    let before = clients::find(&state.db, &client_id).await?;
    let updated = clients::update(&state.db, &client_id, form.spec(), state.now()).await;
    state.clients.forget(&client_id);
    match updated {
        Ok(client) => {
            let change = Change::new("client.update", "client", &client_id)
                .before(&before)
                .after(&client);
            audit::record(&state.db, &actor(&staff, address), change, state.now()).await;
            Ok(pages::see_other(&format!("/console/clients/{client_id}")))
        }
        Err(ClientError::NotFound(_)) => Err(PageError::NotFound),
        Err(e) => {
            let message = refused(e)?;
            let client = clients::find(&state.db, &client_id)
                .await?
                .ok_or(PageError::NotFound)?;
            client_page(
                &state,
                lang,
                csrf,
                client,
                Some(form.fields()),
                None,
                Some(message),
            )
            .await
        }
    }
}

pub async fn post_rotate(
    State(state): State<AppState>,
    ConsoleStaff(staff): ConsoleStaff,
    session: Session,
    Path(client_id): Path<String>,
    address: ClientAddress,
    PageForm(_): PageForm<CsrfOnly>,
) -> Result<Response, PageError> {
    let rotated = clients::rotate_secret(&state.db, &client_id, state.now()).await;
    state.clients.forget(&client_id);
    let registered = match rotated {
        Ok(registered) => registered,
        Err(ClientError::NotFound(_)) => return Err(PageError::NotFound),
        Err(e) => return Err(PageError::BadRequest(refused(e)?)),
    };
    // The fact of a new secret, never the secret.
    let change = Change::new("client.rotate_secret", "client", &client_id)
        .after(&serde_json::json!({"secret": "rotated"}));
    audit::record(&state.db, &actor(&staff, address), change, state.now()).await;
    if let Some(secret) = registered.client_secret {
        session.insert(FLASH_SECRET, secret).await?;
    }
    Ok(pages::see_other(&format!("/console/clients/{client_id}")))
}

pub async fn post_delete(
    State(state): State<AppState>,
    ConsoleStaff(staff): ConsoleStaff,
    Path(client_id): Path<String>,
    address: ClientAddress,
    PageForm(_): PageForm<CsrfOnly>,
) -> Result<Response, PageError> {
    let before = clients::find(&state.db, &client_id).await?;
    let removed = clients::remove(&state.db, &client_id).await;
    state.clients.forget(&client_id);
    match removed {
        Ok(()) => {
            let change = Change::new("client.remove", "client", &client_id).before(&before);
            audit::record(&state.db, &actor(&staff, address), change, state.now()).await;
            Ok(pages::see_other("/console/clients"))
        }
        Err(ClientError::NotFound(_)) => Err(PageError::NotFound),
        Err(e) => Err(e.into()),
    }
}

/// The administrator on the console, as the audit trail names them.
fn actor(staff: &crate::accounts::User, address: ClientAddress) -> audit::Actor {
    audit::Actor::user(&staff.id, &staff.username, address.0)
}
