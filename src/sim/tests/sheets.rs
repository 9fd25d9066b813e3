//! Unit tests of the simulation's team sheets and statistics: every match it plays has both
//! sheets, every substitution and every player it names is one the feed accepts (across a
//! restart too), and the figures it sends add up.

use super::*;
use crate::model::{IncidentKind, Side};

/// Play the day from `start()` to `until`, failing on any lineup, incident or stats command
/// the feed refuses.
fn play_legally(sim: &mut Simulation, state: &mut FeedState, until: DateTime<Utc>) -> Vec<Command> {
    run(sim, state, start(), until, |state, command, _| {
        let checked = matches!(
            command,
            Command::LineupSet { .. } | Command::IncidentAdd { .. } | Command::StatsSet { .. }
        );
        if checked && let Err(e) = state.validate(command, news::AUTHOR, start()) {
            panic!("refused: {command:?}: {e}");
        }
    })
}

#[test]
fn simulated_matches_have_both_sheets_legal_substitutions_and_consistent_stats() {
    let window = Window::default();
    let mut state = fixtures_state(window);
    let mut sim = Simulation::new(11, &state, start());
    // Stop in the afternoon, with matches in play, and carry on with a new simulation.
    let mut sent = play_legally(&mut sim, &mut state, start() + Duration::hours(8));
    assert!(state.matches().any(|m| m.status.is_in_play()));
    let mut sim = Simulation::new(11, &state, start());
    let day_end = window.start_of(window.local_date(start()) + Duration::days(1));
    sent.extend(play_legally(
        &mut sim,
        &mut state,
        day_end + Duration::hours(3),
    ));

    let played: Vec<_> = state
        .matches()
        .filter(|m| m.status == MatchStatus::Final && m.kickoff < day_end)
        .collect();
    assert!(played.len() >= 5, "a day of matches: {}", played.len());
    let mut football_subs = 0;
    for m in played {
        let (home, away) = (m.lineups.home.as_ref(), m.lineups.away.as_ref());
        assert!(
            home.is_some() && away.is_some(),
            "match {} has both sheets",
            m.id
        );
        let stats = m.stats.as_ref().expect("stats at full-time");
        for side in [Side::Home, Side::Away] {
            let subs: Vec<_> = m
                .incidents
                .iter()
                .filter(|i| i.kind == IncidentKind::Substitution && i.team == Some(side))
                .collect();
            assert!(
                subs.iter()
                    .all(|i| i.player.is_some() && i.player_out.is_some())
            );
            let figures = match side {
                Side::Home => &stats.home,
                Side::Away => &stats.away,
            };
            match m.sport {
                Sport::Football => {
                    assert!(subs.len() <= 5, "match {}: {} subs", m.id, subs.len());
                    football_subs += subs.len();
                    assert!(figures.shots_on_target <= figures.shots, "{figures:?}");
                    assert!(figures.shots.unwrap() <= 60, "{figures:?}");
                }
                Sport::Basketball => {
                    let by_period = figures.fouls_by_period.as_ref().unwrap();
                    assert_eq!(by_period.len(), usize::from(m.period), "{figures:?}");
                    let fouls = m
                        .incidents
                        .iter()
                        .filter(|i| i.kind == IncidentKind::Foul && i.team == Some(side))
                        .count();
                    assert!(by_period.iter().sum::<u32>() as usize <= fouls);
                }
            }
        }
        if m.sport == Sport::Football {
            let possession = stats.home.possession.unwrap() + stats.away.possession.unwrap();
            assert_eq!(possession, 100);
        }
        // A modest share of the events: every few minutes, not every second.
        let stats_sent = sent
            .iter()
            .filter(|c| matches!(c, Command::StatsSet { match_id, .. } if *match_id == m.id))
            .count();
        assert!(
            (4..=40).contains(&stats_sent),
            "match {}: {stats_sent}",
            m.id
        );
    }
    assert!(football_subs > 0, "substitutions were made");
}
