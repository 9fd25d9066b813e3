//! One load run: connect the viewers, publish (or just hold), then tally what every viewer got.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use rand::seq::IndexedRandom;
use serde::Serialize;
use tokio::sync::{Notify, watch};

use crate::marker::Record;
use crate::procfs;
use crate::publisher::{self, Endpoint, Published};
use crate::viewer::{self, Shared, Transport};

/// What to do.
pub struct Spec {
    pub label: String,
    /// One per server the viewers connect to (viewer `i` goes to `nodes[i % len]`); they share
    /// one marker format and one traffic count.
    pub nodes: Vec<Arc<Shared>>,
    pub transport: Transport,
    pub viewers: usize,
    pub connect_rate: f64,
    /// Extra viewers that never read.
    pub slow: usize,
    /// Share of viewers that reconnect (with their last id) every second.
    pub churn: f64,
    /// `None` holds the connections without publishing.
    pub publish: Option<Arc<Endpoint>>,
    pub rate: f64,
    pub duration: Duration,
    pub pub_connections: usize,
    pub server_pids: Vec<u32>,
    /// How long to wait for the last deliveries after the last publish.
    pub drain: Duration,
}

/// Percentiles in milliseconds.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Latency {
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub max: f64,
}

/// Everything measured in one run.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Report {
    pub label: String,
    pub transport: Option<Transport>,
    pub viewers: usize,
    pub connected: usize,
    pub connect_errors: usize,
    pub slow_viewers: usize,
    pub churn_per_sec: f64,
    pub rate: f64,
    pub duration_secs: f64,
    pub published: Published,
    pub delivered: u64,
    pub expected: u64,
    pub missing: u64,
    pub duplicates: u64,
    pub reconnects: u64,
    pub latency_ms: Latency,
    /// The same per server, in the order of `Spec::nodes`, when the viewers were spread.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub per_node_ms: Vec<Latency>,
    pub deliveries_per_sec: f64,
    pub server_cpu_secs: f64,
    pub server_peak_rss_mb: f64,
    /// Resident memory added by the viewers, per viewer.
    pub rss_per_viewer_kb: f64,
    pub bytes_total: u64,
    pub bytes_per_update: f64,
    pub requests_per_min: f64,
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize] as f64 / 1000.0
}

fn latency(mut sorted: Vec<u32>) -> Latency {
    sorted.sort_unstable();
    Latency {
        p50: percentile(&sorted, 0.50),
        p90: percentile(&sorted, 0.90),
        p99: percentile(&sorted, 0.99),
        max: percentile(&sorted, 1.0),
    }
}

fn sum(nodes: &[Arc<Shared>], counter: impl Fn(&Shared) -> &AtomicUsize) -> usize {
    nodes
        .iter()
        .map(|n| counter(n).load(Ordering::Relaxed))
        .sum()
}

