//! A viewer's outgoing queue: the frames the broadcaster has handed over and the viewer's
//! connection has not taken yet, bounded in frames *and* in bytes.
//!
//! The broadcaster never waits for a viewer, so this queue is the only place a slow viewer can
//! make memory grow. A frame count alone does not bound that (one frame may be a whole batch), so
//! the queue also counts the bytes it holds and refuses a frame that would take it past its byte
//! budget. A refused frame means "too slow": the broadcaster drops the viewer, whose client
//! reconnects with `Last-Event-ID` and catches up from the log.
//!
//! A viewer dropped as too slow leaves at once: its connection's end stops taking frames (the
//! client resumes with `Last-Event-ID`), and whatever the connection held for its life (its
//! viewer slot, see [`ViewerRx::hold`]) is let go then, not when a connection that may never
//! drain finally closes.
//!
//! The queue also keeps the time of the newest event handed to it, so that the connection's end
//! can observe the delivery lag (`livescore_delivery_lag_seconds`) when it empties the queue:
//! one number per viewer and batch, without widening every queued frame.

use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bytes::Bytes;
use chrono::{DateTime, Utc};
use futures_util::Stream;
use tokio::sync::mpsc::{self, error::TrySendError};

/// A queue holding at most `max_frames` frames and (beyond its first frame) `max_bytes` bytes.
pub fn channel(max_frames: usize, max_bytes: usize) -> (ViewerTx, ViewerRx) {
    let (tx, rx) = mpsc::channel(max_frames.max(1));
    let queued = Arc::new(Queued::default());
    (
        ViewerTx {
            tx,
            queued: queued.clone(),
            max_bytes,
        },
        ViewerRx {
            rx,
            queued,
            lag: None,
        },
    )
}

/// What both ends share: the bytes queued, the time of the newest event queued (in
/// microseconds since the epoch; 0 once it has been taken), whether the viewer was dropped, and
/// what its connection holds until then.
#[derive(Default)]
struct Queued {
    bytes: AtomicUsize,
    newest_at: AtomicI64,
    dropped: AtomicBool,
    held: Mutex<Option<Box<dyn Send>>>,
}

impl Queued {
    fn let_go(&self) {
        let held = self.held.lock().map(|mut h| h.take()).unwrap_or_default();
        drop(held);
    }
}

impl std::fmt::Debug for Queued {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Queued")
            .field("bytes", &self.bytes)
            .field("dropped", &self.dropped)
            .finish_non_exhaustive()
    }
}

/// Why a frame was not queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// The viewer is behind by more than its budget.
    Full,
    /// The viewer's connection is gone.
    Closed,
}

/// The broadcaster's end.
#[derive(Debug)]
pub struct ViewerTx {
    tx: mpsc::Sender<Bytes>,
    queued: Arc<Queued>,
    max_bytes: usize,
}

impl ViewerTx {
    /// Queue `frame` without waiting. An empty queue always takes one frame, however large, so
    /// a viewer that keeps up is never dropped for a single big batch.
    pub fn try_send(&self, frame: Bytes) -> Result<(), Refused> {
        let len = frame.len();
        let before = self.queued.bytes.fetch_add(len, Ordering::AcqRel);
        if before > 0 && before + len > self.max_bytes {
            self.queued.bytes.fetch_sub(len, Ordering::AcqRel);
            return Err(if self.tx.is_closed() {
                Refused::Closed
            } else {
                Refused::Full
            });
        }
        self.tx.try_send(frame).map_err(|e| {
            self.queued.bytes.fetch_sub(len, Ordering::AcqRel);
            match e {
                TrySendError::Full(_) => Refused::Full,
                TrySendError::Closed(_) => Refused::Closed,
            }
        })
    }

    /// [`try_send`](Self::try_send) a frame of events, the newest of which happened `at`.
    pub fn try_send_events(&self, frame: Bytes, at: DateTime<Utc>) -> Result<(), Refused> {
        // Before the frame, so the reader that takes it finds the time.
        self.queued
            .newest_at
            .store(at.timestamp_micros(), Ordering::Release);
        self.try_send(frame)
    }

    pub fn is_closed(&self) -> bool {
        self.tx.is_closed()
    }

    /// The viewer is dropped (too slow): its connection takes nothing more, and what it holds is
    /// let go now. A reader parked on an empty queue wakes when this sender is dropped.
    pub fn drop_viewer(&self) {
        self.queued.dropped.store(true, Ordering::Release);
        self.queued.let_go();
    }
}

/// The connection's end: a stream of frames that gives their bytes back to the budget as the
/// connection takes them.
#[derive(Debug)]
pub struct ViewerRx {
    rx: mpsc::Receiver<Bytes>,
    queued: Arc<Queued>,
    /// Where to observe the delivery lag, if anywhere.
    lag: Option<prometheus::Histogram>,
}

