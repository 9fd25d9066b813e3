//! Why a command was refused, with the stable error codes of the wire protocol.

use serde::Serialize;

use crate::ids::Version;

/// A refused command. `code()` is the machine-readable code of DESIGN.md section 4; the `Display`
/// text is the human message and names the offending value.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CommandError {
    /// Unparsable JSON, unknown `type`, missing or mistyped field.
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(String),
    /// Authenticated, but the holder's role does not allow the command.
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    /// Optimistic concurrency: the entity changed since the client last saw it.
    #[error("{message}")]
    Conflict {
        message: String,
        current_version: Version,
    },
    /// Well-formed but not allowed: a negative score, an illegal status transition, ...
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    RateLimited(String),
    #[error("{0}")]
    TooLarge(String),
    /// The server cannot take changes right now (shutting down, storage failing).
    #[error("{0}")]
    Unavailable(String),
}

impl CommandError {
    pub fn code(&self) -> &'static str {
        match self {
            CommandError::BadRequest(_) => "bad_request",
            CommandError::Unauthorized(_) => "unauthorized",
            CommandError::Forbidden(_) => "forbidden",
            CommandError::NotFound(_) => "not_found",
            CommandError::Conflict { .. } => "conflict",
            CommandError::Invalid(_) => "invalid",
            CommandError::RateLimited(_) => "rate_limited",
            CommandError::TooLarge(_) => "too_large",
            CommandError::Unavailable(_) => "unavailable",
        }
    }

    /// The version to show the client on a conflict, so it can retry against it.
    pub fn current_version(&self) -> Option<Version> {
        match self {
            CommandError::Conflict {
                current_version, ..
            } => Some(*current_version),
            _ => None,
        }
    }

    /// The JSON body of this error: `{"code":..,"message":..}` plus `current_version` on conflicts.
    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            code: self.code(),
            message: self.to_string(),
            current_version: self.current_version(),
        }
    }
}

/// The serializable part of an error, shared by HTTP error bodies and WebSocket error frames.
#[derive(Debug, Clone, Serialize)]
pub struct ErrorBody {
    pub code: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_version: Option<Version>,
}
