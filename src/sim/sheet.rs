//! The simulation's team sheets: a plausible lineup picked from the squad before kick-off, who
//! is on the pitch as the match goes, and the substitutions a coach would make.
//!
//! The feed checks every incident against the sheet (`feed/lineups.rs`), so the simulation
//! keeps its own copy in step: it only names players on the pitch, only brings on players who
//! may come on, and never makes a sixth football substitution.

use rand::prelude::*;

use crate::feed::lineups::{Appearances, FOOTBALL_MAX_SUBS, sheet_size};
use crate::feed::{Command, FeedState};
use crate::ids::MatchId;
use crate::model::{Match, Player, Side, Sport, Team};

/// A football eleven by position: one goalkeeper, then defenders, midfielders and forwards.
const FOOTBALL_SHAPE: [(&str, usize); 4] = [("GK", 1), ("DF", 4), ("MF", 4), ("FW", 2)];
/// A basketball five: one of each position.
const BASKETBALL_SHAPE: [(&str, usize); 5] = [("PG", 1), ("SG", 1), ("SF", 1), ("PF", 1), ("C", 1)];

/// One side's sheet as the simulation plays it.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    /// On the pitch now.
    pub on: Vec<String>,
    /// Who may still come on: football's unused substitutes; basketball's whole bench, those
    /// taken off included (they may come back).
    pub bench: Vec<String>,
    pub subs: usize,
    /// The substitutions this coach means to make (football: three to five).
    pub planned: usize,
}

impl Sheet {
    /// A sheet picked from `team`'s squad, and the `lineup.set` that announces it; none for a
    /// team without a squad big enough.
    pub fn pick(
        rng: &mut StdRng,
        sport: Sport,
        match_id: MatchId,
        side: Side,
        team: &Team,
    ) -> Option<(Sheet, Command)> {
        let (size, bench_max) = sheet_size(sport);
        let shape: &[(&str, usize)] = match sport {
            Sport::Football => &FOOTBALL_SHAPE,
            Sport::Basketball => &BASKETBALL_SHAPE,
        };
        let mut pool: Vec<&Player> = team.squad.iter().collect();
        pool.shuffle(rng);
        let mut starting: Vec<&Player> = Vec::with_capacity(size);
        for (position, wanted) in shape {
            let picked: Vec<&Player> = pool
                .iter()
                .filter(|p| p.position == *position)
                .take(*wanted)
                .copied()
                .collect();
            pool.retain(|p| !picked.iter().any(|q| q.number == p.number));
            starting.extend(picked);
        }
        // Short of a position: fill up with outfield players.
        while starting.len() < size {
            let at = pool.iter().position(|p| p.position != "GK")?;
            starting.push(pool.remove(at));
        }
        if sport == Sport::Football && !starting.iter().any(|p| p.position == "GK") {
            return None;
        }
        pool.truncate(bench_max);
        let names = |players: &[&Player]| -> Vec<String> {
            players.iter().map(|p| p.name.clone()).collect()
        };
        let planned = match sport {
            Sport::Football => rng.random_range(3..=FOOTBALL_MAX_SUBS),
            Sport::Basketball => usize::MAX,
        };
        let sheet = Sheet {
            on: names(&starting),
            bench: names(&pool),
            subs: 0,
            planned: planned.min(pool.len()),
        };
        let command = Command::LineupSet {
            match_id,
            team: side,
            starting: sheet.on.clone(),
            bench: sheet.bench.clone(),
            expected_version: None,
        };
        Some((sheet, command))
    }

    /// The sheet of `side` in `m` as the feed has it, with the timeline so far played out.
    pub fn of(state: &FeedState, m: &Match, side: Side) -> Option<Sheet> {
        let seen = Appearances::of(state, m, side)?;
        let on: Vec<String> = seen.on_now().map(str::to_owned).collect();
        let bench = match m.sport {
            Sport::Football => seen
                .bench
                .iter()
                .filter(|p| !seen.has_played(p))
                .cloned()
                .collect(),
            Sport::Basketball => seen
                .listed
                .iter()
                .filter(|p| !on.contains(p))
                .cloned()
                .collect(),
        };
        let planned = match m.sport {
            Sport::Football => FOOTBALL_MAX_SUBS.min(seen.substitutions + 3),
            Sport::Basketball => usize::MAX,
        };
        Some(Sheet {
            on,
            bench,
            subs: seen.substitutions,
            planned,
        })
    }

    /// Whether the coach still wants (and may make) a substitution.
    pub fn wants_change(&self) -> bool {
        self.subs < self.planned && !self.bench.is_empty()
    }

    /// Pick a substitution: who goes off (by `weight` of position, none of `sent_off`), who comes
    /// on (preferably the same position). Updates the sheet; returns (on, off).
    pub fn substitute(
        &mut self,
        rng: &mut StdRng,
        sport: Sport,
        team: &Team,
        weight: impl Fn(&str) -> u32,
    ) -> Option<(String, String)> {
        let position = |name: &str| {
            team.squad
                .iter()
                .find(|p| p.name == name)
                .map_or("", |p| p.position.as_str())
        };
        let off = self
            .on
            .choose_weighted(rng, |p| weight(position(p)))
            .ok()?
            .clone();
        let off_position = position(&off).to_owned();
        let on = self
            .bench
            .choose_weighted(rng, |p| if position(p) == off_position { 4 } else { 1 })
            .ok()?
            .clone();
        self.bench.retain(|p| *p != on);
        self.on.retain(|p| *p != off);
        self.on.push(on.clone());
        if sport == Sport::Basketball {
            self.bench.push(off.clone());
        }
        self.subs += 1;
        Some((on, off))
    }

    /// `player` left the pitch for good (sent off).
    pub fn send_off(&mut self, player: &str) {
        self.on.retain(|p| p != player);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feed::fixtures::Fixtures;
    use crate::ids::TeamId;

    #[test]
    fn a_picked_lineup_has_a_goalkeeper_and_the_sport_s_numbers() {
        let now = "2026-11-25T08:00:00Z".parse().unwrap();
        let state = Fixtures::embedded().into_state(now).unwrap();
        for seed in 0..20 {
            let mut rng = StdRng::seed_from_u64(seed);
            let ars = state.team(&TeamId::from("ARS")).unwrap();
            let (sheet, _) = Sheet::pick(&mut rng, Sport::Football, MatchId(1), Side::Home, ars)
                .expect("a sheet");
            assert_eq!((sheet.on.len(), sheet.bench.len()), (11, 5));
            let keepers = sheet
                .on
                .iter()
                .filter(|n| {
                    ars.squad
                        .iter()
                        .any(|p| &p.name == *n && p.position == "GK")
                })
                .count();
            assert_eq!(keepers, 1);
            assert!((3..=5).contains(&sheet.planned));
            let bos = state.team(&TeamId::from("BOS")).unwrap();
            let (sheet, _) =
                Sheet::pick(&mut rng, Sport::Basketball, MatchId(8), Side::Home, bos).unwrap();
            assert_eq!((sheet.on.len(), sheet.bench.len()), (5, 5));
        }
    }
}
