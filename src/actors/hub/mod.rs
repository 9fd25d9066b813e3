//! The hub: the one writer of the feed.
//!
//! Every change, from an admin or the generator, arrives here as an [`Execute`] message and goes
//! down one path: validate → events → apply → seq++ → (store) → log → broadcast. Because an actor
//! handles one message at a time, seqs are gap-free and every reader sees the state between two
//! commands, never in the middle of one.
//!
//! With a store (`--data-dir`), a command is *accepted* when it is validated and applied to the
//! working state, and *committed* when the writer thread reports its events on disk. Only then is
//! it acknowledged and are its events broadcast, logged and visible to readers, which all read
//! the committed state. While one batch is being written the next accumulates, so many commands
//! share one transaction (group commit). A failed write rejects every command not yet committed
//! and rolls the working state back to the committed one. Without a store, commit is immediate.

mod admins;
mod browse;
mod calendar;
mod commands;
mod desk;
mod durable;
mod reach;
mod reads;
mod ready;
mod shared;
mod tables;

pub use crate::feed::calendar::AUTHOR as CALENDAR_AUTHOR;
pub use admins::{AdminEditing, AdminJoined, AdminLeft, AttachGenerator, CloseAdmins, ToAdmin};
pub use browse::{Browse, Browsed};
use commands::Reply;
pub use commands::{Execute, ExecuteAll};
pub use desk::ReadLog;
pub use durable::CloseStore;
pub use reads::{
    Initial, PAGE_BYTES, PAGE_EVENTS, Page, PageAnswer, Poll, PollEvents, Read, ReadPage,
    ReadSnapshot, ReadState, Subscribe, json_array,
};
pub use ready::StoreReady;
pub use tables::ReadTable;

use std::collections::BTreeMap;
use std::sync::Arc;

use actix::prelude::*;
use bytes::Bytes;
use bytestring::ByteString;
use chrono::{DateTime, Utc};
use tokio::sync::oneshot;

use crate::actors::broadcaster::{Broadcaster, Publish};
use crate::actors::generator::Steer;
use crate::feed::{
    Ack, Command, CommandError, Committed, Envelope, Event, EventLog, FeedState, Scope, Target,
    Window,
};
use crate::ids::{EventId, Seq, StreamId};
use crate::metrics::Metrics;
use crate::protocol::{GeneratorState, event_frame};
use crate::sse;
use crate::store::archive::{self, MemoryArchive};
use crate::store::log_writer::LogWriter;
use crate::store::postgres::leader::Leadership;

/// Durability settings for a hub backed by a store.
pub struct Durability {
    pub writer: Box<dyn LogWriter>,
    /// Write a state snapshot every this many events.
    pub snapshot_every: u64,
    /// Keep at least this many events on disk for `Last-Event-ID` replay.
    pub retention: u64,
    /// The oldest seq a viewer may resume after from the store.
    pub oldest_stored: Seq,
    /// The seq of the newest snapshot on disk.
    pub last_snapshot: Seq,
}

/// The store side of the hub's state.
struct Durable {
    settings: Durability,
    /// The state as of the last commit: what every reader sees.
    state: FeedState,
    /// Accepted, waiting for the current write to finish.
    pending: Vec<Accepted>,
    /// Being written now.
    writing: Vec<Accepted>,
    /// Other writers' events are waiting: catch up once the current write is done.
    catch_up_wanted: bool,
    /// When the write under way was handed to the writer.
    writing_since: Option<std::time::Instant>,
    /// Why the last write failed, and when (cleared by the next write that succeeds).
    failed: Option<(String, std::time::Instant)>,
}

/// A command that passed validation, with its encoded events and the ack it will get.
struct Accepted {
    name: &'static str,
    /// The command as sent, to validate again if another writer overtakes its batch.
    command: Command,
    author: String,
    /// The generator's leadership epoch, for its commands in a cluster: they are written in
    /// batches of their own, which a newer leader fences.
    epoch: Option<u64>,
    events: Vec<Event>,
    committed: Vec<Arc<Committed>>,
    /// What its `archived` events took out of the live state, to keep in the archive.
    archive: Vec<archive::Item>,
    ack: Ack,
    reply: Option<oneshot::Sender<Result<Ack, CommandError>>>,
}

