//! The feed's calendar: which day it is, and the live window that bounds the state.
//!
//! The live state (and so every snapshot, the dashboard and `/events`) holds the matches of a few
//! days around the feed's current day, anything still in play, and the newest news items. The day
//! moves forward with `calendar.roll`, sent by the hub on real-clock midnights and by the generator
//! as its simulated clock passes them; the roll's one [`Event::Archived`] takes the matches and
//! news that left the window out of the live state. They stay in the archive
//! (`GET /api/matches?date=`, `GET /api/news?before=`), so nothing is lost, only no longer pushed.
//! A news item past the newest [`Window::news`] is archived as the new one is published, so the
//! state stays bounded between rolls too.

use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// The author of the hub's own rolls (on real-clock midnights), as events show it.
pub const AUTHOR: &str = "calendar";

use crate::feed::error::CommandError;
use crate::feed::event::Event;
use crate::feed::state::{FeedState, Target};
use crate::feed::validate::Planned;
use crate::ids::{MatchId, NewsId};

/// How far a roll may move the feed's day past the later of its current day and the real one:
/// further is a typo in the year (the generator rolls one day at a time).
pub const MAX_ROLL_DAYS: u64 = 31;

/// What the live state keeps (`--timezone`, `--window-back-days`, `--window-ahead-days`,
/// `--live-news`). Part of every snapshot so that clients group matches by the same days.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Window {
    /// The zone whose midnights end the feed's days.
    pub timezone: Tz,
    /// Finished days kept before today.
    pub days_back: u32,
    /// Days ahead whose fixtures are live state (later ones are too when created, until played).
    pub days_ahead: u32,
    /// News items kept live, newest first.
    pub news: usize,
}

impl Default for Window {
    fn default() -> Window {
        Window {
            timezone: Tz::UTC,
            days_back: 1,
            days_ahead: 1,
            news: 50,
        }
    }
}

impl Window {
    /// The day `at` falls on in the window's zone.
    pub fn local_date(&self, at: DateTime<Utc>) -> NaiveDate {
        at.with_timezone(&self.timezone).date_naive()
    }

    /// When `date` begins in the window's zone (the first instant that exists, on a day whose
    /// midnight falls in a daylight-saving gap).
    pub fn start_of(&self, date: NaiveDate) -> DateTime<Utc> {
        let midnight = date.and_time(chrono::NaiveTime::MIN);
        (0..=3)
            .find_map(|hour| {
                let local = midnight + chrono::Duration::hours(hour);
                self.timezone.from_local_datetime(&local).earliest()
            })
            .map_or_else(|| midnight.and_utc(), |t| t.with_timezone(&Utc))
    }

    /// The instants `[start, end)` covering the days `from` to `to`, inclusive.
    pub fn bounds(&self, from: NaiveDate, to: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
        let after = to.checked_add_days(Days::new(1)).unwrap_or(to);
        (self.start_of(from), self.start_of(after))
    }

    /// The first day whose matches stay live when the feed is on `today`.
    pub fn first_day(&self, today: NaiveDate) -> NaiveDate {
        today
            .checked_sub_days(Days::new(u64::from(self.days_back)))
            .unwrap_or(today)
    }
}

/// The feed's day and its window, as the `calendar` object of every snapshot.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Calendar {
    /// The feed's current day; absent until the first roll.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub today: Option<NaiveDate>,
    #[serde(flatten)]
    pub window: Window,
}

