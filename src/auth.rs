//! Admin tokens: where they come from (environment, file, or generated at start-up), the
//! constant-time check that turns a presented token into a name, and the role that comes with it
//! (what that person may change: [`Role::allows`]).
//!
//! Tokens are secrets: this module never logs them, and `Debug` on [`AdminTokens`] shows only
//! the names.

use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

use crate::feed::CommandError;

/// What a token's holder may do. An `editor` runs the desk (scores, incidents, status, news);
/// an `admin` may also create matches, steer the generator and roll the calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Editor,
    /// A plain `name:token` entry, and the generated token, are admins.
    #[default]
    Admin,
}

/// The command types an editor may send; an admin may send every one.
const EDITOR_COMMANDS: [&str; 10] = [
    "score.set",
    "incident.add",
    "incident.remove",
    "incident.amend",
    "lineup.set",
    "stats.set",
    "match.status",
    "news.publish",
    "news.update",
    "news.retract",
];

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Editor => "editor",
            Role::Admin => "admin",
        }
    }

    fn parse(s: &str) -> Option<Role> {
        match s {
            "editor" => Some(Role::Editor),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    /// Whether this role may send a command of type `command` (its wire name).
    pub fn allows(self, command: &str) -> bool {
        self == Role::Admin || EDITOR_COMMANDS.contains(&command)
    }

    /// Every command type this role may send, in the protocol's order (the `ready` frame's `can`).
    pub fn commands(self) -> Vec<&'static str> {
        crate::protocol::COMMAND_TYPES
            .into_iter()
            .filter(|c| self.allows(c))
            .collect()
    }

    /// Refuse `command` for `name` unless this role allows it.
    pub fn check(self, name: &str, command: &str) -> Result<(), CommandError> {
        if self.allows(command) {
            return Ok(());
        }
        Err(CommandError::Forbidden(format!(
            "{name} is an {}; {command} needs the admin role",
            self.as_str()
        )))
    }
}

/// Who a token belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Identity<'a> {
    pub name: &'a str,
    pub role: Role,
}

#[derive(Clone)]
struct Entry {
    name: String,
    token: Vec<u8>,
    role: Role,
}

/// The configured admins and editors.
#[derive(Clone, Default)]
pub struct AdminTokens {
    entries: Vec<Entry>,
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
    #[error("{origin}: entry {index} is not name:token or name:token:role")]
    Malformed { origin: String, index: usize },
    #[error("{origin}: `{name}` has the role `{role}`; the roles are editor and admin")]
    BadRole {
        origin: String,
        name: String,
        role: String,
    },
    #[error("{origin}: admin `{name}` has a token shorter than {MIN_TOKEN_LEN} characters")]
    TooShort { origin: String, name: String },
    #[error(
        "{origin}: `{name}` is the name the feed gives its own events (generator and calendar); pick another"
    )]
    Reserved { origin: String, name: String },
    #[error("{origin}: admin `{name}` is listed twice")]
    Duplicate { origin: String, name: String },
    #[error("cannot read admin tokens file {path}: {reason}")]
    Unreadable { path: String, reason: String },
}

/// Short tokens can be guessed; refuse them rather than run with one.
pub const MIN_TOKEN_LEN: usize = 8;

