//! A gate in front of a WebSocket's incoming bytes that refuses an oversized frame as soon as its
//! header arrives.
//!
//! actix-http's frame decoder checks a frame's length against its limit only once the whole
//! payload is buffered, so a client that declares a frame of 2^62 bytes and keeps sending makes
//! the server buffer all of it (measured: RSS from 17 to 1 542 MB in 3 s). The gate reads each
//! frame header as it passes (it never copies or holds a payload) and ends the stream with an
//! error the moment a header declares more than the limit; the session, seeing [`Tripped`] set,
//! closes with 1009. Both WebSocket routes, `/ws/admin` and `/ws/feed`, read through it.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use actix_web::error::PayloadError;
use bytes::Bytes;
use futures_util::Stream;

/// The longest frame header: 2 bytes, 8 of extended length, 4 of mask.
const MAX_HEADER: usize = 14;

/// Set once the gate has refused a frame: tells the session why its stream failed.
#[derive(Debug, Clone, Default)]
pub struct Tripped(Arc<AtomicBool>);

impl Tripped {
    pub fn is_set(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }
}

/// Where the gate is in the byte stream.
#[derive(Debug)]
enum At {
    /// Reading a header: the bytes of it seen so far.
    Header {
        bytes: [u8; MAX_HEADER],
        have: usize,
    },
    /// Inside a payload: how many of its bytes are still to pass.
    Payload(u64),
    /// A frame was refused: the error goes out once, then the stream ends. `yielded` is set
    /// once the stream has given its reader a turn to decode the frames before the refused one.
    Refused { reported: bool, yielded: bool },
}

const NEW_HEADER: At = At::Header {
    bytes: [0; MAX_HEADER],
    have: 0,
};

/// The incoming byte stream of a WebSocket, with frames over `limit` payload bytes refused.
pub struct FrameGate<S> {
    inner: S,
    limit: u64,
    at: At,
    tripped: Tripped,
}

/// Put `stream` behind a gate that refuses frames with more than `limit` payload bytes.
pub fn gate<S>(stream: S, limit: usize) -> (FrameGate<S>, Tripped) {
    let tripped = Tripped::default();
    let gate = FrameGate {
        inner: stream,
        limit: limit as u64,
        at: NEW_HEADER,
        tripped: tripped.clone(),
    };
    (gate, tripped)
}

/// The header's full length, once its first two bytes are known.
fn header_len(first_two: [u8; 2]) -> usize {
    let extended = match first_two[1] & 0x7f {
        126 => 2,
        127 => 8,
        _ => 0,
    };
    let mask = if first_two[1] & 0x80 != 0 { 4 } else { 0 };
    2 + extended + mask
}

/// The payload length a complete header declares.
fn declared_len(header: &[u8]) -> u64 {
    match header[1] & 0x7f {
        126 => u64::from(u16::from_be_bytes([header[2], header[3]])),
        127 => u64::from_be_bytes(header[2..10].try_into().expect("8 bytes")),
        n => u64::from(n),
    }
}

impl<S> FrameGate<S> {
    /// Follow the frames through `chunk`; the offset at which a refused frame's header starts,
    /// if one does (0 when it started in an earlier chunk).
    fn scan(&mut self, chunk: &[u8]) -> Option<usize> {
        let mut i = 0;
        while i < chunk.len() {
            match &mut self.at {
                At::Payload(left) => {
                    let skip = (*left).min((chunk.len() - i) as u64);
                    *left -= skip;
                    i += skip as usize;
                    if *left == 0 {
                        self.at = NEW_HEADER;
                    }
                }
                At::Header { bytes, have } => {
                    let started = i.checked_sub(*have);
                    let need = if *have < 2 {
                        2
                    } else {
                        header_len([bytes[0], bytes[1]])
                    };
                    let take = (need - *have).min(chunk.len() - i);
                    bytes[*have..*have + take].copy_from_slice(&chunk[i..i + take]);
                    *have += take;
                    i += take;
                    if *have < need || need == 2 && header_len([bytes[0], bytes[1]]) > 2 {
                        continue;
                    }
                    let len = declared_len(&bytes[..need]);
                    if len > self.limit {
                        self.at = At::Refused {
                            reported: false,
                            yielded: false,
                        };
                        return Some(started.unwrap_or(0));
                    }
                    self.at = if len == 0 {
                        NEW_HEADER
                    } else {
                        At::Payload(len)
                    };
                }
                At::Refused { .. } => return Some(0),
            }
        }
        None
    }
}

