//! The match simulation behind the generator: pure and seeded, so that the same seed, state and
//! starting day always produce the same commands.
//!
//! The simulation keeps a calendar. Its clock is simulated time in the feed's zone
//! ([`Window::timezone`]); [`Simulation::step`] advances it one second and appends the
//! [`Command`]s it wants sent, and the generator actor (`actors/generator.rs`) decides how many
//! steps real time allows. A match goes live when the clock reaches its kick-off, never before.
//! Each league plays rounds on the cadence of its fixtures (`leagues.json`, see [`schedule`]);
//! a day's fixtures are created with `match.create` as the day enters the live window (today ..
//! today + `days_ahead`), and as the clock passes a local midnight the simulation sends
//! `calendar.roll` for the new day before creating the day that entered the window.
//!
//! Where the clock starts: at the beginning of the feed's day (the later of the state's day and
//! the real one), or at the latest kick-off of a match of that day already under way or over (so
//! a restarted generator, or a new leader in a cluster, carries on about where the previous one
//! stopped). That is usually before the real time: the generator then catches up at its top speed,
//! playing the day's earlier matches out, so the first screen shows the morning's results, the
//! matches in play and the ones still to come, like a real day. Days already planned in the state
//! are not planned again, and matches of earlier days never kicked off are postponed.

pub mod news;
pub mod play;
mod players;
pub mod schedule;
mod second;
mod sheet;
mod tally;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Days, NaiveDate, Utc};
use rand::prelude::*;

use crate::feed::{Command, FeedState, Window};
use crate::ids::{LeagueId, MatchId, TeamId};
use crate::model::{League, MatchStatus, Team};
use play::{Game, Highlight, Phase};
use schedule::Fixture;

/// Share of football goals that get a news flash.
const GOAL_FLASH_CHANCE: f64 = 0.35;
/// Simulated seconds between desk stories: three or four an hour.
const STORY_GAP_SECS: std::ops::RangeInclusive<i64> = 10 * 60..=25 * 60;
/// The desk writes about the next few matches to kick off.
const STORY_CANDIDATES: usize = 6;
/// Mixed into the seed for the desk's own random numbers, so that what the desk writes (or
/// leaves out while catching up) never changes how the matches go.
const DESK_SEED: u64 = 0x6465_736b;

/// The generator's whole plan: its clock, the matches it plays and the days it has planned.
pub struct Simulation {
    /// Match play.
    rng: StdRng,
    /// Stories.
    desk: StdRng,
    /// The simulated clock, in Unix seconds.
    now: i64,
    window: Window,
    /// The clock's day in the window's zone, and when the next one starts.
    today: NaiveDate,
    next_midnight: i64,
    /// The last day whose fixtures have been asked for.
    planned_through: NaiveDate,
    /// Matches not kicked off yet, by kick-off.
    upcoming: Vec<Game>,
    /// Matches under way.
    live: Vec<Game>,
    /// Fixtures asked for with `match.create` and not answered yet: the clock does not pass
    /// their kick-off before the hub has said which match they are.
    pending: Vec<Fixture>,
    /// Commands to send before the first step: the roll to the clock's day, the fixtures missing
    /// from the window, the postponements.
    opening: Vec<Command>,
    teams: BTreeMap<TeamId, Team>,
    leagues: Vec<League>,
    next_story_at: i64,
    /// No desk stories or goal flashes before this (the real time the simulation was planned
    /// at): the part of the day replayed while catching up only leaves results behind.
    desk_from: i64,
}

