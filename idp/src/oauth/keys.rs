//! Token signing keys. Keys live in the database so every instance signs with the same one and
//! publishes the same JWKS; this process keeps them only as a short-lived cache.
//!
//! `idp keys rotate` adds a key that becomes current at once; earlier keys get a `retire_at`
//! after the longest token lifetime and stay published until then, so tokens they signed keep
//! verifying.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, Ed25519KeyPair};
use jsonwebtoken::jwk::{Jwk, JwkSet, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey};
use serde::{Deserialize, Serialize};
use tokio::sync::RwLock;

use crate::clock::UnixTime;
use crate::db::Db;
use crate::with_pool;

/// The algorithms a signing key may use. RS256 is OpenID Connect's default for ID tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
pub enum SigningAlgorithm {
    #[serde(rename = "RS256")]
    #[value(name = "RS256")]
    Rs256,
    #[serde(rename = "ES256")]
    #[value(name = "ES256")]
    Es256,
    #[serde(rename = "EdDSA")]
    #[value(name = "EdDSA")]
    EdDsa,
}

impl SigningAlgorithm {
    pub fn name(self) -> &'static str {
        match self {
            SigningAlgorithm::Rs256 => "RS256",
            SigningAlgorithm::Es256 => "ES256",
            SigningAlgorithm::EdDsa => "EdDSA",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "RS256" => Some(SigningAlgorithm::Rs256),
            "ES256" => Some(SigningAlgorithm::Es256),
            "EdDSA" => Some(SigningAlgorithm::EdDsa),
            _ => None,
        }
    }

    pub fn jwt_algorithm(self) -> Algorithm {
        match self {
            SigningAlgorithm::Rs256 => Algorithm::RS256,
            SigningAlgorithm::Es256 => Algorithm::ES256,
            SigningAlgorithm::EdDsa => Algorithm::EdDSA,
        }
    }
}

/// A usable signing key.
pub struct SigningKey {
    pub kid: String,
    pub alg: SigningAlgorithm,
    pub encoding: EncodingKey,
    pub decoding: DecodingKey,
    pub jwk: Jwk,
    pub retire_at: Option<UnixTime>,
}

#[derive(sqlx::FromRow)]
struct KeyRow {
    kid: String,
    alg: String,
    private_pem: String,
    public_jwk: String,
    retire_at: Option<i64>,
}

/// Generates a key pair, PKCS#8 PEM encoded.
fn generate_pem(alg: SigningAlgorithm) -> anyhow::Result<String> {
    let der: Vec<u8> = match alg {
        SigningAlgorithm::Rs256 => {
            let pair = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048)
                .map_err(|_| anyhow::anyhow!("generating an RSA key failed"))?;
            let der: aws_lc_rs::encoding::Pkcs8V1Der = pair
                .as_der()
                .map_err(|_| anyhow::anyhow!("encoding the RSA key failed"))?;
            der.as_ref().to_vec()
        }
        SigningAlgorithm::Es256 => {
            let doc = EcdsaKeyPair::generate_pkcs8(
                &ECDSA_P256_SHA256_FIXED_SIGNING,
                &SystemRandom::new(),
            )
            .map_err(|_| anyhow::anyhow!("generating an EC key failed"))?;
            doc.as_ref().to_vec()
        }
        SigningAlgorithm::EdDsa => {
            // jsonwebtoken reads Ed25519 keys in PKCS#8 v1 form.
            let doc = Ed25519KeyPair::generate_pkcs8v1(&SystemRandom::new())
                .map_err(|_| anyhow::anyhow!("generating an Ed25519 key failed"))?;
            doc.as_ref().to_vec()
        }
    };
    Ok(pem::encode(&pem::Pem::new("PRIVATE KEY", der)))
}

fn load_key(row: KeyRow) -> anyhow::Result<SigningKey> {
    let alg = SigningAlgorithm::from_name(&row.alg)
        .with_context(|| format!("key {} has unknown algorithm {}", row.kid, row.alg))?;
    let pem = row.private_pem.as_bytes();
    let encoding = match alg {
        SigningAlgorithm::Rs256 => EncodingKey::from_rsa_pem(pem),
        SigningAlgorithm::Es256 => EncodingKey::from_ec_pem(pem),
        SigningAlgorithm::EdDsa => EncodingKey::from_ed_pem(pem),
    }
    .with_context(|| format!("loading signing key {}", row.kid))?;
    let jwk: Jwk = serde_json::from_str(&row.public_jwk)
        .with_context(|| format!("reading the public JWK of key {}", row.kid))?;
    let decoding = DecodingKey::from_jwk(&jwk).with_context(|| format!("key {} JWK", row.kid))?;
    Ok(SigningKey {
        kid: row.kid,
        alg,
        encoding,
        decoding,
        jwk,
        retire_at: row.retire_at,
    })
}

