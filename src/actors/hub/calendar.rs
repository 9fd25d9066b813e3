//! The hub's clock for the calendar: on every real-clock midnight (in `--timezone`) it rolls the
//! feed to the new day through the one command path, like any admin or the generator would. When
//! the generator's simulated clock runs ahead, its rolls come first and these change nothing.

use std::time::Duration;

use actix::prelude::*;
use chrono::Utc;

use super::Hub;
use crate::feed::calendar::AUTHOR as CALENDAR_AUTHOR;
use crate::feed::{Command, Window};

/// How often the hub looks at the clock.
pub const CALENDAR_CHECK: Duration = Duration::from_secs(10);

impl Hub {
    /// Keep the live state to `window` (the configuration wins over what a snapshot says).
    pub fn window(mut self, window: Window) -> Hub {
        self.window = window;
        self.state.set_window(window);
        self
    }

    /// Roll the feed to the real clock's day, if it is behind it.
    pub(super) fn roll_calendar(&mut self) {
        let today = self.window.local_date(Utc::now());
        if self.state.calendar().today.is_some_and(|day| day >= today) {
            return;
        }
        tracing::info!(%today, "the feed's day begins");
        // The outcome reaches viewers as the `archived` event; a refusal (a store that does not
        // answer) is tried again at the next check.
        drop(self.execute(Command::CalendarRoll { today }, CALENDAR_AUTHOR, None));
        self.flush();
    }
}

/// Started: roll at once (a server started after midnight) and then at every check.
pub(super) fn start(ctx: &mut Context<Hub>) {
    ctx.run_later(Duration::ZERO, |hub, _| hub.roll_calendar());
    ctx.run_interval(CALENDAR_CHECK, |hub, _| hub.roll_calendar());
}
