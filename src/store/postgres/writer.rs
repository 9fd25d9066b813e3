//! The hub's [`LogWriter`] for cluster mode: a task that appends the hub's batches to the shared
//! log, brings it the events other nodes appended, and keeps snapshots.
//!
//! Jobs run one at a time, in the order the hub sent them, so a catch-up never overlaps an
//! append: the hub sees its own batch and other nodes' events in the log's order. An append
//! that lost the race comes back with the events that won it ([`WriteError::Behind`]); one whose
//! outcome is unknown (the connection dropped during the commit) is looked up by its batch id,
//! retrying until PostgreSQL answers, before the hub hears anything.

use std::sync::Arc;
use std::time::Duration;

use actix::Recipient;
use chrono::{DateTime, Utc};
use tokio::sync::{mpsc, oneshot};

use crate::feed::{Committed, FeedState};
use crate::ids::Seq;
use crate::protocol::Editing;
use crate::store::log_writer::{Batch, LogWriter, Reloaded, Tailed, WriteError, Written};
use crate::store::postgres::presence::NodePresence;
use crate::store::postgres::recover::load;
use crate::store::postgres::{AppendOutcome, BatchId, PgError, PgLog};

/// Events read per page when catching up.
const PAGE_EVENTS: usize = 512;

/// Bytes of events read per page when catching up.
const CATCH_UP_BYTES: usize = 1 << 20;

/// Events handed to the hub in one [`Tailed`] at most; the next catch-up takes the rest.
const CATCH_UP_EVENTS: usize = 8 * PAGE_EVENTS;

/// Longest wait between attempts to learn a batch's fate while PostgreSQL is away.
const LOOKUP_BACKOFF_MAX: Duration = Duration::from_secs(2);

enum Job {
    Append(Batch),
    Presence(Vec<String>, Vec<Editing>),
    Control(Option<bool>, Option<f64>),
    CatchUp(Seq),
    Snapshot {
        seq: Seq,
        at: DateTime<Utc>,
        state: String,
        prune_upto: Option<Seq>,
    },
    Close(oneshot::Sender<()>),
}

/// A handle on the writer task.
pub struct PgWriter {
    jobs: mpsc::UnboundedSender<Job>,
}

/// Where the writer reports.
pub struct Reports {
    pub written: Recipient<Written>,
    pub tailed: Recipient<Tailed>,
    pub reloaded: Recipient<Reloaded>,
}

impl PgWriter {
    /// Start the task on the current actix arbiter. `fixtures` and `log_capacity` are for
    /// reloading after a rotation; `node` names this node in presence announcements.
    pub fn spawn(
        log: Arc<PgLog>,
        reports: Reports,
        fixtures: FeedState,
        log_capacity: usize,
        node: String,
    ) -> PgWriter {
        // The hub sends one batch at a time and a catch-up only between batches, so this queue
        // holds a handful of jobs at most.
        let (jobs, mut rx) = mpsc::unbounded_channel();
        actix::spawn(async move {
            while let Some(job) = rx.recv().await {
                match job {
                    Job::Append(batch) => {
                        let (written, went_back) = append(&log, batch).await;
                        reports.written.do_send(written);
                        if went_back {
                            reload(&log, &reports, &fixtures, log_capacity, Reload::Rotate).await;
                        }
                    }
                    Job::CatchUp(after) => match catch_up(&log, after).await {
                        Ok(events) if !events.is_empty() => {
                            reports.tailed.do_send(Tailed { after, events });
                        }
                        Ok(_) => {}
                        Err(PgError::HeadWentBack { .. } | PgError::StreamChanged { .. }) => {
                            reload(&log, &reports, &fixtures, log_capacity, Reload::Rotate).await;
                        }
                        Err(PgError::Pruned { .. }) => {
                            tracing::warn!(%after, "the events after our head were pruned; reloading from the newest snapshot");
                            reload(&log, &reports, &fixtures, log_capacity, Reload::Gap).await;
                        }
                        Err(e) => tracing::warn!(error = %e, %after, "could not catch up"),
                    },
                    Job::Snapshot {
                        seq,
                        at,
                        state,
                        prune_upto,
                    } => {
                        if let Err(e) = log.write_snapshot(seq, at, &state).await {
                            tracing::warn!(error = %e, %seq, "could not write a snapshot");
                            continue;
                        }
                        if let Some(upto) = prune_upto
                            && let Err(e) = log.prune(upto).await
                        {
                            tracing::warn!(error = %e, "could not prune the event log");
                        }
                    }
                    Job::Control(running, speed) => {
                        if let Err(e) = log.steer_generator(running, speed).await {
                            tracing::warn!(error = %e, "could not record the generator's settings");
                        }
                    }
                    Job::Presence(admins, editing) => {
                        let presence = NodePresence {
                            node: node.clone(),
                            admins,
                            editing,
                        };
                        if let Err(e) = log.announce_presence(&presence).await {
                            tracing::debug!(error = %e, "could not announce the admins here");
                        }
                    }
                    Job::Close(done) => {
                        let _ = done.send(());
                        break;
                    }
                }
            }
        });
        PgWriter { jobs }
    }
}

impl LogWriter for PgWriter {
    fn append(&self, batch: Batch) {
        let _ = self.jobs.send(Job::Append(batch));
    }

    fn catch_up(&self, after: Seq) {
        let _ = self.jobs.send(Job::CatchUp(after));
    }

    fn snapshot(&self, seq: Seq, at: DateTime<Utc>, state: String, prune_upto: Option<Seq>) {
        let _ = self.jobs.send(Job::Snapshot {
            seq,
            at,
            state,
            prune_upto,
        });
    }

