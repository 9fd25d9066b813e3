//! The SQLite event store: the event log, periodic state snapshots, and the stream id, in one
//! file under `--data-dir`, in WAL mode.
//!
//! Every event is stored as it was sent (the envelope JSON) with the columns a replay needs to
//! filter it, so resuming an old `Last-Event-ID` re-frames stored bytes and never re-encodes
//! (reading the log back is in `replay.rs`).

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};

use crate::feed::Committed;
use crate::ids::{LeagueId, Seq, StreamId};
use crate::store::archive::Item;
use crate::store::error::{StoreError, describe};

/// The database file inside the data directory.
pub const FILE: &str = "livescore.db";

/// Schema versions, applied in order; `PRAGMA user_version` records how many have run.
const MIGRATIONS: &[&str] = &[
    // 1: the event log, snapshots, and metadata (the stream id).
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
     CREATE TABLE events (
         seq INTEGER PRIMARY KEY,
         at TEXT NOT NULL,
         type TEXT NOT NULL,
         kind TEXT NOT NULL,
         match_id INTEGER,
         leagues TEXT NOT NULL,
         json TEXT NOT NULL
     );
     CREATE TABLE snapshots (seq INTEGER PRIMARY KEY, at TEXT NOT NULL, state TEXT NOT NULL);",
    // 2: matches and news that left the live window.
    crate::store::archive::sqlite::MIGRATION,
];

/// Snapshots kept: the newest, and the one before it as the base that `livescore check` replays
/// the log over (and export starts from).
pub const KEPT_SNAPSHOTS: usize = 2;

/// What a non-empty store holds at start-up.
#[derive(Debug)]
pub struct Loaded {
    pub stream: StreamId,
    /// The newest snapshot: its seq and the state JSON.
    pub snapshot_seq: Seq,
    pub snapshot: String,
    /// Every event after the snapshot, in order.
    pub events: Vec<Committed>,
}

/// The lock file beside the database; the writing server holds an exclusive lock on it.
pub const LOCK_FILE: &str = "livescore.lock";

/// An open store. One writer at a time holds it (through the lock file).
pub struct Store {
    pub(super) conn: Connection,
    pub(super) path: PathBuf,
    /// Held for as long as the store is open for writing.
    _lock: Option<std::fs::File>,
}

