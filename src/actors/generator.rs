//! The generator actor: plays the [`Simulation`] in real time and sends its commands to the hub,
//! through the same [`Execute`] path as every admin.
//!
//! Time is turned into whole simulated seconds (`--speed` of them per real second) and each
//! simulated second is one deterministic step, so a slow tick only delays events, never changes
//! them: the same seed, fixtures and starting day give the same event sequence. The commands of
//! one tick go to the hub as one batch, and the next tick waits for its answers, so the
//! generator's own commands can never overtake each other and it slows down rather than flood a
//! busy hub.
//!
//! The simulated clock never stays behind the real one: whenever it is (at start, when the
//! simulation replays the feed's day so far; with `--speed` below 1; after a pause), a tick plays
//! every second it is behind, up to [`MAX_STEPS_PER_TICK`], so it catches up at that top speed and
//! the matches whose kick-off passed meanwhile kick off and play out on the way.
//!
//! Alone (no cluster) the generator plays from the start. In a cluster it waits on standby until
//! the election ([`crate::store::postgres::leader`]) makes this node the leader: it then plans
//! from the hub's committed state (caught up at least to the head seen when it took over, so it
//! continues the matches where the previous leader left them) and its batches carry the leader's
//! epoch. Told to stand down, or fenced, it drops its plan and waits again.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::{Duration, Instant};

use actix::prelude::*;
use chrono::Utc;
use prometheus::IntGauge;

use crate::actors::hub::{ExecuteAll, Hub, ReadState};
use crate::feed::{Ack, Command, CommandError};
use crate::ids::Seq;
use crate::sim::Simulation;
use crate::store::log_writer::CatchUp;
use crate::store::postgres::leader::Leadership;

/// How often the generator wakes up to catch up with real time.
pub const TICK: Duration = Duration::from_millis(100);
/// Simulated seconds one tick may play at most, so a long stall does not become one huge burst
/// (and catching up runs at most this many simulated seconds per tick).
pub const MAX_STEPS_PER_TICK: f64 = 3600.0;
/// The author name on everything the generator does.
pub const AUTHOR: &str = crate::sim::news::AUTHOR;
/// How soon a new leader looks again when the hub has not caught up with the head yet.
const PLAN_RETRY: Duration = Duration::from_millis(50);

/// What this node's generator is doing, shared with `/healthz` and the `generator_leader` gauge.
#[derive(Clone)]
pub struct Role {
    cell: Arc<AtomicU8>,
    gauge: IntGauge,
}

impl Role {
    const OFF: u8 = 0;
    const STANDBY: u8 = 1;
    const LEADER: u8 = 2;

    /// A generator that is off (`--no-generator`) until one is started with this role.
    pub fn new(gauge: IntGauge) -> Role {
        Role {
            cell: Arc::new(AtomicU8::new(Role::OFF)),
            gauge,
        }
    }

    /// `leader`, `standby` or `off`, as `/healthz` shows it.
    pub fn name(&self) -> &'static str {
        match self.cell.load(Ordering::Relaxed) {
            Role::LEADER => "leader",
            Role::STANDBY => "standby",
            _ => "off",
        }
    }

    fn set(&self, leading: bool) {
        let role = if leading { Role::LEADER } else { Role::STANDBY };
        self.cell.store(role, Ordering::Relaxed);
        self.gauge.set(i64::from(leading));
    }
}

pub struct Generator {
    hub: Addr<Hub>,
    seed: u64,
    speed: f64,
    running: bool,
    /// The plan, while this generator leads (alone, always).
    sim: Option<Simulation>,
    /// In a cluster, wait to be elected before generating.
    clustered: bool,
    /// The leader's epoch its batches carry (in a cluster, while leading).
    epoch: Option<u64>,
    role: Role,
    /// Simulated seconds owed to the simulation but not yet played.
    owed: f64,
    last_tick: Instant,
}

impl Generator {
    /// A generator that leads from the start (no cluster).
    pub fn new(hub: Addr<Hub>, seed: u64, speed: f64, role: Role) -> Generator {
        Generator {
            hub,
            seed,
            speed,
            running: true,
            sim: None,
            clustered: false,
            epoch: None,
            role,
            owed: 0.0,
            last_tick: Instant::now(),
        }
    }

