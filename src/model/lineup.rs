//! Team sheets and match statistics, as a match carries them.
//!
//! Both are optional on a [`Match`](super::Match) and left out of its JSON when absent. A lineup
//! holds shirt numbers only: names are reference data (the squads, served once by
//! `GET /api/teams`), and a snapshot repeating them for every match would be several times
//! larger for every new viewer.

use serde::{Deserialize, Serialize};

use super::Side;

/// One team's sheet: who starts and who may come on, by shirt number.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lineup {
    pub starting: Vec<u8>,
    pub bench: Vec<u8>,
}

/// Both sheets of a match; either may be missing until the desk (or the generator) sets it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lineups {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub home: Option<Lineup>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub away: Option<Lineup>,
}

impl Lineups {
    pub fn is_empty(&self) -> bool {
        self.home.is_none() && self.away.is_none()
    }

    pub fn side(&self, side: Side) -> Option<&Lineup> {
        match side {
            Side::Home => self.home.as_ref(),
            Side::Away => self.away.as_ref(),
        }
    }

    pub fn set(&mut self, side: Side, lineup: Lineup) {
        match side {
            Side::Home => self.home = Some(lineup),
            Side::Away => self.away = Some(lineup),
        }
    }
}

/// One side's statistics. Which fields a sport uses is decided by `stats.set`'s rules
/// ([`crate::feed::stats`]): football has shots, shots on target, possession (percent), corners
/// and fouls; basketball has rebounds, assists and fouls by period (overtimes included). The
/// fields a sport does not use stay absent, and out of the JSON.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SideStats {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shots: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shots_on_target: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub possession: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub corners: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fouls: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rebounds: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assists: Option<u32>,
    /// Basketball: fouls in each period so far, the first quarter first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fouls_by_period: Option<Vec<u32>>,
}

/// Both sides' statistics, as the last `stats.set` left them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchStats {
    pub home: SideStats,
    pub away: SideStats,
}
