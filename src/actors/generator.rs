//! The generator actor: plays the [`Simulation`] in real time and sends its commands to the hub,
//! through the same [`Execute`] path as every admin.
//!
//! Time is turned into whole simulated seconds (`--speed` of them per real second) and each
//! simulated second is one deterministic step, so a slow tick only delays events, never changes
//! them: the same seed and fixtures give the same event sequence. The commands of one tick go to
//! the hub as one batch, and the next tick waits for its answers, so the generator's own commands
//! can never overtake each other and it slows down rather than flood a busy hub.

use std::time::{Duration, Instant};

use actix::prelude::*;
use chrono::Utc;

use crate::actors::hub::{ExecuteAll, Hub, ReadState};
use crate::feed::{Ack, Command, CommandError};
use crate::sim::Simulation;

/// How often the generator wakes up to catch up with real time.
pub const TICK: Duration = Duration::from_millis(100);
/// Simulated seconds one tick may play at most, so a long stall does not become a burst.
const MAX_STEPS_PER_TICK: f64 = 3600.0;
/// The author name on everything the generator does.
pub const AUTHOR: &str = crate::sim::news::AUTHOR;

pub struct Generator {
    hub: Addr<Hub>,
    seed: u64,
    speed: f64,
    running: bool,
    sim: Option<Simulation>,
    /// Simulated seconds owed to the simulation but not yet played.
    owed: f64,
    last_tick: Instant,
}

impl Generator {
    pub fn new(hub: Addr<Hub>, seed: u64, speed: f64) -> Generator {
        Generator {
            hub,
            seed,
            speed,
            running: true,
            sim: None,
            owed: 0.0,
            last_tick: Instant::now(),
        }
    }

    fn tick(&mut self, ctx: &mut Context<Self>) {
        let now = Instant::now();
        let elapsed = now.duration_since(self.last_tick).as_secs_f64();
        self.last_tick = now;
        let Some(sim) = self.sim.as_mut() else { return };
        if !self.running {
            return;
        }
        self.owed = (self.owed + elapsed * self.speed).min(MAX_STEPS_PER_TICK);
        let steps = self.owed.floor();
        self.owed -= steps;
        let mut commands = Vec::new();
        let wall = Utc::now();
        for _ in 0..steps as u64 {
            sim.step(wall, &mut commands);
        }
        if commands.is_empty() {
            return;
        }
        let request = self.hub.send(ExecuteAll {
            commands: commands.clone(),
            author: AUTHOR.to_owned(),
        });
        // `wait` holds back the next tick (and every other message) until the hub has answered,
        // keeping the simulation and the hub in step.
        ctx.wait(
            request
                .into_actor(self)
                .map(move |results, act, _| match results {
                    Ok(results) => act.absorb(&commands, results),
                    Err(e) => tracing::warn!(error = %e, "hub unreachable from the generator"),
                }),
        );
    }

    /// Tell the simulation what the hub made of its commands.
    fn absorb(&mut self, batch: &[Command], results: Vec<Result<Ack, CommandError>>) {
        let Some(sim) = self.sim.as_mut() else { return };
        for (command, result) in batch.iter().zip(results) {
            match result {
                Ok(ack) => {
                    if let Some(id) = ack.match_id {
                        sim.created(command, id);
                    }
                }
                Err(e) => {
                    tracing::debug!(command = command.name(), error = %e, "generator command refused");
                    sim.rejected(command);
                }
            }
        }
    }
}

impl Actor for Generator {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        let seed = self.seed;
        ctx.wait(
            self.hub
                .send(ReadState)
                .into_actor(self)
                .map(move |state, act, _| match state {
                    Ok(state) => {
                        let sim = Simulation::new(seed, &state);
                        tracing::info!(
                            seed,
                            speed = act.speed,
                            matches = sim.games().len(),
                            "generator started"
                        );
                        act.sim = Some(sim);
                        act.last_tick = Instant::now();
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "generator could not read the feed state")
                    }
                }),
        );
        ctx.run_interval(TICK, |act, ctx| act.tick(ctx));
    }
}

/// Pause, resume or retune the generator (from a validated `generator.control` command).
#[derive(Message, Debug, Clone, Copy)]
#[rtype(result = "()")]
pub struct Steer {
    pub running: Option<bool>,
    pub speed: Option<f64>,
}

impl Handler<Steer> for Generator {
    type Result = ();

    fn handle(&mut self, msg: Steer, _: &mut Context<Self>) {
        if let Some(running) = msg.running {
            if running && !self.running {
                // Time spent paused is not owed to the simulation.
                self.last_tick = Instant::now();
                self.owed = 0.0;
            }
            self.running = running;
        }
        if let Some(speed) = msg.speed {
            self.speed = speed;
        }
        tracing::info!(
            running = self.running,
            speed = self.speed,
            "generator steered"
        );
    }
}
