//! Server configuration: every flag, its `LIVESCORE_*` environment variable and its default, in
//! one `clap` struct that is validated once at start-up. The struct is the one table of settings:
//! [`settings`] reads keys, defaults and help from it for the config file (`--config`), the
//! commented default file and the README check.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, ValueEnum};

mod checks;
pub mod file;
pub mod settings;

pub use checks::{ConfigError, origin_of, parse_trusted};
pub use file::FileError;

/// How the server runs. Each flag can also be set through the environment variable named in
/// `--help`; a flag on the command line wins over the environment.
#[derive(Debug, Clone, Args)]
pub struct Config {
    /// Read settings from this TOML file (keys are the long flags); flags and environment
    /// variables override it. `livescore config default` prints one with every key.
    #[arg(long, env = "LIVESCORE_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Address to listen on; port 0 picks a free port (printed at start-up).
    #[arg(long, env = "LIVESCORE_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,

    /// Seed of the simulated generator; the same seed and fixtures replay the same matches.
    /// Random when not given (and printed, so a good run can be repeated).
    #[arg(long, env = "LIVESCORE_SEED")]
    pub seed: Option<u64>,

    /// Generator speed in simulated seconds per real second (1 = real time).
    #[arg(long, env = "LIVESCORE_SPEED", default_value_t = 1.0)]
    pub speed: f64,

    /// Directory with leagues.json, teams.json, matches.json and news.json to start from,
    /// instead of the data set built into the binary.
    #[arg(long, env = "LIVESCORE_FIXTURES", value_name = "DIR")]
    pub fixtures: Option<PathBuf>,

    /// Do not start the simulated generator (the feed then changes only through admins).
    #[arg(long, env = "LIVESCORE_NO_GENERATOR")]
    pub no_generator: bool,

    /// Seconds between SSE heartbeat comments (they also find dead connections).
    #[arg(long, env = "LIVESCORE_HEARTBEAT_SECS", default_value_t = 15)]
    pub heartbeat_secs: u64,

    /// Seconds a connection may leave written bytes unacknowledged (a client that stopped
    /// reading) before the kernel aborts it (TCP_USER_TIMEOUT on every accepted connection).
    #[arg(long, env = "LIVESCORE_WRITE_TIMEOUT_SECS", default_value_t = 30)]
    pub write_timeout_secs: u64,

    /// Events kept in memory for `Last-Event-ID` replay; older ids get a fresh snapshot.
    #[arg(long, env = "LIVESCORE_LOG_CAPACITY", default_value_t = 10_000)]
    pub log_capacity: usize,

    /// Most MiB of encoded events the in-memory log keeps (older ones are then replayed from the
    /// store, or get a snapshot in memory), whatever `--log-capacity` allows.
    #[arg(long, env = "LIVESCORE_LOG_MAX_MB", default_value_t = 64)]
    pub log_max_mb: usize,

    /// Viewers (SSE, viewer WebSocket and waiting long-polls) held at once; past it, new viewers
    /// get 503 with Retry-After (0: no server-wide cap, as 0 means for --max-viewers-per-ip).
    #[arg(long, env = "LIVESCORE_MAX_VIEWERS", default_value_t = 50_000)]
    pub max_viewers: usize,

    /// Frames buffered per SSE viewer before it counts as too slow and is dropped.
    #[arg(long, env = "LIVESCORE_VIEWER_BUFFER", default_value_t = 256)]
    pub viewer_buffer: usize,

    /// Bytes buffered per viewer (SSE, viewer WebSocket) before it counts as too slow and is
    /// dropped; a replay counts against it too, so a client that does not read holds at most this.
    #[arg(long, env = "LIVESCORE_VIEWER_BUFFER_BYTES", default_value_t = 256 * 1024)]
    pub viewer_buffer_bytes: usize,

    /// Viewers (SSE, viewer WebSocket and waiting long-polls) one client address may hold at
    /// once; past it that address gets 503 with Retry-After (0: no per-address cap).
    #[arg(long, env = "LIVESCORE_MAX_VIEWERS_PER_IP", default_value_t = 256)]
    pub max_viewers_per_ip: usize,

