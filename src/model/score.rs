//! Scores: a score line, what a correction adds to it, and [`tally`], the fold that makes a
//! match's score from its timeline.

use serde::{Deserialize, Serialize};

use super::{Incident, Side};

/// A score line. Kept as two named fields so the JSON reads `{"home":2,"away":1}`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Score {
    pub home: u32,
    pub away: u32,
}

impl Score {
    /// The score moved by `adjust`, unless a side would go below 0 (or past `u32`).
    pub fn adjusted(self, adjust: Adjust) -> Option<Score> {
        let side = |now: u32, by: i64| u32::try_from(i64::from(now) + by).ok();
        Some(Score {
            home: side(self.home, adjust.home)?,
            away: side(self.away, adjust.away)?,
        })
    }

    /// What takes this score to `to`.
    pub fn to(self, to: Score) -> Adjust {
        Adjust {
            home: i64::from(to.home) - i64::from(self.home),
            away: i64::from(to.away) - i64::from(self.away),
        }
    }

    /// The score after `side` adds `points`.
    pub fn plus(self, side: Side, points: u32) -> Score {
        match side {
            Side::Home => Score {
                home: self.home + points,
                ..self
            },
            Side::Away => Score {
                away: self.away + points,
                ..self
            },
        }
    }
}

/// What a correction adds to each side's score.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Adjust {
    pub home: i64,
    pub away: i64,
}

impl Adjust {
    /// The adjustment that undoes this one.
    pub fn reversed(self) -> Adjust {
        Adjust {
            home: -self.home,
            away: -self.away,
        }
    }
}

/// The score a timeline adds up to: every incident's [`Incident::contribution`] in turn.
/// `None` when some prefix of it would take a side below 0 (a timeline that cannot be).
///
/// Commands plan their `score` events as the score before plus what they add or take away, so
/// the score a viewer sees is the sum of the incidents it sees; the property tests hold every
/// match to this.
pub fn tally<'a>(incidents: impl IntoIterator<Item = &'a Incident>) -> Option<Score> {
    incidents
        .into_iter()
        .try_fold(Score::default(), |score, i| {
            score.adjusted(i.contribution())
        })
}
