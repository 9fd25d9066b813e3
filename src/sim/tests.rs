//! The simulation over simulated days, its commands carried out on a `FeedState` the way the hub
//! does it (`validate`, then `apply`, then the answer back to the simulation).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};

use super::*;
use crate::feed::Target;
use crate::feed::fixtures::Fixtures;
use crate::model::Sport;

/// The simulated clock: restarts, refusals, waiting for the hub, catching up.
mod clock;
/// Team sheets, substitutions and statistics over a simulated day.
mod sheets;

/// A simulated season against the tables.
mod season;

/// A Wednesday morning.
fn start() -> DateTime<Utc> {
    "2026-11-25T08:00:00Z".parse().unwrap()
}

fn fixtures_state(window: Window) -> FeedState {
    let mut state = Fixtures::embedded().into_state(start()).unwrap();
    state.set_window(window);
    state
}

/// Carry out `commands` like the hub, `now` being the real time; call `check` before each.
fn execute(
    sim: &mut Simulation,
    state: &mut FeedState,
    commands: &[Command],
    now: DateTime<Utc>,
    check: &mut impl FnMut(&FeedState, &Command, DateTime<Utc>),
) {
    for command in commands {
        check(state, command, sim.clock());
        match state.validate(command, news::AUTHOR, now) {
            Ok(planned) => {
                for event in &planned.events {
                    state.apply(event);
                }
                if let (Command::MatchCreate { .. }, Target::Match(id)) = (command, planned.target)
                {
                    sim.created(command, id);
                }
            }
            Err(_) => sim.rejected(command),
        }
    }
}

/// Play until the simulated clock reaches `until`, the real time staying at `wall` (the
/// simulation runs ahead of it); each second's commands are carried out before the next, so
/// that `check` sees the state and the clock each was sent at. Returns every command sent.
fn run(
    sim: &mut Simulation,
    state: &mut FeedState,
    wall: DateTime<Utc>,
    until: DateTime<Utc>,
    mut check: impl FnMut(&FeedState, &Command, DateTime<Utc>),
) -> Vec<Command> {
    let mut all = Vec::new();
    let mut out = Vec::new();
    while sim.clock() < until {
        sim.step(&mut out);
        execute(sim, state, &out, wall, &mut check);
        all.append(&mut out);
    }
    all
}

fn no_check(_: &FeedState, _: &Command, _: DateTime<Utc>) {}

#[test]
fn the_same_seed_plays_the_same_calendar_and_another_seed_does_not() {
    let play = |seed: u64| {
        let mut state = fixtures_state(Window::default());
        let mut sim = Simulation::new(seed, &state, start());
        let until = start() + Duration::days(2);
        run(&mut sim, &mut state, start(), until, no_check)
    };
    let a = play(7);
    assert!(a.len() > 1000, "two days of play: {}", a.len());
    assert_eq!(a, play(7));
    assert_ne!(a, play(8));
    let creates = |commands: &[Command]| -> Vec<Command> {
        commands
            .iter()
            .filter(|c| matches!(c, Command::MatchCreate { .. }))
            .cloned()
            .collect()
    };
    assert_eq!(
        creates(&a),
        creates(&play(8)),
        "the fixtures come from the calendar, not the dice"
    );
}

