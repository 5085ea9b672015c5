//! Sealing a secret the server must read back (a TOTP seed cannot be hashed: checking a code
//! needs it). AES-256-GCM from aws-lc-rs with a random nonce per seal; the owner's id is the
//! associated data, so a sealed value copied onto another account does not open.

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

#[derive(Debug, thiserror::Error)]
#[error("a sealed secret could not be opened or sealed")]
pub struct SealingError;

pub struct Sealer {
    key: LessSafeKey,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer(..)")
    }
}

impl Sealer {
    /// A sealer from 32 key bytes.
    pub fn new(key: &[u8]) -> Result<Sealer, SealingError> {
        let key = UnboundKey::new(&AES_256_GCM, key).map_err(|_| SealingError)?;
        Ok(Sealer {
            key: LessSafeKey::new(key),
        })
    }

    /// The nonce and the ciphertext with its tag, base64url.
    pub fn seal(&self, plaintext: &[u8], owner: &str) -> Result<String, SealingError> {
        let mut nonce = [0u8; NONCE_LEN];
        SystemRandom::new()
            .fill(&mut nonce)
            .map_err(|_| SealingError)?;
        let mut sealed = plaintext.to_vec();
        self.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(owner.as_bytes()),
                &mut sealed,
            )
            .map_err(|_| SealingError)?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(URL_SAFE_NO_PAD.encode(out))
    }

    pub fn open(&self, sealed: &str, owner: &str) -> Result<Vec<u8>, SealingError> {
        let mut bytes = URL_SAFE_NO_PAD.decode(sealed).map_err(|_| SealingError)?;
        if bytes.len() < NONCE_LEN {
            return Err(SealingError);
        }
        let mut body = bytes.split_off(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(&bytes).map_err(|_| SealingError)?;
        let plain = self
            .key
            .open_in_place(nonce, Aad::from(owner.as_bytes()), &mut body)
            .map_err(|_| SealingError)?;
        Ok(plain.to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_for_its_owner_only() {
        let sealer = Sealer::new(&[7u8; 32]).unwrap();
        let sealed = sealer.seal(b"seed", "usr_a").unwrap();
        assert_eq!(sealer.open(&sealed, "usr_a").unwrap(), b"seed");
        assert!(sealer.open(&sealed, "usr_b").is_err());
        assert!(sealer.open("short", "usr_a").is_err());
    }
}
