//! Unit tests of the score as the sum of its timeline: goals, corrections (`score.set`) and
//! their undoing, a second yellow and its red, and incident minutes checked against the match
//! clock.

use super::tests::{now, run};
use super::*;
use crate::feed::fixtures::Fixtures;
use crate::ids::IncidentId;
use crate::model::{Adjust, MatchStatus, tally};

/// The embedded fixtures with match 1 (football) live at `minute` of `period`.
fn live_at(period: u8, minute: u16) -> FeedState {
    let mut s = Fixtures::embedded().into_state(now()).unwrap();
    let live = Command::MatchStatus {
        match_id: MatchId(1),
        status: MatchStatus::Live,
        period: Some(period),
        minute: Some(minute),
    };
    run(&mut s, live).unwrap();
    s
}

fn goal(side: Side, minute: Option<u16>) -> Command {
    Command::IncidentAdd {
        match_id: MatchId(1),
        kind: IncidentKind::Goal,
        team: Some(side),
        player: None,
        player_out: None,
        minute,
        points: None,
        detail: None,
        expected_version: None,
    }
}

fn set(home: i64, away: i64) -> Command {
    Command::ScoreSet {
        match_id: MatchId(1),
        home,
        away,
        expected_version: None,
    }
}

fn remove(incident_id: IncidentId) -> Command {
    Command::IncidentRemove {
        match_id: MatchId(1),
        incident_id,
        expected_version: None,
    }
}

fn score(s: &FeedState) -> (u32, u32) {
    let m = s.game(MatchId(1)).unwrap();
    assert_eq!(
        tally(&m.incidents),
        Some(m.score),
        "the score is its timeline's sum"
    );
    (m.score.home, m.score.away)
}

fn added(events: &[Event]) -> &Incident {
    match &events[0] {
        Event::Incident { incident, .. } => incident,
        other => panic!("not an incident: {other:?}"),
    }
}

#[test]
fn a_score_override_is_a_correction_on_the_timeline_and_undoes_like_any_incident() {
    let mut s = live_at(1, 30);
    run(&mut s, goal(Side::Home, None)).unwrap();
    let events = run(&mut s, set(3, 1)).unwrap();
    let correction = added(&events).clone();
    assert_eq!(correction.kind, IncidentKind::Correction);
    assert_eq!(correction.adjust, Some(Adjust { home: 2, away: 1 }));
    assert_eq!(
        correction.detail.as_deref(),
        Some("score corrected from 1-0 to 3-1")
    );
    assert!(matches!(
        events[1],
        Event::Score {
            home: 3,
            away: 1,
            ..
        }
    ));
    assert_eq!(score(&s), (3, 1));
    // A goal after the override counts once, on top of it.
    run(&mut s, goal(Side::Away, None)).unwrap();
    assert_eq!(score(&s), (3, 2));
    run(&mut s, remove(correction.id)).unwrap();
    assert_eq!(score(&s), (1, 1), "the override undone; both goals stand");
    assert!(
        run(&mut s, set(1, 1)).unwrap().is_empty(),
        "no change, no line"
    );
}

#[test]
fn a_goal_cannot_be_removed_from_under_a_correction_that_took_it_back() {
    let mut s = live_at(1, 30);
    let scored = run(&mut s, goal(Side::Home, None)).unwrap();
    let goal_id = added(&scored).id;
    run(&mut s, set(0, 0)).unwrap();
    let err = run(&mut s, remove(goal_id)).unwrap_err();
    assert_eq!(err.code(), "invalid");
    assert!(err.to_string().contains("below 0"), "{err}");
    assert_eq!(score(&s), (0, 0));
}

#[test]
fn corrections_come_only_from_score_set() {
    let mut s = live_at(1, 30);
    let mut correction = goal(Side::Home, None);
    if let Command::IncidentAdd { kind, .. } = &mut correction {
        *kind = IncidentKind::Correction;
    }
    let err = run(&mut s, correction).unwrap_err();
    assert!(err.to_string().contains("recorded by score.set"), "{err}");
}

