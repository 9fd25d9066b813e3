//! Unit tests of `FeedState::validate`.

use super::*;
use crate::feed::fixtures::Fixtures;
use crate::model::{MatchStatus, Sport};
use chrono::TimeZone;

/// The clock every validation unit test runs at (shared with the undo and score tests).
pub(super) fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).unwrap()
}

pub(in crate::feed) fn state() -> FeedState {
    Fixtures::embedded().into_state(now()).unwrap()
}

/// Validate `command` and apply its events, as the hub does.
pub(in crate::feed) fn run(
    state: &mut FeedState,
    command: Command,
) -> Result<Vec<Event>, CommandError> {
    let planned = state.validate(&command, "tester", now())?;
    for e in &planned.events {
        state.apply(e);
    }
    Ok(planned.events)
}

fn status(id: u32, status: MatchStatus) -> Command {
    Command::MatchStatus {
        match_id: MatchId(id),
        status,
        period: None,
        minute: None,
    }
}

fn goal(id: u32, kind: IncidentKind, team: Side) -> Command {
    Command::IncidentAdd {
        match_id: MatchId(id),
        kind,
        team: Some(team),
        player: None,
        player_out: None,
        minute: None,
        points: None,
        detail: None,
        expected_version: None,
    }
}

#[test]
fn kick_off_records_a_period_marker_and_goals_move_the_score() {
    let mut s = state();
    let events = run(&mut s, status(1, MatchStatus::Live)).unwrap();
    assert!(
        matches!(events[1], Event::Incident { ref incident, .. } if incident.detail.as_deref() == Some("Kick-off"))
    );
    run(&mut s, goal(1, IncidentKind::Goal, Side::Home)).unwrap();
    run(&mut s, goal(1, IncidentKind::OwnGoal, Side::Home)).unwrap();
    let m = s.game(MatchId(1)).unwrap();
    assert_eq!(
        (m.score.home, m.score.away),
        (1, 1),
        "an own goal counts for the other side"
    );
    assert_eq!(m.incidents.len(), 3);
}

#[test]
fn stale_expected_version_is_a_conflict_naming_the_current_version() {
    let mut s = state();
    run(&mut s, status(1, MatchStatus::Live)).unwrap();
    let v = s.game(MatchId(1)).unwrap().version;
    let set = |expected| Command::ScoreSet {
        match_id: MatchId(1),
        home: 1,
        away: 0,
        expected_version: Some(expected),
    };
    run(&mut s, set(v)).unwrap();
    let err = run(&mut s, set(v)).unwrap_err();
    assert_eq!(err.code(), "conflict");
    // A correction is two events: its line on the timeline, then the score.
    assert_eq!(err.current_version(), Some(v.next().next()));
}

#[test]
fn business_rule_violations_are_invalid_with_the_value_named() {
    let mut s = state();
    let err = run(&mut s, goal(1, IncidentKind::Goal, Side::Home)).unwrap_err();
    assert_eq!(err.code(), "invalid");
    assert!(err.to_string().contains("scheduled"), "{err}");
    run(&mut s, status(1, MatchStatus::Live)).unwrap();
    let err = run(
        &mut s,
        Command::ScoreSet {
            match_id: MatchId(1),
            home: -1,
            away: 0,
            expected_version: None,
        },
    )
    .unwrap_err();
    assert_eq!(err.code(), "invalid");
    assert!(err.to_string().contains("got -1"), "{err}");
    let err = run(&mut s, goal(1, IncidentKind::Points, Side::Home)).unwrap_err();
    assert!(err.to_string().contains("not part of football"), "{err}");
    run(&mut s, status(1, MatchStatus::Final)).unwrap();
    let err = run(&mut s, status(1, MatchStatus::Live)).unwrap_err();
    assert_eq!(err.to_string(), "match 1 cannot go from final to live");
    let err = run(&mut s, status(99, MatchStatus::Live)).unwrap_err();
    assert_eq!(
        (err.code(), err.to_string().as_str()),
        ("not_found", "match 99 does not exist")
    );
}

#[test]
fn basketball_quarters_breaks_and_points() {
    let mut s = state();
    let nba = s
        .matches()
        .find(|m| m.sport == Sport::Basketball)
        .unwrap()
        .id
        .0;
    run(&mut s, status(nba, MatchStatus::Live)).unwrap();
    let mut three = goal(nba, IncidentKind::Points, Side::Away);
    if let Command::IncidentAdd { points, .. } = &mut three {
        *points = Some(3);
    }
    run(&mut s, three).unwrap();
    run(&mut s, status(nba, MatchStatus::Break)).unwrap();
    run(&mut s, status(nba, MatchStatus::Live)).unwrap();
    let m = s.game(MatchId(nba)).unwrap();
    assert_eq!((m.score.away, m.period), (3, 2));
    assert_eq!(
        m.incidents.last().unwrap().detail.as_deref(),
        Some("Start of Q2")
    );
}

#[test]
fn news_ids_are_never_reused_after_a_retraction() {
    let mut s = state();
    let publish = || Command::NewsPublish {
        headline: "  Late drama  ".into(),
        body: String::new(),
        tags: vec!["EPL".into()],
        match_id: None,
        breaking: false,
    };
    let first = run(&mut s, publish()).unwrap();
    let Event::News { news } = &first[0] else {
        panic!()
    };
    assert_eq!(
        (news.headline.as_str(), news.tags[0].as_str()),
        ("Late drama", "epl")
    );
    run(&mut s, Command::NewsRetract { news_id: news.id }).unwrap();
    let second = run(&mut s, publish()).unwrap();
    let Event::News { news: again } = &second[0] else {
        panic!()
    };
    assert_eq!(again.id.0, news.id.0 + 1);
}
