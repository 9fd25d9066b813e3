//! Commands: the only way to ask for a change to the feed, from admins and the generator alike.
//!
//! A `Command` is the parsed form of one admin JSON message (DESIGN.md section 4). Parsing checks
//! shape only (types, required fields); whether the change is allowed is decided by
//! [`FeedState::validate`](crate::feed::state::FeedState::validate).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::feed::stats::StatsInput;
use crate::ids::{IncidentId, LeagueId, MatchId, NewsId, Seq, TeamId, Version};
use crate::model::{IncidentKind, MatchStatus, Side};

/// A requested change. The `type` tag is the wire name, e.g. `"score.set"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum Command {
    /// Set both scores of a match; with `expected_version`, only if nobody changed the match since.
    #[serde(rename = "score.set")]
    ScoreSet {
        match_id: MatchId,
        /// Signed so that a negative score is an `invalid` business error, not a parse error.
        home: i64,
        away: i64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expected_version: Option<Version>,
    },
    /// Add an incident to a match's timeline; scoring incidents also move the score.
    #[serde(rename = "incident.add")]
    IncidentAdd {
        match_id: MatchId,
        kind: IncidentKind,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        team: Option<Side>,
        /// Who the incident names; for a substitution, the player coming on.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        player: Option<String>,
        /// For a substitution only: the player going off.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        player_out: Option<String>,
        /// Defaults to the match's current minute.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        minute: Option<u16>,
        /// For basketball `points` incidents: 1, 2 or 3.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        points: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        detail: Option<String>,
        /// Only if nobody changed the match since (two editors recording the same goal: the
        /// second is told, not counted twice).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expected_version: Option<Version>,
    },
    /// Take an incident off a match's timeline (the undo of `incident.add`); a scoring incident
    /// takes its points back off the score.
    #[serde(rename = "incident.remove")]
    IncidentRemove {
        match_id: MatchId,
        incident_id: IncidentId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expected_version: Option<Version>,
    },
    /// Correct an incident in place: its player (naming the scorer of a quick "+" goal), minute
    /// or detail. What it scores is not amended; absent fields stay as they are.
    #[serde(rename = "incident.amend")]
    IncidentAmend {
        match_id: MatchId,
        incident_id: IncidentId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        player: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        minute: Option<u16>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        detail: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expected_version: Option<Version>,
    },
    /// Set or replace one team's sheet for a match, before kick-off. Players are named like
    /// incidents name them: as the squad names them (any case) or `#number`.
    #[serde(rename = "lineup.set")]
    LineupSet {
        match_id: MatchId,
        team: Side,
        starting: Vec<String>,
        #[serde(default)]
        bench: Vec<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expected_version: Option<Version>,
    },
    /// Replace both sides' statistics of a match (the whole set each time: an editor corrects a
    /// figure by sending them all again), while it is in play or final.
    #[serde(rename = "stats.set")]
    StatsSet {
        match_id: MatchId,
        // Boxed: the largest command otherwise.
        home: Box<StatsInput>,
        away: Box<StatsInput>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expected_version: Option<Version>,
    },
    /// Move a match to another status, or (while live) update its period and clock.
    #[serde(rename = "match.status")]
    MatchStatus {
        match_id: MatchId,
        status: MatchStatus,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        period: Option<u8>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        minute: Option<u16>,
    },
    /// Schedule a new match between two teams of a league.
    #[serde(rename = "match.create")]
    MatchCreate {
        league: LeagueId,
        home: TeamId,
        away: TeamId,
        kickoff: DateTime<Utc>,
    },
    #[serde(rename = "news.publish")]
    NewsPublish {
        headline: String,
        #[serde(default)]
        body: String,
        #[serde(default)]
        tags: Vec<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        match_id: Option<MatchId>,
        /// Flag the item as breaking news.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        breaking: bool,
    },
    /// Change some fields of a published item; absent fields stay as they are.
    #[serde(rename = "news.update")]
    NewsUpdate {
        news_id: NewsId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        headline: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        body: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        tags: Option<Vec<String>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        breaking: Option<bool>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expected_version: Option<Version>,
    },
    #[serde(rename = "news.retract")]
    NewsRetract { news_id: NewsId },
    /// Move the feed to another day: what left the live window is archived (see
    /// [`crate::feed::calendar`]). A day not later than the feed's changes nothing.
    #[serde(rename = "calendar.roll")]
    CalendarRoll { today: NaiveDate },
    /// Pause, resume or retune the simulated generator. Changes no feed state.
    #[serde(rename = "generator.control")]
    GeneratorControl {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        running: Option<bool>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        speed: Option<f64>,
    },
}

impl Command {
    /// The wire name of the command, for logs and metrics labels.
    pub fn name(&self) -> &'static str {
        match self {
            Command::ScoreSet { .. } => "score.set",
            Command::IncidentAdd { .. } => "incident.add",
            Command::IncidentRemove { .. } => "incident.remove",
            Command::IncidentAmend { .. } => "incident.amend",
            Command::LineupSet { .. } => "lineup.set",
            Command::StatsSet { .. } => "stats.set",
            Command::MatchStatus { .. } => "match.status",
            Command::MatchCreate { .. } => "match.create",
            Command::NewsPublish { .. } => "news.publish",
            Command::NewsUpdate { .. } => "news.update",
            Command::NewsRetract { .. } => "news.retract",
            Command::CalendarRoll { .. } => "calendar.roll",
            Command::GeneratorControl { .. } => "generator.control",
        }
    }
}

/// The reply to an accepted command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ack {
    /// The seq of the command's last event (the current seq if it changed nothing).
    pub seq: Seq,
    /// The new version of the match or news item it changed; none for a retracted item or a
    /// command that targets no item (`generator.control`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<Version>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub match_id: Option<MatchId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub news_id: Option<NewsId>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_json_parses_into_commands() {
        let cmd: Command = serde_json::from_str(
            r#"{"type":"score.set","match_id":7,"home":2,"away":1,"expected_version":12}"#,
        )
        .unwrap();
        assert_eq!(
            cmd,
            Command::ScoreSet {
                match_id: MatchId(7),
                home: 2,
                away: 1,
                expected_version: Some(Version(12)),
            }
        );
        let cmd: Command = serde_json::from_str(r#"{"type":"news.retract","news_id":31}"#).unwrap();
        assert_eq!(cmd.name(), "news.retract");
    }

    #[test]
    fn unknown_types_and_missing_fields_are_parse_errors() {
        let err = serde_json::from_str::<Command>(r#"{"type":"score.nuke"}"#).unwrap_err();
        assert!(err.to_string().contains("unknown variant"), "{err}");
        let err =
            serde_json::from_str::<Command>(r#"{"type":"score.set","match_id":7}"#).unwrap_err();
        assert!(err.to_string().contains("missing field `home`"), "{err}");
    }
}