pub async fn run(spec: Spec) -> anyhow::Result<Report> {
    anyhow::ensure!(!spec.nodes.is_empty(), "no server to connect viewers to");
    let nodes = spec.nodes.clone();
    let shared = nodes[0].clone();
    let before = procfs::read(&spec.server_pids);
    let (stop_tx, stop_rx) = watch::channel(false);

    // Connect at the requested rate.
    let mut churn_handles = Vec::with_capacity(spec.viewers);
    let mut tasks = Vec::with_capacity(spec.viewers);
    let started = Instant::now();
    for i in 0..spec.viewers {
        let due = Duration::from_secs_f64(i as f64 / spec.connect_rate.max(1.0));
        if let Some(wait) = due.checked_sub(started.elapsed()) {
            tokio::time::sleep(wait).await;
        }
        let churn = Arc::new(Notify::new());
        churn_handles.push(churn.clone());
        tasks.push(tokio::spawn(viewer::run(
            nodes[i % nodes.len()].clone(),
            spec.transport,
            churn,
            stop_rx.clone(),
        )));
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    while sum(&nodes, |n| &n.connected) + sum(&nodes, |n| &n.connect_errors) < spec.viewers
        && Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let slow: Vec<_> = (0..spec.slow)
        .map(|_| tokio::spawn(viewer::stalled(shared.clone(), stop_rx.clone())))
        .collect();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let connected = procfs::read(&spec.server_pids);
    let bytes_before = shared.traffic.total();

    // Churn: every second a share of the viewers drops its connection and resumes.
    let churner = (spec.churn > 0.0).then(|| {
        let handles = churn_handles.clone();
        let count = ((spec.viewers as f64) * spec.churn).round() as usize;
        let mut stop = stop_rx.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            tick.tick().await;
            loop {
                tokio::select! {
                    _ = tick.tick() => {}
                    _ = stop.changed() => return,
                }
                for h in handles.sample(&mut rand::rng(), count) {
                    h.notify_one();
                }
            }
        })
    });

    let published = match &spec.publish {
        Some(endpoint) => {
            publisher::run(
                endpoint.clone(),
                shared.markers.clone(),
                spec.rate,
                spec.duration,
                spec.pub_connections,
            )
            .await?
        }
        None => {
            tokio::time::sleep(spec.duration).await;
            Published::default()
        }
    };
    if let Some(c) = churner {
        c.abort();
    }
    tokio::time::sleep(spec.drain).await;
    let after = procfs::read(&spec.server_pids);
    let bytes = shared.traffic.total() - bytes_before;

    stop_tx.send_replace(true);
    let mut records: Vec<Record> = Vec::with_capacity(tasks.len());
    for t in tasks {
        records.push(t.await?);
    }
    for s in slow {
        let _ = s.await;
    }

    let reading = records.len() as u64;
    let of_node = |node: usize| -> Vec<u32> {
        records
            .iter()
            .enumerate()
            .filter(|(i, _)| i % nodes.len() == node)
            .flat_map(|(_, r)| r.latencies_us.iter().copied())
            .collect()
    };
    let per_node_ms = if nodes.len() > 1 {
        (0..nodes.len()).map(|n| latency(of_node(n))).collect()
    } else {
        Vec::new()
    };
    let latencies: Vec<u32> = records
        .iter()
        .flat_map(|r| r.latencies_us.iter().copied())
        .collect();
    let delivered = latencies.len() as u64;
    let expected = published.accepted * reading;
    let requests: u64 = records.iter().map(|r| r.requests).sum();
    let secs = spec.duration.as_secs_f64();
    Ok(Report {
        label: spec.label,
        transport: Some(spec.transport),
        viewers: spec.viewers,
        connected: sum(&nodes, |n| &n.connected),
        connect_errors: sum(&nodes, |n| &n.connect_errors),
        slow_viewers: spec.slow,
        churn_per_sec: spec.churn,
        rate: spec.rate,
        duration_secs: secs,
        delivered,
        expected,
        missing: records
            .iter()
            .map(|r| published.accepted.saturating_sub(r.delivered()))
            .sum(),
        duplicates: records.iter().map(|r| r.duplicates).sum(),
        reconnects: records.iter().map(|r| r.reconnects).sum(),
        latency_ms: latency(latencies),
        per_node_ms,
        deliveries_per_sec: delivered as f64 / secs,
        server_cpu_secs: after.cpu_secs - connected.cpu_secs,
        server_peak_rss_mb: after.peak_rss as f64 / 1e6,
        rss_per_viewer_kb: connected.rss.saturating_sub(before.rss) as f64
            / 1024.0
            / spec.viewers.max(1) as f64,
        bytes_total: bytes,
        bytes_per_update: if delivered > 0 {
            bytes as f64 / delivered as f64
        } else {
            0.0
        },
        // Requests go on through the drain period too.
        requests_per_min: requests as f64 / ((secs + spec.drain.as_secs_f64()) / 60.0),
        published,
    })
}

impl Report {
    /// A human-readable summary.
    pub fn print(&self) {
        println!("{}", self.label);
        println!(
            "  viewers {} connected, {} connect errors, {} slow; {} reconnects",
            self.connected, self.connect_errors, self.slow_viewers, self.reconnects
        );
        println!(
            "  published {} ({} refused) at {}/s for {:.0} s; delivered {} of {} ({} missing, {} duplicates)",
            self.published.sent,
            self.published.refused,
            self.rate,
            self.duration_secs,
            self.delivered,
            self.expected,
            self.missing,
            self.duplicates
        );
        println!(
            "  latency p50 {:.2} ms  p90 {:.2} ms  p99 {:.2} ms  max {:.2} ms; {:.0} deliveries/s",
            self.latency_ms.p50,
            self.latency_ms.p90,
            self.latency_ms.p99,
            self.latency_ms.max,
            self.deliveries_per_sec
        );
        for (i, l) in self.per_node_ms.iter().enumerate() {
            println!(
                "  viewers on server {}: p50 {:.2} ms  p90 {:.2} ms  p99 {:.2} ms  max {:.2} ms",
                i + 1,
                l.p50,
                l.p90,
                l.p99,
                l.max
            );
        }
        println!(
            "  server CPU {:.2} s, peak RSS {:.1} MB, {:.1} KB/viewer; {:.0} bytes/update, {:.0} requests/min",
            self.server_cpu_secs,
            self.server_peak_rss_mb,
            self.rss_per_viewer_kb,
            self.bytes_per_update,
            self.requests_per_min
        );
    }
}
