//! Unit tests of the simulated clock: picking up after a restart, refusals, waiting for the hub
//! and catching up with the real clock.

use super::*;

#[test]
fn a_restart_picks_up_the_day_where_it_stood_and_duplicates_nothing() {
    let window = Window::default();
    let mut state = fixtures_state(window);
    let mut sim = Simulation::new(5, &state, start());
    let evening = start() + Duration::hours(11);
    run(&mut sim, &mut state, start(), evening, no_check);
    let before = state.matches().count();
    let live: Vec<MatchId> = state
        .matches()
        .filter(|m| m.status.is_in_play())
        .map(|m| m.id)
        .collect();
    assert!(!live.is_empty(), "matches in play at 19:00");

    let mut restarted = Simulation::new(5, &state, start());
    // The clock resumes at the latest kick-off of the day's started matches, not at midnight.
    let latest = state
        .matches()
        .filter(|m| m.status != MatchStatus::Scheduled)
        .filter(|m| window.local_date(m.kickoff) == window.local_date(evening))
        .map(|m| m.kickoff)
        .max()
        .unwrap();
    assert_eq!(restarted.clock(), latest);
    let playing: Vec<MatchId> = restarted
        .games()
        .filter(|g| g.is_live())
        .map(|g| g.id)
        .collect();
    assert_eq!(playing, live);
    let mut out = Vec::new();
    restarted.step(&mut out);
    assert!(
        !out.iter().any(|c| matches!(c, Command::MatchCreate { .. })),
        "{out:?}"
    );
    run(
        &mut restarted,
        &mut state,
        start(),
        evening + Duration::hours(6),
        no_check,
    );
    assert!(
        state
            .matches()
            .all(|m| !m.status.is_in_play() || m.kickoff > evening)
    );
    assert!(state.matches().count() >= before);
}

#[test]
fn a_refused_fixture_or_roll_does_not_stop_the_clock() {
    let mut state = fixtures_state(Window::default());
    let mut sim = Simulation::new(9, &state, start());
    let mut out = Vec::new();
    sim.step(&mut out);
    // The hub refuses everything (say an admin took the league away); the clock goes on.
    for command in &out {
        sim.rejected(command);
    }
    let before = sim.clock();
    run(
        &mut sim,
        &mut state,
        start(),
        before + Duration::days(2),
        no_check,
    );
    assert!(sim.clock() >= before + Duration::days(2));
}

#[test]
fn the_clock_waits_for_a_fixture_due_before_the_hub_has_created_it() {
    let window = Window {
        days_ahead: 0,
        ..Window::default()
    };
    let mut state = fixtures_state(window);
    let mut sim = Simulation::new(2, &state, start());
    let midnight = window.start_of(window.local_date(start()) + Duration::days(1));
    // Play on without answering the new day's fixtures (asked for at midnight, with no day
    // ahead): the first of them holds the clock until the hub says which match it is.
    let mut out = Vec::new();
    let mut steps = 0;
    while sim.step(&mut out) {
        steps += 1;
        assert!(steps < 3 * 86_400, "the clock never stopped");
    }
    let first = out
        .iter()
        .filter_map(|c| match c {
            Command::MatchCreate { kickoff, .. } if *kickoff >= midnight => Some(*kickoff),
            _ => None,
        })
        .min()
        .expect("the new day's fixtures were asked for");
    assert_eq!(sim.clock(), first - Duration::seconds(1));
    assert!(!sim.step(&mut Vec::new()), "still waiting");
    execute(&mut sim, &mut state, &out, start(), &mut no_check);
    let mut next = Vec::new();
    assert!(sim.step(&mut next));
    assert!(
        next.iter().any(|c| matches!(
            c,
            Command::MatchStatus {
                status: MatchStatus::Live,
                ..
            }
        )),
        "the first game kicks off on time"
    );
}

#[test]
fn the_clock_starts_at_the_feeds_day_and_the_sim_catches_up_from_there() {
    let state = fixtures_state(Window::default());
    let sim = Simulation::new(1, &state, start());
    assert_eq!(
        sim.clock(),
        Window::default().start_of(start().date_naive())
    );
    assert_eq!(sim.behind(start()), 8 * 3600);
    assert_eq!(sim.behind(start() - Duration::days(1)), 0);
}
