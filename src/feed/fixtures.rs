//! Fixtures: the leagues, teams, matches and news a fresh feed starts from, and the leagues'
//! cadence (when each plays its rounds) that the generator's calendar follows.
//!
//! The shipped data set is compiled into the binary (so it runs from any directory); `--fixtures
//! DIR` loads the same four files from disk instead. A broken file stops start-up with an error
//! that names the file, the line and what is wrong.

use std::collections::HashSet;
use std::fmt;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::feed::checks::check_chars;
use crate::feed::state::FeedState;
use crate::ids::{LeagueId, MatchId, NewsId, TeamId, Version};
use crate::model::{League, Match, News, Team};

/// The four fixture files, in the order they are read.
pub const FILES: [&str; 4] = ["leagues.json", "teams.json", "matches.json", "news.json"];

const EMBEDDED: [&str; 4] = [
    include_str!("../../fixtures/leagues.json"),
    include_str!("../../fixtures/teams.json"),
    include_str!("../../fixtures/matches.json"),
    include_str!("../../fixtures/news.json"),
];

/// A fixture file that could not be read or makes no sense.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct FixtureError {
    pub file: PathBuf,
    /// 1-based line of the problem, when it can be pinned down.
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for FixtureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "fixture file {}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ", line {line}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// A match as written in `matches.json`: kick-off is a time of day, placed on the current date.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MatchEntry {
    id: MatchId,
    league: LeagueId,
    home: TeamId,
    away: TeamId,
    kickoff: String,
}

/// A news item as written in `news.json`: its age instead of a timestamp, so the data stays fresh.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewsEntry {
    id: NewsId,
    headline: String,
    body: String,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    match_id: Option<MatchId>,
    author: String,
    minutes_ago: i64,
}

/// The raw text of the four files and where it came from.
pub struct Fixtures {
    dir: PathBuf,
    texts: [String; 4],
}

impl Fixtures {
    /// The data set compiled into the binary.
    pub fn embedded() -> Fixtures {
        Fixtures {
            dir: PathBuf::from("fixtures"),
            texts: EMBEDDED.map(str::to_owned),
        }
    }

    /// The four files from `dir`.
    pub fn from_dir(dir: &Path) -> Result<Fixtures, FixtureError> {
        let mut texts: [String; 4] = Default::default();
        for (text, name) in texts.iter_mut().zip(FILES) {
            let file = dir.join(name);
            *text = std::fs::read_to_string(&file).map_err(|e| FixtureError {
                file: file.clone(),
                line: None,
                message: format!("cannot read it: {e}"),
            })?;
        }
        Ok(Fixtures {
            dir: dir.to_owned(),
            texts,
        })
    }

    /// Parse and cross-check the files into a starting state; match kick-offs land on the date of
    /// `now`, news ages count back from `now`.
    pub fn into_state(self, now: DateTime<Utc>) -> Result<FeedState, FixtureError> {
        let leagues: Vec<League> = self.parse(0)?;
        let teams: Vec<Team> = self.parse(1)?;
        let match_entries: Vec<MatchEntry> = self.parse(2)?;
        let news_entries: Vec<NewsEntry> = self.parse(3)?;

        let mut league_ids = HashSet::new();
        for (i, league) in leagues.iter().enumerate() {
            let ok_id = !league.id.as_str().is_empty()
                && league
                    .id
                    .as_str()
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
            if !ok_id {
                return Err(self.at(
                    0,
                    i,
                    format!(
                        "league id `{}` must be lowercase letters and digits",
                        league.id
                    ),
                ));
            }
            if !league_ids.insert(&league.id) {
                return Err(self.at(0, i, format!("league `{}` is listed twice", league.id)));
            }
        }
        let mut team_ids = HashSet::new();
        for (i, team) in teams.iter().enumerate() {
            if !team_ids.insert(&team.id) {
                return Err(self.at(1, i, format!("team `{}` is listed twice", team.id)));
            }
            if !league_ids.contains(&team.league) {
                return Err(self.at(
                    1,
                    i,
                    format!("team `{}` names unknown league `{}`", team.id, team.league),
                ));
            }
            if team.squad.is_empty() {
                return Err(self.at(1, i, format!("team `{}` has an empty squad", team.id)));
            }
            // Names reach every viewer as they are: the same characters are refused as in
            // admin commands.
            let names = [&team.name, &team.short_name, &team.city]
                .into_iter()
                .chain(team.squad.iter().map(|p| &p.name));
            for name in names {
                check_chars(&format!("team `{}`: name", team.id), name, false)
                    .map_err(|e| self.at(1, i, e.to_string()))?;
            }
        }

        for (i, league) in leagues.iter().enumerate() {
            let teams = teams.iter().filter(|t| t.league == league.id).count();
            check_cadence(league, teams).map_err(|e| self.at(0, i, e))?;
        }

        let today = now.date_naive();
        let mut matches = Vec::with_capacity(match_entries.len());
        let mut match_ids = HashSet::new();
        for (i, entry) in match_entries.into_iter().enumerate() {
            let bad = |message: String| self.at(2, i, message);
            if !match_ids.insert(entry.id) {
                return Err(bad(format!("match {} is listed twice", entry.id)));
            }
            let league = leagues
                .iter()
                .find(|l| l.id == entry.league)
                .ok_or_else(|| {
                    bad(format!(
                        "match {} names unknown league `{}`",
                        entry.id, entry.league
                    ))
                })?;
            for side in [&entry.home, &entry.away] {
                let team = teams.iter().find(|t| t.id == *side).ok_or_else(|| {
                    bad(format!("match {} names unknown team `{side}`", entry.id))
                })?;
                if team.league != entry.league {
                    return Err(bad(format!(
                        "match {}: team `{side}` plays in `{}`, not `{}`",
                        entry.id, team.league, entry.league
                    )));
                }
            }
            if entry.home == entry.away {
                return Err(bad(format!(
                    "match {}: a team cannot play itself",
                    entry.id
                )));
            }
            let kickoff = kickoff_on(today, &entry.kickoff).ok_or_else(|| {
                bad(format!(
                    "match {}: kickoff `{}` is not a time of day like 19:45",
                    entry.id, entry.kickoff
                ))
            })?;
            matches.push(Match::scheduled(
                entry.id,
                entry.league,
                league.sport,
                entry.home,
                entry.away,
                kickoff,
            ));
        }

        let mut news = Vec::with_capacity(news_entries.len());
        let mut news_ids = HashSet::new();
        for (i, entry) in news_entries.into_iter().enumerate() {
            let bad = |message: String| self.at(3, i, message);
            if !news_ids.insert(entry.id) {
                return Err(bad(format!("news item {} is listed twice", entry.id)));
            }
            if entry.headline.trim().is_empty() {
                return Err(bad(format!("news item {} has an empty headline", entry.id)));
            }
            let texts = [
                ("headline", &entry.headline, false),
                ("body", &entry.body, true),
            ]
            .into_iter()
            .chain(entry.tags.iter().map(|t| ("tag", t, false)));
            for (field, text, multiline) in texts {
                check_chars(&format!("news item {}: {field}", entry.id), text, multiline)
                    .map_err(|e| bad(e.to_string()))?;
            }
            if let Some(m) = entry.match_id
                && !match_ids.contains(&m)
            {
                return Err(bad(format!(
                    "news item {} names unknown match {m}",
                    entry.id
                )));
            }
            if !(0..=7 * 24 * 60).contains(&entry.minutes_ago) {
                return Err(bad(format!(
                    "news item {}: minutes_ago must be between 0 and 10080, got {}",
                    entry.id, entry.minutes_ago
                )));
            }
            // The news cursor pages by id, newest first, so ids must follow publication.
            let published = now - Duration::minutes(entry.minutes_ago);
            if let Some(other) = news.iter().find(|n: &&News| {
                (n.id < entry.id && n.published_at > published)
                    || (n.id > entry.id && n.published_at < published)
            }) {
                return Err(bad(format!(
                    "news items {} and {} are out of order: ids must follow publication (a higher id is never older)",
                    entry.id.min(other.id),
                    entry.id.max(other.id)
                )));
            }
            news.push(News {
                id: entry.id,
                headline: entry.headline,
                body: entry.body,
                tags: entry.tags,
                match_id: entry.match_id,
                author: entry.author,
                published_at: published,
                updated_at: published,
                version: Version(1),
                breaking: false,
            });
        }
        Ok(FeedState::new(leagues, teams, matches, news))
    }

