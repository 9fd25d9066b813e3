//! Unit tests of the tables: football points and tiebreaks (the league's order, head-to-head
//! among the teams still tied), basketball win share and games behind, matches under way counted
//! as they stand, and archived results still counted.

use chrono::{DateTime, Duration, Utc};

use super::*;
use crate::feed::event::Event;
use crate::feed::fixtures::Fixtures;
use crate::model::{Incident, IncidentKind, Score, Side};

fn now() -> DateTime<Utc> {
    "2026-11-25T08:00:00Z".parse().unwrap()
}

/// The embedded fixtures without their matches.
fn empty() -> FeedState {
    let mut s = Fixtures::embedded().into_state(now()).unwrap();
    s.matches.clear();
    s
}

/// Add match `id` of `league`, `home` v `away`, in `status` with that score.
fn play(
    s: &mut FeedState,
    id: u32,
    (home, away): (&str, &str),
    score: (u32, u32),
    status: MatchStatus,
) {
    let league = s.team(&TeamId::from(home)).unwrap().league.clone();
    let sport = s.league(&league).unwrap().sport;
    let mut game = Match::scheduled(
        MatchId(id),
        league,
        sport,
        home.into(),
        away.into(),
        now() + Duration::minutes(i64::from(id)),
    );
    game.status = status;
    game.score = Score {
        home: score.0,
        away: score.1,
    };
    s.apply(&Event::Match { game });
}

fn order(s: &FeedState, league: &str) -> Vec<String> {
    let table = s.standings(&league.into()).unwrap();
    table.rows.iter().map(|r| r.team.0.clone()).collect()
}

fn row<'a>(table: &'a Table, team: &str) -> &'a Row {
    table.rows.iter().find(|r| r.team.0 == team).unwrap()
}

const FINAL: MatchStatus = MatchStatus::Final;

#[test]
fn football_counts_three_for_a_win_and_one_for_a_draw() {
    let mut s = empty();
    play(&mut s, 1, ("ARS", "CHE"), (2, 0), FINAL);
    play(&mut s, 2, ("LIV", "ARS"), (1, 1), FINAL);
    let table = s.standings(&"epl".into()).unwrap();
    let ars = row(&table, "ARS");
    assert_eq!(
        (ars.played, ars.won, ars.drawn, ars.lost),
        (2, 1, Some(1), 0)
    );
    assert_eq!((ars.scored, ars.conceded, ars.difference), (3, 1, 2));
    assert_eq!(ars.points, Some(4));
    assert_eq!(ars.form, "WD");
    assert_eq!(ars.position, 1);
    assert_eq!(row(&table, "CHE").points, Some(0));
    assert_eq!(table.rows.len(), 8, "every team of the league has a row");
    assert!(!table.live);
}

#[test]
fn the_premier_league_breaks_ties_on_goal_difference_before_head_to_head() {
    let mut s = empty();
    // ARS beat CHE 1-0, but CHE have the better goal difference: level on 3 points each.
    play(&mut s, 1, ("ARS", "CHE"), (1, 0), FINAL);
    play(&mut s, 2, ("CHE", "LIV"), (5, 0), FINAL);
    play(&mut s, 3, ("ARS", "MUN"), (0, 1), FINAL);
    // ARS 3 pts GD 0; CHE 3 pts GD +4.
    let epl = order(&s, "epl");
    assert!(
        epl.iter().position(|t| t == "CHE") < epl.iter().position(|t| t == "ARS"),
        "{epl:?}"
    );
}

#[test]
fn la_liga_breaks_ties_on_head_to_head_first() {
    let mut s = empty();
    // RMA beat BAR 1-0; BAR have the better goal difference; level on 3 points.
    play(&mut s, 1, ("RMA", "BAR"), (1, 0), FINAL);
    play(&mut s, 2, ("BAR", "ATM"), (5, 0), FINAL);
    play(&mut s, 3, ("RMA", "SEV"), (0, 1), FINAL);
    let liga = order(&s, "laliga");
    assert!(
        liga.iter().position(|t| t == "RMA") < liga.iter().position(|t| t == "BAR"),
        "{liga:?}"
    );
}

