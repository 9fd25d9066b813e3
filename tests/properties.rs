//! Property test of the pure core: any sequence of commands, valid or not, keeps the feed's
//! invariants, and the state survives the snapshot round trip.

use std::collections::HashMap;

use chrono::{TimeZone, Utc};
use livescore::feed::checks::MAX_SCORE;
use livescore::feed::fixtures::Fixtures;
use livescore::feed::stats::StatsInput;
use livescore::feed::{Command, Event, FeedState};
use livescore::ids::{IncidentId, LeagueId, MatchId, NewsId, TeamId, Version};
use livescore::model::{IncidentKind, MatchStatus, Side, tally};
use proptest::prelude::*;

fn status() -> impl Strategy<Value = MatchStatus> {
    prop_oneof![
        Just(MatchStatus::Scheduled),
        Just(MatchStatus::Live),
        Just(MatchStatus::Halftime),
        Just(MatchStatus::Break),
        Just(MatchStatus::Final),
        Just(MatchStatus::Postponed),
        Just(MatchStatus::Cancelled),
    ]
}

fn kind() -> impl Strategy<Value = IncidentKind> {
    prop_oneof![
        Just(IncidentKind::Goal),
        Just(IncidentKind::OwnGoal),
        Just(IncidentKind::PenaltyGoal),
        Just(IncidentKind::YellowCard),
        Just(IncidentKind::RedCard),
        Just(IncidentKind::Substitution),
        Just(IncidentKind::Points),
        Just(IncidentKind::Foul),
        Just(IncidentKind::Timeout),
        Just(IncidentKind::Period),
        Just(IncidentKind::Correction),
    ]
}

fn side() -> impl Strategy<Value = Option<Side>> {
    prop_oneof![Just(None), Just(Some(Side::Home)), Just(Some(Side::Away))]
}

fn command() -> impl Strategy<Value = Command> {
    let match_id = (0u32..16).prop_map(MatchId);
    let news_id = (0u32..20).prop_map(NewsId);
    let version = proptest::option::of((0u64..40).prop_map(Version));
    let team = prop_oneof![
        Just("ARS"),
        Just("CHE"),
        Just("BOS"),
        Just("MIA"),
        Just("ZZZ")
    ]
    .prop_map(TeamId::from);
    let league = prop_oneof![Just("epl"), Just("nba"), Just("xyz")].prop_map(LeagueId::from);
    prop_oneof![
        1 => (match_id.clone(), -3i64..1100, -3i64..1100, version.clone()).prop_map(
            |(match_id, home, away, expected_version)| Command::ScoreSet {
                match_id,
                home,
                away,
                expected_version,
            }
        ),
        1 => (
            match_id.clone(),
            kind(),
            side(),
            proptest::option::of(0u16..250),
            proptest::option::of(0u32..5)
        )
            .prop_map(
                |(match_id, kind, team, minute, points)| Command::IncidentAdd {
                    match_id,
                    kind,
                    team,
                    player: None,
                    player_out: None,
                    minute,
                    points,
                    detail: None,
                    expected_version: None,
                }
            ),
        1 => (
            match_id.clone(),
            status(),
            proptest::option::of(0u8..12),
            proptest::option::of(0u16..250)
        )
            .prop_map(|(match_id, status, period, minute)| Command::MatchStatus {
                match_id,
                status,
                period,
                minute,
            }),
        1 => (league, team.clone(), team).prop_map(|(league, home, away)| Command::MatchCreate {
            league,
            home,
            away,
            kickoff: Utc.with_ymd_and_hms(2026, 11, 25, 20, 0, 0).unwrap(),
        }),
        1 => ("[ a-z<>]{0,30}", proptest::option::of(match_id.clone())).prop_map(
            |(headline, match_id)| {
                Command::NewsPublish {
                    breaking: headline.len() % 2 == 0,
                    headline,
                    body: "body".into(),
                    tags: vec!["epl".into()],
                    match_id,
                }
            }
        ),
        1 => (
            news_id.clone(),
            proptest::option::of("[a-z ]{0,10}"),
            proptest::option::of(any::<bool>()),
            version
        )
            .prop_map(|(news_id, headline, breaking, expected_version)| {
                Command::NewsUpdate {
                    news_id,
                    headline,
                    body: None,
                    tags: None,
                    breaking,
                    expected_version,
                }
            }),
        // Undo, more often than the rest: removable incidents are few (see `resolve`).
        4 => (match_id.clone(), (0u32..60).prop_map(IncidentId)).prop_map(|(match_id, incident_id)| {
            Command::IncidentRemove {
                match_id,
                incident_id,
                expected_version: None,
            }
        }),
        1 => news_id.prop_map(|news_id| Command::NewsRetract { news_id }),
        // Amend: a minute or a detail (players are the squads', checked by the unit tests).
        2 => (match_id.clone(), (0u32..60).prop_map(IncidentId), proptest::option::of(0u16..130))
            .prop_map(|(match_id, incident_id, minute)| Command::IncidentAmend {
                match_id,
                incident_id,
                player: None,
                minute,
                detail: minute.is_none().then(|| "checked by VAR".to_owned()),
                expected_version: None,
            }),
        1 => (match_id.clone(), side(), sheet()).prop_map(|(match_id, team, (starting, bench))| {
            Command::LineupSet {
                match_id,
                team: team.unwrap_or(Side::Away),
                starting,
                bench,
                expected_version: None,
            }
        }),
        1 => (match_id, stats(), stats()).prop_map(|(match_id, home, away)| Command::StatsSet {
            match_id,
            home: Box::new(home),
            away: Box::new(away),
            expected_version: None,
        }),
    ]
}

