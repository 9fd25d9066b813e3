//! Admin tokens: where they come from (environment, file, or generated at start-up) and the
//! constant-time check that turns a presented token into an admin's name.
//!
//! Tokens are secrets: this module never logs them, and `Debug` on [`AdminTokens`] shows only
//! the names.

use std::fmt;
use std::path::Path;

use subtle::ConstantTimeEq;

/// The configured admins.
#[derive(Clone, Default)]
pub struct AdminTokens {
    entries: Vec<(String, Vec<u8>)>,
}

impl fmt::Debug for AdminTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AdminTokens")
            .field("admins", &self.names())
            .finish()
    }
}

/// A token list that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("{origin}: entry {index} is not name:token")]
    Malformed { origin: String, index: usize },
    #[error("{origin}: admin `{name}` has a token shorter than {MIN_TOKEN_LEN} characters")]
    TooShort { origin: String, name: String },
    #[error("{origin}: admin `{name}` is listed twice")]
    Duplicate { origin: String, name: String },
    #[error("cannot read admin tokens file {path}: {reason}")]
    Unreadable { path: String, reason: String },
}

/// Short tokens can be guessed; refuse them rather than run with one.
pub const MIN_TOKEN_LEN: usize = 8;

impl AdminTokens {
    /// Parse `name:token` pairs separated by commas or newlines (blank lines and `#` comments
    /// are skipped). `source` names where the text came from, for error messages.
    pub fn parse(text: &str, source: &str) -> Result<AdminTokens, TokenError> {
        let mut entries: Vec<(String, Vec<u8>)> = Vec::new();
        let items = text
            .split([',', '\n'])
            .map(str::trim)
            .filter(|s| !s.is_empty() && !s.starts_with('#'));
        for (index, item) in items.enumerate() {
            let (name, token) = item
                .split_once(':')
                .map(|(n, t)| (n.trim(), t.trim()))
                .filter(|(n, t)| !n.is_empty() && !t.is_empty())
                .ok_or_else(|| TokenError::Malformed {
                    origin: source.to_owned(),
                    index: index + 1,
                })?;
            if token.len() < MIN_TOKEN_LEN {
                return Err(TokenError::TooShort {
                    origin: source.to_owned(),
                    name: name.to_owned(),
                });
            }
            if entries.iter().any(|(n, _)| n == name) {
                return Err(TokenError::Duplicate {
                    origin: source.to_owned(),
                    name: name.to_owned(),
                });
            }
            entries.push((name.to_owned(), token.as_bytes().to_vec()));
        }
        Ok(AdminTokens { entries })
    }

    /// Read a tokens file (same format as [`AdminTokens::parse`]).
    pub fn from_file(path: &Path) -> Result<AdminTokens, TokenError> {
        let text = std::fs::read_to_string(path).map_err(|e| TokenError::Unreadable {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        AdminTokens::parse(&text, &path.display().to_string())
    }

    /// One admin, `admin`, with a fresh random token; returns the token so it can be shown once.
    pub fn generated() -> (AdminTokens, String) {
        use rand::RngExt;
        const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        let mut rng = rand::rng();
        let token: String = (0..24)
            .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
            .collect();
        let tokens = AdminTokens {
            entries: vec![("admin".to_owned(), token.as_bytes().to_vec())],
        };
        (tokens, token)
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn names(&self) -> Vec<&str> {
        self.entries.iter().map(|(n, _)| n.as_str()).collect()
    }

    /// The admin a token belongs to. Every entry is compared, each in constant time, so the
    /// answer's timing says nothing about which entry (or how much of one) matched.
    pub fn authenticate(&self, presented: &str) -> Option<&str> {
        let presented = presented.as_bytes();
        let mut found = None;
        for (name, token) in &self.entries {
            if bool::from(token.as_slice().ct_eq(presented)) {
                found = Some(name.as_str());
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_map_to_names() {
        let t = AdminTokens::parse("alice:tok1-long-enough, bob:tok2-long-enough", "env").unwrap();
        assert_eq!(t.authenticate("tok2-long-enough"), Some("bob"));
        assert_eq!(t.authenticate("tok2-long-enoug"), None);
        assert_eq!(t.authenticate(""), None);
        assert!(
            !format!("{t:?}").contains("tok1"),
            "Debug must not show tokens"
        );
    }

    #[test]
    fn bad_token_lists_are_refused_with_the_reason() {
        assert!(matches!(
            AdminTokens::parse("alice", "env"),
            Err(TokenError::Malformed { index: 1, .. })
        ));
        assert!(matches!(
            AdminTokens::parse("alice:short", "env"),
            Err(TokenError::TooShort { .. })
        ));
        assert!(matches!(
            AdminTokens::parse("a:123456789\na:987654321", "f"),
            Err(TokenError::Duplicate { .. })
        ));
        let t = AdminTokens::parse("# admins\n\nalice:123456789\n", "f").unwrap();
        assert_eq!(t.names(), ["alice"]);
    }

    #[test]
    fn generated_tokens_work_and_differ() {
        let (a, token_a) = AdminTokens::generated();
        let (_, token_b) = AdminTokens::generated();
        assert_ne!(token_a, token_b);
        assert_eq!(a.authenticate(&token_a), Some("admin"));
    }
}