#[test]
fn head_to_head_separates_teams_level_on_everything_else() {
    let mut s = empty();
    // ARS and CHE: 3 points, 3 scored, 3 conceded each; ARS won their meeting.
    play(&mut s, 1, ("ARS", "CHE"), (2, 1), FINAL);
    play(&mut s, 2, ("CHE", "LIV"), (2, 1), FINAL);
    play(&mut s, 3, ("ARS", "MUN"), (1, 2), FINAL);
    let epl = order(&s, "epl");
    assert_eq!(epl[..3], ["MUN", "ARS", "CHE"], "{epl:?}");
    // A perfect cycle among three teams (each won one meeting 1-0) leaves the name.
    let mut s = empty();
    play(&mut s, 1, ("TOT", "NEW"), (1, 0), FINAL);
    play(&mut s, 2, ("NEW", "AVL"), (1, 0), FINAL);
    play(&mut s, 3, ("AVL", "TOT"), (1, 0), FINAL);
    let epl = order(&s, "epl");
    assert_eq!(epl[..3], ["AVL", "NEW", "TOT"], "{epl:?}");
}

#[test]
fn basketball_ranks_by_win_share_with_games_behind() {
    let mut s = empty();
    play(&mut s, 1, ("BOS", "MIA"), (101, 99), FINAL);
    play(&mut s, 2, ("BOS", "NYK"), (90, 95), FINAL);
    play(&mut s, 3, ("LAL", "GSW"), (110, 100), FINAL);
    let table = s.standings(&"nba".into()).unwrap();
    assert_eq!(table.rows[0].team.0, "LAL", "1-0 before 1-1");
    assert_eq!(row(&table, "LAL").pct, Some(1.0));
    assert_eq!(row(&table, "BOS").pct, Some(0.5));
    assert_eq!(row(&table, "BOS").games_behind, Some(0.5));
    assert_eq!(row(&table, "BOS").drawn, None);
    assert_eq!(row(&table, "BOS").points, None);
    // NYK (1-0) and LAL (1-0): head-to-head decides nothing (they never met); point difference
    // does: LAL +10, NYK +5.
    assert_eq!(table.rows[1].team.0, "NYK");
}

#[test]
fn a_match_under_way_counts_as_it_stands() {
    let mut s = empty();
    play(&mut s, 1, ("ARS", "CHE"), (0, 1), MatchStatus::Live);
    let table = s.standings(&"epl".into()).unwrap();
    assert!(table.live);
    let che = row(&table, "CHE");
    assert_eq!(
        (che.points, che.playing, che.position),
        (Some(3), Some(MatchId(1)), 1)
    );
    assert_eq!(che.form, "", "form counts final results only");
    assert_eq!(row(&table, "MCI").playing, None);
}

#[test]
fn archived_results_still_count_and_only_final_ones() {
    let mut s = empty();
    play(&mut s, 1, ("ARS", "CHE"), (3, 1), FINAL);
    play(&mut s, 2, ("LIV", "MUN"), (0, 0), MatchStatus::Cancelled);
    let mut game = s.game(MatchId(1)).unwrap().clone();
    game.incidents.push(Incident {
        id: crate::ids::IncidentId(1),
        kind: IncidentKind::Goal,
        team: Some(Side::Home),
        player: Some("Ryan Nuttall".into()),
        period: 1,
        minute: 10,
        points: 1,
        detail: None,
        adjust: None,
        player_out: None,
    });
    s.apply(&Event::Match { game });
    let before = s.standings(&"epl".into()).unwrap();
    s.apply(&Event::Archived {
        today: None,
        matches: vec![MatchId(1), MatchId(2)],
        news: vec![],
    });
    assert!(s.game(MatchId(1)).is_none());
    let after = s.standings(&"epl".into()).unwrap();
    assert_eq!(before, after);
    assert_eq!(
        row(&after, "LIV").played,
        0,
        "a cancelled match counts for nobody"
    );
    assert_eq!(after.scorers[0].player, "Ryan Nuttall");
    assert_eq!(s.results_of(&"ARS".into())[0].match_id, MatchId(1));
    // Stored snapshots carry the season; viewers' snapshots do not.
    let stored = serde_json::to_value(&s).unwrap();
    assert!(stored["season"]["records"]["ARS"].is_object(), "{stored}");
    let viewed = serde_json::to_value(s.for_viewers()).unwrap();
    assert!(viewed.get("season").is_none());
    let reloaded: FeedState = serde_json::from_value(stored).unwrap();
    assert_eq!(reloaded.standings(&"epl".into()), Some(after));
}

#[test]
fn an_unknown_league_has_no_table() {
    assert!(empty().standings(&"mls".into()).is_none());
}
