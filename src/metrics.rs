//! Prometheus metrics, kept in a registry owned by the server (no process-wide globals), so that
//! several servers in one test process count separately. The process's own metrics (CPU
//! seconds, resident memory, open file descriptors) come from the `prometheus` crate's process
//! collector, under their usual `process_*` names.

use prometheus::{
    Encoder, Gauge, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge,
    IntGaugeVec, Opts, Registry, TextEncoder,
};

/// Histogram buckets in seconds, from 0.2 ms to 2.5 s.
const BUCKETS: [f64; 13] = [
    0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

/// Every metric the server exports on `GET /metrics`.
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    /// The process collector's, unprefixed.
    process: Registry,
    /// Seconds from an admin command arriving to its `ack` or `error` being sent, by transport
    /// (`ws`, `http`).
    pub command_seconds: HistogramVec,
    /// Seconds from an event's time (`at`, when its command was accepted) to its frame being
    /// taken by a viewer's connection, measured when a viewer's queue empties (for a viewer that
    /// keeps up: every batch).
    pub delivery_lag_seconds: Histogram,
    /// SSE viewers currently held by the broadcaster.
    pub viewers: IntGauge,
    pub viewers_connected: IntCounter,
    /// Viewers dropped because their channel was full (they reconnect and replay).
    pub viewers_dropped_slow: IntCounter,
    /// Viewers removed after their connection was found closed.
    pub viewers_pruned: IntCounter,
    /// Event frames handed to viewers' channels.
    pub deliveries: IntCounter,
    pub events: IntCounterVec,
    pub commands: IntCounterVec,
    /// Newest sequence number in the log.
    pub seq: IntGauge,
    pub long_poll_waiting: IntGauge,
    pub admins: IntGauge,
    /// Admin sessions closed because their outbound queue was full.
    pub admins_dropped_slow: IntCounter,
    /// Admin logins (WebSocket `auth` or HTTP bearer) with a wrong token.
    pub auth_failures: IntCounter,
    /// Login attempts refused because their address must wait after failures.
    pub auth_throttled: IntCounter,
    /// Viewers refused because `--max-viewers` was reached.
    pub viewers_refused: IntCounter,
    /// Viewers refused because their address holds `--max-viewers-per-ip` already.
    pub viewers_refused_address: IntCounter,
    /// Replay pages read from the store (resumes older than the in-memory log).
    pub store_replay_pages: IntCounter,
    /// Answers that never change sent compressed from the cache, and compressed to go in it
    /// (`http/compressed.rs`).
    pub compressed_cache_hits: IntCounter,
    pub compressed_cache_misses: IntCounter,
    /// Bytes of compressed answers the cache holds now.
    pub compressed_cache_bytes: IntGauge,
    /// `HEAD` answers whose body was dropped before compression (`http/methods.rs`).
    pub head_bodies_skipped: IntCounter,
    /// Seconds from handing a batch to the store to hearing it committed (SQLite or
    /// PostgreSQL: the store's round trip as the hub sees it).
    pub commit_seconds: Histogram,
    /// Seconds between another node committing an event and this node taking it in (cluster
    /// mode), for the newest event taken in.
    pub tail_lag_seconds: Gauge,
    /// 1 while this node's generator leads (alone, or elected in a cluster), else 0.
    pub generator_leader: IntGauge,
    /// Generator batches refused because a newer leader had taken over (cluster mode).
    pub generator_fenced_batches: IntCounter,
}

