//! Unit tests of `incident.remove`.

use super::tests::{now, run};
use super::*;
use crate::feed::fixtures::Fixtures;
use crate::ids::IncidentId;
use crate::model::MatchStatus;

fn remove(match_id: u32, incident_id: IncidentId) -> Command {
    Command::IncidentRemove {
        match_id: MatchId(match_id),
        incident_id,
        expected_version: None,
    }
}

#[test]
fn removing_a_goal_takes_it_off_the_timeline_and_the_score() {
    let mut s = Fixtures::embedded().into_state(now()).unwrap();
    let live = Command::MatchStatus {
        match_id: MatchId(1),
        status: MatchStatus::Live,
        period: None,
        minute: None,
    };
    run(&mut s, live).unwrap();
    let goal = Command::IncidentAdd {
        match_id: MatchId(1),
        kind: IncidentKind::OwnGoal,
        team: Some(Side::Home),
        player: None,
        player_out: None,
        minute: None,
        points: None,
        detail: None,
        expected_version: None,
    };
    let added = run(&mut s, goal).unwrap();
    let Event::Incident { ref incident, .. } = added[0] else {
        panic!("{added:?}")
    };
    let id = incident.id;
    let before = s.game(MatchId(1)).unwrap().clone();
    assert_eq!((before.score.home, before.score.away), (0, 1));

    let events = run(&mut s, remove(1, id)).unwrap();
    let v = before.version;
    assert_eq!(
        events,
        [
            Event::IncidentRemoved {
                match_id: MatchId(1),
                incident_id: id,
                version: v.next(),
            },
            Event::Score {
                match_id: MatchId(1),
                home: 0,
                away: 0,
                version: v.next().next(),
            },
        ],
        "an own goal by home is taken off the away score"
    );
    let after = s.game(MatchId(1)).unwrap().clone();
    assert!(after.incidents.iter().all(|i| i.id != id));
    assert_eq!(after.version, v.next().next());

    let again = run(&mut s, remove(1, id)).unwrap_err();
    assert_eq!(again.code(), "not_found");
    assert_eq!(again.to_string(), format!("match 1 has no incident {id}"));
    let kickoff = after.incidents[0].id;
    assert_eq!(after.score, crate::model::Score { home: 0, away: 0 });
    assert_eq!(
        run(&mut s, remove(1, kickoff)).unwrap_err().code(),
        "invalid"
    );
    assert_eq!(
        run(&mut s, remove(999, id)).unwrap_err().code(),
        "not_found"
    );
}

#[test]
fn a_substitution_stays_while_the_player_it_brought_on_appears_later() {
    let mut s = Fixtures::embedded().into_state(now()).unwrap();
    let live = Command::MatchStatus {
        match_id: MatchId(1),
        status: MatchStatus::Live,
        period: Some(2),
        minute: Some(60),
    };
    run(&mut s, live).unwrap();
    let add = |kind, player: &str, player_out: Option<&str>| Command::IncidentAdd {
        match_id: MatchId(1),
        kind,
        team: Some(Side::Home),
        player: Some(player.to_owned()),
        player_out: player_out.map(str::to_owned),
        minute: None,
        points: None,
        detail: None,
        expected_version: None,
    };
    run(&mut s, add(IncidentKind::Substitution, "#30", Some("#14"))).unwrap();
    let sub = s.game(MatchId(1)).unwrap().incidents.last().unwrap().id;
    run(&mut s, add(IncidentKind::Goal, "#30", None)).unwrap();
    let goal = s.game(MatchId(1)).unwrap().incidents.last().unwrap().id;
    let err = run(&mut s, remove(1, sub)).unwrap_err().to_string();
    assert!(
        err.starts_with(&format!(
            "incident {sub} brought Romain Rousseau on, and incident {goal}"
        )),
        "{err}"
    );
    run(&mut s, remove(1, goal)).unwrap();
    run(&mut s, remove(1, sub)).unwrap();
}
