//! A response body that holds a viewer slot until the client has taken the answer.
//!
//! A large answer to a client that does not read sits in the server's socket send queue (kernel
//! memory) for as long as the client likes: 300 such clients once pinned 1 GB with one range of
//! days each. An answer sent through [`HeldBody`] keeps the [`ViewerSlot`] it was admitted with
//! (so it counts against `--max-viewers-per-ip` like a stream does) until its last byte has been
//! handed to the connection *and* has left the socket (the client's receive window took it all),
//! or the connection goes (a client that never reads is aborted after `--write-timeout-secs`). So
//! one address holds at most its share of slots' worth of such answers, each at most
//! `--max-range-bytes`.
//!
//! What has not left is read with the `SIOCOUTQNSD` ioctl (bytes queued but not yet sent) on the
//! connection's socket, whose descriptor [`remember_socket`] (an `on_connect` hook in
//! `server/mod.rs`) keeps in the connection's data. Bytes sent but not yet acknowledged are not
//! waited for: the client's kernel acknowledges what its window took whether or not the client
//! reads, so they are freed within a round trip, and a client that reads is not kept waiting for
//! one. The body is sized, so the client knows the answer is complete when its last byte
//! arrives; the wait only delays this connection's next answer, and only while bytes are queued.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::body::{BodySize, MessageBody};
use actix_web::dev::Extensions;
use bytes::Bytes;

use crate::http::admission::ViewerSlot;

/// The first wait before the queue is looked at again, doubled up to [`LONGEST_WAIT`]: a client
/// that reads is done at once, one that does not is looked at 20 times a second at most.
const FIRST_WAIT: Duration = Duration::from_millis(1);
const LONGEST_WAIT: Duration = Duration::from_millis(50);

/// The size of the pieces an answer is handed over in. The connection copies each into its write
/// buffer, which keeps the size it grew to while the connection lives; one piece of a whole
/// 256 KiB page would leave that much behind, and the SSE streams' 2 KiB pieces
/// (`events::WRITE_PIECE`) cost a write system call each (measured: 0.2 ms more CPU for a 94 KB
/// day than one piece).
const PIECE: usize = 16 * 1024;

/// The connection's socket, as kept in its data by [`remember_socket`].
#[derive(Debug, Clone, Copy)]
pub struct Socket(#[cfg_attr(not(target_os = "linux"), allow(dead_code))] i32);

/// `on_connect` hook: keep each TCP connection's descriptor in its data, for [`HeldBody`].
pub fn remember_socket(connection: &dyn std::any::Any, data: &mut Extensions) {
    use std::os::fd::AsRawFd as _;
    if let Some(tcp) = connection.downcast_ref::<actix_web::rt::net::TcpStream>() {
        data.insert(Socket(tcp.as_raw_fd()));
    }
}

impl Socket {
    /// Bytes written to the socket that have not been sent yet (`None`: unknown, as when the
    /// socket is gone).
    #[cfg(target_os = "linux")]
    fn unsent(self) -> Option<usize> {
        let mut queued: libc::c_int = 0;
        // SAFETY: SIOCOUTQNSD writes one int through the pointer, which points at one. The
        // descriptor belongs to the connection this body is the answer of, so it is open while
        // the body lives (the connection owns and drops the body before closing its socket).
        let ok = unsafe { libc::ioctl(self.0, libc::SIOCOUTQNSD as _, &mut queued) } == 0;
        ok.then_some(usize::try_from(queued).unwrap_or(0))
    }

    #[cfg(not(target_os = "linux"))]
    fn unsent(self) -> Option<usize> {
        None
    }
}

/// Where a [`HeldBody`] is once its bytes are handed over.
enum Wait {
    /// Not yet looked: the connection is given a turn to write out its buffer first.
    Flush,
    /// Looking again after a while.
    Timer(Duration, Pin<Box<tokio::time::Sleep>>),
}

/// An answer that holds `slot` until it has left (see the module docs).
pub struct HeldBody {
    /// What is still to be handed over: the rest of the answer, [`PIECE`] bytes at a time.
    rest: Bytes,
    len: u64,
    socket: Option<Socket>,
    wait: Wait,
    slot: Option<ViewerSlot>,
}

impl HeldBody {
    pub fn new(bytes: Bytes, slot: ViewerSlot, socket: Option<Socket>) -> HeldBody {
        HeldBody {
            len: bytes.len() as u64,
            rest: bytes,
            socket,
            wait: Wait::Flush,
            slot: Some(slot),
        }
    }
}

impl MessageBody for HeldBody {
    type Error = std::convert::Infallible;

    fn size(&self) -> BodySize {
        BodySize::Sized(self.len)
    }

    fn poll_next(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        let this = self.get_mut();
        if !this.rest.is_empty() {
            let piece = this.rest.split_to(PIECE.min(this.rest.len()));
            return Poll::Ready(Some(Ok(piece)));
        }
        let Some(socket) = this.socket.filter(|_| this.slot.is_some()) else {
            this.slot = None;
            return Poll::Ready(None);
        };
        loop {
            match &mut this.wait {
                Wait::Flush => {
                    // The last piece may still be in the connection's buffer: the connection
                    // writes it out when this poll returns, and polls again at once.
                    this.wait = Wait::Timer(FIRST_WAIT, Box::pin(tokio::time::sleep(FIRST_WAIT)));
                    cx.waker().wake_by_ref();
                    return Poll::Pending;
                }
                Wait::Timer(wait, timer) => {
                    if socket.unsent().is_none_or(|queued| queued == 0) {
                        this.slot = None;
                        return Poll::Ready(None);
                    }
                    if timer.as_mut().poll(cx).is_pending() {
                        return Poll::Pending;
                    }
                    let next = (*wait * 2).min(LONGEST_WAIT);
                    this.wait = Wait::Timer(next, Box::pin(tokio::time::sleep(next)));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::admission::ViewerSlots;

    #[actix_rt::test]
    async fn the_slot_is_freed_once_the_whole_body_is_taken_without_a_socket() {
        let slots = ViewerSlots::new(1, 0);
        let body = HeldBody::new(
            Bytes::from(vec![b'x'; 5000]),
            slots.try_acquire(None).unwrap(),
            None,
        );
        assert_eq!(body.size(), BodySize::Sized(5000));
        assert_eq!(slots.in_use(), 1);
        let taken = actix_web::body::to_bytes(body).await.unwrap();
        assert_eq!(taken.len(), 5000);
        assert_eq!(slots.in_use(), 0);
    }
}