    /// Reverse proxies whose `X-Forwarded-For` is believed, as addresses or networks separated
    /// by commas (`127.0.0.1,10.0.0.0/8`). A request from one of them counts (for
    /// --max-viewers-per-ip, the failed-login throttle and the logs) as coming from the rightmost
    /// address in `X-Forwarded-For` that is not a trusted proxy; from anyone else the header is
    /// ignored. Default: none, so the header is never believed.
    #[arg(
        long,
        env = "LIVESCORE_TRUSTED_PROXIES",
        value_delimiter = ',',
        value_name = "IP|CIDR,...",
        value_parser = parse_trusted
    )]
    pub trusted_proxies: Vec<ipnet::IpNet>,

    /// Largest gap a resuming viewer is replayed; a `Last-Event-ID` further behind gets a
    /// snapshot instead.
    #[arg(long, env = "LIVESCORE_MAX_REPLAY_EVENTS", default_value_t = 10_000)]
    pub max_replay_events: u64,

    /// Replay pages read from the store at once (every viewer resuming from older than memory
    /// holds reads its replay page by page; the others wait their turn).
    #[arg(long, env = "LIVESCORE_MAX_STORE_REPLAYS", default_value_t = 4)]
    pub max_store_replays: usize,

    /// Most events in one long-poll answer (and the default of its `limit`); the answer says
    /// when more are waiting.
    #[arg(long, env = "LIVESCORE_MAX_POLL_EVENTS", default_value_t = 1000)]
    pub max_poll_events: usize,

    /// Largest answer, in bytes, to `GET /api/matches?date=` or `?from=&to=` (at most 64 MiB). A
    /// longer one is sent in pages: each names the next in a `Link: <...>; rel="next"` header.
    #[arg(long, env = "LIVESCORE_MAX_RANGE_BYTES", default_value_t = 256 * 1024)]
    pub max_range_bytes: usize,

    /// MiB of compressed answers that never change (archived days and matches, the teams) kept
    /// to be sent again without compressing them again (0: none; at most 4096).
    #[arg(long, env = "LIVESCORE_COMPRESSED_CACHE_MB", default_value_t = 32)]
    pub compressed_cache_mb: usize,

    /// Reconnection delay suggested to browsers in the `retry:` frame, in milliseconds.
    #[arg(long, env = "LIVESCORE_RETRY_MS", default_value_t = 3000)]
    pub retry_ms: u64,

    /// Longest `wait` a long-poll request may ask for, in seconds.
    #[arg(long, env = "LIVESCORE_MAX_POLL_WAIT", default_value_t = 60)]
    pub max_poll_wait: u64,

    /// Time zone whose midnights end the feed's days (an IANA name such as `Europe/London`): it
    /// decides which day a match belongs to and when the live window moves on.
    #[arg(
        long,
        env = "LIVESCORE_TIMEZONE",
        default_value = "UTC",
        value_name = "ZONE"
    )]
    pub timezone: chrono_tz::Tz,

    /// Finished days whose matches stay in the live state before today (older ones are archived).
    #[arg(long, env = "LIVESCORE_WINDOW_BACK_DAYS", default_value_t = 1)]
    pub window_back_days: u32,

    /// Days after today whose fixtures the generator puts in the live state.
    #[arg(long, env = "LIVESCORE_WINDOW_AHEAD_DAYS", default_value_t = 1)]
    pub window_ahead_days: u32,

    /// News items kept in the live state, newest first (older ones are archived).
    #[arg(long, env = "LIVESCORE_LIVE_NEWS", default_value_t = 50)]
    pub live_news: usize,

    /// MiB of archived matches and news kept without a store (`--in-memory`); the oldest go first.
    #[arg(long, env = "LIVESCORE_ARCHIVE_MEMORY_MB", default_value_t = 16)]
    pub archive_memory_mb: usize,

    /// HTTP worker threads (default: one per CPU core).
    #[arg(long, env = "LIVESCORE_WORKERS")]
    pub workers: Option<usize>,

    /// Directory of the durable store (an SQLite event log with snapshots); created if missing.
    #[arg(
        long,
        env = "LIVESCORE_DATA_DIR",
        default_value = "data",
        value_name = "DIR"
    )]
    pub data_dir: PathBuf,

    /// Keep everything in memory (nothing survives a restart); for tests and throwaway demos.
    #[arg(long, env = "LIVESCORE_IN_MEMORY")]
    pub in_memory: bool,

    /// Cluster mode: keep the event log, snapshots and stream id in this PostgreSQL database
    /// (e.g. `postgres://livescore@db:5432/livescore`) instead of `--data-dir`; every node given
    /// the same database serves the same stream.
    #[arg(
        long,
        env = "LIVESCORE_DATABASE_URL",
        hide_env_values = true,
        value_name = "URL"
    )]
    pub database_url: Option<Secret>,

    /// Cluster mode: how often, in milliseconds, this node proves it can reach PostgreSQL (a
    /// round trip on its LISTEN connection).
    #[arg(long, env = "LIVESCORE_DATABASE_HEARTBEAT_MS", default_value_t = 1000)]
    pub database_heartbeat_ms: u64,

    /// Cluster mode: milliseconds without a round trip to PostgreSQL after which this node counts
    /// as cut off. It then answers `/readyz` with 503, sends its viewers away to reconnect
    /// elsewhere and refuses commands with `unavailable` until PostgreSQL answers again and it
    /// has caught up; this is also each connection's TCP user timeout and keepalive budget.
    #[arg(long, env = "LIVESCORE_DATABASE_TIMEOUT_MS", default_value_t = 3000)]
    pub database_timeout_ms: u64,

    /// This node's name in `/healthz` (default: the host name and the port).
    #[arg(long, env = "LIVESCORE_NODE_NAME")]
    pub node_name: Option<String>,

    /// When the store turns out emptied, replaced or cut short since it was last used (see
    /// README, Durability), begin a new stream from what it still holds instead of refusing to
    /// start.
    #[arg(long, env = "LIVESCORE_ACCEPT_EMPTY_STORE")]
    pub accept_empty_store: bool,

    /// Write a state snapshot to the store every this many events.
    #[arg(long, env = "LIVESCORE_SNAPSHOT_EVERY", default_value_t = 1000)]
    pub snapshot_every: u64,

    /// Events kept in the store for `Last-Event-ID` replay; older ones are pruned (older ids get
    /// a snapshot).
    #[arg(long, env = "LIVESCORE_RETENTION", default_value_t = 100_000)]
    pub retention: u64,

    /// Largest size of the store in MiB (0: no limit). Past it, changes are refused with
    /// `unavailable` while the feed keeps serving.
    #[arg(long, env = "LIVESCORE_MAX_STORE_MB", default_value_t = 0)]
    pub max_store_mb: u64,

    /// Serve the browser frontend from this directory instead of the copy built into the binary
    /// (for working on the frontend without rebuilding).
    #[arg(long, env = "LIVESCORE_FRONTEND_DIR", value_name = "DIR")]
    pub frontend_dir: Option<PathBuf>,

    /// Admin tokens as `name:token` or `name:token:role` entries separated by commas, e.g.
    /// `alice:s3cret-1,bob:s3cret-2:editor`; the role is `admin` (the default) or `editor`.
    /// Without this or --admin-tokens-file, one admin token is generated and printed at start-up.
    #[arg(
        long,
        env = "LIVESCORE_ADMIN_TOKENS",
        hide_env_values = true,
        value_name = "NAME:TOKEN[:ROLE],..."
    )]
    pub admin_tokens: Option<Secret>,

    /// File of admin tokens, one `name:token` or `name:token:role` per line (`#` comments allowed).
    #[arg(long, env = "LIVESCORE_ADMIN_TOKENS_FILE", value_name = "FILE")]
    pub admin_tokens_file: Option<PathBuf>,

    /// Origins allowed to open the admin WebSocket besides the server's own (comma-separated;
    /// `*` allows any), and to send admin commands across sites (CORS on `/api/admin/*`).
    /// Clients that send no Origin (scripts, the CLI) are always allowed.
    #[arg(
        long,
        env = "LIVESCORE_ALLOWED_ORIGINS",
        value_delimiter = ',',
        value_name = "ORIGIN,..."
    )]
    pub allowed_origins: Vec<String>,

    /// Origins whose pages may read the feed across sites (CORS on `/events` and the `/api/*`
    /// read routes), comma-separated, e.g. `https://fans.example`; `*` allows any. Default: none
    /// (no CORS headers). The admin routes answer only `--allowed-origins`.
    #[arg(
        long,
        env = "LIVESCORE_CORS_ORIGINS",
        value_delimiter = ',',
        value_name = "ORIGIN,..."
    )]
    pub cors_origins: Vec<String>,

    /// Largest admin WebSocket message, in bytes; a larger one closes the session with 1009.
    #[arg(long, env = "LIVESCORE_MAX_FRAME_BYTES", default_value_t = 64 * 1024)]
    pub max_frame_bytes: usize,

    /// Largest `POST /api/admin/commands` body, in bytes; a larger one gets 413.
    #[arg(long, env = "LIVESCORE_MAX_BODY_BYTES", default_value_t = 64 * 1024)]
    pub max_body_bytes: usize,

    /// Commands per second each admin may send on average (token bucket).
    #[arg(long, env = "LIVESCORE_ADMIN_RATE", default_value_t = 50.0)]
    pub admin_rate: f64,

    /// Commands an admin may send at once before the rate applies.
    #[arg(long, env = "LIVESCORE_ADMIN_BURST", default_value_t = 100)]
    pub admin_burst: u32,

    /// Unparsable messages in a row after which an admin session is closed with 1008.
    #[arg(long, env = "LIVESCORE_MAX_BAD_MESSAGES", default_value_t = 20)]
    pub max_bad_messages: u32,

    /// Seconds a new admin WebSocket has to authenticate before it is closed with 4001.
    #[arg(long, env = "LIVESCORE_AUTH_TIMEOUT_SECS", default_value_t = 5)]
    pub auth_timeout_secs: u64,

    /// Seconds between server pings on admin WebSockets.
    #[arg(long, env = "LIVESCORE_WS_PING_SECS", default_value_t = 5)]
    pub ws_ping_secs: u64,

    /// Seconds without a pong (or any message) after which an admin session is closed.
    #[arg(long, env = "LIVESCORE_WS_TIMEOUT_SECS", default_value_t = 10)]
    pub ws_timeout_secs: u64,

    /// Bytes an admin WebSocket may have waiting to be sent; a client that lets more pile up
    /// (it does not read) is closed with 1013 "too slow; reconnect".
    #[arg(long, env = "LIVESCORE_ADMIN_BUFFER_BYTES", default_value_t = 1 << 20)]
    pub admin_buffer_bytes: usize,

    /// Wrong admin tokens in a row from one client address before it must wait (429).
    #[arg(long, env = "LIVESCORE_AUTH_FAIL_LIMIT", default_value_t = 5)]
    pub auth_fail_limit: u32,

    /// The first wait after --auth-fail-limit failures, in milliseconds; each further failure
    /// doubles it.
    #[arg(long, env = "LIVESCORE_AUTH_BACKOFF_MS", default_value_t = 1000)]
    pub auth_backoff_ms: u64,

    /// The longest wait for an address with failed logins, in seconds (also how long a quiet
    /// address's failures are remembered).
    #[arg(long, env = "LIVESCORE_AUTH_BACKOFF_MAX_SECS", default_value_t = 300)]
    pub auth_backoff_max_secs: u64,

    /// Client addresses with failed logins remembered at once (the oldest are forgotten first).
    #[arg(long, env = "LIVESCORE_AUTH_TRACK_MAX", default_value_t = 10_000)]
    pub auth_track_max: usize,

    /// The URL browsers use to reach this server, e.g. `https://scores.example`; its origin may
    /// open the admin WebSocket. Default: `http://<bound address>`, and for 127.0.0.1 also
    /// `http://localhost:<port>`.
    #[arg(long, env = "LIVESCORE_PUBLIC_URL", value_name = "URL")]
    pub public_url: Option<String>,

    /// Seconds a `POST /api/admin/commands` body may take to arrive before the request gets 408.
    #[arg(long, env = "LIVESCORE_BODY_TIMEOUT_SECS", default_value_t = 10)]
    pub body_timeout_secs: u64,

    /// Seconds between a shutdown signal and closing connections, while `/readyz` answers 503
    /// so that load balancers stop sending traffic here (0: close at once).
    #[arg(long, env = "LIVESCORE_DRAIN_SECS", default_value_t = 0)]
    pub drain_secs: u64,

    /// Log line format on stderr: `text` for people, `json` (one object per line) for log
    /// collectors. Colours only when stderr is a terminal.
    #[arg(long, env = "LIVESCORE_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    /// Serve `/metrics` on this address only (e.g. a private interface) instead of on the public
    /// port, where it then answers 404.
    #[arg(long, env = "LIVESCORE_METRICS_BIND", value_name = "ADDR")]
    pub metrics_bind: Option<SocketAddr>,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// A secret from the command line or environment: usable, but never printed by `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

impl std::str::FromStr for Secret {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Secret(s.to_owned()))
    }
}