/// A team sheet by shirt numbers: Arsenal's or Chelsea's eleven (numbers both squads have or
/// not), Boston's five, or a short one; benches of any size up to five.
fn sheet() -> impl Strategy<Value = (Vec<String>, Vec<String>)> {
    let numbers = |ns: &[u8]| ns.iter().map(|n| format!("#{n}")).collect::<Vec<_>>();
    let starting = prop_oneof![
        Just(numbers(&[1, 22, 2, 5, 12, 24, 26, 10, 17, 25, 28])),
        Just(numbers(&[1, 25, 4, 5, 14, 15, 24, 8, 20, 23, 28])),
        Just(numbers(&[31, 7, 8, 1, 2])),
        Just(numbers(&[1, 2, 5])),
    ];
    let bench = proptest::sample::subsequence(vec![35, 14, 30, 39, 47, 9, 19], 0..5)
        .prop_map(move |ns| ns.iter().map(|n| format!("#{n}")).collect());
    (starting, bench)
}

/// One side's figures, plausible or not (the rules refuse the rest).
fn stats() -> impl Strategy<Value = StatsInput> {
    (
        0i64..30,
        0i64..30,
        prop_oneof![Just(50i64), -5i64..110],
        proptest::option::of(0i64..10),
    )
        .prop_map(|(shots, on_target, possession, rebounds)| StatsInput {
            shots: Some(shots),
            shots_on_target: Some(on_target),
            possession: Some(possession),
            corners: Some(shots / 3),
            fouls: Some(on_target + 1),
            rebounds,
            ..StatsInput::default()
        })
}

/// `incident.remove` names incidents that exist only once the commands before it have run: its
/// generated `incident_id` picks one of the state's removable incidents (those of matches in
/// play, period markers aside), by index; one in four is left as generated, for the refusals.
fn resolve(command: &Command, state: &FeedState) -> Command {
    let incident_id = match command {
        Command::IncidentRemove { incident_id, .. }
        | Command::IncidentAmend { incident_id, .. } => incident_id,
        _ => return command.clone(),
    };
    let removable: Vec<(MatchId, IncidentId)> = state
        .matches()
        .filter(|m| m.status.is_in_play())
        .flat_map(|m| {
            m.incidents
                .iter()
                .filter(|i| i.kind != IncidentKind::Period)
                .map(move |i| (m.id, i.id))
        })
        .collect();
    if removable.is_empty() || incident_id.0 % 4 == 0 {
        return command.clone();
    }
    let (match_id, incident_id) = removable[incident_id.0 as usize % removable.len()];
    match command {
        Command::IncidentAmend { minute, detail, .. } => Command::IncidentAmend {
            match_id,
            incident_id,
            player: None,
            minute: *minute,
            detail: detail.clone(),
            expected_version: None,
        },
        _ => Command::IncidentRemove {
            match_id,
            incident_id,
            expected_version: None,
        },
    }
}

