//! The head marker: a small file beside the database (`livescore.head`) recording which stream
//! the store holds and a seq known to be committed. It is how a lost store is noticed: SQLite
//! happily opens an emptied file (`truncate -s0`), or a database whose `-wal` file was deleted
//! after a crash, as a valid but shorter store, and without the marker the server would start a
//! new stream at seq 0 (or reuse seqs viewers have already seen) without a word.
//!
//! The marker is written when a stream begins, when it is imported, at every snapshot, on a clean
//! shutdown, and by the writer within about a second of the last commit (not on every commit:
//! that would cost a second fsync per batch). It is written to a temporary file, synced and
//! renamed over the old one, so it is always whole. It only ever records a seq the database has
//! already committed, so a healthy store is never behind it. What it detects:
//!
//! - the database holds no stream but the marker names one: the store was emptied or replaced;
//! - the database holds another stream than the marker names;
//! - the log ends before the marker's seq: the newest commits are gone (a deleted `-wal`, an
//!   older copy of the file put back). Commits made in the last second or so before a crash are
//!   not yet in the marker, so losing only those goes unnoticed.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::ids::{Seq, StreamId};
use crate::store::error::StoreError;

/// The marker file inside the data directory.
pub const FILE: &str = "livescore.head";

/// What the marker records: the stream and a seq that was committed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Head {
    pub stream: StreamId,
    pub seq: Seq,
}

/// The marker's path in the data directory `dir`.
pub fn path(dir: &Path) -> PathBuf {
    dir.join(FILE)
}

/// Read the marker in `dir`; `None` when there is none (a new data directory, or one from before
/// markers existed).
pub fn read(dir: &Path) -> Result<Option<Head>, StoreError> {
    let path = path(dir);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(StoreError::new(&path, format!("cannot read it: {e}"))),
    };
    serde_json::from_str(&text).map(Some).map_err(|e| {
        StoreError::new(
            &path,
            format!("not a livescore head marker ({e}); if the database is intact, delete it"),
        )
    })
}

/// Replace the marker in `dir` with `head`, durably: a temporary file, synced, renamed over the
/// old one, and the directory synced so the rename itself survives a power cut.
pub fn write(dir: &Path, head: &Head) -> Result<(), StoreError> {
    let path = path(dir);
    let temporary = dir.join(format!("{FILE}.tmp"));
    let fail = |e: std::io::Error| StoreError::new(&path, format!("cannot write it: {e}"));
    let json = serde_json::to_vec(head).expect("the head serializes");
    let mut file = std::fs::File::create(&temporary).map_err(fail)?;
    file.write_all(&json).map_err(fail)?;
    file.sync_all().map_err(fail)?;
    std::fs::rename(&temporary, &path).map_err(fail)?;
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(fail)
}

/// How the database differs from what the marker recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Loss {
    /// The database holds no stream at all.
    Emptied { recorded: Head },
    /// The database holds a different stream.
    OtherStream { recorded: Head, found: StreamId },
    /// The log ends at `last`, before the recorded seq.
    Behind { recorded: Head, last: Seq },
}

impl std::fmt::Display for Loss {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Loss::Emptied { recorded } => write!(
                f,
                "the store is empty, but {FILE} records stream {} committed up to seq {}: the \
                 database was emptied or replaced",
                recorded.stream, recorded.seq
            ),
            Loss::OtherStream { recorded, found } => write!(
                f,
                "the store holds stream {found}, but {FILE} records stream {} (up to seq {}): \
                 the database was replaced",
                recorded.stream, recorded.seq
            ),
            Loss::Behind { recorded, last } => write!(
                f,
                "the log ends at seq {last}, but {FILE} records stream {} committed up to seq \
                 {}: the newest commits are lost (was the -wal file deleted, or an older copy \
                 of the database put back?)",
                recorded.stream, recorded.seq
            ),
        }?;
        f.write_str(
            ". Restore a backup (`livescore import` into an empty data directory), or start \
             with --accept-empty-store to begin a new stream",
        )
    }
}

/// Compare the marker (if any) with what the database holds: its stream and last seq, or `None`
/// for a database with no stream.
pub fn compare(recorded: Option<&Head>, found: Option<(&StreamId, Seq)>) -> Option<Loss> {
    let recorded = recorded?.clone();
    match found {
        None => Some(Loss::Emptied { recorded }),
        Some((stream, _)) if *stream != recorded.stream => Some(Loss::OtherStream {
            found: stream.clone(),
            recorded,
        }),
        Some((_, last)) if last < recorded.seq => Some(Loss::Behind { recorded, last }),
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(stream: &str, seq: u64) -> Head {
        Head {
            stream: StreamId::parse(stream).unwrap(),
            seq: Seq(seq),
        }
    }

    #[test]
    fn a_store_at_or_past_its_marker_is_whole() {
        let recorded = head("abc123", 300);
        let stream = recorded.stream.clone();
        assert_eq!(compare(Some(&recorded), Some((&stream, Seq(300)))), None);
        assert_eq!(compare(Some(&recorded), Some((&stream, Seq(301)))), None);
        assert_eq!(compare(None, None), None, "a new data directory");
        assert_eq!(
            compare(None, Some((&stream, Seq(5)))),
            None,
            "no marker yet"
        );
    }

    #[test]
    fn emptied_replaced_and_shortened_stores_are_losses_naming_the_fix() {
        let recorded = head("abc123", 300);
        let empty = compare(Some(&recorded), None).unwrap();
        assert!(matches!(empty, Loss::Emptied { .. }));
        let text = empty.to_string();
        assert!(
            text.contains("stream abc123 committed up to seq 300"),
            "{text}"
        );
        assert!(text.contains("--accept-empty-store"), "{text}");
        assert!(text.contains("livescore import"), "{text}");

        let other = StreamId::parse("zzz999").unwrap();
        assert!(matches!(
            compare(Some(&recorded), Some((&other, Seq(900)))),
            Some(Loss::OtherStream { .. })
        ));
        let behind = compare(Some(&recorded), Some((&recorded.stream, Seq(120)))).unwrap();
        assert!(behind.to_string().contains("the log ends at seq 120"));
    }

    #[test]
    fn the_marker_round_trips_and_a_garbled_one_is_named() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(read(dir.path()).unwrap(), None);
        write(dir.path(), &head("abc123", 7)).unwrap();
        write(dir.path(), &head("abc123", 9)).unwrap();
        assert_eq!(read(dir.path()).unwrap(), Some(head("abc123", 9)));
        std::fs::write(path(dir.path()), "garbage").unwrap();
        let err = read(dir.path()).unwrap_err().to_string();
        assert!(
            err.contains(FILE) && err.contains("not a livescore head marker"),
            "{err}"
        );
    }
}
