//! Who changed what: the audit trail and a story's history, both read back from the event log
//! (the envelopes as sent carry `by` and `at`), never kept apart from it. So they reach back as
//! far as the log does (`--retention` with a store, `--log-capacity` in memory) and no further.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::feed::event::{Envelope, Event};
use crate::ids::{MatchId, NewsId, Seq};
use crate::model::{Incident, News, Side};

/// Authors that are no person: the simulated generator and the calendar's day roll. The audit
/// leaves their events out unless asked for everything.
pub const MACHINE_AUTHORS: [&str; 2] = [crate::sim::news::AUTHOR, crate::feed::calendar::AUTHOR];

/// Audit entries per page when `limit` is not given, and the most a page may ask for.
pub const AUDIT_PAGE: usize = 50;
pub const MAX_AUDIT_PAGE: usize = 200;

/// Whether an event by `by` belongs in the audit: a person's, or anyone's when `all`.
pub fn audited(by: &str, all: bool) -> bool {
    all || !MACHINE_AUTHORS.contains(&by)
}

/// What to read back from the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogQuery {
    /// Newest first: at most `limit` events before `before` (all when `None`), people's only
    /// unless `all`.
    Audit {
        before: Option<Seq>,
        limit: usize,
        all: bool,
    },
    /// Oldest first: every `news` and `news_retracted` event of one item.
    NewsHistory(NewsId),
}

/// Just the author of an envelope, read without decoding the event.
#[derive(Deserialize)]
pub struct Author<'a> {
    #[serde(borrow)]
    pub by: std::borrow::Cow<'a, str>,
}

/// Which item a `news` or `news_retracted` envelope is about, read without decoding the event
/// (a history is picked from every news event the memory log holds, and decoding them all
/// for each reader cost 30 MB a reader).
#[derive(Deserialize)]
struct NewsRef {
    news: Option<IdOnly>,
    news_id: Option<NewsId>,
}

#[derive(Deserialize)]
struct IdOnly {
    id: NewsId,
}

/// Whether the envelope `json` is an event of news item `id`.
pub fn is_about_news(json: &[u8], id: NewsId) -> bool {
    serde_json::from_slice::<NewsRef>(json)
        .is_ok_and(|r| r.news.map(|n| n.id).or(r.news_id) == Some(id))
}

/// One line of the audit trail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub seq: Seq,
    /// The event's id, `<stream>.<seq>`, as on the feed.
    pub id: String,
    pub at: DateTime<Utc>,
    pub by: String,
    /// The event's type, as on the feed (`score`, `incident_removed`, ...).
    #[serde(rename = "type")]
    pub kind: String,
    pub match_id: Option<MatchId>,
    pub news_id: Option<NewsId>,
    /// One line for people, e.g. `score 2-1`.
    pub summary: String,
}

impl AuditEntry {
    pub fn of(envelope: &Envelope) -> AuditEntry {
        let event = &envelope.event;
        let news_id = match event {
            Event::News { news } => Some(news.id),
            Event::NewsRetracted { news_id } => Some(*news_id),
            _ => None,
        };
        AuditEntry {
            seq: envelope.seq,
            id: envelope.id.clone(),
            at: envelope.at,
            by: envelope.by.clone(),
            kind: event.name().to_owned(),
            match_id: event.match_id(),
            news_id,
            summary: summary(event),
        }
    }
}

fn incident_line(incident: &Incident) -> String {
    let kind = serde_json::to_value(incident.kind)
        .ok()
        .and_then(|v| v.as_str().map(|s| s.replace('_', " ")))
        .unwrap_or_default();
    let mut line = format!("{kind} {}'", incident.minute);
    match incident.team {
        Some(Side::Home) => line.push_str(" home"),
        Some(Side::Away) => line.push_str(" away"),
        None => {}
    }
    match (&incident.player, &incident.player_out) {
        (Some(on), Some(off)) => line.push_str(&format!(" ({on} on, {off} off)")),
        (Some(player), None) => line.push_str(&format!(" ({player})")),
        (None, Some(off)) => line.push_str(&format!(" ({off} off)")),
        (None, None) => {}
    }
    line
}

/// A short description of what an event changed.
pub fn summary(event: &Event) -> String {
    match event {
        Event::Score { home, away, .. } => format!("score {home}-{away}"),
        Event::Status {
            status,
            period,
            minute,
            ..
        } => format!("status {}, period {period}, {minute}'", status.as_str()),
        Event::Incident { incident, .. } => {
            format!("incident {}: {}", incident.id, incident_line(incident))
        }
        Event::IncidentRemoved { incident_id, .. } => format!("removed incident {incident_id}"),
        Event::IncidentAmended { incident, .. } => {
            format!(
                "amended incident {}: {}",
                incident.id,
                incident_line(incident)
            )
        }
        Event::Lineup {
            team,
            starting,
            bench,
            ..
        } => format!(
            "lineup {}: {} starting, {} on the bench",
            match team {
                Side::Home => "home",
                Side::Away => "away",
            },
            starting.len(),
            bench.len()
        ),
        Event::Stats { .. } => "stats updated".to_owned(),
        Event::Match { game } => format!(
            "match created: {} v {} ({})",
            game.home, game.away, game.league
        ),
        Event::News { news } if news.version.0 <= 1 => format!("published: {}", news.headline),
        Event::News { news } => format!("updated (v{}): {}", news.version.0, news.headline),
        Event::NewsRetracted { news_id } => format!("retracted news {news_id}"),
        Event::Archived { matches, news, .. } => format!(
            "archived {} matches, {} news items",
            matches.len(),
            news.len()
        ),
    }
}

/// One version of a story.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub seq: Seq,
    pub at: DateTime<Utc>,
    pub by: String,
    /// `news` (published or updated) or `news_retracted`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The item as it stood after the event; for a retraction, as it stood when withdrawn
    /// (`null` if the log no longer holds any version of it).
    pub news: Option<News>,
}

/// The history of item `id` from its events, oldest first (others are skipped).
pub fn history<'a>(id: NewsId, envelopes: impl Iterator<Item = &'a Envelope>) -> Vec<HistoryEntry> {
    let mut entries: Vec<HistoryEntry> = Vec::new();
    for envelope in envelopes {
        let news = match &envelope.event {
            Event::News { news } if news.id == id => Some(news.clone()),
            Event::NewsRetracted { news_id } if *news_id == id => {
                entries.last().and_then(|e| e.news.clone())
            }
            _ => continue,
        };
        entries.push(HistoryEntry {
            seq: envelope.seq,
            at: envelope.at,
            by: envelope.by.clone(),
            kind: envelope.event.name().to_owned(),
            news,
        });
    }
    entries
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_news_event_is_told_by_its_item_without_decoding_the_rest() {
        let published = br#"{"seq":4,"type":"news","by":"alice","news":{"id":7,"headline":"x"}}"#;
        let retracted = br#"{"seq":5,"type":"news_retracted","by":"alice","news_id":7}"#;
        for json in [&published[..], &retracted[..]] {
            assert!(is_about_news(json, NewsId(7)));
            assert!(!is_about_news(json, NewsId(8)));
        }
        assert!(!is_about_news(b"not json", NewsId(7)));
    }
}
