//! Who the simulation names in an incident: a player of the team's squad, weighted by position
//! (forwards score most, goalkeepers are never booked), and never one already sent off.

use rand::rngs::StdRng;
use rand::seq::IndexedRandom;

use crate::model::Team;

/// How likely a player of this position is to score, relative to the others.
pub(super) fn scorer_weight(position: &str) -> u32 {
    match position {
        "FW" => 6,
        "MF" => 3,
        "DF" => 1,
        _ => 0,
    }
}

pub(super) fn outfield_weight(position: &str) -> u32 {
    u32::from(position != "GK")
}

/// A player of `team` by `weight` of position, none of those `sent_off`.
pub(super) fn pick_player(
    rng: &mut StdRng,
    team: Option<&Team>,
    weight: impl Fn(&str) -> u32,
    sent_off: &[String],
) -> Option<String> {
    let team = team?;
    team.squad
        .choose_weighted(rng, |p| {
            if sent_off.contains(&p.name) {
                0
            } else {
                weight(&p.position)
            }
        })
        .ok()
        .map(|p| p.name.clone())
}
