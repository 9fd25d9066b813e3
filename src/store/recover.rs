//! Start-up from the store: load the newest snapshot, replay the log after it, and continue the
//! same stream at the next seq. An empty store is seeded from the fixtures.

use std::path::Path;

use crate::feed::{Envelope, EventLog, FeedState, RingLog};
use crate::ids::{Seq, StreamId};
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
/// squads that snapshots leave out.
pub fn recover(
    dir: &Path,
    fixtures: FeedState,
    log_capacity: usize,
    max_bytes: Option<u64>,
) -> Result<Recovered, StoreError> {
    let mut store = Store::open(dir)?;
    if let Some(bytes) = max_bytes {
        store.limit_size(bytes)?;
    }
    let Some(loaded) = store.load()? else {
        let stream = StreamId::random();
        let json = serde_json::to_string(&fixtures).expect("feed state serializes");
        store.init(&stream, Seq(0), &json)?;
        return Ok(Recovered {
            state: fixtures,
            log: RingLog::new(stream, log_capacity, Seq(0)),
            store,
            last_snapshot: Seq(0),
            oldest_stored: Seq(0),
            replayed: 0,
        });
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
