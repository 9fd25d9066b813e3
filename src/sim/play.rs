//! One simulated match, advanced a simulated second at a time.
//!
//! Rates are tuned to look like the real thing: about 2.7 goals, 3.5 yellow cards and eight
//! substitutions in a football match; about 110 points a side in basketball, in baskets worth one
//! (free throws), two or three points. The game's own tally of the score is only used for news
//! text: the hub's state, which admins may also edit, is the truth.
//!
//! Times are Unix seconds of the simulated clock. Football incidents carry the minute the way
//! football counts it (a goal 30 seconds in is in the 1st minute); basketball's carry the minutes
//! played, like its game clock.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rand::prelude::*;

use crate::feed::Command;
use crate::ids::{LeagueId, MatchId, TeamId};
use crate::model::{IncidentKind, MatchStatus, Score, Side, Sport, Team};
use crate::sim::players::{outfield_weight, pick_player, scorer_weight};

/// Football: expected goals per match, spread over 90 minutes.
const GOALS_PER_MATCH: f64 = 2.7;
const YELLOWS_PER_MATCH: f64 = 3.6;
const REDS_PER_MATCH: f64 = 0.12;
/// Substitutions happen in the second half only.
const SUBS_PER_MATCH: f64 = 8.0;
/// Basketball: scoring plays per team per 48 minutes (at ~2.1 points each, ~110 points).
const BASKETS_PER_TEAM: f64 = 52.0;
const FOULS_PER_MATCH: f64 = 38.0;
const TIMEOUTS_PER_MATCH: f64 = 10.0;
const HOME_ADVANTAGE: f64 = 0.55;

/// Simulated seconds a break lasts.
const HALFTIME_SECS: i64 = 15 * 60;
const QUARTER_BREAK_SECS: i64 = 2 * 60;
const OVERTIME_MINUTES: u32 = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Scheduled,
    Playing,
    /// In a break until the given simulated second.
    Resting {
        until: i64,
    },
    Done,
}

/// What happened in a step that the news desk may write about.
#[derive(Debug, Clone, PartialEq)]
pub enum Highlight {
    /// A goal in the given minute (1-based, as football counts).
    Goal {
        side: Side,
        player: String,
        minute: u16,
    },
    Final,
}

/// The generator's view of one match it is playing.
#[derive(Debug, Clone)]
pub struct Game {
    pub id: MatchId,
    pub sport: Sport,
    pub league: LeagueId,
    pub home: TeamId,
    pub away: TeamId,
    /// Kick-off, in Unix seconds.
    pub kickoff: i64,
    pub phase: Phase,
    pub period: u8,
    /// Seconds played in the current period.
    pub secs: u32,
    /// Length of the current period in seconds, stoppage time included.
    pub period_len: u32,
    pub score: Score,
    /// The desk stories written about it so far, one bit per kind (see `news::desk_story`).
    pub stories: u8,
    /// Players booked once, and players sent off (who the feed refuses any further incident
    /// for, so the simulation picks none of them).
    pub booked: Vec<String>,
    pub sent_off: Vec<String>,
}

impl Game {
    pub fn new(
        id: MatchId,
        sport: Sport,
        league: LeagueId,
        home: TeamId,
        away: TeamId,
        kickoff: DateTime<Utc>,
    ) -> Game {
        Game {
            id,
            sport,
            league,
            home,
            away,
            kickoff: kickoff.timestamp(),
            phase: Phase::Scheduled,
            period: 0,
            secs: 0,
            period_len: 0,
            score: Score::default(),
            stories: 0,
            booked: Vec::new(),
            sent_off: Vec::new(),
        }
    }

    /// Pick up a match that is already under way (after a restart, say) where it stands.
    pub fn resume(&mut self, status: MatchStatus, period: u8, minute: u16, score: Score) {
        self.period = period.max(1);
        self.score = score;
        let before = self.minutes_before(self.period);
        self.secs = (u32::from(minute).saturating_sub(before)) * 60;
        self.period_len = self.regulation_len(self.period);
        self.phase = match status {
            MatchStatus::Live => Phase::Playing,
            _ => Phase::Resting { until: 0 },
        };
    }

    pub fn is_live(&self) -> bool {
        matches!(self.phase, Phase::Playing | Phase::Resting { .. })
    }