impl ViewerRx {
    /// Observe the delivery lag into `lag` as this connection takes events.
    pub fn measure_lag(mut self, lag: prometheus::Histogram) -> ViewerRx {
        self.lag = Some(lag);
        self
    }

    /// The next frame, or `None` once the broadcaster has let go of the viewer and every queued
    /// frame was taken.
    pub async fn recv(&mut self) -> Option<Bytes> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    /// Keep `token` (the connection's viewer slot) until the viewer is dropped or this end goes,
    /// whichever comes first.
    pub fn hold(self, token: impl Send + 'static) -> ViewerRx {
        if let Ok(mut held) = self.queued.held.lock() {
            *held = Some(Box::new(token));
        }
        if self.queued.dropped.load(Ordering::Acquire) {
            self.queued.let_go();
        }
        self
    }

    /// Bytes queued and not yet taken.
    pub fn queued_bytes(&self) -> usize {
        self.queued.bytes.load(Ordering::Acquire)
    }
}

impl Drop for ViewerRx {
    fn drop(&mut self) {
        self.queued.let_go();
    }
}

impl Stream for ViewerRx {
    type Item = Bytes;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Bytes>> {
        if self.queued.dropped.load(Ordering::Acquire) {
            return Poll::Ready(None);
        }
        let polled = self.rx.poll_recv(cx);
        if let Poll::Ready(Some(frame)) = &polled {
            let before = self.queued.bytes.fetch_sub(frame.len(), Ordering::AcqRel);
            if before == frame.len()
                && let Some(lag) = &self.lag
            {
                let at = self.queued.newest_at.swap(0, Ordering::AcqRel);
                if at != 0 {
                    let micros = (Utc::now().timestamp_micros() - at).max(0);
                    lag.observe(micros as f64 / 1e6);
                }
            }
        }
        polled
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::FutureExt;

    fn frame(len: usize) -> Bytes {
        Bytes::from(vec![b'x'; len])
    }

    #[test]
    fn a_queue_refuses_frames_past_its_byte_budget_and_takes_them_again_once_read() {
        let (tx, mut rx) = channel(100, 1000);
        assert_eq!(tx.try_send(frame(600)), Ok(()));
        assert_eq!(tx.try_send(frame(400)), Ok(()));
        assert_eq!(tx.try_send(frame(1)), Err(Refused::Full));
        assert_eq!(rx.queued_bytes(), 1000);
        assert_eq!(
            rx.recv().now_or_never().flatten().map(|f| f.len()),
            Some(600)
        );
        assert_eq!(rx.queued_bytes(), 400);
        assert_eq!(tx.try_send(frame(600)), Ok(()));
    }

    #[test]
    fn an_empty_queue_takes_one_frame_larger_than_the_budget() {
        let (tx, _rx) = channel(100, 10);
        assert_eq!(tx.try_send(frame(50)), Ok(()));
        assert_eq!(tx.try_send(frame(1)), Err(Refused::Full));
    }

    #[test]
    fn a_dropped_viewer_takes_nothing_more_and_lets_go_of_what_it_held_at_once() {
        let (tx, rx) = channel(100, 1000);
        let token = Arc::new(());
        let mut rx = rx.hold(token.clone());
        assert_eq!(tx.try_send(frame(10)), Ok(()));
        assert_eq!(Arc::strong_count(&token), 2);
        tx.drop_viewer();
        assert_eq!(
            Arc::strong_count(&token),
            1,
            "let go before the reader ends"
        );
        assert_eq!(
            rx.recv().now_or_never(),
            Some(None),
            "the queued frame is not taken"
        );

        let (tx, rx) = channel(100, 1000);
        tx.drop_viewer();
        let _rx = rx.hold(token.clone());
        assert_eq!(
            Arc::strong_count(&token),
            1,
            "held after the drop: let go at once"
        );
        let (_tx, rx) = channel(100, 1000);
        let rx = rx.hold(token.clone());
        drop(rx);
        assert_eq!(Arc::strong_count(&token), 1, "let go when the reader goes");
    }

    #[test]
    fn a_queue_refuses_frames_past_its_frame_count_and_after_its_reader_left() {
        let (tx, rx) = channel(2, 1 << 20);
        assert_eq!(tx.try_send(frame(1)), Ok(()));
        assert_eq!(tx.try_send(frame(1)), Ok(()));
        assert_eq!(tx.try_send(frame(1)), Err(Refused::Full));
        drop(rx);
        assert_eq!(tx.try_send(frame(1)), Err(Refused::Closed));
    }
}