#[test]
fn an_incident_minute_the_match_has_not_reached_is_refused_naming_the_field() {
    let mut s = live_at(1, 38);
    let err = run(&mut s, goal(Side::Home, Some(150))).unwrap_err();
    assert_eq!(err.code(), "invalid");
    let text = err.to_string();
    assert!(text.starts_with("minute: 150"), "{text}");
    assert!(text.contains("clock shows 38"), "{text}");
    // Stoppage time of the half under way is within reach, a late entry too.
    run(&mut s, goal(Side::Home, Some(45 + 4))).unwrap();
    run(&mut s, goal(Side::Away, Some(12))).unwrap();
    assert!(run(&mut s, goal(Side::Home, Some(75))).is_err());
    let mut second_half = live_at(2, 52);
    run(&mut second_half, goal(Side::Home, Some(90 + 3))).unwrap();
    assert!(run(&mut second_half, goal(Side::Home, Some(110))).is_err());
}

#[test]
fn periods_end_by_sport() {
    use crate::feed::checks::last_minute_of;
    use crate::model::Sport;
    assert_eq!(last_minute_of(Sport::Football, 1), 60);
    assert_eq!(last_minute_of(Sport::Football, 2), 105);
    assert_eq!(last_minute_of(Sport::Football, 3), 110);
    assert_eq!(last_minute_of(Sport::Football, 4), 125);
    assert_eq!(last_minute_of(Sport::Basketball, 1), 12);
    assert_eq!(last_minute_of(Sport::Basketball, 4), 48);
    assert_eq!(last_minute_of(Sport::Basketball, 5), 53);
}

/// A card (or any incident) for `player` of the home side of match 1, now.
fn booking(player: &str, kind: IncidentKind) -> Command {
    Command::IncidentAdd {
        match_id: MatchId(1),
        kind,
        team: Some(Side::Home),
        player: Some(player.to_owned()),
        player_out: None,
        minute: None,
        points: None,
        detail: None,
        expected_version: None,
    }
}

fn home_player(s: &FeedState, index: usize) -> String {
    s.team(&s.game(MatchId(1)).unwrap().home).unwrap().squad[index]
        .name
        .clone()
}

fn added_id(events: &[Event], at: usize) -> IncidentId {
    match &events[at] {
        Event::Incident { incident, .. } => incident.id,
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_second_yellow_brings_its_red_and_a_player_sent_off_cannot_score() {
    let mut s = live_at(1, 30);
    let player = home_player(&s, 5);
    let card = |kind| booking(&player, kind);
    assert_eq!(
        run(&mut s, card(IncidentKind::YellowCard)).unwrap().len(),
        1
    );
    let second = run(&mut s, card(IncidentKind::YellowCard)).unwrap();
    assert_eq!(second.len(), 2, "{second:?}");
    let Event::Incident { incident: red, .. } = &second[1] else {
        panic!("{second:?}")
    };
    assert_eq!(red.kind, IncidentKind::RedCard);
    assert_eq!(red.detail.as_deref(), Some("second yellow"));
    assert_eq!(red.player.as_deref(), Some(player.as_str()));
    let err = run(&mut s, card(IncidentKind::Goal)).unwrap_err();
    assert_eq!(err.code(), "invalid");
    assert!(err.to_string().contains("has been sent off"), "{err}");
    assert_eq!(score(&s), (0, 0));
}

#[test]
fn a_second_yellows_red_goes_with_either_yellow_and_never_alone() {
    let mut s = live_at(1, 30);
    let player = home_player(&s, 5);
    let card = |kind| booking(&player, kind);
    let first = added_id(&run(&mut s, card(IncidentKind::YellowCard)).unwrap(), 0);
    let red = added_id(&run(&mut s, card(IncidentKind::YellowCard)).unwrap(), 1);

    let err = run(&mut s, remove(red)).unwrap_err();
    assert_eq!(err.code(), "invalid");
    assert!(err.to_string().contains("remove a yellow card"), "{err}");

    let removed = run(&mut s, remove(first)).unwrap();
    let ids: Vec<IncidentId> = removed
        .iter()
        .filter_map(|e| match e {
            Event::IncidentRemoved { incident_id, .. } => Some(*incident_id),
            _ => None,
        })
        .collect();
    assert_eq!(ids, vec![first, red]);
    let kinds: Vec<IncidentKind> = s
        .game(MatchId(1))
        .unwrap()
        .incidents
        .iter()
        .map(|i| i.kind)
        .collect();
    assert_eq!(kinds, vec![IncidentKind::Period, IncidentKind::YellowCard]);
    // One yellow left: he plays on, and a goal of his stands.
    run(&mut s, card(IncidentKind::Goal)).unwrap();
    assert_eq!(score(&s), (1, 0));
}
