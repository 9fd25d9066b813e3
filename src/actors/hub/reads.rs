//! Everything the hub answers without changing anything: subscriptions (the first frames of a
//! new viewer), snapshots, long-polls and the JSON read API. All of it reads the committed state.

use std::sync::Arc;

use actix::prelude::*;
use bytes::{BufMut, Bytes, BytesMut};
use chrono::Utc;
use serde::Serialize;
use tokio::sync::{mpsc, oneshot};

use super::Hub;
use crate::actors::broadcaster::{AddViewer, ViewerSlot};
use crate::feed::{Committed, FeedState, Filter, Snapshot};
use crate::ids::{EventId, MatchId, Seq};
use crate::sse;

/// A snapshot in both encodings, for the seq it was taken at.
#[derive(Clone)]
pub(super) struct CachedSnapshot {
    seq: Seq,
    json: Bytes,
    sse: Bytes,
}

fn to_json<T: Serialize>(value: &T) -> Bytes {
    Bytes::from(serde_json::to_vec(value).expect("feed state serializes"))
}

/// A JSON array of already-encoded JSON values.
pub fn json_array<'a>(items: impl Iterator<Item = &'a Bytes>) -> Bytes {
    let mut out = BytesMut::new();
    out.put_u8(b'[');
    for (i, item) in items.enumerate() {
        if i > 0 {
            out.put_u8(b',');
        }
        out.extend_from_slice(item);
    }
    out.put_u8(b']');
    out.freeze()
}

/// Where a resuming viewer's missed events are.
enum Resume {
    /// In the in-memory log (already filtered).
    Memory(Vec<Arc<Committed>>),
    /// Only on disk: after this seq.
    Stored(Seq),
    /// Nowhere: another stream, the future, garbage, or older than anything kept.
    Gone,
}

impl Hub {
    /// The snapshot for `filter` as of the last commit, as JSON and as an SSE frame. The
    /// unfiltered one is made once per seq and shared by every viewer and poller.
    fn snapshot(&mut self, filter: &Filter) -> CachedSnapshot {
        let seq = self.log.last_seq();
        if filter.is_everything()
            && let Some(cached) = &self.snapshot_cache
            && cached.seq == seq
        {
            return cached.clone();
        }
        let view;
        let state = if filter.is_everything() {
            self.visible()
        } else {
            view = filter.snapshot_of(self.visible());
            &view
        };
        let id = EventId {
            stream: self.stream().clone(),
            seq,
        }
        .to_string();
        let json = to_json(&Snapshot {
            id: id.clone(),
            seq,
            at: Utc::now(),
            kind: "snapshot".to_owned(),
            stream: self.stream().to_string(),
            state,
        });
        let snapshot = CachedSnapshot {
            seq,
            sse: sse::event(&id, "snapshot", &json),
            json,
        };
        if filter.is_everything() {
            self.snapshot_cache = Some(snapshot.clone());
        }
        snapshot
    }

    fn resume(&self, resume: &str, filter: &Filter) -> Resume {
        let Ok(id) = resume.parse::<EventId>() else {
            return Resume::Gone;
        };
        if id.stream != *self.stream() || id.seq > self.log.last_seq() {
            return Resume::Gone;
        }
        if let Some(mut events) = self.log.since(id.seq) {
            events.retain(|e| filter.accepts(&e.scope));
            return Resume::Memory(events);
        }
        match &self.durable {
            Some(d) if id.seq >= d.settings.oldest_stored => Resume::Stored(id.seq),
            _ => Resume::Gone,
        }
    }
}

/// Connect an SSE (or viewer WebSocket) client: reply with what it must be sent first, and
/// register it with the broadcaster for everything after, in order with the live events.
#[derive(Message)]
#[rtype(result = "Initial")]
pub struct Subscribe {
    pub filter: Filter,
    /// The raw `Last-Event-ID`, if the client sent one.
    pub resume: Option<String>,
    pub tx: mpsc::Sender<Bytes>,
    pub slot: ViewerSlot,
}

/// A new viewer's first frames.
pub enum Initial {
    /// Send these first: a snapshot, or the events it missed.
    Frames(Vec<Bytes>),
    /// The events it missed are older than memory holds: read those in `(after, upto]` from the
    /// store (filtered by the viewer's filter) and send them first.
    Stored { after: Seq, upto: Seq },
}

impl Handler<Subscribe> for Hub {
    type Result = MessageResult<Subscribe>;

