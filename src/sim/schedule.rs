//! The league calendar: which matches a league plays on a given day, from the cadence in the
//! fixtures (`leagues.json`, [`crate::model::Round`]).
//!
//! A day's fixtures are a pure function of the league, its teams and the date, so a generator
//! that restarts (or a new leader in a cluster) draws the same pairings for the same day without
//! remembering anything. Rounds are numbered by the week they start in, and each round is one turn
//! of a round-robin rotation (the circle method): every team plays at most once in it, teams meet
//! different opponents from round to round, and home and away swap between the two halves of a
//! double round-robin.

use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};

use crate::feed::Window;
use crate::ids::{LeagueId, TeamId};
use crate::model::League;

/// A match the calendar wants created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fixture {
    pub league: LeagueId,
    pub home: TeamId,
    pub away: TeamId,
    pub kickoff: DateTime<Utc>,
}

/// The matches `league` plays on `day` (a date in the window's zone), kick-offs at the cadence's
/// local times. `teams` are the league's teams in a fixed order (the state's, by id).
pub fn day_fixtures(
    league: &League,
    teams: &[&TeamId],
    window: &Window,
    day: NaiveDate,
) -> Vec<Fixture> {
    let mut fixtures = Vec::new();
    let rounds = league.cadence.len() as i64;
    for (index, round) in league.cadence.iter().enumerate() {
        let Some(first) = round.slots.first() else {
            continue;
        };
        let mut pairs = None;
        for (k, slot) in round.slots.iter().enumerate() {
            if slot.weekday != day.weekday() {
                continue;
            }
            let offset = days_after(first.weekday, slot.weekday);
            let Some(start) = day.checked_sub_days(Days::new(offset)) else {
                continue;
            };
            let week = week_number(start);
            if week.rem_euclid(i64::from(round.every_weeks.max(1))) != 0 {
                continue;
            }
            let number = (week * rounds + index as i64).rem_euclid(i64::MAX) as u64;
            let pairs = pairs.get_or_insert_with(|| pairings(teams.len(), number));
            if let Some(&(home, away)) = pairs.get(k) {
                fixtures.push(Fixture {
                    league: league.id.clone(),
                    home: teams[home].clone(),
                    away: teams[away].clone(),
                    kickoff: local_time(window, day, slot.time),
                });
            }
        }
    }
    fixtures.sort_by_key(|f| f.kickoff);
    fixtures
}

/// Days from `from` to the next `to` (0 when they are the same weekday).
fn days_after(from: Weekday, to: Weekday) -> u64 {
    u64::from((to.num_days_from_monday() + 7 - from.num_days_from_monday()) % 7)
}

/// Weeks since a fixed Monday; the same for every day of a week that starts on `start`'s weekday.
fn week_number(start: NaiveDate) -> i64 {
    let monday = NaiveDate::from_isoywd_opt(2024, 1, Weekday::Mon).expect("a valid date");
    (start - monday).num_days().div_euclid(7)
}

/// `time` on `day` in the window's zone; a time that does not exist (a daylight-saving gap) moves
/// an hour later.
pub fn local_time(window: &Window, day: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    let local = day.and_time(time);
    [local, local + chrono::Duration::hours(1)]
        .into_iter()
        .find_map(|t| window.timezone.from_local_datetime(&t).earliest())
        .map_or_else(|| local.and_utc(), |t| t.with_timezone(&Utc))
}

