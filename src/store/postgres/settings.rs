//! The settings every node of a cluster must share, recorded in the database.
//!
//! Each node's hub keeps the live window itself (`--timezone`, `--window-back-days`,
//! `--window-ahead-days`, `--live-news`): which day a match is on, when the window rolls, which
//! news leave it. Two nodes with different windows would serve different calendars at the same
//! seq, and a roll written through one would rewrite the other's news. So the first node to start
//! on a database records its window in `livescore_settings`, and every node after it must have
//! the same, or it is refused at start-up with the setting, its value and the recorded one.

use crate::feed::Window;
use crate::store::postgres::{PgError, PgLog, writer_of};

/// A setting this node has (its flag without `--`, and its value as the flag would take it) that
/// the database recorded otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Differs {
    pub flag: &'static str,
    pub here: String,
    pub recorded: String,
}

impl std::fmt::Display for Differs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "--{} is {} on this node but {} in the database",
            self.flag, self.here, self.recorded
        )
    }
}

/// The shared settings of a live window, as `(flag, value)` pairs.
pub fn of_window(window: &Window) -> Vec<(&'static str, String)> {
    vec![
        ("timezone", window.timezone.name().to_owned()),
        ("window-back-days", window.days_back.to_string()),
        ("window-ahead-days", window.days_ahead.to_string()),
        ("live-news", window.news.to_string()),
    ]
}

impl PgLog {
    /// Record each of `settings` the database holds no value for yet, then compare: any recorded
    /// with another value refuses this node ([`PgError::SettingsDiffer`], naming every one).
    /// Nodes starting together agree: the first to insert a setting wins, the others compare
    /// against it.
    pub async fn agree_on(&self, settings: &[(&'static str, String)]) -> Result<(), PgError> {
        let target = self.target.clone();
        let fail = |doing: &'static str| {
            let target = target.clone();
            move |source| PgError::Query {
                target,
                doing,
                source,
            }
        };
        let mut guard = self.writer.lock().await;
        let writer = writer_of(&mut guard, &self.config, &self.target).await?;
        let tx = writer
            .transaction()
            .await
            .map_err(fail("begin recording the shared settings"))?;
        let mut differ = Vec::new();
        for (flag, here) in settings {
            tx.execute(
                "INSERT INTO livescore_settings (name, value) VALUES ($1, $2)
                 ON CONFLICT (name) DO NOTHING",
                &[flag, here],
            )
            .await
            .map_err(fail("record a shared setting"))?;
            let recorded: String = tx
                .query_one(
                    "SELECT value FROM livescore_settings WHERE name = $1",
                    &[flag],
                )
                .await
                .map_err(fail("read a shared setting"))?
                .get(0);
            if recorded != *here {
                differ.push(Differs {
                    flag,
                    here: here.clone(),
                    recorded,
                });
            }
        }
        tx.commit()
            .await
            .map_err(fail("commit the shared settings"))?;
        if differ.is_empty() {
            Ok(())
        } else {
            Err(PgError::SettingsDiffer {
                target: self.target.clone(),
                differ,
            })
        }
    }
}

/// The differences, one after the other.
pub(super) fn list(differ: &[Differs]) -> String {
    differ
        .iter()
        .map(Differs::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_is_shared_as_the_flags_would_take_it() {
        let window = Window {
            timezone: chrono_tz::Europe::London,
            days_back: 2,
            days_ahead: 3,
            news: 40,
        };
        assert_eq!(
            of_window(&window),
            [
                ("timezone", "Europe/London".to_owned()),
                ("window-back-days", "2".to_owned()),
                ("window-ahead-days", "3".to_owned()),
                ("live-news", "40".to_owned()),
            ]
        );
        let differs = Differs {
            flag: "timezone",
            here: "Europe/London".into(),
            recorded: "UTC".into(),
        };
        assert_eq!(
            differs.to_string(),
            "--timezone is Europe/London on this node but UTC in the database"
        );
    }
}
