//! Team sheets and who is on the pitch: `lineup.set`'s rules, and the checks a sheet puts on
//! incidents once the match is under way.
//!
//! A sheet is set before kick-off and names players by shirt number. From then on the timeline
//! says who is on: the starters, then each substitution takes `player_out` off and brings
//! `player` on, and a red card takes its player off. For a team with a sheet, a substitution
//! must take off a player on the pitch and bring on one who is not (football: from the bench,
//! once, at most [`FOOTBALL_MAX_SUBS`] times; basketball: as often as the coach likes), and
//! every other incident must name a player who was on at its minute. A team without a sheet
//! keeps today's rules: any player of its squad.

use crate::feed::checks::{check_chars, check_version, sport_name};
use crate::feed::error::CommandError;
use crate::feed::event::Event;
use crate::feed::squads::find_player;
use crate::feed::state::{FeedState, Target};
use crate::feed::validate::Planned;
use crate::ids::{MatchId, Version};
use crate::model::{Incident, IncidentKind, Match, MatchStatus, Player, Side, Sport, Team};

/// Substitutions a football team may make in a match.
pub const FOOTBALL_MAX_SUBS: usize = 5;

/// How many start, and how many may sit on the bench at most.
pub fn sheet_size(sport: Sport) -> (usize, usize) {
    match sport {
        Sport::Football => (11, 12),
        Sport::Basketball => (5, 10),
    }
}

/// Where players of `sport` play, for messages.
fn field_of(sport: Sport) -> &'static str {
    match sport {
        Sport::Football => "pitch",
        Sport::Basketball => "court",
    }
}

/// The team of `side` in `m`.
pub(crate) fn team_of<'a>(state: &'a FeedState, m: &Match, side: Side) -> Option<&'a Team> {
    state.team(match side {
        Side::Home => &m.home,
        Side::Away => &m.away,
    })
}

impl FeedState {
    /// The event of `lineup.set`: the sheet of `side` in match `id`, by shirt number.
    pub(super) fn plan_lineup(
        &self,
        id: MatchId,
        side: Side,
        starting: &[String],
        bench: &[String],
        expected: Option<Version>,
    ) -> Result<Planned, CommandError> {
        let m = self.existing_match(id)?;
        check_version("match", id.0, m.version, expected)?;
        if !matches!(m.status, MatchStatus::Scheduled | MatchStatus::Postponed) {
            return Err(CommandError::Invalid(format!(
                "match {id} is {}; a lineup can only be set before kick-off",
                m.status.as_str()
            )));
        }
        let team = team_of(self, m, side)
            .filter(|t| !t.squad.is_empty())
            .ok_or_else(|| {
                CommandError::Invalid(format!(
                    "team: the {} team of match {id} has no squad to pick a lineup from",
                    side_name(side)
                ))
            })?;
        let starters = resolve(team, "starting", starting)?;
        let subs = resolve(team, "bench", bench)?;
        let mut seen: Vec<u8> = Vec::new();
        for (field, p) in starters
            .iter()
            .map(|p| ("starting", p))
            .chain(subs.iter().map(|p| ("bench", p)))
        {
            if seen.contains(&p.number) {
                return Err(CommandError::Invalid(format!(
                    "{field}: {} (#{}) is named twice",
                    p.name, p.number
                )));
            }
            seen.push(p.number);
        }
        let sport = m.sport;
        let (size, bench_max) = sheet_size(sport);
        if starters.len() != size {
            return Err(CommandError::Invalid(format!(
                "starting: {} needs exactly {size} starters, got {}",
                sport_name(sport),
                starters.len()
            )));
        }
        if subs.len() > bench_max {
            return Err(CommandError::Invalid(format!(
                "bench: {} allows at most {bench_max} substitutes, got {}",
                sport_name(sport),
                subs.len()
            )));
        }
        if sport == Sport::Football && !starters.iter().any(|p| p.position == "GK") {
            return Err(CommandError::Invalid(
                "starting: a football lineup needs a goalkeeper (GK) among the starters".into(),
            ));
        }
        let numbers = |players: &[&Player]| players.iter().map(|p| p.number).collect();
        Ok(Planned {
            events: vec![Event::Lineup {
                match_id: id,
                team: side,
                starting: numbers(&starters),
                bench: numbers(&subs),
                version: m.version.next(),
            }],
            target: Target::Match(id),
        })
    }

