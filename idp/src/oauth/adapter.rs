//! The one place that talks to oxide-auth. It supplies the primitives it gets right: registered
//! redirect URL matching, scope parsing and subset checks, and PKCE verification. Everything
//! else of the protocol (endpoints, OpenID Connect, token storage) is ours.

use std::borrow::Cow;

use oxide_auth::code_grant::extensions::Pkce;
use oxide_auth::primitives::grant::Value;
use oxide_auth::primitives::registrar::{ExactUrl, IgnoreLocalPortUrl, RegisteredUrl};
use oxide_auth::primitives::scope::Scope;

/// A parsed, space-separated scope set (RFC 6749 §3.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeSet(Scope);

impl ScopeSet {
    pub fn parse(text: &str) -> Result<ScopeSet, String> {
        text.trim()
            .parse::<Scope>()
            .map(ScopeSet)
            .map_err(|_| format!("scope `{text}` has characters RFC 6749 §3.3 does not allow"))
    }

    pub fn empty() -> ScopeSet {
        ScopeSet::parse("").unwrap_or_else(|_| unreachable!("the empty scope parses"))
    }

    /// Every scope of `self` is in `other`.
    pub fn is_subset_of(&self, other: &ScopeSet) -> bool {
        other.0.priviledged_to(&self.0)
    }

    pub fn contains(&self, scope: &str) -> bool {
        self.0.iter().any(|s| s == scope)
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.0.iter().next().is_none()
    }

    /// The scopes of `self` that `keep` accepts.
    pub fn filter(&self, keep: impl Fn(&str) -> bool) -> ScopeSet {
        let kept: Vec<&str> = self.0.iter().filter(|s| keep(s)).collect();
        ScopeSet::parse(&kept.join(" ")).unwrap_or_else(|_| ScopeSet::empty())
    }

    /// Space-separated, sorted (oxide-auth keeps a set), as tokens and storage carry it.
    pub fn to_text(&self) -> String {
        let mut scopes: Vec<&str> = self.0.iter().collect();
        scopes.sort_unstable();
        scopes.join(" ")
    }
}

/// Whether a redirect URI in a request is one the client registered. RFC 9700 §4.1.3: exact
/// string comparison. RFC 8252 §7.3: a native (public) client's loopback URI may differ in port,
/// since the port is chosen when the app starts.
pub fn redirect_uri_matches(registered: &str, requested: &str, native: bool) -> bool {
    let Ok(requested_exact) = ExactUrl::new(requested.to_owned()) else {
        return false;
    };
    if native && let Some((reg_host, req_host)) = loopback_hosts(registered, requested) {
        if reg_host != req_host {
            return false;
        }
        // oxide-auth ignores the port for the host `localhost`; loopback IP literals
        // (RFC 8252 recommends 127.0.0.1) are compared through the same rule.
        let (Some(reg), Some(req)) = (as_localhost(registered), as_localhost(requested)) else {
            return false;
        };
        return match (IgnoreLocalPortUrl::new(reg), IgnoreLocalPortUrl::new(req)) {
            (Ok(reg), Ok(req)) => RegisteredUrl::IgnorePortOnLocalhost(reg) == req,
            _ => false,
        };
    }
    match ExactUrl::new(registered.to_owned()) {
        Ok(exact) => RegisteredUrl::Exact(exact) == requested_exact,
        Err(_) => false,
    }
}

fn loopback_hosts(registered: &str, requested: &str) -> Option<(String, String)> {
    let reg = url::Url::parse(registered).ok()?;
    let req = url::Url::parse(requested).ok()?;
    let is_loopback = |u: &url::Url| {
        u.scheme() == "http" && matches!(u.host_str(), Some("127.0.0.1" | "[::1]" | "localhost"))
    };
    if is_loopback(&reg) && is_loopback(&req) {
        Some((reg.host_str()?.to_owned(), req.host_str()?.to_owned()))
    } else {
        None
    }
}

