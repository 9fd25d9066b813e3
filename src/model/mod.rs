//! The domain: leagues, teams, matches, incidents and news, as they appear on the wire.
//!
//! These are plain serde types with no behaviour beyond small, obviously-correct helpers. The rules
//! about how they may change live in [`crate::feed::state`]; the identifiers they use live in
//! [`crate::ids`].

use chrono::{DateTime, NaiveTime, Utc, Weekday};
use serde::{Deserialize, Serialize};

use crate::ids::{IncidentId, LeagueId, MatchId, NewsId, TeamId, Version};

mod lineup;
mod score;
pub use lineup::{Lineup, Lineups, MatchStats, SideStats};
pub use score::{Adjust, Score, tally};

/// The sports the feed knows how to score and clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sport {
    /// Two halves of 45 minutes; goals.
    Football,
    /// Four quarters of 12 minutes; one-, two- and three-point baskets.
    Basketball,
}

impl Sport {
    /// Regulation periods in a game (halves or quarters).
    pub fn periods(self) -> u8 {
        match self {
            Sport::Football => 2,
            Sport::Basketball => 4,
        }
    }

    /// Minutes of play in one regulation period.
    pub fn period_minutes(self) -> u16 {
        match self {
            Sport::Football => 45,
            Sport::Basketball => 12,
        }
    }

    /// The incident kinds that make sense for this sport.
    pub fn allows(self, kind: IncidentKind) -> bool {
        use IncidentKind::*;
        match self {
            Sport::Football => matches!(
                kind,
                Goal | OwnGoal | PenaltyGoal | YellowCard | RedCard | Substitution | Period
            ),
            Sport::Basketball => matches!(kind, Points | Foul | Timeout | Substitution | Period),
        }
    }
}

/// A competition, e.g. the Premier League.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct League {
    pub id: LeagueId,
    pub name: String,
    pub sport: Sport,
    pub country: String,
    /// When the league plays, for the generator's calendar. Reference data like squads: read from
    /// the fixtures (`leagues.json`), never part of a snapshot.
    #[serde(default, skip_serializing)]
    pub cadence: Vec<Round>,
    /// How the table breaks ties after points (football), in order; reference data like the
    /// cadence. Empty: goal difference, goals scored, head-to-head.
    #[serde(default, skip_serializing)]
    pub tiebreaks: Vec<Tiebreak>,
}

/// A football tiebreak, after points, as a league's fixtures list them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tiebreak {
    GoalDifference,
    GoalsScored,
    /// Points, then goal difference, in the meetings among the teams still tied.
    HeadToHead,
}

/// One round of a league's week: every team plays at most once in it, in the slots listed (one
/// match per slot, as many as the league has pairs at most). A round spans the days from its
/// first slot's weekday to its last slot's (e.g. `fri 20:00` .. `mon 20:00` is one weekend).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Round {
    pub slots: Vec<Slot>,
    /// Played one week in this many (a midweek round every third week: 3).
    #[serde(default = "every_week")]
    pub every_weeks: u32,
}

fn every_week() -> u32 {
    1
}

/// A kick-off slot: a weekday and a local time of day in the feed's zone (`--timezone`), written
/// `"sat 15:00"` in the fixtures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct Slot {
    pub weekday: Weekday,
    pub time: NaiveTime,
}

impl TryFrom<String> for Slot {
    type Error = String;

    fn try_from(text: String) -> Result<Slot, String> {
        let bad = || format!("slot `{text}` is not a weekday and a time like `sat 15:00`");
        let (day, time) = text.split_once(' ').ok_or_else(bad)?;
        Ok(Slot {
            weekday: day.parse().map_err(|_| bad())?,
            time: NaiveTime::parse_from_str(time, "%H:%M").map_err(|_| bad())?,
        })
    }
}

/// A player in a team's squad; news and incidents name them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Player {
    pub number: u8,
    pub name: String,
    pub position: String,
}

/// A team and its squad.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Team {
    pub id: TeamId,
    pub league: LeagueId,
    pub name: String,
    pub short_name: String,
    pub city: String,
    /// Reference data that never changes while the server runs, so it stays out of every
    /// snapshot (where it would be two thirds of the bytes sent to each new viewer); read from
    /// the fixtures, and served once by `GET /api/teams` (see [`TeamWithSquad`]).
    #[serde(default, skip_serializing)]
    pub squad: Vec<Player>,
}

/// A team with its squad, as `GET /api/teams` serves it (the admin console picks players from it).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TeamWithSquad<'a> {
    #[serde(flatten)]
    pub team: &'a Team,
    pub squad: &'a [Player],
}

/// Where a match stands. Transitions are checked in [`crate::feed::state`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchStatus {
    Scheduled,
    Live,
    /// The long break in the middle of a game.
    Halftime,
    /// A short break between basketball quarters.
    Break,
    Final,
    Postponed,
    Cancelled,
}

impl MatchStatus {
    /// True once nothing about the match may change any more.
    pub fn is_terminal(self) -> bool {
        matches!(self, MatchStatus::Final | MatchStatus::Cancelled)
    }

