//! Per-admin rate limiting: a token bucket per admin name, shared by that admin's WebSocket
//! sessions and HTTP requests, so opening more connections buys no extra rate.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Token buckets by admin name.
#[derive(Debug)]
pub struct RateLimits {
    per_second: f64,
    burst: f64,
    buckets: Mutex<HashMap<String, Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    refreshed: Instant,
}

impl RateLimits {
    /// `per_second` commands on average, up to `burst` at once.
    pub fn new(per_second: f64, burst: u32) -> RateLimits {
        RateLimits {
            per_second,
            burst: f64::from(burst.max(1)),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Take one token for `admin`; when none is left, how long until there is one.
    pub fn check(&self, admin: &str) -> Result<(), Duration> {
        self.check_at(admin, Instant::now())
    }

    fn check_at(&self, admin: &str, now: Instant) -> Result<(), Duration> {
        // The lock is held for a few arithmetic operations; it guards the bucket map only.
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        let bucket = buckets.entry(admin.to_owned()).or_insert(Bucket {
            tokens: self.burst,
            refreshed: now,
        });
        let elapsed = now
            .saturating_duration_since(bucket.refreshed)
            .as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * self.per_second).min(self.burst);
        bucket.refreshed = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            let wait = (1.0 - bucket.tokens) / self.per_second;
            Err(Duration::from_secs_f64(wait))
        }
    }

    /// The error message for a refused command.
    pub fn message(&self, wait: Duration) -> String {
        format!(
            "rate limit of {} commands/s (burst {}) reached; retry in {} ms",
            self.per_second,
            self.burst,
            wait.as_millis().max(1)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_is_allowed_then_the_rate_applies_per_admin() {
        let limits = RateLimits::new(10.0, 3);
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(limits.check_at("alice", t0).is_ok());
        }
        let wait = limits.check_at("alice", t0).unwrap_err();
        assert!(wait <= Duration::from_millis(100) && wait > Duration::ZERO);
        assert!(limits.check_at("bob", t0).is_ok(), "buckets are per admin");
        assert!(
            limits
                .check_at("alice", t0 + Duration::from_millis(100))
                .is_ok()
        );
        assert!(
            limits
                .check_at("alice", t0 + Duration::from_millis(100))
                .is_err()
        );
    }
}
