//! `livescore export`, `import` and `check`: backups of a store as one JSON document, and an
//! integrity check of the log (contiguous seqs; every snapshot equal to replaying the log up to
//! it).

use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::feed::{Committed, Envelope, FeedState, Scope};
use crate::ids::{Seq, StreamId};
use crate::sse;
use crate::store::marker::{self, Head};
use crate::store::{Store, StoreError};

/// The export format's name and version, checked on import.
const FORMAT: &str = "livescore-export";
const VERSION: u32 = 1;

/// A whole store: the oldest snapshot still kept and every event after it.
#[derive(Serialize, Deserialize)]
pub struct Export {
    pub format: String,
    pub version: u32,
    pub stream: String,
    pub snapshot_seq: Seq,
    pub snapshot: Box<RawValue>,
    /// Each event as it was sent: the envelope JSON.
    pub events: Vec<Box<RawValue>>,
}

fn fail(path: &Path, message: impl std::fmt::Display) -> StoreError {
    StoreError {
        path: path.to_owned(),
        message: message.to_string(),
    }
}

/// Read the store in `dir` (it may be in use by a running server) into an [`Export`].
pub fn export(dir: &Path) -> Result<Export, StoreError> {
    let store = Store::open_read_only(dir)?;
    let path = store.path().to_owned();
    let stream = store
        .load()?
        .ok_or_else(|| fail(&path, "the store is empty: nothing to export"))?
        .stream;
    let (snapshot_seq, snapshot) = store
        .snapshots()?
        .into_iter()
        .next()
        .ok_or_else(|| fail(&path, "the store has no snapshot"))?;
    let events = store
        .since(&stream, snapshot_seq, None)?
        .into_iter()
        .map(|e| RawValue::from_string(String::from_utf8_lossy(&e.json).into_owned()))
        .collect::<Result<_, _>>()
        .map_err(|e| fail(&path, format!("a stored event is not JSON: {e}")))?;
    Ok(Export {
        format: FORMAT.into(),
        version: VERSION,
        stream: stream.to_string(),
        snapshot_seq,
        snapshot: RawValue::from_string(snapshot)
            .map_err(|e| fail(&path, format!("the snapshot is not JSON: {e}")))?,
        events,
    })
}

/// Write `backup` into a new store in `dir`, which must hold no stream yet. Returns the number of
/// events imported.
pub fn import(dir: &Path, backup: &Export) -> Result<usize, StoreError> {
    let mut store = Store::open(dir)?;
    let path = store.path().to_owned();
    if store.load()?.is_some() {
        return Err(fail(
            &path,
            "the data directory already holds a stream; import into an empty one",
        ));
    }
    if backup.format != FORMAT || backup.version != VERSION {
        return Err(fail(
            &path,
            format!("not a {FORMAT} version {VERSION} document"),
        ));
    }
    let stream = StreamId::parse(&backup.stream)
        .ok_or_else(|| fail(&path, format!("bad stream id `{}`", backup.stream)))?;
    let mut state: FeedState = serde_json::from_str(backup.snapshot.get())
        .map_err(|e| fail(&path, format!("the snapshot cannot be read: {e}")))?;
    let mut committed = Vec::with_capacity(backup.events.len());
    let mut expected = backup.snapshot_seq.next();
    for raw in &backup.events {
        let envelope: Envelope = serde_json::from_str(raw.get())
            .map_err(|e| fail(&path, format!("event {expected} cannot be read: {e}")))?;
        if envelope.seq != expected {
            return Err(fail(
                &path,
                format!(
                    "the events are not contiguous: {} follows {}",
                    envelope.seq,
                    expected.0 - 1
                ),
            ));
        }
        let scope = Scope::of(&envelope.event, &state);
        state.apply(&envelope.event);
        let name = envelope.event.name();
        committed.push(Arc::new(Committed {
            seq: envelope.seq,
            at: envelope.at,
            name,
            scope,
            sse: sse::event(&envelope.id, name, raw.get().as_bytes()),
            json: raw.get().to_owned().into(),
        }));
        expected = expected.next();
    }
    store.init(&stream, backup.snapshot_seq, backup.snapshot.get())?;
    store.append(&committed, &[])?;
    // The restored stream is now the one this directory holds, whatever a lost store's marker
    // said: importing is how an operator answers "the store is empty".
    marker::write(
        dir,
        &Head {
            stream,
            seq: Seq(expected.0 - 1),
        },
    )?;
    Ok(committed.len())
}