/// Shirt numbers of Arsenal's and Chelsea's squads (and one of neither).
const SHIRTS: &[u8] = &[
    1, 2, 4, 5, 8, 9, 10, 11, 12, 14, 15, 17, 19, 20, 22, 23, 24, 25, 26, 28, 29, 30, 35, 39, 47,
    99,
];

/// What an editor does to matches in play, aimed at the fixtures' first twelve matches.
fn desk_command() -> impl Strategy<Value = Command> {
    let match_id = (1u32..=12).prop_map(MatchId);
    prop_oneof![
        (
            match_id.clone(),
            kind(),
            side(),
            proptest::option::of(1u32..4)
        )
            .prop_map(|(match_id, kind, team, points)| Command::IncidentAdd {
                match_id,
                kind,
                team: team.or(Some(Side::Home)),
                player: None,
                player_out: None,
                minute: None,
                points,
                detail: None,
                expected_version: None,
            }),
        (match_id.clone(), (1u32..1000).prop_map(IncidentId)).prop_map(
            |(match_id, incident_id)| Command::IncidentRemove {
                match_id,
                incident_id,
                expected_version: None,
            }
        ),
        (match_id, 0i64..5, 0i64..5).prop_map(|(match_id, home, away)| Command::ScoreSet {
            match_id,
            home,
            away,
            expected_version: None,
        }),
        // Substitutions and goals on match 1, whose sheets are set: shirt numbers of both squads,
        // on the pitch, on the bench or neither.
        (
            side(),
            proptest::sample::select(SHIRTS),
            proptest::sample::select(SHIRTS),
            any::<bool>()
        )
            .prop_map(|(team, on, off, sub)| Command::IncidentAdd {
                match_id: MatchId(1),
                kind: if sub {
                    IncidentKind::Substitution
                } else {
                    IncidentKind::Goal
                },
                team: team.or(Some(Side::Home)),
                player: Some(format!("#{on}")),
                player_out: sub.then(|| format!("#{off}")),
                minute: None,
                points: None,
                detail: None,
                expected_version: None,
            }),
    ]
}

