//! Tokens, where they are kept, and a holder that renews them shortly before they expire: one
//! renewal at a time however many tasks ask, so a rotated refresh token is never used twice
//! (which the provider would take for theft and answer by revoking the whole grant).

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use openidconnect::OAuth2TokenResponse;
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;

use crate::client::Client;
use crate::error::Error;

/// A set of tokens. `Debug` shows none of them.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Tokens {
    /// The access token (a JWT).
    pub access_token: String,
    /// The refresh token, when `offline_access` was granted.
    pub refresh_token: Option<String>,
    /// The ID token of the login, for `id_token_hint` at logout.
    pub id_token: Option<String>,
    /// When the access token expires (Unix seconds).
    pub expires_at: i64,
    /// The granted scopes.
    pub scope: String,
}

impl fmt::Debug for Tokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tokens")
            .field("access_token", &"***")
            .field("refresh_token", &self.refresh_token.as_ref().map(|_| "***"))
            .field("expires_at", &self.expires_at)
            .field("scope", &self.scope)
            .finish()
    }
}

pub(crate) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

impl Tokens {
    pub(crate) fn from_response<R: OAuth2TokenResponse>(
        response: &R,
        id_token: Option<String>,
    ) -> Tokens {
        Tokens {
            access_token: response.access_token().secret().clone(),
            refresh_token: response.refresh_token().map(|r| r.secret().clone()),
            id_token,
            expires_at: now()
                + response
                    .expires_in()
                    .map(|d| d.as_secs() as i64)
                    .unwrap_or(600),
            scope: response
                .scopes()
                .map(|s| s.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" "))
                .unwrap_or_default(),
        }
    }

    /// Whether the access token expires within `margin` seconds.
    pub fn expires_within(&self, margin: i64) -> bool {
        self.expires_at - margin <= now()
    }
}

/// Where a holder keeps its tokens between uses and restarts.
#[async_trait::async_trait]
pub trait TokenStore: Send + Sync {
    /// The stored tokens, if any.
    async fn load(&self) -> Result<Option<Tokens>, Error>;
    /// Replaces the stored tokens.
    async fn save(&self, tokens: &Tokens) -> Result<(), Error>;
}

/// Keeps tokens in memory only.
#[derive(Default)]
pub struct MemoryStore(std::sync::Mutex<Option<Tokens>>);

#[async_trait::async_trait]
impl TokenStore for MemoryStore {
    async fn load(&self) -> Result<Option<Tokens>, Error> {
        Ok(self.0.lock().map(|t| t.clone()).unwrap_or_default())
    }
    async fn save(&self, tokens: &Tokens) -> Result<(), Error> {
        if let Ok(mut slot) = self.0.lock() {
            *slot = Some(tokens.clone());
        }
        Ok(())
    }
}

/// Keeps tokens in a JSON file readable only by its owner, replaced atomically.
pub struct FileStore {
    path: PathBuf,
}

impl FileStore {
    /// A store at `path` (created on first save).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        FileStore { path: path.into() }
    }
}

#[async_trait::async_trait]
impl TokenStore for FileStore {
    async fn load(&self) -> Result<Option<Tokens>, Error> {
        match tokio::fs::read(&self.path).await {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|e| Error::Io(std::io::Error::other(e))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    async fn save(&self, tokens: &Tokens) -> Result<(), Error> {
        let json = serde_json::to_vec(tokens).map_err(|e| Error::Io(std::io::Error::other(e)))?;
        let temporary = self.path.with_extension("tmp");
        let mut options = tokio::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        options.mode(0o600);
        use tokio::io::AsyncWriteExt;
        let mut file = options.open(&temporary).await?;
        file.write_all(&json).await?;
        file.sync_all().await?;
        tokio::fs::rename(&temporary, &self.path).await?;
        Ok(())
    }
}

/// How a holder gets fresh tokens.
#[derive(Debug, Clone)]
pub enum Renewal {
    /// With the refresh token (a user's login).
    RefreshToken,
    /// By asking again with `client_credentials` for these scopes (a backend service).
    ClientCredentials(Vec<String>),
}

/// Hands out a valid access token, renewing it `margin` seconds before it expires.
///
/// ```no_run
/// # async fn demo(client: nx_sdk::Client) -> Result<(), nx_sdk::Error> {
/// use std::sync::Arc;
/// let holder = nx_sdk::TokenHolder::client_credentials(
///     client,
///     &["catalogue:enterprise:write"],
///     Arc::new(nx_sdk::MemoryStore::default()),
/// );
/// let token = holder.access_token().await?; // renewed when needed
/// # Ok(()) }
/// ```
pub struct TokenHolder {
    client: Client,
    renewal: Renewal,
    store: Arc<dyn TokenStore>,
    // Held across the renewal, so that concurrent callers wait for the one renewal in flight.
    current: Mutex<Option<Tokens>>,
    margin: i64,
}

impl TokenHolder {
    /// A holder for a user's tokens, renewed with their refresh token.
    pub fn new(client: Client, tokens: Option<Tokens>, store: Arc<dyn TokenStore>) -> Self {
        TokenHolder {
            client,
            renewal: Renewal::RefreshToken,
            store,
            current: Mutex::new(tokens),
            margin: 30,
        }
    }

    /// A holder for a service's own tokens (`client_credentials`).
    pub fn client_credentials(client: Client, scopes: &[&str], store: Arc<dyn TokenStore>) -> Self {
        TokenHolder {
            client,
            renewal: Renewal::ClientCredentials(scopes.iter().map(|s| (*s).to_owned()).collect()),
            store,
            current: Mutex::new(None),
            margin: 30,
        }
    }

    /// The client the holder renews with, lent back for calls that need no token of this
    /// holder (a user's login, `userinfo` with another token, …).
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The catalogue, with this holder's access token renewed before each call as needed: a
    /// long reporting job keeps one of these for all its batches.
    pub fn catalogue(&self) -> crate::catalogue::Catalogue<'_> {
        crate::catalogue::Catalogue::new(
            self.client.http(),
            self.client.issuer().as_str(),
            crate::bearer::Bearer::Holder(self),
        )
    }

    /// The crowdfunding platform, with this holder's (user's) access token renewed as needed.
    pub fn crowdfunding(&self) -> crate::crowdfunding::Crowdfunding<'_> {
        crate::crowdfunding::Crowdfunding::new(
            self.client.http(),
            self.client.issuer().as_str(),
            crate::bearer::Bearer::Holder(self),
        )
    }

