//! The hub: the one writer of the feed.
//!
//! Every change, from an admin or the generator, arrives here as an [`Execute`] message and goes
//! down one path: validate → events → apply → seq++ → log → broadcast. Because an actor handles
//! one message at a time, seqs are gap-free and every reader (a subscribing viewer, a long-poll,
//! a snapshot) sees the state *between* two commands, never in the middle of one.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use actix::prelude::*;
use bytes::{BufMut, Bytes, BytesMut};
use bytestring::ByteString;
use chrono::{DateTime, Utc};
use serde::Serialize;
use tokio::sync::{mpsc, oneshot};

use crate::actors::broadcaster::{AddViewer, Broadcaster, Publish, ViewerSlot};
use crate::actors::generator::Steer;
use crate::feed::{
    Ack, Command, CommandError, Committed, Envelope, EventLog, FeedState, Filter, Scope, Snapshot,
    Target,
};
use crate::ids::{EventId, MatchId, Seq, StreamId};
use crate::metrics::Metrics;
use crate::protocol::{GeneratorState, Outgoing, event_frame};
use crate::sse;

/// A snapshot in both encodings, for the seq it was taken at.
#[derive(Clone)]
struct CachedSnapshot {
    seq: Seq,
    json: Bytes,
    sse: Bytes,
}

/// An admin session as the hub knows it.
struct Admin {
    name: String,
    session: Recipient<ToAdmin>,
}

/// The hub actor. Build it with [`Hub::new`], then `.start()`.
pub struct Hub {
    state: FeedState,
    log: Box<dyn EventLog>,
    broadcaster: Addr<Broadcaster>,
    generator: Option<Recipient<Steer>>,
    /// Long-poll requests waiting for the next commit.
    waiters: Vec<oneshot::Sender<()>>,
    /// Events committed by the message being handled, published together when it is done.
    outbox: Vec<Arc<Committed>>,
    /// The unfiltered snapshot JSON, reused until the next commit.
    snapshot_cache: Option<CachedSnapshot>,
    /// Connected admin sessions, by session id.
    admins: BTreeMap<u64, Admin>,
    /// The generator's settings as last set, shown to admins.
    generator_state: Option<GeneratorState>,
    metrics: Metrics,
}

impl Hub {
    pub fn new(
        state: FeedState,
        log: Box<dyn EventLog>,
        broadcaster: Addr<Broadcaster>,
        metrics: Metrics,
    ) -> Hub {
        metrics.seq.set(log.last_seq().0 as i64);
        Hub {
            state,
            log,
            broadcaster,
            generator: None,
            waiters: Vec::new(),
            outbox: Vec::new(),
            snapshot_cache: None,
            admins: BTreeMap::new(),
            generator_state: None,
            metrics,
        }
    }

    fn stream(&self) -> &StreamId {
        self.log.stream_id()
    }

    fn execute(&mut self, command: Command, author: &str) -> Result<Ack, CommandError> {
        let now = Utc::now();
        let planned = self.state.validate(&command, author, now)?;
        if let Command::GeneratorControl { running, speed } = command {
            let generator = self.generator.as_ref().ok_or_else(|| {
                CommandError::Unavailable(
                    "the generator is not running (the server was started with --no-generator)"
                        .into(),
                )
            })?;
            generator.do_send(Steer { running, speed });
            if let Some(state) = &mut self.generator_state {
                state.running = running.unwrap_or(state.running);
                state.speed = speed.unwrap_or(state.speed);
                let frame = Outgoing::Generator(*state).to_json();
                self.tell_admins(ByteString::from(frame));
            }
        }
        self.commit(planned.events, author, now);
        let (match_id, news_id) = match planned.target {
            Target::Nothing => (None, None),
            Target::Match(id) => (Some(id), None),
            Target::News(id) => (None, Some(id)),
        };
        Ok(Ack {
            seq: self.log.last_seq(),
            version: self.state.version_of(planned.target),
            match_id,
            news_id,
        })
    }

    fn execute_counted(&mut self, command: Command, author: &str) -> Result<Ack, CommandError> {
        let name = command.name();
        let result = self.execute(command, author);
        let code = match &result {
            Ok(_) => "ok",
            Err(e) => e.code(),
        };
        self.metrics.commands.with_label_values(&[name, code]).inc();
        result
    }

    /// Apply, number, encode (once) and log a command's events; [`Hub::flush`] hands them out.
    fn commit(&mut self, events: Vec<crate::feed::Event>, author: &str, at: DateTime<Utc>) {
        if events.is_empty() {
            return;
        }
        for event in events {
            let seq = self.log.last_seq().next();
            let scope = Scope::of(&event, &self.state);
            self.state.apply(&event);
            let name = event.name();
            let envelope = Envelope {
                id: EventId {
                    stream: self.stream().clone(),
                    seq,
                }
                .to_string(),
                seq,
                at,
                by: author.to_owned(),
                event,
            };
            let json = Bytes::from(serde_json::to_vec(&envelope).expect("events serialize"));
            let committed = Arc::new(Committed {
                seq,
                at,
                name,
                scope,
                sse: sse::event(&envelope.id, name, &json),
                json,
            });
            self.log.append(committed.clone());
            self.metrics.events.with_label_values(&[name]).inc();
            self.outbox.push(committed);
        }
    }

