//! Events: what happened, as recorded in the log and sent to every viewer.
//!
//! A validated [`Command`](crate::feed::command::Command) becomes one or more events; applying them
//! in order to a state reproduces the live state exactly. On the wire each event travels inside an
//! [`Envelope`] that adds its position in the stream, its time and its author.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{IncidentId, MatchId, NewsId, Seq, Version};
use crate::model::{Incident, Match, MatchStatus, News, Side, SideStats};

/// One change to the feed. The `type` tag doubles as the SSE `event:` name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    Score {
        match_id: MatchId,
        home: u32,
        away: u32,
        version: Version,
    },
    Status {
        match_id: MatchId,
        status: MatchStatus,
        period: u8,
        minute: u16,
        version: Version,
    },
    Incident {
        match_id: MatchId,
        incident: Incident,
        version: Version,
    },
    /// An incident was taken off a match's timeline (`incident.remove`); when it had scored, a
    /// `score` event with the lowered score follows.
    IncidentRemoved {
        match_id: MatchId,
        incident_id: IncidentId,
        version: Version,
    },
    /// An incident was corrected in place (`incident.amend`): the whole incident as it now
    /// reads, at its place on the timeline. The score does not move.
    IncidentAmended {
        match_id: MatchId,
        incident: Incident,
        version: Version,
    },
    /// One team's sheet was set or replaced (`lineup.set`), by shirt number; names come from the
    /// squads of `GET /api/teams`.
    Lineup {
        match_id: MatchId,
        team: Side,
        starting: Vec<u8>,
        bench: Vec<u8>,
        version: Version,
    },
    /// A match's statistics, both sides as they now stand (`stats.set`).
    Stats {
        match_id: MatchId,
        // Boxed: the largest event otherwise, and every event is moved around a lot.
        home: Box<SideStats>,
        away: Box<SideStats>,
        version: Version,
    },
    /// A match was created (the whole match, as it now stands).
    Match {
        #[serde(rename = "match")]
        game: Match,
    },
    /// A news item was published or updated (the whole item, as it now stands).
    News {
        news: News,
    },
    NewsRetracted {
        news_id: NewsId,
    },
    /// Matches and news left the live window (see [`crate::feed::calendar`]): viewers drop them;
    /// the archive API still serves them. On a day roll, `today` is the feed's new day.
    Archived {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        today: Option<NaiveDate>,
        matches: Vec<MatchId>,
        news: Vec<NewsId>,
    },
}

/// The kinds of event a viewer can ask for with `types=`. A retraction belongs to `news`, so a
/// viewer of news always learns that an item was withdrawn; likewise a removed incident belongs
/// to `incident`. Team sheets (`lineup`) and statistics (`stats`) are kinds of their own, so
/// that a scores-only viewer is not sent them. `archived` events reach every viewer
/// whatever its filter, since they are what keeps its copy of the state bounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    Score,
    Status,
    Incident,
    Match,
    News,
    Lineup,
    Stats,
    Archived,
}

impl EventKind {
    pub const ALL: [EventKind; 8] = [
        EventKind::Score,
        EventKind::Status,
        EventKind::Incident,
        EventKind::Match,
        EventKind::News,
        EventKind::Lineup,
        EventKind::Stats,
        EventKind::Archived,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Score => "score",
            EventKind::Status => "status",
            EventKind::Incident => "incident",
            EventKind::Match => "match",
            EventKind::News => "news",
            EventKind::Lineup => "lineup",
            EventKind::Stats => "stats",
            EventKind::Archived => "archived",
        }
    }

    pub fn parse(s: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl Event {
    /// Every name [`Event::name`] gives, so that readers of stored events and of the wire can
    /// tell a known type from an unknown one.
    pub const NAMES: [&'static str; 11] = [
        "score",
        "status",
        "incident",
        "incident_removed",
        "incident_amended",
        "lineup",
        "stats",
        "match",
        "news",
        "news_retracted",
        "archived",
    ];

    /// The SSE `event:` name, identical to the JSON `type`.
    pub fn name(&self) -> &'static str {
        match self {
            Event::Score { .. } => "score",
            Event::Status { .. } => "status",
            Event::Incident { .. } => "incident",
            Event::IncidentRemoved { .. } => "incident_removed",
            Event::IncidentAmended { .. } => "incident_amended",
            Event::Lineup { .. } => "lineup",
            Event::Stats { .. } => "stats",
            Event::Match { .. } => "match",
            Event::News { .. } => "news",
            Event::NewsRetracted { .. } => "news_retracted",
            Event::Archived { .. } => "archived",
        }
    }

    pub fn kind(&self) -> EventKind {
        match self {
            Event::Score { .. } => EventKind::Score,
            Event::Status { .. } => EventKind::Status,
            Event::Incident { .. }
            | Event::IncidentRemoved { .. }
            | Event::IncidentAmended { .. } => EventKind::Incident,
            Event::Lineup { .. } => EventKind::Lineup,
            Event::Stats { .. } => EventKind::Stats,
            Event::Match { .. } => EventKind::Match,
            Event::News { .. } | Event::NewsRetracted { .. } => EventKind::News,
            Event::Archived { .. } => EventKind::Archived,
        }
    }

    /// The match the event is about, if any.
    pub fn match_id(&self) -> Option<MatchId> {
        match self {
            Event::Score { match_id, .. }
            | Event::Status { match_id, .. }
            | Event::Incident { match_id, .. }
            | Event::IncidentRemoved { match_id, .. }
            | Event::IncidentAmended { match_id, .. }
            | Event::Lineup { match_id, .. }
            | Event::Stats { match_id, .. } => Some(*match_id),
            Event::Match { game } => Some(game.id),
            Event::News { news } => news.match_id,
            Event::NewsRetracted { .. } | Event::Archived { .. } => None,
        }
    }
}

/// An event with its place in the stream: the JSON object on every SSE `data:` line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    /// `<stream>.<seq>`, the same token as the SSE `id:` line, so that clients of the JSON
    /// transports (long-poll, WebSocket) can resume with it too.
    pub id: String,
    pub seq: Seq,
    pub at: DateTime<Utc>,
    /// Who caused it: an admin's name or `generator`.
    pub by: String,
    #[serde(flatten)]
    pub event: Event,
}

/// The `snapshot` frame's JSON: the (filtered) state as of `seq`. A viewer that receives it starts
/// over from it; everything after `seq` follows as events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot<S> {
    pub id: String,
    pub seq: Seq,
    pub at: DateTime<Utc>,
    /// Always `"snapshot"`, so that JSON transports can tell it from events.
    #[serde(rename = "type")]
    pub kind: String,
    pub stream: String,
    #[serde(flatten)]
    pub state: S,
}
