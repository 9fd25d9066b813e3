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
            ("log-capacity", self.log_capacity),
            ("log-max-mb", self.log_max_mb),
            ("viewer-buffer", self.viewer_buffer),
            ("viewer-buffer-bytes", self.viewer_buffer_bytes),
            ("max-replay-events", self.max_replay_events as usize),
            ("max-store-replays", self.max_store_replays),
            ("max-poll-events", self.max_poll_events),
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
