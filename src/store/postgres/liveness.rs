//! How fast a node notices that it can no longer reach PostgreSQL.
//!
//! A partition that drops packets (no RST) leaves every socket open and every wait unanswered: a
//! `LISTEN` connection then hears nothing and says nothing, and the node would serve a feed that
//! silently stopped. Two things bound that:
//!
//! - **every connection** has TCP keepalives and a TCP user timeout of [`Liveness::deadline`], so
//!   the kernel ends a connection whose data (or keepalive probes) go unacknowledged that long,
//!   and the query waiting on it fails instead of hanging;
//! - **a heartbeat** on the listener connection (`follow.rs`) must round-trip every
//!   [`Liveness::heartbeat`]; the hub counts a node that has had no round trip for
//!   [`Liveness::deadline`] as cut off (`actors/hub/reach.rs`). This also catches what TCP
//!   cannot see, such as a proxy in between that still acknowledges but no longer forwards.

use std::time::Duration;

use tokio_postgres::Config;

/// The heartbeat period and the deadline (`--database-heartbeat-ms`, `--database-timeout-ms`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Liveness {
    /// How often the node proves it can reach PostgreSQL.
    pub heartbeat: Duration,
    /// No round trip for this long: the node is cut off. Also each connection's TCP user timeout
    /// and keepalive budget.
    pub deadline: Duration,
}

impl Default for Liveness {
    /// A round trip every second, cut off after 3 s without one: a partition is noticed 2 to
    /// 3 s after it begins, and one slow answer (a checkpoint, a busy server) is forgiven.
    fn default() -> Liveness {
        Liveness {
            heartbeat: Duration::from_secs(1),
            deadline: Duration::from_secs(3),
        }
    }
}

impl Liveness {
    /// Give a connection configuration TCP keepalives and a user timeout that end a silent
    /// connection about [`Liveness::deadline`] after its peer stopped answering: idle, keepalive
    /// probes start after a third of it; with data unacknowledged, the user timeout fires.
    /// (Keepalive times are whole seconds, at least 1.)
    pub fn apply(&self, config: &mut Config) {
        let probe = Duration::from_secs((self.deadline.as_secs() / 3).max(1));
        let retries = (self.deadline.as_secs() / probe.as_secs())
            .saturating_sub(1)
            .max(1);
        config
            .keepalives(true)
            .keepalives_idle(probe)
            .keepalives_interval(probe)
            .keepalives_retries(retries as u32)
            .tcp_user_timeout(self.deadline);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_connection_gets_keepalives_and_a_user_timeout_within_the_deadline() {
        let mut config: Config = "postgresql://u@db.example/live".parse().unwrap();
        Liveness::default().apply(&mut config);
        assert!(config.get_keepalives());
        assert_eq!(config.get_keepalives_idle(), Duration::from_secs(1));
        assert_eq!(
            config.get_keepalives_interval(),
            Some(Duration::from_secs(1))
        );
        assert_eq!(config.get_keepalives_retries(), Some(2));
        assert_eq!(config.get_tcp_user_timeout(), Some(&Duration::from_secs(3)));

        let long = Liveness {
            heartbeat: Duration::from_secs(5),
            deadline: Duration::from_secs(30),
        };
        long.apply(&mut config);
        // Idle 10 s, then probes 10 s apart: the third unanswered one is at the deadline.
        assert_eq!(config.get_keepalives_idle(), Duration::from_secs(10));
        assert_eq!(config.get_keepalives_retries(), Some(2));
        assert_eq!(
            config.get_tcp_user_timeout(),
            Some(&Duration::from_secs(30))
        );
    }
}