impl FeedState {
    /// Plan `calendar.roll`: move the feed's day to `today` and archive what left the window.
    /// A day that is not later than the feed's changes nothing (every node's clock and the
    /// generator may roll to the same day; the first one does it).
    pub(crate) fn plan_roll(
        &self,
        today: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<Planned, CommandError> {
        let nothing = Planned {
            events: Vec::new(),
            target: Target::Nothing,
        };
        let window = self.calendar.window;
        let current = self.calendar.today;
        if current.is_some_and(|day| today <= day) {
            return Ok(nothing);
        }
        let latest = current.map_or(window.local_date(now), |day| {
            day.max(window.local_date(now))
        });
        if latest
            .checked_add_days(Days::new(MAX_ROLL_DAYS))
            .is_some_and(|limit| today > limit)
        {
            return Err(CommandError::Invalid(format!(
                "calendar.roll to {today} is more than {MAX_ROLL_DAYS} days past the feed's day {latest}"
            )));
        }
        let first = window.first_day(today);
        let matches: Vec<MatchId> = self
            .matches()
            .filter(|m| !m.status.is_in_play() && window.local_date(m.kickoff) < first)
            .map(|m| m.id)
            .collect();
        Ok(Planned {
            events: vec![Event::Archived {
                today: Some(today),
                matches,
                news: self.news_past(window.news),
            }],
            target: Target::Nothing,
        })
    }

    /// The news items beyond the newest `keep`, oldest first.
    fn news_past(&self, keep: usize) -> Vec<NewsId> {
        let mut old: Vec<NewsId> = self.news().skip(keep).map(|n| n.id).collect();
        old.reverse();
        old
    }

    /// The event that archives the oldest news once one more item is published, if the live
    /// news would then pass the window's count.
    pub(crate) fn news_overflow(&self) -> Option<Event> {
        let keep = self.calendar.window.news.saturating_sub(1);
        let news = self.news_past(keep);
        (!news.is_empty()).then(|| Event::Archived {
            today: None,
            matches: Vec::new(),
            news,
        })
    }

    /// The later of `now` and the start of the feed's day: the generator's simulated clock runs
    /// ahead of the real one, and what it schedules is checked against the feed's time.
    pub(crate) fn feed_now(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        let calendar = &self.calendar;
        calendar
            .today
            .map_or(now, |day| now.max(calendar.window.start_of(day)))
    }

    /// The feed's calendar: its day and window.
    pub fn calendar(&self) -> &Calendar {
        &self.calendar
    }

    /// Start a new feed's calendar on the day of `now`, keeping `window`.
    pub fn begin_calendar(&mut self, window: Window, now: DateTime<Utc>) {
        self.calendar = Calendar {
            today: Some(window.local_date(now)),
            window,
        };
    }

    /// Use `window` from now on (the configuration wins over what a stored snapshot says).
    pub fn set_window(&mut self, window: Window) {
        self.calendar.window = window;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feed::Command;
    use crate::feed::fixtures::Fixtures;
    use crate::model::MatchStatus;

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn fixtures() -> FeedState {
        Fixtures::embedded().into_state(Utc::now()).unwrap()
    }

    #[test]
    fn local_dates_follow_the_zone() {
        let window = Window {
            timezone: "America/New_York".parse().unwrap(),
            ..Window::default()
        };
        let late = "2026-11-27T03:30:00Z".parse().unwrap();
        assert_eq!(window.local_date(late), date("2026-11-26"));
        let (start, end) = window.bounds(date("2026-11-26"), date("2026-11-26"));
        assert_eq!(start.to_rfc3339(), "2026-11-26T05:00:00+00:00");
        assert_eq!(end.to_rfc3339(), "2026-11-27T05:00:00+00:00");
    }

    #[test]
    fn a_roll_archives_finished_matches_before_the_window_and_keeps_live_ones() {
        let mut state = fixtures();
        let now = Utc::now();
        let today = Window::default().local_date(now);
        let roll = |state: &FeedState, day: NaiveDate| {
            state
                .validate(&Command::CalendarRoll { today: day }, "calendar", now)
                .unwrap()
        };
        for event in roll(&state, today).events {
            state.apply(&event);
        }
        assert_eq!(state.calendar().today, Some(today));
        let ids: Vec<MatchId> = state.matches().map(|m| m.id).collect();
        let (finished, live) = (ids[0], ids[1]);
        for (id, status) in [
            (finished, MatchStatus::Live),
            (finished, MatchStatus::Halftime),
            (finished, MatchStatus::Live),
            (finished, MatchStatus::Final),
            (live, MatchStatus::Live),
        ] {
            let cmd = Command::MatchStatus {
                match_id: id,
                status,
                period: None,
                minute: None,
            };
            for event in state.validate(&cmd, "a", now).unwrap().events {
                state.apply(&event);
            }
        }
        // Tomorrow keeps today's matches (one day back); the day after archives the finished one.
        let tomorrow = today.succ_opt().unwrap();
        let planned = roll(&state, tomorrow);
        assert!(
            matches!(&planned.events[0], Event::Archived { matches, .. } if matches.is_empty())
        );
        state.apply(&planned.events[0]);
        let after = tomorrow.succ_opt().unwrap();
        let planned = roll(&state, after);
        let Event::Archived {
            matches,
            today: rolled_to,
            ..
        } = &planned.events[0]
        else {
            panic!("{planned:?}")
        };
        assert_eq!(*rolled_to, Some(after));
        assert!(matches.contains(&finished), "{matches:?}");
        assert!(!matches.contains(&live), "a live match stays: {matches:?}");
        state.apply(&planned.events[0]);
        assert!(state.game(finished).is_none());
        assert!(state.game(live).is_some());
        // Rolling back, or to the same day, changes nothing.
        assert!(roll(&state, today).events.is_empty());
        assert!(roll(&state, after).events.is_empty());
    }

    #[test]
    fn a_roll_far_past_the_feed_day_is_refused() {
        let state = fixtures();
        let now = Utc::now();
        let far = Window::default()
            .local_date(now)
            .checked_add_days(Days::new(400))
            .unwrap();
        let err = state
            .validate(&Command::CalendarRoll { today: far }, "a", now)
            .unwrap_err();
        assert_eq!(err.code(), "invalid");
        assert!(err.to_string().contains("31 days"), "{err}");
    }

    #[test]
    fn publishing_past_the_news_count_archives_the_oldest() {
        let mut state = fixtures();
        state.set_window(Window {
            news: 3,
            ..Window::default()
        });
        let now = Utc::now();
        let mut archived = Vec::new();
        for i in 0..6 {
            let cmd = Command::NewsPublish {
                headline: format!("story {i}"),
                body: String::new(),
                tags: Vec::new(),
                match_id: None,
                breaking: false,
            };
            for event in state.validate(&cmd, "a", now).unwrap().events {
                if let Event::Archived { news, .. } = &event {
                    archived.extend(news.iter().copied());
                }
                state.apply(&event);
            }
            assert!(state.news().count() <= 3);
        }
        assert_eq!(state.news().count(), 3);
        let kept: Vec<&str> = state.news().map(|n| n.headline.as_str()).collect();
        assert_eq!(kept, ["story 5", "story 4", "story 3"]);
        assert!(!archived.is_empty());
    }
}
