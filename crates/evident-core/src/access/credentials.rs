//! Credentials: passwords (Argon2id), and the random secrets behind sessions, personal access
//! tokens and CSRF tokens, of which only a SHA-256 digest is ever stored.

use crate::DomainError;
use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use sha2::{Digest, Sha256};

/// Fewest characters a new password may have (NIST SP 800-63B asks for at least 8; we ask
/// for more because these accounts open sensitive data).
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Most characters a password may have: bounds the hashing work an attacker can demand.
pub const MAX_PASSWORD_CHARS: usize = 256;

/// A password someone wants to set, checked against the length rules.
#[derive(Clone, PartialEq, Eq)]
pub struct NewPassword(String);

impl NewPassword {
    /// Checks a new password's length.
    ///
    /// # Errors
    /// When it is shorter than [`MIN_PASSWORD_CHARS`] or longer than [`MAX_PASSWORD_CHARS`].
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let chars = raw.chars().count();
        if chars < MIN_PASSWORD_CHARS {
            return Err(DomainError::new(
                "password",
                format!("must be at least {MIN_PASSWORD_CHARS} characters long"),
            ));
        }
        if chars > MAX_PASSWORD_CHARS {
            return Err(DomainError::new(
                "password",
                format!("must be at most {MAX_PASSWORD_CHARS} characters long"),
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    /// The Argon2id hash (a PHC string with its own salt and parameters) to store.
    pub fn hash(&self) -> String {
        Argon2::default()
            .hash_password(self.0.as_bytes())
            .expect("hashing with a fresh salt and default parameters cannot fail")
            .to_string()
    }
}

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(***)")
    }
}

/// Whether `password` matches the stored Argon2 `hash`. A malformed hash never matches.
pub fn verify_password(password: &str, hash: &str) -> bool {
    if password.chars().count() > MAX_PASSWORD_CHARS {
        return false;
    }
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// Memory for [`verify_password_in`]: Argon2's working blocks, kept by a thread that verifies
/// passwords over and over so that each check reuses them instead of allocating 19 MiB.
pub type HashMemory = Vec<argon2::Block>;

/// [`verify_password`], computing in `memory` (grown to what the hash's parameters ask, never
/// shrunk). Allocating and freeing Argon2's 19 MiB per check left the freed blocks resident in
/// the C allocator's arenas under load; a thread that keeps its memory keeps it at one copy.
pub fn verify_password_in(password: &str, hash: &str, memory: &mut HashMemory) -> bool {
    use argon2::{Algorithm, Params, Version};
    if password.chars().count() > MAX_PASSWORD_CHARS {
        return false;
    }
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (&parsed.salt, &parsed.hash) else {
        return false;
    };
    let Ok(algorithm) = Algorithm::try_from(parsed.algorithm.as_str()) else {
        return false;
    };
    let version = match parsed.version.map(Version::try_from).transpose() {
        Ok(version) => version.unwrap_or_default(),
        Err(_) => return false,
    };
    let Ok(params) = Params::try_from(&parsed) else {
        return false;
    };
    let blocks = params.block_count();
    if memory.len() < blocks {
        memory.resize(blocks, argon2::Block::new());
    }
    let mut computed = vec![0u8; expected.as_bytes().len()];
    let hashed = Argon2::new(algorithm, version, params).hash_password_into_with_memory(
        password.as_bytes(),
        salt,
        &mut computed,
        &mut memory[..blocks],
    );
    hashed.is_ok() && constant_time_eq_bytes(&computed, expected.as_bytes())
}

/// A hash to verify against when an account does not exist, so that a wrong e-mail address
/// costs as much time as a wrong password and does not reveal which addresses have accounts.
pub fn dummy_password_hash() -> &'static str {
    static HASH: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        NewPassword::parse("not-a-real-password-ever")
            .expect("long enough")
            .hash()
    });
    &HASH
}

