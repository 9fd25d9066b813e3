//! The SSE broadcaster: owns every viewer connection and fans committed events out to them.
//!
//! Each viewer is the sending half of a bounded channel whose receiving half is that viewer's HTTP
//! response body. An event arrives here already encoded (one `Bytes` per event, made by the hub);
//! handing it to a viewer is a reference-count bump and a `try_send`, never a copy or a wait. A
//! viewer whose channel is full is too slow: it is dropped (its browser reconnects with
//! `Last-Event-ID` and replays from the log), so it can never hold the others back. Because this
//! actor is the only owner of the viewer list, no lock guards it.

use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;
use bytes::Bytes;

use crate::actors::viewer_queue::{Refused, ViewerTx};
use crate::feed::{Committed, Filter};
use crate::metrics::Metrics;
use crate::sse;

/// The fan-out actor. Start it with [`Broadcaster::new`] and `.start()`.
pub struct Broadcaster {
    viewers: Vec<Viewer>,
    heartbeat: Duration,
    metrics: Metrics,
    next_id: u64,
}

struct Viewer {
    id: u64,
    tx: ViewerTx,
    filter: Filter,
}

impl Broadcaster {
    pub fn new(heartbeat: Duration, metrics: Metrics) -> Broadcaster {
        Broadcaster {
            viewers: Vec::new(),
            heartbeat,
            metrics,
            next_id: 1,
        }
    }

    /// Hand committed events to every viewer whose filter wants them, as one channel item per
    /// viewer: a burst (a generator tick at high speed) then takes one slot of a viewer's buffer,
    /// not one per event. Unfiltered viewers share one encoding of the whole batch; a filtered
    /// viewer gets the single matching frame as is, and its own concatenation only when several
    /// match.
    fn publish(&mut self, events: &[Arc<Committed>]) {
        let Some(last) = events.last() else { return };
        let everything = match events {
            [one] => one.sse.clone(),
            _ => concat(events.iter()),
        };
        let (metrics, seq) = (&self.metrics, last.seq.0);
        let mut delivered = 0;
        self.viewers.retain(|v| {
            let frame = if v.filter.is_everything() {
                delivered += events.len() as u64;
                everything.clone()
            } else {
                let wanted = |e: &&Arc<Committed>| v.filter.accepts(&e.scope);
                let mut matching = events.iter().filter(wanted);
                match (matching.next(), matching.next()) {
                    (None, _) => return true,
                    (Some(one), None) => {
                        delivered += 1;
                        one.sse.clone()
                    }
                    (Some(_), Some(_)) => {
                        delivered += events.iter().filter(wanted).count() as u64;
                        concat(events.iter().filter(wanted))
                    }
                }
            };
            deliver(v, frame, Some((seq, last.at)), metrics)
        });
        metrics.deliveries.inc_by(delivered);
        metrics.viewers.set(self.viewers.len() as i64);
    }

    /// Send a heartbeat comment to everyone, which is also how closed connections are found.
    fn ping_all(&mut self, ping: &Bytes) {
        let metrics = &self.metrics;
        self.viewers
            .retain(|v| deliver(v, ping.clone(), None, metrics));
        metrics.viewers.set(self.viewers.len() as i64);
    }
}

/// Queue `frame` (events up to `newest`'s seq and time, or a heartbeat) for one viewer; `false`
/// when the viewer must go (gone, or too slow to keep up).
fn deliver(
    v: &Viewer,
    frame: Bytes,
    newest: Option<(u64, chrono::DateTime<chrono::Utc>)>,
    metrics: &Metrics,
) -> bool {
    let seq = newest.map(|(seq, _)| seq);
    let sent = match newest {
        Some((_, at)) => v.tx.try_send_events(frame, at),
        None => v.tx.try_send(frame),
    };
    match sent {
        Ok(()) => true,
        Err(Refused::Full) => {
            tracing::warn!(
                viewer = v.id,
                ?seq,
                "dropping slow viewer: its queue is full"
            );
            metrics.viewers_dropped_slow.inc();
            v.tx.drop_viewer();
            false
        }
        Err(Refused::Closed) => {
            tracing::debug!(viewer = v.id, "viewer disconnected");
            metrics.viewers_pruned.inc();
            false
        }
    }
}

fn concat<'a>(events: impl Iterator<Item = &'a Arc<Committed>> + Clone) -> Bytes {
    let len = events.clone().map(|e| e.sse.len()).sum();
    let mut out = bytes::BytesMut::with_capacity(len);
    for e in events {
        out.extend_from_slice(&e.sse);
    }
    out.freeze()
}

impl Actor for Broadcaster {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        // Heartbeats keep proxies from timing out idle streams, and writing one is what reveals
        // a connection the client has silently abandoned.
        let ping = sse::ping();
        ctx.run_interval(self.heartbeat, move |act, _| act.ping_all(&ping));
    }
}

/// Register a viewer whose initial frames (snapshot or replay) have already been computed.
///
/// Sent by the hub, never directly by a handler: coming through the hub's mailbox puts the
/// registration in order with the events, so the viewer misses none and sees none twice.
#[derive(Message)]
#[rtype(result = "()")]
pub struct AddViewer {
    pub tx: ViewerTx,
    pub filter: Filter,
}

impl Handler<AddViewer> for Broadcaster {
    type Result = ();

    fn handle(&mut self, msg: AddViewer, _: &mut Context<Self>) {
        if msg.tx.is_closed() {
            return;
        }
        let id = self.next_id;
        self.next_id += 1;
        tracing::debug!(viewer = id, "viewer connected");
        self.viewers.push(Viewer {
            id,
            tx: msg.tx,
            filter: msg.filter,
        });
        self.metrics.viewers_connected.inc();
        self.metrics.viewers.set(self.viewers.len() as i64);
    }
}

/// Newly committed events, in seq order (one command's, or one generator tick's).
#[derive(Message)]
#[rtype(result = "()")]
pub struct Publish(pub Vec<Arc<Committed>>);

impl Handler<Publish> for Broadcaster {
    type Result = ();

    fn handle(&mut self, Publish(events): Publish, _: &mut Context<Self>) {
        self.publish(&events);
    }
}

/// End every viewer's stream (server shutdown). Replies with how many there were.
#[derive(Message)]
#[rtype(result = "usize")]
pub struct CloseAll;

impl Handler<CloseAll> for Broadcaster {
    type Result = usize;

    fn handle(&mut self, _: CloseAll, _: &mut Context<Self>) -> usize {
        let n = self.viewers.len();
        self.viewers.clear();
        self.metrics.viewers.set(0);
        n
    }
}

/// End every viewer's stream after one last frame saying why (a node cut off from its database
/// sends its viewers to reconnect elsewhere). A viewer with no room left for the frame just has
/// its stream ended. Replies with how many there were.
#[derive(Message)]
#[rtype(result = "usize")]
pub struct SendAway(pub Bytes);

impl Handler<SendAway> for Broadcaster {
    type Result = usize;

    fn handle(&mut self, SendAway(farewell): SendAway, _: &mut Context<Self>) -> usize {
        for viewer in &self.viewers {
            let _ = viewer.tx.try_send(farewell.clone());
        }
        let n = self.viewers.len();
        self.viewers.clear();
        self.metrics.viewers.set(0);
        tracing::warn!(viewers = n, "viewers sent away");
        n
    }
}
