//! Registered clients (relying parties): confidential or public, their redirect URIs, allowed
//! scopes and grants. Managed from the CLI, the admin API and the console through these
//! functions only.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::adapter::ScopeSet;
use super::scopes;
use super::secrets::{Secret, SecretKind, verify_secret};
use crate::clock::UnixTime;
use crate::db::{Db, DbError};
use crate::with_pool;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GrantType {
    AuthorizationCode,
    RefreshToken,
    ClientCredentials,
}

impl GrantType {
    pub fn code(self) -> &'static str {
        match self {
            GrantType::AuthorizationCode => "authorization_code",
            GrantType::RefreshToken => "refresh_token",
            GrantType::ClientCredentials => "client_credentials",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "authorization_code" => Some(GrantType::AuthorizationCode),
            "refresh_token" => Some(GrantType::RefreshToken),
            "client_credentials" => Some(GrantType::ClientCredentials),
            _ => None,
        }
    }
}

/// A client as stored; the secret only as its hash.
#[derive(Debug, Clone, Serialize)]
pub struct Client {
    pub client_id: String,
    pub name: String,
    pub public: bool,
    pub organisation_id: Option<String>,
    pub logo_uri: Option<String>,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    pub scope: String,
    pub grant_types: Vec<GrantType>,
    /// The algorithm of its ID tokens; none: the server's (`tokens.signing_algorithm`).
    pub id_token_signed_response_alg: Option<crate::oauth::keys::SigningAlgorithm>,
    /// Its authorization requests must be pushed first (RFC 9126).
    pub require_pushed_authorization_requests: bool,
    /// Where the provider posts a logout token when a user's login with this client ends
    /// (OpenID Connect Back-Channel Logout 1.0).
    pub backchannel_logout_uri: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    #[serde(skip)]
    secret_hash: Option<String>,
}

impl Client {
    pub fn allows_grant(&self, grant: GrantType) -> bool {
        self.grant_types.contains(&grant)
    }

    pub fn allowed_scopes(&self) -> ScopeSet {
        ScopeSet::parse(&self.scope).unwrap_or_else(|_| ScopeSet::empty())
    }

    /// Checks a presented secret in constant time; public clients have none to check.
    pub fn secret_matches(&self, presented: &str) -> bool {
        match &self.secret_hash {
            Some(hash) => verify_secret(presented, hash),
            None => false,
        }
    }
}

#[derive(sqlx::FromRow)]
struct ClientRow {
    id: String,
    name: String,
    secret_hash: Option<String>,
    public: bool,
    organisation_id: Option<String>,
    logo_uri: Option<String>,
    redirect_uris: String,
    post_logout_redirect_uris: String,
    allowed_scopes: String,
    grant_types: String,
    id_token_signed_response_alg: Option<String>,
    require_pushed_authorization_requests: bool,
    backchannel_logout_uri: Option<String>,
    created_at: i64,
    updated_at: i64,
}

impl From<ClientRow> for Client {
    fn from(row: ClientRow) -> Self {
        Client {
            client_id: row.id,
            name: row.name,
            public: row.public,
            organisation_id: row.organisation_id,
            logo_uri: row.logo_uri,
            redirect_uris: serde_json::from_str(&row.redirect_uris).unwrap_or_default(),
            post_logout_redirect_uris: serde_json::from_str(&row.post_logout_redirect_uris)
                .unwrap_or_default(),
            scope: row.allowed_scopes,
            grant_types: row
                .grant_types
                .split(' ')
                .filter_map(GrantType::from_code)
                .collect(),
            id_token_signed_response_alg: row
                .id_token_signed_response_alg
                .as_deref()
                .and_then(crate::oauth::keys::SigningAlgorithm::from_name),
            require_pushed_authorization_requests: row.require_pushed_authorization_requests,
            backchannel_logout_uri: row.backchannel_logout_uri,
            created_at: row.created_at,
            updated_at: row.updated_at,
            secret_hash: row.secret_hash,
        }
    }
}

