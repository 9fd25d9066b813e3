//! Unit tests of team sheets: `lineup.set`'s rules and what a sheet allows once play starts.

use super::*;
use crate::feed::command::Command;
use crate::feed::validate::tests::{run, state};

/// Arsenal's first eleven in squad order (both goalkeepers, five defenders, four midfielders),
/// and its five others.
const ARS_XI: [u8; 11] = [1, 22, 2, 5, 12, 24, 26, 10, 17, 25, 28];
const ARS_BENCH: [u8; 5] = [35, 14, 30, 39, 47];

fn numbers(ns: &[u8]) -> Vec<String> {
    ns.iter().map(|n| format!("#{n}")).collect()
}

fn lineup(id: u32, team: Side, starting: Vec<String>, bench: Vec<String>) -> Command {
    Command::LineupSet {
        match_id: MatchId(id),
        team,
        starting,
        bench,
        expected_version: None,
    }
}

fn refused(s: &mut FeedState, command: Command) -> String {
    let err = run(s, command).unwrap_err();
    assert_eq!(err.code(), "invalid", "{err}");
    err.to_string()
}

fn live(s: &mut FeedState, id: u32, minute: u16) {
    run(
        s,
        Command::MatchStatus {
            match_id: MatchId(id),
            status: MatchStatus::Live,
            period: None,
            minute: Some(minute),
        },
    )
    .unwrap();
}

fn incident(kind: IncidentKind, player: &str, out: Option<&str>) -> Command {
    Command::IncidentAdd {
        match_id: MatchId(1),
        kind,
        team: Some(Side::Home),
        player: Some(player.to_owned()),
        player_out: out.map(str::to_owned),
        minute: None,
        points: None,
        detail: None,
        expected_version: None,
    }
}

fn sub(on: u8, off: u8) -> Command {
    incident(
        IncidentKind::Substitution,
        &format!("#{on}"),
        Some(&format!("#{off}")),
    )
}

/// Match 1 (Arsenal v Chelsea) with Arsenal's sheet set, live at `minute`.
fn arsenal_on(minute: u16) -> FeedState {
    let mut s = state();
    let cmd = lineup(1, Side::Home, numbers(&ARS_XI), numbers(&ARS_BENCH));
    run(&mut s, cmd).unwrap();
    live(&mut s, 1, minute);
    s
}

