//! The event log: committed events, ready to send, kept so that a reconnecting viewer can be given
//! exactly what it missed.
//!
//! The hub talks to the log through [`EventLog`], so the in-memory ring here and a durable store
//! can stand in for each other without the hub's logic changing.

use std::collections::VecDeque;
use std::sync::Arc;

use bytes::Bytes;
use chrono::{DateTime, Utc};

use crate::feed::filter::Scope;
use crate::ids::{Seq, StreamId};

/// An event as committed: its position, what it is about, and its two encodings, made once and
/// shared (by reference count) with every viewer, admin and long-poll client.
#[derive(Debug, Clone, PartialEq)]
pub struct Committed {
    pub seq: Seq,
    /// When it was committed (also inside the JSON).
    pub at: DateTime<Utc>,
    /// The SSE `event:` name (and JSON `type`).
    pub name: &'static str,
    pub scope: Scope,
    /// The envelope as one line of JSON.
    pub json: Bytes,
    /// The complete SSE frame (`id:`, `event:`, `data:` and the blank line).
    pub sse: Bytes,
}

/// Storage for committed events.
pub trait EventLog: Send {
    /// The stream every id in this log belongs to.
    fn stream_id(&self) -> &StreamId;
    /// The seq of the newest event, or the starting seq when nothing has been appended yet.
    fn last_seq(&self) -> Seq;
    /// Record the next event; its seq must be `last_seq() + 1`.
    fn append(&mut self, event: Arc<Committed>);
    /// The events after `after`, oldest first, read lazily so a replay takes a page at a time;
    /// `None` when the log no longer holds all of them (or `after` lies in the future), in which
    /// case the caller must look elsewhere (the store) or fall back to a snapshot.
    fn since(&self, after: Seq) -> Option<Box<dyn Iterator<Item = &Arc<Committed>> + '_>>;
    /// Every event the log holds, oldest first (the audit reads it backwards).
    fn held(&self) -> Box<dyn DoubleEndedIterator<Item = &Arc<Committed>> + '_>;
}

/// A bounded in-memory log: the newest `capacity` events, and no more than `max_bytes` of
/// encoded events (it always keeps the newest one).
#[derive(Debug)]
pub struct RingLog {
    stream: StreamId,
    events: VecDeque<Arc<Committed>>,
    capacity: usize,
    /// The JSON and SSE bytes the kept events hold.
    bytes: usize,
    max_bytes: usize,
    last: Seq,
}

/// What an event costs the log: both of its encodings.
fn size(event: &Committed) -> usize {
    event.json.len() + event.sse.len()
}

impl RingLog {
    /// An empty log of `stream` whose next event will be `start + 1`.
    pub fn new(stream: StreamId, capacity: usize, start: Seq) -> RingLog {
        RingLog {
            stream,
            events: VecDeque::with_capacity(capacity.min(1 << 16)),
            capacity: capacity.max(1),
            bytes: 0,
            max_bytes: usize::MAX,
            last: start,
        }
    }

    /// The same log, keeping no more than `max_bytes` of encoded events (a few large events
    /// must not hold as much memory as `capacity` small ones would).
    pub fn with_max_bytes(mut self, max_bytes: usize) -> RingLog {
        self.max_bytes = max_bytes;
        self.trim();
        self
    }

    /// Drop the oldest events while the log is over either bound.
    fn trim(&mut self) {
        while self.events.len() > 1
            && (self.events.len() > self.capacity || self.bytes > self.max_bytes)
        {
            if let Some(oldest) = self.events.pop_front() {
                self.bytes -= size(&oldest);
            }
        }
    }

    /// The oldest seq a viewer may resume *after* and still get a replay.
    fn oldest_resumable(&self) -> Seq {
        match self.events.front() {
            Some(first) => Seq(first.seq.0 - 1),
            None => self.last,
        }
    }
}

impl EventLog for RingLog {
    fn stream_id(&self) -> &StreamId {
        &self.stream
    }

    fn last_seq(&self) -> Seq {
        self.last
    }

    fn append(&mut self, event: Arc<Committed>) {
        debug_assert_eq!(event.seq, self.last.next(), "log seqs must be contiguous");
        self.last = event.seq;
        self.bytes += size(&event);
        self.events.push_back(event);
        self.trim();
    }

    fn since(&self, after: Seq) -> Option<Box<dyn Iterator<Item = &Arc<Committed>> + '_>> {
        if after > self.last || after < self.oldest_resumable() {
            return None;
        }
        let skip = (after.0 - self.oldest_resumable().0) as usize;
        Some(Box::new(self.events.range(skip..)))
    }

    fn held(&self) -> Box<dyn DoubleEndedIterator<Item = &Arc<Committed>> + '_> {
        Box::new(self.events.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feed::event::EventKind;

    fn committed(seq: u64) -> Arc<Committed> {
        Arc::new(Committed {
            seq: Seq(seq),
            at: Utc::now(),
            name: "score",
            scope: Scope {
                kind: EventKind::Score,
                match_id: None,
                leagues: Vec::new(),
            },
            json: Bytes::new(),
            sse: Bytes::new(),
        })
    }

    fn seqs<'a>(events: Option<impl Iterator<Item = &'a Arc<Committed>>>) -> Option<Vec<u64>> {
        events.map(|e| e.map(|c| c.seq.0).collect())
    }

    #[test]
    fn ring_replays_exactly_the_events_after_the_given_seq() {
        let mut log = RingLog::new(StreamId::random(), 3, Seq(10));
        assert_eq!(seqs(log.since(Seq(10))), Some(vec![]));
        for s in 11..=15 {
            log.append(committed(s));
        }
        assert_eq!(log.last_seq(), Seq(15));
        assert_eq!(seqs(log.since(Seq(12))), Some(vec![13, 14, 15]));
        assert_eq!(seqs(log.since(Seq(14))), Some(vec![15]));
        assert_eq!(seqs(log.since(Seq(15))), Some(vec![]));
    }

    #[test]
    fn ring_keeps_no_more_bytes_than_allowed_but_always_the_newest_event() {
        let big = |seq: u64| {
            let mut event = (*committed(seq)).clone();
            event.json = Bytes::from(vec![b'j'; 600]);
            event.sse = Bytes::from(vec![b's'; 400]);
            Arc::new(event)
        };
        let mut log = RingLog::new(StreamId::random(), 100, Seq(0)).with_max_bytes(2500);
        for s in 1..=5 {
            log.append(big(s));
        }
        assert_eq!(
            seqs(log.since(Seq(3))),
            Some(vec![4, 5]),
            "two of 1000 bytes fit"
        );
        assert!(log.since(Seq(2)).is_none());
        let mut tiny = RingLog::new(StreamId::random(), 100, Seq(0)).with_max_bytes(10);
        tiny.append(big(1));
        assert_eq!(
            seqs(tiny.since(Seq(0))),
            Some(vec![1]),
            "the newest is kept however large"
        );
    }

    #[test]
    fn ring_refuses_ids_it_can_no_longer_serve_or_has_not_reached() {
        let mut log = RingLog::new(StreamId::random(), 3, Seq(0));
        for s in 1..=5 {
            log.append(committed(s));
        }
        assert!(log.since(Seq(1)).is_none(), "event 2 was evicted");
        assert!(log.since(Seq(6)).is_none(), "future id");
        assert!(log.since(Seq(2)).is_some());
    }
}
