//! The SQLite writer: a thread of its own that owns the store and commits what the hub sends it,
//! so the actor system never waits on the disk. It is the hub's [`LogWriter`] for `--data-dir`. It reports each commit back to the hub, which only then
//! acknowledges the commands and broadcasts their events.
//!
//! Group commit happens in the hub: while one batch is being written, the commands that arrive
//! pile up, and they go to the writer together as the next batch, in one transaction.
//!
//! The writer also keeps the head marker (`marker.rs`) up to date: at every snapshot, on close,
//! and otherwise within [`MARK_EVERY`] of the last commit, so a lost store is noticed.

use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use actix::Recipient;
use chrono::{DateTime, Utc};

use crate::ids::Seq;
use crate::store::Store;
use crate::store::log_writer::{Batch, LogWriter, WriteError, Written};
use crate::store::marker::{self, Head};

/// Longest the head marker lags behind the last commit. Marking on every commit would add a
/// second fsync to each batch; once a second costs nothing measurable.
pub const MARK_EVERY: Duration = Duration::from_secs(1);

enum Job {
    Append(Batch),
    Snapshot {
        seq: Seq,
        at: DateTime<Utc>,
        state: String,
        prune_upto: Option<Seq>,
    },
    /// Finish, close the database (folding the WAL back into it) and say so.
    Close(tokio::sync::oneshot::Sender<()>),
}

/// A handle on the writer thread; dropping the last one ends the thread after pending work.
#[derive(Clone)]
pub struct Writer {
    jobs: mpsc::Sender<Job>,
}

impl Writer {
    /// Start the thread, moving `store` into it; outcomes of appends go to `done`. `head` is
    /// the stream and its last committed seq, as recovered.
    pub fn spawn(mut store: Store, head: Head, done: Recipient<Written>) -> Writer {
        let (jobs, rx) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("livescore-writer".into())
            .spawn(move || {
                let mut mark = Marker::new(store.dir().to_owned(), head);
                let mut closed = None;
                loop {
                    let job = match rx.recv_timeout(MARK_EVERY) {
                        Ok(job) => job,
                        Err(RecvTimeoutError::Timeout) => {
                            mark.write_if_behind();
                            continue;
                        }
                        Err(RecvTimeoutError::Disconnected) => break,
                    };
                    match job {
                        Job::Close(done) => {
                            closed = Some(done);
                            break;
                        }
                        Job::Append(Batch {
                            events, archive, ..
                        }) => {
                            let upto = events.last().map_or(Seq(0), |e| e.seq);
                            let result = store.append(&events, &archive);
                            match &result {
                                Ok(()) => mark.committed(upto),
                                Err(e) => tracing::error!(error = %e, seq = %upto, "commit failed"),
                            }
                            let result = result.map_err(|e| WriteError::Failed(e.to_string()));
                            done.do_send(Written { upto, result });
                        }
                        Job::Snapshot {
                            seq,
                            at,
                            state,
                            prune_upto,
                        } => {
                            if let Err(e) = store.write_snapshot(seq, at, &state) {
                                tracing::warn!(error = %e, %seq, "could not write a snapshot");
                                continue;
                            }
                            mark.write_if_behind();
                            if let Some(upto) = prune_upto {
                                match store.prune(upto) {
                                    Ok(removed) => {
                                        tracing::debug!(removed, %upto, "pruned the event log")
                                    }
                                    Err(e) => {
                                        tracing::warn!(error = %e, "could not prune the event log")
                                    }
                                }
                            }
                        }
                    }
                }
                drop(store);
                mark.write_if_behind();
                if let Some(done) = closed {
                    let _ = done.send(());
                }
            })
            .expect("the writer thread starts");
        Writer { jobs }
    }
}

/// The hub is this log's only writer: a batch's expected head is always the head, and there is
/// never anything to catch up on.
impl LogWriter for Writer {
    fn append(&self, batch: Batch) {
        let _ = self.jobs.send(Job::Append(batch));
    }

    fn close(&self) -> tokio::sync::oneshot::Receiver<()> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let _ = self.jobs.send(Job::Close(tx));
        rx
    }

    fn snapshot(&self, seq: Seq, at: DateTime<Utc>, state: String, prune_upto: Option<Seq>) {
        let _ = self.jobs.send(Job::Snapshot {
            seq,
            at,
            state,
            prune_upto,
        });
    }
}

/// The head marker as the writer keeps it: the last committed seq, and what the file says.
struct Marker {
    dir: std::path::PathBuf,
    head: Head,
    written: Seq,
    at: Instant,
}

impl Marker {
    fn new(dir: std::path::PathBuf, head: Head) -> Marker {
        Marker {
            dir,
            written: head.seq,
            head,
            at: Instant::now(),
        }
    }

    /// `seq` is committed; record it now if the marker has not been written for a while.
    fn committed(&mut self, seq: Seq) {
        self.head.seq = seq;
        if self.at.elapsed() >= MARK_EVERY {
            self.write_if_behind();
        }
    }

    /// Bring the marker up to the last commit, if it is behind.
    fn write_if_behind(&mut self) {
        if self.written == self.head.seq {
            return;
        }
        match marker::write(&self.dir, &self.head) {
            Ok(()) => {
                self.written = self.head.seq;
                self.at = Instant::now();
            }
            Err(e) => tracing::warn!(error = %e, "could not update the head marker"),
        }
    }
}