    /// Wait on standby until elected ([`Leadership::Lead`]).
    pub fn clustered(mut self) -> Generator {
        self.clustered = true;
        self
    }

    /// Plan the matches from the hub's committed state, once it has caught up to `head`, unless
    /// the leadership changed meanwhile (`epoch` is no longer this generator's).
    fn plan(&mut self, ctx: &mut Context<Self>, epoch: Option<u64>, head: Seq) {
        let seed = self.seed;
        ctx.wait(
            self.hub
                .send(ReadState)
                .into_actor(self)
                .map(move |state, act, ctx| {
                    if act.epoch != epoch {
                        return;
                    }
                    match state {
                        Ok((seq, _)) if seq < head => {
                            act.hub.do_send(CatchUp);
                            ctx.run_later(PLAN_RETRY, move |act, ctx| act.plan(ctx, epoch, head));
                        }
                        Ok((seq, state)) => {
                            let sim = Simulation::new(seed, &state, Utc::now());
                            tracing::info!(
                                seed,
                                speed = act.speed,
                                epoch,
                                %seq,
                                clock = %sim.clock(),
                                matches = sim.games().count(),
                                "generator started"
                            );
                            act.sim = Some(sim);
                            act.owed = 0.0;
                            act.last_tick = Instant::now();
                        }
                        Err(e) => {
                            tracing::error!(error = %e, "generator could not read the feed state")
                        }
                    }
                }),
        );
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
        // Behind the real clock, play the difference at once (up to the cap).
        let behind = sim.behind(Utc::now()) as f64;
        let steps = self.owed.floor().max(behind).min(MAX_STEPS_PER_TICK);
        self.owed = (self.owed - steps).max(0.0);
        let mut commands = Vec::new();
        let mut played = 0u64;
        while played < steps as u64 && sim.step(&mut commands) {
            played += 1;
        }
        // Steps held back until the hub answers (a match it has not created yet is due) are
        // still owed, unless they were catch-up, which the next tick measures again.
        if behind < steps {
            self.owed = (self.owed + (steps - played as f64)).min(MAX_STEPS_PER_TICK);
        }
        if commands.is_empty() {
            return;
        }
        let request = self.hub.send(ExecuteAll {
            commands: commands.clone(),
            author: AUTHOR.to_owned(),
            epoch: self.epoch,
        });
        // `wait` holds back the next tick (and every other message) until the hub has answered,
        // keeping the simulation and the hub in step.
        ctx.wait(
            request
                .into_actor(self)
                .map(move |results, act, _| match results {
                    Ok(results) => act.absorb(&commands, results),
                    Err(e) => {
                        tracing::warn!(error = %e, "hub unreachable from the generator");
                        // Nothing was created: do not wait for those matches.
                        if let Some(sim) = act.sim.as_mut() {
                            commands
                                .iter()
                                .filter(|c| matches!(c, Command::MatchCreate { .. }))
                                .for_each(|c| sim.rejected(c));
                        }
                    }
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
        self.role.set(!self.clustered);
        if !self.clustered {
            self.plan(ctx, None, Seq(0));
        }
        ctx.run_interval(TICK, |act, ctx| act.tick(ctx));
    }
}

impl Handler<Leadership> for Generator {
    type Result = ();

    fn handle(&mut self, msg: Leadership, ctx: &mut Context<Self>) {
        match msg {
            Leadership::Lead { epoch, head } => {
                self.epoch = Some(epoch);
                self.sim = None;
                self.role.set(true);
                self.plan(ctx, Some(epoch), head);
            }
            Leadership::Fenced { epoch } if self.epoch.is_some_and(|mine| mine < epoch) => {
                tracing::warn!(epoch, "generator fenced by a newer leader; standing down");
                self.stand_down();
            }
            Leadership::StandDown if self.epoch.is_some() => {
                tracing::info!("generator standing down");
                self.stand_down();
            }
            Leadership::Fenced { .. } | Leadership::StandDown => {}
        }
    }
}

impl Generator {
    fn stand_down(&mut self) {
        self.epoch = None;
        self.sim = None;
        self.role.set(false);
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
