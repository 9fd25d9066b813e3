//! A TCP relay between a node and PostgreSQL that a test can *freeze*: while frozen it forwards
//! nothing in either direction and closes nothing, so no RST or FIN tells either end; the
//! connections just go silent, as through a partition that drops packets. Thawed, it forwards
//! what waited. Connections made while frozen are accepted but not passed on until the thaw.
//!
//! It runs on a thread and runtime of its own, so that it forwards whatever the test's own
//! runtime is doing. Included with `#[path]` by the tests that need it.

use std::time::Instant;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{oneshot, watch};

/// A freezable relay on `127.0.0.1`; stopped (every connection closed) when dropped.
pub struct Relay {
    /// A URL of the same database that goes through the relay.
    pub url: String,
    frozen: watch::Sender<bool>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Relay {
    /// A relay to the server of `url` (a `postgresql://user@host:port/db` URL).
    pub fn start(url: &str) -> Relay {
        let config: tokio_postgres::Config = url.parse().expect("a PostgreSQL URL");
        let host = match config.get_hosts().first() {
            Some(tokio_postgres::config::Host::Tcp(host)) => host.clone(),
            other => panic!("the relay needs a TCP host, got {other:?}"),
        };
        let port = config.get_ports().first().copied().unwrap_or(5432);
        let upstream = format!("{host}:{port}");
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind the relay");
        listener.set_nonblocking(true).unwrap();
        let local = listener.local_addr().unwrap();
        let needle = format!("@{upstream}/");
        assert!(
            url.contains(&needle),
            "the relay rewrites URLs of the form postgresql://user@{upstream}/db, got {url}"
        );
        let relayed = url.replace(&needle, &format!("@{local}/"));

        let (frozen, frozen_rx) = watch::channel(false);
        let (stop, stopped) = oneshot::channel();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let listener = TcpListener::from_std(listener).unwrap();
                tokio::select! {
                    _ = accept(listener, upstream, frozen_rx) => {}
                    _ = stopped => {}
                }
            });
        });
        Relay {
            url: relayed,
            frozen,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// Stop forwarding, in both directions, without closing anything; returns when.
    pub fn freeze(&self) -> Instant {
        self.frozen.send_replace(true);
        Instant::now()
    }

    /// Forward again, starting with what waited.
    pub fn thaw(&self) {
        self.frozen.send_replace(false);
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Wait while the relay is frozen.
async fn thawed(frozen: &mut watch::Receiver<bool>) {
    let _ = frozen.wait_for(|frozen| !*frozen).await;
}

async fn accept(listener: TcpListener, upstream: String, frozen: watch::Receiver<bool>) {
    loop {
        let Ok((client, _)) = listener.accept().await else {
            continue;
        };
        let upstream = upstream.clone();
        let mut frozen = frozen.clone();
        tokio::spawn(async move {
            // A connection made through a partition reaches nothing until it heals.
            thawed(&mut frozen).await;
            let Ok(server) = TcpStream::connect(&upstream).await else {
                return;
            };
            let (client_read, client_write) = client.into_split();
            let (server_read, server_write) = server.into_split();
            tokio::spawn(pump(client_read, server_write, frozen.clone()));
            tokio::spawn(pump(server_read, client_write, frozen));
        });
    }
}

/// Copy `from` to `to`, holding each piece while frozen; pass an end of stream on as one.
async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    mut frozen: watch::Receiver<bool>,
) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        thawed(&mut frozen).await;
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => {
                // Even an end is held back while frozen: the other side must not hear of it.
                thawed(&mut frozen).await;
                let _ = to.shutdown().await;
                return;
            }
            Ok(n) => n,
        };
        thawed(&mut frozen).await;
        if to.write_all(&buf[..n]).await.is_err() {
            return;
        }
    }
}
