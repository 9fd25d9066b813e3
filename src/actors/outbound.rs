//! An admin session's outbound queue, measured in bytes.
//!
//! `actix-web-actors` buffers whatever a session writes, without bound and without telling how
//! much: a client that stops reading while edits flow would make the server hold every frame
//! for it. Nor does a stuck session get to act on it: its actor runs only when actix-http polls
//! the response body, and actix-http stops polling a body while the connection's write buffer
//! is full. So the bookkeeping lives outside the actor, here:
//!
//! - [`Outbound`] counts the bytes handed to a session (by the hub, which offers every frame
//!   before sending it, and by the session itself) minus the bytes actix-http has taken from its
//!   response body. A frame that would take it past the limit is refused and the session is
//!   marked too slow.
//! - [`Metered`] is the response body: it wraps the WebSocket context's byte stream, hands it
//!   out in pieces of at most [`PIECE`] bytes (so actix-http's own buffer stays small) and counts
//!   each piece as taken.
//! - [`Cutter`] lets the session's watchdog, on the same worker thread, drop that stream (the
//!   actor, its mailbox and everything queued) even if actix-http never polls it again. The
//!   body then answers its next poll with an error, which makes actix-http drop the connection.

use std::cell::RefCell;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::Stream;

/// Largest piece of the body handed to actix-http at once: its write buffer flushes at 2 KB
/// (`server.rs`, for the same reason as SSE's `WRITE_PIECE`), so a piece never makes it grow.
pub const PIECE: usize = 2048;

/// The bytes a WebSocket frame with `payload` bytes takes on the wire from the server (no mask):
/// a 2-byte header, plus 2 or 8 bytes of extended length for larger payloads.
pub fn frame_cost(payload: usize) -> usize {
    let header = match payload {
        0..=125 => 2,
        126..=65_535 => 4,
        _ => 10,
    };
    header + payload
}

/// What became of a frame offered to a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Offer {
    /// Counted; send it.
    Queued,
    /// It did not fit: the session is now too slow (reported once; close it).
    Overflowed,
    /// The session was already too slow; send nothing more.
    Refused,
}

/// The shared account of one session's outbound bytes and liveness.
#[derive(Debug)]
pub struct Outbound {
    queued: AtomicUsize,
    limit: usize,
    too_slow: AtomicBool,
    born: Instant,
    /// Milliseconds after `born` of the last message received from the client.
    last_seen_ms: AtomicU64,
}

impl Outbound {
    /// An empty queue holding at most `limit` bytes.
    pub fn new(limit: usize) -> Outbound {
        Outbound {
            queued: AtomicUsize::new(0),
            limit,
            too_slow: AtomicBool::new(false),
            born: Instant::now(),
            last_seen_ms: AtomicU64::new(0),
        }
    }

    /// Count a frame of `cost` bytes (see [`frame_cost`]) before sending it.
    pub fn offer(&self, cost: usize) -> Offer {
        if self.too_slow.load(Ordering::Relaxed) {
            return Offer::Refused;
        }
        let before = self.queued.fetch_add(cost, Ordering::Relaxed);
        if before + cost <= self.limit {
            return Offer::Queued;
        }
        self.queued.fetch_sub(cost, Ordering::Relaxed);
        if self.too_slow.swap(true, Ordering::Relaxed) {
            Offer::Refused
        } else {
            Offer::Overflowed
        }
    }

    /// Count a frame that is sent whatever the queue holds (a close frame).
    pub fn force(&self, cost: usize) {
        self.queued.fetch_add(cost, Ordering::Relaxed);
    }

    /// Bytes handed to the session and not yet taken by actix-http.
    pub fn queued(&self) -> usize {
        self.queued.load(Ordering::Relaxed)
    }

    pub fn is_too_slow(&self) -> bool {
        self.too_slow.load(Ordering::Relaxed)
    }

    /// The client sent something (any frame, a pong included).
    pub fn seen(&self) {
        let ms = self.born.elapsed().as_millis() as u64;
        self.last_seen_ms.store(ms, Ordering::Relaxed);
    }

    /// How long since the client last sent anything.
    pub fn silent_for(&self) -> Duration {
        let last = Duration::from_millis(self.last_seen_ms.load(Ordering::Relaxed));
        self.born.elapsed().saturating_sub(last)
    }

    fn taken(&self, n: usize) {
        // Saturating: a close frame's cost is an estimate, and the count must never wrap.
        let _ = self
            .queued
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |q| {
                Some(q.saturating_sub(n))
            });
    }
}

