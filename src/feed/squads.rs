//! Which player an incident names: someone in that team's squad, never a name the desk
//! mistyped or a player of another team ("Lionel Messi" for Spurs), and never one already sent
//! off (a red card, or a second yellow, which brings its red with it).
//!
//! The squads are the fixtures' reference data (`teams.json`), the same on every node. A player
//! is named as the squad names them (any case) or by shirt number (`#9`); `unknown` records a
//! scorer the desk cannot name yet. A team whose fixtures list no squad takes any name.

use crate::feed::error::CommandError;
use crate::feed::state::FeedState;
use crate::model::{Incident, IncidentKind, Match, Player, Side};

/// What the desk types for a player it cannot name.
pub const UNKNOWN_PLAYER: &str = "unknown";

impl FeedState {
    /// `player` (already checked as text) as the squad of `side`'s team in `m` names them;
    /// `None` for no player or an unknown one.
    pub(super) fn squad_player(
        &self,
        m: &Match,
        side: Side,
        player: Option<String>,
    ) -> Result<Option<String>, CommandError> {
        let Some(player) = player else {
            return Ok(None);
        };
        let wanted = player.trim();
        if wanted.eq_ignore_ascii_case(UNKNOWN_PLAYER) {
            return Ok(None);
        }
        let team_id = match side {
            Side::Home => &m.home,
            Side::Away => &m.away,
        };
        let Some(team) = self.team(team_id).filter(|t| !t.squad.is_empty()) else {
            return Ok(Some(player));
        };
        find_player(&team.squad, wanted)
            .map(|p| Some(p.name.clone()))
            .ok_or_else(|| {
                CommandError::Invalid(format!(
                    "player: `{wanted}` is not in the {} squad; name one of its players (or \
                     #number), or `{UNKNOWN_PLAYER}`",
                    team.name
                ))
            })
    }
}

/// The player of `squad` that `wanted` names: as the squad names them (any case) or `#number`.
pub(crate) fn find_player<'a>(squad: &'a [Player], wanted: &str) -> Option<&'a Player> {
    let wanted = wanted.trim();
    let number = wanted.strip_prefix('#').and_then(|n| n.parse::<u8>().ok());
    squad
        .iter()
        .find(|p| Some(p.number) == number || p.name.eq_ignore_ascii_case(wanted))
}

/// How many yellow cards `player` of `side` has in `m`, and whether they were sent off.
fn bookings(m: &Match, side: Side, player: &str) -> (usize, bool) {
    let theirs = m
        .incidents
        .iter()
        .filter(|i| i.team == Some(side) && i.player.as_deref() == Some(player));
    let (mut yellows, mut red) = (0, false);
    for i in theirs {
        match i.kind {
            IncidentKind::YellowCard => yellows += 1,
            IncidentKind::RedCard => red = true,
            _ => {}
        }
    }
    (yellows, red || yellows >= 2)
}

/// Refuse any incident for a player of `side` who has been sent off: they can no longer score,
/// be booked or come back on.
pub(super) fn check_not_sent_off(
    m: &Match,
    side: Side,
    field: &str,
    player: Option<&str>,
) -> Result<(), CommandError> {
    match player {
        Some(p) if bookings(m, side, p).1 => Err(CommandError::Invalid(format!(
            "{field}: {p} has been sent off in match {}",
            m.id
        ))),
        _ => Ok(()),
    }
}

/// Whether a yellow card for `player` of `side` is their second (and so comes with a red).
pub(super) fn is_second_yellow(m: &Match, side: Side, player: Option<&str>) -> bool {
    player.is_some_and(|p| bookings(m, side, p).0 == 1)
}

/// What a red card brought by a second yellow says of itself.
pub(super) const SECOND_YELLOW: &str = "second yellow";

/// The red card a second yellow brought to the player of `yellow` (a yellow card), if any.
pub(super) fn red_of_second_yellow<'m>(m: &'m Match, yellow: &Incident) -> Option<&'m Incident> {
    let player = yellow.player.as_deref()?;
    m.incidents.iter().find(|i| {
        i.kind == IncidentKind::RedCard
            && i.team == yellow.team
            && i.player.as_deref() == Some(player)
            && i.detail.as_deref() == Some(SECOND_YELLOW)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feed::fixtures::Fixtures;
    use crate::ids::MatchId;
    use chrono::{TimeZone, Utc};

    #[test]
    fn players_are_named_from_their_own_squad_by_name_or_number() {
        let now = Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).unwrap();
        let s = Fixtures::embedded().into_state(now).unwrap();
        let m = s.game(MatchId(1)).unwrap().clone();
        let arsenal = s.team(&m.home).unwrap();
        let first = arsenal.squad[0].clone();
        let named = |side, text: &str| s.squad_player(&m, side, Some(text.to_owned()));
        let shouted = first.name.to_uppercase();
        assert_eq!(named(Side::Home, &shouted), Ok(Some(first.name.clone())));
        let by_number = format!("#{}", first.number);
        assert_eq!(named(Side::Home, &by_number), Ok(Some(first.name.clone())));
        assert_eq!(named(Side::Home, "Unknown"), Ok(None));
        assert_eq!(s.squad_player(&m, Side::Home, None), Ok(None));
        let err = named(Side::Home, "Lionel Messi").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("player: `Lionel Messi` is not in the Arsenal squad"),
            "{err}"
        );
        assert!(
            named(Side::Away, &first.name).is_err(),
            "an Arsenal player is not Chelsea's"
        );
    }
}
