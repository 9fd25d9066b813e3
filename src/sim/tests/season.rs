//! A simulated season against the tables: six weeks of the generator's play, results
//! archived day by day, and every league's table compared with one computed here from the
//! final results, by the leagues' rules written out again independently of `standings.rs`.

use std::cmp::Reverse;
use std::collections::BTreeMap;

use super::*;
use crate::feed::standings::Table;
use crate::ids::MatchId;

/// A final result: league, home, away, their scores.
type Result = (String, String, String, i64, i64);

/// Points (football: 3/1/0; basketball: wins) and scored-minus-conceded of `team` in the
/// meetings among `group` in `results`.
fn among(results: &[&Result], team: &str, group: &[String], football: bool) -> (i64, i64) {
    let (mut points, mut difference) = (0, 0);
    for (_, home, away, h, a) in results {
        let (us, them) = if home == team && group.contains(away) {
            (*h, *a)
        } else if away == team && group.contains(home) {
            (*a, *h)
        } else {
            continue;
        };
        difference += us - them;
        points += match (us.cmp(&them), football) {
            (std::cmp::Ordering::Greater, true) => 3,
            (std::cmp::Ordering::Equal, true) => 1,
            (std::cmp::Ordering::Greater, false) => 1,
            _ => 0,
        };
    }
    (points, difference)
}

/// The table of `teams` from `results`: (team, played, won, drawn, lost, for, against) in order.
fn expected(
    teams: &[String],
    results: &[&Result],
    football: bool,
    head_to_head_first: bool,
) -> Vec<(String, i64, i64, i64, i64, i64, i64)> {
    let mut rows: Vec<_> = teams
        .iter()
        .map(|t| {
            let (mut p, mut w, mut d, mut l, mut f, mut a) = (0, 0, 0, 0, 0, 0);
            for (_, home, away, h, x) in results {
                let (us, them) = match (home == t, away == t) {
                    (true, _) => (*h, *x),
                    (_, true) => (*x, *h),
                    _ => continue,
                };
                p += 1;
                f += us;
                a += them;
                match us.cmp(&them) {
                    std::cmp::Ordering::Greater => w += 1,
                    std::cmp::Ordering::Equal => d += 1,
                    std::cmp::Ordering::Less => l += 1,
                }
            }
            (t.clone(), p, w, d, l, f, a)
        })
        .collect();
    // The first key: points, or wins per game (compared by cross-multiplying, exactly).
    let first = |r: &(String, i64, i64, i64, i64, i64, i64)| -> (i64, i64) {
        if football {
            (3 * r.2 + r.3, 1)
        } else {
            (r.2, r.1.max(1))
        }
    };
    let level = |x: (i64, i64), y: (i64, i64)| x.0 * y.1 == y.0 * x.1;
    let snapshot = rows.clone();
    let tied_with = |r: &(String, i64, i64, i64, i64, i64, i64), extra: bool| -> Vec<String> {
        snapshot
            .iter()
            .filter(|o| {
                level(first(o), first(r)) && (!extra || (o.5 - o.6, o.5) == (r.5 - r.6, r.5))
            })
            .map(|o| o.0.clone())
            .collect()
    };
    let key = |r: &(String, i64, i64, i64, i64, i64, i64)| {
        let (num, den) = first(r);
        let share = num * 1_000_000_000 / den;
        let gd = r.5 - r.6;
        let h2h = if !football || head_to_head_first {
            among(results, &r.0, &tied_with(r, false), football)
        } else {
            among(results, &r.0, &tied_with(r, true), football)
        };
        if !football {
            (share, h2h.0, h2h.1, gd, 0)
        } else if head_to_head_first {
            (share, h2h.0, h2h.1, gd, r.5)
        } else {
            (share, gd, r.5, h2h.0, h2h.1)
        }
    };
    rows.sort_by(|x, y| {
        Reverse(key(x))
            .cmp(&Reverse(key(y)))
            .then_with(|| x.0.cmp(&y.0))
    });
    rows
}

#[test]
fn six_simulated_weeks_give_the_tables_computed_from_their_results() {
    for seed in [11, 12] {
        season_checks_out(seed);
    }
}

fn season_checks_out(seed: u64) {
    let window = Window::default();
    let mut state = fixtures_state(window);
    let mut sim = Simulation::new(seed, &state, start());
    let until = start() + Duration::days(42);
    let mut finals: BTreeMap<MatchId, Result> = BTreeMap::new();
    run(&mut sim, &mut state, start(), until, |state, _, _| {
        for m in state.matches().filter(|m| m.status == MatchStatus::Final) {
            finals.entry(m.id).or_insert_with(|| {
                let s = (i64::from(m.score.home), i64::from(m.score.away));
                (
                    m.league.0.clone(),
                    m.home.0.clone(),
                    m.away.0.clone(),
                    s.0,
                    s.1,
                )
            });
        }
    });
    for m in state.matches().filter(|m| m.status == MatchStatus::Final) {
        let s = (i64::from(m.score.home), i64::from(m.score.away));
        finals.insert(
            m.id,
            (
                m.league.0.clone(),
                m.home.0.clone(),
                m.away.0.clone(),
                s.0,
                s.1,
            ),
        );
    }
    let archived = finals
        .keys()
        .filter(|id| state.game(**id).is_none())
        .count();
    assert!(
        archived > 40,
        "most results were archived: {archived} of {}",
        finals.len()
    );
    for league in state.leagues() {
        let teams: Vec<String> = state
            .teams()
            .filter(|t| t.league == league.id)
            .map(|t| t.id.0.clone())
            .collect();
        let results: Vec<&Result> = finals.values().filter(|r| r.0 == league.id.0).collect();
        assert!(
            results.len() >= teams.len(),
            "{}: {} results",
            league.id,
            results.len()
        );
        let football = league.sport == Sport::Football;
        let h2h_first = league.tiebreaks.first() == Some(&crate::model::Tiebreak::HeadToHead);
        let want = expected(&teams, &results, football, h2h_first);
        let table: Table = state.standings(&league.id).unwrap();
        let got: Vec<_> = table
            .rows
            .iter()
            .map(|r| {
                let n = |v: u32| i64::from(v);
                let drawn = r.drawn.map_or(0, n);
                (
                    r.team.0.clone(),
                    n(r.played),
                    n(r.won),
                    drawn,
                    n(r.lost),
                    n(r.scored),
                    n(r.conceded),
                )
            })
            .collect();
        assert_eq!(got, want, "{}", league.id);
    }
}
