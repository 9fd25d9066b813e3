//! The publisher: sends events at a steady rate through any HTTP publish endpoint (livescore's
//! `POST /api/admin/commands`, nchan's publisher location, ...), each carrying a fresh marker.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper_util::rt::TokioIo;

use crate::marker::Markers;
use crate::net::{Counted, Sources, Traffic};

/// Where and how to publish.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub addr: SocketAddr,
    pub host: String,
    pub path: String,
    /// `Name: value` pairs.
    pub headers: Vec<(String, String)>,
    /// The body, with `{marker}` where the marker goes.
    pub body: String,
}

/// Publishing outcome.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct Published {
    pub sent: u64,
    pub accepted: u64,
    pub refused: u64,
    /// The highest marker number sent (markers are 0..sent).
    pub markers: u64,
    /// Median and p99 time for the publish request itself, in milliseconds.
    pub request_p50_ms: f64,
    pub request_p99_ms: f64,
}

/// Publish `rate` events per second for `duration` over `connections` keep-alive connections.
pub async fn run(
    endpoint: Arc<Endpoint>,
    markers: Markers,
    rate: f64,
    duration: Duration,
    connections: usize,
) -> anyhow::Result<Published> {
    let total = (rate * duration.as_secs_f64()).round() as u64;
    let (tx, rx) = async_channel(connections * 4);
    let accepted = Arc::new(AtomicU64::new(0));
    let refused = Arc::new(AtomicU64::new(0));
    let traffic = Arc::new(Traffic::default());
    let sources = Arc::new(Sources::for_connections(connections, 1));
    let mut workers = Vec::new();
    for _ in 0..connections.max(1) {
        let (endpoint, markers, rx) = (endpoint.clone(), markers.clone(), rx.clone());
        let (accepted, refused, traffic, sources) = (
            accepted.clone(),
            refused.clone(),
            traffic.clone(),
            sources.clone(),
        );
        workers.push(tokio::spawn(async move {
            let stream = sources
                .connect(endpoint.addr)
                .await
                .context("connecting the publisher")?;
            let io = TokioIo::new(Counted::new(stream, traffic));
            let (mut sender, conn) = hyper::client::conn::http1::handshake(io).await?;
            tokio::spawn(conn);
            let mut times = Vec::new();
            while let Ok(n) = rx.recv().await {
                let body = endpoint.body.replace("{marker}", &markers.make(n));
                let mut req = Request::post(endpoint.path.as_str()).header("Host", &endpoint.host);
                for (name, value) in &endpoint.headers {
                    req = req.header(name.as_str(), value.as_str());
                }
                let req = req.body(Full::new(Bytes::from(body)))?;
                let started = Instant::now();
                sender.ready().await?;
                let resp = sender.send_request(req).await?;
                let ok = resp.status().is_success();
                let _ = resp.into_body().collect().await;
                times.push(started.elapsed());
                if ok { &accepted } else { &refused }.fetch_add(1, Ordering::Relaxed);
            }
            anyhow::Ok(times)
        }));
    }
    let started = Instant::now();
    let mut tick = tokio::time::interval(Duration::from_millis(1));
    let mut sent = 0;
    while sent < total {
        tick.tick().await;
        let due = ((started.elapsed().as_secs_f64() * rate) as u64).min(total);
        while sent < due {
            if tx.send(sent).await.is_err() {
                break;
            }
            sent += 1;
        }
    }
    drop(tx);
    let mut times = Vec::new();
    for w in workers {
        times.extend(w.await??);
    }
    times.sort();
    let pick = |p: f64| {
        times
            .get(((times.len().max(1) - 1) as f64 * p) as usize)
            .map_or(0.0, |d| d.as_secs_f64() * 1e3)
    };
    Ok(Published {
        sent,
        accepted: accepted.load(Ordering::Relaxed),
        refused: refused.load(Ordering::Relaxed),
        markers: sent,
        request_p50_ms: pick(0.5),
        request_p99_ms: pick(0.99),
    })
}

/// A multi-consumer queue from tokio primitives: one receiver shared behind a mutex.
fn async_channel(cap: usize) -> (tokio::sync::mpsc::Sender<u64>, SharedReceiver) {
    let (tx, rx) = tokio::sync::mpsc::channel(cap.max(1));
    (tx, SharedReceiver(Arc::new(tokio::sync::Mutex::new(rx))))
}

#[derive(Clone)]
struct SharedReceiver(Arc<tokio::sync::Mutex<tokio::sync::mpsc::Receiver<u64>>>);

impl SharedReceiver {
    async fn recv(&self) -> Result<u64, ()> {
        self.0.lock().await.recv().await.ok_or(())
    }
}
