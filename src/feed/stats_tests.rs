//! Unit tests of `stats.set`.

use super::*;
use crate::feed::command::Command;
use crate::feed::validate::tests::{run, state};

fn football(shots: i64, on_target: i64, possession: i64) -> StatsInput {
    StatsInput {
        shots: Some(shots),
        shots_on_target: Some(on_target),
        possession: Some(possession),
        corners: Some(3),
        fouls: Some(7),
        ..StatsInput::default()
    }
}

fn basketball(fouls: &[i64]) -> StatsInput {
    StatsInput {
        rebounds: Some(30),
        assists: Some(14),
        fouls_by_period: Some(fouls.to_vec()),
        ..StatsInput::default()
    }
}

fn set(id: u32, home: StatsInput, away: StatsInput) -> Command {
    Command::StatsSet {
        match_id: MatchId(id),
        home: Box::new(home),
        away: Box::new(away),
        expected_version: None,
    }
}

fn live(s: &mut FeedState, id: u32, period: u8) {
    let cmd = Command::MatchStatus {
        match_id: MatchId(id),
        status: MatchStatus::Live,
        period: Some(period),
        minute: None,
    };
    run(s, cmd).unwrap();
}

fn refused(s: &mut FeedState, command: Command) -> String {
    let err = run(s, command).unwrap_err();
    assert_eq!(err.code(), "invalid", "{err}");
    err.to_string()
}

#[test]
fn football_stats_are_stored_whole_and_may_be_corrected_down() {
    let mut s = state();
    let m = refused(&mut s, set(1, football(5, 2, 50), football(3, 1, 50)));
    assert_eq!(
        m,
        "match 1 is scheduled; stats can only be set while it is in play or final"
    );
    live(&mut s, 1, 1);
    let events = run(&mut s, set(1, football(5, 2, 55), football(3, 1, 45))).unwrap();
    assert!(matches!(&events[0], Event::Stats { home, .. } if home.shots == Some(5)));
    run(&mut s, set(1, football(4, 2, 55), football(3, 1, 45))).unwrap();
    let stats = s.game(MatchId(1)).unwrap().stats.clone().unwrap();
    assert_eq!(stats.home.shots, Some(4));
    assert_eq!(stats.away.possession, Some(45));
    let json = serde_json::to_value(&stats).unwrap();
    assert!(json["home"].get("rebounds").is_none(), "{json}");
    // The same figures again change nothing.
    let same = run(&mut s, set(1, football(4, 2, 55), football(3, 1, 45))).unwrap();
    assert!(same.is_empty());
}

#[test]
fn bad_stats_are_refused_naming_the_field_and_value() {
    let mut s = state();
    live(&mut s, 1, 2);
    let cases = [
        (
            set(1, football(5, 6, 50), football(3, 1, 50)),
            "home.shots_on_target is 6, more than the 5 shots",
        ),
        (
            set(1, football(5, 2, 60), football(3, 1, 50)),
            "possession: the two sides must add up to 100, got 60 + 50",
        ),
        (
            set(1, football(5, 2, 50), football(-1, 0, 50)),
            "away.shots must be between 0 and 200, got -1",
        ),
        (
            set(1, football(201, 2, 50), football(3, 1, 50)),
            "home.shots must be between 0 and 200, got 201",
        ),
        (
            set(1, football(5, 2, 150), football(3, 1, -50)),
            "home.possession must be between 0 and 100, got 150",
        ),
        (
            set(1, basketball(&[1]), football(3, 1, 50)),
            "home.rebounds is not a football statistic",
        ),
        (
            set(1, StatsInput::default(), football(3, 1, 50)),
            "home.shots is missing; football stats need it",
        ),
    ];
    for (command, message) in cases {
        assert_eq!(refused(&mut s, command), message);
    }
    assert!(s.game(MatchId(1)).unwrap().stats.is_none());
}

#[test]
fn basketball_counts_fouls_by_period_played() {
    let mut s = state();
    live(&mut s, 8, 2);
    run(&mut s, set(8, basketball(&[4, 2]), basketball(&[3]))).unwrap();
    let stats = s.game(MatchId(8)).unwrap().stats.clone().unwrap();
    assert_eq!(stats.home.fouls_by_period, Some(vec![4, 2]));
    let m = refused(&mut s, set(8, basketball(&[1, 1, 1]), basketball(&[3])));
    assert_eq!(
        m,
        "home.fouls_by_period has 3 periods, but the match has played 2"
    );
    let m = refused(&mut s, set(8, basketball(&[1]), football(3, 1, 50)));
    assert_eq!(m, "away.shots is not a basketball statistic");
    let m = refused(&mut s, set(8, basketball(&[-2]), basketball(&[3])));
    assert_eq!(m, "home.fouls_by_period must be between 0 and 200, got -2");
}
