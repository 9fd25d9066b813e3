//! `incident.amend`: correct an incident in place: name the scorer of a goal recorded in a
//! hurry ("+", or `unknown`), fix its minute or its detail. What it counts for (its kind, side and
//! points) is not amended, so the score never moves: a goal given to the wrong side is removed
//! and recorded again. The player named must have been on the pitch at the incident's minute
//! when the team has a sheet, as for `incident.add`. Allowed while the match is in play and after full-time (the desk names
//! scorers once the replays are in), not once it is archived.

use crate::feed::checks::{check_minute, check_minute_in_play, check_optional_text};
use crate::feed::error::CommandError;
use crate::feed::event::Event;
use crate::feed::squads::check_not_sent_off;
use crate::feed::state::{FeedState, Target};
use crate::feed::validate::Planned;
use crate::ids::{IncidentId, MatchId};
use crate::model::{IncidentKind, MatchStatus};

/// The fields of `incident.amend`, borrowed from the command; absent ones stay as they are.
pub(super) struct Amendment<'a> {
    pub player: Option<&'a str>,
    pub minute: Option<u16>,
    pub detail: Option<&'a str>,
}

impl FeedState {
    /// One `incident_amended` event with the incident as it now reads.
    pub(super) fn plan_incident_amend(
        &self,
        id: MatchId,
        incident_id: IncidentId,
        change: Amendment<'_>,
    ) -> Result<Planned, CommandError> {
        let m = self.existing_match(id)?;
        let at = m
            .incidents
            .iter()
            .position(|i| i.id == incident_id)
            .ok_or_else(|| {
                CommandError::NotFound(format!("match {id} has no incident {incident_id}"))
            })?;
        let old = &m.incidents[at];
        if !(m.status.is_in_play() || m.status == MatchStatus::Final) {
            return Err(CommandError::Invalid(format!(
                "match {id} is {}; incidents are amended while it is in play or final",
                m.status.as_str()
            )));
        }
        if matches!(old.kind, IncidentKind::Period | IncidentKind::Correction) {
            return Err(CommandError::Invalid(format!(
                "incident {incident_id} is a {}; it follows {}",
                if old.kind == IncidentKind::Period {
                    "period marker"
                } else {
                    "correction"
                },
                if old.kind == IncidentKind::Period {
                    "match.status"
                } else {
                    "score.set"
                },
            )));
        }
        if change.player.is_none() && change.minute.is_none() && change.detail.is_none() {
            return Err(CommandError::BadRequest(
                "incident.amend: nothing to change; give `player`, `minute` or `detail`".into(),
            ));
        }
        let mut incident = old.clone();
        if let Some(minute) = change.minute {
            check_minute(minute)?;
            check_minute_in_play(m, minute)?;
            incident.minute = minute;
        }
        if let Some(detail) = change.detail {
            incident.detail = check_optional_text("detail", Some(detail))?;
        }
        if let Some(player) = change.player {
            if matches!(old.kind, IncidentKind::YellowCard | IncidentKind::RedCard) {
                return Err(CommandError::Invalid(format!(
                    "player: a card is not given to someone else; remove incident {incident_id} \
                     and record the card again (a second yellow brings its red)"
                )));
            }
            if old.kind == IncidentKind::Substitution {
                return Err(CommandError::Invalid(format!(
                    "player: who came on decides who may play after; remove substitution \
                     {incident_id} and record it again"
                )));
            }
            let side = old.team.ok_or_else(|| {
                CommandError::Invalid(format!("incident {incident_id} names no team"))
            })?;
            let named = check_optional_text("player", Some(player))?;
            incident.player = self.squad_player(m, side, named)?;
        }
        // Judged against the match as it stood before this incident: a scorer sent off or
        // substituted later still scored; one sent off or on the bench then did not.
        let mut before = m.clone();
        before.incidents.truncate(at);
        if let (Some(side), Some(_)) = (incident.team, change.player) {
            check_not_sent_off(&before, side, "player", incident.player.as_deref())?;
        }
        self.check_lineup_rules(&before, &incident)?;
        Ok(Planned {
            events: vec![Event::IncidentAmended {
                match_id: id,
                incident,
                version: m.version.next(),
            }],
            target: Target::Match(id),
        })
    }
}
