//! Start-up from the store: load the newest snapshot, replay the log after it, and continue the
//! same stream at the next seq. An empty store is seeded from the fixtures.
//!
//! A store that the head marker (`marker.rs`) shows was emptied, replaced or cut short is
//! refused, unless the operator accepts the loss; then a new stream begins from what the store
//! still holds (a new stream id, so no viewer mistakes the new events for ones it has seen).

use std::path::Path;

use crate::feed::{Envelope, EventLog, FeedState, RingLog};
use crate::ids::{Seq, StreamId};
use crate::store::marker::{self, Head};
use crate::store::{Store, StoreError};

/// Everything the hub needs to carry on where the last run stopped.
pub struct Recovered {
    pub state: FeedState,
    /// The newest events (up to the log's capacity), for replay from memory.
    pub log: RingLog,
    pub store: Store,
    pub last_snapshot: Seq,
    /// The oldest seq a viewer may resume after from the store.
    pub oldest_stored: Seq,
    /// Events replayed over the snapshot (for the start-up log line).
    pub replayed: usize,
}

/// Open the store in `dir` and recover from it; `fixtures` seeds a new store and supplies the
/// squads that snapshots leave out. `accept_loss` (`--accept-empty-store`) begins a new stream
/// where a lost store would otherwise be refused.
pub fn recover(
    dir: &Path,
    fixtures: FeedState,
    log_capacity: usize,
    max_bytes: Option<u64>,
    accept_loss: bool,
) -> Result<Recovered, StoreError> {
    let mut store = Store::open(dir)?;
    if let Some(bytes) = max_bytes {
        store.limit_size(bytes)?;
    }
    let recorded = marker::read(dir)?;
    let loaded = store.load()?;
    let last = match &loaded {
        Some(_) => store.last_seq()?,
        None => Seq(0),
    };
    let loss = marker::compare(
        recorded.as_ref(),
        loaded.as_ref().map(|l| (&l.stream, last)),
    );
    if let Some(loss) = &loss {
        if !accept_loss {
            return Err(StoreError::new(store.path(), loss));
        }
        tracing::warn!(%loss, "--accept-empty-store: beginning a new stream");
    }
    let Some(loaded) = loaded else {
        let stream = StreamId::random();
        let json = serde_json::to_string(&fixtures).expect("feed state serializes");
        store.init(&stream, Seq(0), &json)?;
        return started(store, stream, fixtures, log_capacity, 0);
    };
    let bad = |message: String| StoreError {
        path: store.path().to_owned(),
        message,
    };
    let mut state: FeedState = serde_json::from_str(&loaded.snapshot).map_err(|e| {
        bad(format!(
            "the snapshot at seq {} cannot be read: {e}",
            loaded.snapshot_seq
        ))
    })?;
    state.adopt_squads(&fixtures);
    let mut expected = loaded.snapshot_seq.next();
    for event in &loaded.events {
        if event.seq != expected {
            return Err(bad(format!(
                "the log has a gap: event {} follows {}",
                event.seq,
                expected.0 - 1
            )));
        }
        let envelope: Envelope = serde_json::from_slice(&event.json)
            .map_err(|e| bad(format!("event {} cannot be read: {e}", event.seq)))?;
        state.apply(&envelope.event);
        expected = expected.next();
    }
    let last = Seq(expected.0 - 1);
    if loss.is_some() {
        let stream = StreamId::random();
        let json = serde_json::to_string(&state).expect("feed state serializes");
        store.begin_anew(&stream, &json)?;
        return started(store, stream, state, log_capacity, loaded.events.len());
    }
    marker::write(
        dir,
        &Head {
            stream: loaded.stream.clone(),
            seq: last,
        },
    )?;
    // The ring holds the newest events; it starts where those begin.
    let keep_from = loaded.events.len().saturating_sub(log_capacity);
    let start = loaded
        .events
        .get(keep_from)
        .map_or(last, |e| Seq(e.seq.0 - 1));
    let mut log = RingLog::new(loaded.stream, log_capacity, start);
    for event in loaded.events.iter().skip(keep_from) {
        log.append(std::sync::Arc::new(event.clone()));
    }
    debug_assert_eq!(log.last_seq(), last);
    Ok(Recovered {
        state,
        log,
        oldest_stored: store.oldest_resumable()?,
        store,
        last_snapshot: loaded.snapshot_seq,
        replayed: loaded.events.len(),
    })
}

/// A stream that begins now, at seq 0, from `state`; its marker is written before anything else.
fn started(
    store: Store,
    stream: StreamId,
    state: FeedState,
    log_capacity: usize,
    replayed: usize,
) -> Result<Recovered, StoreError> {
    marker::write(
        store.dir(),
        &Head {
            stream: stream.clone(),
            seq: Seq(0),
        },
    )?;
    Ok(Recovered {
        state,
        log: RingLog::new(stream, log_capacity, Seq(0)),
        store,
        last_snapshot: Seq(0),
        oldest_stored: Seq(0),
        replayed,
    })
}
