//! Unit tests of the fixture loader.

use super::*;

#[test]
fn entry_lines_point_at_the_start_of_each_object() {
    let text = "[\n  {\"a\": \"{\"},\n  {\n    \"b\": [1]\n  }\n]";
    assert_eq!(entry_line(text, 0), Some(2));
    assert_eq!(entry_line(text, 1), Some(3));
    assert_eq!(entry_line(text, 2), None);
}

#[test]
fn the_shipped_fixtures_pass_and_hidden_characters_in_names_are_refused() {
    assert!(Fixtures::embedded().into_state(Utc::now()).is_ok());
    let mut fixtures = Fixtures::embedded();
    fixtures.texts[1] = fixtures.texts[1].replacen("\"name\": \"", "\"name\": \"\\u202e", 1);
    let err = fixtures.into_state(Utc::now()).unwrap_err().to_string();
    assert!(
        err.contains("teams.json") && err.contains("holds U+202E"),
        "{err}"
    );
}

#[test]
fn a_cadence_that_does_not_fit_the_league_is_refused_with_its_line() {
    let mut fixtures = Fixtures::embedded();
    fixtures.texts[0] = fixtures.texts[0].replacen(
        "\"slots\": [\"fri 20:00\"",
        "\"slots\": [\"fri 18:00\", \"fri 20:00\"",
        1,
    );
    let err = fixtures.into_state(Utc::now()).unwrap_err().to_string();
    assert!(
        err.contains("leagues.json, line ") && err.contains("4 slots, but 6 teams"),
        "{err}"
    );
    let mut fixtures = Fixtures::embedded();
    fixtures.texts[0] = fixtures.texts[0].replacen("sat 12:30", "sat 25:30", 1);
    let err = fixtures.into_state(Utc::now()).unwrap_err().to_string();
    assert!(err.contains("slot `sat 25:30`"), "{err}");
}

#[test]
fn kickoff_times_must_be_times_of_day() {
    let day = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
    assert!(kickoff_on(day, "19:45").is_some());
    assert!(kickoff_on(day, "25:00").is_none());
    assert!(kickoff_on(day, "7pm").is_none());
}
