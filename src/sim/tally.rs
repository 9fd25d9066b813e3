//! The simulation's match statistics: counted as play goes, sent with `stats.set` every few
//! simulated minutes and at the end of each period, not every second, so that statistics stay
//! a small share of the events viewers receive.
//!
//! Rates are about a real match's: per football side some 12 shots (a third on target), five
//! corners and eleven fouls; per basketball side some 44 rebounds and, on most baskets, an
//! assist. Basketball fouls are the feed's own `foul` incidents, counted by period.

use rand::prelude::*;

use crate::feed::Command;
use crate::feed::stats::StatsInput;
use crate::ids::MatchId;
use crate::model::{MatchStats, Side, Sport};

/// Simulated seconds of play between two `stats.set`s.
pub const FOOTBALL_STATS_EVERY: u32 = 5 * 60;
pub const BASKETBALL_STATS_EVERY: u32 = 3 * 60;
/// Per football match, both sides together.
const SHOTS_PER_MATCH: f64 = 24.0;
const ON_TARGET_SHARE: f64 = 0.35;
const CORNERS_PER_MATCH: f64 = 10.0;
const FOULS_PER_MATCH: f64 = 22.0;
/// Per basketball game, both sides together.
const REBOUNDS_PER_GAME: f64 = 88.0;
const ASSIST_SHARE: f64 = 0.6;

/// One side's counts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SideTally {
    pub shots: u32,
    pub on_target: u32,
    pub corners: u32,
    pub fouls: u32,
    pub rebounds: u32,
    pub assists: u32,
    pub fouls_by_period: Vec<u32>,
}

/// Both sides' counts, and the home side's share of the ball.
#[derive(Debug, Clone, PartialEq)]
pub struct Tally {
    pub home: SideTally,
    pub away: SideTally,
    /// Home possession in percent, drifting over the match.
    pub possession: f64,
}

impl Default for Tally {
    fn default() -> Tally {
        Tally {
            home: SideTally::default(),
            away: SideTally::default(),
            possession: 52.0,
        }
    }
}

impl Tally {
    /// Pick up the counts a match already shows (after a restart).
    pub fn from_stats(stats: &MatchStats) -> Tally {
        let side = |s: &crate::model::SideStats| SideTally {
            shots: s.shots.unwrap_or(0),
            on_target: s.shots_on_target.unwrap_or(0),
            corners: s.corners.unwrap_or(0),
            fouls: s.fouls.unwrap_or(0),
            rebounds: s.rebounds.unwrap_or(0),
            assists: s.assists.unwrap_or(0),
            fouls_by_period: s.fouls_by_period.clone().unwrap_or_default(),
        };
        Tally {
            home: side(&stats.home),
            away: side(&stats.away),
            possession: f64::from(stats.home.possession.unwrap_or(50)),
        }
    }

    pub fn side(&mut self, side: Side) -> &mut SideTally {
        match side {
            Side::Home => &mut self.home,
            Side::Away => &mut self.away,
        }
    }

    /// One second of football away from the goals (which [`Tally::goal`] counts).
    pub fn football_second(&mut self, rng: &mut StdRng, secs: u32, attacking: Side) {
        let per_second = |per_match: f64| per_match / (90.0 * 60.0);
        let side = self.side(attacking);
        if rng.random_bool(per_second(SHOTS_PER_MATCH)) {
            side.shots += 1;
            if rng.random_bool(ON_TARGET_SHARE) {
                side.on_target += 1;
            }
        }
        if rng.random_bool(per_second(CORNERS_PER_MATCH)) {
            side.corners += 1;
        }
        if rng.random_bool(per_second(FOULS_PER_MATCH)) {
            side.fouls += 1;
        }
        if secs.is_multiple_of(60) {
            self.possession = (self.possession + rng.random_range(-2.0..=2.0)).clamp(35.0, 65.0);
        }
    }

    /// A goal from open play or a penalty: a shot on target.
    pub fn goal(&mut self, side: Side) {
        let side = self.side(side);
        side.shots += 1;
        side.on_target += 1;
    }

    /// One second of basketball: rebounds for `side`.
    pub fn basketball_second(&mut self, rng: &mut StdRng, side: Side) {
        if rng.random_bool(REBOUNDS_PER_GAME / (48.0 * 60.0)) {
            self.side(side).rebounds += 1;
        }
    }

    /// A basket of `points` for `side`: most two- and three-pointers are assisted.
    pub fn basket(&mut self, rng: &mut StdRng, side: Side, points: u32) {
        if points > 1 && rng.random_bool(ASSIST_SHARE) {
            self.side(side).assists += 1;
        }
    }

    /// A foul by `side` in `period`.
    pub fn foul(&mut self, side: Side, period: u8) {
        let fouls = &mut self.side(side).fouls_by_period;
        let at = usize::from(period.max(1)) - 1;
        if fouls.len() <= at {
            fouls.resize(at + 1, 0);
        }
        fouls[at] += 1;
    }

    /// The `stats.set` that sends the counts as they stand.
    pub fn command(&self, sport: Sport, match_id: MatchId, period: u8) -> Command {
        let possession = self.possession.round() as i64;
        let side = |t: &SideTally, possession: i64| match sport {
            Sport::Football => StatsInput {
                shots: Some(i64::from(t.shots)),
                shots_on_target: Some(i64::from(t.on_target)),
                possession: Some(possession),
                corners: Some(i64::from(t.corners)),
                fouls: Some(i64::from(t.fouls)),
                ..StatsInput::default()
            },
            Sport::Basketball => {
                let mut fouls: Vec<i64> = t.fouls_by_period.iter().map(|&n| i64::from(n)).collect();
                fouls.resize(usize::from(period.max(1)), 0);
                StatsInput {
                    rebounds: Some(i64::from(t.rebounds)),
                    assists: Some(i64::from(t.assists)),
                    fouls_by_period: Some(fouls),
                    ..StatsInput::default()
                }
            }
        };
        Command::StatsSet {
            match_id,
            home: Box::new(side(&self.home, possession)),
            away: Box::new(side(&self.away, 100 - possession)),
            expected_version: None,
        }
    }
}
