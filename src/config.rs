//! Server configuration: every flag, its `LIVESCORE_*` environment variable and its default, in
//! one `clap` struct that is validated once at start-up.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use crate::feed::checks::SPEED_RANGE;

/// How the server runs. Each flag can also be set through the environment variable named in
/// `--help`; a flag on the command line wins over the environment.
#[derive(Debug, Clone, Args)]
pub struct Config {
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

    /// Events kept in memory for `Last-Event-ID` replay; older ids get a fresh snapshot.
    #[arg(long, env = "LIVESCORE_LOG_CAPACITY", default_value_t = 10_000)]
    pub log_capacity: usize,

    /// SSE viewers held at once; past it, new viewers get 503 with Retry-After.
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

    /// Reconnection delay suggested to browsers in the `retry:` frame, in milliseconds.
    #[arg(long, env = "LIVESCORE_RETRY_MS", default_value_t = 3000)]
    pub retry_ms: u64,

    /// Longest `wait` a long-poll request may ask for, in seconds.
    #[arg(long, env = "LIVESCORE_MAX_POLL_WAIT", default_value_t = 60)]
    pub max_poll_wait: u64,

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

    /// Admin tokens as `name:token` pairs separated by commas, e.g. `alice:s3cret-1,bob:s3cret-2`.
    /// Without this or --admin-tokens-file, one token is generated and printed at start-up.
    #[arg(
        long,
        env = "LIVESCORE_ADMIN_TOKENS",
        hide_env_values = true,
        value_name = "NAME:TOKEN,..."
    )]
    pub admin_tokens: Option<Secret>,

    /// File of admin tokens, one `name:token` per line (`#` comments allowed).
    #[arg(long, env = "LIVESCORE_ADMIN_TOKENS_FILE", value_name = "FILE")]
    pub admin_tokens_file: Option<PathBuf>,

    /// Origins allowed to open the admin WebSocket besides the server's own (comma-separated;
    /// `*` allows any). Clients that send no Origin (scripts, the CLI) are always allowed.
    #[arg(
        long,
        env = "LIVESCORE_ALLOWED_ORIGINS",
        value_delimiter = ',',
        value_name = "ORIGIN,..."
    )]
    pub allowed_origins: Vec<String>,

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

/// A configuration value that cannot work.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConfigError {
    #[error("--speed must be between {min} and {max}, got {0}", min = SPEED_RANGE.start(), max = SPEED_RANGE.end())]
    Speed(f64),
    #[error("--{0} must be at least 1")]
    Zero(&'static str),
    #[error("--admin-rate must be a positive number of commands per second, got {0}")]
    Rate(f64),
    #[error("--ws-timeout-secs ({timeout}) must be longer than --ws-ping-secs ({ping})")]
    PingTimeout { ping: u64, timeout: u64 },
    #[error("give --admin-tokens or --admin-tokens-file, not both")]
    TwoTokenSources,
    #[error("--public-url must be an http:// or https:// URL with a host, got {0:?}")]
    PublicUrl(String),
}

impl Config {
    /// The defaults, as if started with no flags and no environment (for tests and embedding).
    pub fn defaults() -> Config {
        Config {
            bind: "127.0.0.1:8080".parse().expect("valid address"),
            seed: None,
            speed: 1.0,
            fixtures: None,
            no_generator: false,
            heartbeat_secs: 15,
            log_capacity: 10_000,
            max_viewers: 50_000,
            viewer_buffer: 256,
            viewer_buffer_bytes: 256 * 1024,
            max_viewers_per_ip: 256,
            max_replay_events: 10_000,
            max_store_replays: 4,
            max_poll_events: 1000,
            retry_ms: 3000,
            max_poll_wait: 60,
            workers: None,
            data_dir: PathBuf::from("data"),
            in_memory: false,
            accept_empty_store: false,
            snapshot_every: 1000,
            retention: 100_000,
            max_store_mb: 0,
            frontend_dir: None,
            admin_tokens: None,
            admin_tokens_file: None,
            allowed_origins: Vec::new(),
            max_frame_bytes: 64 * 1024,
            max_body_bytes: 64 * 1024,
            admin_rate: 50.0,
            admin_burst: 100,
            max_bad_messages: 20,
            auth_timeout_secs: 5,
            ws_ping_secs: 5,
            ws_timeout_secs: 10,
            admin_buffer_bytes: 1 << 20,
            auth_fail_limit: 5,
            auth_backoff_ms: 1000,
            auth_backoff_max_secs: 300,
            auth_track_max: 10_000,
            public_url: None,
            body_timeout_secs: 10,
        }
    }