impl Store {
    /// Open (creating if needed) the store in `dir`, bring its schema up to date and lock it.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        std::fs::create_dir_all(dir)
            .map_err(|e| StoreError::new(dir, format!("cannot create the data directory: {e}")))?;
        let path = dir.join(FILE);
        // SQLite's own locks last only as long as a transaction; this one lasts as long as the
        // server, so a second server on the same directory is refused at start-up.
        let lock_path = dir.join(LOCK_FILE);
        let lock = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| {
                StoreError::new(&lock_path, format!("cannot create the lock file: {e}"))
            })?;
        if lock.try_lock().is_err() {
            return Err(StoreError::new(
                &path,
                "the database is locked: is another livescore using this data directory?",
            ));
        }
        let conn = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| describe(&path, e))?;
        let store = Store {
            conn,
            path,
            _lock: Some(lock),
        };
        store.configure()?;
        store.migrate()?;
        Ok(store)
    }

    /// Open an existing store for reading only (replays for old ids, `livescore check`).
    pub fn open_read_only(dir: &Path) -> Result<Store, StoreError> {
        let path = dir.join(FILE);
        let conn = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| describe(&path, e))?;
        Ok(Store {
            conn,
            path,
            _lock: None,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The data directory the store lives in.
    pub fn dir(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("."))
    }

    /// Cap the database at about `bytes`; writes past it fail as "database or disk is full",
    /// exactly as a full disk would.
    pub fn limit_size(&self, bytes: u64) -> Result<(), StoreError> {
        let page: i64 = self
            .conn
            .query_row("PRAGMA page_size", [], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        let pages = (bytes as i64 / page.max(512)).max(1);
        self.conn
            .query_row(&format!("PRAGMA max_page_count = {pages}"), [], |_| Ok(()))
            .map_err(|e| self.err(e))
    }

    pub(super) fn err(&self, e: rusqlite::Error) -> StoreError {
        describe(&self.path, e)
    }

    fn configure(&self) -> Result<(), StoreError> {
        // WAL lets readers (replays) work beside the writer; synchronous=FULL makes a commit
        // durable before it returns, which is what an ack promises.
        self.conn
            .execute_batch(
                "PRAGMA journal_mode = WAL;
                 PRAGMA synchronous = FULL;
                 PRAGMA busy_timeout = 200;",
            )
            .map_err(|e| self.err(e))
    }

    fn migrate(&self) -> Result<(), StoreError> {
        let version: i64 = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        let version = version.max(0) as usize;
        if version > MIGRATIONS.len() {
            return Err(StoreError::new(
                &self.path,
                format!(
                    "schema version {version} is newer than this livescore understands ({})",
                    MIGRATIONS.len()
                ),
            ));
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version) {
            let tx = self.conn.unchecked_transaction().map_err(|e| self.err(e))?;
            tx.execute_batch(sql).map_err(|e| self.err(e))?;
            tx.pragma_update(None, "user_version", (i + 1) as i64)
                .map_err(|e| self.err(e))?;
            tx.commit().map_err(|e| self.err(e))?;
        }
        Ok(())
    }

    /// The stored stream id, newest snapshot and the events after it; `None` for a new store.
    pub fn load(&self) -> Result<Option<Loaded>, StoreError> {
        // A file with no schema (new, or emptied) opened read-only has no tables to ask.
        let version: i64 = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        if version == 0 {
            return Ok(None);
        }
        let stream: Option<String> = self
            .conn
            .query_row("SELECT value FROM meta WHERE key = 'stream'", [], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| self.err(e))?;
        let Some(stream) = stream else {
            return Ok(None);
        };
        let stream = StreamId::parse(&stream).ok_or_else(|| {
            StoreError::new(
                &self.path,
                format!("stored stream id `{stream}` is invalid"),
            )
        })?;
        let (snapshot_seq, snapshot): (i64, String) = self
            .conn
            .query_row(
                "SELECT seq, state FROM snapshots ORDER BY seq DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(|e| self.err(e))?
            .ok_or_else(|| {
                StoreError::new(&self.path, "the database has a stream but no snapshot")
            })?;
        let events = self.since(&stream, Seq(snapshot_seq as u64), None)?;
        Ok(Some(Loaded {
            stream,
            snapshot_seq: Seq(snapshot_seq as u64),
            snapshot,
            events,
        }))
    }

    /// Start a new stream: its id and the starting snapshot at `seq`.
    pub fn init(&mut self, stream: &StreamId, seq: Seq, state: &str) -> Result<(), StoreError> {
        self.start_stream(stream, seq, state, false)
    }

    /// Throw away everything the store holds and begin `stream` at seq 0 from `state` (the
    /// operator accepted a lost or shortened store with `--accept-empty-store`).
    pub fn begin_anew(&mut self, stream: &StreamId, state: &str) -> Result<(), StoreError> {
        self.start_stream(stream, Seq(0), state, true)
    }

    fn start_stream(
        &mut self,
        stream: &StreamId,
        seq: Seq,
        state: &str,
        wipe: bool,
    ) -> Result<(), StoreError> {
        let path = self.path.clone();
        let fail = |e| describe(&path, e);
        let tx = self.conn.transaction().map_err(fail)?;
        if wipe {
            tx.execute_batch(
                "DELETE FROM events; DELETE FROM snapshots; DELETE FROM meta;
                 DELETE FROM archived_matches; DELETE FROM archived_news;",
            )
            .map_err(fail)?;
        }
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('stream', ?1)",
            params![stream.as_str()],
        )
        .map_err(fail)?;
        tx.execute(
            "INSERT INTO snapshots (seq, at, state) VALUES (?1, ?2, ?3)",
            params![seq.0 as i64, Utc::now().to_rfc3339(), state],
        )
        .map_err(fail)?;
        tx.commit().map_err(fail)
    }

    /// Write a batch of events, and what its `archived` events took out of the live state, in
    /// one transaction (group commit): all of it or none.
    pub fn append(
        &mut self,
        events: &[std::sync::Arc<Committed>],
        archive: &[Item],
    ) -> Result<(), StoreError> {
        let path = self.path.clone();
        let fail = |e| describe(&path, e);
        let tx = self.conn.transaction().map_err(fail)?;
        {
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO events (seq, at, type, kind, match_id, leagues, json) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )
                .map_err(fail)?;
            for e in events {
                let leagues: Vec<&str> = e.scope.leagues.iter().map(LeagueId::as_str).collect();
                insert
                    .execute(params![
                        e.seq.0 as i64,
                        e.at.to_rfc3339(),
                        e.name,
                        e.scope.kind.as_str(),
                        e.scope.match_id.map(|m| m.0),
                        leagues.join(","),
                        std::str::from_utf8(&e.json).unwrap_or_default(),
                    ])
                    .map_err(fail)?;
            }
        }
        crate::store::archive::sqlite::insert(&tx, archive).map_err(fail)?;
        tx.commit().map_err(fail)
    }

    /// Record a snapshot of the state at `seq`, and drop all but the newest [`KEPT_SNAPSHOTS`].
    ///
    /// Every snapshot holds the whole state (every news item included), so keeping them all
    /// made the store grow with the square of its history; the newest two are enough for
    /// recovery (the newest) and for `livescore check` and export (the older one is the base the
    /// log is replayed over).
    pub fn write_snapshot(
        &mut self,
        seq: Seq,
        at: DateTime<Utc>,
        state: &str,
    ) -> Result<(), StoreError> {
        let path = self.path.clone();
        let fail = |e| describe(&path, e);
        let tx = self.conn.transaction().map_err(fail)?;
        tx.execute(
            "INSERT OR REPLACE INTO snapshots (seq, at, state) VALUES (?1, ?2, ?3)",
            params![seq.0 as i64, at.to_rfc3339(), state],
        )
        .map_err(fail)?;
        tx.execute(
            "DELETE FROM snapshots WHERE seq NOT IN
                 (SELECT seq FROM snapshots ORDER BY seq DESC LIMIT ?1)",
            params![KEPT_SNAPSHOTS as i64],
        )
        .map_err(fail)?;
        tx.commit().map_err(fail)
    }

    /// Forget the events up to `upto`, but never one after the oldest kept snapshot: "oldest
    /// snapshot + every event after it" stays whole, which export and check rely on. Events
    /// before that snapshot stay only for viewers resuming from the store. Returns the events
    /// removed.
    pub fn prune(&mut self, upto: Seq) -> Result<usize, StoreError> {
        let path = self.path.clone();
        let fail = |e| describe(&path, e);
        let tx = self.conn.transaction().map_err(fail)?;
        let base: Option<i64> = tx
            .query_row("SELECT MIN(seq) FROM snapshots", [], |r| r.get(0))
            .map_err(fail)?;
        let Some(base) = base else { return Ok(0) };
        let cut = base.min(upto.0 as i64);
        let removed = tx
            .execute("DELETE FROM events WHERE seq <= ?1", params![cut])
            .map_err(fail)?;
        tx.commit().map_err(fail)?;
        Ok(removed)
    }
}
