//! The season so far: what the matches that left the live window leave behind for the tables.
//!
//! A match that is archived leaves the state (the archive keeps its JSON, bounded in bytes), but
//! its result must go on counting in the league table, the teams' form and the scorers' list.
//! So when an `archived` event takes a final match out, [`FeedState::apply`] folds its result
//! into the [`Season`] first: each team's totals and latest results, each pair's meetings (for
//! head-to-head tiebreaks) and each scorer's count. Its size depends on the number of teams,
//! pairs and squad players, never on how long the feed has run, and it travels in the stored
//! snapshots (so a restarted or another node has the same), never in the viewers' ones.
//!
//! [`FeedState::apply`]: crate::feed::FeedState::apply

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{LeagueId, MatchId, TeamId};
use crate::model::{IncidentKind, Match, MatchStatus, Side};

/// The latest results a team keeps (its form is the last five).
pub const RECENT_RESULTS: usize = 10;

/// The season's results, summed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Season {
    #[serde(default)]
    pub records: BTreeMap<TeamId, Record>,
    /// Keyed `"A|B"` with A before B, as JSON objects need string keys.
    #[serde(default)]
    pub meetings: BTreeMap<String, Meeting>,
    /// Keyed `"league|team|player"`.
    #[serde(default)]
    pub scorers: BTreeMap<String, Scorer>,
}

/// A team's results: totals and the latest few.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub played: u32,
    pub won: u32,
    pub drawn: u32,
    pub lost: u32,
    /// Goals or points scored and conceded.
    pub scored: u32,
    pub conceded: u32,
    /// Oldest first, at most [`RECENT_RESULTS`].
    #[serde(default)]
    pub recent: Vec<Played>,
}

/// One result from a team's side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Played {
    pub match_id: MatchId,
    pub kickoff: DateTime<Utc>,
    pub opponent: TeamId,
    pub home: bool,
    pub scored: u32,
    pub conceded: u32,
}

impl Played {
    /// `W`, `D` or `L`.
    pub fn outcome(&self) -> char {
        match self.scored.cmp(&self.conceded) {
            std::cmp::Ordering::Greater => 'W',
            std::cmp::Ordering::Equal => 'D',
            std::cmp::Ordering::Less => 'L',
        }
    }
}

/// What two teams did against each other, from the first-named team's (`a`'s) side.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Meeting {
    pub a_won: u32,
    pub b_won: u32,
    pub drawn: u32,
    pub a_scored: u32,
    pub b_scored: u32,
}

/// A player's goals (football) or points (basketball).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scorer {
    pub league: LeagueId,
    pub team: TeamId,
    pub player: String,
    pub scored: u32,
}

/// The key of the meeting between `x` and `y`, and whether `x` is its `a`.
pub fn meeting_key(x: &TeamId, y: &TeamId) -> (String, bool) {
    if x.0 <= y.0 {
        (format!("{}|{}", x.0, y.0), true)
    } else {
        (format!("{}|{}", y.0, x.0), false)
    }
}

/// Whether a match's result counts in the tables: finished, or under way ("as it stands").
pub fn counts(m: &Match) -> bool {
    m.status == MatchStatus::Final || m.status.is_in_play()
}

impl Season {
    /// True for a season without results (a new feed), which stored snapshots leave out.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty() && self.scorers.is_empty()
    }

    /// Add `m`'s result (as it stands) to the season: to the totals, the meetings and the
    /// scorers, and to the latest results once it is final (a match under way is no form yet).
    pub fn record(&mut self, m: &Match) {
        if !counts(m) {
            return;
        }
        let (home, away) = (m.score.home, m.score.away);
        for (team, opponent, is_home, scored, conceded) in [
            (&m.home, &m.away, true, home, away),
            (&m.away, &m.home, false, away, home),
        ] {
            let played = Played {
                match_id: m.id,
                kickoff: m.kickoff,
                opponent: opponent.clone(),
                home: is_home,
                scored,
                conceded,
            };
            let record = self.records.entry(team.clone()).or_default();
            record.add(&played);
            if m.status == MatchStatus::Final {
                record.recent.push(played);
                if record.recent.len() > RECENT_RESULTS {
                    record.recent.remove(0);
                }
            }
        }
        let (key, home_is_a) = meeting_key(&m.home, &m.away);
        let (a, b) = if home_is_a {
            (home, away)
        } else {
            (away, home)
        };
        self.meetings.entry(key).or_default().add(a, b);
        for (team, player, scored) in scorers_of(m) {
            let key = format!("{}|{}|{player}", m.league.0, team.0);
            self.scorers
                .entry(key)
                .or_insert_with(|| Scorer {
                    league: m.league.clone(),
                    team: team.clone(),
                    player: player.to_owned(),
                    scored: 0,
                })
                .scored += scored;
        }
    }
}

impl Record {
    /// Count one more result in the totals (not in `recent`).
    pub fn add(&mut self, p: &Played) {
        self.played += 1;
        self.scored += p.scored;
        self.conceded += p.conceded;
        match p.outcome() {
            'W' => self.won += 1,
            'D' => self.drawn += 1,
            _ => self.lost += 1,
        }
    }
}

impl Meeting {
    /// Count one more meeting, `a` and `b` being each side's score.
    pub fn add(&mut self, a: u32, b: u32) {
        self.a_scored += a;
        self.b_scored += b;
        match a.cmp(&b) {
            std::cmp::Ordering::Greater => self.a_won += 1,
            std::cmp::Ordering::Equal => self.drawn += 1,
            std::cmp::Ordering::Less => self.b_won += 1,
        }
    }
}

/// Who scored in `m` and how much: goals and penalty goals (not own goals) for football, points
/// for basketball, for named players only.
pub fn scorers_of(m: &Match) -> impl Iterator<Item = (&TeamId, &str, u32)> {
    m.incidents.iter().filter_map(move |i| {
        let counted = matches!(
            i.kind,
            IncidentKind::Goal | IncidentKind::PenaltyGoal | IncidentKind::Points
        );
        let team = match i.team? {
            Side::Home => &m.home,
            Side::Away => &m.away,
        };
        (counted && i.points > 0).then_some((team, i.player.as_deref()?, i.points))
    })
}
