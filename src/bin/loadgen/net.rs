//! Connections for the load generator: many loopback source addresses (so tens of thousands of
//! connections do not run out of ephemeral ports), a raised open-file limit, and a stream wrapper
//! that counts every byte on the wire, headers included.

use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpSocket, TcpStream};

/// Raise the open-file limit to `wanted` (root may raise the hard limit too), or as far as the
/// hard limit allows; returns the new soft limit.
pub fn raise_fd_limit(wanted: u64) -> u64 {
    if rlimit::setrlimit(rlimit::Resource::NOFILE, wanted, wanted).is_ok() {
        return wanted;
    }
    rlimit::increase_nofile_limit(wanted).unwrap_or(1024)
}

/// Round-robin over source addresses 127.0.0.1, 127.0.0.2, ... (all of 127/8 is loopback on
/// Linux): each adds a full range of ephemeral ports towards one server address.
pub struct Sources {
    count: u8,
    next: AtomicUsize,
}

impl Sources {
    /// Enough sources for `connections` at ~25 000 ports each.
    pub fn for_connections(connections: usize, at_least: u8) -> Sources {
        let needed = connections.div_ceil(25_000).clamp(1, 250) as u8;
        Sources {
            count: needed.max(at_least).max(1),
            next: AtomicUsize::new(0),
        }
    }

    fn pick(&self) -> IpAddr {
        let n = self.next.fetch_add(1, Ordering::Relaxed) % usize::from(self.count);
        IpAddr::V4(Ipv4Addr::new(127, 0, 0, 1 + n as u8))
    }

    /// Connect to `server` from the next source address (only for loopback servers).
    pub async fn connect(&self, server: SocketAddr) -> io::Result<TcpStream> {
        let socket = TcpSocket::new_v4()?;
        if server.ip().is_loopback() {
            socket.bind(SocketAddr::new(self.pick(), 0))?;
        }
        let stream = socket.connect(server).await?;
        stream.set_nodelay(true)?;
        Ok(stream)
    }
}

/// Bytes read and written, shared by every connection of one transport.
#[derive(Debug, Default)]
pub struct Traffic {
    pub read: AtomicU64,
    pub written: AtomicU64,
}

impl Traffic {
    pub fn total(&self) -> u64 {
        self.read.load(Ordering::Relaxed) + self.written.load(Ordering::Relaxed)
    }
}

/// A stream that adds what passes through it to a [`Traffic`] count.
pub struct Counted<S> {
    inner: S,
    traffic: Arc<Traffic>,
}

impl<S> Counted<S> {
    pub fn new(inner: S, traffic: Arc<Traffic>) -> Counted<S> {
        Counted { inner, traffic }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Counted<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let result = Pin::new(&mut self.inner).poll_read(cx, buf);
        let n = buf.filled().len() - before;
        self.traffic.read.fetch_add(n as u64, Ordering::Relaxed);
        result
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Counted<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let result = Pin::new(&mut self.inner).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = result {
            self.traffic.written.fetch_add(n as u64, Ordering::Relaxed);
        }
        result
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