/// The hub actor. Build it with [`Hub::new`] (and [`Hub::durable`]), then `.start()`.
pub struct Hub {
    /// Every accepted command applied; equal to the committed state without a store.
    state: FeedState,
    /// The seq of the newest accepted event.
    head: Seq,
    durable: Option<Durable>,
    /// Committed events (the recent ones), for replay.
    log: Box<dyn EventLog>,
    broadcaster: Addr<Broadcaster>,
    generator: Option<Recipient<Steer>>,
    /// Told when the generator's batch was fenced by a newer leader.
    leadership: Option<Recipient<Leadership>>,
    /// Long-poll requests waiting for the next commit.
    waiters: Vec<oneshot::Sender<()>>,
    /// Events committed while handling the current message, published together at its end.
    outbox: Vec<Arc<Committed>>,
    snapshot_cache: Option<reads::CachedSnapshot>,
    tables: tables::TableCache,
    admins: BTreeMap<u64, admins::Admin>,
    /// Admins on other nodes of a shared log, as each node last said, and when.
    remote_admins: BTreeMap<String, admins::Remote>,
    /// The generator's settings as last set, shown to admins.
    generator_state: Option<GeneratorState>,
    /// The largest gap a resuming viewer is replayed (`--max-replay-events`).
    max_replay: u64,
    /// What left the live window, without a store to keep it (`--in-memory`).
    archive: Option<MemoryArchive>,
    /// The live window the configuration asks for.
    window: Window,
    /// Whether PostgreSQL still answers this node (cluster mode).
    reach: Option<reach::Reach>,
    metrics: Metrics,
}

impl Hub {
    /// A hub whose commits are immediate (in memory).
    pub fn new(
        state: FeedState,
        log: Box<dyn EventLog>,
        broadcaster: Addr<Broadcaster>,
        metrics: Metrics,
    ) -> Hub {
        metrics.seq.set(log.last_seq().0 as i64);
        Hub {
            state,
            head: log.last_seq(),
            durable: None,
            log,
            broadcaster,
            generator: None,
            leadership: None,
            waiters: Vec::new(),
            outbox: Vec::new(),
            snapshot_cache: None,
            tables: tables::TableCache::default(),
            admins: BTreeMap::new(),
            remote_admins: BTreeMap::new(),
            generator_state: None,
            max_replay: u64::MAX,
            archive: None,
            window: Window::default(),
            reach: None,
            metrics,
        }
    }

    /// Keep what leaves the live window in memory, up to `max_bytes` (a hub without a store).
    pub fn memory_archive(mut self, max_bytes: usize) -> Hub {
        self.archive = Some(MemoryArchive::new(max_bytes));
        self
    }

    /// Replay at most `events` to a resuming viewer; one further behind gets a snapshot.
    pub fn max_replay(mut self, events: u64) -> Hub {
        self.max_replay = events;
        self
    }

    /// Back this hub with a store: commands are acknowledged once their events are on disk.
    pub fn durable(mut self, settings: Durability) -> Hub {
        self.durable = Some(Durable {
            settings,
            state: self.state.clone(),
            pending: Vec::new(),
            writing: Vec::new(),
            catch_up_wanted: false,
            writing_since: None,
            failed: None,
        });
        self
    }

    fn stream(&self) -> &StreamId {
        self.log.stream_id()
    }

    /// The committed state: what readers may see.
    fn visible(&self) -> &FeedState {
        self.durable.as_ref().map_or(&self.state, |d| &d.state)
    }

