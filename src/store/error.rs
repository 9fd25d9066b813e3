//! Store errors: every failure names the database file and, where SQLite tells us enough, says
//! in plain words what the operator should check.

use std::path::{Path, PathBuf};

/// A store failure, naming the file and the cause.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct StoreError {
    pub path: PathBuf,
    pub message: String,
}

impl StoreError {
    pub(super) fn new(path: &Path, message: impl std::fmt::Display) -> StoreError {
        StoreError {
            path: path.to_owned(),
            message: message.to_string(),
        }
    }
}

/// Turn a SQLite error into a [`StoreError`] with a hint for the common causes.
pub(super) fn describe(path: &Path, e: rusqlite::Error) -> StoreError {
    use rusqlite::ErrorCode::*;
    let hint = match e.sqlite_error_code() {
        Some(DatabaseBusy | DatabaseLocked) => {
            "the database is locked: is another livescore using this data directory?"
        }
        Some(NotADatabase) => "not a livescore database (the file is not SQLite, or is damaged)",
        Some(DatabaseCorrupt) => "the database is corrupt; restore a backup (`livescore import`)",
        Some(ReadOnly) => {
            "the database is read-only: check the permissions of the file and its directory"
        }
        Some(DiskFull) => "the disk is full",
        Some(CannotOpen) => {
            "cannot open the database file: check that the directory exists and is writable"
        }
        _ => "",
    };
    if hint.is_empty() {
        StoreError::new(path, e)
    } else {
        StoreError::new(path, format!("{hint} ({e})"))
    }
}