    /// True while the match is under way (including breaks), i.e. incidents may be recorded.
    pub fn is_in_play(self) -> bool {
        matches!(
            self,
            MatchStatus::Live | MatchStatus::Halftime | MatchStatus::Break
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            MatchStatus::Scheduled => "scheduled",
            MatchStatus::Live => "live",
            MatchStatus::Halftime => "halftime",
            MatchStatus::Break => "break",
            MatchStatus::Final => "final",
            MatchStatus::Postponed => "postponed",
            MatchStatus::Cancelled => "cancelled",
        }
    }
}

/// Home or away.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Home,
    Away,
}

/// What happened in an incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IncidentKind {
    Goal,
    OwnGoal,
    PenaltyGoal,
    YellowCard,
    RedCard,
    Substitution,
    /// A basketball basket or free throws: carries `points` (1 to 3).
    Points,
    Foul,
    Timeout,
    /// A period started or ended; recorded by the hub on status changes.
    Period,
    /// A manual score correction (`score.set`): moves the score by its `adjust`, in the open on
    /// the timeline, so the score stays the sum of the timeline.
    Correction,
}

impl IncidentKind {
    /// Points this incident adds to the score of the side it names.
    ///
    /// An own goal is recorded against the side that conceded it, so it scores for the other side;
    /// see [`Incident::scoring_side`].
    pub fn scores(self) -> bool {
        matches!(
            self,
            IncidentKind::Goal
                | IncidentKind::OwnGoal
                | IncidentKind::PenaltyGoal
                | IncidentKind::Points
        )
    }
}

/// One entry of a match's timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Incident {
    pub id: IncidentId,
    pub kind: IncidentKind,
    /// The side the incident belongs to (the player's team); absent for period markers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<Side>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub player: Option<String>,
    /// For a substitution, the player going off (`player` is the one coming on).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub player_out: Option<String>,
    pub period: u8,
    pub minute: u16,
    /// Points scored, for scoring incidents (1 for a goal).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub points: u32,
    /// Free text such as "Half-time" or "replaces #9".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// For a correction, what it adds to each side's score (negative to take away).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adjust: Option<Adjust>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl Incident {
    /// What this incident adds to each side's score: a scoring incident's points for the side
    /// it scores for, a correction's adjustment, nothing for the rest.
    pub fn contribution(&self) -> Adjust {
        let mut adjust = self.adjust.unwrap_or_default();
        match self.scoring_side() {
            Some(Side::Home) => adjust.home += i64::from(self.points),
            Some(Side::Away) => adjust.away += i64::from(self.points),
            None => {}
        }
        adjust
    }

    /// The side whose score this incident raises, if any.
    pub fn scoring_side(&self) -> Option<Side> {
        if !self.kind.scores() || self.points == 0 {
            return None;
        }
        let side = self.team?;
        Some(match (self.kind, side) {
            (IncidentKind::OwnGoal, Side::Home) => Side::Away,
            (IncidentKind::OwnGoal, Side::Away) => Side::Home,
            (_, side) => side,
        })
    }
}

/// A match between two teams of one league.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Match {
    pub id: MatchId,
    pub league: LeagueId,
    pub sport: Sport,
    pub home: TeamId,
    pub away: TeamId,
    pub kickoff: DateTime<Utc>,
    pub status: MatchStatus,
    pub score: Score,
    /// Current period: 0 before kick-off, then 1, 2 (football) or 1 to 4 and overtime (basketball).
    pub period: u8,
    /// Minutes played in the game so far, across periods.
    pub minute: u16,
    pub incidents: Vec<Incident>,
    /// The team sheets, by shirt number (`lineup.set`); absent until one is set.
    #[serde(default, skip_serializing_if = "Lineups::is_empty")]
    pub lineups: Lineups,
    /// The latest statistics (`stats.set`); absent until some are set. Boxed to keep every
    /// match (and every `match` event) small while most have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stats: Option<Box<MatchStats>>,
    /// Bumped by every event that touches the match; `score.set` may require it.
    pub version: Version,
}

impl Match {
    /// A match not yet started: no score, no timeline, first version.
    pub fn scheduled(
        id: MatchId,
        league: LeagueId,
        sport: Sport,
        home: TeamId,
        away: TeamId,
        kickoff: DateTime<Utc>,
    ) -> Match {
        Match {
            id,
            league,
            sport,
            home,
            away,
            kickoff,
            status: MatchStatus::Scheduled,
            score: Score::default(),
            period: 0,
            minute: 0,
            incidents: Vec::new(),
            lineups: Lineups::default(),
            stats: None,
            version: Version(1),
        }
    }
}

/// A news item. Retracted items leave the state; the retraction stays in the event log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct News {
    pub id: NewsId,
    pub headline: String,
    pub body: String,
    pub tags: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub match_id: Option<MatchId>,
    pub author: String,
    pub published_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: Version,
    /// Breaking news, for a banner; absent (false) on most items.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub breaking: bool,
}
