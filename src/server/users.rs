//! Users and their bearer tokens. A token is shown once when its user is created; the store
//! keeps only its SHA-256.

use sha2::{Digest, Sha256};

/// Every token starts with this, so a malformed header is told apart from an unknown token.
pub const TOKEN_PREFIX: &str = "rvw_";
const TOKEN_BYTES: usize = 32;

/// A new random token: `rvw_` and 64 hex digits.
pub fn new_token() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; TOKEN_BYTES];
    getrandom::fill(&mut bytes)?;
    Ok(format!("{TOKEN_PREFIX}{}", hex(&bytes)))
}

/// Whether `token` has the form of a token this service issues.
pub fn is_well_formed(token: &str) -> bool {
    token.strip_prefix(TOKEN_PREFIX).is_some_and(|rest| {
        rest.len() == TOKEN_BYTES * 2 && rest.bytes().all(|b| b.is_ascii_hexdigit())
    })
}

/// What the store keeps of a token.
pub fn hash_token(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// A user name: letters, digits, `-`, `_`, `.`; 1 to 64 characters.
pub fn valid_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_well_formed_and_distinct() {
        let a = new_token().unwrap();
        let b = new_token().unwrap();
        assert!(is_well_formed(&a));
        assert_ne!(a, b);
        assert!(!is_well_formed("rvw_xyz"));
        assert!(!is_well_formed(&a.replace("rvw_", "abc_")));
        assert_eq!(hash_token("x").len(), 64);
        assert_ne!(hash_token(&a), hash_token(&b));
    }

    #[test]
    fn names() {
        assert!(valid_name("ann.b-c_1"));
        assert!(!valid_name(""));
        assert!(!valid_name("a b"));
        assert!(!valid_name("a#removed-1"));
    }
}