#[test]
fn a_lineup_is_stored_as_shirt_numbers_and_named_any_way_the_squad_allows() {
    let mut s = state();
    let mut starting = numbers(&ARS_XI);
    starting[0] = "RYAN NUTTALL".into();
    let events = run(&mut s, lineup(1, Side::Home, starting, numbers(&ARS_BENCH))).unwrap();
    assert!(matches!(&events[0], Event::Lineup { starting, version, .. }
        if starting[..] == ARS_XI && version == &Version(2)));
    let m = s.game(MatchId(1)).unwrap();
    assert_eq!(m.lineups.home.as_ref().unwrap().bench, ARS_BENCH);
    assert!(m.lineups.away.is_none());
    let json = serde_json::to_string(m).unwrap();
    assert!(
        json.contains(r#""lineups":{"home":{"starting":[1,22,2,"#),
        "{json}"
    );
    // Replaced before kick-off, by another one.
    let mut other = numbers(&ARS_XI);
    other[10] = "#35".into();
    run(&mut s, lineup(1, Side::Home, other, vec![])).unwrap();
    let m = s.game(MatchId(1)).unwrap();
    assert_eq!(m.lineups.home.as_ref().unwrap().starting[10], 35);
}

#[test]
fn a_lineup_is_refused_naming_the_field_that_is_wrong() {
    let mut s = state();
    let mut stranger = numbers(&ARS_XI);
    stranger[3] = "Aaron Ridley".into();
    let m = refused(&mut s, lineup(1, Side::Home, stranger, vec![]));
    assert!(
        m.starts_with("starting: `Aaron Ridley` is not in the Arsenal squad"),
        "{m}"
    );
    let m = refused(
        &mut s,
        lineup(1, Side::Home, numbers(&ARS_XI), numbers(&[35, 1])),
    );
    assert_eq!(m, "bench: Ryan Nuttall (#1) is named twice");
    let m = refused(
        &mut s,
        lineup(1, Side::Home, numbers(&ARS_XI[..10]), vec![]),
    );
    assert_eq!(m, "starting: football needs exactly 11 starters, got 10");
    let no_keeper = numbers(&[2, 5, 12, 24, 26, 10, 17, 25, 28, 35, 14]);
    let m = refused(&mut s, lineup(1, Side::Home, no_keeper, numbers(&[1])));
    assert!(
        m.starts_with("starting: a football lineup needs a goalkeeper"),
        "{m}"
    );
    let m = refused(&mut s, lineup(1, Side::Home, vec!["#99".into()], vec![]));
    assert!(
        m.starts_with("starting: `#99` is not in the Arsenal squad"),
        "{m}"
    );
    // Basketball: five starters, at most ten on the bench (BOS v MIA is match 8).
    let m = refused(
        &mut s,
        lineup(8, Side::Home, numbers(&[31, 32, 7, 30]), vec![]),
    );
    assert_eq!(m, "starting: basketball needs exactly 5 starters, got 4");
    run(
        &mut s,
        lineup(
            8,
            Side::Home,
            numbers(&[31, 32, 7, 30, 8]),
            numbers(&[35, 1]),
        ),
    )
    .unwrap();
    // After kick-off the sheet stands.
    live(&mut s, 1, 1);
    let m = refused(&mut s, lineup(1, Side::Home, numbers(&ARS_XI), vec![]));
    assert_eq!(
        m,
        "match 1 is live; a lineup can only be set before kick-off"
    );
    assert!(s.game(MatchId(1)).unwrap().lineups.is_empty());
}

#[test]
fn a_substitution_takes_a_player_on_the_pitch_off_and_brings_one_from_the_bench_on() {
    let mut s = arsenal_on(60);
    let events = run(&mut s, sub(35, 28)).unwrap();
    let Event::Incident {
        incident: added, ..
    } = &events[0]
    else {
        panic!("{events:?}")
    };
    assert_eq!(added.player.as_deref(), Some("Ikenna Ogunleye"));
    assert_eq!(added.player_out.as_deref(), Some("Clement Garnier"));
    let m = refused(&mut s, sub(14, 28));
    assert_eq!(
        m,
        "player_out: Clement Garnier is not on the pitch in match 1"
    );
    let m = refused(&mut s, sub(35, 25));
    assert_eq!(
        m,
        "player: Ikenna Ogunleye is already on the pitch in match 1"
    );
    // Back on after going off: not in football.
    run(&mut s, sub(14, 35)).unwrap();
    let m = refused(&mut s, sub(35, 25));
    assert!(
        m.starts_with("player: Ikenna Ogunleye has already played"),
        "{m}"
    );
    let m = refused(&mut s, sub(30, 30));
    assert_eq!(m, "player_out: Romain Rousseau cannot replace themselves");
    let m = refused(&mut s, incident(IncidentKind::Substitution, "#30", None));
    assert!(m.starts_with("player_out: this team has a lineup"), "{m}");
    // Only a substitution has a player going off.
    let m = refused(&mut s, incident(IncidentKind::Goal, "#30", Some("#10")));
    assert_eq!(
        m,
        "player_out: only a substitution names a player going off"
    );
}

#[test]
fn a_football_team_makes_five_substitutions_at_most() {
    let mut s = arsenal_on(70);
    for (on, off) in [(35, 28), (14, 25), (30, 17), (39, 10), (47, 26)] {
        run(&mut s, sub(on, off)).unwrap();
    }
    let m = refused(&mut s, sub(28, 24));
    assert_eq!(
        m,
        "kind: the home team has made 5 substitutions in match 1, the most football allows"
    );
}

#[test]
fn with_a_lineup_only_players_on_the_pitch_score_or_are_booked() {
    let mut s = arsenal_on(30);
    let m = refused(
        &mut s,
        incident(IncidentKind::Goal, "Archie Shackleton", None),
    );
    assert_eq!(
        m,
        "player: Archie Shackleton was not on the pitch in minute 30 of match 1"
    );
    run(&mut s, incident(IncidentKind::Goal, "#28", None)).unwrap();
    run(&mut s, incident(IncidentKind::Goal, "unknown", None)).unwrap();
    live(&mut s, 1, 60);
    run(&mut s, sub(39, 28)).unwrap();
    run(&mut s, incident(IncidentKind::Goal, "#39", None)).unwrap();
    live(&mut s, 1, 61);
    let m = refused(&mut s, incident(IncidentKind::YellowCard, "#28", None));
    assert!(
        m.starts_with("player: Clement Garnier was not on the pitch in minute 61"),
        "{m}"
    );
    // A goal logged late, from before the substitution, still counts for who was on then.
    let mut late = incident(IncidentKind::Goal, "#28", None);
    if let Command::IncidentAdd { minute, .. } = &mut late {
        *minute = Some(55);
    }
    run(&mut s, late).unwrap();
    // Sent off: off the pitch, and cannot be substituted either.
    run(&mut s, incident(IncidentKind::RedCard, "#2", None)).unwrap();
    let m = refused(&mut s, sub(14, 2));
    assert_eq!(
        m,
        "player_out: Sander Verhoeven has been sent off in match 1"
    );
    // The other side has no sheet: any squad player will do.
    let mut away = incident(IncidentKind::Goal, "Ben Pilling", None);
    if let Command::IncidentAdd { team, .. } = &mut away {
        *team = Some(Side::Away);
    }
    run(&mut s, away).unwrap();
}

#[test]
fn basketball_substitutions_are_unlimited_and_players_come_back_on() {
    let mut s = state();
    let five = numbers(&[31, 7, 8, 1, 2]);
    let bench = numbers(&[32, 30, 35, 34, 15]);
    run(&mut s, lineup(8, Side::Home, five, bench)).unwrap();
    live(&mut s, 8, 5);
    let swap = |on: u8, off: u8| Command::IncidentAdd {
        match_id: MatchId(8),
        kind: IncidentKind::Substitution,
        team: Some(Side::Home),
        player: Some(format!("#{on}")),
        player_out: Some(format!("#{off}")),
        minute: None,
        points: None,
        detail: None,
        expected_version: None,
    };
    for _ in 0..4 {
        run(&mut s, swap(32, 31)).unwrap();
        run(&mut s, swap(31, 32)).unwrap();
    }
    for (on, off) in [(30, 7), (35, 8), (34, 1), (15, 2)] {
        run(&mut s, swap(on, off)).unwrap();
    }
    let m = refused(&mut s, swap(30, 31));
    assert_eq!(
        m,
        "player: Tavon Overton is already on the court in match 8"
    );
    let m = refused(&mut s, swap(7, 8));
    assert_eq!(
        m,
        "player_out: Cameron Atwater is not on the court in match 8"
    );
}

#[test]
fn appearances_follow_the_sheet_and_the_timeline() {
    let mut s = arsenal_on(60);
    run(&mut s, sub(35, 28)).unwrap();
    let m = s.game(MatchId(1)).unwrap();
    let on = Appearances::of(&s, m, Side::Home).unwrap();
    assert_eq!(on.on_now().count(), 11);
    assert!(on.is_on("Ikenna Ogunleye") && !on.is_on("Clement Garnier"));
    assert!(on.was_on("Clement Garnier", 60) && on.was_on("Clement Garnier", 10));
    assert!(!on.was_on("Ikenna Ogunleye", 59));
    assert_eq!(on.substitutions, 1);
    assert!(Appearances::of(&s, m, Side::Away).is_none());
}
