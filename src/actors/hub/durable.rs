//! The hub's side of durability: handing accepted batches to the writer thread one at a time
//! (group commit), committing them when the writer reports back, rolling back when it fails,
//! and periodic snapshots with pruning.

use std::sync::Arc;

use actix::prelude::*;
use chrono::Utc;

use super::{Accepted, Hub};
use crate::feed::{CommandError, Committed};
use crate::ids::Seq;
use crate::store::writer::Written;

impl Hub {
    /// Start writing what is pending, unless a write is already under way.
    pub(super) fn write_next(&mut self) {
        let Some(d) = &mut self.durable else { return };
        if !d.writing.is_empty() || d.pending.is_empty() {
            return;
        }
        d.writing = std::mem::take(&mut d.pending);
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
            d.settings.writer.append(events);
        }
    }

    /// The writer finished a batch: commit it, or reject everything not yet committed.
    pub(super) fn on_written(&mut self, written: Written) {
        let Some(d) = &mut self.durable else { return };
        let batch = std::mem::take(&mut d.writing);
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
            Err(message) => {
                let rejected: Vec<Accepted> = batch
                    .into_iter()
                    .chain(std::mem::take(&mut d.pending))
                    .collect();
                tracing::error!(commands = rejected.len(), error = %message, "rolling back commands that could not be saved");
                self.state = d.state.clone();
                self.head = self.log.last_seq();
                for mut accepted in rejected {
                    let result = Err(CommandError::Unavailable(format!(
                        "the change could not be saved: {message}"
                    )));
                    self.count(accepted.name, &result);
                    if let Some(reply) = accepted.reply.take() {
                        let _ = reply.send(result);
                    }
                }
            }
        }
        self.flush();
        self.write_next();
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