    /// Minutes played before `period` starts.
    fn minutes_before(&self, period: u8) -> u32 {
        let p = u32::from(period.saturating_sub(1));
        let regulation = u32::from(self.sport.periods());
        let len = u32::from(self.sport.period_minutes());
        if p <= regulation {
            p * len
        } else {
            regulation * len + (p - regulation) * OVERTIME_MINUTES
        }
    }

    fn regulation_len(&self, period: u8) -> u32 {
        if period > self.sport.periods() {
            OVERTIME_MINUTES * 60
        } else {
            u32::from(self.sport.period_minutes()) * 60
        }
    }

    /// Minutes played so far, as the match clock shows them.
    fn minute(&self) -> u16 {
        (self.minutes_before(self.period) + self.secs / 60) as u16
    }

    /// The minute an incident happens in: football's are 1-based (the first 60 seconds are the
    /// 1st minute), basketball's are minutes played.
    pub fn incident_minute(&self) -> u16 {
        match self.sport {
            Sport::Football => self.minute() + 1,
            Sport::Basketball => self.minute(),
        }
    }

    /// The last minute of regulation time in the current period (45 or 90 in football).
    pub fn regulation_end(&self) -> u16 {
        (self.minutes_before(self.period) + self.regulation_len(self.period) / 60) as u16
    }

    fn status(&self, status: MatchStatus) -> Command {
        Command::MatchStatus {
            match_id: self.id,
            status,
            period: Some(self.period),
            minute: Some(self.minute()),
        }
    }

    /// Start the match.
    pub fn kick_off(&mut self, rng: &mut StdRng, out: &mut Vec<Command>) {
        self.phase = Phase::Playing;
        self.period = 1;
        self.secs = 0;
        self.period_len = self.period_length(rng);
        out.push(self.status(MatchStatus::Live));
    }

    fn period_length(&self, rng: &mut StdRng) -> u32 {
        let regulation = self.regulation_len(self.period);
        match self.sport {
            // Stoppage time: one to five minutes.
            Sport::Football => regulation + rng.random_range(1..=5) * 60,
            Sport::Basketball => regulation,
        }
    }

    /// Advance one simulated second; `now` is the simulation clock after this second.
    pub fn step(
        &mut self,
        now: i64,
        rng: &mut StdRng,
        teams: &BTreeMap<TeamId, Team>,
        out: &mut Vec<Command>,
    ) -> Option<Highlight> {
        match self.phase {
            Phase::Scheduled | Phase::Done => None,
            Phase::Resting { until } if now < until => None,
            Phase::Resting { .. } => {
                self.period += 1;
                self.secs = 0;
                self.period_len = self.period_length(rng);
                self.phase = Phase::Playing;
                out.push(self.status(MatchStatus::Live));
                None
            }
            Phase::Playing => {
                self.secs += 1;
                let highlight = match self.sport {
                    Sport::Football => self.football_second(rng, teams, out),
                    Sport::Basketball => self.basketball_second(rng, teams, out),
                };
                if self.secs >= self.period_len {
                    let end = self.end_period(now);
                    out.push(self.status(end));
                    return match end {
                        MatchStatus::Final => Some(Highlight::Final),
                        _ => highlight,
                    };
                }
                if self.secs.is_multiple_of(60) {
                    out.push(self.status(MatchStatus::Live));
                }
                highlight
            }
        }
    }

    /// The status that ends the current period, and the phase that follows.
    fn end_period(&mut self, now: i64) -> MatchStatus {
        let regulation = self.sport.periods();
        let (status, rest) = match self.sport {
            Sport::Football if self.period == 1 => (MatchStatus::Halftime, HALFTIME_SECS),
            Sport::Football => (MatchStatus::Final, 0),
            Sport::Basketball if self.period == 2 => (MatchStatus::Halftime, HALFTIME_SECS),
            Sport::Basketball if self.period < regulation => {
                (MatchStatus::Break, QUARTER_BREAK_SECS)
            }
            Sport::Basketball if self.score.home == self.score.away => {
                (MatchStatus::Break, QUARTER_BREAK_SECS)
            }
            Sport::Basketball => (MatchStatus::Final, 0),
        };
        self.phase = if status == MatchStatus::Final {
            Phase::Done
        } else {
            Phase::Resting { until: now + rest }
        };
        status
    }

    fn incident(
        &self,
        kind: IncidentKind,
        side: Side,
        player: Option<String>,
        points: Option<u32>,
    ) -> Command {
        Command::IncidentAdd {
            match_id: self.id,
            kind,
            team: Some(side),
            player,
            player_out: None,
            minute: Some(self.incident_minute()),
            points,
            detail: None,
            expected_version: None,
        }
    }

