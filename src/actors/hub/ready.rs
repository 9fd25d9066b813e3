//! Whether the store takes writes, as the hub last saw it, for `/readyz`: a node cut off from
//! its database (or still catching up after it), a write that has gone unanswered too long
//! (stalled), or one that failed recently, makes the node unready.

use std::time::Duration;

use actix::prelude::*;

use super::Hub;
use super::durable::WRITE_STALL;

/// How long a failed write keeps the node unready when no write follows it. A write that
/// succeeds makes it ready at once; without one (no traffic), readiness is given back after this
/// rather than kept from every node of a cluster forever, and the next failure takes it again.
pub const FAILURE_MEMORY: Duration = Duration::from_secs(10);

/// Ask whether the store takes writes: `Err` says what fails.
#[derive(Message)]
#[rtype(result = "Result<(), String>")]
pub struct StoreReady;

impl Handler<StoreReady> for Hub {
    type Result = Result<(), String>;

    fn handle(&mut self, _: StoreReady, _: &mut Context<Self>) -> Self::Result {
        let Some(d) = &self.durable else {
            return Ok(());
        };
        // Every reason that holds, the writes' first: a database that is down makes writes fail
        // at once and the node cut off a few seconds later.
        let mut failing = Vec::new();
        if let Some(since) = d.writing_since
            && since.elapsed() >= WRITE_STALL
        {
            failing.push(format!(
                "writes are stalled: the store has not answered for {} s",
                since.elapsed().as_secs()
            ));
        }
        if let Some((cause, at)) = &d.failed
            && at.elapsed() < FAILURE_MEMORY
        {
            failing.push(format!("writes are failing: {cause}"));
        }
        failing.extend(self.cut_off());
        if let Some(head) = self.catching_up() {
            failing.push(format!(
                "catching up after being cut off from the database: at seq {} of {head}",
                self.log.last_seq()
            ));
        }
        if failing.is_empty() {
            Ok(())
        } else {
            Err(failing.join("; "))
        }
    }
}
