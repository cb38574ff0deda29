//! Checkpoints: the tree's size and root, signed with Ed25519 in the C2SP tlog-checkpoint form
//! (a "signed note"):
//!
//! ```text
//! <origin>
//! <tree size>
//! <root hash, base64>
//!
//! — <key name> <base64(key id (4 bytes) || signature (64 bytes))>
//! ```
//!
//! The key id is the first four bytes of SHA-256(key name || "\n" || 0x01 || public key), and
//! the signature covers the three body lines with their newlines. The public key is published
//! as a note verifier key: `<name>+<key id hex>+<base64(0x01 || public key)>`.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::{Signer as _, SigningKey, Verifier as _, VerifyingKey};
use sha2::{Digest, Sha256};

use crate::merkle::Hash;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    #[error("the checkpoint is not a signed note: {0}")]
    Malformed(&'static str),
    #[error("the checkpoint is not signed by this key (it names key {0})")]
    WrongKey(String),
    #[error("the checkpoint's signature does not verify: it was changed, or signed by another key")]
    BadSignature,
    #[error("the public key is not a note verifier key (name+keyid+base64)")]
    BadPublicKey,
}

fn key_id(name: &str, public: &VerifyingKey) -> [u8; 4] {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update(b"\n");
    h.update([1u8]);
    h.update(public.as_bytes());
    let d = h.finalize();
    [d[0], d[1], d[2], d[3]]
}

/// The log's signing key and its name.
pub struct CheckpointSigner {
    pub name: String,
    key: SigningKey,
}

impl CheckpointSigner {
    /// From a 32-byte seed (kept in the data directory with 0600 permissions).
    pub fn from_seed(name: &str, seed: [u8; 32]) -> Self {
        CheckpointSigner {
            name: name.to_string(),
            key: SigningKey::from_bytes(&seed),
        }
    }

    /// The note verifier key: what auditors use to check checkpoints and exports.
    pub fn public_key(&self) -> String {
        let public = self.key.verifying_key();
        let mut raw = vec![1u8];
        raw.extend_from_slice(public.as_bytes());
        format!(
            "{}+{}+{}",
            self.name,
            hex::encode(key_id(&self.name, &public)),
            B64.encode(raw)
        )
    }

    /// Signs a checkpoint for the tree of `size` leaves with `root`.
    pub fn sign(&self, origin: &str, size: u64, root: &Hash) -> String {
        let body = format!("{origin}\n{size}\n{}\n", B64.encode(root));
        let sig = self.key.sign(body.as_bytes());
        let mut blob = key_id(&self.name, &self.key.verifying_key()).to_vec();
        blob.extend_from_slice(&sig.to_bytes());
        format!("{body}\n\u{2014} {} {}\n", self.name, B64.encode(blob))
    }
}

/// A checkpoint that verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub origin: String,
    pub size: u64,
    pub root: Hash,
}

/// A note verifier key, parsed.
pub struct PublicKey {
    name: String,
    id: [u8; 4],
    key: VerifyingKey,
}

impl PublicKey {
    pub fn parse(text: &str) -> Result<Self, CheckpointError> {
        let mut parts = text.trim().splitn(3, '+');
        let (Some(name), Some(id), Some(key)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(CheckpointError::BadPublicKey);
        };
        let id: [u8; 4] = hex::decode(id)
            .ok()
            .and_then(|v| v.try_into().ok())
            .ok_or(CheckpointError::BadPublicKey)?;
        let raw = B64.decode(key).map_err(|_| CheckpointError::BadPublicKey)?;
        if raw.len() != 33 || raw[0] != 1 {
            return Err(CheckpointError::BadPublicKey);
        }
        let key = VerifyingKey::from_bytes(raw[1..].try_into().unwrap())
            .map_err(|_| CheckpointError::BadPublicKey)?;
        if key_id(name, &key) != id {
            return Err(CheckpointError::BadPublicKey);
        }
        Ok(PublicKey {
            name: name.to_string(),
            id,
            key,
        })
    }

    /// Checks a signed checkpoint and returns what it says.
    pub fn verify(&self, note: &str) -> Result<Checkpoint, CheckpointError> {
        let (body, sigs) = note.split_once("\n\n").ok_or(CheckpointError::Malformed(
            "no blank line before the signature",
        ))?;
        let body = format!("{body}\n");
        let mut lines = body.lines();
        let origin = lines
            .next()
            .filter(|l| !l.is_empty())
            .ok_or(CheckpointError::Malformed("no origin line"))?
            .to_string();
        let size: u64 = lines
            .next()
            .and_then(|l| l.parse().ok())
            .ok_or(CheckpointError::Malformed("the size is not a number"))?;
        let root: Hash = lines
            .next()
            .and_then(|l| B64.decode(l).ok())
            .and_then(|v| v.try_into().ok())
            .ok_or(CheckpointError::Malformed(
                "the root is not a base64 SHA-256 hash",
            ))?;
        let mut named = None;
        for line in sigs.lines().filter(|l| !l.is_empty()) {
            let rest = line
                .strip_prefix("\u{2014} ")
                .ok_or(CheckpointError::Malformed(
                    "a signature line must start with an em dash",
                ))?;
            let (name, blob) = rest.split_once(' ').ok_or(CheckpointError::Malformed(
                "a signature line needs a key name and a signature",
            ))?;
            let blob = B64
                .decode(blob)
                .map_err(|_| CheckpointError::Malformed("the signature is not base64"))?;
            if blob.len() != 68 {
                return Err(CheckpointError::Malformed(
                    "the signature has the wrong length",
                ));
            }
            if name == self.name && blob[..4] == self.id {
                let sig = ed25519_dalek::Signature::from_bytes(blob[4..].try_into().unwrap());
                self.key
                    .verify(body.as_bytes(), &sig)
                    .map_err(|_| CheckpointError::BadSignature)?;
                return Ok(Checkpoint { origin, size, root });
            }
            named = Some(name.to_string());
        }
        Err(CheckpointError::WrongKey(
            named.unwrap_or_else(|| "none".into()),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_checkpoint_verifies_and_any_change_is_caught() {
        let signer = CheckpointSigner::from_seed("custodian-test", [7u8; 32]);
        let note = signer.sign("custodian.example/audit", 42, &[9u8; 32]);
        assert!(note.starts_with("custodian.example/audit\n42\n"));
        assert!(note.contains("\n\n\u{2014} custodian-test "));
        let key = PublicKey::parse(&signer.public_key()).unwrap();
        assert_eq!(
            key.verify(&note).unwrap(),
            Checkpoint {
                origin: "custodian.example/audit".into(),
                size: 42,
                root: [9u8; 32]
            }
        );
        let tampered = note.replace("\n42\n", "\n43\n");
        assert_eq!(key.verify(&tampered), Err(CheckpointError::BadSignature));
        let other = CheckpointSigner::from_seed("custodian-test", [8u8; 32]);
        let other_key = PublicKey::parse(&other.public_key()).unwrap();
        assert!(matches!(
            other_key.verify(&note),
            Err(CheckpointError::WrongKey(_))
        ));
        assert!(matches!(
            key.verify("garbage"),
            Err(CheckpointError::Malformed(_))
        ));
        assert!(PublicKey::parse("not a key").is_err());
        let pk = signer.public_key();
        let flipped = format!("{}x", &pk[..pk.len() - 1]);
        assert!(PublicKey::parse(&flipped).is_err());
    }
}
