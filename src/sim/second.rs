//! What one simulated second of play may bring: goals, cards and substitutions in football;
//! baskets, fouls, timeouts and substitutions in basketball; and the statistics behind them.
//!
//! Every player named is one the feed will accept: on the team sheet's pitch when the team has
//! a sheet (see [`super::sheet`]), else anyone of the squad not sent off.

use std::collections::BTreeMap;

use rand::prelude::*;

use crate::feed::Command;
use crate::ids::TeamId;
use crate::model::{IncidentKind, Side, Team};
use crate::sim::play::{Game, Highlight};
use crate::sim::players::{outfield_weight, pick_player, scorer_weight};

/// Football: expected goals per match, spread over 90 minutes.
const GOALS_PER_MATCH: f64 = 2.7;
const YELLOWS_PER_MATCH: f64 = 3.6;
const REDS_PER_MATCH: f64 = 0.12;
/// Substitutions happen in the second half only (so, per half, twice this rate), each coach
/// making the three to five its sheet planned.
const SUBS_PER_MATCH: f64 = 8.0;
/// Basketball: scoring plays per team per 48 minutes (at ~2.1 points each, ~110 points).
const BASKETS_PER_TEAM: f64 = 52.0;
const FOULS_PER_MATCH: f64 = 38.0;
const TIMEOUTS_PER_MATCH: f64 = 10.0;
const BASKETBALL_SUBS_PER_MATCH: f64 = 24.0;
const HOME_ADVANTAGE: f64 = 0.55;

impl Game {
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