/// What the simulated week looked like, checked as it went.
#[test]
fn a_simulated_week_keeps_a_believable_calendar() {
    let window = Window::default();
    let mut state = fixtures_state(window);
    let mut sim = Simulation::new(3, &state, start());
    let first_day = window.local_date(start());
    let until = window.start_of(first_day + Duration::days(7)) + Duration::hours(6);
    let mut stories = HashMap::<&'static str, usize>::new();
    let mut rolls = Vec::new();
    let mut told = std::collections::HashSet::new();
    let mut count = |kind: &'static str| *stories.entry(kind).or_default() += 1;
    let commands = run(
        &mut sim,
        &mut state,
        start(),
        until,
        |state, command, clock| {
            match command {
                Command::MatchStatus {
                    match_id,
                    status: MatchStatus::Live,
                    ..
                } => {
                    let m = state.game(*match_id).unwrap();
                    if m.status == MatchStatus::Scheduled {
                        assert!(clock >= m.kickoff, "{} live before {}", clock, m.kickoff);
                    }
                }
                Command::NewsPublish {
                    headline,
                    body,
                    tags,
                    match_id,
                    ..
                } => {
                    let text = format!("{headline} {body}");
                    assert!(!text.contains("after 0 minutes"), "{text}");
                    assert!(!text.contains(" 0th minute"), "{text}");
                    let m = state.game(match_id.unwrap()).unwrap();
                    match tags[1].as_str() {
                        "preview" | "injury" | "quotes" | "transfers" => {
                            assert_eq!(m.status, MatchStatus::Scheduled, "{text}");
                            assert!(m.kickoff > clock, "{text} at {clock}");
                            let fresh = told.insert((m.id, tags[1].clone()));
                            assert!(fresh, "told twice: {text}");
                            count("desk");
                        }
                        "report" => {
                            assert_eq!(m.status, MatchStatus::Final, "{text}");
                            count("report");
                        }
                        "goal" => {
                            assert_eq!(m.sport, Sport::Football, "{text}");
                            assert!(m.status.is_in_play(), "{text}");
                            // The flash names the minute of the goal just recorded.
                            let goal = m.incidents.iter().rev().find(|i| i.kind.scores()).unwrap();
                            let end = if goal.period == 1 { 45 } else { 90 };
                            assert!(body.contains(&news::when(goal.minute, end)), "{text}");
                            count("goal");
                        }
                        other => panic!("unexpected tag {other}"),
                    }
                }
                Command::IncidentAdd {
                    match_id, minute, ..
                } => {
                    // Football counts the first minute as the 1st.
                    let m = state.game(*match_id).unwrap();
                    if m.sport == Sport::Football {
                        assert!(minute.is_some_and(|m| m >= 1), "{command:?}");
                    }
                }
                Command::CalendarRoll { today } => rolls.push(*today),
                _ => {}
            }
        },
    );
    // One roll a day, in order, as the clock passed each midnight.
    let days: Vec<NaiveDate> = (1..=7).map(|d| first_day + Duration::days(d)).collect();
    assert_eq!(rolls[rolls.len() - 7..], days[..], "{rolls:?}");
    assert_eq!(state.calendar().today, Some(first_day + Duration::days(7)));

    // Every team at most once a day, over everything created.
    let mut created: Vec<(NaiveDate, TeamId)> = Vec::new();
    let mut first_matches: Vec<&Command> = Vec::new();
    for command in &commands {
        if let Command::MatchCreate {
            home,
            away,
            kickoff,
            ..
        } = command
        {
            let day = window.local_date(*kickoff);
            created.push((day, home.clone()));
            created.push((day, away.clone()));
            first_matches.push(command);
        }
    }
    let mut per_day = HashMap::new();
    for key in &created {
        *per_day.entry(key).or_insert(0) += 1;
    }
    assert!(
        per_day.values().all(|&n| n == 1),
        "a team plays twice a day: {:?}",
        per_day.iter().filter(|(_, n)| **n > 1).collect::<Vec<_>>()
    );
    // A week has a few dozen matches, not hundreds.
    assert!(
        (25..=120).contains(&first_matches.len()),
        "{} matches created in a week",
        first_matches.len()
    );

    // The desk: a few stories an hour at most, every result reported.
    let hours = 7 * 24 + 6;
    let desk = stories.get("desk").copied().unwrap_or(0);
    assert!(
        desk >= hours && desk <= 6 * hours,
        "{desk} desk stories in {hours} hours"
    );
    assert!(stories.get("report").copied().unwrap_or(0) >= first_matches.len());
    assert!(stories.get("goal").copied().unwrap_or(0) > 0);

    // With the rolls applied, the state holds only the window's matches (and any in play).
    let today = state.calendar().today.unwrap();
    let (from, to) = (window.first_day(today), today + Duration::days(1));
    for m in state.matches() {
        let day = window.local_date(m.kickoff);
        assert!(
            m.status.is_in_play() || (from..=to).contains(&day),
            "match {} of {day} outside {from}..{to}",
            m.id
        );
    }
    assert!(state.news().count() <= window.news);
    // And the simulation only carries the matches still to play.
    assert!(sim.games().count() <= 30, "{}", sim.games().count());
}

#[test]
fn fixtures_fall_at_the_cadence_local_times_in_another_zone() {
    let window = Window {
        timezone: "America/New_York".parse().unwrap(),
        days_ahead: 2,
        ..Window::default()
    };
    let mut state = fixtures_state(window);
    let mut sim = Simulation::new(1, &state, start());
    let mut out = Vec::new();
    sim.step(&mut out);
    let slots: BTreeMap<&LeagueId, Vec<_>> = state
        .leagues()
        .map(|l| (&l.id, l.cadence.iter().flat_map(|r| &r.slots).collect()))
        .collect();
    let mut checked = 0;
    for command in &out {
        let Command::MatchCreate {
            league, kickoff, ..
        } = command
        else {
            continue;
        };
        let local = kickoff.with_timezone(&window.timezone);
        let slot = slots[league]
            .iter()
            .find(|s| s.weekday == local.weekday() && s.time == local.time());
        assert!(slot.is_some(), "{league} at {local}");
        checked += 1;
    }
    assert!(checked > 10, "{checked} fixtures created");
    // Carried out, they are not asked for again by the next simulation (a restart).
    execute(&mut sim, &mut state, &out, start(), &mut no_check);
    let mut again = Vec::new();
    Simulation::new(1, &state, start()).step(&mut again);
    assert!(
        !again
            .iter()
            .any(|c| matches!(c, Command::MatchCreate { .. })),
        "{again:?}"
    );
}