impl Simulation {
    /// Plan from `state` (the hub's committed state), `wall_now` being the real time: pick up the
    /// matches in play where they stand, schedule the ones to come, and ask for what the window
    /// is missing. See the module documentation for where the clock starts.
    pub fn new(seed: u64, state: &FeedState, wall_now: DateTime<Utc>) -> Simulation {
        let calendar = state.calendar();
        let window = calendar.window;
        let real_day = window.local_date(wall_now);
        let today = calendar.today.map_or(real_day, |day| day.max(real_day));
        let day_start = window.start_of(today);
        let resume_at = state
            .matches()
            .filter(|m| m.status.is_in_play() || m.status == MatchStatus::Final)
            .filter(|m| window.local_date(m.kickoff) == today)
            .map(|m| m.kickoff)
            .max()
            .unwrap_or(day_start);
        let mut sim = Simulation {
            rng: StdRng::seed_from_u64(seed),
            desk: StdRng::seed_from_u64(seed ^ DESK_SEED),
            now: resume_at.timestamp(),
            window,
            today,
            next_midnight: next_day(&window, today).timestamp(),
            planned_through: today,
            upcoming: Vec::new(),
            live: Vec::new(),
            pending: Vec::new(),
            opening: Vec::new(),
            teams: state.teams().map(|t| (t.id.clone(), t.clone())).collect(),
            leagues: state.leagues().cloned().collect(),
            next_story_at: 0,
            desk_from: wall_now.timestamp() - wall_now.timestamp().rem_euclid(60),
        };
        sim.next_story_at = sim.now + sim.desk.random_range(60..=5 * 60);
        if calendar.today.is_none_or(|day| day < today) {
            sim.opening.push(Command::CalendarRoll { today });
        }
        let mut planned: HashSet<(&LeagueId, NaiveDate)> = HashSet::new();
        let mut matches: Vec<_> = state.matches().collect();
        matches.sort_by_key(|m| (m.kickoff, m.id));
        for m in matches {
            let day = window.local_date(m.kickoff);
            planned.insert((&m.league, day));
            if m.status.is_terminal() || m.status == MatchStatus::Postponed {
                continue;
            }
            let mut game = Game::new(
                m.id,
                m.sport,
                m.league.clone(),
                m.home.clone(),
                m.away.clone(),
                m.kickoff,
            );
            game.adopt(state, m);
            if m.status.is_in_play() {
                game.resume(m.status, m.period, m.minute, m.score);
                sim.live.push(game);
            } else if day < today {
                // Its day is over and it never started: called off (if still shown; older
                // days leave with the roll).
                if day >= window.first_day(today) {
                    sim.opening.push(Command::MatchStatus {
                        match_id: m.id,
                        status: MatchStatus::Postponed,
                        period: None,
                        minute: None,
                    });
                }
            } else {
                sim.upcoming.push(game);
            }
        }
        let mut opening = Vec::new();
        let last = add_days(today, window.days_ahead);
        let mut day = today;
        loop {
            for league in &sim.leagues {
                if !planned.contains(&(&league.id, day)) {
                    opening.extend(sim.fixtures(league, day));
                }
            }
            if day >= last {
                break;
            }
            day = add_days(day, 1);
        }
        sim.planned_through = last;
        for fixture in opening {
            sim.ask_for(fixture);
        }
        sim
    }

    /// The simulated clock.
    pub fn clock(&self) -> DateTime<Utc> {
        DateTime::from_timestamp(self.now, 0).unwrap_or_default()
    }

    /// Whole seconds the simulated clock is behind `wall` (0 when it is ahead): the generator
    /// plays them at once, so the simulation never falls behind real time.
    pub fn behind(&self, wall: DateTime<Utc>) -> u64 {
        u64::try_from(wall.timestamp() - self.now).unwrap_or(0)
    }

    /// Matches in play, then the ones still to come by kick-off.
    pub fn games(&self) -> impl Iterator<Item = &Game> {
        self.live.iter().chain(&self.upcoming)
    }

    /// Advance one simulated second, appending the commands to send to `out`. Returns false (and
    /// does not advance) while the next second would pass the kick-off of a match the hub has not
    /// created yet: the generator sends what it has and steps again once the answers are in, so
    /// batching never changes what happens.
    pub fn step(&mut self, out: &mut Vec<Command>) -> bool {
        out.append(&mut self.opening);
        let next = self.now + 1;
        // A new day is rolled to (and the day entering the window asked for) as the clock
        // reaches its midnight, so that a fixture at 00:00 can kick off on time.
        while next >= self.next_midnight {
            self.new_day(out);
        }
        if self.pending.iter().any(|f| f.kickoff.timestamp() <= next) {
            return false;
        }
        self.now = next;
        while self.upcoming.first().is_some_and(|g| g.kickoff <= self.now) {
            let mut game = self.upcoming.remove(0);
            game.kick_off(&mut self.rng, &self.teams, out);
            self.live.push(game);
        }
        self.play(out);
        if self.now >= self.next_story_at {
            self.next_story_at = self.now + self.desk.random_range(STORY_GAP_SECS);
            self.desk_story(out);
        }
        true
    }

    /// One second of every match in play, with the news it makes.
    fn play(&mut self, out: &mut Vec<Command>) {
        let writing = self.now >= self.desk_from;
        for game in &mut self.live {
            match game.step(self.now, &mut self.rng, &self.teams, out) {
                Some(Highlight::Goal {
                    side,
                    player,
                    minute,
                }) if writing && self.desk.random_bool(GOAL_FLASH_CHANCE) => {
                    out.push(news::goal_flash(
                        &mut self.desk,
                        game,
                        side,
                        &player,
                        minute,
                        &self.teams,
                    ));
                }
                Some(Highlight::Final) => {
                    out.push(news::full_time(&mut self.desk, game, &self.teams))
                }
                _ => {}
            }
        }
        self.live.retain(|g| g.phase != Phase::Done);
    }

