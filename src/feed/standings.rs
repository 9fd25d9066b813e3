//! League tables, as they stand: the season's archived results ([`Season`]) plus every match of
//! the live window that is final or under way, ranked by the league's rules.
//!
//! Football: 3 points a win, 1 a draw; ties broken by the league's `tiebreaks` in order (goal
//! difference, goals scored, head-to-head by default; La Liga puts head-to-head first), then
//! by name. Basketball: win percentage, then head-to-head wins, then point difference, then
//! name. Head-to-head counts only the meetings among the teams still tied, as the leagues do.
//! A match under way counts with its current score, its teams' rows marked `playing`.

use std::collections::HashMap;

use serde::Serialize;

use crate::feed::season::{Played, Record, Scorer, Season, counts, meeting_key};
use crate::feed::state::FeedState;
use crate::ids::{LeagueId, MatchId, TeamId};
use crate::model::{League, Match, MatchStatus, Sport, Tiebreak};

/// How many players the scorers' list shows.
pub const TOP_SCORERS: usize = 10;
/// How many results make a team's form.
pub const FORM: usize = 5;

/// The tiebreaks of a league that lists none (the Premier League's order).
pub const DEFAULT_TIEBREAKS: [Tiebreak; 3] = [
    Tiebreak::GoalDifference,
    Tiebreak::GoalsScored,
    Tiebreak::HeadToHead,
];

/// `GET /api/standings?league=`: the table and the league's top scorers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    pub league: LeagueId,
    /// The league's name.
    pub name: String,
    pub sport: Sport,
    /// Every league of the feed, for a page that switches between tables.
    pub leagues: Vec<LeagueRef>,
    /// True while a match of the league is under way: the table is "as it stands".
    pub live: bool,
    pub rows: Vec<Row>,
    pub scorers: Vec<Scorer>,
}

/// A league as the table names it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeagueRef {
    pub id: LeagueId,
    pub name: String,
    pub sport: Sport,
}

/// One team's line in the table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    pub position: u32,
    pub team: TeamId,
    pub played: u32,
    pub won: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drawn: Option<u32>,
    pub lost: u32,
    pub scored: u32,
    pub conceded: u32,
    pub difference: i64,
    /// Football.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub points: Option<u32>,
    /// Basketball: wins per game played, to three decimals.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pct: Option<f64>,
    /// Basketball: games behind the leader.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub games_behind: Option<f64>,
    /// The last five final results, oldest first (`W`, `D`, `L`).
    pub form: String,
    /// The match the team is playing now, counted as it stands.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub playing: Option<MatchId>,
}

/// A league's results, summed: the season's and the live window's.
struct Tally<'a> {
    league: &'a League,
    /// The league's part of the season record, with the window's results added.
    season: Season,
    playing: HashMap<TeamId, MatchId>,
}

impl<'a> Tally<'a> {
    fn new(state: &'a FeedState, league: &'a League) -> Tally<'a> {
        let all: &Season = &state.season;
        let teams: Vec<&TeamId> = state
            .teams()
            .filter(|t| t.league == league.id)
            .map(|t| &t.id)
            .collect();
        let records = teams
            .iter()
            .map(|t| {
                let record = all.records.get(*t).cloned().unwrap_or_default();
                ((*t).clone(), record)
            })
            .collect();
        let prefix = format!("{}|", league.id.0);
        let season = Season {
            records,
            // Only this league's pairs: both teams of a key are the league's.
            meetings: all
                .meetings
                .iter()
                .filter(|(k, _)| k.split('|').all(|t| teams.iter().any(|team| team.0 == t)))
                .map(|(k, m)| (k.clone(), m.clone()))
                .collect(),
            scorers: all
                .scorers
                .range(prefix.clone()..)
                .take_while(|(k, _)| k.starts_with(&prefix))
                .map(|(k, s)| (k.clone(), s.clone()))
                .collect(),
        };
        let mut tally = Tally {
            league,
            season,
            playing: HashMap::new(),
        };
        let mut window: Vec<&Match> = state
            .matches()
            .filter(|m| m.league == league.id && counts(m))
            .collect();
        window.sort_by_key(|m| (m.kickoff, m.id));
        for m in window {
            tally.season.record(m);
            if m.status != MatchStatus::Final {
                tally.playing.insert(m.home.clone(), m.id);
                tally.playing.insert(m.away.clone(), m.id);
            }
        }
        tally
    }

    /// Head-to-head among `group`: (points or wins, difference) of `team`.
    fn head_to_head(&self, team: &TeamId, group: &[TeamId]) -> (i64, i64) {
        let (mut points, mut difference) = (0i64, 0i64);
        for other in group.iter().filter(|o| *o != team) {
            let (key, team_is_a) = meeting_key(team, other);
            let Some(m) = self.season.meetings.get(&key) else {
                continue;
            };
            let (won, scored, conceded) = if team_is_a {
                (m.a_won, m.a_scored, m.b_scored)
            } else {
                (m.b_won, m.b_scored, m.a_scored)
            };
            points += match self.league.sport {
                Sport::Football => i64::from(3 * won + m.drawn),
                Sport::Basketball => i64::from(won),
            };
            difference += i64::from(scored) - i64::from(conceded);
        }
        (points, difference)
    }

    /// `group` in table order by `criteria`, each applied to the teams the earlier ones left
    /// tied; the name last.
    fn order(&self, mut group: Vec<TeamId>, criteria: &[Criterion]) -> Vec<TeamId> {
        let Some((first, rest)) = criteria.split_first() else {
            group.sort();
            return group;
        };
        if group.len() < 2 {
            return group;
        }
        let key = |t: &TeamId| first.key(self, t, &group);
        let mut keyed: Vec<((i64, i64), TeamId)> =
            group.iter().map(|t| (key(t), t.clone())).collect();
        keyed.sort_by(|x, y| y.0.cmp(&x.0).then_with(|| x.1.cmp(&y.1)));
        let mut ordered = Vec::with_capacity(keyed.len());
        let mut start = 0;
        while start < keyed.len() {
            let end = keyed[start..]
                .iter()
                .position(|(k, _)| *k != keyed[start].0)
                .map_or(keyed.len(), |n| start + n);
            let tied = keyed[start..end].iter().map(|(_, t)| t.clone()).collect();
            ordered.extend(self.order(tied, rest));
            start = end;
        }
        ordered
    }

    fn table(mut self) -> Table {
        let criteria = criteria(self.league);
        let teams: Vec<TeamId> = self.season.records.keys().cloned().collect();
        let order = self.order(teams, &criteria);
        let sport = self.league.sport;
        let leader = order
            .first()
            .and_then(|t| self.season.records.get(t))
            .cloned();
        let rows = order
            .iter()
            .enumerate()
            .map(|(i, team)| {
                let r = &self.season.records[team];
                let form: String = r.recent[r.recent.len().saturating_sub(FORM)..]
                    .iter()
                    .map(Played::outcome)
                    .collect();
                let football = sport == Sport::Football;
                Row {
                    position: i as u32 + 1,
                    team: team.clone(),
                    played: r.played,
                    won: r.won,
                    drawn: football.then_some(r.drawn),
                    lost: r.lost,
                    scored: r.scored,
                    conceded: r.conceded,
                    difference: i64::from(r.scored) - i64::from(r.conceded),
                    points: football.then_some(3 * r.won + r.drawn),
                    pct: (!football).then(|| pct(r)),
                    games_behind: (!football).then(|| {
                        let l = leader.as_ref().unwrap_or(r);
                        let behind = (i64::from(l.won) - i64::from(r.won))
                            + (i64::from(r.lost) - i64::from(l.lost));
                        behind as f64 / 2.0
                    }),
                    form,
                    playing: self.playing.get(team).copied(),
                }
            })
            .collect();
        let mut scorers: Vec<Scorer> = std::mem::take(&mut self.season.scorers)
            .into_values()
            .collect();
        scorers.sort_by(|a, b| {
            b.scored
                .cmp(&a.scored)
                .then_with(|| a.player.cmp(&b.player))
        });
        scorers.truncate(TOP_SCORERS);
        Table {
            league: self.league.id.clone(),
            name: self.league.name.clone(),
            sport,
            leagues: Vec::new(),
            live: !self.playing.is_empty(),
            rows,
            scorers,
        }
    }
}