/// The stream and what it produced but actix-http has not taken yet: both are dropped on a cut.
struct Inner<S> {
    stream: Pin<Box<S>>,
    pending: Bytes,
}

type Slot<S> = Rc<RefCell<Option<Inner<S>>>>;

/// The session's response body: the WebSocket byte stream, counted and cuttable.
pub struct Metered<S> {
    inner: Slot<S>,
    outbound: std::sync::Arc<Outbound>,
}

/// Drops a session's stream from outside the response body (see the module docs).
pub struct Cutter<S> {
    inner: Slot<S>,
}

/// Wrap `stream`, the WebSocket context's output, as a counted body.
pub fn metered<S>(stream: S, outbound: std::sync::Arc<Outbound>) -> (Metered<S>, Cutter<S>) {
    let inner = Rc::new(RefCell::new(Some(Inner {
        stream: Box::pin(stream),
        pending: Bytes::new(),
    })));
    let cutter = Cutter {
        inner: inner.clone(),
    };
    let body = Metered { inner, outbound };
    (body, cutter)
}

impl<S> Cutter<S> {
    /// Whether the stream is gone (ended, cut, or its connection closed).
    pub fn is_done(&self) -> bool {
        self.inner.borrow().is_none()
    }

    /// Drop the stream now: the actor stops, its queue is freed.
    pub fn cut(&self) {
        // Taken out first and dropped after the borrow ends: dropping an actor context runs
        // the actor's `stopped`, which must not find the slot borrowed.
        let stream = self.inner.borrow_mut().take();
        drop(stream);
    }
}

impl<S, E> Stream for Metered<S>
where
    S: Stream<Item = Result<Bytes, E>>,
    E: From<std::io::Error>,
{
    type Item = Result<Bytes, E>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        let mut slot = this.inner.borrow_mut();
        let Some(inner) = slot.as_mut() else {
            let cut = std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "admin session cut: too slow or silent",
            );
            return Poll::Ready(Some(Err(cut.into())));
        };
        if inner.pending.is_empty() {
            match inner.stream.as_mut().poll_next(cx) {
                Poll::Ready(Some(Ok(bytes))) => inner.pending = bytes,
                Poll::Ready(None) => {
                    // Dropped outside the borrow (see `Cutter::cut`).
                    let ended = slot.take();
                    drop(slot);
                    drop(ended);
                    return Poll::Ready(None);
                }
                other => return other,
            }
        }
        let piece = if inner.pending.len() > PIECE {
            inner.pending.split_to(PIECE)
        } else {
            std::mem::take(&mut inner.pending)
        };
        this.outbound.taken(piece.len());
        Poll::Ready(Some(Ok(piece)))
    }
}

impl<S> Drop for Metered<S> {
    fn drop(&mut self) {
        let stream = self.inner.borrow_mut().take();
        drop(stream);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frame_that_does_not_fit_marks_the_session_too_slow_once() {
        let out = Outbound::new(100);
        assert_eq!(out.offer(60), Offer::Queued);
        assert_eq!(out.offer(60), Offer::Overflowed);
        assert_eq!(out.offer(1), Offer::Refused);
        assert_eq!(out.queued(), 60);
        out.taken(1000);
        assert_eq!(out.queued(), 0, "the count saturates instead of wrapping");
    }

    #[test]
    fn frame_cost_counts_the_header() {
        assert_eq!(frame_cost(0), 2);
        assert_eq!(frame_cost(125), 127);
        assert_eq!(frame_cost(126), 130);
        assert_eq!(frame_cost(70_000), 70_010);
    }

    #[tokio::test]
    async fn the_body_hands_out_pieces_and_counts_them() {
        use futures_util::StreamExt;
        let out = std::sync::Arc::new(Outbound::new(1 << 20));
        out.force(40_000);
        let chunk: Result<Bytes, std::io::Error> = Ok(Bytes::from(vec![0u8; 40_000]));
        let (mut body, cutter) = metered(futures_util::stream::iter([chunk]), out.clone());
        let mut sizes = Vec::new();
        while let Some(Ok(piece)) = body.next().await {
            sizes.push(piece.len());
        }
        assert_eq!(sizes.iter().sum::<usize>(), 40_000);
        assert!(sizes.iter().all(|&n| n <= PIECE));
        assert_eq!(out.queued(), 0);
        assert!(cutter.is_done());
    }
}
