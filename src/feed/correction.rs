//! `score.set`: a manual override of a score, made in the open. A score is the sum of its
//! timeline, so the override is a line on the timeline too: a `correction` incident saying what it
//! changed (its `adjust`), which viewers see and `incident.remove` undoes, then the `score` event.

use crate::feed::checks::{MAX_SCORE, check_version};
use crate::feed::error::CommandError;
use crate::feed::event::Event;
use crate::feed::state::{FeedState, Target};
use crate::feed::validate::Planned;
use crate::ids::{MatchId, Version};
use crate::model::{Incident, IncidentKind, Score};

impl FeedState {
    /// The events of `score.set` on match `id`: none when the score already stands, else the
    /// correction and the score.
    pub(super) fn plan_score(
        &self,
        id: MatchId,
        home: i64,
        away: i64,
        expected: Option<Version>,
    ) -> Result<Planned, CommandError> {
        let m = self.existing_match(id)?;
        for (side, value) in [("home", home), ("away", away)] {
            if !(0..=MAX_SCORE).contains(&value) {
                return Err(CommandError::Invalid(format!(
                    "{side} score must be between 0 and {MAX_SCORE}, got {value}"
                )));
            }
        }
        check_version("match", id.0, m.version, expected)?;
        if !m.status.is_in_play() {
            // A finished match is frozen: what viewers saw at full-time stays true.
            return Err(CommandError::Invalid(format!(
                "match {id} is {}; its score can only be set while it is in play",
                m.status.as_str()
            )));
        }
        let score = Score {
            home: home as u32,
            away: away as u32,
        };
        if score == m.score {
            return Ok(Planned {
                events: Vec::new(),
                target: Target::Match(id),
            });
        }
        // A score is the sum of its timeline, so an override is a line on the timeline too: a
        // correction that says what it changed, which viewers see and `incident.remove` undoes.
        let was = m.score;
        let correction = Incident {
            id: self.next_incident_id(),
            kind: IncidentKind::Correction,
            team: None,
            player: None,
            player_out: None,
            period: m.period,
            minute: m.minute,
            points: 0,
            detail: Some(format!(
                "score corrected from {}-{} to {}-{}",
                was.home, was.away, score.home, score.away
            )),
            adjust: Some(was.to(score)),
        };
        let version = m.version.next();
        Ok(Planned {
            events: vec![
                Event::Incident {
                    match_id: id,
                    incident: correction,
                    version,
                },
                Event::Score {
                    match_id: id,
                    home: score.home,
                    away: score.away,
                    version: version.next(),
                },
            ],
            target: Target::Match(id),
        })
    }
}
