//! Opaque secrets: client secrets, authorization codes, refresh tokens. Each has at least 256
//! random bits, a prefix that says what it is (so a leaked one is recognisable), and is stored
//! only as its SHA-256 hash, compared in constant time.

use aws_lc_rs::digest::{SHA256, digest};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use subtle::ConstantTimeEq;

/// What an opaque secret is; the prefix is part of the secret.
#[derive(Debug, Clone, Copy)]
pub enum SecretKind {
    ClientSecret,
    AuthorizationCode,
    RefreshToken,
    Session,
}

impl SecretKind {
    fn prefix(self) -> &'static str {
        match self {
            SecretKind::ClientSecret => "nxcs_",
            SecretKind::AuthorizationCode => "nxac_",
            SecretKind::RefreshToken => "nxrt_",
            SecretKind::Session => "",
        }
    }
}

/// A freshly generated secret in the clear. It is shown once and never stored as such.
pub struct Secret(String);

impl Secret {
    pub fn generate(kind: SecretKind) -> Secret {
        Secret(format!("{}{}", kind.prefix(), random_urlsafe(32)))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }

    pub fn hash(&self) -> String {
        hash_secret(&self.0)
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// `bytes` random bytes from the operating system's generator, base64url without padding.
pub fn random_urlsafe(bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    // The system generator failing means the machine cannot do cryptography at all.
    SystemRandom::new()
        .fill(&mut buffer)
        .expect("the system random generator works");
    URL_SAFE_NO_PAD.encode(buffer)
}

/// The lookup and storage form of a presented secret: SHA-256, hex. A slow password hash adds
/// nothing for 256 random bits and would cap the token endpoint.
pub fn hash_secret(presented: &str) -> String {
    let hash = digest(&SHA256, presented.as_bytes());
    hash.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// Compares a presented secret with a stored hash in constant time.
pub fn verify_secret(presented: &str, stored_hash: &str) -> bool {
    hash_secret(presented)
        .as_bytes()
        .ct_eq(stored_hash.as_bytes())
        .into()
}

/// base64url(SHA-256(ascii)) left half, as `at_hash` needs (OpenID Connect Core §3.1.3.6) for
/// SHA-256 based algorithms.
pub fn left_half_hash(value: &str) -> String {
    let hash = digest(&SHA256, value.as_bytes());
    URL_SAFE_NO_PAD.encode(&hash.as_ref()[..16])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_prefixed_long_and_verify_only_themselves() {
        let secret = Secret::generate(SecretKind::RefreshToken);
        assert!(secret.expose().starts_with("nxrt_"));
        assert_eq!(
            secret.expose().len(),
            5 + 43,
            "32 bytes is 43 base64url chars"
        );
        let stored = secret.hash();
        assert!(verify_secret(secret.expose(), &stored));
        assert!(!verify_secret("nxrt_other", &stored));
        assert_eq!(format!("{secret:?}"), "Secret(<redacted>)");
    }
}