/// Round `number` of a round-robin between `n` teams (indexes into the team list), as
/// `(home, away)` pairs. Each team appears at most once; with an odd `n` one team rests. The pairs
/// come in an order that also turns with the round, so a round with fewer slots than pairs leaves
/// out different teams each time.
pub fn pairings(n: usize, number: u64) -> Vec<(usize, usize)> {
    if n < 2 {
        return Vec::new();
    }
    // An odd number of teams gets a phantom opponent: whoever draws it rests.
    let m = n + n % 2;
    let turns = (m - 1) as u64;
    let turn = (number % turns) as usize;
    let second_half = (number / turns) % 2 == 1;
    // The circle method: team 0 stays put, the others rotate one place a round.
    let at = |position: usize| -> usize {
        if position == 0 {
            0
        } else {
            1 + (position - 1 + turn) % (m - 1)
        }
    };
    let mut pairs: Vec<(usize, usize)> = (0..m / 2)
        .filter_map(|i| {
            let (a, b) = (at(i), at(m - 1 - i));
            if a >= n || b >= n {
                return None;
            }
            // Alternate home and away: the fixed team by round, the others by table row.
            let swap = if i == 0 { turn % 2 == 1 } else { i % 2 == 1 };
            let (home, away) = if swap != second_half { (b, a) } else { (a, b) };
            Some((home, away))
        })
        .collect();
    let len = pairs.len();
    if len > 0 {
        pairs.rotate_left((number % len as u64) as usize);
    }
    pairs
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::model::{Round, Slot, Sport};

    fn slot(text: &str) -> Slot {
        Slot::try_from(text.to_owned()).unwrap()
    }

    fn league(rounds: &[(&[&str], u32)]) -> League {
        League {
            id: LeagueId::from("epl"),
            name: "Test".into(),
            sport: Sport::Football,
            country: "Nowhere".into(),
            cadence: rounds
                .iter()
                .map(|(slots, every_weeks)| Round {
                    slots: slots.iter().map(|s| slot(s)).collect(),
                    every_weeks: *every_weeks,
                })
                .collect(),
            tiebreaks: Vec::new(),
        }
    }

    #[test]
    fn a_double_round_robin_meets_every_pair_once_each_way() {
        for n in [6, 7, 8] {
            let mut seen = HashSet::new();
            let turns = (n + n % 2 - 1) as u64;
            for r in 0..2 * turns {
                let pairs = pairings(n, r);
                let mut playing = HashSet::new();
                for &(h, a) in &pairs {
                    assert!(playing.insert(h) && playing.insert(a), "n={n} r={r}");
                    assert!(seen.insert((h, a)), "n={n}: {h} v {a} twice");
                }
                assert_eq!(pairs.len(), n / 2);
            }
            assert_eq!(seen.len(), n * (n - 1), "n={n}: every ordered pair once");
        }
    }

    #[test]
    fn a_weekend_round_spans_its_days_and_the_next_week_draws_other_pairs() {
        let l = league(&[(&["fri 20:00", "sat 15:00", "mon 20:00"], 1)]);
        let ids: Vec<TeamId> = ["A", "B", "C", "D", "E", "F"].map(TeamId::from).into();
        let teams: Vec<&TeamId> = ids.iter().collect();
        let window = Window::default();
        let fri: NaiveDate = "2026-11-27".parse().unwrap();
        let round = |first: NaiveDate| -> Vec<Fixture> {
            (0..4)
                .flat_map(|d| day_fixtures(&l, &teams, &window, first + Days::new(d)))
                .collect()
        };
        let this = round(fri);
        assert_eq!(this.len(), 3, "{this:?}");
        let times: Vec<String> = this.iter().map(|f| f.kickoff.to_rfc3339()).collect();
        assert_eq!(
            times,
            [
                "2026-11-27T20:00:00+00:00",
                "2026-11-28T15:00:00+00:00",
                "2026-11-30T20:00:00+00:00"
            ]
        );
        let playing: HashSet<&TeamId> = this.iter().flat_map(|f| [&f.home, &f.away]).collect();
        assert_eq!(playing.len(), 6, "everyone plays once in the round");
        let next = round(fri + Days::new(7));
        let pairs = |fs: &[Fixture]| -> HashSet<(TeamId, TeamId)> {
            fs.iter()
                .map(|f| (f.home.clone(), f.away.clone()))
                .collect()
        };
        assert!(pairs(&this).is_disjoint(&pairs(&next)), "new opponents");
    }

    #[test]
    fn a_round_every_other_week_skips_a_week_and_kickoffs_follow_the_zone() {
        let l = league(&[(&["tue 19:45", "tue 20:00"], 2)]);
        let ids: Vec<TeamId> = ["A", "B", "C", "D"].map(TeamId::from).into();
        let teams: Vec<&TeamId> = ids.iter().collect();
        let window = Window {
            timezone: "Europe/Madrid".parse().unwrap(),
            ..Window::default()
        };
        let tue: NaiveDate = "2026-12-01".parse().unwrap();
        let counts: Vec<usize> = (0..4)
            .map(|w| day_fixtures(&l, &teams, &window, tue + Days::new(7 * w)).len())
            .collect();
        assert!(
            counts == [2, 0, 2, 0] || counts == [0, 2, 0, 2],
            "{counts:?}"
        );
        let played = if counts[0] == 2 {
            tue
        } else {
            tue + Days::new(7)
        };
        let fixtures = day_fixtures(&l, &teams, &window, played);
        // 19:45 in Madrid is 18:45 UTC in winter.
        assert_eq!(fixtures[0].kickoff.format("%H:%M").to_string(), "18:45");
    }
}
