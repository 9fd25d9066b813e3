//! Following the shared log: wake the hub whenever other nodes may have appended.
//!
//! A `NOTIFY` after each commit wakes every node at once, but notifications sent while a
//! listener is disconnected are gone, so the hub is also woken on a timer and right after every
//! reconnect of the listener; it then catches up by seq, which is always safe to repeat.

use std::time::Duration;

use actix::Recipient;

use crate::store::log_writer::{CatchUp, RemotePresence};
use crate::store::postgres::presence::NodePresence;
use crate::store::postgres::{HeadListener, Heard};

/// How often the hub catches up even without a notification.
pub const FOLLOW_EVERY: Duration = Duration::from_millis(500);

/// Longest wait between attempts to reconnect the listener.
const RECONNECT_MAX: Duration = Duration::from_secs(5);

/// Start following on the current actix arbiter: `hub` gets a [`CatchUp`] on each notification,
/// every [`FOLLOW_EVERY`], and after each (re)connect; and what other nodes (not `node`) say
/// about their admins.
pub fn follow(
    url: String,
    node: String,
    hub: Recipient<CatchUp>,
    presence: Recipient<RemotePresence>,
) {
    let ticks = hub.clone();
    actix::spawn(async move {
        let mut every = tokio::time::interval(FOLLOW_EVERY);
        loop {
            every.tick().await;
            if ticks.try_send(CatchUp).is_err() && !ticks.connected() {
                return;
            }
        }
    });
    actix::spawn(async move {
        let mut wait = Duration::from_millis(100);
        loop {
            match HeadListener::connect(&url).await {
                Ok(mut listener) => {
                    wait = Duration::from_millis(100);
                    hub.do_send(CatchUp);
                    while let Some(heard) = listener.next().await {
                        match heard {
                            Heard::Head(_) => hub.do_send(CatchUp),
                            Heard::Presence(payload) => tell(&presence, &node, &payload),
                        }
                    }
                    tracing::warn!("lost the LISTEN connection to PostgreSQL; reconnecting");
                }
                Err(e) => tracing::warn!(error = %e, "cannot LISTEN for new events; retrying"),
            }
            if !hub.connected() {
                return;
            }
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(RECONNECT_MAX);
        }
    });
}

/// Pass on another node's presence announcement (ours, and garbage, are dropped).
fn tell(presence: &Recipient<RemotePresence>, node: &str, payload: &str) {
    match serde_json::from_str::<NodePresence>(payload) {
        Ok(heard) if heard.node != node => presence.do_send(RemotePresence {
            node: heard.node,
            admins: heard.admins,
        }),
        Ok(_) => {}
        Err(e) => tracing::debug!(error = %e, "ignoring a presence notification"),
    }
}