    fn handle(&mut self, msg: Subscribe, _: &mut Context<Self>) -> Self::Result {
        let resume = match msg.resume.as_deref() {
            Some(r) => self.resume(r, &msg.filter),
            None => Resume::Gone,
        };
        let initial = match resume {
            Resume::Memory(events) => {
                Initial::Frames(events.iter().map(|e| e.sse.clone()).collect())
            }
            Resume::Stored(after) => Initial::Stored {
                after,
                upto: self.log.last_seq(),
            },
            Resume::Gone => {
                if let Some(resume) = &msg.resume {
                    tracing::debug!(resume, "cannot replay after this id; sending a snapshot");
                }
                Initial::Frames(vec![self.snapshot(&msg.filter).sse])
            }
        };
        self.broadcaster.do_send(AddViewer {
            tx: msg.tx,
            filter: msg.filter,
            slot: msg.slot,
        });
        MessageResult(initial)
    }
}

/// The full, unfiltered snapshot JSON (`GET /api/snapshot`).
#[derive(Message)]
#[rtype(result = "Bytes")]
pub struct ReadSnapshot;

impl Handler<ReadSnapshot> for Hub {
    type Result = MessageResult<ReadSnapshot>;

    fn handle(&mut self, _: ReadSnapshot, _: &mut Context<Self>) -> Self::Result {
        MessageResult(self.snapshot(&Filter::default()).json)
    }
}

/// A long-poll: the events after `since`, or a promise to say when there are more.
#[derive(Message)]
#[rtype(result = "Poll")]
pub struct PollEvents {
    /// `None` starts the client off with a snapshot.
    pub since: Option<EventId>,
    pub filter: Filter,
}

/// The answer to [`PollEvents`].
pub enum Poll {
    /// A JSON array: the matching events, or a single snapshot when `since` cannot be served.
    Ready(Bytes),
    /// The events after `since` are older than memory holds: read `(after, upto]` from the
    /// store (as SSE resumes do), off the actor threads.
    Stored { after: Seq, upto: Seq },
    /// Nothing yet; the receiver fires at the next commit (then ask again).
    Wait(oneshot::Receiver<()>),
}

impl Handler<PollEvents> for Hub {
    type Result = MessageResult<PollEvents>;

    fn handle(&mut self, msg: PollEvents, _: &mut Context<Self>) -> Self::Result {
        let resume = match &msg.since {
            Some(id) => self.resume(&id.to_string(), &msg.filter),
            None => Resume::Gone,
        };
        let poll = match resume {
            Resume::Memory(events) if !events.is_empty() => {
                Poll::Ready(json_array(events.iter().map(|e| &e.json)))
            }
            Resume::Memory(_) => {
                let (tx, rx) = oneshot::channel();
                self.waiters.retain(|w| !w.is_closed());
                self.waiters.push(tx);
                Poll::Wait(rx)
            }
            Resume::Stored(after) => Poll::Stored {
                after,
                upto: self.log.last_seq(),
            },
            Resume::Gone => Poll::Ready(json_array(std::iter::once(
                &self.snapshot(&msg.filter).json,
            ))),
        };
        MessageResult(poll)
    }
}

/// Read-only views for the JSON API, encoded by the state's owner.
#[derive(Message)]
#[rtype(result = "Option<Bytes>")]
pub enum Read {
    /// `{"status":"ok","stream":..,"seq":..}` for the liveness probe.
    Health,
    Matches,
    Match(MatchId),
    News,
}

impl Handler<Read> for Hub {
    type Result = Option<Bytes>;

    fn handle(&mut self, msg: Read, _: &mut Context<Self>) -> Option<Bytes> {
        let state = self.visible();
        match msg {
            Read::Health => Some(to_json(&serde_json::json!({
                "status": "ok",
                "stream": self.stream(),
                "seq": self.log.last_seq(),
                "durable": self.durable.is_some(),
            }))),
            Read::Matches => Some(to_json(&state.matches().collect::<Vec<_>>())),
            Read::Match(id) => state.game(id).map(to_json),
            Read::News => Some(to_json(&state.news().collect::<Vec<_>>())),
        }
    }
}

/// The committed state itself (for the generator's plan and for tests in the same process).
#[derive(Message)]
#[rtype(result = "FeedState")]
pub struct ReadState;

impl Handler<ReadState> for Hub {
    type Result = MessageResult<ReadState>;

    fn handle(&mut self, _: ReadState, _: &mut Context<Self>) -> Self::Result {
        MessageResult(self.visible().clone())
    }
}
