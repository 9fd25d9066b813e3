//! The checks that refuse configuration values that cannot work, naming the flag.

use std::net::IpAddr;
use std::time::Duration;

use ipnet::IpNet;

use super::Config;
use crate::feed::checks::SPEED_RANGE;
use crate::store::postgres::Liveness;

/// A configuration value that cannot work.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConfigError {
    #[error("--speed must be between {min} and {max}, got {0}", min = SPEED_RANGE.start(), max = SPEED_RANGE.end())]
    Speed(f64),
    #[error("--{0} must be at least 1")]
    Zero(&'static str),
    #[error("--{flag} must be at most {max}, got {value}")]
    TooLarge {
        flag: &'static str,
        max: u64,
        value: u64,
    },
    #[error("--admin-rate must be a positive number of commands per second, got {0}")]
    Rate(f64),
    #[error("--ws-timeout-secs ({timeout}) must be longer than --ws-ping-secs ({ping})")]
    PingTimeout { ping: u64, timeout: u64 },
    #[error(
        "--database-timeout-ms ({timeout}) must be longer than --database-heartbeat-ms \
         ({heartbeat}): a node would count as cut off between two heartbeats"
    )]
    DatabaseTimeout { heartbeat: u64, timeout: u64 },
    #[error("give --admin-tokens or --admin-tokens-file, not both")]
    TwoTokenSources,
    #[error("give --database-url or --in-memory, not both")]
    DatabaseInMemory,
    #[error("--public-url must be an http:// or https:// URL with a host, got {0:?}")]
    PublicUrl(String),
    #[error(
        "--{flag} takes origins such as https://fans.example (scheme, host and port, no path) \
         or *, got {origin:?}"
    )]
    Origin { flag: &'static str, origin: String },
}

impl Config {
    /// The live window the calendar keeps (see [`crate::feed::calendar`]).
    pub fn window(&self) -> crate::feed::Window {
        crate::feed::Window {
            timezone: self.timezone,
            days_back: self.window_back_days,
            days_ahead: self.window_ahead_days,
            news: self.live_news,
        }
    }