    /// A story about one of the next matches to kick off, if any is planned.
    fn desk_story(&mut self, out: &mut Vec<Command>) {
        let candidates = self.upcoming.len().min(STORY_CANDIDATES);
        if self.now < self.desk_from || candidates == 0 {
            return;
        }
        let pick = self.desk.random_range(0..candidates);
        out.extend(news::desk_story(
            &mut self.desk,
            &mut self.upcoming[pick],
            &self.teams,
        ));
    }

    /// The clock passed a local midnight: roll the feed to the new day, then ask for the
    /// fixtures of the day that entered the window.
    fn new_day(&mut self, out: &mut Vec<Command>) {
        self.today = add_days(self.today, 1);
        self.next_midnight = next_day(&self.window, self.today).timestamp();
        out.push(Command::CalendarRoll { today: self.today });
        let last = add_days(self.today, self.window.days_ahead);
        while self.planned_through < last {
            let day = add_days(self.planned_through, 1);
            self.planned_through = day;
            let fixtures: Vec<Fixture> = self
                .leagues
                .iter()
                .flat_map(|league| self.fixtures(league, day))
                .collect();
            for fixture in fixtures {
                out.push(Command::MatchCreate {
                    league: fixture.league.clone(),
                    home: fixture.home.clone(),
                    away: fixture.away.clone(),
                    kickoff: fixture.kickoff,
                });
                self.pending.push(fixture);
            }
        }
    }

    /// `league`'s fixtures on `day`.
    fn fixtures(&self, league: &League, day: NaiveDate) -> Vec<Fixture> {
        let teams: Vec<&TeamId> = self
            .teams
            .values()
            .filter(|t| t.league == league.id)
            .map(|t| &t.id)
            .collect();
        schedule::day_fixtures(league, &teams, &self.window, day)
    }

    /// Ask for `fixture` before the first step.
    fn ask_for(&mut self, fixture: Fixture) {
        self.opening.push(Command::MatchCreate {
            league: fixture.league.clone(),
            home: fixture.home.clone(),
            away: fixture.away.clone(),
            kickoff: fixture.kickoff,
        });
        self.pending.push(fixture);
    }

    /// The pending fixture `command` asked for, taken out of the pending list.
    fn answered(&mut self, command: &Command) -> Option<Fixture> {
        let Command::MatchCreate {
            league,
            home,
            away,
            kickoff,
        } = command
        else {
            return None;
        };
        let at = self.pending.iter().position(|f| {
            f.league == *league && f.home == *home && f.away == *away && f.kickoff == *kickoff
        })?;
        Some(self.pending.remove(at))
    }

    /// The hub refused `command`. A refused match command means an admin has taken the match
    /// elsewhere (ended it, cancelled it, set its sheet): stop playing it. A refused fixture is
    /// dropped; a refused roll (an admin rolled further) or `stats.set` (the next one sends the
    /// figures again) changes nothing here.
    pub fn rejected(&mut self, command: &Command) {
        let match_id = match command {
            Command::ScoreSet { match_id, .. }
            | Command::IncidentAdd { match_id, .. }
            | Command::LineupSet { match_id, .. }
            | Command::MatchStatus { match_id, .. } => *match_id,
            Command::MatchCreate { .. } => {
                self.answered(command);
                return;
            }
            _ => return,
        };
        self.live.retain(|g| g.id != match_id);
        self.upcoming.retain(|g| g.id != match_id);
    }

    /// The hub created match `id` for `command`; schedule it.
    pub fn created(&mut self, command: &Command, id: MatchId) {
        let Some(fixture) = self.answered(command) else {
            return;
        };
        let Some(sport) = self
            .leagues
            .iter()
            .find(|l| l.id == fixture.league)
            .map(|l| l.sport)
        else {
            return;
        };
        let game = Game::new(
            id,
            sport,
            fixture.league,
            fixture.home,
            fixture.away,
            fixture.kickoff,
        );
        let at = self
            .upcoming
            .partition_point(|g| (g.kickoff, g.id) <= (game.kickoff, game.id));
        self.upcoming.insert(at, game);
    }
}

fn add_days(day: NaiveDate, days: u32) -> NaiveDate {
    day.checked_add_days(Days::new(u64::from(days)))
        .unwrap_or(day)
}

/// When the day after `day` starts.
fn next_day(window: &Window, day: NaiveDate) -> DateTime<Utc> {
    window.start_of(add_days(day, 1))
}
