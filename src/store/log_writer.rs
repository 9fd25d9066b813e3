//! What the hub asks of a durable event log, whichever store holds it: append a batch at the
//! head it expects, bring it the events other writers appended, keep snapshots, close.
//!
//! The hub holds a `Box<dyn LogWriter>` and hears back through two messages: [`Written`] for each
//! batch, and [`Tailed`] for events it did not write itself. With SQLite the hub is the only
//! writer, so a batch is always appended and nothing is ever tailed. With PostgreSQL several
//! nodes append to one log: a batch whose expected head was overtaken comes back
//! [`WriteError::Behind`] with the events that overtook it, and the hub applies those, then
//! validates its commands again against the state they produced.

use std::sync::Arc;

use actix::Message;
use chrono::{DateTime, Utc};

use crate::feed::{Committed, FeedState, RingLog};
use crate::ids::Seq;
use crate::protocol::Editing;
use crate::store::archive::Item;

/// One group commit: the events of every command accepted since the last write, numbered from
/// `expected_head + 1`.
#[derive(Debug)]
pub struct Batch {
    /// The log's head the events were numbered after; the append must fail if it moved.
    pub expected_head: Seq,
    pub events: Vec<Arc<Committed>>,
    /// What the batch's `archived` events took out of the live state: written in the same
    /// transaction, so the archive holds exactly what the log says left.
    pub archive: Vec<Item>,
    /// The generator's leadership epoch, when the batch holds generator commands: the append
    /// must fail if a newer leader has taken over.
    pub epoch: Option<u64>,
}

/// A durable log the hub writes through. Every method returns at once; outcomes arrive as
/// messages to the hub.
pub trait LogWriter: Send {
    /// Append `batch` in one transaction and report with [`Written`].
    fn append(&self, batch: Batch);
    /// Report with [`Tailed`] the events after `after` that this hub did not write (a log with
    /// one writer has none, and says nothing).
    fn catch_up(&self, after: Seq) {
        let _ = after;
    }
    /// Record a snapshot of the state at `seq`, then drop events up to `prune_upto`.
    fn snapshot(&self, seq: Seq, at: DateTime<Utc>, state: String, prune_upto: Option<Seq>);
    /// Finish the work sent so far and close the store; the receiver fires once it is closed.
    fn close(&self) -> tokio::sync::oneshot::Receiver<()>;
    /// Whether other writers append to this log too (so an id past our head may be real).
    fn shared(&self) -> bool {
        false
    }
    /// Record the generator's settings for every node of a shared log (the leader, whichever it
    /// is, follows them); `false` when the log is not shared, and the caller steers its own.
    fn share_generator_control(&self, running: Option<bool>, speed: Option<f64>) -> bool {
        let _ = (running, speed);
        false
    }
    /// Tell the other writers' nodes which admins are connected here, and which match each is
    /// at work on (a shared log only).
    fn share_presence(&self, admins: Vec<String>, editing: Vec<Editing>) {
        let _ = (admins, editing);
    }
}

/// Why a batch was not appended.
#[derive(Debug, Clone)]
pub enum WriteError {
    /// The store failed (a message naming the file or server and the cause): nothing of the
    /// batch is in the log.
    Failed(String),
    /// Another writer appended first: these are the events between the expected head and the
    /// real one. Nothing of the batch is in the log.
    Behind { missed: Vec<Committed> },
    /// The batch carried a generator epoch that a newer leader has replaced.
    Fenced { epoch: u64 },
}

/// The outcome of appending one batch.
#[derive(Message, Debug, Clone)]
#[rtype(result = "()")]
pub struct Written {
    /// The seq of the last event in the batch.
    pub upto: Seq,
    pub result: Result<(), WriteError>,
}

/// Events other writers appended, oldest first, starting right after the seq asked for.
#[derive(Message, Debug, Clone)]
#[rtype(result = "()")]
pub struct Tailed {
    pub after: Seq,
    pub events: Vec<Committed>,
}

/// Other writers may have appended (a notification, a timer, a reconnect): the hub should ask
/// its writer to catch up.
#[derive(Message, Debug, Clone, Copy)]
#[rtype(result = "()")]
pub struct CatchUp;

/// A heartbeat came back (cluster mode): PostgreSQL answered this node, and its head was `head`.
/// A node that hears none of these for the deadline counts as cut off (`actors/hub/reach.rs`).
#[derive(Message, Debug, Clone, Copy)]
#[rtype(result = "()")]
pub struct Reached {
    pub head: Seq,
}

/// Start over from this state and log: the shared log went back (a restore, a failover that lost
/// commits) and its stream was rotated, or the events after our head were pruned while this node
/// was away.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Reloaded {
    /// Why, for the log and for the readers sent away.
    pub why: &'static str,
    pub state: FeedState,
    pub log: RingLog,
    pub last_snapshot: Seq,
    pub oldest_stored: Seq,
}

/// The admins connected to another node, as it last said (cluster-wide presence).
#[derive(Message, Debug, Clone)]
#[rtype(result = "()")]
pub struct RemotePresence {
    pub node: String,
    pub admins: Vec<String>,
    pub editing: Vec<Editing>,
}
