//! Everything the hub answers without changing anything: subscriptions (the first frames of a
//! new viewer), snapshots, long-polls and the JSON read API. All of it reads the committed state.

use std::sync::Arc;

use actix::prelude::*;
use bytes::{BufMut, Bytes, BytesMut};
use chrono::Utc;
use serde::Serialize;
use tokio::sync::oneshot;

use super::Hub;
use crate::actors::broadcaster::AddViewer;
use crate::actors::viewer_queue::ViewerTx;
use crate::feed::{Committed, FeedState, Filter, Snapshot};
use crate::ids::{EventId, Seq};
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

/// The most events, and (roughly) the most bytes, in one page of a replay: a replay is handed
/// out a page at a time as the viewer's connection takes it, so a client that stops reading
/// holds one page, however far behind it resumed.
pub const PAGE_EVENTS: usize = 512;
pub const PAGE_BYTES: usize = 64 * 1024;

/// Where a resuming viewer's missed events are.
enum Resume {
    /// After this seq: replay from the log (memory, then the store).
    After(Seq),
    /// Past our head in a shared log: another node is ahead of us; catch up, then replay.
    Ahead,
    /// Nowhere: another stream, the future, garbage, older than anything kept, or further
    /// behind than `--max-replay-events`.
    Gone,
}

/// Part of a replay: the events in `(after, reached]` that the viewer's filter accepts.
#[derive(Debug, Default)]
pub struct Page {
    pub events: Vec<Arc<Committed>>,
    pub reached: Seq,
}

/// Where the next page of a replay comes from.
pub enum PageAnswer {
    /// From memory: here it is.
    Memory(Page),
    /// The log has moved past it: read it from the store.
    Stored,
    /// Nothing holds it any more (an in-memory feed moved on): the viewer must start over.
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
            state: state.for_viewers(),
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

    /// A receiver that fires at the next commit, with a catch-up on its way to bring one.
    fn wait_for_more(&mut self) -> oneshot::Receiver<()> {
        let (tx, rx) = oneshot::channel();
        self.waiters.retain(|w| !w.is_closed());
        self.waiters.push(tx);
        if let Some(d) = &mut self.durable {
            d.catch_up_wanted = true;
        }
        self.catch_up_if_wanted();
        rx
    }

    fn resume(&self, resume: &str) -> Resume {
        let Ok(id) = resume.parse::<EventId>() else {
            return Resume::Gone;
        };
        let last = self.log.last_seq();
        let shared = self
            .durable
            .as_ref()
            .is_some_and(|d| d.settings.writer.shared());
        if id.stream == *self.stream() && id.seq > last && shared {
            // A viewer that read further on a faster node: catch up to it rather than hand it a
            // snapshot (within the replay bound: further ahead is no id of ours).
            return if id.seq.0 - last.0 <= self.max_replay {
                Resume::Ahead
            } else {
                Resume::Gone
            };
        }
        if id.stream != *self.stream() || id.seq > last || last.0 - id.seq.0 > self.max_replay {
            return Resume::Gone;
        }
        match self.page(id.seq, last, &Filter::default(), 0) {
            PageAnswer::Gone => Resume::Gone,
            _ => Resume::After(id.seq),
        }
    }

    /// The next page of a replay of `(after, upto]` for `filter`: at most `max_events` events
    /// (and about [`PAGE_BYTES`]); `max_events` 0 only asks where the page would come from.
    fn page(&self, after: Seq, upto: Seq, filter: &Filter, max_events: usize) -> PageAnswer {
        let Some(events) = self.log.since(after) else {
            return match &self.durable {
                Some(d) if after >= d.settings.oldest_stored => PageAnswer::Stored,
                _ => PageAnswer::Gone,
            };
        };
        let mut page = Page {
            events: Vec::new(),
            reached: after,
        };
        let mut bytes = 0;
        for event in events.take_while(|e| e.seq <= upto) {
            if page.events.len() >= max_events || bytes >= PAGE_BYTES {
                break;
            }
            page.reached = event.seq;
            if filter.accepts(&event.scope) {
                bytes += event.sse.len();
                page.events.push(event.clone());
            }
        }
        PageAnswer::Memory(page)
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
    pub tx: ViewerTx,
}

/// A new viewer's first frames.
pub enum Initial {
    /// Start over from this snapshot frame.
    Snapshot(Bytes),
    /// Replay what it missed, `(after, upto]`, page by page ([`ReadPage`]); the first page, if
    /// memory held it, comes along.
    Replay { first: Page, upto: Seq },
    /// It has seen more than this node has yet (a shared log): not registered; ask again when
    /// the receiver fires (at the next commit, a catch-up is under way).
    Ahead(oneshot::Receiver<()>),
    /// This node cannot serve the feed now (cut off from its database): send this frame saying
    /// why, then end the stream (the viewer is not registered) so that it reconnects elsewhere.
    SentAway(Bytes),
}

impl Handler<Subscribe> for Hub {
    type Result = MessageResult<Subscribe>;