fn public_jwk(encoding: &EncodingKey, alg: SigningAlgorithm, kid: &str) -> anyhow::Result<Jwk> {
    let mut jwk =
        Jwk::from_encoding_key(encoding, alg.jwt_algorithm()).context("deriving the public JWK")?;
    jwk.common.key_id = Some(kid.to_owned());
    jwk.common.public_key_use = Some(PublicKeyUse::Signature);
    jwk.common.key_algorithm = Some(match alg {
        SigningAlgorithm::Rs256 => KeyAlgorithm::RS256,
        SigningAlgorithm::Es256 => KeyAlgorithm::ES256,
        SigningAlgorithm::EdDsa => KeyAlgorithm::EdDSA,
    });
    Ok(jwk)
}

/// Creates a new signing key and stores it.
pub async fn create_key(db: &Db, alg: SigningAlgorithm, now: UnixTime) -> anyhow::Result<String> {
    let pem = tokio::task::spawn_blocking(move || generate_pem(alg)).await??;
    let kid = format!(
        "{}-{}",
        alg.name().to_lowercase(),
        &super::secrets::random_urlsafe(9)
    );
    let encoding = match alg {
        SigningAlgorithm::Rs256 => EncodingKey::from_rsa_pem(pem.as_bytes()),
        SigningAlgorithm::Es256 => EncodingKey::from_ec_pem(pem.as_bytes()),
        SigningAlgorithm::EdDsa => EncodingKey::from_ed_pem(pem.as_bytes()),
    }
    .context("reading back the generated key")?;
    let jwk = serde_json::to_string(&public_jwk(&encoding, alg, &kid)?)?;
    with_pool!(db, pool => sqlx::query(
        "INSERT INTO signing_keys (kid, alg, private_pem, public_jwk, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&kid)
    .bind(alg.name())
    .bind(&pem)
    .bind(&jwk)
    .bind(now)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))
    .context("storing the signing key")?;
    Ok(kid)
}

