//! `FeedState::validate`: the business rules. A command either becomes the events that carry it
//! out, or a [`CommandError`] that says precisely what is wrong and with which value.
//!
//! Validation never changes the state; the hub applies the returned events afterwards, so the
//! same code path serves live commands and the property tests.

use chrono::{DateTime, Utc};

use crate::feed::amend::Amendment;
use crate::feed::checks::*;
use crate::feed::command::Command;
use crate::feed::error::CommandError;
use crate::feed::event::Event;
use crate::feed::squads::{SECOND_YELLOW, check_not_sent_off, is_second_yellow};
use crate::feed::state::{FeedState, Target};
use crate::ids::{IncidentId, MatchId, NewsId, Version};
use crate::model::{Incident, IncidentKind, Match, News, Side};

/// The events a valid command turns into, and what it targeted (for the ack's version).
#[derive(Debug, Clone, PartialEq)]
pub struct Planned {
    pub events: Vec<Event>,
    pub target: Target,
}

impl FeedState {
    /// Decide whether `command` may happen now; if so, return the events that carry it out.
    ///
    /// `author` names who asked (recorded on news items) and `now` stamps new items, so that this
    /// stays a pure function of its inputs.
    pub fn validate(
        &self,
        command: &Command,
        author: &str,
        now: DateTime<Utc>,
    ) -> Result<Planned, CommandError> {
        match command {
            Command::ScoreSet {
                match_id,
                home,
                away,
                expected_version,
            } => self.plan_score(*match_id, *home, *away, *expected_version),
            Command::IncidentAdd {
                match_id,
                kind,
                team,
                player,
                player_out,
                minute,
                points,
                detail,
                expected_version,
            } => {
                let draft = IncidentDraft {
                    kind: *kind,
                    team: *team,
                    player: player.as_deref(),
                    player_out: player_out.as_deref(),
                    minute: *minute,
                    points: *points,
                    detail: detail.as_deref(),
                };
                let m = self.existing_match(*match_id)?;
                check_version("match", match_id.0, m.version, *expected_version)?;
                self.plan_incident(*match_id, draft)
            }
            Command::IncidentRemove {
                match_id,
                incident_id,
                expected_version,
            } => {
                let m = self.existing_match(*match_id)?;
                check_version("match", match_id.0, m.version, *expected_version)?;
                self.plan_incident_removal(*match_id, *incident_id)
            }
            Command::IncidentAmend {
                match_id,
                incident_id,
                player,
                minute,
                detail,
                expected_version,
            } => {
                let m = self.existing_match(*match_id)?;
                check_version("match", match_id.0, m.version, *expected_version)?;
                let change = Amendment {
                    player: player.as_deref(),
                    minute: *minute,
                    detail: detail.as_deref(),
                };
                self.plan_incident_amend(*match_id, *incident_id, change)
            }
            Command::LineupSet {
                match_id,
                team,
                starting,
                bench,
                expected_version,
            } => self.plan_lineup(*match_id, *team, starting, bench, *expected_version),
            Command::StatsSet {
                match_id,
                home,
                away,
                expected_version,
            } => self.plan_stats(*match_id, home, away, *expected_version),
            Command::MatchStatus {
                match_id,
                status,
                period,
                minute,
            } => self.plan_status(*match_id, *status, *period, *minute),
            Command::MatchCreate {
                league,
                home,
                away,
                kickoff,
            } => {
                check_kickoff(*kickoff, self.feed_now(now))?;
                self.plan_match(league, home, away, *kickoff)
            }
            Command::NewsPublish {
                headline,
                body,
                tags,
                match_id,
                breaking,
            } => {
                let id = NewsId(self.next_ids().news_id);
                let news = News {
                    id,
                    headline: check_headline(headline)?,
                    body: check_body(body)?,
                    tags: check_tags(tags)?,
                    match_id: self.check_news_match(*match_id)?,
                    author: author.to_owned(),
                    published_at: now,
                    updated_at: now,
                    version: Version(1),
                    breaking: *breaking,
                };
                let mut events = vec![Event::News { news }];
                events.extend(self.news_overflow());
                Ok(Planned {
                    events,
                    target: Target::News(id),
                })
            }
            Command::NewsUpdate {
                news_id,
                headline,
                body,
                tags,
                breaking,
                expected_version,
            } => {
                let current = self.existing_news(*news_id)?;
                check_version("news", news_id.0, current.version, *expected_version)?;
                if headline.is_none() && body.is_none() && tags.is_none() && breaking.is_none() {
                    return Err(CommandError::Invalid(
                        "news.update changes nothing: give headline, body, tags or breaking".into(),
                    ));
                }
                let mut news = current.clone();
                if let Some(h) = headline {
                    news.headline = check_headline(h)?;
                }
                if let Some(b) = body {
                    news.body = check_body(b)?;
                }
                if let Some(t) = tags {
                    news.tags = check_tags(t)?;
                }
                if let Some(b) = breaking {
                    news.breaking = *b;
                }
                news.updated_at = now;
                news.version = news.version.next();
                Ok(Planned {
                    events: vec![Event::News { news }],
                    target: Target::News(*news_id),
                })
            }
            Command::NewsRetract { news_id } => {
                self.existing_news(*news_id)?;
                Ok(Planned {
                    events: vec![Event::NewsRetracted { news_id: *news_id }],
                    target: Target::News(*news_id),
                })
            }
            Command::CalendarRoll { today } => self.plan_roll(*today, now),
            Command::GeneratorControl { running, speed } => {
                if running.is_none() && speed.is_none() {
                    return Err(CommandError::Invalid(
                        "generator.control changes nothing: give running or speed".into(),
                    ));
                }
                if let Some(s) = speed
                    && !SPEED_RANGE.contains(s)
                {
                    return Err(CommandError::Invalid(format!(
                        "speed must be between {} and {} simulated seconds per second, got {s}",
                        SPEED_RANGE.start(),
                        SPEED_RANGE.end()
                    )));
                }
                Ok(Planned {
                    events: Vec::new(),
                    target: Target::Nothing,
                })
            }
        }
    }