    /// The checks a team sheet puts on `incident` (its players already resolved from the squad):
    /// none for a team without one.
    pub(super) fn check_lineup_rules(
        &self,
        m: &Match,
        incident: &Incident,
    ) -> Result<(), CommandError> {
        let Some(side) = incident.team else {
            return Ok(());
        };
        let Some(on) = Appearances::of(self, m, side) else {
            return Ok(());
        };
        let field = field_of(m.sport);
        if incident.kind != IncidentKind::Substitution {
            return match incident.player.as_deref() {
                Some(p) if !on.was_on(p, incident.minute) => Err(CommandError::Invalid(format!(
                    "player: {p} was not on the {field} in minute {} of match {}",
                    incident.minute, m.id
                ))),
                _ => Ok(()),
            };
        }
        let (Some(coming), Some(going)) =
            (incident.player.as_deref(), incident.player_out.as_deref())
        else {
            let missing = if incident.player.is_none() {
                "player"
            } else {
                "player_out"
            };
            return Err(CommandError::Invalid(format!(
                "{missing}: this team has a lineup, so a substitution names both the player \
                 coming on (`player`) and the player going off (`player_out`)"
            )));
        };
        if m.sport == Sport::Football && on.substitutions >= FOOTBALL_MAX_SUBS {
            return Err(CommandError::Invalid(format!(
                "kind: the {} team has made {} substitutions in match {}, the most football \
                 allows",
                side_name(side),
                on.substitutions,
                m.id
            )));
        }
        if coming == going {
            return Err(CommandError::Invalid(format!(
                "player_out: {going} cannot replace themselves"
            )));
        }
        if !on.is_on(going) {
            return Err(CommandError::Invalid(format!(
                "player_out: {going} is not on the {field} in match {}",
                m.id
            )));
        }
        if on.is_on(coming) {
            return Err(CommandError::Invalid(format!(
                "player: {coming} is already on the {field} in match {}",
                m.id
            )));
        }
        if m.sport == Sport::Basketball {
            // Basketball substitutions are unlimited and players come back on: only the sheet
            // and who is on court matter.
            if !on.listed.iter().any(|p| p == coming) {
                return Err(CommandError::Invalid(format!(
                    "player: {coming} is not on the team sheet of match {}",
                    m.id
                )));
            }
            return Ok(());
        }
        if on.has_played(coming) {
            return Err(CommandError::Invalid(format!(
                "player: {coming} has already played in match {}; a football player cannot \
                 come on twice",
                m.id
            )));
        }
        if !on.bench.iter().any(|p| p == coming) {
            return Err(CommandError::Invalid(format!(
                "player: {coming} is not on the bench in match {}",
                m.id
            )));
        }
        Ok(())
    }
}

/// The players `names` name in `team`'s squad; `field` is the command field, for messages.
fn resolve<'a>(
    team: &'a Team,
    field: &str,
    names: &[String],
) -> Result<Vec<&'a Player>, CommandError> {
    names
        .iter()
        .map(|name| {
            check_chars(field, name, false)?;
            find_player(&team.squad, name).ok_or_else(|| {
                CommandError::Invalid(format!(
                    "{field}: `{}` is not in the {} squad; name one of its players or #number",
                    name.trim(),
                    team.name
                ))
            })
        })
        .collect()
}

fn side_name(side: Side) -> &'static str {
    match side {
        Side::Home => "home",
        Side::Away => "away",
    }
}

/// One spell on the pitch: from the minute a player started or came on, to the minute they
/// went off (none while they are still on).
#[derive(Debug, Clone, PartialEq)]
struct Spell {
    player: String,
    from: u16,
    until: Option<u16>,
}

/// Who of one team has been on the pitch, and when, from its sheet and the timeline so far.
#[derive(Debug, Clone, PartialEq)]
pub struct Appearances {
    spells: Vec<Spell>,
    /// The sheet's bench, by name.
    pub bench: Vec<String>,
    /// Everyone on the sheet, starters first.
    pub listed: Vec<String>,
    /// Substitutions made so far.
    pub substitutions: usize,
}

impl Appearances {
    /// The appearances of `side` in `m`; none when the side has no sheet (or its team no squad).
    pub fn of(state: &FeedState, m: &Match, side: Side) -> Option<Appearances> {
        let lineup = m.lineups.side(side)?;
        let squad = &team_of(state, m, side)?.squad;
        let name = |n: &u8| {
            squad
                .iter()
                .find(|p| p.number == *n)
                .map(|p| p.name.clone())
        };
        let starters: Vec<String> = lineup.starting.iter().filter_map(name).collect();
        let bench: Vec<String> = lineup.bench.iter().filter_map(name).collect();
        let mut on = Appearances {
            spells: starters
                .iter()
                .map(|p| Spell {
                    player: p.clone(),
                    from: 0,
                    until: None,
                })
                .collect(),
            listed: starters.into_iter().chain(bench.iter().cloned()).collect(),
            bench,
            substitutions: 0,
        };
        for i in m.incidents.iter().filter(|i| i.team == Some(side)) {
            match (i.kind, i.player.as_deref(), i.player_out.as_deref()) {
                (IncidentKind::Substitution, Some(coming), Some(going)) => {
                    on.leave(going, i.minute);
                    on.spells.push(Spell {
                        player: coming.to_owned(),
                        from: i.minute,
                        until: None,
                    });
                    on.substitutions += 1;
                }
                (IncidentKind::RedCard, Some(player), _) => on.leave(player, i.minute),
                _ => {}
            }
        }
        Some(on)
    }

    fn leave(&mut self, player: &str, minute: u16) {
        if let Some(spell) = self
            .spells
            .iter_mut()
            .find(|s| s.player == player && s.until.is_none())
        {
            spell.until = Some(minute);
        }
    }

    /// Whether `player` is on the pitch now.
    pub fn is_on(&self, player: &str) -> bool {
        self.spells
            .iter()
            .any(|s| s.player == player && s.until.is_none())
    }

    /// Whether `player` was on the pitch in `minute` (the minute they came on or went off
    /// included: both happen within it).
    pub fn was_on(&self, player: &str, minute: u16) -> bool {
        self.spells.iter().any(|s| {
            s.player == player && s.from <= minute && s.until.is_none_or(|until| minute <= until)
        })
    }

    /// Whether `player` has been on the pitch at all.
    pub fn has_played(&self, player: &str) -> bool {
        self.spells.iter().any(|s| s.player == player)
    }

    /// Who is on the pitch now, in the order they went on.
    pub fn on_now(&self) -> impl Iterator<Item = &str> {
        self.spells
            .iter()
            .filter(|s| s.until.is_none())
            .map(|s| s.player.as_str())
    }
}

#[cfg(test)]
#[path = "lineups_tests.rs"]
mod tests;