    fn team_of(&self, side: Side) -> &TeamId {
        match side {
            Side::Home => &self.home,
            Side::Away => &self.away,
        }
    }

    fn pick_side(rng: &mut StdRng) -> Side {
        if rng.random_bool(HOME_ADVANTAGE) {
            Side::Home
        } else {
            Side::Away
        }
    }

    fn football_second(
        &mut self,
        rng: &mut StdRng,
        teams: &BTreeMap<TeamId, Team>,
        out: &mut Vec<Command>,
    ) -> Option<Highlight> {
        let per_second = |per_match: f64| per_match / (90.0 * 60.0);
        if rng.random_bool(per_second(GOALS_PER_MATCH)) {
            let side = Self::pick_side(rng);
            let roll = rng.random_range(0..100);
            let (kind, player_side) = match roll {
                0..3 => (IncidentKind::OwnGoal, other(side)),
                3..12 => (IncidentKind::PenaltyGoal, side),
                _ => (IncidentKind::Goal, side),
            };
            let team = teams.get(self.team_of(player_side));
            let player = pick_player(rng, team, scorer_weight, &self.sent_off);
            // The incident names the player's team; an own goal counts for the other side.
            out.push(self.incident(kind, player_side, player.clone(), None));
            self.score = self.score.plus(side, 1);
            // The desk credits an own goal to no one (the player is the other side's).
            let scorer = match kind {
                IncidentKind::OwnGoal => None,
                _ => player,
            };
            return Some(Highlight::Goal {
                side,
                player: scorer.unwrap_or_default(),
                minute: self.incident_minute(),
            });
        }
        if rng.random_bool(per_second(YELLOWS_PER_MATCH)) {
            let side = Self::pick_side(rng);
            let team = teams.get(self.team_of(side));
            let player = pick_player(rng, team, outfield_weight, &self.sent_off);
            out.push(self.incident(IncidentKind::YellowCard, side, player.clone(), None));
            // A second yellow: the feed adds the red itself.
            if let Some(player) = player {
                if self.booked.contains(&player) {
                    self.sent_off.push(player);
                } else {
                    self.booked.push(player);
                }
            }
        } else if rng.random_bool(per_second(REDS_PER_MATCH)) {
            let side = Self::pick_side(rng);
            let team = teams.get(self.team_of(side));
            let player = pick_player(rng, team, outfield_weight, &self.sent_off);
            out.push(self.incident(IncidentKind::RedCard, side, player.clone(), None));
            self.sent_off.extend(player);
        } else if self.period >= 2 && rng.random_bool(per_second(SUBS_PER_MATCH * 2.0)) {
            let side = Self::pick_side(rng);
            let team = teams.get(self.team_of(side));
            let player = pick_player(rng, team, outfield_weight, &self.sent_off);
            out.push(self.incident(IncidentKind::Substitution, side, player, None));
        }
        None
    }

    fn basketball_second(
        &mut self,
        rng: &mut StdRng,
        teams: &BTreeMap<TeamId, Team>,
        out: &mut Vec<Command>,
    ) -> Option<Highlight> {
        let per_second = |per_match: f64| per_match / (48.0 * 60.0);
        if rng.random_bool(per_second(BASKETS_PER_TEAM * 2.0)) {
            let side = Self::pick_side(rng);
            let points = match rng.random_range(0..100) {
                0..15 => 1,
                15..73 => 2,
                _ => 3,
            };
            let player = pick_player(rng, teams.get(self.team_of(side)), |_| 1, &self.sent_off);
            out.push(self.incident(IncidentKind::Points, side, player, Some(points)));
            self.score = self.score.plus(side, points);
        } else if rng.random_bool(per_second(FOULS_PER_MATCH)) {
            let side = Self::pick_side(rng);
            let player = pick_player(rng, teams.get(self.team_of(side)), |_| 1, &self.sent_off);
            out.push(self.incident(IncidentKind::Foul, side, player, None));
        } else if rng.random_bool(per_second(TIMEOUTS_PER_MATCH)) {
            let side = Self::pick_side(rng);
            out.push(self.incident(IncidentKind::Timeout, side, None, None));
        }
        None
    }
}

fn other(side: Side) -> Side {
    match side {
        Side::Home => Side::Away,
        Side::Away => Side::Home,
    }
}
