//! The hub's side of durability: handing accepted batches to the log writer one at a time (group
//! commit), committing them when the writer reports back, validating them again when another
//! writer got there first, rolling back when the store fails or stalls, and periodic snapshots
//! with pruning.
//!
//! The generator's commands in a cluster carry its leadership epoch and are written in batches
//! of their own (the run of same-epoch commands at the front of what is pending), so that a
//! fenced generator batch never takes an admin's command down with it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use actix::prelude::*;
use chrono::Utc;

use super::{Accepted, Hub};
use crate::feed::{CommandError, Committed};
use crate::ids::Seq;
use crate::store::log_writer::{Batch, WriteError, Written};
use crate::store::postgres::leader::Leadership;

/// How long a write may go unanswered before the commands waiting behind it are refused (the
/// store is not answering: a database that is down, a disk that hangs). The write itself is
/// answered only once its outcome is known.
pub const WRITE_STALL: Duration = Duration::from_secs(3);

/// How often the hub looks for a stalled write.
pub const STALL_CHECK: Duration = Duration::from_secs(1);

impl Hub {
    /// Why a new command must be refused at once: the write under way has stalled.
    pub(super) fn write_stalled(&self) -> Option<CommandError> {
        let since = self.durable.as_ref()?.writing_since?;
        (since.elapsed() >= WRITE_STALL).then(|| {
            CommandError::Unavailable(format!(
                "the store has not answered for {} s; try again shortly",
                since.elapsed().as_secs()
            ))
        })
    }

    /// Refuse the commands waiting behind a write when new ones are refused anyway (the write
    /// stalled, or the node is cut off), and take their effects out of the working state (which
    /// is then the committed state plus the write under way).
    pub(super) fn refuse_stalled(&mut self) {
        let Some(error) = self.refusal() else {
            return;
        };
        let Some(d) = &mut self.durable else { return };
        if d.pending.is_empty() {
            return;
        }
        let refused = std::mem::take(&mut d.pending);
        let mut state = d.state.clone();
        let mut head = self.log.last_seq();
        for accepted in &d.writing {
            for event in &accepted.events {
                state.apply(event);
            }
            head = accepted.committed.last().map_or(head, |e| e.seq);
        }
        (self.state, self.head) = (state, head);
        tracing::warn!(
            commands = refused.len(),
            "refusing commands behind a stalled write"
        );
        for mut accepted in refused {
            let result = Err(error.clone());
            self.count(accepted.name, &result);
            if let Some(reply) = accepted.reply.take() {
                let _ = reply.send(result);
            }
        }
    }

    /// Start writing what is pending, unless a write is already under way.
    pub(super) fn write_next(&mut self) {
        let Some(d) = &mut self.durable else { return };
        if !d.writing.is_empty() || d.pending.is_empty() {
            return;
        }
        // The run of commands at the front that share the first one's epoch (admins' have none).
        let epoch = d.pending[0].epoch;
        let run = d
            .pending
            .iter()
            .position(|a| a.epoch != epoch)
            .unwrap_or(d.pending.len());
        let rest = d.pending.split_off(run);
        d.writing = std::mem::replace(&mut d.pending, rest);
        let events: Vec<Arc<Committed>> = d
            .writing
            .iter()
            .flat_map(|a| a.committed.iter().cloned())
            .collect();
        if events.is_empty() {
            // Nothing to write (commands that changed nothing): they are committed already.
            let upto = self.head;
            self.on_written(Written {
                upto,
                result: Ok(()),
            });
        } else {
            d.writing_since = Some(Instant::now());
            let archive = d
                .writing
                .iter()
                .flat_map(|a| a.archive.iter().cloned())
                .collect();
            d.settings.writer.append(Batch {
                expected_head: self.log.last_seq(),
                events,
                archive,
                epoch,
            });
        }
    }