    fn handle(&mut self, msg: Subscribe, _: &mut Context<Self>) -> Self::Result {
        if let Some(farewell) = self.farewell() {
            return MessageResult(Initial::SentAway(farewell));
        }
        let resume = match msg.resume.as_deref() {
            Some(r) => self.resume(r),
            None => Resume::Gone,
        };
        let upto = self.log.last_seq();
        let initial = match resume {
            Resume::Ahead => return MessageResult(Initial::Ahead(self.wait_for_more())),
            Resume::After(after) => Initial::Replay {
                first: match self.page(after, upto, &msg.filter, PAGE_EVENTS) {
                    PageAnswer::Memory(page) => page,
                    _ => Page {
                        events: Vec::new(),
                        reached: after,
                    },
                },
                upto,
            },
            Resume::Gone => {
                if let Some(resume) = &msg.resume {
                    tracing::debug!(resume, "cannot replay after this id; sending a snapshot");
                }
                Initial::Snapshot(self.snapshot(&msg.filter).sse)
            }
        };
        self.broadcaster.do_send(AddViewer {
            tx: msg.tx,
            filter: msg.filter,
        });
        MessageResult(initial)
    }
}

/// The next page of a replay: the events in `(after, upto]` that `filter` accepts, at most
/// `max_events` of them.
#[derive(Message)]
#[rtype(result = "PageAnswer")]
pub struct ReadPage {
    pub after: Seq,
    pub upto: Seq,
    pub filter: Filter,
    pub max_events: usize,
}

impl Handler<ReadPage> for Hub {
    type Result = MessageResult<ReadPage>;

    fn handle(&mut self, msg: ReadPage, _: &mut Context<Self>) -> Self::Result {
        let max = msg.max_events.clamp(1, PAGE_EVENTS);
        MessageResult(self.page(msg.after, msg.upto, &msg.filter, max))
    }
}

/// The snapshot for a filter (`GET /api/snapshot`): its event id (`<stream>.<seq>`, the
/// answer's validator and where a stream opened after it resumes) and its JSON.
#[derive(Message)]
#[rtype(result = "(String, Bytes)")]
pub struct ReadSnapshot(pub Filter);

impl Handler<ReadSnapshot> for Hub {
    type Result = MessageResult<ReadSnapshot>;

    fn handle(&mut self, msg: ReadSnapshot, _: &mut Context<Self>) -> Self::Result {
        let snapshot = self.snapshot(&msg.0);
        let id = EventId {
            stream: self.stream().clone(),
            seq: snapshot.seq,
        };
        MessageResult((id.to_string(), snapshot.json))
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
    /// `since` cannot be served: start over from this snapshot (JSON).
    Snapshot(Bytes),
    /// Events after `since` are waiting: read `(after, upto]` page by page ([`ReadPage`]).
    Replay { after: Seq, upto: Seq },
    /// Nothing yet; the receiver fires at the next commit (then ask again).
    Wait(oneshot::Receiver<()>),
}

impl Handler<PollEvents> for Hub {
    type Result = MessageResult<PollEvents>;

    fn handle(&mut self, msg: PollEvents, _: &mut Context<Self>) -> Self::Result {
        let resume = match &msg.since {
            Some(id) => self.resume(&id.to_string()),
            None => Resume::Gone,
        };
        let upto = self.log.last_seq();
        let poll = match resume {
            Resume::Ahead => Poll::Wait(self.wait_for_more()),
            Resume::After(after) if after < upto => Poll::Replay { after, upto },
            Resume::After(_) => {
                let (tx, rx) = oneshot::channel();
                self.waiters.retain(|w| !w.is_closed());
                self.waiters.push(tx);
                Poll::Wait(rx)
            }
            Resume::Gone => Poll::Snapshot(self.snapshot(&msg.filter).json),
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
    /// The live state's matches.
    Matches,
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
        }
    }
}

/// The committed state itself and the seq it is at (for the generator's plan and for tests in
/// the same process).
#[derive(Message)]
#[rtype(result = "(Seq, FeedState)")]
pub struct ReadState;

impl Handler<ReadState> for Hub {
    type Result = MessageResult<ReadState>;

    fn handle(&mut self, _: ReadState, _: &mut Context<Self>) -> Self::Result {
        MessageResult((self.log.last_seq(), self.visible().clone()))
    }
}
