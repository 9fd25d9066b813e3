//! Field-level checks shared by the business rules: limits on scores, clocks and text, the
//! optimistic-concurrency version check, and the timeline text of period changes.

use chrono::{DateTime, Utc};

use crate::feed::error::CommandError;
use crate::ids::Version;
use crate::model::{Match, MatchStatus, Sport};

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
/// How far from now a kick-off may be, either way (past: a match entered late; future: next
/// season's fixtures). Further is a typo in the year.
pub const MAX_KICKOFF_DAYS: i64 = 2 * 365;
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

/// Stoppage time a football half may add, in minutes (extra time's halves add a third of it).
pub const STOPPAGE_MINUTES: u16 = 15;

/// The last minute an incident of `sport` may carry while the match is in `period`: the end of
/// that period with the most stoppage time it may have (football), or the end of the quarter or
/// overtime (basketball, whose clock stops instead).
pub fn last_minute_of(sport: Sport, period: u8) -> u16 {
    let period = u16::from(period.max(1));
    match sport {
        Sport::Football => match period {
            1 | 2 => 45 * period + STOPPAGE_MINUTES,
            3 | 4 => 90 + 15 * (period - 2) + STOPPAGE_MINUTES / 3,
            _ => 120 + STOPPAGE_MINUTES / 3,
        },
        Sport::Basketball if period <= 4 => 12 * period,
        Sport::Basketball => 48 + 5 * (period - 4),
    }
}

/// Refuse an incident minute the match has not reached: later than both the clock and the end
/// of the period under way (a goal is often logged a minute or two after the clock moved on, or
/// before the editor's clock caught up, but never in a period still to come).
pub(crate) fn check_minute_in_play(m: &Match, minute: u16) -> Result<(), CommandError> {
    let last = last_minute_of(m.sport, m.period).max(m.minute);
    if minute > last {
        return Err(CommandError::Invalid(format!(
            "minute: {minute} is later than match {} can have reached: period {} ends by \
             minute {last} and the clock shows {}",
            m.id, m.period, m.minute
        )));
    }
    Ok(())
}

/// Refuse characters no text may hold: control characters (U+0000 to U+001F and U+007F to
/// U+009F; a `multiline` text may hold `\n` and `\t`), which corrupt terminals, logs and SSE
/// frames, and the bidirectional overrides and isolates (U+202A to U+202E, U+2066 to U+2069),
/// which make text display in another order than it is stored in ("Trojan Source" spoofing).
pub(crate) fn check_chars(field: &str, text: &str, multiline: bool) -> Result<(), CommandError> {
    let bad = text.chars().enumerate().find(|&(_, c)| {
        let control = c.is_control() && !(multiline && (c == '\n' || c == '\t'));
        let bidi = matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
        control || bidi
    });
    match bad {
        None => Ok(()),
        Some((at, c)) => {
            let kind = if c.is_control() {
                "a control character"
            } else {
                "a bidirectional override"
            };
            Err(CommandError::Invalid(format!(
                "{field} holds U+{:04X} ({kind}) at character {}; it is not allowed",
                c as u32,
                at + 1
            )))
        }
    }
}

/// A kick-off within [`MAX_KICKOFF_DAYS`] of `now`.
pub(crate) fn check_kickoff(
    kickoff: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), CommandError> {
    let limit = chrono::Duration::days(MAX_KICKOFF_DAYS);
    if kickoff < now - limit || kickoff > now + limit {
        return Err(CommandError::Invalid(format!(
            "kickoff {} is more than {MAX_KICKOFF_DAYS} days from now",
            kickoff.to_rfc3339()
        )));
    }
    Ok(())
}

pub(crate) fn check_headline(headline: &str) -> Result<String, CommandError> {
    check_chars("headline", headline, false)?;
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
    check_chars("body", body, true)?;
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
            check_chars("tag", t, false)?;
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
    if let Some(text) = text {
        check_chars(field, text, false)?;
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn refused(result: Result<(), CommandError>) -> String {
        let err = result.unwrap_err();
        assert_eq!(err.code(), "invalid");
        err.to_string()
    }

    #[test]
    fn control_and_bidi_characters_are_refused_naming_the_field() {
        assert!(check_chars("headline", "Arsenal 2–1 Chelsea ⚽ «late»", false).is_ok());
        assert!(check_chars("body", "line one\n\tline two", true).is_ok());
        let m = refused(check_chars("headline", "two\nlines", false));
        assert!(
            m.starts_with("headline holds U+000A (a control character) at character 4"),
            "{m}"
        );
        let m = refused(check_chars("body", "bell \u{7}", true));
        assert!(m.starts_with("body holds U+0007"), "{m}");
        assert!(check_chars("body", "carriage\r\nreturn", true).is_err());
        assert!(check_chars("player", "C1 \u{85}", false).is_err());
        for c in ['\u{202A}', '\u{202E}', '\u{2066}', '\u{2069}'] {
            let m = refused(check_chars("player", &format!("Smith{c}"), false));
            assert!(m.contains("a bidirectional override"), "{m}");
            assert!(m.starts_with("player holds"), "{m}");
        }
        assert!(
            check_chars("player", "Smith\u{200F}", false).is_ok(),
            "a plain mark stays"
        );
    }

    #[test]
    fn text_checks_refuse_bad_characters_in_every_field() {
        assert!(check_headline("Late \u{202E}winner").is_err());
        assert!(check_body("ok\n\tbody").is_ok());
        assert!(check_body("nul \u{0}").is_err());
        let m = check_tags(&["ok".into(), "a\u{2067}b".into()])
            .unwrap_err()
            .to_string();
        assert!(m.starts_with("tag holds U+2067"), "{m}");
        let m = check_optional_text("detail", Some("x\u{1b}[31m"))
            .unwrap_err()
            .to_string();
        assert!(m.starts_with("detail holds U+001B"), "{m}");
    }

    #[test]
    fn kick_off_must_be_within_two_years_of_now() {
        let now = Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).unwrap();
        assert!(check_kickoff(now + chrono::Duration::days(700), now).is_ok());
        assert!(check_kickoff(now - chrono::Duration::days(700), now).is_ok());
        let m = refused(check_kickoff(
            Utc.with_ymd_and_hms(2062, 11, 25, 12, 0, 0).unwrap(),
            now,
        ));
        assert!(
            m.contains("kickoff 2062-11-25T12:00:00+00:00 is more than 730 days"),
            "{m}"
        );
        assert!(check_kickoff(Utc.with_ymd_and_hms(1970, 1, 1, 0, 0, 0).unwrap(), now).is_err());
    }
}