fn as_localhost(uri: &str) -> Option<String> {
    let mut url = url::Url::parse(uri).ok()?;
    url.set_host(Some("localhost")).ok()?;
    Some(url.to_string())
}

/// A PKCE challenge accepted at the authorization endpoint, in the encoded form oxide-auth
/// verifies against later. Only S256 (RFC 9700 §2.1.1: `plain` is refused).
pub fn pkce_challenge(method: Option<&str>, challenge: &str) -> Result<String, &'static str> {
    match method {
        Some("S256") => {}
        Some("plain") => return Err("code_challenge_method plain is not allowed; use S256"),
        None => return Err("code_challenge_method is required and must be S256"),
        Some(_) => return Err("unsupported code_challenge_method; use S256"),
    }
    // RFC 7636 §4.2: BASE64URL(SHA256(verifier)) is 43 characters.
    if challenge.len() != 43
        || !challenge
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err("code_challenge must be 43 base64url characters (S256)");
    }
    match Pkce::required().challenge(Some(Cow::Borrowed("S256")), Some(Cow::Borrowed(challenge))) {
        Ok(Some(value)) => value
            .into_private_value()
            .ok()
            .flatten()
            .ok_or("code_challenge could not be encoded"),
        _ => Err("code_challenge is not valid"),
    }
}

/// Verifies a PKCE `code_verifier` (RFC 7636 §4.6) against the stored encoded challenge.
pub fn pkce_verify(encoded_challenge: &str, verifier: &str) -> bool {
    // RFC 7636 §4.1: 43 to 128 unreserved characters.
    let well_formed = (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'));
    well_formed
        && Pkce::required()
            .verify(
                Some(Value::private(Some(encoded_challenge.to_owned()))),
                Some(Cow::Borrowed(verifier)),
            )
            .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_uris_match_exactly() {
        let reg = "https://carrier.example/callback";
        assert!(redirect_uri_matches(reg, reg, false));
        assert!(!redirect_uri_matches(
            reg,
            "https://carrier.example/callback/",
            false
        ));
        assert!(!redirect_uri_matches(
            reg,
            "https://carrier.example:443/callback",
            false
        ));
        assert!(!redirect_uri_matches(
            reg,
            "https://carrier.example/callback?x=1",
            false
        ));
        assert!(!redirect_uri_matches(
            reg,
            "https://evil.example/callback",
            false
        ));
    }

    #[test]
    fn native_loopback_uris_may_differ_in_port_only() {
        let reg = "http://127.0.0.1/callback";
        assert!(redirect_uri_matches(
            reg,
            "http://127.0.0.1:53124/callback",
            true
        ));
        assert!(!redirect_uri_matches(
            reg,
            "http://127.0.0.1:53124/other",
            true
        ));
        assert!(!redirect_uri_matches(
            reg,
            "http://localhost:53124/callback",
            true
        ));
        assert!(!redirect_uri_matches(
            reg,
            "http://127.0.0.1:53124/callback",
            false
        ));
    }

    #[test]
    fn pkce_s256_round_trips_and_plain_is_refused() {
        // RFC 7636 Appendix B.
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        let encoded = pkce_challenge(Some("S256"), challenge).expect("a valid S256 challenge");
        assert!(pkce_verify(&encoded, verifier));
        assert!(!pkce_verify(
            &encoded,
            "wrong-verifier-wrong-verifier-wrong-verifier-x"
        ));
        assert!(pkce_challenge(Some("plain"), verifier).is_err());
        assert!(pkce_challenge(None, challenge).is_err());
    }

    #[test]
    fn scope_subsets() {
        let allowed = ScopeSet::parse("openid profile email").unwrap_or_else(|_| ScopeSet::empty());
        let asked = ScopeSet::parse("profile openid").unwrap_or_else(|_| ScopeSet::empty());
        assert!(asked.is_subset_of(&allowed));
        assert!(!allowed.is_subset_of(&asked));
        assert_eq!(asked.to_text(), "openid profile");
    }
}
