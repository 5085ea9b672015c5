//! The relying party: discovery, the authorization URL (PKCE S256, `state`, `nonce`), the code
//! exchange with ID-token verification, refresh, revocation, userinfo, `client_credentials`
//! and the end-session URL. Built on the `openidconnect` crate.

use std::fmt;

use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointMaybeSet, EndpointNotSet,
    EndpointSet, IssuerUrl, Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier,
    RedirectUrl, RefreshToken, RequestTokenError, Scope, TokenResponse,
};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::error::{Error, refused};
use crate::tokens::Tokens;

type OidcClient = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// Endpoints the platform advertises beyond what `openidconnect` reads.
#[derive(Debug, Clone, Deserialize)]
struct MoreMetadata {
    revocation_endpoint: Option<Url>,
    end_session_endpoint: Option<Url>,
    jwks_uri: Url,
    /// RFC 9207: the provider names itself (`iss`) on every authorization response.
    #[serde(default)]
    authorization_response_iss_parameter_supported: bool,
    /// RFC 9126: where authorization requests are pushed.
    #[serde(default)]
    pushed_authorization_request_endpoint: Option<Url>,
}

/// Parameters [`Client::authorize_url_with`] sets itself, which extra parameters may not repeat.
const RESERVED_PARAMETERS: &[&str] = &[
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
];

/// A client of the platform's identity provider.
///
/// ```no_run
/// # async fn demo() -> Result<(), nx_sdk::Error> {
/// let client = nx_sdk::Client::discover(
///     "https://idp.nxzc.example",
///     "cl_carrier_web_demo",
///     Some("nxcs_…".into()),
/// )
/// .await?
/// .with_redirect_uri("https://carrier.example/callback")?;
/// let request = client.authorize_url(&["openid", "profile"]);
/// // Send the browser to request.url; keep request.state, .nonce and .pkce_verifier.
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    oidc: OidcClient,
    http: reqwest::Client,
    issuer: Url,
    client_id: String,
    secret: Option<ClientSecret>,
    more: MoreMetadata,
    logout: crate::logout::LogoutState,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The secret never appears in logs.
        f.debug_struct("Client")
            .field("issuer", &self.issuer.as_str())
            .field("client_id", &self.client_id)
            .field("secret", &self.secret.as_ref().map(|_| "***"))
            .finish()
    }
}

/// What the browser is sent to, and what the app keeps until the callback. It serialises (with
/// its secrets: `state`, `nonce`, the PKCE verifier) so that it can wait in a server-side
/// session store between the redirect and the callback; it is not `Clone`, like the verifier,
/// so that one request is redeemed once.
#[derive(Serialize, Deserialize)]
pub struct AuthorizationRequest {
    /// The provider's authorization URL with every parameter.
    pub url: Url,
    /// Compare with the callback's `state` ([`Client::check_state`]).
    pub state: CsrfToken,
    /// Checked inside the ID token by [`Client::exchange_code`].
    pub nonce: Nonce,
    /// The PKCE S256 verifier for [`Client::exchange_code`].
    pub pkce_verifier: PkceCodeVerifier,
}

impl fmt::Debug for AuthorizationRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthorizationRequest")
            .field("url", &self.url.as_str())
            .finish_non_exhaustive()
    }
}

/// Who signed in, from the verified ID token.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Identity {
    /// The user's stable id (`sub`).
    pub subject: String,
    /// Display name, when the provider puts it in the ID token (the platform's provider gives
    /// the profile through [`Client::userinfo`] instead).
    pub name: Option<String>,
    /// Username, when the provider puts it in the ID token.
    pub preferred_username: Option<String>,
    /// Email, when the provider puts it in the ID token.
    pub email: Option<String>,
    /// When the user authenticated (Unix seconds).
    pub auth_time: Option<i64>,
    /// How strongly: [`ACR_ONE_FACTOR`] (a password) or [`ACR_TWO_FACTORS`] (a password and an
    /// authenticator code). Ask for two with
    /// `authorize_url_with(.., &[("acr_values", ACR_TWO_FACTORS)])`, then check
    /// [`Identity::has_two_factors`]: the provider gives two factors or an error, and the check
    /// keeps a tampered request from passing.
    #[serde(default)]
    pub acr: Option<String>,
    /// The methods used (RFC 8176: `pwd`, `otp`).
    #[serde(default)]
    pub amr: Vec<String>,
    /// The provider's id of the login session (`sid`): a back-channel logout token names it
    /// when that login ends ([`Client::verify_logout_token`]).
    #[serde(default)]
    pub session_id: Option<String>,
}

