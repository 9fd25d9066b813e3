//! Following the shared log: wake the hub whenever other nodes may have appended, and prove every
//! heartbeat that this node can still hear them.
//!
//! A `NOTIFY` after each commit wakes every node at once, but notifications sent while a
//! listener is disconnected are gone, so the hub is also woken on a timer and right after every
//! reconnect of the listener; it then catches up by seq, which is always safe to repeat.
//!
//! A listener cut off by a partition that drops packets is not disconnected: it just hears
//! nothing. So every [`Liveness::heartbeat`] it asks PostgreSQL for the head, and the hub is told
//! of each answer ([`Reached`]); an answer that does not come within [`Liveness::deadline`] ends
//! the connection (a new one is tried), and the hub, hearing nothing, counts the node as cut off.

use std::time::Duration;

use actix::Recipient;

use crate::store::log_writer::{CatchUp, Reached, RemotePresence};
use crate::store::postgres::presence::NodePresence;
use crate::store::postgres::{HeadListener, Heard, Liveness};

/// How often the hub catches up even without a notification.
pub const FOLLOW_EVERY: Duration = Duration::from_millis(500);

/// First wait before reconnecting the listener; doubled after each failure, up to the heartbeat
/// period (a node cut off is unready until it is back, so it tries about as often as it beats).
const RECONNECT_FIRST: Duration = Duration::from_millis(100);

/// Where the follower reports.
pub struct Followers {
    /// Told to catch up: on each notification, every [`FOLLOW_EVERY`], after each reconnect.
    pub hub: Recipient<CatchUp>,
    /// Told of each heartbeat that came back.
    pub reached: Recipient<Reached>,
    /// Told what other nodes say about their admins.
    pub presence: Recipient<RemotePresence>,
}

/// Start following on the current actix arbiter: the catch-up timer, and the listener with its
/// heartbeat. `node` is this node's presence name (its own announcements are not passed on).
pub fn follow(url: String, node: String, liveness: Liveness, to: Followers) {
    let ticks = to.hub.clone();
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
        let mut wait = RECONNECT_FIRST;
        loop {
            // The connect has a deadline of its own: through a partition it may never finish.
            match tokio::time::timeout(liveness.deadline, HeadListener::connect(&url, liveness))
                .await
            {
                Ok(Ok(mut listener)) => {
                    wait = RECONNECT_FIRST;
                    to.hub.do_send(CatchUp);
                    let ended = listen(&mut listener, &node, liveness, &to).await;
                    if !to.hub.connected() {
                        return;
                    }
                    tracing::warn!(reason = %ended, "lost the LISTEN connection to PostgreSQL; reconnecting");
                }
                Ok(Err(e)) => tracing::warn!(error = %e, "cannot LISTEN for new events; retrying"),
                Err(_) => tracing::warn!(
                    deadline_ms = liveness.deadline.as_millis() as u64,
                    "PostgreSQL did not answer a LISTEN connection in time; retrying"
                ),
            }
            if !to.hub.connected() {
                return;
            }
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(liveness.heartbeat);
        }
    });
}

/// Pass on what `listener` hears and beat every heartbeat, until the connection is lost or a
/// heartbeat is not answered in time; says which.
async fn listen(
    listener: &mut HeadListener,
    node: &str,
    liveness: Liveness,
    to: &Followers,
) -> String {
    let mut beat = tokio::time::interval(liveness.heartbeat);
    beat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            heard = listener.next() => match heard {
                Some(Heard::Head(_)) => to.hub.do_send(CatchUp),
                Some(Heard::Presence(payload)) => tell(&to.presence, node, &payload),
                None => return "the connection ended".to_owned(),
            },
            _ = beat.tick() => {
                match tokio::time::timeout(liveness.deadline, listener.ping()).await {
                    Ok(Ok(head)) => to.reached.do_send(Reached { head }),
                    Ok(Err(e)) => return format!("the heartbeat failed: {e}"),
                    Err(_) => {
                        return format!(
                            "the heartbeat was not answered within {} ms",
                            liveness.deadline.as_millis()
                        );
                    }
                }
            }
        }
        if !to.hub.connected() {
            return "the node is stopping".to_owned();
        }
    }
}

/// Pass on another node's presence announcement (ours, and garbage, are dropped).
fn tell(presence: &Recipient<RemotePresence>, node: &str, payload: &str) {
    match serde_json::from_str::<NodePresence>(payload) {
        Ok(heard) if heard.node != node => presence.do_send(RemotePresence {
            node: heard.node,
            admins: heard.admins,
            editing: heard.editing,
        }),
        Ok(_) => {}
        Err(e) => tracing::debug!(error = %e, "ignoring a presence notification"),
    }
}
