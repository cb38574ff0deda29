//! Secrets: password hashing (Argon2id on dedicated threads) and the random values Custodian
//! hands out (one-time passwords, session and API tokens, recovery codes). Only hashes of them
//! are ever stored.

use std::sync::Arc;

use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::AppError;

/// Hashes and checks passwords with Argon2id (19 MiB, 2 passes, 1 lane: OWASP's figure) on a
/// fixed set of dedicated threads, off the async runtime. A flood of sign-ins queues for those
/// threads instead of exhausting memory or starving other requests: at most `threads` hashes
/// (19 MiB each) exist at once, and their memory is reused, not multiplied across a growing
/// blocking pool.
#[derive(Clone)]
pub struct Passwords {
    jobs: Arc<std::sync::Mutex<std::sync::mpsc::Sender<Job>>>,
    params: Params,
}

type Job = Box<dyn FnOnce() + Send>;

impl Passwords {
    pub fn new(threads: usize) -> Self {
        Self::with_params(threads, 19 * 1024, 2)
    }

    /// With other costs (memory in KiB, passes): for raising them later, and for tests.
    pub fn with_params(threads: usize, memory_kib: u32, passes: u32) -> Self {
        let (tx, rx) = std::sync::mpsc::channel::<Job>();
        let rx = Arc::new(std::sync::Mutex::new(rx));
        for i in 0..threads.max(1) {
            let rx = rx.clone();
            std::thread::Builder::new()
                .name(format!("argon2-{i}"))
                .spawn(move || {
                    loop {
                        let job = match rx.lock() {
                            Ok(r) => r.recv(),
                            Err(_) => return,
                        };
                        match job {
                            Ok(job) => job(),
                            Err(_) => return, // every sender gone
                        }
                    }
                })
                .expect("start a password-hashing thread");
        }
        Passwords {
            jobs: Arc::new(std::sync::Mutex::new(tx)),
            params: Params::new(memory_kib, passes, 1, None).expect("valid Argon2 parameters"),
        }
    }

    fn argon2(&self) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone())
    }

    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AppError> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = tx.send(f());
        });
        self.jobs
            .lock()
            .map_err(|_| AppError::Internal("password threads poisoned".into()))?
            .send(job)
            .map_err(|_| AppError::Internal("password threads stopped".into()))?;
        rx.await
            .map_err(|_| AppError::Internal("password thread failed".into()))
    }

    /// The PHC string of `password` (algorithm, parameters and salt travel with the hash).
    pub async fn hash(&self, password: &str) -> Result<String, AppError> {
        let password = password.to_string();
        let argon2 = self.argon2();
        self.run(move || {
            let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
            argon2
                .hash_password(password.as_bytes(), &salt)
                .map(|h| h.to_string())
        })
        .await?
        .map_err(|e| AppError::Internal(e.to_string()))
    }

    /// Whether a stored hash was made with weaker parameters than today's (then it is replaced
    /// at the next successful sign-in).
    pub fn needs_rehash(&self, phc: &str) -> bool {
        match PasswordHash::new(phc) {
            Ok(h) => {
                let get = |k: &str| h.params.get_decimal(k).unwrap_or(0);
                h.algorithm.as_str() != "argon2id"
                    || get("m") < self.params.m_cost()
                    || get("t") < self.params.t_cost()
                    || get("p") != self.params.p_cost()
            }
            Err(_) => false,
        }
    }

    /// Whether `password` matches `phc`. With no stored hash, a dummy hash is checked anyway, so
    /// an unknown username takes as long as a wrong password.
    pub async fn verify(&self, password: &str, phc: Option<&str>) -> Result<bool, AppError> {
        let password = password.to_string();
        let phc = phc.map(str::to_string);
        let argon2 = self.argon2();
        self.run(move || {
            let (phc, real) = match phc {
                Some(p) => (p, true),
                None => (DUMMY_HASH.to_string(), false),
            };
            let Ok(parsed) = PasswordHash::new(&phc) else {
                return false;
            };
            argon2.verify_password(password.as_bytes(), &parsed).is_ok() && real
        })
        .await
    }
}

/// A random secret for a recovery code or similar: `n` characters from the readable alphabet.
pub fn random_code(n: usize) -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rng();
    (0..n)
        .map(|_| ALPHABET[rand::Rng::random_range(&mut rng, 0..ALPHABET.len())] as char)
        .collect()
}

/// Random bytes from the operating system's CSPRNG.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    rand::rng().fill_bytes(&mut b);
    b
}

/// An Argon2id hash of a random string nobody knows, for timing-equal failures.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0bBqc6oVxO6fDWb4PH1yiHs3WvWv3Rr3ryK5U4GExj8";

/// A new random session token (256 bits) and the hash under which it is stored.
pub fn new_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    let hash = token_hash(&token);
    (token, hash)
}

/// Tokens are stored only as their SHA-256: a copy of the database signs nobody in.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A one-time password to read out over the phone: 16 characters from an alphabet without
/// look-alikes (no 0/O, 1/l/I), in groups of four, from the operating system's CSPRNG.
/// About 80 bits: it is used once and expires, and it is stored only as its Argon2 hash.
pub fn one_time_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rng();
    let chars: Vec<char> = (0..16)
        .map(|_| ALPHABET[rand::Rng::random_range(&mut rng, 0..ALPHABET.len())] as char)
        .collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod otp_tests {
    #[test]
    fn one_time_passwords_are_readable_long_and_distinct() {
        let a = super::one_time_password();
        assert_eq!(a.len(), 19);
        assert!(
            a.chars()
                .all(|c| c == '-' || (c.is_ascii_alphanumeric() && !"0o1liI".contains(c)))
        );
        assert_ne!(a, super::one_time_password());
    }
}

#[cfg(test)]
mod rehash_tests {
    #[tokio::test]
    async fn hashes_made_with_weaker_parameters_are_marked_for_upgrade() {
        let weak = super::Passwords::with_params(1, 8 * 1024, 1);
        let strong = super::Passwords::new(1);
        let old = weak.hash("kettle orbit pancake lantern").await.unwrap();
        assert!(strong.needs_rehash(&old));
        assert!(
            strong
                .verify("kettle orbit pancake lantern", Some(&old))
                .await
                .unwrap(),
            "old hashes still verify"
        );
        let new = strong.hash("kettle orbit pancake lantern").await.unwrap();
        assert!(!strong.needs_rehash(&new));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn passwords_hash_and_verify_and_unknown_users_fail() {
        let p = Passwords::new(2);
        let h = p.hash("correct horse battery staple").await.unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(
            p.verify("correct horse battery staple", Some(&h))
                .await
                .unwrap()
        );
        assert!(!p.verify("wrong", Some(&h)).await.unwrap());
        assert!(!p.verify("anything", None).await.unwrap());
        assert!(!p.verify("anything", Some("not a hash")).await.unwrap());
    }

    #[test]
    fn tokens_are_random_and_stored_only_as_hashes() {
        let (t1, h1) = new_token();
        let (t2, _) = new_token();
        assert_ne!(t1, t2);
        assert_eq!(t1.len(), 64);
        assert_eq!(h1, token_hash(&t1));
        assert_ne!(h1, t1);
    }
}