    pub(super) fn existing_match(&self, id: MatchId) -> Result<&Match, CommandError> {
        self.game(id)
            .ok_or_else(|| CommandError::NotFound(format!("match {id} does not exist")))
    }

    fn existing_news(&self, id: NewsId) -> Result<&News, CommandError> {
        self.news_item(id)
            .ok_or_else(|| CommandError::NotFound(format!("news item {id} does not exist")))
    }

    fn check_news_match(&self, id: Option<MatchId>) -> Result<Option<MatchId>, CommandError> {
        match id {
            Some(id) => self.existing_match(id).map(|m| Some(m.id)),
            None => Ok(None),
        }
    }

    fn plan_incident(
        &self,
        id: MatchId,
        draft: IncidentDraft<'_>,
    ) -> Result<Planned, CommandError> {
        let m = self.existing_match(id)?;
        if !m.status.is_in_play() {
            return Err(CommandError::Invalid(format!(
                "match {id} is {}; incidents can only be added while it is in play",
                m.status.as_str()
            )));
        }
        let kind = draft.kind;
        if kind == IncidentKind::Period {
            return Err(CommandError::Invalid(
                "period incidents are recorded by match.status".into(),
            ));
        }
        if kind == IncidentKind::Correction {
            return Err(CommandError::Invalid(
                "correction incidents are recorded by score.set".into(),
            ));
        }
        if !m.sport.allows(kind) {
            return Err(CommandError::Invalid(format!(
                "{} incidents are not part of {}",
                serde_json::to_string(&kind).unwrap_or_default(),
                sport_name(m.sport)
            )));
        }
        let team = draft.team.ok_or_else(|| {
            CommandError::BadRequest("missing field `team` (home or away)".into())
        })?;
        let points = match (kind, draft.points) {
            (IncidentKind::Points, None) => {
                return Err(CommandError::BadRequest(
                    "missing field `points` (1, 2 or 3)".into(),
                ));
            }
            (IncidentKind::Points, Some(p)) if !(1..=3).contains(&p) => {
                return Err(CommandError::Invalid(format!(
                    "points must be 1, 2 or 3, got {p}"
                )));
            }
            (IncidentKind::Points, Some(p)) => p,
            (k, None) if k.scores() => 1,
            (k, Some(1)) if k.scores() => 1,
            (_, Some(p)) => {
                return Err(CommandError::Invalid(format!(
                    "points are only for `points` incidents (and 1 for goals), got {p}"
                )));
            }
            (_, None) => 0,
        };
        let minute = draft.minute.unwrap_or(m.minute);
        check_minute(minute)?;
        check_minute_in_play(m, minute)?;
        let incident = Incident {
            id: self.next_incident_id(),
            kind,
            team: Some(team),
            player: self.squad_player(m, team, check_optional_text("player", draft.player)?)?,
            player_out: match draft.player_out {
                Some(_) if kind != IncidentKind::Substitution => {
                    return Err(CommandError::Invalid(
                        "player_out: only a substitution names a player going off".into(),
                    ));
                }
                out => self.squad_player(m, team, check_optional_text("player_out", out)?)?,
            },
            period: m.period,
            minute,
            points,
            detail: check_optional_text("detail", draft.detail)?,
            adjust: None,
        };
        check_not_sent_off(m, team, "player", incident.player.as_deref())?;
        check_not_sent_off(m, team, "player_out", incident.player_out.as_deref())?;
        self.check_lineup_rules(m, &incident)?;
        let second_yellow = (kind == IncidentKind::YellowCard
            && is_second_yellow(m, team, incident.player.as_deref()))
        .then(|| Incident {
            id: IncidentId(incident.id.0 + 1),
            kind: IncidentKind::RedCard,
            detail: Some(SECOND_YELLOW.into()),
            ..incident.clone()
        });
        let mut events = Vec::with_capacity(2);
        let mut version = m.version.next();
        let score = m.score.adjusted(incident.contribution());
        events.push(Event::Incident {
            match_id: id,
            incident,
            version,
        });
        if let Some(red) = second_yellow {
            version = version.next();
            events.push(Event::Incident {
                match_id: id,
                incident: red,
                version,
            });
        }
        if let Some(score) = score.filter(|s| *s != m.score) {
            if i64::from(score.home.max(score.away)) > MAX_SCORE {
                return Err(CommandError::Invalid(format!(
                    "score would pass {MAX_SCORE}"
                )));
            }
            version = version.next();
            events.push(Event::Score {
                match_id: id,
                home: score.home,
                away: score.away,
                version,
            });
        }
        Ok(Planned {
            events,
            target: Target::Match(id),
        })
    }
}

/// The fields of `incident.add`, borrowed from the command.
struct IncidentDraft<'a> {
    kind: IncidentKind,
    team: Option<Side>,
    player: Option<&'a str>,
    player_out: Option<&'a str>,
    minute: Option<u16>,
    points: Option<u32>,
    detail: Option<&'a str>,
}

#[cfg(test)]
#[path = "undo_tests.rs"]
mod undo_tests;

#[cfg(test)]
#[path = "validate_tests.rs"]
pub(super) mod tests;

#[cfg(test)]
#[path = "score_tests.rs"]
mod score_tests;

#[cfg(test)]
#[path = "amend_tests.rs"]
mod amend_tests;