/// Wins per game, to three decimals (0 before any game).
fn pct(r: &Record) -> f64 {
    if r.played == 0 {
        return 0.0;
    }
    (f64::from(r.won) * 1000.0 / f64::from(r.played)).round() / 1000.0
}

/// One step of a league's ordering.
#[derive(Debug, Clone, Copy)]
enum Criterion {
    Points,
    WinShare,
    Difference,
    Scored,
    HeadToHead,
}

impl Criterion {
    /// Higher ranks first.
    fn key(self, tally: &Tally, team: &TeamId, group: &[TeamId]) -> (i64, i64) {
        let r = &tally.season.records[team];
        match self {
            Criterion::Points => (i64::from(3 * r.won + r.drawn), 0),
            // Cross-multiplied shares compare exactly; scaled to a common denominator here.
            Criterion::WinShare if r.played == 0 => (0, 0),
            Criterion::WinShare => (i64::from(r.won) * 1_000_000_000 / i64::from(r.played), 0),
            Criterion::Difference => (i64::from(r.scored) - i64::from(r.conceded), 0),
            Criterion::Scored => (i64::from(r.scored), 0),
            Criterion::HeadToHead => tally.head_to_head(team, group),
        }
    }
}

fn criteria(league: &League) -> Vec<Criterion> {
    match league.sport {
        Sport::Basketball => vec![
            Criterion::WinShare,
            Criterion::HeadToHead,
            Criterion::Difference,
        ],
        Sport::Football => {
            let tiebreaks = if league.tiebreaks.is_empty() {
                &DEFAULT_TIEBREAKS[..]
            } else {
                &league.tiebreaks[..]
            };
            std::iter::once(Criterion::Points)
                .chain(tiebreaks.iter().map(|t| match t {
                    Tiebreak::GoalDifference => Criterion::Difference,
                    Tiebreak::GoalsScored => Criterion::Scored,
                    Tiebreak::HeadToHead => Criterion::HeadToHead,
                }))
                .collect()
        }
    }
}

impl FeedState {
    /// The table of `league` as it stands, or `None` for a league the feed does not have.
    pub fn standings(&self, league: &LeagueId) -> Option<Table> {
        let league = self.league(league)?;
        let mut table = Tally::new(self, league).table();
        table.leagues = self
            .leagues()
            .map(|l| LeagueRef {
                id: l.id.clone(),
                name: l.name.clone(),
                sport: l.sport,
            })
            .collect();
        Some(table)
    }

    /// `team`'s results, newest first: the season's and the live window's final ones.
    pub(crate) fn results_of(&self, team: &TeamId) -> Vec<Played> {
        let league = self.team(team).map(|t| t.league.clone());
        let Some(league) = league.as_ref().and_then(|l| self.league(l)) else {
            return Vec::new();
        };
        let mut tally = Tally::new(self, league);
        let mut recent = tally
            .season
            .records
            .remove(team)
            .map(|r| r.recent)
            .unwrap_or_default();
        recent.reverse();
        recent.truncate(crate::feed::season::RECENT_RESULTS);
        recent
    }
}

#[cfg(test)]
#[path = "standings_tests.rs"]
mod tests;
