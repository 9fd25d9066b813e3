//! The corrective side of the desk: `incident.remove`, the undo of `incident.add`, and of a
//! `score.set`, whose correction is an incident like any other.

use crate::feed::error::CommandError;
use crate::feed::event::Event;
use crate::feed::squads::{SECOND_YELLOW, red_of_second_yellow};
use crate::feed::state::{FeedState, Target};
use crate::feed::validate::Planned;
use crate::ids::{IncidentId, MatchId};
use crate::model::{IncidentKind, tally};

impl FeedState {
    /// Take incident `incident_id` off match `id`'s timeline: an `incident_removed` event (two
    /// for a yellow card whose second brought a red), and, when the incident had scored, a
    /// `score` event taking its points back. Like adding one,
    /// only while the match is in play: what viewers saw at full-time stays true.
    pub(super) fn plan_incident_removal(
        &self,
        id: MatchId,
        incident_id: IncidentId,
    ) -> Result<Planned, CommandError> {
        let m = self.existing_match(id)?;
        let incident = m
            .incidents
            .iter()
            .find(|i| i.id == incident_id)
            .ok_or_else(|| {
                CommandError::NotFound(format!("match {id} has no incident {incident_id}"))
            })?;
        if !m.status.is_in_play() {
            return Err(CommandError::Invalid(format!(
                "match {id} is {}; incidents can only be removed while it is in play",
                m.status.as_str()
            )));
        }
        if incident.kind == IncidentKind::Period {
            return Err(CommandError::Invalid(format!(
                "incident {incident_id} marks a period; periods follow match.status"
            )));
        }
        // A player brought on by a substitution who then scored, was booked or went off again
        // would be left on a timeline that never brought him on.
        if incident.kind == IncidentKind::Substitution
            && let Some(player) = incident.player.as_deref()
        {
            let later = m
                .incidents
                .iter()
                .skip_while(|i| i.id != incident_id)
                .skip(1)
                .find(|i| {
                    i.team == incident.team
                        && (i.player.as_deref() == Some(player)
                            || i.player_out.as_deref() == Some(player))
                });
            if let Some(later) = later {
                return Err(CommandError::Invalid(format!(
                    "incident {incident_id} brought {player} on, and incident {} names him \
                     later; remove that one first",
                    later.id
                )));
            }
        }
        // A second yellow's red goes with either yellow card, and never alone: a player with
        // one yellow is not sent off, one with two is.
        if incident.kind == IncidentKind::RedCard
            && incident.detail.as_deref() == Some(SECOND_YELLOW)
        {
            return Err(CommandError::Invalid(format!(
                "incident {incident_id} is the red card of a second yellow; remove a yellow card \
                 and the red goes with it"
            )));
        }
        let red = (incident.kind == IncidentKind::YellowCard)
            .then(|| red_of_second_yellow(m, incident))
            .flatten();
        let mut version = m.version.next();
        let mut events = vec![Event::IncidentRemoved {
            match_id: id,
            incident_id,
            version,
        }];
        if let Some(red) = red {
            version = version.next();
            events.push(Event::IncidentRemoved {
                match_id: id,
                incident_id: red.id,
                version,
            });
        }
        // Taken away, the rest of the timeline must still add up at every point: a correction
        // that took a goal back cannot stand once the goal is gone.
        let gone = [Some(incident_id), red.map(|r| r.id)];
        let rest = m.incidents.iter().filter(|i| !gone.contains(&Some(i.id)));
        let score = m
            .score
            .adjusted(incident.contribution().reversed())
            .filter(|_| tally(rest).is_some());
        let Some(score) = score else {
            return Err(CommandError::Invalid(format!(
                "removing incident {incident_id} would take a score below 0 on the timeline; \
                 remove the correction that followed it first"
            )));
        };
        if score != m.score {
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