/// The `acr` of a sign-in with one factor.
pub const ACR_ONE_FACTOR: &str = "1";
/// The `acr` of a sign-in with two factors.
pub const ACR_TWO_FACTORS: &str = "2";

impl Identity {
    /// Whether the user signed in with two factors.
    pub fn has_two_factors(&self) -> bool {
        self.acr.as_deref() == Some(ACR_TWO_FACTORS)
    }
}

#[derive(Deserialize)]
struct SessionClaim {
    sid: Option<String>,
}

/// A completed login.
#[derive(Debug, Clone)]
pub struct Login {
    /// The tokens, to keep server side.
    pub tokens: Tokens,
    /// Who signed in.
    pub identity: Identity,
}

/// The user's organisation as userinfo gives it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Organisation {
    /// Organisation id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// carrier, enterprise, service_provider, bank, fund or platform.
    pub kind: String,
}

/// `GET /userinfo`: claims by scope.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct UserInfo {
    /// The user's id.
    pub sub: String,
    /// Display name (`profile`).
    pub name: Option<String>,
    /// Username (`profile`).
    pub preferred_username: Option<String>,
    /// Roles on the platform (`profile`): admin, carrier_operator, enterprise, …
    #[serde(default)]
    pub roles: Vec<String>,
    /// The organisation (`profile`).
    pub organisation: Option<Organisation>,
    /// Email (`email`).
    pub email: Option<String>,
    /// Phone (`phone`).
    pub phone_number: Option<String>,
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d == "localhost",
        None => false,
    }
}

fn oauth_error<RE: std::error::Error + 'static>(
    e: RequestTokenError<
        RE,
        openidconnect::StandardErrorResponse<openidconnect::core::CoreErrorResponseType>,
    >,
) -> Error {
    match e {
        RequestTokenError::ServerResponse(r) => Error::OAuth {
            error: r.error().as_ref().to_owned(),
            description: r.error_description().cloned(),
        },
        other => Error::Transport(other.to_string()),
    }
}

impl Client {
    /// Reads the provider's discovery document. The issuer must be https unless it is a loopback
    /// address (development).
    pub async fn discover(
        issuer: &str,
        client_id: &str,
        secret: Option<String>,
    ) -> Result<Client, Error> {
        let http = reqwest::Client::builder()
            // Following redirects would carry credentials to places the provider did not name.
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Self::discover_with(http, issuer, client_id, secret).await
    }

