//! The simulated news desk: templated stories about goals, results and the coming matches,
//! naming real-looking players from the fixture squads.
//!
//! Each kind of story is written at the one moment it makes sense: a goal flash as the goal goes
//! in, a report at the final whistle, previews, injury worries and quotes only about matches that
//! have not kicked off yet (the simulation picks them, see [`crate::sim::Simulation`]).

use std::collections::BTreeMap;

use rand::prelude::*;

use crate::feed::Command;
use crate::ids::TeamId;
use crate::model::{Side, Sport, Team};
use crate::sim::play::Game;

/// The stories are signed by the desk, so that viewers can tell them from admins' items.
pub const AUTHOR: &str = "generator";

fn name<'a>(teams: &'a BTreeMap<TeamId, Team>, id: &'a TeamId) -> &'a str {
    teams
        .get(id)
        .map(|t| t.name.as_str())
        .unwrap_or(id.as_str())
}

fn publish(headline: String, body: String, game: &Game, extra_tag: &str) -> Command {
    Command::NewsPublish {
        headline,
        body,
        tags: vec![game.league.to_string(), extra_tag.to_owned()],
        match_id: Some(game.id),
        breaking: false,
    }
}

fn score_line(game: &Game, teams: &BTreeMap<TeamId, Team>) -> String {
    format!(
        "{} {}-{} {}",
        name(teams, &game.home),
        game.score.home,
        game.score.away,
        name(teams, &game.away)
    )
}

/// A flash after a goal in `minute` (1-based) (football only; baskets are too frequent to be
/// news).
pub fn goal_flash(
    rng: &mut StdRng,
    game: &Game,
    side: Side,
    player: &str,
    minute: u16,
    teams: &BTreeMap<TeamId, Team>,
) -> Command {
    let team = name(
        teams,
        match side {
            Side::Home => &game.home,
            Side::Away => &game.away,
        },
    );
    let (ours, theirs) = match side {
        Side::Home => (game.score.home, game.score.away),
        Side::Away => (game.score.away, game.score.home),
    };
    let verb = match ours.cmp(&theirs) {
        std::cmp::Ordering::Greater if ours == theirs + 1 => "puts {team} ahead",
        std::cmp::Ordering::Greater => "extends {team}'s lead",
        std::cmp::Ordering::Equal => "levels it for {team}",
        std::cmp::Ordering::Less => "pulls one back for {team}",
    }
    .replace("{team}", team);
    let scorer = if player.is_empty() {
        "An own goal"
    } else {
        player
    };
    let openers = [
        "A composed finish",
        "A thumping header",
        "A low drive into the corner",
        "A deflected strike",
        "A close-range tap-in",
    ];
    let opener = openers.choose(rng).copied().unwrap_or(openers[0]);
    publish(
        format!("{scorer} {verb}: {}", score_line(game, teams)),
        format!(
            "{opener} from {scorer} makes it {} {}.",
            score_line(game, teams),
            when(minute, game.regulation_end())
        ),
        game,
        "goal",
    )
}

/// "in the 23rd minute", or "in stoppage time (45+2)" past the end of regulation time.
pub(crate) fn when(minute: u16, regulation_end: u16) -> String {
    if minute > regulation_end {
        return format!(
            "in stoppage time ({regulation_end}+{})",
            minute - regulation_end
        );
    }
    let suffix = match (minute % 10, minute % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("in the {minute}{suffix} minute")
}

/// The final-whistle report.
pub fn full_time(rng: &mut StdRng, game: &Game, teams: &BTreeMap<TeamId, Team>) -> Command {
    let (home, away) = (name(teams, &game.home), name(teams, &game.away));
    let s = game.score;
    let summary = match s.home.cmp(&s.away) {
        std::cmp::Ordering::Greater => format!("{home} see off {away}"),
        std::cmp::Ordering::Less => format!("{away} win away at {home}"),
        std::cmp::Ordering::Equal => format!("{home} and {away} share the spoils"),
    };
    let closers = [
        "Both coaches will review the tape before the next round.",
        "The result shakes up the table going into the weekend.",
        "Supporters stayed long after the final whistle.",
        "A performance that will be talked about for a while.",
    ];
    let closer = closers.choose(rng).copied().unwrap_or(closers[0]);
    publish(
        format!("Full-time: {} - {summary}", score_line(game, teams)),
        format!(
            "{summary} in a {} that ended {}-{}. {closer}",
            match game.sport {
                Sport::Football => "match",
                Sport::Basketball => "game",
            },
            s.home,
            s.away
        ),
        game,
        "report",
    )
}

/// Kinds of desk story; a match gets each at most once.
const DESK_KINDS: u8 = 4;

/// A story from the desk about a match still to come: a preview, an injury worry, a quote, a
/// transfer rumour about one of its teams, of a kind not yet written about it (none when all
/// have been).
pub fn desk_story(
    rng: &mut StdRng,
    game: &mut Game,
    teams: &BTreeMap<TeamId, Team>,
) -> Option<Command> {
    let fresh: Vec<u8> = (0..DESK_KINDS)
        .filter(|k| game.stories & (1 << k) == 0)
        .collect();
    let kind = *fresh.choose(rng)?;
    game.stories |= 1 << kind;
    let side = if rng.random_bool(0.5) {
        &game.home
    } else {
        &game.away
    };
    let team = name(teams, side);
    let opponent = name(
        teams,
        if side == &game.home {
            &game.away
        } else {
            &game.home
        },
    );
    let player = teams
        .get(side)
        .and_then(|t| t.squad.choose(rng))
        .map(|p| p.name.clone())
        .unwrap_or_else(|| "the captain".to_owned());
    let (headline, body, tag) = match kind {
        0 => (
            format!("{team} sweat on {player}'s fitness"),
            format!(
                "{player} took a knock in training and is a doubt against {opponent}; a late decision is expected."
            ),
            "injury",
        ),
        1 => (
            format!("Coach: \"{opponent} will make us suffer\""),
            format!(
                "The {team} bench expects a hard game against {opponent} and praised {player}'s form."
            ),
            "quotes",
        ),
        2 => (
            format!("{player} linked with a move away from {team}"),
            format!(
                "Reports suggest {player} is weighing up offers; {team} are said to be relaxed about the speculation."
            ),
            "transfers",
        ),
        _ => (
            format!(
                "Preview: {} v {}",
                name(teams, &game.home),
                name(teams, &game.away)
            ),
            format!("{team} look to {player} to make the difference against {opponent}."),
            "preview",
        ),
    };
    Some(publish(headline, body, game, tag))
}

#[cfg(test)]
mod tests {
    use super::when;

    #[test]
    fn goal_minutes_read_like_football() {
        assert_eq!(when(1, 45), "in the 1st minute");
        assert_eq!(when(2, 45), "in the 2nd minute");
        assert_eq!(when(13, 45), "in the 13th minute");
        assert_eq!(when(23, 45), "in the 23rd minute");
        assert_eq!(when(90, 90), "in the 90th minute");
        assert_eq!(when(47, 45), "in stoppage time (45+2)");
    }
}