/// What `livescore check` found.
#[derive(Debug, Default)]
pub struct Checked {
    pub events: usize,
    pub snapshots: usize,
    /// The stored events run from after `first` to `last`.
    pub first: Seq,
    pub last: Seq,
}

/// Verify the store in `dir`: nothing lost since the head marker was written, every stored
/// event in seq order with no gap and its own id, and every later snapshot equal to the oldest
/// one with the log replayed over it. (Events older than the oldest snapshot are kept for
/// viewers resuming from the store; they are checked for order and ids only.)
pub fn check(dir: &Path) -> Result<Checked, StoreError> {
    // The marker first: a running server only ever moves it to seqs already committed, so read
    // in this order a healthy store is never behind it.
    let recorded = marker::read(dir)?;
    let store = Store::open_read_only(dir)?;
    let path = store.path().to_owned();
    let loaded = store.load()?;
    let last = match &loaded {
        Some(_) => store.last_seq()?,
        None => Seq(0),
    };
    if let Some(loss) = marker::compare(
        recorded.as_ref(),
        loaded.as_ref().map(|l| (&l.stream, last)),
    ) {
        return Err(fail(&path, loss));
    }
    let stream = loaded
        .ok_or_else(|| fail(&path, "the store is empty"))?
        .stream;
    let snapshots = store.snapshots()?;
    let (base, base_state) = snapshots
        .first()
        .ok_or_else(|| fail(&path, "no snapshot"))?;
    let mut state: FeedState = serde_json::from_str(base_state)
        .map_err(|e| fail(&path, format!("snapshot {base}: {e}")))?;
    let events = store.since(&stream, Seq(0), None)?;
    let first = events.first().map_or(*base, |e| Seq(e.seq.0 - 1));
    if first > *base {
        return Err(fail(
            &path,
            format!(
                "the log starts at {}, after the oldest snapshot ({base})",
                first.next()
            ),
        ));
    }
    let mut later = snapshots.iter().skip(1).peekable();
    let mut expected = first.next();
    let compare = |seq: Seq, stored: &str, state: &FeedState| -> Result<(), StoreError> {
        let stored: serde_json::Value = serde_json::from_str(stored)
            .map_err(|e| fail(&path, format!("snapshot {seq}: {e}")))?;
        let replayed = serde_json::to_value(state).expect("feed state serializes");
        if stored != replayed {
            return Err(fail(
                &path,
                format!("snapshot {seq} differs from the log replayed up to it"),
            ));
        }
        Ok(())
    };
    for event in &events {
        if event.seq != expected {
            return Err(fail(
                &path,
                format!(
                    "seqs are not contiguous: {} follows {}",
                    event.seq,
                    expected.0 - 1
                ),
            ));
        }
        let envelope: Envelope = serde_json::from_slice(&event.json)
            .map_err(|e| fail(&path, format!("event {}: {e}", event.seq)))?;
        if envelope.seq != event.seq || envelope.id != format!("{stream}.{}", event.seq) {
            return Err(fail(
                &path,
                format!("event {} carries the id {}", event.seq, envelope.id),
            ));
        }
        expected = expected.next();
        if event.seq <= *base {
            continue;
        }
        state.apply(&envelope.event);
        while let Some((seq, stored)) = later.next_if(|(seq, _)| *seq <= event.seq) {
            compare(*seq, stored, &state)?;
        }
    }
    for (seq, stored) in later {
        if *seq == Seq(expected.0 - 1) {
            compare(*seq, stored, &state)?;
        } else {
            return Err(fail(
                &path,
                format!(
                    "snapshot {seq} is past the end of the log ({})",
                    expected.0 - 1
                ),
            ));
        }
    }
    Ok(Checked {
        events: events.len(),
        snapshots: snapshots.len(),
        first,
        last: Seq(expected.0 - 1),
    })
}
