//! Unit tests of `incident.amend`: naming a quick goal's scorer, fixing a minute or a detail, and
//! every refusal (a card's player, a period marker, a minute not reached, a player of another
//! squad or sent off before, nothing to change, a stale version, an archived-away match).

use super::tests::{now, run};
use super::*;
use crate::feed::fixtures::Fixtures;
use crate::ids::IncidentId;
use crate::model::{MatchStatus, Side};

/// Match 1 (Arsenal v Chelsea) under way at 30'.
fn kick_off() -> Command {
    Command::MatchStatus {
        match_id: MatchId(1),
        status: MatchStatus::Live,
        period: Some(1),
        minute: Some(30),
    }
}

/// A goal for Arsenal, by nobody named yet.
fn home_goal() -> Command {
    Command::IncidentAdd {
        match_id: MatchId(1),
        kind: IncidentKind::Goal,
        team: Some(Side::Home),
        player: None,
        player_out: None,
        minute: None,
        points: None,
        detail: None,
        expected_version: None,
    }
}

/// Match 1 (Arsenal v Chelsea) live at 30', with a goal for Arsenal by nobody named yet.
fn with_quick_goal() -> (FeedState, IncidentId) {
    let mut s = Fixtures::embedded().into_state(now()).unwrap();
    run(&mut s, kick_off()).unwrap();
    run(&mut s, home_goal()).unwrap();
    let id = s.game(MatchId(1)).unwrap().incidents.last().unwrap().id;
    (s, id)
}

fn amend(incident_id: IncidentId, player: Option<&str>, minute: Option<u16>) -> Command {
    Command::IncidentAmend {
        match_id: MatchId(1),
        incident_id,
        player: player.map(str::to_owned),
        minute,
        detail: None,
        expected_version: None,
    }
}

fn message(result: Result<Vec<Event>, CommandError>) -> String {
    result.unwrap_err().to_string()
}

#[test]
fn a_quick_goal_gets_its_scorer_and_the_score_stays() {
    let (mut s, goal) = with_quick_goal();
    let before = s.game(MatchId(1)).unwrap().clone();
    let events = run(&mut s, amend(goal, Some("#14"), Some(28))).unwrap();
    assert_eq!(events.len(), 1, "one event, no score event: {events:?}");
    let after = s.game(MatchId(1)).unwrap();
    let amended = after.incidents.iter().find(|i| i.id == goal).unwrap();
    assert_eq!(amended.player.as_deref(), Some("Ricardo Seabra"));
    assert_eq!(amended.minute, 28);
    assert_eq!(after.score, before.score);
    assert_eq!(after.version, before.version.next());
    assert_eq!(
        after.incidents.iter().position(|i| i.id == goal),
        before.incidents.iter().position(|i| i.id == goal),
        "it keeps its place"
    );
    // `unknown` takes the name off again.
    run(&mut s, amend(goal, Some("unknown"), None)).unwrap();
    let goal_now = s
        .game(MatchId(1))
        .unwrap()
        .incidents
        .iter()
        .find(|i| i.id == goal);
    assert_eq!(goal_now.unwrap().player, None);
}

#[test]
fn amending_is_refused_with_the_reason() {
    let (mut s, goal) = with_quick_goal();
    let err = message(run(&mut s, amend(goal, Some("Lionel Messi"), None)));
    assert!(
        err.starts_with("player: `Lionel Messi` is not in the Arsenal squad"),
        "{err}"
    );
    let err = message(run(&mut s, amend(goal, None, Some(150))));
    assert!(
        err.starts_with("minute: 150 is later than match 1"),
        "{err}"
    );
    let err = message(run(&mut s, amend(goal, None, None)));
    assert!(err.contains("nothing to change"), "{err}");
    let err = message(run(&mut s, amend(IncidentId(9999), Some("#14"), None)));
    assert_eq!(err, "match 1 has no incident 9999");
    let period = s.game(MatchId(1)).unwrap().incidents[0].id;
    let err = message(run(&mut s, amend(period, None, Some(2))));
    assert!(err.contains("is a period marker"), "{err}");
    let stale = Command::IncidentAmend {
        match_id: MatchId(1),
        incident_id: goal,
        player: Some("#14".into()),
        minute: None,
        detail: None,
        expected_version: Some(crate::ids::Version(1)),
    };
    assert!(matches!(
        run(&mut s, stale),
        Err(CommandError::Conflict { .. })
    ));
}

#[test]
fn a_card_keeps_its_player_and_the_sent_off_score_no_later_goal() {
    let (mut s, goal) = with_quick_goal();
    let card = |minute| Command::IncidentAdd {
        match_id: MatchId(1),
        kind: IncidentKind::RedCard,
        team: Some(Side::Home),
        player: Some("#10".into()),
        player_out: None,
        minute: Some(minute),
        points: None,
        detail: None,
        expected_version: None,
    };
    run(&mut s, card(30)).unwrap();
    let red = s.game(MatchId(1)).unwrap().incidents.last().unwrap().id;
    let err = message(run(&mut s, amend(red, Some("#14"), None)));
    assert!(
        err.starts_with("player: a card is not given to someone else"),
        "{err}"
    );
    // The goal came before the red card: naming its scorer as the player sent off later is
    // allowed; a goal recorded after it cannot be his.
    run(&mut s, amend(goal, Some("#10"), None)).unwrap();
    run(&mut s, home_goal()).unwrap();
    let late = s.game(MatchId(1)).unwrap().incidents.last().unwrap().id;
    let err = message(run(&mut s, amend(late, Some("#10"), None)));
    assert!(err.contains("has been sent off"), "{err}");
}

#[test]
fn after_full_time_the_desk_still_names_scorers() {
    let (mut s, goal) = with_quick_goal();
    let end = Command::MatchStatus {
        match_id: MatchId(1),
        status: MatchStatus::Final,
        period: None,
        minute: None,
    };
    run(&mut s, end).unwrap();
    run(&mut s, amend(goal, Some("Ricardo Seabra"), None)).unwrap();
    let scorer = s
        .game(MatchId(1))
        .unwrap()
        .incidents
        .iter()
        .find(|i| i.id == goal);
    assert_eq!(scorer.unwrap().player.as_deref(), Some("Ricardo Seabra"));
}

#[test]
fn with_a_team_sheet_the_scorer_named_was_on_the_pitch() {
    let mut s = Fixtures::embedded().into_state(now()).unwrap();
    let names = |numbers: &[u8]| numbers.iter().map(|n| format!("#{n}")).collect::<Vec<_>>();
    let sheet = Command::LineupSet {
        match_id: MatchId(1),
        team: Side::Home,
        starting: names(&[1, 2, 5, 12, 24, 10, 17, 25, 28, 14, 30]),
        bench: names(&[22, 26, 35, 39, 47]),
        expected_version: None,
    };
    run(&mut s, sheet).unwrap();
    run(&mut s, kick_off()).unwrap();
    run(&mut s, home_goal()).unwrap();
    let goal = s.game(MatchId(1)).unwrap().incidents.last().unwrap().id;
    let err = message(run(&mut s, amend(goal, Some("#39"), None)));
    assert!(err.contains("was not on the pitch in minute 30"), "{err}");
    run(&mut s, amend(goal, Some("#14"), None)).unwrap();
}
