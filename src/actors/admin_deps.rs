//! What every admin session and every admin HTTP request share: the hub, the tokens, the rate
//! limits, the failed-login throttle and the session limits, built once from the configuration.

use std::sync::Arc;
use std::time::Duration;

use actix::Addr;

use crate::actors::hub::Hub;
use crate::auth::AdminTokens;
use crate::config::Config;
use crate::metrics::Metrics;
use crate::rate::RateLimits;
use crate::throttle::{AuthThrottle, ThrottlePolicy};

/// The limits a session enforces (from the server's configuration).
#[derive(Debug, Clone, Copy)]
pub struct SessionLimits {
    pub auth_timeout: Duration,
    pub ping_every: Duration,
    pub timeout: Duration,
    pub max_bad_messages: u32,
    pub max_frame_bytes: usize,
    /// Bytes a session may have queued for sending before it is closed as too slow.
    pub buffer_bytes: usize,
}

/// What every session shares.
#[derive(Clone)]
pub struct SessionDeps {
    pub hub: Addr<Hub>,
    pub tokens: Arc<AdminTokens>,
    pub rates: Arc<RateLimits>,
    /// Failed logins per client address (shared with the HTTP endpoint).
    pub throttle: Arc<AuthThrottle>,
    pub limits: SessionLimits,
    /// Command round trips, by transport (`livescore_command_seconds`).
    pub round_trips: prometheus::HistogramVec,
}

impl SessionDeps {
    /// Everything sessions and admin requests share, from the server's configuration.
    pub fn new(hub: Addr<Hub>, tokens: AdminTokens, config: &Config, metrics: &Metrics) -> Self {
        let policy = ThrottlePolicy {
            fail_limit: config.auth_fail_limit,
            backoff: Duration::from_millis(config.auth_backoff_ms),
            max_backoff: Duration::from_secs(config.auth_backoff_max_secs),
            max_entries: config.auth_track_max,
        };
        SessionDeps {
            hub,
            tokens: Arc::new(tokens),
            rates: Arc::new(RateLimits::new(config.admin_rate, config.admin_burst)),
            throttle: Arc::new(AuthThrottle::new(
                policy,
                metrics.auth_failures.clone(),
                metrics.auth_throttled.clone(),
            )),
            limits: SessionLimits {
                auth_timeout: Duration::from_secs(config.auth_timeout_secs),
                ping_every: Duration::from_secs(config.ws_ping_secs),
                timeout: Duration::from_secs(config.ws_timeout_secs),
                max_bad_messages: config.max_bad_messages,
                max_frame_bytes: config.max_frame_bytes,
                buffer_bytes: config.admin_buffer_bytes,
            },
            round_trips: metrics.command_seconds.clone(),
        }
    }
}