impl AdminTokens {
    /// Parse `name:token` or `name:token:role` entries separated by commas or newlines (blank
    /// lines and `#` comments are skipped); without a role an entry is an admin. `source` names
    /// where the text came from, for error messages.
    pub fn parse(text: &str, source: &str) -> Result<AdminTokens, TokenError> {
        let mut entries: Vec<Entry> = Vec::new();
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
            let (token, role) = match token.rsplit_once(':') {
                None => (token, Role::Admin),
                Some((token, role)) => {
                    let parsed = Role::parse(role.trim()).ok_or_else(|| TokenError::BadRole {
                        origin: source.to_owned(),
                        name: name.to_owned(),
                        role: role.trim().to_owned(),
                    })?;
                    (token.trim(), parsed)
                }
            };
            if token.len() < MIN_TOKEN_LEN {
                return Err(TokenError::TooShort {
                    origin: source.to_owned(),
                    name: name.to_owned(),
                });
            }
            // An editor named `generator` would write as the machine does: the audit trail
            // would hide their edits, and who did what could not be told apart.
            if crate::feed::audit::MACHINE_AUTHORS
                .iter()
                .any(|machine| machine.eq_ignore_ascii_case(name))
            {
                return Err(TokenError::Reserved {
                    origin: source.to_owned(),
                    name: name.to_owned(),
                });
            }
            if entries.iter().any(|e| e.name == name) {
                return Err(TokenError::Duplicate {
                    origin: source.to_owned(),
                    name: name.to_owned(),
                });
            }
            entries.push(Entry {
                name: name.to_owned(),
                token: token.as_bytes().to_vec(),
                role,
            });
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
            entries: vec![Entry {
                name: "admin".to_owned(),
                token: token.as_bytes().to_vec(),
                role: Role::Admin,
            }],
        };
        (tokens, token)
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn names(&self) -> Vec<&str> {
        self.entries.iter().map(|e| e.name.as_str()).collect()
    }

    /// Who a token belongs to. Every entry is compared, each in constant time, so the answer's
    /// timing says nothing about which entry (or how much of one) matched.
    pub fn authenticate(&self, presented: &str) -> Option<Identity<'_>> {
        let presented = presented.as_bytes();
        let mut found = None;
        for entry in self.entries.iter() {
            if bool::from(entry.token.as_slice().ct_eq(presented)) {
                found = Some(Identity {
                    name: entry.name.as_str(),
                    role: entry.role,
                });
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
        assert_eq!(
            t.authenticate("tok2-long-enough").map(|i| i.name),
            Some("bob")
        );
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
        for machine in ["generator", "calendar", "Generator:123456789:editor"] {
            let entry = if machine.contains(':') {
                machine.to_owned()
            } else {
                format!("{machine}:123456789")
            };
            let err = AdminTokens::parse(&entry, "env").unwrap_err();
            assert!(matches!(err, TokenError::Reserved { .. }), "{entry}");
            assert!(err.to_string().contains("pick another"), "{err}");
        }
        let t = AdminTokens::parse("# admins\n\nalice:123456789\n", "f").unwrap();
        assert_eq!(t.names(), ["alice"]);
        let err = AdminTokens::parse("bob:123456789:boss", "env").unwrap_err();
        assert_eq!(
            err.to_string(),
            "env: `bob` has the role `boss`; the roles are editor and admin"
        );
    }

    #[test]
    fn roles_come_from_the_third_field_and_default_to_admin() {
        let t = AdminTokens::parse(
            "alice:alice-token-1, bob:bob-token-12:editor, carol:carol-token:admin",
            "env",
        )
        .unwrap();
        let role = |token: &str| t.authenticate(token).map(|i| i.role);
        assert_eq!(role("alice-token-1"), Some(Role::Admin));
        assert_eq!(role("bob-token-12"), Some(Role::Editor));
        assert_eq!(role("carol-token"), Some(Role::Admin));
        assert!(Role::Editor.allows("incident.remove"));
        assert!(!Role::Editor.allows("match.create"));
        assert_eq!(
            Role::Editor
                .check("bob", "match.create")
                .unwrap_err()
                .to_string(),
            "bob is an editor; match.create needs the admin role"
        );
        assert_eq!(Role::Admin.commands(), crate::protocol::COMMAND_TYPES);
    }

    #[test]
    fn generated_tokens_work_and_differ() {
        let (a, token_a) = AdminTokens::generated();
        let (_, token_b) = AdminTokens::generated();
        assert_ne!(token_a, token_b);
        assert_eq!(
            a.authenticate(&token_a),
            Some(Identity {
                name: "admin",
                role: Role::Admin
            })
        );
    }
}