    fn count(&self, command: &'static str, result: &Result<Ack, CommandError>) {
        let code = result.as_ref().map_or_else(|e| e.code(), |_| "ok");
        self.metrics
            .commands
            .with_label_values(&[command, code])
            .inc();
    }

    /// Validate and apply `command` to the working state, numbering and encoding its events.
    fn accept(
        &mut self,
        command: Command,
        author: &str,
        epoch: Option<u64>,
    ) -> Result<Accepted, CommandError> {
        let at = Utc::now();
        let name = command.name();
        let planned = self.state.validate(&command, author, at)?;
        if let Command::GeneratorControl { running, speed } = command {
            self.steer_generator(running, speed)?;
        }
        let mut committed = Vec::with_capacity(planned.events.len());
        let mut archive = Vec::new();
        for event in &planned.events {
            self.head = self.head.next();
            let scope = Scope::of(event, &self.state);
            if let Event::Archived { matches, news, .. } = event {
                archive.extend(browse::archive_items(&self.state, matches, news));
            }
            self.state.apply(event);
            committed.push(self.encode(self.head, at, author, event.clone(), scope));
        }
        let (match_id, news_id) = match planned.target {
            Target::Nothing => (None, None),
            Target::Match(id) => (Some(id), None),
            Target::News(id) => (None, Some(id)),
        };
        let ack = Ack {
            seq: self.head,
            version: self.state.version_of(planned.target),
            match_id,
            news_id,
        };
        Ok(Accepted {
            name,
            command,
            author: author.to_owned(),
            epoch,
            events: planned.events,
            committed,
            archive,
            ack,
            reply: None,
        })
    }

    /// One event, encoded once: its JSON line and its SSE frame.
    fn encode(
        &self,
        seq: Seq,
        at: DateTime<Utc>,
        author: &str,
        event: Event,
        scope: Scope,
    ) -> Arc<Committed> {
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
        Arc::new(Committed {
            seq,
            at,
            name,
            scope,
            sse: sse::event(&envelope.id, name, &json),
            json,
        })
    }

    /// Run a command to its reply: at once in memory, after the write with a store.
    fn execute(&mut self, command: Command, author: &str, epoch: Option<u64>) -> Reply {
        let name = command.name();
        if let Some(error) = self.refusal() {
            let result = Err(error);
            self.count(name, &result);
            return Reply::Now(result);
        }
        let mut accepted = match self.accept(command, author, epoch) {
            Ok(accepted) => accepted,
            Err(e) => {
                let result = Err(e);
                self.count(name, &result);
                return Reply::Now(result);
            }
        };
        if self.durable.is_none() {
            self.commit(&accepted.committed);
            if let Some(archive) = &mut self.archive {
                archive.add(std::mem::take(&mut accepted.archive));
            }
            let result = Ok(accepted.ack);
            self.count(name, &result);
            return Reply::Now(result);
        }
        let (tx, rx) = oneshot::channel();
        accepted.reply = Some(tx);
        if let Some(d) = &mut self.durable {
            d.pending.push(accepted);
        }
        self.write_next();
        Reply::Later(rx)
    }

    /// Committed events join the log and the outbox (published at the end of the message).
    fn commit(&mut self, events: &[Arc<Committed>]) {
        for event in events {
            self.log.append(event.clone());
            self.metrics.events.with_label_values(&[event.name]).inc();
            self.outbox.push(event.clone());
        }
    }

    /// Hand everything committed during this message to its readers: one `Publish` for the
    /// broadcaster, an `event` frame per event for admins, a wake-up for waiting long-polls.
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
}

impl Actor for Hub {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        // The hub is the system's bottleneck by design; a deep mailbox absorbs bursts of commands
        // instead of making senders wait.
        ctx.set_mailbox_capacity(4096);
        ctx.run_interval(durable::STALL_CHECK, |hub, _| hub.refuse_stalled());
        ctx.run_interval(admins::PRESENCE_EVERY, |hub, _| hub.refresh_presence());
        calendar::start(ctx);
        reach::start(ctx);
    }
}