    /// The crowdsourcing platform, with this holder's (user's) access token renewed as needed.
    pub fn crowdsourcing(&self) -> crate::crowdsourcing::Crowdsourcing<'_> {
        crate::crowdsourcing::Crowdsourcing::new(
            self.client.http(),
            self.client.issuer().as_str(),
            crate::bearer::Bearer::Holder(self),
        )
    }

    /// The financing platform, with this holder's (user's) access token renewed as needed.
    pub fn financing(&self) -> crate::financing::Financing<'_> {
        crate::financing::Financing::new(
            self.client.http(),
            self.client.issuer().as_str(),
            crate::bearer::Bearer::Holder(self),
        )
    }

    /// Shared carrier resources, with this holder's (user's) access token renewed as needed.
    pub fn resources(&self) -> crate::resources::Resources<'_> {
        crate::resources::Resources::new(
            self.client.http(),
            self.client.issuer().as_str(),
            crate::bearer::Bearer::Holder(self),
        )
    }

    /// The user's inbox, with this holder's access token renewed as needed.
    pub fn inbox(&self) -> crate::inbox::Inbox<'_> {
        crate::inbox::Inbox::new(
            self.client.http(),
            self.client.issuer().as_str(),
            crate::bearer::Bearer::Holder(self),
        )
    }

    /// Renew this many seconds before expiry (default 30).
    pub fn with_margin(mut self, seconds: i64) -> Self {
        self.margin = seconds;
        self
    }

    /// A valid access token, renewed first if it is about to expire.
    pub async fn access_token(&self) -> Result<String, Error> {
        Ok(self.tokens().await?.access_token)
    }

    /// The current tokens, renewed first if the access token is about to expire.
    pub async fn tokens(&self) -> Result<Tokens, Error> {
        let mut current = self.current.lock().await;
        if current.is_none() {
            *current = self.store.load().await?;
        }
        if let Some(tokens) = current.as_ref()
            && !tokens.expires_within(self.margin)
        {
            return Ok(tokens.clone());
        }
        let renewed = match (&self.renewal, current.as_ref()) {
            (Renewal::ClientCredentials(scopes), _) => {
                let scopes: Vec<&str> = scopes.iter().map(String::as_str).collect();
                self.client.client_credentials(&scopes).await?
            }
            (
                Renewal::RefreshToken,
                Some(Tokens {
                    refresh_token: Some(refresh),
                    id_token,
                    ..
                }),
            ) => {
                let mut renewed = self.client.refresh(refresh).await?;
                if renewed.refresh_token.is_none() {
                    renewed.refresh_token = Some(refresh.clone());
                }
                if renewed.id_token.is_none() {
                    renewed.id_token = id_token.clone();
                }
                renewed
            }
            (Renewal::RefreshToken, _) => {
                return Err(Error::Config(
                    "no refresh token to renew with; sign in again".into(),
                ));
            }
        };
        self.store.save(&renewed).await?;
        *current = Some(renewed.clone());
        Ok(renewed)
    }

    /// Forgets the tokens after revoking the refresh token (or the access token) at the provider.
    pub async fn sign_out(&self) -> Result<(), Error> {
        let mut current = self.current.lock().await;
        if let Some(tokens) = current.take() {
            let token = tokens
                .refresh_token
                .as_deref()
                .unwrap_or(&tokens.access_token);
            self.client.revoke(token).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[tokio::test]
    async fn the_file_store_keeps_tokens_across_instances_and_only_for_its_owner() {
        let path = std::env::temp_dir().join(format!("nx-sdk-store-{}.json", std::process::id()));
        let tokens = Tokens {
            access_token: "at".into(),
            refresh_token: Some("rt".into()),
            id_token: None,
            expires_at: 42,
            scope: "openid".into(),
        };
        assert_eq!(FileStore::new(&path).load().await.unwrap(), None);
        FileStore::new(&path).save(&tokens).await.unwrap();
        assert_eq!(
            FileStore::new(&path).load().await.unwrap(),
            Some(tokens.clone())
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::remove_file(&path).unwrap();
        let shown = format!("{tokens:?}");
        assert!(
            !shown.contains("\"at\"") && !shown.contains("rt"),
            "{shown}"
        );
    }
}
