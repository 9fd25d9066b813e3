//! Whether this node can reach PostgreSQL (cluster mode), judged by the follower's heartbeats.
//!
//! A partition that drops packets raises no error: queries just wait, the `LISTEN` connection
//! hears nothing, and the node would go on serving a feed that silently stopped. So the
//! follower (`store/postgres/follow.rs`) reports every heartbeat that comes back ([`Reached`]),
//! and the hub counts the silence. With none for the deadline (`--database-timeout-ms`) the node
//! is **cut off**:
//!
//! - `/readyz` answers 503 saying so, and the load balancer stops sending it traffic;
//! - its viewers are sent away: a comment saying why, then the end of their stream, so they
//!   reconnect through the balancer to a node that can hear the others and resume from their
//!   last id; a viewer arriving meanwhile gets the same, rather than a feed that will not move;
//! - commands are refused with `unavailable` at once (a write already in flight is answered only
//!   once its outcome is known, as always).
//!
//! When a heartbeat comes back the node catches up, and it is ready again once it holds the head
//! that heartbeat read: a viewer sent back to it then resumes from memory without a gap.

use std::time::{Duration, Instant};

use actix::prelude::*;
use bytes::Bytes;

use super::Hub;
use crate::actors::broadcaster::SendAway;
use crate::feed::CommandError;
use crate::ids::Seq;
use crate::sse;
use crate::store::log_writer::Reached;
use crate::store::postgres::Liveness;

/// How often the hub looks at the time since the last heartbeat: a cut-off is noticed at most
/// this long after the deadline.
pub const REACH_CHECK: Duration = Duration::from_millis(100);

/// A gap this long between two checks means this node itself stood still (a SIGSTOP, a stalled
/// host, a hub busy with one long message): the silence was its own, not PostgreSQL's, so the
/// heartbeat is given a fresh deadline instead of the node being declared cut off on waking.
const STOOD_STILL: Duration = Duration::from_secs(1);

/// What a viewer of a cut-off node is sent before its stream ends (SSE comment; the viewer
/// WebSocket carries the same text).
const FAREWELL: &str = "this node is cut off from its database; reconnect to another node";

/// The hub's view of its heartbeats.
pub(super) struct Reach {
    deadline: Duration,
    /// When the last heartbeat came back (or the hub started, or woke from standing still).
    last: Instant,
    /// When the silence was last checked.
    checked: Instant,
    /// Since when this node counts as cut off.
    cut_off: Option<Instant>,
    /// After a cut-off: the head read by the heartbeat that ended it, which this node must hold
    /// before it is ready again.
    catching_up_to: Option<Seq>,
}

impl Hub {
    /// Count this node as cut off when no heartbeat has come back for `liveness.deadline`.
    pub fn reach(mut self, liveness: Liveness) -> Hub {
        self.reach = Some(Reach {
            deadline: liveness.deadline,
            last: Instant::now(),
            checked: Instant::now(),
            cut_off: None,
            catching_up_to: None,
        });
        self
    }

    /// Why this node counts as cut off, if it does.
    pub(super) fn cut_off(&self) -> Option<String> {
        let reach = self.reach.as_ref()?;
        reach.cut_off?;
        Some(format!(
            "cut off from the database: PostgreSQL has not answered a heartbeat for {:.1} s",
            reach.last.elapsed().as_secs_f64()
        ))
    }

    /// After a cut-off, the head this node must reach before it is ready again, while it has
    /// not reached it.
    pub(super) fn catching_up(&self) -> Option<Seq> {
        let to = self.reach.as_ref()?.catching_up_to?;
        (self.log.last_seq() < to).then_some(to)
    }

    /// Why a new command must be refused at once: the node is cut off, or the write under way
    /// has stalled.
    pub(super) fn refusal(&self) -> Option<CommandError> {
        if let Some(why) = self.cut_off() {
            return Some(CommandError::Unavailable(format!(
                "this node is {why}; send the command to another node"
            )));
        }
        self.write_stalled()
    }

    /// The frame a viewer is sent instead of the feed while this node is cut off.
    pub(super) fn farewell(&self) -> Option<Bytes> {
        self.reach.as_ref()?.cut_off.map(|_| sse::comment(FAREWELL))
    }

    /// Past the deadline without a heartbeat: the node is cut off from now on.
    fn check_reach(&mut self) {
        let Some(reach) = &mut self.reach else { return };
        let now = Instant::now();
        if now - reach.checked >= STOOD_STILL && reach.cut_off.is_none() {
            tracing::warn!(
                stood_still_ms = (now - reach.checked).as_millis() as u64,
                "this node stood still; the database heartbeat gets a fresh deadline"
            );
            reach.last = now;
        }
        reach.checked = now;
        if reach.cut_off.is_some() || reach.last.elapsed() < reach.deadline {
            return;
        }
        reach.cut_off = Some(Instant::now());
        let silent_ms = reach.last.elapsed().as_millis() as u64;
        tracing::error!(
            silent_ms,
            "cut off from PostgreSQL: unready, sending viewers away, refusing commands"
        );
        self.broadcaster.do_send(SendAway(sse::comment(FAREWELL)));
        self.refuse_stalled();
    }
}

/// Check for silence every [`REACH_CHECK`] (a hub without [`Hub::reach`] never counts as cut off).
pub(super) fn start(ctx: &mut Context<Hub>) {
    ctx.run_interval(REACH_CHECK, |hub, _| hub.check_reach());
}

impl Handler<Reached> for Hub {
    type Result = ();

    fn handle(&mut self, msg: Reached, _: &mut Context<Self>) {
        let Some(reach) = &mut self.reach else { return };
        reach.last = Instant::now();
        if let Some(since) = reach.cut_off.take() {
            reach.catching_up_to = Some(msg.head);
            tracing::warn!(
                cut_off_ms = since.elapsed().as_millis() as u64,
                head = %msg.head,
                "PostgreSQL answers again; catching up"
            );
            if let Some(d) = &mut self.durable {
                d.catch_up_wanted = true;
            }
            self.catch_up_if_wanted();
        } else if self.catching_up().is_none()
            && let Some(reach) = &mut self.reach
            && reach.catching_up_to.take().is_some()
        {
            tracing::info!(seq = %self.log.last_seq(), "caught up after the cut-off; ready");
        }
    }
}
