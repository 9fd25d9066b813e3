//! A node's start in cluster mode: check that its settings agree with the cluster's, open (or
//! create) the shared stream, load the newest snapshot, replay the log after it, and join at the
//! log's head.

use std::sync::Arc;

use crate::feed::{Envelope, EventLog, FeedState, RingLog, Window};
use crate::ids::{Seq, StreamId};
use crate::store::postgres::{Liveness, PgLog, settings};

/// Events read per page while replaying.
const PAGE: usize = 1024;

/// Everything the hub needs to join the cluster's stream.
pub struct Joined {
    pub log: Arc<PgLog>,
    pub loaded: Loaded,
}

/// Connect to `url` and join its stream (created from `fixtures` if the database holds none),
/// once this node's `window` agrees with the one recorded for the cluster (recorded now if none
/// is); every connection gets `liveness`'s keepalives and user timeout. Errors name the server
/// (never its password) and the cause.
pub async fn join(
    url: &str,
    fixtures: FeedState,
    log_capacity: usize,
    window: &Window,
    liveness: Liveness,
) -> Result<Joined, String> {
    let mut log = PgLog::connect(url, liveness)
        .await
        .map_err(|e| e.to_string())?;
    log.agree_on(&settings::of_window(window))
        .await
        .map_err(|e| e.to_string())?;
    let initial = serde_json::to_string(&fixtures).expect("feed state serializes");
    let opened = log
        .create_or_open_stream(&StreamId::random(), &initial)
        .await
        .map_err(|e| e.to_string())?;
    let log = Arc::new(log);
    let loaded = load(&log, opened.stream, opened.head, &fixtures, log_capacity).await?;
    Ok(Joined { log, loaded })
}

/// The feed as the database holds it: the newest snapshot, with the log after it replayed.
pub struct Loaded {
    pub state: FeedState,
    /// The newest events, for replay from memory.
    pub ring: RingLog,
    pub last_snapshot: Seq,
    /// The oldest seq a viewer may resume after from the database.
    pub oldest_stored: Seq,
    /// Events replayed over the snapshot (for the start-up log line).
    pub replayed: usize,
}

/// Load `stream` up to `head` from the database: at start-up, and again after a rotation.
pub async fn load(
    log: &PgLog,
    stream: StreamId,
    head: Seq,
    fixtures: &FeedState,
    log_capacity: usize,
) -> Result<Loaded, String> {
    let target = log.target().to_owned();
    let snapshot = log
        .latest_snapshot()
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("PostgreSQL at {target}: the stream has no snapshot"))?;
    let mut state: FeedState = serde_json::from_str(&snapshot.state).map_err(|e| {
        format!(
            "PostgreSQL at {target}: the snapshot at seq {} cannot be read: {e}",
            snapshot.seq
        )
    })?;
    state.adopt_squads(fixtures);
    let mut ring = RingLog::new(stream, log_capacity, snapshot.seq);
    let mut replayed = 0;
    while ring.last_seq() < head {
        let page = log
            .page(ring.last_seq(), Some(head), PAGE, usize::MAX)
            .await
            .map_err(|e| e.to_string())?;
        if page.is_empty() {
            return Err(format!(
                "PostgreSQL at {target}: the log ends at seq {} before its head {head}",
                ring.last_seq()
            ));
        }
        for event in page {
            let envelope: Envelope = serde_json::from_slice(&event.json).map_err(|e| {
                format!(
                    "PostgreSQL at {target}: event {} cannot be read: {e}",
                    event.seq
                )
            })?;
            state.apply(&envelope.event);
            ring.append(Arc::new(event));
            replayed += 1;
        }
    }
    Ok(Loaded {
        state,
        ring,
        last_snapshot: snapshot.seq,
        oldest_stored: snapshot.seq,
        replayed,
    })
}