    fn file(&self, index: usize) -> PathBuf {
        self.dir.join(FILES[index])
    }

    fn parse<T: DeserializeOwned>(&self, index: usize) -> Result<T, FixtureError> {
        serde_json::from_str(&self.texts[index]).map_err(|e| FixtureError {
            file: self.file(index),
            line: Some(e.line()).filter(|&l| l > 0),
            message: e
                .to_string()
                .split(" at line ")
                .next()
                .unwrap_or_default()
                .to_owned(),
        })
    }

    /// An error about entry `entry` (0-based) of file `index`, located at the line it starts on.
    fn at(&self, index: usize, entry: usize, message: String) -> FixtureError {
        FixtureError {
            file: self.file(index),
            line: entry_line(&self.texts[index], entry),
            message,
        }
    }
}

/// A league's rounds must fit its teams (one match per slot, each team at most once a round) and
/// keep to their own weekdays (so that no team plays twice in a day).
fn check_cadence(league: &League, teams: usize) -> Result<(), String> {
    let mut days = HashSet::new();
    for (r, round) in league.cadence.iter().enumerate() {
        let name = format!("league `{}`, round {}", league.id, r + 1);
        if round.slots.is_empty() || round.every_weeks == 0 {
            return Err(format!("{name}: needs slots and every_weeks of 1 or more"));
        }
        if round.slots.len() > teams / 2 {
            return Err(format!(
                "{name}: {} slots, but {teams} teams make at most {} matches a round",
                round.slots.len(),
                teams / 2
            ));
        }
        let round_days: HashSet<_> = round.slots.iter().map(|s| s.weekday).collect();
        if let Some(day) = round_days.iter().find(|d| days.contains(*d)) {
            return Err(format!("{name}: another round already plays on {day}"));
        }
        days.extend(round_days);
    }
    Ok(())
}

/// `HH:MM` on `day`, in UTC.
fn kickoff_on(day: NaiveDate, time: &str) -> Option<DateTime<Utc>> {
    let t = NaiveTime::parse_from_str(time, "%H:%M").ok()?;
    Some(day.and_time(t).and_utc())
}

/// The 1-based line on which the `entry`-th object of a top-level JSON array starts.
fn entry_line(text: &str, entry: usize) -> Option<usize> {
    let (mut depth, mut in_string, mut escaped, mut seen, mut line) = (0usize, false, false, 0, 1);
    for c in text.chars() {
        if c == '\n' {
            line += 1;
        }
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '{' | '[' => {
                depth += 1;
                if depth == 2 && c == '{' {
                    if seen == entry {
                        return Some(line);
                    }
                    seen += 1;
                }
            }
            '}' | ']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
#[path = "fixtures_tests.rs"]
mod tests;