    /// Refuse values that cannot work, naming the flag.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if !SPEED_RANGE.contains(&self.speed) {
            return Err(ConfigError::Speed(self.speed));
        }
        for (name, value) in [
            ("heartbeat-secs", self.heartbeat_secs as usize),
            ("log-capacity", self.log_capacity),
            ("viewer-buffer", self.viewer_buffer),
            ("viewer-buffer-bytes", self.viewer_buffer_bytes),
            ("max-replay-events", self.max_replay_events as usize),
            ("max-store-replays", self.max_store_replays),
            ("max-poll-events", self.max_poll_events),
            ("workers", self.workers.unwrap_or(1)),
            ("max-frame-bytes", self.max_frame_bytes),
            ("max-body-bytes", self.max_body_bytes),
            ("admin-burst", self.admin_burst as usize),
            ("max-bad-messages", self.max_bad_messages as usize),
            ("auth-timeout-secs", self.auth_timeout_secs as usize),
            ("ws-ping-secs", self.ws_ping_secs as usize),
            ("snapshot-every", self.snapshot_every as usize),
            ("retention", self.retention as usize),
            ("admin-buffer-bytes", self.admin_buffer_bytes),
            ("auth-fail-limit", self.auth_fail_limit as usize),
            ("auth-backoff-ms", self.auth_backoff_ms as usize),
            ("auth-backoff-max-secs", self.auth_backoff_max_secs as usize),
            ("auth-track-max", self.auth_track_max),
            ("body-timeout-secs", self.body_timeout_secs as usize),
        ] {
            if value == 0 {
                return Err(ConfigError::Zero(name));
            }
        }
        if !(self.admin_rate.is_finite() && self.admin_rate > 0.0) {
            return Err(ConfigError::Rate(self.admin_rate));
        }
        if self.ws_timeout_secs <= self.ws_ping_secs {
            return Err(ConfigError::PingTimeout {
                ping: self.ws_ping_secs,
                timeout: self.ws_timeout_secs,
            });
        }
        if self.admin_tokens.is_some() && self.admin_tokens_file.is_some() {
            return Err(ConfigError::TwoTokenSources);
        }
        if let Some(url) = &self.public_url
            && origin_of(url).is_none()
        {
            return Err(ConfigError::PublicUrl(url.clone()));
        }
        Ok(())
    }

    pub fn heartbeat(&self) -> Duration {
        Duration::from_secs(self.heartbeat_secs)
    }
}

/// The origin (`scheme://host[:port]`, lowercased) of an http or https URL, or `None` when it is
/// not one.
pub fn origin_of(url: &str) -> Option<String> {
    let url = url.trim().to_ascii_lowercase();
    let (scheme, rest) = url.split_once("://")?;
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if host.is_empty() || host.contains('@') {
        return None;
    }
    Some(format!("{scheme}://{host}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        config: Config,
    }

    #[test]
    fn defaults_match_an_empty_command_line() {
        let parsed = Cli::parse_from(["livescore"]).config;
        let defaults = Config::defaults();
        assert_eq!(parsed.bind, defaults.bind);
        assert_eq!(parsed.heartbeat_secs, defaults.heartbeat_secs);
        assert_eq!(parsed.max_viewers, defaults.max_viewers);
        assert_eq!(parsed.viewer_buffer, defaults.viewer_buffer);
        assert_eq!(parsed.admin_buffer_bytes, defaults.admin_buffer_bytes);
        assert_eq!(parsed.auth_fail_limit, defaults.auth_fail_limit);
        assert_eq!(parsed.auth_backoff_ms, defaults.auth_backoff_ms);
        assert_eq!(parsed.auth_backoff_max_secs, defaults.auth_backoff_max_secs);
        assert_eq!(parsed.auth_track_max, defaults.auth_track_max);
        assert_eq!(parsed.public_url, defaults.public_url);
        assert_eq!(parsed.body_timeout_secs, defaults.body_timeout_secs);
    }

    #[test]
    fn impossible_values_are_refused_by_name() {
        let mut c = Config::defaults();
        c.speed = 0.0;
        assert_eq!(c.validate(), Err(ConfigError::Speed(0.0)));
        c.speed = 10.0;
        c.heartbeat_secs = 0;
        assert_eq!(c.validate(), Err(ConfigError::Zero("heartbeat-secs")));
        c.heartbeat_secs = 15;
        c.admin_buffer_bytes = 0;
        assert_eq!(c.validate(), Err(ConfigError::Zero("admin-buffer-bytes")));
        c.admin_buffer_bytes = 1024;
        c.public_url = Some("scores.example".into());
        assert_eq!(
            c.validate(),
            Err(ConfigError::PublicUrl("scores.example".into()))
        );
    }

    #[test]
    fn a_public_url_is_reduced_to_its_origin() {
        assert_eq!(
            origin_of("https://Scores.Example/live?x=1").as_deref(),
            Some("https://scores.example")
        );
        assert_eq!(
            origin_of("http://127.0.0.1:8080").as_deref(),
            Some("http://127.0.0.1:8080")
        );
        assert_eq!(origin_of("ftp://x"), None);
        assert_eq!(origin_of("http:///path"), None);
    }
}
