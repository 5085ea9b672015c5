//! jsonwebtoken's crypto provider, with parsed signing keys kept between tokens.
//!
//! The stock aws-lc provider parses the private key on every signature; for RSA that includes
//! validating the key, which costs several times the signature itself and capped the token
//! endpoint near 1,000 tokens/s. This provider hands jsonwebtoken signers over key pairs parsed
//! once per key. Encoding, verification and JWK handling stay jsonwebtoken's and aws-lc-rs's.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, RwLock};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self as aws, EcdsaKeyPair, Ed25519KeyPair, RsaKeyPair};
use jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER;
use jsonwebtoken::crypto::{CryptoProvider, JwtSigner};
use jsonwebtoken::errors::{Error, ErrorKind};
use jsonwebtoken::{Algorithm, EncodingKey};
use signature::Signer;

/// A parsed private key.
enum Parsed {
    Rsa(RsaKeyPair),
    Ecdsa(EcdsaKeyPair),
    Ed25519(Ed25519KeyPair),
}

// Keyed by the key's DER bytes; only a handful of keys exist over a process's life.
type ParsedKeys = HashMap<(Algorithm, Vec<u8>), Arc<Parsed>>;

static PARSED: LazyLock<RwLock<ParsedKeys>> = LazyLock::new(|| RwLock::new(HashMap::new()));

static PROVIDER: LazyLock<CryptoProvider> = LazyLock::new(|| CryptoProvider {
    signer_factory: cached_signer,
    verifier_factory: DEFAULT_PROVIDER.verifier_factory,
    key_utils: DEFAULT_PROVIDER.key_utils.clone(),
});

/// Makes this the process's provider. A second call (another application in the same test
/// process) finds it installed and changes nothing.
pub fn install() {
    let _ = PROVIDER.install_default();
}

fn parse(algorithm: Algorithm, der: &[u8]) -> Option<Parsed> {
    match algorithm {
        Algorithm::RS256 => RsaKeyPair::from_der(der).ok().map(Parsed::Rsa),
        Algorithm::ES256 => EcdsaKeyPair::from_pkcs8(&aws::ECDSA_P256_SHA256_FIXED_SIGNING, der)
            .ok()
            .map(Parsed::Ecdsa),
        Algorithm::EdDSA => Ed25519KeyPair::from_pkcs8(der).ok().map(Parsed::Ed25519),
        _ => None,
    }
}

fn cached_signer(
    algorithm: &Algorithm,
    key: &EncodingKey,
) -> jsonwebtoken::errors::Result<Box<dyn JwtSigner>> {
    if !matches!(
        algorithm,
        Algorithm::RS256 | Algorithm::ES256 | Algorithm::EdDSA
    ) {
        return (DEFAULT_PROVIDER.signer_factory)(algorithm, key);
    }
    let cache_key = (*algorithm, key.as_bytes().to_vec());
    if let Some(parsed) = PARSED
        .read()
        .ok()
        .and_then(|cache| cache.get(&cache_key).cloned())
    {
        return Ok(Box::new(CachedSigner {
            algorithm: *algorithm,
            parsed,
        }));
    }
    let parsed = Arc::new(
        parse(*algorithm, key.as_bytes())
            .ok_or_else(|| Error::from(ErrorKind::InvalidKeyFormat))?,
    );
    if let Ok(mut cache) = PARSED.write() {
        cache.insert(cache_key, parsed.clone());
    }
    Ok(Box::new(CachedSigner {
        algorithm: *algorithm,
        parsed,
    }))
}

struct CachedSigner {
    algorithm: Algorithm,
    parsed: Arc<Parsed>,
}

impl Signer<Vec<u8>> for CachedSigner {
    fn try_sign(&self, message: &[u8]) -> Result<Vec<u8>, signature::Error> {
        match self.parsed.as_ref() {
            Parsed::Rsa(pair) => {
                let mut out = vec![0; pair.public_modulus_len()];
                pair.sign(
                    &aws::RSA_PKCS1_SHA256,
                    &SystemRandom::new(),
                    message,
                    &mut out,
                )
                .map_err(signature::Error::from_source)?;
                Ok(out)
            }
            Parsed::Ecdsa(pair) => pair
                .sign(&SystemRandom::new(), message)
                .map(|s| s.as_ref().to_vec())
                .map_err(signature::Error::from_source),
            Parsed::Ed25519(pair) => Ok(pair.sign(message).as_ref().to_vec()),
        }
    }
}

impl JwtSigner for CachedSigner {
    fn algorithm(&self) -> Algorithm {
        self.algorithm
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Tokens signed through the cache verify with jsonwebtoken's stock verifier, for each
    /// algorithm we sign with.
    #[tokio::test]
    async fn cached_signers_produce_tokens_the_stock_verifier_accepts() {
        install();
        for alg in [
            crate::oauth::keys::SigningAlgorithm::Rs256,
            crate::oauth::keys::SigningAlgorithm::Es256,
            crate::oauth::keys::SigningAlgorithm::EdDsa,
        ] {
            let (encoding, decoding) = crate::oauth::keys::generate_pair_for_tests(alg).await;
            let header = jsonwebtoken::Header::new(alg.jwt_algorithm());
            let claims = serde_json::json!({ "sub": "x", "exp": 4_000_000_000u64 });
            for _ in 0..2 {
                let token = jsonwebtoken::encode(&header, &claims, &encoding).expect("signs");
                let validation = jsonwebtoken::Validation::new(alg.jwt_algorithm());
                jsonwebtoken::decode::<serde_json::Value>(&token, &decoding, &validation)
                    .expect("verifies");
            }
        }
    }
}