    /// Refuse values that cannot work, naming the flag.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if !SPEED_RANGE.contains(&self.speed) {
            return Err(ConfigError::Speed(self.speed));
        }
        for (name, value) in [
            ("heartbeat-secs", self.heartbeat_secs as usize),
            ("write-timeout-secs", self.write_timeout_secs as usize),
            ("log-capacity", self.log_capacity),
            ("log-max-mb", self.log_max_mb),
            ("viewer-buffer", self.viewer_buffer),
            ("viewer-buffer-bytes", self.viewer_buffer_bytes),
            ("max-replay-events", self.max_replay_events as usize),
            ("max-store-replays", self.max_store_replays),
            ("max-poll-events", self.max_poll_events),
            ("max-range-bytes", self.max_range_bytes),
            ("live-news", self.live_news),
            ("archive-memory-mb", self.archive_memory_mb),
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
            ("database-heartbeat-ms", self.database_heartbeat_ms as usize),
        ] {
            if value == 0 {
                return Err(ConfigError::Zero(name));
            }
        }
        for (flag, value, max) in self.upper_bounds() {
            if value > max {
                return Err(ConfigError::TooLarge { flag, max, value });
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
        if self.database_timeout_ms <= self.database_heartbeat_ms {
            return Err(ConfigError::DatabaseTimeout {
                heartbeat: self.database_heartbeat_ms,
                timeout: self.database_timeout_ms,
            });
        }
        if self.admin_tokens.is_some() && self.admin_tokens_file.is_some() {
            return Err(ConfigError::TwoTokenSources);
        }
        if self.database_url.is_some() && self.in_memory {
            return Err(ConfigError::DatabaseInMemory);
        }
        if let Some(url) = &self.public_url
            && origin_of(url).is_none()
        {
            return Err(ConfigError::PublicUrl(url.clone()));
        }
        for (flag, list) in [
            ("cors-origins", &self.cors_origins),
            ("allowed-origins", &self.allowed_origins),
        ] {
            if let Some(origin) = list.iter().find(|o| !is_origin(o)) {
                return Err(ConfigError::Origin {
                    flag,
                    origin: origin.clone(),
                });
            }
        }
        Ok(())
    }

    /// Each numeric flag, its value and the most it may be. Past these a value is a slip of the
    /// keyboard, and some would bring the server down rather than be refused: a queue of 2^62
    /// frames panics as each viewer connects, a semaphore of 2^62 permits at start, a deadline
    /// of 2^62 seconds when it is added to the clock.
    fn upper_bounds(&self) -> [(&'static str, u64, u64); 39] {
        const GIB: u64 = 1 << 30;
        const DAY_SECS: u64 = 86_400;
        let n = |v: usize| v as u64;
        [
            ("heartbeat-secs", self.heartbeat_secs, 3_600),
            ("write-timeout-secs", self.write_timeout_secs, DAY_SECS),
            ("log-capacity", n(self.log_capacity), 10_000_000),
            ("log-max-mb", n(self.log_max_mb), 64 * 1024),
            ("max-viewers", n(self.max_viewers), 10_000_000),
            ("viewer-buffer", n(self.viewer_buffer), 1_000_000),
            ("viewer-buffer-bytes", n(self.viewer_buffer_bytes), GIB),
            ("max-viewers-per-ip", n(self.max_viewers_per_ip), 10_000_000),
            ("max-replay-events", self.max_replay_events, 10_000_000),
            ("max-store-replays", n(self.max_store_replays), 1_000),
            ("max-poll-events", n(self.max_poll_events), 1_000_000),
            // One answer larger than this would pin more socket memory per client than any page
            // is worth.
            ("max-range-bytes", n(self.max_range_bytes), 64 << 20),
            ("retry-ms", self.retry_ms, DAY_SECS * 1000),
            ("max-poll-wait", self.max_poll_wait, 3_600),
            ("window-back-days", u64::from(self.window_back_days), 366),
            ("window-ahead-days", u64::from(self.window_ahead_days), 366),
            ("live-news", n(self.live_news), 1_000_000),
            ("archive-memory-mb", n(self.archive_memory_mb), 64 * 1024),
            // 0 (no cache) is allowed; 4 GiB of compressed answers is more than any archive.
            ("compressed-cache-mb", n(self.compressed_cache_mb), 4096),
            ("workers", n(self.workers.unwrap_or(1)), 1_024),
            ("snapshot-every", self.snapshot_every, 10_000_000),
            ("retention", self.retention, 1 << 40),
            ("max-store-mb", self.max_store_mb, 1 << 30),
            ("max-frame-bytes", n(self.max_frame_bytes), GIB),
            ("max-body-bytes", n(self.max_body_bytes), GIB),
            ("admin-burst", u64::from(self.admin_burst), 1_000_000),
            (
                "max-bad-messages",
                u64::from(self.max_bad_messages),
                1_000_000,
            ),
            ("auth-timeout-secs", self.auth_timeout_secs, 3_600),
            ("ws-ping-secs", self.ws_ping_secs, 3_600),
            ("ws-timeout-secs", self.ws_timeout_secs, DAY_SECS),
            ("admin-buffer-bytes", n(self.admin_buffer_bytes), GIB),
            (
                "auth-fail-limit",
                u64::from(self.auth_fail_limit),
                1_000_000,
            ),
            ("auth-backoff-ms", self.auth_backoff_ms, DAY_SECS * 1000),
            (
                "auth-backoff-max-secs",
                self.auth_backoff_max_secs,
                DAY_SECS,
            ),
            ("auth-track-max", n(self.auth_track_max), 10_000_000),
            ("body-timeout-secs", self.body_timeout_secs, 3_600),
            ("drain-secs", self.drain_secs, 3_600),
            ("database-heartbeat-ms", self.database_heartbeat_ms, 60_000),
            ("database-timeout-ms", self.database_timeout_ms, 600_000),
        ]
    }

    pub fn heartbeat(&self) -> Duration {
        Duration::from_secs(self.heartbeat_secs)
    }

    /// How fast a cluster node notices it is cut off from PostgreSQL.
    pub fn liveness(&self) -> Liveness {
        Liveness {
            heartbeat: Duration::from_millis(self.database_heartbeat_ms),
            deadline: Duration::from_millis(self.database_timeout_ms),
        }
    }
}

/// One `--trusted-proxies` entry: a network (`10.0.0.0/8`, `fd00::/8`) or one address
/// (`127.0.0.1`, `::1`).
pub fn parse_trusted(entry: &str) -> Result<IpNet, String> {
    let entry = entry.trim();
    entry
        .parse::<IpNet>()
        .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
        .map_err(|_| format!("`{entry}` is not an IP address or a network such as 10.0.0.0/8"))
}

/// Whether `text` is `*` or an origin as browsers send it: `scheme://host[:port]`, nothing after.
fn is_origin(text: &str) -> bool {
    text == "*" || origin_of(text).is_some_and(|origin| origin.eq_ignore_ascii_case(text))
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
        c.viewer_buffer = 1 << 62;
        assert_eq!(
            c.validate(),
            Err(ConfigError::TooLarge {
                flag: "viewer-buffer",
                max: 1_000_000,
                value: 1 << 62
            })
        );
        c.viewer_buffer = 256;
        c.max_store_replays = 1 << 62;
        let err = c.validate().unwrap_err().to_string();
        assert_eq!(
            err,
            format!(
                "--max-store-replays must be at most 1000, got {}",
                1u64 << 62
            )
        );
        c.max_store_replays = 4;
        assert_eq!(c.validate(), Ok(()), "the defaults are within every bound");
        c.database_heartbeat_ms = 0;
        assert_eq!(
            c.validate(),
            Err(ConfigError::Zero("database-heartbeat-ms"))
        );
        c.database_heartbeat_ms = 3000;
        assert_eq!(
            c.validate(),
            Err(ConfigError::DatabaseTimeout {
                heartbeat: 3000,
                timeout: 3000
            })
        );
        c.database_heartbeat_ms = 1000;
        c.compressed_cache_mb = 4097;
        assert!(matches!(
            c.validate(),
            Err(ConfigError::TooLarge {
                flag: "compressed-cache-mb",
                max: 4096,
                ..
            })
        ));
        c.compressed_cache_mb = 0;
        assert_eq!(c.validate(), Ok(()), "no cache is allowed");
        c.max_range_bytes = 0;
        assert_eq!(c.validate(), Err(ConfigError::Zero("max-range-bytes")));
        c.max_range_bytes = (64 << 20) + 1;
        assert_eq!(
            c.validate(),
            Err(ConfigError::TooLarge {
                flag: "max-range-bytes",
                max: 64 << 20,
                value: (64 << 20) + 1
            })
        );
        c.max_range_bytes = 64 << 20;
        assert_eq!(c.validate(), Ok(()));
        c.public_url = Some("scores.example".into());
        assert_eq!(
            c.validate(),
            Err(ConfigError::PublicUrl("scores.example".into()))
        );
    }

    #[test]
    fn trusted_proxies_are_addresses_or_networks() {
        let parsed =
            Cli::parse_from(["livescore", "--trusted-proxies", "127.0.0.1,10.0.0.0/8,::1"]);
        let shown: Vec<String> = parsed
            .config
            .trusted_proxies
            .iter()
            .map(|n| n.to_string())
            .collect();
        assert_eq!(shown, ["127.0.0.1/32", "10.0.0.0/8", "::1/128"]);
        let err = Cli::try_parse_from(["livescore", "--trusted-proxies", "10.0.0.0/33"])
            .err()
            .expect("a bad network is refused")
            .to_string();
        assert!(err.contains("`10.0.0.0/33` is not an IP address"), "{err}");
        assert!(parse_trusted("proxy.example").is_err());
    }

    #[test]
    fn origin_lists_take_origins_or_star_only() {
        let mut c = Config::defaults();
        c.cors_origins = vec!["https://Fans.example:8443".into(), "*".into()];
        c.allowed_origins = vec!["http://console.example".into()];
        assert_eq!(c.validate(), Ok(()));
        c.cors_origins = vec!["https://fans.example/".into()];
        assert_eq!(
            c.validate(),
            Err(ConfigError::Origin {
                flag: "cors-origins",
                origin: "https://fans.example/".into()
            })
        );
        c.cors_origins.clear();
        c.allowed_origins = vec!["console.example".into()];
        assert!(matches!(
            c.validate(),
            Err(ConfigError::Origin {
                flag: "allowed-origins",
                ..
            })
        ));
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