    /// Hand everything committed since the last flush to its readers: one `Publish` for the
    /// broadcaster, and a wake-up for every waiting long-poll.
    fn flush(&mut self) {
        if self.outbox.is_empty() {
            return;
        }
        self.metrics.seq.set(self.log.last_seq().0 as i64);
        if !self.admins.is_empty() {
            for event in &self.outbox {
                self.tell_admins(ByteString::from(event_frame(&event.json)));
            }
        }
        self.broadcaster
            .do_send(Publish(std::mem::take(&mut self.outbox)));
        for waiter in self.waiters.drain(..) {
            let _ = waiter.send(());
        }
    }

    /// Send one text frame to every admin session.
    fn tell_admins(&self, frame: ByteString) {
        for admin in self.admins.values() {
            admin.session.do_send(ToAdmin::Frame(frame.clone()));
        }
    }

    /// Tell every admin who is connected (each name once, sorted).
    fn announce_presence(&self) {
        let names: BTreeSet<&str> = self.admins.values().map(|a| a.name.as_str()).collect();
        let frame = Outgoing::Presence {
            admins: names.into_iter().map(str::to_owned).collect(),
        };
        self.tell_admins(ByteString::from(frame.to_json()));
        self.metrics.admins.set(self.admins.len() as i64);
    }

    /// The snapshot for `filter` as of now, as JSON and as an SSE frame. The unfiltered one is
    /// made once per seq and shared by every viewer and poller until the next commit.
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
            &self.state
        } else {
            view = filter.snapshot_of(&self.state);
            &view
        };
        let id = self.event_id(seq);
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

    fn event_id(&self, seq: Seq) -> String {
        EventId {
            stream: self.stream().clone(),
            seq,
        }
        .to_string()
    }

    /// The events after `resume` that `filter` selects, or `None` when the id cannot be served
    /// from the log (another stream, too old, in the future, unparsable).
    fn replay(&self, resume: &str, filter: &Filter) -> Option<Vec<Arc<Committed>>> {
        let id: EventId = resume.parse().ok()?;
        if id.stream != *self.stream() {
            return None;
        }
        let mut events = self.log.since(id.seq)?;
        events.retain(|e| filter.accepts(&e.scope));
        Some(events)
    }
}

fn to_json<T: Serialize>(value: &T) -> Bytes {
    Bytes::from(serde_json::to_vec(value).expect("feed state serializes"))
}

/// A JSON array of already-encoded JSON values.
fn json_array<'a>(items: impl Iterator<Item = &'a Bytes>) -> Bytes {
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

impl Actor for Hub {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        // The hub is the system's bottleneck by design; a deep mailbox absorbs bursts of commands
        // instead of making senders wait.
        ctx.set_mailbox_capacity(4096);
    }
}

/// Carry out a command on behalf of `author` (an admin's name, or `generator`).
#[derive(Message)]
#[rtype(result = "Result<Ack, CommandError>")]
pub struct Execute {
    pub command: Command,
    pub author: String,
}

impl Handler<Execute> for Hub {
    type Result = Result<Ack, CommandError>;

    fn handle(&mut self, msg: Execute, _: &mut Context<Self>) -> Self::Result {
        let result = self.execute_counted(msg.command, &msg.author);
        self.flush();
        result
    }
}

/// Carry out several commands in order, as one message (the generator's batch of a tick).
#[derive(Message)]
#[rtype(result = "Vec<Result<Ack, CommandError>>")]
pub struct ExecuteAll {
    pub commands: Vec<Command>,
    pub author: String,
}

impl Handler<ExecuteAll> for Hub {
    type Result = Vec<Result<Ack, CommandError>>;

    fn handle(&mut self, msg: ExecuteAll, _: &mut Context<Self>) -> Self::Result {
        let results = msg
            .commands
            .into_iter()
            .map(|command| self.execute_counted(command, &msg.author))
            .collect();
        self.flush();
        results
    }
}

/// Connect an SSE viewer. Replies with its first frames (a snapshot, or the replay of what it
/// missed) and registers it with the broadcaster for everything after.
#[derive(Message)]
#[rtype(result = "Vec<Bytes>")]
pub struct Subscribe {
    pub filter: Filter,
    /// The raw `Last-Event-ID`, if the client sent one.
    pub resume: Option<String>,
    pub tx: mpsc::Sender<Bytes>,
    pub slot: ViewerSlot,
}

impl Handler<Subscribe> for Hub {
    type Result = MessageResult<Subscribe>;