    /// The writer finished a batch: commit it, or reject everything not yet committed.
    pub(super) fn on_written(&mut self, written: Written) {
        let Some(d) = &mut self.durable else { return };
        if let Some(since) = d.writing_since.take()
            && written.result.is_ok()
        {
            self.metrics
                .commit_seconds
                .observe(since.elapsed().as_secs_f64());
        }
        let batch = std::mem::take(&mut d.writing);
        d.failed = match &written.result {
            Err(WriteError::Failed(message)) => Some((message.clone(), Instant::now())),
            _ => None,
        };
        match written.result {
            Ok(()) => {
                let mut replies = Vec::with_capacity(batch.len());
                for mut accepted in batch {
                    for event in &accepted.events {
                        d.state.apply(event);
                    }
                    replies.push((
                        accepted.name,
                        accepted.reply.take(),
                        accepted.ack,
                        accepted.committed,
                    ));
                }
                for (name, reply, ack, committed) in replies {
                    self.commit(&committed);
                    let result = Ok(ack);
                    self.count(name, &result);
                    if let Some(reply) = reply {
                        let _ = reply.send(result);
                    }
                }
                self.maybe_snapshot();
            }
            Err(WriteError::Behind { missed }) => {
                let retry: Vec<Accepted> = batch
                    .into_iter()
                    .chain(std::mem::take(&mut d.pending))
                    .collect();
                tracing::debug!(
                    commands = retry.len(),
                    missed = missed.len(),
                    "another writer appended first; validating again"
                );
                self.take_in(missed);
                self.revalidate(retry);
            }
            Err(WriteError::Fenced { epoch }) => {
                self.metrics.generator_fenced_batches.inc();
                if let Some(leadership) = &self.leadership {
                    leadership.do_send(Leadership::Fenced { epoch });
                }
                let message = format!(
                    "a newer generator leader (epoch {epoch}) has taken over; this one stands down"
                );
                // Refuse the stale generator's commands; the others (admins', and a newer
                // epoch's) were validated after them, so validate them again.
                let (stale, others): (Vec<Accepted>, Vec<Accepted>) = batch
                    .into_iter()
                    .chain(std::mem::take(&mut d.pending))
                    .partition(|a| a.epoch.is_some_and(|e| e < epoch));
                tracing::warn!(commands = stale.len(), epoch, "generator batch fenced");
                self.refuse(stale, &message);
                self.revalidate(others);
            }
            Err(WriteError::Failed(message)) => {
                self.refuse_all(batch, &format!("the change could not be saved: {message}"));
            }
        }
        self.flush();
        self.write_next();
        self.catch_up_if_wanted();
    }

    /// Refuse the batch that failed and everything accepted after it, and roll the working state
    /// back to the committed one.
    pub(super) fn refuse_all(&mut self, batch: Vec<Accepted>, message: &str) {
        let Some(d) = &mut self.durable else { return };
        let rejected: Vec<Accepted> = batch
            .into_iter()
            .chain(std::mem::take(&mut d.pending))
            .collect();
        tracing::error!(commands = rejected.len(), error = %message, "rolling back commands that could not be saved");
        self.state = d.state.clone();
        self.head = self.log.last_seq();
        self.refuse(rejected, message);
    }

    /// Answer `commands` with `message` (the caller rolls the working state back).
    fn refuse(&mut self, commands: Vec<Accepted>, message: &str) {
        for mut accepted in commands {
            let result = Err(CommandError::Unavailable(message.to_owned()));
            self.count(accepted.name, &result);
            if let Some(reply) = accepted.reply.take() {
                let _ = reply.send(result);
            }
        }
    }

    /// Validate `commands` again, in order, against the committed state (which other writers
    /// have moved on): those still valid wait for the next write, with new seqs; the others are
    /// answered now (an `expected_version` that lost the race gets `conflict`).
    pub(super) fn revalidate(&mut self, commands: Vec<Accepted>) {
        let Some(d) = &self.durable else { return };
        self.state = d.state.clone();
        self.head = self.log.last_seq();
        for old in commands {
            let reply = old.reply;
            match self.accept(old.command, &old.author, old.epoch) {
                Ok(mut accepted) => {
                    accepted.reply = reply;
                    if let Some(d) = &mut self.durable {
                        d.pending.push(accepted);
                    }
                }
                Err(error) => {
                    let result = Err(error);
                    self.count(old.name, &result);
                    if let Some(reply) = reply {
                        let _ = reply.send(result);
                    }
                }
            }
        }
    }

    /// Every `snapshot_every` committed events, write a snapshot and let the store forget what
    /// is older than the retention allows.
    pub(super) fn maybe_snapshot(&mut self) {
        let seq = self.log.last_seq();
        let Some(d) = &mut self.durable else { return };
        let s = &mut d.settings;
        if seq.0 < s.last_snapshot.0 + s.snapshot_every {
            return;
        }
        let state = serde_json::to_string(&d.state).expect("feed state serializes");
        let prune = Seq(seq.0.saturating_sub(s.retention));
        let prune_upto = (prune > s.oldest_stored).then_some(prune);
        s.writer.snapshot(seq, Utc::now(), state, prune_upto);
        s.last_snapshot = seq;
        if let Some(upto) = prune_upto {
            s.oldest_stored = upto;
        }
    }
}

/// Server shutdown: finish writing and close the store cleanly.
#[derive(Message)]
#[rtype(result = "()")]
pub struct CloseStore;

impl Handler<CloseStore> for Hub {
    type Result = ResponseFuture<()>;

    fn handle(&mut self, _: CloseStore, _: &mut Context<Self>) -> Self::Result {
        let closed = self.durable.as_ref().map(|d| d.settings.writer.close());
        Box::pin(async move {
            if let Some(closed) = closed {
                let _ = closed.await;
            }
        })
    }
}

impl Handler<Written> for Hub {
    type Result = ();

    fn handle(&mut self, msg: Written, _: &mut Context<Self>) {
        self.on_written(msg);
    }
}
