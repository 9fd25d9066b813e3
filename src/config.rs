//! Server configuration: every flag, its `LIVESCORE_*` environment variable and its default, in
//! one `clap` struct that is validated once at start-up.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use crate::feed::validate::SPEED_RANGE;

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

    /// Reconnection delay suggested to browsers in the `retry:` frame, in milliseconds.
    #[arg(long, env = "LIVESCORE_RETRY_MS", default_value_t = 3000)]
    pub retry_ms: u64,

    /// Longest `wait` a long-poll request may ask for, in seconds.
    #[arg(long, env = "LIVESCORE_MAX_POLL_WAIT", default_value_t = 60)]
    pub max_poll_wait: u64,

    /// HTTP worker threads (default: one per CPU core).
    #[arg(long, env = "LIVESCORE_WORKERS")]
    pub workers: Option<usize>,
}

/// A configuration value that cannot work.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConfigError {
    #[error("--speed must be between {min} and {max}, got {0}", min = SPEED_RANGE.start(), max = SPEED_RANGE.end())]
    Speed(f64),
    #[error("--{0} must be at least 1")]
    Zero(&'static str),
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
            retry_ms: 3000,
            max_poll_wait: 60,
            workers: None,
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
            ("workers", self.workers.unwrap_or(1)),
        ] {
            if value == 0 {
                return Err(ConfigError::Zero(name));
            }
        }
        Ok(())
    }

    pub fn heartbeat(&self) -> Duration {
        Duration::from_secs(self.heartbeat_secs)
    }
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
    }

    #[test]
    fn impossible_values_are_refused_by_name() {
        let mut c = Config::defaults();
        c.speed = 0.0;
        assert_eq!(c.validate(), Err(ConfigError::Speed(0.0)));
        c.speed = 10.0;
        c.heartbeat_secs = 0;
        assert_eq!(c.validate(), Err(ConfigError::Zero("heartbeat-secs")));
    }
}