fn starting_state() -> FeedState {
    Fixtures::embedded()
        .into_state(Utc.with_ymd_and_hms(2026, 11, 25, 9, 0, 0).unwrap())
        .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_commands_never_break_the_invariants(commands in proptest::collection::vec(command(), 1..120)) {
        let mut state = starting_state();
        let initial = state.clone();
        let mut log: Vec<Event> = Vec::new();
        let now = Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).unwrap();
        for command in &commands {
            let before: HashMap<_, _> = state.matches().map(|m| (m.id, m.clone())).collect();
            let news_before: HashMap<_, _> = state.news().map(|n| (n.id, n.version)).collect();
            let command = &resolve(command, &state);
            let Ok(planned) = state.validate(command, "prop", now) else { continue };
            for event in &planned.events {
                state.apply(event);
            }
            log.extend(planned.events);
            for m in state.matches() {
                prop_assert!(i64::from(m.score.home) <= MAX_SCORE && i64::from(m.score.away) <= MAX_SCORE);
                prop_assert_eq!(tally(&m.incidents), Some(m.score), "match {}: score apart from its timeline", m.id);
                if let Some(was) = before.get(&m.id) {
                    prop_assert!(m.version >= was.version, "match {} version went back", m.id);
                    if was.status.is_terminal() {
                        prop_assert_eq!(m.status, was.status, "match {} left a terminal status", m.id);
                        // Only statistics may still be corrected after full-time.
                        let unstated = |m: &livescore::model::Match| livescore::model::Match { stats: None, version: Version(0), ..m.clone() };
                        prop_assert_eq!(unstated(m), unstated(was), "a finished match changed");
                        prop_assert!(m.version == was.version || m.status == MatchStatus::Final);
                    }
                }
                if let Some(stats) = &m.stats {
                    for side in [&stats.home, &stats.away] {
                        prop_assert!(side.shots_on_target <= side.shots);
                    }
                    if let (Some(h), Some(a)) = (stats.home.possession, stats.away.possession) {
                        prop_assert_eq!(h + a, 100);
                    }
                }
            }
            for n in state.news() {
                if let Some(v) = news_before.get(&n.id) {
                    prop_assert!(n.version >= *v);
                }
            }
        }
        // Replaying the log over the starting state gives the same state ...
        let mut replayed = initial;
        for event in &log {
            replayed.apply(event);
        }
        prop_assert_eq!(&replayed, &state);
        // ... and the state survives the snapshot's JSON round trip, ids and counters included
        // (squads are reference data, served apart, so a snapshot leaves them out).
        let json = serde_json::to_string(&state).unwrap();
        let back: FeedState = serde_json::from_str(&json).unwrap();
        prop_assert!(back.teams().all(|t| t.squad.is_empty()));
        prop_assert_eq!(serde_json::to_string(&back).unwrap(), json);
        prop_assert_eq!(back.matches().collect::<Vec<_>>(), state.matches().collect::<Vec<_>>());
        prop_assert_eq!(back.news().collect::<Vec<_>>(), state.news().collect::<Vec<_>>());
        prop_assert_eq!(back.next_ids(), state.next_ids());
        // Every event survives the wire too.
        for event in &log {
            let text = serde_json::to_string(event).unwrap();
            prop_assert_eq!(&serde_json::from_str::<Event>(&text).unwrap(), event);
        }
    }

    /// The desk at work on matches in play: goals and cards added and taken back, scores set.
    /// A removed incident is gone from its match, and replay still equals live.
    #[test]
    fn adding_and_removing_incidents_keeps_replay_equal_to_live(commands in proptest::collection::vec(desk_command(), 1..80)) {
        let now = Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).unwrap();
        let mut state = starting_state();
        let numbers = |ns: &[u8]| ns.iter().map(|n| format!("#{n}")).collect::<Vec<_>>();
        for (team, starting, bench) in [
            (Side::Home, [1, 22, 2, 5, 12, 24, 26, 10, 17, 25, 28], [35, 14, 30, 39, 47]),
            (Side::Away, [1, 25, 4, 5, 14, 15, 24, 8, 20, 23, 28], [29, 9, 11, 19, 47]),
        ] {
            let sheet = Command::LineupSet { match_id: MatchId(1), team, starting: numbers(&starting), bench: numbers(&bench), expected_version: None };
            for event in state.validate(&sheet, "prop", now).unwrap().events {
                state.apply(&event);
            }
        }
        for id in 1..=12 {
            let live = Command::MatchStatus { match_id: MatchId(id), status: MatchStatus::Live, period: None, minute: None };
            if let Ok(planned) = state.validate(&live, "prop", now) {
                for event in &planned.events {
                    state.apply(event);
                }
            }
        }
        let initial = state.clone();
        let mut log: Vec<Event> = Vec::new();
        for command in &commands {
            let command = &resolve(command, &state);
            let Ok(planned) = state.validate(command, "prop", now) else { continue };
            for event in &planned.events {
                state.apply(event);
                if let Event::IncidentRemoved { match_id, incident_id, .. } = event {
                    let m = state.game(*match_id).unwrap();
                    prop_assert!(m.incidents.iter().all(|i| i.id != *incident_id));
                }
            }
            log.extend(planned.events);
            // Goals, corrections and their undoing: the score is the timeline's sum throughout.
            for m in state.matches() {
                prop_assert_eq!(tally(&m.incidents), Some(m.score), "match {}: score apart from its timeline", m.id);
            }
            // Match 1 has both sheets: at most five substitutions a side, none of a player who
            // had already come on.
            let one = state.game(MatchId(1)).unwrap();
            for side in [Side::Home, Side::Away] {
                let subs: Vec<_> = one.incidents.iter().filter(|i| i.kind == IncidentKind::Substitution && i.team == Some(side)).collect();
                prop_assert!(subs.len() <= 5);
                let mut on: Vec<_> = subs.iter().map(|i| i.player.clone()).collect();
                on.sort();
                on.dedup();
                prop_assert_eq!(on.len(), subs.len(), "a player came on twice");
            }
        }
        let mut replayed = initial;
        for event in &log {
            replayed.apply(event);
        }
        prop_assert_eq!(&replayed, &state);
    }
}
