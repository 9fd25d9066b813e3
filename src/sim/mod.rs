//! The match simulation behind the generator: pure and seeded, so that the same seed and fixtures
//! always produce the same commands.
//!
//! [`Simulation::step`] advances one simulated second and appends the [`Command`]s it wants sent;
//! the generator actor (`actors/generator.rs`) decides how many steps real time allows and carries
//! the commands to the hub like any admin would. Matches kick off in kick-off order, a few at a
//! time; when the last one ends, a new round is drawn from the fixture teams so the feed never
//! goes quiet.

pub mod news;
pub mod play;

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use rand::prelude::*;

use crate::feed::{Command, FeedState};
use crate::ids::{MatchId, TeamId};
use crate::model::{League, MatchStatus, Team};
use play::{Game, Highlight, Phase};

/// Matches in play at once.
pub const MAX_LIVE: usize = 4;
/// Below this many live matches, the next one kicks off at once.
const MIN_LIVE: usize = 2;
/// Simulated seconds between kick-offs once `MIN_LIVE` matches are under way.
const KICKOFF_GAP_SECS: u64 = 3 * 60;
/// Share of football goals that get a news flash.
const GOAL_FLASH_CHANCE: f64 = 0.35;
/// Simulated seconds between desk stories.
const STORY_GAP_SECS: std::ops::RangeInclusive<u64> = 8 * 60..=20 * 60;
/// Matches per league in a new round.
const ROUND_MATCHES_PER_LEAGUE: usize = 3;

/// The generator's whole plan: the matches it is playing and the clock it plays them by.
pub struct Simulation {
    rng: StdRng,
    /// Simulated seconds since the simulation started.
    now: u64,
    /// Scheduled and in-play matches, in kick-off order.
    games: Vec<Game>,
    teams: BTreeMap<TeamId, Team>,
    leagues: Vec<League>,
    last_kickoff: Option<u64>,
    next_story_at: u64,
    round_requested: bool,
}

impl Simulation {
    /// Plan to play every unfinished match of `state`, picking up live ones where they stand.
    pub fn new(seed: u64, state: &FeedState) -> Simulation {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut matches: Vec<_> = state
            .matches()
            .filter(|m| !m.status.is_terminal() && m.status != MatchStatus::Postponed)
            .collect();
        matches.sort_by_key(|m| (m.kickoff, m.id));
        let games = matches
            .into_iter()
            .map(|m| {
                let mut game = Game::new(
                    m.id,
                    m.sport,
                    m.league.clone(),
                    m.home.clone(),
                    m.away.clone(),
                );
                if m.status.is_in_play() {
                    game.resume(m.status, m.period, m.minute, m.score);
                }
                game
            })
            .collect();
        let next_story_at = rng.random_range(60..=5 * 60);
        Simulation {
            rng,
            now: 0,
            games,
            teams: state.teams().map(|t| (t.id.clone(), t.clone())).collect(),
            leagues: state.leagues().cloned().collect(),
            last_kickoff: None,
            next_story_at,
            round_requested: false,
        }
    }

    /// Simulated seconds played so far.
    pub fn clock(&self) -> u64 {
        self.now
    }

    /// Matches still to play or in play.
    pub fn games(&self) -> &[Game] {
        &self.games
    }

    /// Advance one simulated second. `wall_now` only dates the kick-offs of a new round.
    pub fn step(&mut self, wall_now: DateTime<Utc>, out: &mut Vec<Command>) {
        self.now += 1;
        self.kick_off_next(out);
        for i in 0..self.games.len() {
            let highlight = self.games[i].step(self.now, &mut self.rng, &self.teams, out);
            let game = &self.games[i];
            match highlight {
                Some(Highlight::Goal { side, player })
                    if self.rng.random_bool(GOAL_FLASH_CHANCE) =>
                {
                    out.push(news::goal_flash(
                        &mut self.rng,
                        game,
                        side,
                        &player,
                        &self.teams,
                    ));
                }
                Some(Highlight::Final) => {
                    out.push(news::full_time(&mut self.rng, game, &self.teams))
                }
                _ => {}
            }
        }
        self.games.retain(|g| g.phase != Phase::Done);
        if self.now >= self.next_story_at && !self.games.is_empty() {
            let pick = self.rng.random_range(0..self.games.len());
            out.push(news::desk_story(
                &mut self.rng,
                &self.games[pick],
                &self.teams,
            ));
            self.next_story_at = self.now + self.rng.random_range(STORY_GAP_SECS);
        }
        if self.games.is_empty() && !self.round_requested {
            self.new_round(wall_now, out);
        }
    }

    fn kick_off_next(&mut self, out: &mut Vec<Command>) {
        let live = self.games.iter().filter(|g| g.is_live()).count();
        let gap_passed = self
            .last_kickoff
            .is_none_or(|at| self.now >= at + KICKOFF_GAP_SECS);
        if live >= MAX_LIVE || (live >= MIN_LIVE && !gap_passed) {
            return;
        }
        if let Some(game) = self.games.iter_mut().find(|g| g.phase == Phase::Scheduled) {
            game.kick_off(&mut self.rng, out);
            self.last_kickoff = Some(self.now);
        }
    }

    /// Draw a new round: a few pairings per league from its teams, kicking off shortly.
    fn new_round(&mut self, wall_now: DateTime<Utc>, out: &mut Vec<Command>) {
        self.round_requested = true;
        let mut slot = 0;
        for league in &self.leagues {
            let mut teams: Vec<&TeamId> = self
                .teams
                .values()
                .filter(|t| t.league == league.id)
                .map(|t| &t.id)
                .collect();
            teams.shuffle(&mut self.rng);
            for pair in teams.chunks_exact(2).take(ROUND_MATCHES_PER_LEAGUE) {
                slot += 1;
                out.push(Command::MatchCreate {
                    league: league.id.clone(),
                    home: pair[0].clone(),
                    away: pair[1].clone(),
                    kickoff: wall_now + Duration::minutes(5 * slot),
                });
            }
        }
    }

    /// The hub refused `command`: an admin has taken the match elsewhere (ended it, cancelled
    /// it), so stop playing it.
    pub fn rejected(&mut self, command: &Command) {
        let match_id = match command {
            Command::ScoreSet { match_id, .. }
            | Command::IncidentAdd { match_id, .. }
            | Command::MatchStatus { match_id, .. } => *match_id,
            Command::MatchCreate { .. } => {
                self.round_requested = false;
                return;
            }
            _ => return,
        };
        self.games.retain(|g| g.id != match_id);
    }

    /// The hub created a match this simulation asked for; schedule it.
    pub fn created(&mut self, command: &Command, id: MatchId) {
        if let Command::MatchCreate {
            league, home, away, ..
        } = command
        {
            let sport = self
                .leagues
                .iter()
                .find(|l| l.id == *league)
                .map(|l| l.sport);
            if let Some(sport) = sport {
                self.games.push(Game::new(
                    id,
                    sport,
                    league.clone(),
                    home.clone(),
                    away.clone(),
                ));
            }
            self.round_requested = false;
        }
    }
}
