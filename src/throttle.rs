//! Throttling of failed admin logins per client address: after `--auth-fail-limit` wrong tokens
//! in a row from one address, that address must wait before trying again, and each further
//! failure doubles the wait (from `--auth-backoff-ms` up to `--auth-backoff-max-secs`). Guessing
//! tokens then costs hours instead of seconds, while other addresses are never slowed down.
//!
//! The table is bounded: at most `--auth-track-max` addresses are remembered; an entry is
//! forgotten once its address has been quiet for the longest backoff, and when the table is
//! full the entry idle the longest makes room.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use prometheus::IntCounter;

/// How failed logins are limited.
#[derive(Debug, Clone, Copy)]
pub struct ThrottlePolicy {
    /// Failures in a row allowed before an address must wait.
    pub fail_limit: u32,
    /// The first wait; doubled by each further failure.
    pub backoff: Duration,
    /// The longest wait (and how long a quiet address is remembered).
    pub max_backoff: Duration,
    /// Addresses remembered at once.
    pub max_entries: usize,
}

/// Failed logins per client address.
#[derive(Debug)]
pub struct AuthThrottle {
    policy: ThrottlePolicy,
    entries: Mutex<HashMap<IpAddr, Entry>>,
    failures: IntCounter,
    throttled: IntCounter,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    failures: u32,
    blocked_until: Option<Instant>,
    last: Instant,
}

impl AuthThrottle {
    /// `failures` and `throttled` count failed logins and attempts refused while waiting.
    pub fn new(policy: ThrottlePolicy, failures: IntCounter, throttled: IntCounter) -> Self {
        AuthThrottle {
            policy,
            entries: Mutex::new(HashMap::new()),
            failures,
            throttled,
        }
    }

    /// Whether `ip` may try a token now; if not, how long it must wait.
    pub fn check(&self, ip: IpAddr) -> Result<(), Duration> {
        self.check_at(ip, Instant::now())
    }

    /// A wrong token from `ip` (the client's address, behind a trusted proxy the one it
    /// forwards for): counted and logged; returns the wait it now faces, if any.
    pub fn failed(&self, ip: IpAddr) -> Option<Duration> {
        let wait = self.failed_at(ip, Instant::now());
        let wait_ms = wait.map(|w| w.as_millis() as u64);
        tracing::warn!(client = %ip, wait_ms, "failed admin login: unknown token");
        wait
    }

    /// A good token from `ip`: its failures are forgotten.
    pub fn succeeded(&self, ip: IpAddr) {
        self.lock().remove(&ip);
    }

    /// The message for an address that must wait.
    pub fn message(&self, wait: Duration) -> String {
        format!(
            "too many failed login attempts from this address; retry in {} s",
            whole_seconds(wait)
        )
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<IpAddr, Entry>> {
        // Held for a lookup and a few comparisons; a poisoned map is still a valid map.
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn check_at(&self, ip: IpAddr, now: Instant) -> Result<(), Duration> {
        let entries = self.lock();
        match entries.get(&ip).and_then(|e| e.blocked_until) {
            Some(until) if until > now => {
                self.throttled.inc();
                Err(until - now)
            }
            _ => Ok(()),
        }
    }

    fn failed_at(&self, ip: IpAddr, now: Instant) -> Option<Duration> {
        self.failures.inc();
        let mut entries = self.lock();
        if !entries.contains_key(&ip) && entries.len() >= self.policy.max_entries {
            self.make_room(&mut entries, now);
        }
        let entry = entries.entry(ip).or_insert(Entry {
            failures: 0,
            blocked_until: None,
            last: now,
        });
        if now.saturating_duration_since(entry.last) > self.policy.max_backoff {
            entry.failures = 0;
        }
        entry.failures = entry.failures.saturating_add(1);
        entry.last = now;
        let over = entry.failures.checked_sub(self.policy.fail_limit)?;
        let wait = self
            .policy
            .backoff
            .saturating_mul(2u32.saturating_pow(over.min(31)))
            .min(self.policy.max_backoff);
        entry.blocked_until = Some(now + wait);
        Some(wait)
    }

    /// Forget addresses quiet for longer than the longest backoff; if none is, the one quiet the
    /// longest.
    fn make_room(&self, entries: &mut HashMap<IpAddr, Entry>, now: Instant) {
        let max = self.policy.max_backoff;
        entries.retain(|_, e| now.saturating_duration_since(e.last) <= max);
        if entries.len() >= self.policy.max_entries
            && let Some(oldest) = entries
                .iter()
                .min_by_key(|(_, e)| e.last)
                .map(|(ip, _)| *ip)
        {
            entries.remove(&oldest);
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.lock().len()
    }
}

/// A wait in whole seconds, rounded up (for `Retry-After` and messages).
pub fn whole_seconds(wait: Duration) -> u64 {
    wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn throttle(max_entries: usize) -> AuthThrottle {
        let policy = ThrottlePolicy {
            fail_limit: 3,
            backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(60),
            max_entries,
        };
        let counter = |name| IntCounter::new(name, "test").unwrap();
        AuthThrottle::new(policy, counter("f"), counter("t"))
    }

    fn ip(last: u8) -> IpAddr {
        IpAddr::from([10, 0, 0, last])
    }

    #[test]
    fn waits_start_at_the_limit_and_double_per_failure_up_to_the_cap() {
        let t = throttle(100);
        let t0 = Instant::now();
        assert_eq!(t.failed_at(ip(1), t0), None);
        assert_eq!(t.failed_at(ip(1), t0), None);
        assert_eq!(t.failed_at(ip(1), t0), Some(Duration::from_secs(1)));
        assert_eq!(t.check_at(ip(1), t0), Err(Duration::from_secs(1)));
        assert_eq!(
            t.check_at(ip(2), t0),
            Ok(()),
            "other addresses are not slowed"
        );
        let t1 = t0 + Duration::from_secs(1);
        assert_eq!(t.check_at(ip(1), t1), Ok(()));
        assert_eq!(t.failed_at(ip(1), t1), Some(Duration::from_secs(2)));
        assert_eq!(t.failed_at(ip(1), t1), Some(Duration::from_secs(4)));
        for _ in 0..20 {
            t.failed_at(ip(1), t1);
        }
        assert_eq!(t.failed_at(ip(1), t1), Some(Duration::from_secs(60)));
        t.succeeded(ip(1));
        assert_eq!(t.check_at(ip(1), t1), Ok(()));
    }

    #[test]
    fn the_table_stays_within_its_cap_and_forgets_quiet_addresses() {
        let t = throttle(4);
        let t0 = Instant::now();
        for i in 0..10 {
            t.failed_at(ip(i), t0 + Duration::from_millis(u64::from(i)));
        }
        assert_eq!(t.len(), 4);
        let later = t0 + Duration::from_secs(120);
        t.failed_at(ip(200), later);
        assert_eq!(
            t.len(),
            1,
            "entries quiet past the longest backoff are dropped"
        );
    }
}
