//! One simulated match, advanced a simulated second at a time.
//!
//! Rates are tuned to look like the real thing (see `second.rs`): about 2.7 goals, 3.5 yellow
//! cards and three to five substitutions a side in a football match; about 110 points a side in basketball, in baskets worth one
//! (free throws), two or three points. The game's own tally of the score is only used for news
//! text: the hub's state, which admins may also edit, is the truth.
//!
//! Times are Unix seconds of the simulated clock. Football incidents carry the minute the way
//! football counts it (a goal 30 seconds in is in the 1st minute); basketball's carry the minutes
//! played, like its game clock.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rand::prelude::*;

use crate::feed::{Command, FeedState};
use crate::ids::{LeagueId, MatchId, TeamId};
use crate::model::{IncidentKind, Match, MatchStatus, Score, Side, Sport, Team};
use crate::sim::second::index;
use crate::sim::sheet::Sheet;
use crate::sim::tally::{BASKETBALL_STATS_EVERY, FOOTBALL_STATS_EVERY, Tally};

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
    /// The home and away team sheets, once set.
    pub sheets: [Option<Sheet>; 2],
    /// The statistics so far.
    pub tally: Tally,
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
            sheets: [None, None],
            tally: Tally::default(),
        }
    }

    /// Take what the feed already holds about `m`: its bookings, its team sheets (with the
    /// timeline so far played out) and its statistics.
    pub fn adopt(&mut self, state: &FeedState, m: &Match) {
        for i in &m.incidents {
            let Some(player) = i.player.clone() else {
                continue;
            };
            match i.kind {
                IncidentKind::YellowCard if !self.booked.contains(&player) => {
                    self.booked.push(player)
                }
                IncidentKind::RedCard => self.sent_off.push(player),
                _ => {}
            }
        }
        for side in [Side::Home, Side::Away] {
            self.sheets[index(side)] = Sheet::of(state, m, side);
        }
        if let Some(stats) = &m.stats {
            self.tally = Tally::from_stats(stats);
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

    /// Start the match: both team sheets first (those not set yet), then the kick-off.
    pub fn kick_off(
        &mut self,
        rng: &mut StdRng,
        teams: &BTreeMap<TeamId, Team>,
        out: &mut Vec<Command>,
    ) {
        for side in [Side::Home, Side::Away] {
            let Some(team) = teams.get(self.team_of(side)) else {
                continue;
            };
            if self.sheets[index(side)].is_none()
                && let Some((sheet, command)) = Sheet::pick(rng, self.sport, self.id, side, team)
            {
                self.sheets[index(side)] = Some(sheet);
                out.push(command);
            }
        }
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
                let every = match self.sport {
                    Sport::Football => FOOTBALL_STATS_EVERY,
                    Sport::Basketball => BASKETBALL_STATS_EVERY,
                };
                // The figures every few minutes, and as each period ends (while the match is
                // still in play, so the last ones stand at full-time).
                if self.secs.is_multiple_of(every) || self.secs >= self.period_len {
                    out.push(self.tally.command(self.sport, self.id, self.period));
                }
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
}