    fn shared(&self) -> bool {
        true
    }

    fn share_generator_control(&self, running: Option<bool>, speed: Option<f64>) -> bool {
        self.jobs.send(Job::Control(running, speed)).is_ok()
    }

    fn share_presence(&self, admins: Vec<String>, editing: Vec<Editing>) {
        let _ = self.jobs.send(Job::Presence(admins, editing));
    }

    fn close(&self) -> oneshot::Receiver<()> {
        let (tx, rx) = oneshot::channel();
        if self.jobs.send(Job::Close(tx)).is_err() {
            let (tx, rx) = oneshot::channel();
            let _ = tx.send(());
            return rx;
        }
        rx
    }
}

/// Why the hub must start over from the database.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reload {
    /// The log went back: rotate the stream first.
    Rotate,
    /// The events after our head were pruned while we were away: load the newest snapshot.
    Gap,
}

/// Hand the hub the feed reloaded from the database (after rotating the stream when the log
/// went back); retried until it works, since the node cannot carry on from where it was.
async fn reload(
    log: &PgLog,
    reports: &Reports,
    fixtures: &FeedState,
    capacity: usize,
    why: Reload,
) {
    let mut wait = Duration::from_millis(100);
    loop {
        let head = match why {
            Reload::Rotate => log.rejoin().await,
            Reload::Gap => match (log.stream(), log.head().await) {
                (Ok(stream), Ok(head)) => Ok((stream, head)),
                (Err(e), _) | (_, Err(e)) => Err(e),
            },
        };
        let loaded = match head {
            Ok((stream, head)) => load(log, stream, head.seq, fixtures, capacity).await,
            Err(e) => Err(e.to_string()),
        };
        match loaded {
            Ok(loaded) => {
                reports.reloaded.do_send(Reloaded {
                    why: match why {
                        Reload::Rotate => "the stream was rotated",
                        Reload::Gap => "this node fell too far behind",
                    },
                    state: loaded.state,
                    log: loaded.ring,
                    last_snapshot: loaded.last_snapshot,
                    oldest_stored: loaded.oldest_stored,
                });
                return;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot reload from the database; retrying");
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(LOOKUP_BACKOFF_MAX);
            }
        }
    }
}

/// Append one batch and say what became of it, and whether the log was found to have gone back
/// (the caller then reloads).
async fn append(log: &PgLog, batch: Batch) -> (Written, bool) {
    let upto = batch.events.last().map_or(batch.expected_head, |e| e.seq);
    let id = BatchId::random();
    let outcome = log
        .append_archiving(
            batch.expected_head,
            &id,
            batch.epoch,
            &batch.events,
            &batch.archive,
        )
        .await;
    let went_back = match &outcome {
        Ok(AppendOutcome::Conflict { head }) => *head < batch.expected_head,
        Err(e) => matches!(
            e,
            PgError::HeadWentBack { .. } | PgError::StreamChanged { .. }
        ),
        Ok(_) => false,
    };
    let result = match outcome {
        _ if went_back => Err(WriteError::Failed(
            "the shared log went back (a restore, or a failover that lost commits); \
             the stream is rotated"
                .into(),
        )),
        Ok(AppendOutcome::Appended { head }) => {
            // After the commit, as a statement of its own: a NOTIFY inside the append would
            // serialise every commit in the database.
            if let Err(e) = log.notify_head(head).await {
                tracing::warn!(error = %e, "could not notify the other nodes (they poll too)");
            }
            Ok(())
        }
        Ok(AppendOutcome::Conflict { head }) => {
            match range(log, batch.expected_head, head, usize::MAX).await {
                Ok(missed) => Err(WriteError::Behind { missed }),
                Err(e) => Err(WriteError::Failed(e.to_string())),
            }
        }
        Ok(AppendOutcome::Fenced { epoch }) => Err(WriteError::Fenced { epoch }),
        Err(PgError::OutcomeUnknown { .. }) => settle(log, &id).await,
        Err(e) => Err(WriteError::Failed(e.to_string())),
    };
    (Written { upto, result }, went_back)
}

/// The committed events in `(after, upto]`, at most about `most` of them.
async fn range(log: &PgLog, after: Seq, upto: Seq, most: usize) -> Result<Vec<Committed>, PgError> {
    let mut events = Vec::new();
    let mut from = after;
    while from < upto && events.len() < most {
        let page = log
            .page(from, Some(upto), PAGE_EVENTS, CATCH_UP_BYTES)
            .await?;
        let Some(last) = page.last() else { break };
        from = last.seq;
        events.extend(page);
    }
    Ok(events)
}

/// Learn whether a batch whose commit was cut off made it in, asking until PostgreSQL answers.
async fn settle(log: &PgLog, id: &BatchId) -> Result<(), WriteError> {
    let mut wait = Duration::from_millis(50);
    loop {
        match log.batch_committed(id).await {
            Ok(Some(_)) => return Ok(()),
            Ok(None) => {
                return Err(WriteError::Failed(
                    "the connection to PostgreSQL was lost; the change was not saved".into(),
                ));
            }
            Err(e) => {
                tracing::warn!(error = %e, batch = %id, "waiting for PostgreSQL to learn a batch's fate");
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(LOOKUP_BACKOFF_MAX);
            }
        }
    }
}

/// The events after `after` that are committed now (about [`CATCH_UP_EVENTS`] at most).
async fn catch_up(log: &PgLog, after: Seq) -> Result<Vec<Committed>, PgError> {
    let head = log.head().await?.seq;
    range(log, after, head, CATCH_UP_EVENTS).await
}