    /// [`Client::discover`] with an HTTP client of your own (timeouts, proxy, root
    /// certificates). Build it with `redirect(reqwest::redirect::Policy::none())`: following a
    /// redirect would carry the client's credentials somewhere the provider did not name.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), nx_sdk::Error> {
    /// let http = reqwest::Client::builder()
    ///     .redirect(reqwest::redirect::Policy::none())
    ///     .timeout(std::time::Duration::from_secs(10))
    ///     .build()?;
    /// let client = nx_sdk::Client::discover_with(http, "https://idp.nxzc.example", "cl_my_app", None).await?;
    /// # Ok(()) }
    /// ```
    pub async fn discover_with(
        http: reqwest::Client,
        issuer: &str,
        client_id: &str,
        secret: Option<String>,
    ) -> Result<Client, Error> {
        let issuer_url =
            Url::parse(issuer).map_err(|e| Error::Config(format!("issuer {issuer}: {e}")))?;
        if issuer_url.scheme() != "https" && !is_loopback(&issuer_url) {
            return Err(Error::Config(format!(
                "the issuer must use https (got {issuer})"
            )));
        }
        // One fetch of the discovery document serves both openidconnect's metadata and the
        // endpoints it does not read (revocation, end session).
        let issuer_id = IssuerUrl::new(issuer.trim_end_matches('/').to_owned())
            .map_err(|e| Error::Config(e.to_string()))?;
        let document = http
            .get(format!(
                "{}/.well-known/openid-configuration",
                issuer.trim_end_matches('/')
            ))
            .send()
            .await?;
        if !document.status().is_success() {
            return Err(refused(document).await);
        }
        let document = document.bytes().await?;
        let discovery_error = |e: serde_json::Error| Error::Transport(format!("discovery: {e}"));
        let metadata: CoreProviderMetadata =
            serde_json::from_slice(&document).map_err(discovery_error)?;
        let more: MoreMetadata = serde_json::from_slice(&document).map_err(discovery_error)?;
        // As openidconnect's own discovery does: the document must name the issuer asked for.
        if metadata.issuer() != &issuer_id {
            return Err(Error::Verification(format!(
                "the discovery document names the issuer {}, not {}",
                metadata.issuer().as_str(),
                issuer_id.as_str()
            )));
        }
        let jwks = openidconnect::core::CoreJsonWebKeySet::fetch_async(metadata.jwks_uri(), &http)
            .await
            .map_err(|e| Error::Transport(format!("discovery: {e}")))?;
        let metadata = metadata.set_jwks(jwks);
        let secret = secret.map(ClientSecret::new);
        let oidc = CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(client_id.to_owned()),
            secret.clone(),
        );
        Ok(Client {
            oidc,
            http,
            issuer: issuer_url,
            client_id: client_id.to_owned(),
            secret,
            more,
            logout: Default::default(),
        })
    }

    pub(crate) fn logout_state(&self) -> &crate::logout::LogoutState {
        &self.logout
    }

    /// Sets the registered redirect URI the callback is at.
    pub fn with_redirect_uri(mut self, uri: &str) -> Result<Client, Error> {
        self.oidc = self.oidc.set_redirect_uri(
            RedirectUrl::new(uri.to_owned()).map_err(|e| Error::Config(e.to_string()))?,
        );
        Ok(self)
    }

    /// The issuer's URL.
    pub fn issuer(&self) -> &Url {
        &self.issuer
    }

    /// This client's id.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The HTTP client the SDK uses (for the catalogue client).
    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// The URL that starts a login: `response_type=code`, PKCE S256, fresh `state` and `nonce`.
    /// `openid` is always asked for.
    pub fn authorize_url(&self, scopes: &[&str]) -> AuthorizationRequest {
        self.build_authorize_url(scopes, &[])
    }

    /// [`Client::authorize_url`] with further parameters: `prompt` (`login`, `consent`,
    /// `none`), `login_hint`, `max_age`, `ui_locales`, … The parameters the SDK sets itself
    /// (`state`, `nonce`, PKCE, `scope`, …) cannot be given here.
    ///
    /// ```no_run
    /// # fn demo(client: &nx_sdk::Client) -> Result<(), nx_sdk::Error> {
    /// let request = client.authorize_url_with(&["openid"], &[("prompt", "login"), ("login_hint", "li")])?;
    /// # Ok(()) }
    /// ```
    pub fn authorize_url_with(
        &self,
        scopes: &[&str],
        parameters: &[(&str, &str)],
    ) -> Result<AuthorizationRequest, Error> {
        if let Some((name, _)) = parameters
            .iter()
            .find(|(name, _)| RESERVED_PARAMETERS.contains(name))
        {
            return Err(Error::Config(format!(
                "the SDK sets the authorization parameter {name} itself"
            )));
        }
        Ok(self.build_authorize_url(scopes, parameters))
    }

    /// [`Client::authorize_url`], pushed first (RFC 9126) where the provider advertises a
    /// pushed authorization request endpoint: the parameters travel over the back channel with
    /// the client's credentials, and the browser carries only `client_id` and a one-time
    /// `request_uri`, so nothing in the address bar can be read or altered. Providers without
    /// the endpoint get the plain request. Clients the platform registered as requiring pushed
    /// requests must use this.
    ///
    /// ```no_run
    /// # async fn demo(client: &nx_sdk::Client) -> Result<(), nx_sdk::Error> {
    /// let request = client.pushed_authorize_url(&["openid", "profile"]).await?;
    /// // keep request.state, request.nonce and request.pkce_verifier; send the browser to request.url
    /// # Ok(()) }
    /// ```
    pub async fn pushed_authorize_url(
        &self,
        scopes: &[&str],
    ) -> Result<AuthorizationRequest, Error> {
        let request = self.build_authorize_url(scopes, &[]);
        match self.more.pushed_authorization_request_endpoint.clone() {
            Some(endpoint) => self.push(endpoint, request).await,
            None => Ok(request),
        }
    }

    /// Whether the provider takes pushed authorization requests.
    pub fn supports_pushed_requests(&self) -> bool {
        self.more.pushed_authorization_request_endpoint.is_some()
    }

    async fn push(
        &self,
        endpoint: Url,
        request: AuthorizationRequest,
    ) -> Result<AuthorizationRequest, Error> {
        let parameters: Vec<(String, String)> = request
            .url
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let mut call = self.http.post(endpoint);
        call = match &self.secret {
            Some(secret) => call.basic_auth(&self.client_id, Some(secret.secret())),
            None => call,
        };
        let response = call.form(&parameters).send().await?;
        if !response.status().is_success() {
            return Err(refused(response).await);
        }
        #[derive(Deserialize)]
        struct Pushed {
            request_uri: String,
        }
        let pushed: Pushed = response
            .json()
            .await
            .map_err(|e| Error::Transport(format!("pushed authorization request: {e}")))?;
        let mut url = request.url.clone();
        url.set_query(None);
        url.query_pairs_mut()
            .append_pair("client_id", &self.client_id)
            .append_pair("request_uri", &pushed.request_uri);
        Ok(AuthorizationRequest { url, ..request })
    }

    fn build_authorize_url(
        &self,
        scopes: &[&str],
        parameters: &[(&str, &str)],
    ) -> AuthorizationRequest {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = self.oidc.authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        );
        for scope in scopes.iter().filter(|s| **s != "openid") {
            request = request.add_scope(Scope::new((*scope).to_owned()));
        }
        for (name, value) in parameters {
            request = request.add_extra_param(*name, *value);
        }
        let (url, state, nonce) = request.set_pkce_challenge(challenge).url();
        AuthorizationRequest {
            url,
            state,
            nonce,
            pkce_verifier: verifier,
        }
    }

    /// Checks a callback: its `state` against the one sent (in constant time) and, when the
    /// provider says it names itself on authorization responses (RFC 9207, as this platform
    /// does), that `iss` is there and is this provider, so a response from another provider
    /// the app also uses (mix-up attack) is refused.
    pub fn check_callback(
        &self,
        sent_state: &CsrfToken,
        returned_state: &str,
        returned_iss: Option<&str>,
    ) -> Result<(), Error> {
        Self::check_state(sent_state, returned_state)?;
        if self.more.authorization_response_iss_parameter_supported {
            let expected = self.issuer.as_str().trim_end_matches('/');
            match returned_iss {
                Some(iss) if iss.trim_end_matches('/') == expected => {}
                Some(iss) => {
                    return Err(Error::Verification(format!(
                        "the authorization response comes from {iss}, not {expected}"
                    )));
                }
                None => {
                    return Err(Error::Verification(
                        "the authorization response does not name its issuer (iss)".into(),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Compares the callback's `state` with the one sent, in constant time.
    pub fn check_state(sent: &CsrfToken, returned: &str) -> Result<(), Error> {
        let a = sent.secret().as_bytes();
        let b = returned.as_bytes();
        let same =
            a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0;
        if same {
            Ok(())
        } else {
            Err(Error::StateMismatch)
        }
    }

    /// Exchanges the callback's code, and verifies the ID token (signature from the JWKS,
    /// issuer, audience, expiry, `nonce`, `at_hash`).
    pub async fn exchange_code(
        &self,
        code: &str,
        pkce_verifier: PkceCodeVerifier,
        nonce: &Nonce,
    ) -> Result<Login, Error> {
        let response = self
            .oidc
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|e| Error::Config(e.to_string()))?
            .set_pkce_verifier(pkce_verifier)
            .request_async(&self.http)
            .await
            .map_err(oauth_error)?;
        let id_token = response
            .id_token()
            .ok_or_else(|| Error::Verification("the response has no ID token".into()))?;
        let verifier = self.oidc.id_token_verifier();
        let claims = id_token
            .claims(&verifier, nonce)
            .map_err(|e| Error::Verification(e.to_string()))?;
        if let Some(expected) = claims.access_token_hash() {
            let actual = openidconnect::AccessTokenHash::from_token(
                response.access_token(),
                id_token
                    .signing_alg()
                    .map_err(|e| Error::Verification(e.to_string()))?,
                id_token
                    .signing_key(&verifier)
                    .map_err(|e| Error::Verification(e.to_string()))?,
            )
            .map_err(|e| Error::Verification(e.to_string()))?;
            if &actual != expected {
                return Err(Error::Verification("at_hash does not match".into()));
            }
        }
        let identity = Identity {
            subject: claims.subject().as_str().to_owned(),
            name: claims
                .name()
                .and_then(|n| n.get(None))
                .map(|n| n.as_str().to_owned()),
            preferred_username: claims.preferred_username().map(|u| u.as_str().to_owned()),
            email: claims.email().map(|e| e.as_str().to_owned()),
            auth_time: claims.auth_time().map(|t| t.timestamp()),
            acr: claims.auth_context_ref().map(|acr| acr.as_str().to_owned()),
            amr: claims
                .auth_method_refs()
                .map(|methods| methods.iter().map(|m| m.as_str().to_owned()).collect())
                .unwrap_or_default(),
            // Verified above; openidconnect's standard claims have no sid, so it is read from
            // the same payload.
            session_id: jsonwebtoken::dangerous::insecure_decode_claims::<SessionClaim>(
                id_token.to_string(),
            )
            .ok()
            .and_then(|c| c.sid),
        };
        let tokens = Tokens::from_response(&response, Some(id_token.to_string()));
        Ok(Login { tokens, identity })
    }

    /// Trades a refresh token for new tokens (the provider rotates the refresh token: keep the
    /// new one; the old one is spent).
    pub async fn refresh(&self, refresh_token: &str) -> Result<Tokens, Error> {
        let response = self
            .oidc
            .exchange_refresh_token(&RefreshToken::new(refresh_token.to_owned()))
            .map_err(|e| Error::Config(e.to_string()))?
            .request_async(&self.http)
            .await
            .map_err(oauth_error)?;
        Ok(Tokens::from_response(
            &response,
            response.id_token().map(|t| t.to_string()),
        ))
    }

    /// A token for the client itself (`client_credentials`).
    pub async fn client_credentials(&self, scopes: &[&str]) -> Result<Tokens, Error> {
        let response = self
            .oidc
            .exchange_client_credentials()
            .map_err(|e| Error::Config(e.to_string()))?
            .add_scopes(scopes.iter().map(|s| Scope::new((*s).to_owned())))
            .request_async(&self.http)
            .await
            .map_err(oauth_error)?;
        Ok(Tokens::from_response(&response, None))
    }

    /// Revokes an access or refresh token (RFC 7009). Revoking a refresh token ends its grant.
    pub async fn revoke(&self, token: &str) -> Result<(), Error> {
        let endpoint = self
            .more
            .revocation_endpoint
            .clone()
            .ok_or_else(|| Error::Config("the provider has no revocation endpoint".into()))?;
        let mut request = self.http.post(endpoint);
        request = match &self.secret {
            Some(secret) => request
                .basic_auth(&self.client_id, Some(secret.secret()))
                .form(&[("token", token)]),
            None => request.form(&[("token", token), ("client_id", self.client_id.as_str())]),
        };
        let response = request.send().await?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(refused(response).await)
        }
    }

    /// The signed-in user's claims, with organisation and roles.
    pub async fn userinfo(&self, access_token: &str) -> Result<UserInfo, Error> {
        let endpoint = self
            .oidc
            .user_info_url()
            .ok_or_else(|| Error::Config("the provider has no userinfo endpoint".into()))?
            .url()
            .clone();
        let response = self
            .http
            .get(endpoint)
            .bearer_auth(access_token)
            .send()
            .await?;
        if !response.status().is_success() {
            return Err(refused(response).await);
        }
        Ok(response.json().await?)
    }

    /// Where to send the browser to sign out at the provider (RP-initiated logout), returning
    /// to a registered post-logout URI.
    pub fn end_session_url(
        &self,
        id_token_hint: Option<&str>,
        post_logout_redirect_uri: Option<&str>,
    ) -> Result<Url, Error> {
        let mut url = self
            .more
            .end_session_endpoint
            .clone()
            .ok_or_else(|| Error::Config("the provider has no end-session endpoint".into()))?;
        {
            let mut query = url.query_pairs_mut();
            query.append_pair("client_id", &self.client_id);
            if let Some(hint) = id_token_hint {
                query.append_pair("id_token_hint", hint);
            }
            if let Some(uri) = post_logout_redirect_uri {
                query.append_pair("post_logout_redirect_uri", uri);
            }
        }
        Ok(url)
    }

    /// The JWKS address, for [`crate::Verifier`].
    pub fn jwks_uri(&self) -> &Url {
        &self.more.jwks_uri
    }

    /// The crowdfunding platform acting with a user's `access_token` (scope `crowdfunding`).
    pub fn crowdfunding<'a>(
        &'a self,
        access_token: &'a str,
    ) -> crate::crowdfunding::Crowdfunding<'a> {
        crate::crowdfunding::Crowdfunding::new(
            self.http(),
            self.issuer.as_str(),
            crate::bearer::Bearer::Token(access_token),
        )
    }

    /// The crowdsourcing platform acting with a user's `access_token` (scope `crowdsourcing`).
    pub fn crowdsourcing<'a>(
        &'a self,
        access_token: &'a str,
    ) -> crate::crowdsourcing::Crowdsourcing<'a> {
        crate::crowdsourcing::Crowdsourcing::new(
            self.http(),
            self.issuer.as_str(),
            crate::bearer::Bearer::Token(access_token),
        )
    }

    /// The financing platform acting with a user's `access_token` (scope `financing`).
    pub fn financing<'a>(&'a self, access_token: &'a str) -> crate::financing::Financing<'a> {
        crate::financing::Financing::new(
            self.http(),
            self.issuer.as_str(),
            crate::bearer::Bearer::Token(access_token),
        )
    }

    /// Shared carrier resources acting with a user's `access_token` (scope `resources`).
    pub fn resources<'a>(&'a self, access_token: &'a str) -> crate::resources::Resources<'a> {
        crate::resources::Resources::new(
            self.http(),
            self.issuer.as_str(),
            crate::bearer::Bearer::Token(access_token),
        )
    }

    /// The user's platform inbox, acting with their `access_token` (scope `inbox`).
    pub fn inbox<'a>(&'a self, access_token: &'a str) -> crate::inbox::Inbox<'a> {
        crate::inbox::Inbox::new(
            self.http(),
            self.issuer.as_str(),
            crate::bearer::Bearer::Token(access_token),
        )
    }

    /// A catalogue client acting with `access_token`.
    pub fn catalogue<'a>(&'a self, access_token: &'a str) -> crate::catalogue::Catalogue<'a> {
        crate::catalogue::Catalogue::new(
            self.http(),
            self.issuer.as_str(),
            crate::bearer::Bearer::Token(access_token),
        )
    }
}