impl Metrics {
    pub fn new() -> Metrics {
        let registry =
            Registry::new_custom(Some("livescore".into()), None).expect("a static prefix is valid");
        let gauge = |name: &str, help: &str| {
            let g = IntGauge::new(name, help).expect("valid metric");
            registry
                .register(Box::new(g.clone()))
                .expect("unique metric");
            g
        };
        let counter = |name: &str, help: &str| {
            let c = IntCounter::new(name, help).expect("valid metric");
            registry
                .register(Box::new(c.clone()))
                .expect("unique metric");
            c
        };
        let counter_vec = |name: &str, help: &str, labels: &[&str]| {
            let c = IntCounterVec::new(Opts::new(name, help), labels).expect("valid metric");
            registry
                .register(Box::new(c.clone()))
                .expect("unique metric");
            c
        };
        let histogram = |name: &str, help: &str| {
            let h = Histogram::with_opts(HistogramOpts::new(name, help).buckets(BUCKETS.to_vec()))
                .expect("valid metric");
            registry
                .register(Box::new(h.clone()))
                .expect("unique metric");
            h
        };
        let tail_lag = Gauge::new(
            "tail_lag_seconds",
            "seconds from another node's commit to this node taking the event in (newest event)",
        )
        .expect("valid metric");
        registry
            .register(Box::new(tail_lag.clone()))
            .expect("unique metric");
        let command_seconds = HistogramVec::new(
            HistogramOpts::new(
                "command_seconds",
                "seconds from an admin command arriving to its reply being sent, by transport",
            )
            .buckets(BUCKETS.to_vec()),
            &["transport"],
        )
        .expect("valid metric");
        registry
            .register(Box::new(command_seconds.clone()))
            .expect("unique metric");
        let build_info = IntGaugeVec::new(
            Opts::new("build_info", "1, labelled with the running build's version"),
            &["version"],
        )
        .expect("valid metric");
        registry
            .register(Box::new(build_info.clone()))
            .expect("unique metric");
        build_info
            .with_label_values(&[env!("CARGO_PKG_VERSION")])
            .set(1);
        let process = Registry::new();
        process
            .register(Box::new(
                prometheus::process_collector::ProcessCollector::for_self(),
            ))
            .expect("unique metric");
        Metrics {
            process,
            command_seconds,
            delivery_lag_seconds: histogram(
                "delivery_lag_seconds",
                "seconds from an event's time to its frame being taken by a viewer's connection",
            ),
            commit_seconds: histogram(
                "commit_seconds",
                "seconds from handing a batch to the store to its commit",
            ),
            tail_lag_seconds: tail_lag,
            viewers: gauge("viewers", "SSE viewers connected now"),
            viewers_connected: counter("viewers_connected_total", "SSE viewers accepted"),
            viewers_dropped_slow: counter(
                "viewers_dropped_slow_total",
                "SSE viewers dropped because they did not keep up",
            ),
            viewers_pruned: counter(
                "viewers_pruned_total",
                "SSE viewers removed after their connection closed",
            ),
            viewers_refused: counter(
                "viewers_refused_total",
                "SSE viewers refused because the viewer limit was reached",
            ),
            viewers_refused_address: counter(
                "viewers_refused_address_total",
                "viewers refused because their address reached the per-address limit",
            ),
            store_replay_pages: counter(
                "store_replay_pages_total",
                "replay pages read from the store for resuming viewers",
            ),
            compressed_cache_hits: counter(
                "compressed_cache_hits_total",
                "unchanging answers sent compressed from the cache",
            ),
            compressed_cache_misses: counter(
                "compressed_cache_misses_total",
                "unchanging answers compressed because the cache did not hold them",
            ),
            compressed_cache_bytes: gauge(
                "compressed_cache_bytes",
                "bytes of compressed answers in the cache",
            ),
            head_bodies_skipped: counter(
                "head_bodies_skipped_total",
                "HEAD answers whose body was dropped instead of compressed",
            ),
            deliveries: counter("deliveries_total", "event frames queued to SSE viewers"),
            events: counter_vec("events_total", "events committed, by type", &["type"]),
            commands: counter_vec(
                "commands_total",
                "commands handled, by command and result code",
                &["command", "result"],
            ),
            seq: gauge("seq", "newest sequence number in the event log"),
            long_poll_waiting: gauge("long_poll_waiting", "long-poll requests waiting for events"),
            admins: gauge("admins", "admin WebSocket sessions connected now"),
            admins_dropped_slow: counter(
                "admins_dropped_slow_total",
                "admin sessions closed because they did not read fast enough",
            ),
            auth_failures: counter(
                "auth_failures_total",
                "admin logins with a wrong token (WebSocket and HTTP)",
            ),
            auth_throttled: counter(
                "auth_throttled_total",
                "admin login attempts refused while their address must wait",
            ),
            generator_leader: gauge(
                "generator_leader",
                "1 while this node's generator leads, else 0",
            ),
            generator_fenced_batches: counter(
                "generator_fenced_batches_total",
                "generator batches refused because a newer leader had taken over",
            ),
            registry,
        }
    }

    /// The Prometheus text exposition of every metric.
    pub fn render(&self) -> String {
        let mut out = Vec::new();
        TextEncoder::new()
            .encode(&self.registry.gather(), &mut out)
            .expect("encoding to a Vec cannot fail");
        TextEncoder::new()
            .encode(&self.process.gather(), &mut out)
            .expect("encoding to a Vec cannot fail");
        String::from_utf8(out).expect("the text format is UTF-8")
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}