    fn handle(&mut self, msg: Subscribe, _: &mut Context<Self>) -> Self::Result {
        let replay = msg
            .resume
            .as_deref()
            .and_then(|r| self.replay(r, &msg.filter));
        let frames = match replay {
            Some(events) => events.iter().map(|e| e.sse.clone()).collect(),
            None => {
                if let Some(resume) = &msg.resume {
                    tracing::debug!(resume, "cannot replay after this id; sending a snapshot");
                }
                vec![self.snapshot(&msg.filter).sse]
            }
        };
        self.broadcaster.do_send(AddViewer {
            tx: msg.tx,
            filter: msg.filter,
            slot: msg.slot,
        });
        MessageResult(frames)
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
    /// Nothing yet; the receiver fires at the next commit (then ask again).
    Wait(oneshot::Receiver<()>),
}

impl Handler<PollEvents> for Hub {
    type Result = MessageResult<PollEvents>;

    fn handle(&mut self, msg: PollEvents, _: &mut Context<Self>) -> Self::Result {
        let replay = msg
            .since
            .as_ref()
            .and_then(|id| self.replay(&id.to_string(), &msg.filter));
        let poll = match replay {
            None => Poll::Ready(json_array(std::iter::once(
                &self.snapshot(&msg.filter).json,
            ))),
            Some(events) if !events.is_empty() => {
                Poll::Ready(json_array(events.iter().map(|e| &e.json)))
            }
            Some(_) => {
                let (tx, rx) = oneshot::channel();
                self.waiters.retain(|w| !w.is_closed());
                self.waiters.push(tx);
                Poll::Wait(rx)
            }
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
        match msg {
            Read::Health => Some(to_json(&serde_json::json!({
                "status": "ok",
                "stream": self.stream(),
                "seq": self.log.last_seq(),
            }))),
            Read::Matches => Some(to_json(&self.state.matches().collect::<Vec<_>>())),
            Read::Match(id) => self.state.game(id).map(to_json),
            Read::News => Some(to_json(&self.state.news().collect::<Vec<_>>())),
        }
    }
}

/// The current state itself (for the generator's plan and for tests in the same process).
#[derive(Message)]
#[rtype(result = "FeedState")]
pub struct ReadState;

impl Handler<ReadState> for Hub {
    type Result = MessageResult<ReadState>;

    fn handle(&mut self, _: ReadState, _: &mut Context<Self>) -> Self::Result {
        MessageResult(self.state.clone())
    }
}

/// Where `generator.control` commands go once they have been validated, and the settings the
/// generator starts with.
#[derive(Message)]
#[rtype(result = "()")]
pub struct AttachGenerator {
    pub generator: Recipient<Steer>,
    pub state: GeneratorState,
}

impl Handler<AttachGenerator> for Hub {
    type Result = ();

    fn handle(&mut self, msg: AttachGenerator, _: &mut Context<Self>) {
        self.generator = Some(msg.generator);
        self.generator_state = Some(msg.state);
    }
}

/// What the hub tells an admin session.
#[derive(Message, Debug, Clone)]
#[rtype(result = "()")]
pub enum ToAdmin {
    /// A text frame to pass on as is (event, presence, ready, generator).
    Frame(ByteString),
    /// Close the session with this code and reason.
    Close(u16, String),
}

/// An authenticated admin session joins: it is sent `ready`, then everyone gets `presence`,
/// and from now on it receives every event.
#[derive(Message)]
#[rtype(result = "()")]
pub struct AdminJoined {
    pub session: u64,
    pub name: String,
    pub recipient: Recipient<ToAdmin>,
}

impl Handler<AdminJoined> for Hub {
    type Result = ();

    fn handle(&mut self, msg: AdminJoined, _: &mut Context<Self>) {
        let ready = Outgoing::Ready {
            admin: msg.name.clone(),
            seq: self.log.last_seq(),
            stream: self.stream().to_string(),
            generator: self.generator_state,
        };
        msg.recipient
            .do_send(ToAdmin::Frame(ByteString::from(ready.to_json())));
        tracing::debug!(session = msg.session, admin = %msg.name, "admin joined");
        self.admins.insert(
            msg.session,
            Admin {
                name: msg.name,
                session: msg.recipient,
            },
        );
        self.announce_presence();
    }
}

/// An admin session ended.
#[derive(Message)]
#[rtype(result = "()")]
pub struct AdminLeft {
    pub session: u64,
}

impl Handler<AdminLeft> for Hub {
    type Result = ();

    fn handle(&mut self, msg: AdminLeft, _: &mut Context<Self>) {
        if let Some(admin) = self.admins.remove(&msg.session) {
            tracing::debug!(session = msg.session, admin = %admin.name, "admin left");
            self.announce_presence();
        }
    }
}

/// Close every admin session (server shutdown). Replies with how many there were.
#[derive(Message)]
#[rtype(result = "usize")]
pub struct CloseAdmins {
    pub code: u16,
    pub reason: String,
}

impl Handler<CloseAdmins> for Hub {
    type Result = usize;

    fn handle(&mut self, msg: CloseAdmins, _: &mut Context<Self>) -> usize {
        for admin in self.admins.values() {
            admin
                .session
                .do_send(ToAdmin::Close(msg.code, msg.reason.clone()));
        }
        self.admins.len()
    }
}
