//! `stats.set`: a match's statistics, both sides at once, as the desk (or the generator) counts
//! them.
//!
//! Each `stats.set` replaces the whole set, so correcting a figure is sending them all again;
//! counts may go down (an editor fixing a mistake), but must stay plausible. Football has
//! shots, shots on target, possession (the two sides' add up to 100), corners and fouls;
//! basketball has rebounds, assists and fouls by period (one entry per period played so far,
//! overtimes included). A sport's fields are all required, the other sport's refused.

use serde::{Deserialize, Serialize};

use crate::feed::checks::{check_version, sport_name};
use crate::feed::error::CommandError;
use crate::feed::event::Event;
use crate::feed::state::{FeedState, Target};
use crate::feed::validate::Planned;
use crate::ids::{MatchId, Version};
use crate::model::{MatchStats, MatchStatus, SideStats, Sport};

/// The most any count may be (a match with more shots, rebounds or fouls is a typo).
pub const MAX_STAT: i64 = 200;

/// One side's statistics as `stats.set` carries them: signed, so that a negative count is an
/// `invalid` business error naming the field, not a parse error.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatsInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shots: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shots_on_target: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub possession: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub corners: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fouls: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rebounds: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assists: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fouls_by_period: Option<Vec<i64>>,
}

impl From<&SideStats> for StatsInput {
    fn from(s: &SideStats) -> StatsInput {
        let wide = |v: Option<u32>| v.map(i64::from);
        StatsInput {
            shots: wide(s.shots),
            shots_on_target: wide(s.shots_on_target),
            possession: wide(s.possession),
            corners: wide(s.corners),
            fouls: wide(s.fouls),
            rebounds: wide(s.rebounds),
            assists: wide(s.assists),
            fouls_by_period: s
                .fouls_by_period
                .as_ref()
                .map(|f| f.iter().map(|&n| i64::from(n)).collect()),
        }
    }
}

impl FeedState {
    /// The event of `stats.set` on match `id`.
    pub(super) fn plan_stats(
        &self,
        id: MatchId,
        home: &StatsInput,
        away: &StatsInput,
        expected: Option<Version>,
    ) -> Result<Planned, CommandError> {
        let m = self.existing_match(id)?;
        check_version("match", id.0, m.version, expected)?;
        if !(m.status.is_in_play() || m.status == MatchStatus::Final) {
            return Err(CommandError::Invalid(format!(
                "match {id} is {}; stats can only be set while it is in play or final",
                m.status.as_str()
            )));
        }
        let periods = usize::from(m.period.max(1));
        let home = side_stats(m.sport, "home", home, periods)?;
        let away = side_stats(m.sport, "away", away, periods)?;
        if let (Some(h), Some(a)) = (home.possession, away.possession)
            && h + a != 100
        {
            return Err(CommandError::Invalid(format!(
                "possession: the two sides must add up to 100, got {h} + {a}"
            )));
        }
        let stats = MatchStats { home, away };
        if m.stats.as_deref() == Some(&stats) {
            return Ok(Planned {
                events: Vec::new(),
                target: Target::Match(id),
            });
        }
        Ok(Planned {
            events: vec![Event::Stats {
                match_id: id,
                home: Box::new(stats.home),
                away: Box::new(stats.away),
                version: m.version.next(),
            }],
            target: Target::Match(id),
        })
    }
}

/// `input` checked for `sport`: its fields all there and in bounds, the other sport's absent.
fn side_stats(
    sport: Sport,
    side: &str,
    input: &StatsInput,
    periods: usize,
) -> Result<SideStats, CommandError> {
    let count = |field: &str, value: Option<i64>, max: i64| -> Result<u32, CommandError> {
        let value = value.ok_or_else(|| {
            CommandError::Invalid(format!(
                "{side}.{field} is missing; {} stats need it",
                sport_name(sport)
            ))
        })?;
        if !(0..=max).contains(&value) {
            return Err(CommandError::Invalid(format!(
                "{side}.{field} must be between 0 and {max}, got {value}"
            )));
        }
        Ok(value as u32)
    };
    let foreign = |field: &str, present: bool| -> Result<(), CommandError> {
        if present {
            return Err(CommandError::Invalid(format!(
                "{side}.{field} is not a {} statistic",
                sport_name(sport)
            )));
        }
        Ok(())
    };
    match sport {
        Sport::Football => {
            foreign("rebounds", input.rebounds.is_some())?;
            foreign("assists", input.assists.is_some())?;
            foreign("fouls_by_period", input.fouls_by_period.is_some())?;
            let shots = count("shots", input.shots, MAX_STAT)?;
            let on_target = count("shots_on_target", input.shots_on_target, MAX_STAT)?;
            if on_target > shots {
                return Err(CommandError::Invalid(format!(
                    "{side}.shots_on_target is {on_target}, more than the {shots} shots"
                )));
            }
            Ok(SideStats {
                shots: Some(shots),
                shots_on_target: Some(on_target),
                possession: Some(count("possession", input.possession, 100)?),
                corners: Some(count("corners", input.corners, MAX_STAT)?),
                fouls: Some(count("fouls", input.fouls, MAX_STAT)?),
                ..SideStats::default()
            })
        }
        Sport::Basketball => {
            foreign("shots", input.shots.is_some())?;
            foreign("shots_on_target", input.shots_on_target.is_some())?;
            foreign("possession", input.possession.is_some())?;
            foreign("corners", input.corners.is_some())?;
            foreign("fouls", input.fouls.is_some())?;
            let by_period = input.fouls_by_period.as_deref().ok_or_else(|| {
                CommandError::Invalid(format!(
                    "{side}.fouls_by_period is missing; basketball stats need it"
                ))
            })?;
            if by_period.len() > periods {
                return Err(CommandError::Invalid(format!(
                    "{side}.fouls_by_period has {} periods, but the match has played {periods}",
                    by_period.len()
                )));
            }
            let fouls = by_period
                .iter()
                .map(|&n| count("fouls_by_period", Some(n), MAX_STAT))
                .collect::<Result<Vec<u32>, _>>()?;
            Ok(SideStats {
                rebounds: Some(count("rebounds", input.rebounds, MAX_STAT)?),
                assists: Some(count("assists", input.assists, MAX_STAT)?),
                fouls_by_period: Some(fouls),
                ..SideStats::default()
            })
        }
    }
}

#[cfg(test)]
#[path = "stats_tests.rs"]
mod tests;