impl<S> Stream for FrameGate<S>
where
    S: Stream<Item = Result<Bytes, PayloadError>> + Unpin,
{
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if let At::Refused { reported, yielded } = &mut this.at {
            if std::mem::replace(reported, true) {
                return Poll::Ready(None);
            }
            // Both WebSocket readers return a payload error before decoding what they already
            // buffered, so the good frames before the refused one (a ping, say) would be lost:
            // give them one turn to decode first.
            if !std::mem::replace(yielded, true) {
                *reported = false;
                cx.waker().wake_by_ref();
                return Poll::Pending;
            }
            this.tripped.0.store(true, Ordering::Release);
            return Poll::Ready(Some(Err(PayloadError::Overflow)));
        }
        let chunk = match Pin::new(&mut this.inner).poll_next(cx) {
            Poll::Ready(Some(Ok(chunk))) => chunk,
            other => return other,
        };
        match this.scan(&chunk) {
            None => Poll::Ready(Some(Ok(chunk))),
            // Earlier chunks may still wait in the reader's buffer: their turn first.
            Some(0) => {
                this.at = At::Refused {
                    reported: false,
                    yielded: true,
                };
                cx.waker().wake_by_ref();
                Poll::Pending
            }
            // The frames before the refused one go through first: they were within the limit.
            Some(start) => Poll::Ready(Some(Ok(chunk.slice(..start)))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::{StreamExt, stream};

    /// A masked client frame header declaring `len` payload bytes.
    fn header(len: u64) -> Vec<u8> {
        let mut h = vec![0x81];
        match len {
            0..=125 => h.push(0x80 | len as u8),
            126..=65_535 => {
                h.push(0x80 | 126);
                h.extend_from_slice(&(len as u16).to_be_bytes());
            }
            _ => {
                h.push(0x80 | 127);
                h.extend_from_slice(&len.to_be_bytes());
            }
        }
        h.extend_from_slice(&[1, 2, 3, 4]);
        h
    }

    fn frame(len: usize) -> Vec<u8> {
        let mut f = header(len as u64);
        f.extend(std::iter::repeat_n(b'x', len));
        f
    }

    /// Run `wire`, cut into chunks of `size`, through a gate; the bytes it let through, and
    /// whether it refused.
    async fn through(wire: &[u8], size: usize, limit: usize) -> (Vec<u8>, bool) {
        let chunks: Vec<Result<Bytes, PayloadError>> = wire
            .chunks(size)
            .map(|c| Ok(Bytes::copy_from_slice(c)))
            .collect();
        let (mut gate, tripped) = gate(stream::iter(chunks), limit);
        let mut passed = Vec::new();
        let mut refused = false;
        while let Some(item) = gate.next().await {
            match item {
                Ok(bytes) => passed.extend_from_slice(&bytes),
                Err(_) => refused = true,
            }
        }
        assert_eq!(refused, tripped.is_set());
        (passed, refused)
    }

    #[tokio::test]
    async fn frames_within_the_limit_pass_untouched_however_the_bytes_are_cut() {
        let mut wire = Vec::new();
        for len in [0, 5, 125, 126, 300, 65_535, 70_000] {
            wire.extend(frame(len));
        }
        for size in [1, 2, 3, 7, 14, 1000, wire.len()] {
            let (passed, refused) = through(&wire, size, 70_000).await;
            assert!(!refused, "chunks of {size}");
            assert_eq!(passed, wire, "chunks of {size}");
        }
    }

    #[tokio::test]
    async fn a_header_declaring_too_much_is_refused_before_its_payload_and_after_good_frames() {
        let mut wire = frame(10);
        let good = wire.len();
        wire.extend(header(1 << 62));
        wire.extend(vec![b'x'; 5000]);
        for size in [1, 3, 13, 100, wire.len()] {
            let (passed, refused) = through(&wire, size, 1000).await;
            assert!(refused, "chunks of {size}");
            assert!(passed.len() <= good + MAX_HEADER, "chunks of {size}");
            assert_eq!(passed[..good], wire[..good], "chunks of {size}");
        }
        let (_, refused) = through(&frame(1001), 4096, 1000).await;
        assert!(refused, "one byte over the limit");
    }
}