/// What registering or updating a client may set.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientSpec {
    pub name: String,
    #[serde(default)]
    pub public: bool,
    #[serde(default)]
    pub organisation_id: Option<String>,
    #[serde(default)]
    pub logo_uri: Option<String>,
    #[serde(default)]
    pub redirect_uris: Vec<String>,
    #[serde(default)]
    pub post_logout_redirect_uris: Vec<String>,
    /// Space-separated scopes the client may ask for.
    pub scope: String,
    /// Defaults: all three for a confidential client; authorization_code and refresh_token for
    /// a public one.
    #[serde(default)]
    pub grant_types: Option<Vec<GrantType>>,
    /// `RS256`, `ES256` or `EdDSA` for its ID tokens; absent: the server's default (RS256).
    #[serde(default)]
    pub id_token_signed_response_alg: Option<crate::oauth::keys::SigningAlgorithm>,
    /// Its authorization requests must be pushed first (RFC 9126); default false.
    #[serde(default)]
    pub require_pushed_authorization_requests: bool,
    /// Where to post logout tokens (OpenID Connect Back-Channel Logout); https, or http on
    /// loopback.
    #[serde(default)]
    pub backchannel_logout_uri: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("客户端名称不能为空 / the client name must not be empty")]
    EmptyName,
    #[error("回调地址 `{uri}` 不可用 / redirect URI `{uri}` is not acceptable: {reason}")]
    BadRedirectUri { uri: String, reason: &'static str },
    #[error(
        "使用授权码的客户端至少需要一个回调地址 / a client using authorization_code needs at least one redirect URI"
    )]
    NoRedirectUri,
    #[error("未知的权限范围 / unknown scope `{0}`")]
    UnknownScope(String),
    #[error("{0}")]
    BadScope(String),
    #[error(
        "公开客户端没有密钥，不能使用 client_credentials / a public client cannot use client_credentials: it has no secret to authenticate with"
    )]
    PublicClientCredentials,
    #[error(
        "refresh_token 需要同时启用 authorization_code / refresh_token needs authorization_code: refresh tokens come from codes"
    )]
    RefreshWithoutCode,
    #[error(
        "ID 令牌可用 RS256 或 ES256 签名 / ID tokens can be signed with RS256 or ES256: relying parties built on the openidconnect crate (this platform's SDK among them) cannot verify EdDSA ID tokens"
    )]
    IdTokenAlgorithm,
    #[error(
        "登出通知地址 `{uri}` 不可用 / backchannel_logout_uri `{uri}` is not acceptable: {reason}"
    )]
    BadBackchannelLogoutUri { uri: String, reason: &'static str },
    #[error("没有这个机构 / no organisation with id {0}")]
    UnknownOrganisation(String),
    #[error("没有这个客户端 / no client with id {0}")]
    NotFound(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<sqlx::Error> for ClientError {
    fn from(e: sqlx::Error) -> Self {
        ClientError::Db(DbError::Query(e))
    }
}

/// A registered client and, once, its secret in the clear.
#[derive(Debug, Serialize)]
pub struct Registered {
    #[serde(flatten)]
    pub client: Client,
    pub client_secret: Option<String>,
}

/// RFC 9700 §2.1 and RFC 6749 §3.1.2: absolute, no fragment, https unless loopback.
pub fn check_redirect_uri(uri: &str) -> Result<(), ClientError> {
    let bad = |reason| ClientError::BadRedirectUri {
        uri: uri.to_owned(),
        reason,
    };
    let url = url::Url::parse(uri).map_err(|_| bad("not an absolute URI"))?;
    if url.fragment().is_some() || uri.contains('#') {
        return Err(bad("it must not have a fragment"));
    }
    let loopback = matches!(url.host_str(), Some("127.0.0.1" | "[::1]" | "localhost"));
    match url.scheme() {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        "http" => Err(bad(
            "http is only allowed for loopback addresses; use https",
        )),
        // RFC 8252 §7.1: private-use schemes of native apps, in reverse-domain form.
        scheme if scheme.contains('.') => Ok(()),
        _ => Err(bad(
            "the scheme must be https, http on loopback, or a reverse-domain app scheme",
        )),
    }
}

/// Back-Channel Logout §2.2: absolute, no fragment; https unless on loopback (a logout token
/// names users and sessions).
pub fn check_backchannel_logout_uri(uri: &str) -> Result<(), ClientError> {
    let bad = |reason| ClientError::BadBackchannelLogoutUri {
        uri: uri.to_owned(),
        reason,
    };
    let url = url::Url::parse(uri).map_err(|_| bad("not an absolute URI"))?;
    if url.fragment().is_some() || uri.contains('#') {
        return Err(bad("it must not have a fragment"));
    }
    let loopback = matches!(url.host_str(), Some("127.0.0.1" | "[::1]" | "localhost"));
    match url.scheme() {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        _ => Err(bad("it must be https (http only on loopback addresses)")),
    }
}

fn check(spec: &ClientSpec) -> Result<(Vec<GrantType>, String), ClientError> {
    if spec.name.trim().is_empty() {
        return Err(ClientError::EmptyName);
    }
    if spec.id_token_signed_response_alg == Some(crate::oauth::keys::SigningAlgorithm::EdDsa) {
        return Err(ClientError::IdTokenAlgorithm);
    }
    for uri in spec
        .redirect_uris
        .iter()
        .chain(&spec.post_logout_redirect_uris)
    {
        check_redirect_uri(uri)?;
    }
    if let Some(uri) = &spec.backchannel_logout_uri {
        check_backchannel_logout_uri(uri)?;
    }
    let scope = ScopeSet::parse(&spec.scope).map_err(ClientError::BadScope)?;
    if let Some(unknown) = scope.iter().find(|s| !scopes::is_known(s)) {
        return Err(ClientError::UnknownScope(unknown.to_owned()));
    }
    let grants = spec.grant_types.clone().unwrap_or_else(|| {
        if spec.public {
            vec![GrantType::AuthorizationCode, GrantType::RefreshToken]
        } else {
            vec![
                GrantType::AuthorizationCode,
                GrantType::RefreshToken,
                GrantType::ClientCredentials,
            ]
        }
    });
    if spec.public && grants.contains(&GrantType::ClientCredentials) {
        return Err(ClientError::PublicClientCredentials);
    }
    if grants.contains(&GrantType::RefreshToken) && !grants.contains(&GrantType::AuthorizationCode)
    {
        return Err(ClientError::RefreshWithoutCode);
    }
    if grants.contains(&GrantType::AuthorizationCode) && spec.redirect_uris.is_empty() {
        return Err(ClientError::NoRedirectUri);
    }
    Ok((grants, scope.to_text()))
}

fn grant_text(grants: &[GrantType]) -> String {
    grants
        .iter()
        .map(|g| g.code())
        .collect::<Vec<_>>()
        .join(" ")
}

async fn check_organisation(db: &Db, organisation_id: Option<&str>) -> Result<(), ClientError> {
    if let Some(id) = organisation_id {
        let found: Option<String> = with_pool!(db, pool => sqlx::query_scalar(
            "SELECT id FROM organisations WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(pool)
        .await)?;
        if found.is_none() {
            return Err(ClientError::UnknownOrganisation(id.to_owned()));
        }
    }
    Ok(())
}

pub async fn register(db: &Db, spec: ClientSpec, now: UnixTime) -> Result<Registered, ClientError> {
    let secret = (!spec.public).then(|| Secret::generate(SecretKind::ClientSecret));
    // Client ids and user subjects have different prefixes, so one never equals the other.
    let client_id = format!("cl_{}", Uuid::new_v4().simple());
    insert(db, spec, client_id, secret.map(Secret::into_string), now).await
}

/// Registers a client under a chosen id and secret. Only the demo loader does this, so that
/// the README's example app works with documented credentials.
pub async fn register_fixed(
    db: &Db,
    spec: ClientSpec,
    client_id: &str,
    secret: &str,
    now: UnixTime,
) -> Result<Registered, ClientError> {
    insert(
        db,
        spec,
        format!("cl_{client_id}"),
        Some(secret.to_owned()),
        now,
    )
    .await
}

async fn insert(
    db: &Db,
    spec: ClientSpec,
    client_id: String,
    secret: Option<String>,
    now: UnixTime,
) -> Result<Registered, ClientError> {
    let (grants, scope) = check(&spec)?;
    check_organisation(db, spec.organisation_id.as_deref()).await?;
    with_pool!(db, pool => sqlx::query(
        "INSERT INTO clients (id, name, secret_hash, public, organisation_id, logo_uri, redirect_uris, \
         post_logout_redirect_uris, allowed_scopes, grant_types, id_token_signed_response_alg, require_pushed_authorization_requests, backchannel_logout_uri, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $12, $13, $14, $11, $11)",
    )
    .bind(&client_id)
    .bind(spec.name.trim())
    .bind(secret.as_deref().map(super::secrets::hash_secret))
    .bind(spec.public)
    .bind(&spec.organisation_id)
    .bind(&spec.logo_uri)
    .bind(serde_json::to_string(&spec.redirect_uris).unwrap_or_default())
    .bind(serde_json::to_string(&spec.post_logout_redirect_uris).unwrap_or_default())
    .bind(&scope)
    .bind(grant_text(&grants))
    .bind(now)
    .bind(spec.id_token_signed_response_alg.map(|a| a.name()))
    .bind(spec.require_pushed_authorization_requests)
    .bind(&spec.backchannel_logout_uri)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    let client = find(db, &client_id)
        .await?
        .ok_or_else(|| ClientError::NotFound(client_id.clone()))?;
    Ok(Registered {
        client,
        client_secret: secret,
    })
}

const COLUMNS: &str = "id, name, secret_hash, public, organisation_id, logo_uri, redirect_uris, \
    post_logout_redirect_uris, allowed_scopes, grant_types, id_token_signed_response_alg, require_pushed_authorization_requests, backchannel_logout_uri, created_at, updated_at";

pub async fn find(db: &Db, client_id: &str) -> Result<Option<Client>, ClientError> {
    let sql = format!("SELECT {COLUMNS} FROM clients WHERE id = $1");
    let row = with_pool!(db, pool => sqlx::query_as::<_, ClientRow>(&sql)
        .bind(client_id)
        .fetch_optional(pool)
        .await)?;
    Ok(row.map(Client::from))
}

pub async fn list(db: &Db) -> Result<Vec<Client>, ClientError> {
    let sql = format!("SELECT {COLUMNS} FROM clients ORDER BY created_at, id");
    let rows = with_pool!(db, pool => sqlx::query_as::<_, ClientRow>(&sql).fetch_all(pool).await)?;
    Ok(rows.into_iter().map(Client::from).collect())
}

/// Replaces what a client may do. The secret and the public/confidential kind stay.
pub async fn update(
    db: &Db,
    client_id: &str,
    spec: ClientSpec,
    now: UnixTime,
) -> Result<Client, ClientError> {
    let existing = find(db, client_id)
        .await?
        .ok_or_else(|| ClientError::NotFound(client_id.to_owned()))?;
    let spec = ClientSpec {
        public: existing.public,
        ..spec
    };
    let (grants, scope) = check(&spec)?;
    check_organisation(db, spec.organisation_id.as_deref()).await?;
    with_pool!(db, pool => sqlx::query(
        "UPDATE clients SET name = $2, organisation_id = $3, logo_uri = $4, redirect_uris = $5, \
         post_logout_redirect_uris = $6, allowed_scopes = $7, grant_types = $8, updated_at = $9, \
         id_token_signed_response_alg = $10, require_pushed_authorization_requests = $11, \
         backchannel_logout_uri = $12 WHERE id = $1",
    )
    .bind(client_id)
    .bind(spec.name.trim())
    .bind(&spec.organisation_id)
    .bind(&spec.logo_uri)
    .bind(serde_json::to_string(&spec.redirect_uris).unwrap_or_default())
    .bind(serde_json::to_string(&spec.post_logout_redirect_uris).unwrap_or_default())
    .bind(&scope)
    .bind(grant_text(&grants))
    .bind(now)
    .bind(spec.id_token_signed_response_alg.map(|a| a.name()))
    .bind(spec.require_pushed_authorization_requests)
    .bind(&spec.backchannel_logout_uri)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    find(db, client_id)
        .await?
        .ok_or_else(|| ClientError::NotFound(client_id.to_owned()))
}

/// Issues a new secret; the old one stops working at once.
pub async fn rotate_secret(
    db: &Db,
    client_id: &str,
    now: UnixTime,
) -> Result<Registered, ClientError> {
    let client = find(db, client_id)
        .await?
        .ok_or_else(|| ClientError::NotFound(client_id.to_owned()))?;
    if client.public {
        return Err(ClientError::BadScope(
            "a public client has no secret to rotate".into(),
        ));
    }
    let secret = Secret::generate(SecretKind::ClientSecret);
    with_pool!(db, pool => sqlx::query("UPDATE clients SET secret_hash = $2, updated_at = $3 WHERE id = $1")
        .bind(client_id)
        .bind(secret.hash())
        .bind(now)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    let client = find(db, client_id)
        .await?
        .ok_or_else(|| ClientError::NotFound(client_id.to_owned()))?;
    Ok(Registered {
        client,
        client_secret: Some(secret.into_string()),
    })
}

/// Removes a client and, through the schema's cascades, its grants, codes and consents.
pub async fn remove(db: &Db, client_id: &str) -> Result<(), ClientError> {
    let removed = with_pool!(db, pool => sqlx::query("DELETE FROM clients WHERE id = $1")
        .bind(client_id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    if removed == 0 {
        return Err(ClientError::NotFound(client_id.to_owned()));
    }
    Ok(())
}
