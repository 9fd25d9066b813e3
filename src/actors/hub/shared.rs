//! The hub's side of a shared log (cluster mode): taking in the events other nodes appended, as
//! they are tailed or as a lost race brings them, and starting over when the log went back and
//! its stream was rotated.

use std::sync::Arc;

use actix::prelude::*;

use super::Hub;
use crate::actors::broadcaster::CloseAll;
use crate::actors::hub::ToAdmin;
use crate::feed::{Committed, Envelope};
use crate::store::log_writer::{CatchUp, Reloaded, Tailed};

/// Close code for admin sessions when the stream was rotated: reconnect and start from `ready`.
const SERVICE_RESTART: u16 = 1012;

impl Hub {
    /// Apply events another writer committed: they join the committed state, the log and the
    /// broadcast like our own. Events we already have are skipped; a gap stops the intake (the
    /// next catch-up starts again from our head).
    pub(super) fn take_in(&mut self, events: Vec<Committed>) {
        for event in events {
            let head = self.log.last_seq();
            if event.seq <= head {
                continue;
            }
            if event.seq != head.next() {
                tracing::error!(%head, next = %event.seq, "a gap in the shared log; catching up again");
                break;
            }
            let envelope: Envelope = match serde_json::from_slice(&event.json) {
                Ok(envelope) => envelope,
                Err(e) => {
                    tracing::error!(seq = %event.seq, error = %e, "an event in the shared log cannot be read");
                    break;
                }
            };
            if let Some(d) = &mut self.durable {
                d.state.apply(&envelope.event);
            }
            let lag = chrono::Utc::now() - event.at;
            self.metrics
                .tail_lag_seconds
                .set(lag.num_microseconds().unwrap_or(0) as f64 / 1e6);
            self.commit(&[Arc::new(event)]);
        }
        if self
            .durable
            .as_ref()
            .is_some_and(|d| d.writing.is_empty() && d.pending.is_empty())
        {
            self.state = self.visible().clone();
            self.head = self.log.last_seq();
        }
    }

    /// Ask the writer for other writers' events, unless a write is under way (its outcome will
    /// show whether we are behind; asked again once it is done).
    pub(super) fn catch_up_if_wanted(&mut self) {
        let after = self.log.last_seq();
        let Some(d) = &mut self.durable else { return };
        if !d.catch_up_wanted || !d.writing.is_empty() {
            return;
        }
        d.catch_up_wanted = false;
        d.settings.writer.catch_up(after);
    }

    /// Start over from a reloaded feed (a rotated stream, or a gap pruned while this node was
    /// away): what every reader was sent no longer leads on to what follows, so viewers and
    /// admins are sent away to reconnect (and resume, or get a snapshot).
    fn reload(&mut self, mut reloaded: Reloaded) {
        reloaded.state.set_window(self.window);
        let Some(d) = &mut self.durable else { return };
        let writing = std::mem::take(&mut d.writing);
        d.writing_since = None;
        self.refuse_all(
            writing,
            "the shared log was rotated; send the command again",
        );
        let Some(d) = &mut self.durable else { return };
        d.state = reloaded.state.clone();
        d.settings.last_snapshot = reloaded.last_snapshot;
        d.settings.oldest_stored = reloaded.oldest_stored;
        self.state = reloaded.state;
        self.log = Box::new(reloaded.log);
        self.head = self.log.last_seq();
        self.snapshot_cache = None;
        self.tables = Default::default();
        self.outbox.clear();
        self.metrics.seq.set(self.head.0 as i64);
        self.broadcaster.do_send(CloseAll);
        for admin in self.admins.values() {
            admin.session.do_send(ToAdmin::Close(
                SERVICE_RESTART,
                format!("{}; reconnect", reloaded.why),
            ));
        }
        for waiter in self.waiters.drain(..) {
            let _ = waiter.send(());
        }
        tracing::warn!(stream = %self.stream(), seq = %self.head, why = reloaded.why, "reloaded from the database");
    }
}

impl Handler<Tailed> for Hub {
    type Result = ();

    fn handle(&mut self, msg: Tailed, _: &mut Context<Self>) {
        self.take_in(msg.events);
        self.maybe_snapshot();
        self.flush();
    }
}

impl Handler<CatchUp> for Hub {
    type Result = ();

    fn handle(&mut self, _: CatchUp, _: &mut Context<Self>) {
        if let Some(d) = &mut self.durable {
            d.catch_up_wanted = true;
        }
        self.catch_up_if_wanted();
    }
}

impl Handler<Reloaded> for Hub {
    type Result = ();

    fn handle(&mut self, msg: Reloaded, _: &mut Context<Self>) {
        self.reload(msg);
    }
}