/// A random secret handed to a client once (session cookie, access token, CSRF token,
/// generated password). 256 bits from the operating system's generator, written as hex.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// A fresh secret with an optional readable prefix (`evt_` for access tokens, so that a
    /// leaked one is easy to recognise in a log or a repository).
    ///
    /// # Panics
    /// When the operating system has no random source; nothing can be secured then.
    pub fn generate(prefix: &str) -> Self {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).expect("the operating system's random source is available");
        Self(format!("{prefix}{}", hex::encode(bytes)))
    }

    /// Wraps a secret presented by a client, to digest and compare.
    pub fn presented(raw: &str) -> Self {
        Self(raw.trim().to_owned())
    }

    /// The secret itself, to give to its owner once.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The SHA-256 digest to store and look up by. A secret with 256 bits of entropy needs no
    /// slow hash: nobody can guess it, so the digest only has to be one-way.
    pub fn digest(&self) -> String {
        sha256_hex(self.0.as_bytes())
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Failed sign-ins allowed before any delay.
pub const FREE_LOGIN_FAILURES: i64 = 5;

/// How long, in seconds, sign-in stays closed after `failures` consecutive failures: nothing
/// for the first [`FREE_LOGIN_FAILURES`], then doubling from one second, never more than
/// `cap_seconds`. The cap is what keeps an attacker from locking a real user out for good: at
/// worst the user waits `cap_seconds`, while guessing stays at one try per `cap_seconds`.
pub fn login_lockout_seconds(failures: i64, cap_seconds: i64) -> i64 {
    if failures < FREE_LOGIN_FAILURES {
        return 0;
    }
    let exponent = (failures - FREE_LOGIN_FAILURES).min(30);
    (1i64 << exponent).min(cap_seconds)
}

/// Compares two strings in time that depends only on their lengths, for CSRF tokens.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    constant_time_eq_bytes(a.as_bytes(), b.as_bytes())
}

/// [`constant_time_eq`] for bytes (password hash outputs).
pub fn constant_time_eq_bytes(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The SHA-256 digest of `bytes`, as lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_hash_verifies_the_password_and_nothing_else() {
        let password = NewPassword::parse("correct horse battery").unwrap();
        let hash = password.hash();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("correct horse batterY", &hash));
        assert!(!verify_password("correct horse battery", "not a hash"));
        assert_ne!(hash, password.hash(), "every hash has its own salt");
    }

    #[test]
    fn verifying_in_kept_memory_agrees_with_the_crates_verifier() {
        let hash = NewPassword::parse("correct horse battery").unwrap().hash();
        let mut memory = HashMemory::new();
        for (password, expected) in [
            ("correct horse battery", true),
            ("correct horse batterY", false),
            ("", false),
            ("correct horse battery", true),
        ] {
            assert_eq!(verify_password_in(password, &hash, &mut memory), expected);
            assert_eq!(verify_password(password, &hash), expected);
        }
        assert_eq!(
            memory.len(),
            19 * 1024,
            "19 MiB of 1 KiB blocks, allocated once"
        );
        assert!(!verify_password_in("x", "not a hash", &mut memory));
        // Hashes with other parameters and algorithms from the reference C implementation
        // (Python's argon2-cffi: argon2.low_level.hash_secret(b"password", b"somesalt",
        // time_cost=2, memory_cost=1024 | 2048, parallelism=1 | 2, hash_len=32, type=I | ID)).
        for reference in [
            "$argon2i$v=19$m=1024,t=2,p=1$c29tZXNhbHQ$/AomWzXGuO56QhmXE3p9/0R81VDwTUaD1xQMkGw+IbQ",
            "$argon2id$v=19$m=2048,t=2,p=2$c29tZXNhbHQ$eRd5GEarJV1hVS5kii4TuLHuEqhe9hvIXUe5Pmok2tU",
        ] {
            assert!(
                verify_password_in("password", reference, &mut memory),
                "{reference}"
            );
            assert!(!verify_password_in("passwort", reference, &mut memory));
            assert!(verify_password("password", reference));
        }
    }

    #[test]
    fn new_passwords_must_be_long_enough_but_not_absurdly_long() {
        assert_eq!(NewPassword::parse("short").unwrap_err().field, "password");
        assert!(NewPassword::parse(&"x".repeat(MIN_PASSWORD_CHARS)).is_ok());
        assert!(NewPassword::parse(&"x".repeat(MAX_PASSWORD_CHARS + 1)).is_err());
        assert!(
            !format!("{:?}", NewPassword::parse("a secret password").unwrap()).contains("secret")
        );
    }

    #[test]
    fn secrets_are_random_prefixed_and_digested() {
        let a = Secret::generate("evt_");
        let b = Secret::generate("evt_");
        assert_ne!(a, b);
        assert!(a.expose().starts_with("evt_") && a.expose().len() == 4 + 64);
        assert_eq!(Secret::presented(a.expose()).digest(), a.digest());
        assert!(!format!("{a:?}").contains(a.expose()));
        // SHA-256("abc") from FIPS 180-2, appendix B.1.
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn lockouts_start_after_the_free_failures_double_and_stop_at_the_cap() {
        let delays: Vec<_> = (0..14).map(|f| login_lockout_seconds(f, 300)).collect();
        assert_eq!(delays, [0, 0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256]);
        assert_eq!(login_lockout_seconds(15, 300), 300);
        assert_eq!(login_lockout_seconds(10_000, 300), 300);
    }

    #[test]
    fn constant_time_comparison_compares() {
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "abcd"));
    }
}