    pub(super) fn team_of(&self, side: Side) -> &TeamId {
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

    /// A player of `side` by `weight` of position: from those on the pitch when the side has a
    /// sheet, else from the squad; never one sent off.
    fn pick(
        &self,
        rng: &mut StdRng,
        teams: &BTreeMap<TeamId, Team>,
        side: Side,
        weight: impl Fn(&str) -> u32,
    ) -> Option<String> {
        let team = teams.get(self.team_of(side));
        match &self.sheets[index(side)] {
            Some(sheet) => {
                let team = team?;
                sheet
                    .on
                    .choose_weighted(rng, |name| {
                        team.squad
                            .iter()
                            .find(|p| p.name == *name)
                            .map_or(0, |p| weight(&p.position))
                    })
                    .ok()
                    .cloned()
            }
            None => pick_player(rng, team, weight, &self.sent_off),
        }
    }

    /// `player` of `side` is sent off: off the sheet's pitch too.
    fn sent_off(&mut self, side: Side, player: String) {
        if let Some(sheet) = self.sheets[index(side)].as_mut() {
            sheet.send_off(&player);
        }
        self.sent_off.push(player);
    }

    /// A substitution for `side`: from its sheet (player on and off) when it has one and wants
    /// a change; a player coming on, as before sheets, when it has none.
    fn substitution(
        &mut self,
        rng: &mut StdRng,
        teams: &BTreeMap<TeamId, Team>,
        side: Side,
        out: &mut Vec<Command>,
    ) {
        let sport = self.sport;
        let Some(team) = teams.get(self.team_of(side)) else {
            return;
        };
        let change = match self.sheets[index(side)].as_mut() {
            Some(sheet) if sheet.wants_change() => {
                sheet.substitute(rng, sport, team, outfield_weight)
            }
            Some(_) => return,
            None => {
                let player = pick_player(rng, Some(team), outfield_weight, &self.sent_off);
                out.push(self.incident(IncidentKind::Substitution, side, player, None));
                return;
            }
        };
        if let Some((on, off)) = change {
            let mut command = self.incident(IncidentKind::Substitution, side, Some(on), None);
            if let Command::IncidentAdd { player_out, .. } = &mut command {
                *player_out = Some(off);
            }
            out.push(command);
        }
    }

    pub(super) fn football_second(
        &mut self,
        rng: &mut StdRng,
        teams: &BTreeMap<TeamId, Team>,
        out: &mut Vec<Command>,
    ) -> Option<Highlight> {
        let per_second = |per_match: f64| per_match / (90.0 * 60.0);
        let attacking = Self::pick_side(rng);
        self.tally.football_second(rng, self.secs, attacking);
        if rng.random_bool(per_second(GOALS_PER_MATCH)) {
            let side = Self::pick_side(rng);
            let roll = rng.random_range(0..100);
            let (kind, player_side) = match roll {
                0..3 => (IncidentKind::OwnGoal, other(side)),
                3..12 => (IncidentKind::PenaltyGoal, side),
                _ => (IncidentKind::Goal, side),
            };
            let player = self.pick(rng, teams, player_side, scorer_weight);
            // The incident names the player's team; an own goal counts for the other side.
            out.push(self.incident(kind, player_side, player.clone(), None));
            self.score = self.score.plus(side, 1);
            // The desk credits an own goal to no one (the player is the other side's), and
            // the statistics no shot.
            let scorer = match kind {
                IncidentKind::OwnGoal => None,
                _ => {
                    self.tally.goal(side);
                    player
                }
            };
            return Some(Highlight::Goal {
                side,
                player: scorer.unwrap_or_default(),
                minute: self.incident_minute(),
            });
        }
        if rng.random_bool(per_second(YELLOWS_PER_MATCH)) {
            let side = Self::pick_side(rng);
            let player = self.pick(rng, teams, side, outfield_weight);
            out.push(self.incident(IncidentKind::YellowCard, side, player.clone(), None));
            // A second yellow: the feed adds the red itself.
            if let Some(player) = player {
                if self.booked.contains(&player) {
                    self.sent_off(side, player);
                } else {
                    self.booked.push(player);
                }
            }
        } else if rng.random_bool(per_second(REDS_PER_MATCH)) {
            let side = Self::pick_side(rng);
            let player = self.pick(rng, teams, side, outfield_weight);
            out.push(self.incident(IncidentKind::RedCard, side, player.clone(), None));
            if let Some(player) = player {
                self.sent_off(side, player);
            }
        } else if self.period >= 2 && rng.random_bool(per_second(SUBS_PER_MATCH * 2.0)) {
            let side = Self::pick_side(rng);
            self.substitution(rng, teams, side, out);
        }
        None
    }

    pub(super) fn basketball_second(
        &mut self,
        rng: &mut StdRng,
        teams: &BTreeMap<TeamId, Team>,
        out: &mut Vec<Command>,
    ) -> Option<Highlight> {
        let per_second = |per_match: f64| per_match / (48.0 * 60.0);
        let boards = Self::pick_side(rng);
        self.tally.basketball_second(rng, boards);
        if rng.random_bool(per_second(BASKETS_PER_TEAM * 2.0)) {
            let side = Self::pick_side(rng);
            let points = match rng.random_range(0..100) {
                0..15 => 1,
                15..73 => 2,
                _ => 3,
            };
            let player = self.pick(rng, teams, side, |_| 1);
            out.push(self.incident(IncidentKind::Points, side, player, Some(points)));
            self.score = self.score.plus(side, points);
            self.tally.basket(rng, side, points);
        } else if rng.random_bool(per_second(FOULS_PER_MATCH)) {
            let side = Self::pick_side(rng);
            let player = self.pick(rng, teams, side, |_| 1);
            out.push(self.incident(IncidentKind::Foul, side, player, None));
            self.tally.foul(side, self.period);
        } else if rng.random_bool(per_second(TIMEOUTS_PER_MATCH)) {
            let side = Self::pick_side(rng);
            out.push(self.incident(IncidentKind::Timeout, side, None, None));
        } else if self.sheets.iter().any(Option::is_some)
            && rng.random_bool(per_second(BASKETBALL_SUBS_PER_MATCH))
        {
            let side = Self::pick_side(rng);
            self.substitution(rng, teams, side, out);
        }
        None
    }
}

/// The sheet slot of `side` in [`Game::sheets`].
pub(super) fn index(side: Side) -> usize {
    match side {
        Side::Home => 0,
        Side::Away => 1,
    }
}

fn other(side: Side) -> Side {
    match side {
        Side::Home => Side::Away,
        Side::Away => Side::Home,
    }
}
