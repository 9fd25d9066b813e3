//! The match lifecycle rules: which status transitions are legal (and the period markers they
//! leave in the timeline), and how a new match is created. Part of [`FeedState::validate`].

use chrono::{DateTime, Utc};

use crate::feed::checks::*;
use crate::feed::error::CommandError;
use crate::feed::event::Event;
use crate::feed::state::{FeedState, Target};
use crate::feed::validate::Planned;
use crate::ids::{LeagueId, MatchId, TeamId};
use crate::model::{Incident, IncidentKind, Match, MatchStatus, Sport};

impl FeedState {
    pub(super) fn plan_status(
        &self,
        id: MatchId,
        to: MatchStatus,
        period: Option<u8>,
        minute: Option<u16>,
    ) -> Result<Planned, CommandError> {
        use MatchStatus::*;
        let m = self.existing_match(id)?;
        let from = m.status;
        let legal = match from {
            Scheduled => matches!(to, Live | Postponed | Cancelled),
            Live => matches!(to, Live | Halftime | Break | Final | Cancelled),
            Halftime | Break => to == Live,
            Postponed => matches!(to, Scheduled | Cancelled),
            Final | Cancelled => false,
        };
        if !legal {
            return Err(CommandError::Invalid(format!(
                "match {id} cannot go from {} to {}",
                from.as_str(),
                to.as_str()
            )));
        }
        if to == Break && m.sport == Sport::Football {
            return Err(CommandError::Invalid(
                "football has no quarter breaks; use halftime".into(),
            ));
        }
        let new_period = match (from, to) {
            (Scheduled, Live) => period.unwrap_or(1),
            (Halftime | Break, Live) => period.unwrap_or(m.period.saturating_add(1)),
            (Postponed, Scheduled) => 0,
            _ => period.unwrap_or(m.period),
        };
        let new_minute = match (from, to) {
            (Scheduled, Live) => minute.unwrap_or(0),
            (Postponed, Scheduled) => 0,
            _ => minute.unwrap_or(m.minute),
        };
        if new_period > MAX_PERIOD {
            return Err(CommandError::Invalid(format!(
                "period must be at most {MAX_PERIOD}, got {new_period}"
            )));
        }
        check_minute(new_minute)?;
        if from == to && new_period == m.period && new_minute == m.minute {
            return Ok(Planned {
                events: Vec::new(),
                target: Target::Match(id),
            });
        }
        let mut version = m.version.next();
        let mut events = vec![Event::Status {
            match_id: id,
            status: to,
            period: new_period,
            minute: new_minute,
            version,
        }];
        if let Some(detail) = period_marker(m.sport, from, to, new_period) {
            version = version.next();
            events.push(Event::Incident {
                match_id: id,
                incident: Incident {
                    id: self.next_incident_id(),
                    kind: IncidentKind::Period,
                    team: None,
                    player: None,
                    player_out: None,
                    period: new_period,
                    minute: new_minute,
                    points: 0,
                    detail: Some(detail),
                    adjust: None,
                },
                version,
            });
        }
        Ok(Planned {
            events,
            target: Target::Match(id),
        })
    }

    pub(super) fn plan_match(
        &self,
        league: &LeagueId,
        home: &TeamId,
        away: &TeamId,
        kickoff: DateTime<Utc>,
    ) -> Result<Planned, CommandError> {
        let l = self
            .league(league)
            .ok_or_else(|| CommandError::NotFound(format!("league `{league}` does not exist")))?;
        for team in [home, away] {
            let t = self
                .team(team)
                .ok_or_else(|| CommandError::NotFound(format!("team `{team}` does not exist")))?;
            if t.league != *league {
                return Err(CommandError::Invalid(format!(
                    "team {team} plays in {}, not {league}",
                    t.league
                )));
            }
        }
        if home == away {
            return Err(CommandError::Invalid(format!(
                "a team cannot play itself ({home})"
            )));
        }
        let id = MatchId(self.next_ids().match_id);
        let game = Match::scheduled(
            id,
            league.clone(),
            l.sport,
            home.clone(),
            away.clone(),
            kickoff,
        );
        Ok(Planned {
            events: vec![Event::Match { game }],
            target: Target::Match(id),
        })
    }
}
