//! Field-level checks shared by the business rules: limits on scores, clocks and text, the
//! optimistic-concurrency version check, and the timeline text of period changes.

use crate::feed::error::CommandError;
use crate::ids::Version;
use crate::model::{MatchStatus, Sport};

/// Highest score either side may have (basketball reaches the 150s; anything past this is a typo).
pub const MAX_SCORE: i64 = 999;
/// Highest minute a match clock may show (extra time included).
pub const MAX_MINUTE: u16 = 200;
/// Highest period (basketball overtimes included).
pub const MAX_PERIOD: u8 = 10;
pub const MAX_HEADLINE_CHARS: usize = 200;
pub const MAX_BODY_CHARS: usize = 10_000;
pub const MAX_TAGS: usize = 10;
pub const MAX_TAG_CHARS: usize = 40;
pub const MAX_NAME_CHARS: usize = 80;
/// Generator speed bounds, in simulated seconds per real second.
pub const SPEED_RANGE: std::ops::RangeInclusive<f64> = 0.1..=3600.0;

pub(crate) fn sport_name(sport: Sport) -> &'static str {
    match sport {
        Sport::Football => "football",
        Sport::Basketball => "basketball",
    }
}

/// The timeline text for a status change that starts or ends a period.
pub(crate) fn period_marker(
    sport: Sport,
    from: MatchStatus,
    to: MatchStatus,
    period: u8,
) -> Option<String> {
    use MatchStatus::*;
    let regulation = sport.periods();
    let text = match (sport, from, to) {
        (Sport::Football, Scheduled, Live) => "Kick-off".to_owned(),
        (Sport::Basketball, Scheduled, Live) => "Tip-off".to_owned(),
        (_, _, Halftime) => "Half-time".to_owned(),
        (Sport::Football, Halftime, Live) if period <= regulation => "Second half".to_owned(),
        (_, Halftime | Break, Live) if period > regulation => {
            format!("Overtime {}", period - regulation)
        }
        (Sport::Basketball, Halftime | Break, Live) => format!("Start of Q{period}"),
        (_, _, Break) => format!("End of Q{period}"),
        (_, _, Final) => "Full-time".to_owned(),
        (_, _, Cancelled) => "Abandoned".to_owned(),
        _ => return None,
    };
    Some(text)
}

pub(crate) fn check_version(
    what: &str,
    id: u32,
    current: Version,
    expected: Option<Version>,
) -> Result<(), CommandError> {
    match expected {
        Some(v) if v != current => Err(CommandError::Conflict {
            message: format!("{what} {id} is at version {current}, not {v}"),
            current_version: current,
        }),
        _ => Ok(()),
    }
}

pub(crate) fn check_minute(minute: u16) -> Result<(), CommandError> {
    if minute > MAX_MINUTE {
        return Err(CommandError::Invalid(format!(
            "minute must be at most {MAX_MINUTE}, got {minute}"
        )));
    }
    Ok(())
}

pub(crate) fn check_headline(headline: &str) -> Result<String, CommandError> {
    let h = headline.trim();
    if h.is_empty() {
        return Err(CommandError::Invalid("headline must not be empty".into()));
    }
    let chars = h.chars().count();
    if chars > MAX_HEADLINE_CHARS {
        return Err(CommandError::Invalid(format!(
            "headline is {chars} characters; at most {MAX_HEADLINE_CHARS} are allowed"
        )));
    }
    Ok(h.to_owned())
}

pub(crate) fn check_body(body: &str) -> Result<String, CommandError> {
    let chars = body.chars().count();
    if chars > MAX_BODY_CHARS {
        return Err(CommandError::Invalid(format!(
            "body is {chars} characters; at most {MAX_BODY_CHARS} are allowed"
        )));
    }
    Ok(body.trim().to_owned())
}

pub(crate) fn check_tags(tags: &[String]) -> Result<Vec<String>, CommandError> {
    if tags.len() > MAX_TAGS {
        return Err(CommandError::Invalid(format!(
            "{} tags given; at most {MAX_TAGS} are allowed",
            tags.len()
        )));
    }
    tags.iter()
        .map(|t| {
            let t = t.trim().to_lowercase();
            let ok = !t.is_empty()
                && t.chars().count() <= MAX_TAG_CHARS
                && t.chars()
                    .all(|c| c.is_alphanumeric() || c == '-' || c == '_');
            if ok {
                Ok(t)
            } else {
                Err(CommandError::Invalid(format!(
                    "tag `{t}` must be 1 to {MAX_TAG_CHARS} letters, digits, '-' or '_'"
                )))
            }
        })
        .collect()
}

pub(crate) fn check_optional_text(
    field: &str,
    text: Option<&str>,
) -> Result<Option<String>, CommandError> {
    let Some(t) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let chars = t.chars().count();
    if chars > MAX_NAME_CHARS {
        return Err(CommandError::Invalid(format!(
            "{field} is {chars} characters; at most {MAX_NAME_CHARS} are allowed"
        )));
    }
    Ok(Some(t.to_owned()))
}