/// Makes a new key of `alg` current; the keys of that algorithm before it retire after `grace`
/// seconds (the longest lifetime of a token they may have signed). Keys of the other algorithm
/// in use (ID tokens and access tokens may differ) stay current.
pub async fn rotate(
    db: &Db,
    alg: SigningAlgorithm,
    now: UnixTime,
    grace: i64,
) -> anyhow::Result<String> {
    with_pool!(db, pool => sqlx::query("UPDATE signing_keys SET retire_at = $1 WHERE retire_at IS NULL AND alg = $2")
        .bind(now + grace)
        .bind(alg.name())
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
    .context("retiring the current signing keys")?;
    create_key(db, alg, now).await
}

/// Creates a key of `alg` unless an unretired one exists. Called at start-up.
pub async fn ensure_key(db: &Db, alg: SigningAlgorithm, now: UnixTime) -> anyhow::Result<()> {
    let existing: Option<String> = with_pool!(db, pool => sqlx::query_scalar(
        "SELECT kid FROM signing_keys WHERE alg = $1 AND retire_at IS NULL LIMIT 1",
    )
    .bind(alg.name())
    .fetch_optional(pool)
    .await)
    .context("looking for a signing key")?;
    if existing.is_none() {
        let kid = create_key(db, alg, now).await?;
        tracing::info!(kid, alg = alg.name(), "created a signing key");
        let change = crate::audit::Change::new("key.create", "signing_key", &kid)
            .after(&serde_json::json!({"kid": kid, "alg": alg.name()}));
        crate::audit::record(db, &crate::audit::Actor::system("keys"), change, now).await;
    }
    Ok(())
}

/// A fresh key pair, for tests of the signing path.
#[cfg(test)]
pub async fn generate_pair_for_tests(alg: SigningAlgorithm) -> (EncodingKey, DecodingKey) {
    let pem = generate_pem(alg).expect("a key");
    let encoding = match alg {
        SigningAlgorithm::Rs256 => EncodingKey::from_rsa_pem(pem.as_bytes()),
        SigningAlgorithm::Es256 => EncodingKey::from_ec_pem(pem.as_bytes()),
        SigningAlgorithm::EdDsa => EncodingKey::from_ed_pem(pem.as_bytes()),
    }
    .expect("the key loads");
    let jwk = public_jwk(&encoding, alg, "test").expect("a JWK");
    let decoding = DecodingKey::from_jwk(&jwk).expect("a decoding key");
    (encoding, decoding)
}

/// Keys as this process sees them: all published keys, newest first.
pub struct KeySet {
    pub keys: Vec<Arc<SigningKey>>,
}

impl KeySet {
    /// The key new tokens are signed with: the newest unretired key of the configured algorithm.
    pub fn current(&self, alg: SigningAlgorithm) -> Option<&Arc<SigningKey>> {
        self.keys
            .iter()
            .find(|k| k.alg == alg && k.retire_at.is_none())
    }

    pub fn find(&self, kid: &str) -> Option<&Arc<SigningKey>> {
        self.keys.iter().find(|k| k.kid == kid)
    }

    pub fn jwks(&self) -> JwkSet {
        JwkSet {
            keys: self.keys.iter().map(|k| k.jwk.clone()).collect(),
        }
    }
}

/// A cache of the published keys, refreshed from the database every few seconds so a rotation
/// on any instance reaches all of them.
pub struct Keyring {
    db: Db,
    cache: RwLock<Option<(Instant, Arc<KeySet>)>>,
}

const CACHE_LIFETIME: Duration = Duration::from_secs(10);

impl Keyring {
    pub fn new(db: Db) -> Self {
        Keyring {
            db,
            cache: RwLock::new(None),
        }
    }

    pub async fn keys(&self, now: UnixTime) -> anyhow::Result<Arc<KeySet>> {
        if let Some((loaded, keys)) = self.cache.read().await.as_ref()
            && loaded.elapsed() < CACHE_LIFETIME
        {
            return Ok(keys.clone());
        }
        self.reload(now).await
    }

    /// The current key of `alg` exactly; one is made the first time an algorithm is needed (a
    /// client registered for ES256 ID tokens on a server configured for other algorithms).
    pub async fn current_of(
        &self,
        alg: SigningAlgorithm,
        now: UnixTime,
    ) -> anyhow::Result<Arc<SigningKey>> {
        if let Some(key) = self.keys(now).await?.current(alg) {
            return Ok(key.clone());
        }
        ensure_key(&self.db, alg, now).await?;
        self.reload(now)
            .await?
            .current(alg)
            .cloned()
            .with_context(|| format!("no {} signing key is available", alg.name()))
    }

    /// Reads the keys again, for an unknown `kid` or a stale cache.
    pub async fn reload(&self, now: UnixTime) -> anyhow::Result<Arc<KeySet>> {
        let rows = with_pool!(&self.db, pool => sqlx::query_as::<_, KeyRow>(
            "SELECT kid, alg, private_pem, public_jwk, retire_at FROM signing_keys \
             WHERE retire_at IS NULL OR retire_at > $1 ORDER BY created_at DESC, kid",
        )
        .bind(now)
        .fetch_all(pool)
        .await)
        .context("reading the signing keys")?;
        let mut keys = Vec::with_capacity(rows.len());
        for row in rows {
            keys.push(Arc::new(load_key(row)?));
        }
        let set = Arc::new(KeySet { keys });
        *self.cache.write().await = Some((Instant::now(), set.clone()));
        Ok(set)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every algorithm's published JWK verifies what its private key signs (what a relying
    /// party does with the JWKS).
    #[test]
    fn each_algorithms_jwk_verifies_its_signatures() {
        for alg in [
            SigningAlgorithm::Rs256,
            SigningAlgorithm::Es256,
            SigningAlgorithm::EdDsa,
        ] {
            let pem = generate_pem(alg).unwrap();
            let encoding = match alg {
                SigningAlgorithm::Rs256 => EncodingKey::from_rsa_pem(pem.as_bytes()),
                SigningAlgorithm::Es256 => EncodingKey::from_ec_pem(pem.as_bytes()),
                SigningAlgorithm::EdDsa => EncodingKey::from_ed_pem(pem.as_bytes()),
            }
            .unwrap();
            let jwk = public_jwk(&encoding, alg, "k").unwrap();
            let decoding = DecodingKey::from_jwk(&jwk).unwrap();
            let header = jsonwebtoken::Header::new(alg.jwt_algorithm());
            let token =
                jsonwebtoken::encode(&header, &serde_json::json!({"sub": "x"}), &encoding).unwrap();
            let mut validation = jsonwebtoken::Validation::new(alg.jwt_algorithm());
            validation.required_spec_claims.clear();
            validation.validate_exp = false;
            jsonwebtoken::decode::<serde_json::Value>(&token, &decoding, &validation)
                .unwrap_or_else(|e| panic!("{}: {e}", alg.name()));
        }
    }
}
