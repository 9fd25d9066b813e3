//! `FeedState`: everything a viewer can see, as plain data, and the pure `apply` that moves it
//! forward one event at a time.
//!
//! The hub owns the only live instance. Replaying the logged events over an earlier snapshot with
//! [`FeedState::apply`] must give the live state exactly; the tests and the property test hold us
//! to that. Deciding *whether* a change may happen is [`FeedState::validate`], in `validate.rs`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::feed::calendar::Calendar;
use crate::feed::event::Event;
use crate::feed::season::Season;
use crate::ids::{IncidentId, LeagueId, MatchId, NewsId, TeamId, Version};
use crate::model::{League, Lineup, Match, MatchStats, MatchStatus, News, SideStats, Team};

/// The next free identifiers. Part of the state (and of every snapshot) so that ids of retracted
/// news are never reused and a replayed state hands out the same ids as the live one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NextIds {
    pub match_id: u32,
    pub news_id: u32,
    pub incident_id: u32,
}

/// Leagues, teams, matches and news. Serializes as the `snapshot` payload, with each collection
/// as a JSON array (easier for browsers than objects keyed by id).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FeedState {
    #[serde(with = "as_list")]
    pub(crate) leagues: BTreeMap<LeagueId, League>,
    #[serde(with = "as_list")]
    pub(crate) teams: BTreeMap<TeamId, Team>,
    #[serde(with = "as_list")]
    pub(crate) matches: BTreeMap<MatchId, Match>,
    #[serde(with = "as_list")]
    pub(crate) news: BTreeMap<NewsId, News>,
    pub(crate) next_ids: NextIds,
    /// The feed's day and live window; older snapshots without one start with the defaults.
    #[serde(default)]
    pub(crate) calendar: Calendar,
    /// The archived results the tables still count; in stored snapshots, never in viewers'
    /// (see [`FeedState::for_viewers`]).
    #[serde(default, skip_serializing_if = "Season::is_empty")]
    pub(crate) season: Season,
}

/// What a command changed, so the hub can report its new version in the `ack`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Nothing,
    Match(MatchId),
    News(NewsId),
}

impl FeedState {
    /// A state from already-checked parts (see [`crate::feed::fixtures`]); the next ids start
    /// after the largest ids present.
    pub fn new(
        leagues: Vec<League>,
        teams: Vec<Team>,
        matches: Vec<Match>,
        news: Vec<News>,
    ) -> Self {
        let next_ids = NextIds {
            match_id: matches.iter().map(|m| m.id.0 + 1).max().unwrap_or(1),
            news_id: news.iter().map(|n| n.id.0 + 1).max().unwrap_or(1),
            incident_id: matches
                .iter()
                .flat_map(|m| &m.incidents)
                .map(|i| i.id.0 + 1)
                .max()
                .unwrap_or(1),
        };
        FeedState {
            leagues: leagues.into_iter().map(|l| (l.id.clone(), l)).collect(),
            teams: teams.into_iter().map(|t| (t.id.clone(), t)).collect(),
            matches: matches.into_iter().map(|m| (m.id, m)).collect(),
            news: news.into_iter().map(|n| (n.id, n)).collect(),
            next_ids,
            calendar: Calendar::default(),
            season: Season::default(),
        }
    }

    pub fn leagues(&self) -> impl Iterator<Item = &League> {
        self.leagues.values()
    }

    pub fn league(&self, id: &LeagueId) -> Option<&League> {
        self.leagues.get(id)
    }

    pub fn teams(&self) -> impl Iterator<Item = &Team> {
        self.teams.values()
    }

    pub fn team(&self, id: &TeamId) -> Option<&Team> {
        self.teams.get(id)
    }

    pub fn matches(&self) -> impl Iterator<Item = &Match> {
        self.matches.values()
    }

    pub fn game(&self, id: MatchId) -> Option<&Match> {
        self.matches.get(&id)
    }

    /// News, newest first (by publication time, then id).
    pub fn news(&self) -> impl Iterator<Item = &News> {
        let mut items: Vec<&News> = self.news.values().collect();
        items.sort_by_key(|n| std::cmp::Reverse((n.published_at, n.id)));
        items.into_iter()
    }

    pub fn news_item(&self, id: NewsId) -> Option<&News> {
        self.news.get(&id)
    }

    pub fn next_ids(&self) -> NextIds {
        self.next_ids
    }

    /// The current version of what a command targeted: none when it targeted nothing or the
    /// item is gone (a retracted news item).
    pub fn version_of(&self, target: Target) -> Option<Version> {
        match target {
            Target::Nothing => None,
            Target::Match(id) => self.game(id).map(|m| m.version),
            Target::News(id) => self.news_item(id).map(|n| n.version),
        }
    }

    /// Take the reference data of `fixtures`: its teams' squads and its leagues' cadences (left
    /// out of snapshots, so a state loaded from a snapshot gets them back from the fixtures).
    pub fn adopt_squads(&mut self, fixtures: &FeedState) {
        for (id, team) in &mut self.teams {
            if let Some(source) = fixtures.teams.get(id) {
                team.squad = source.squad.clone();
            }
        }
        for (id, league) in &mut self.leagues {
            if let Some(source) = fixtures.leagues.get(id) {
                league.cadence = source.cadence.clone();
                league.tiebreaks = source.tiebreaks.clone();
            }
        }
    }

    /// Keep only the matches and news a viewer asked for; leagues and teams always stay, since
    /// they are needed to render anything at all.
    pub fn retain(
        &mut self,
        keep_match: impl Fn(&Match) -> bool,
        keep_news: impl Fn(&News) -> bool,
    ) {
        self.matches.retain(|_, m| keep_match(m));
        self.news.retain(|_, n| keep_news(n));
    }

    /// Move the state forward by one event.
    ///
    /// Events come from [`FeedState::validate`] (live) or from the log (replay), so they are known
    /// to be legal; an event about something missing is ignored rather than trusted to panic.
    pub fn apply(&mut self, event: &Event) {
        match event {
            Event::Score {
                match_id,
                home,
                away,
                version,
            } => {
                if let Some(m) = self.matches.get_mut(match_id) {
                    m.score.home = *home;
                    m.score.away = *away;
                    m.version = *version;
                }
            }
            Event::Status {
                match_id,
                status,
                period,
                minute,
                version,
            } => {
                if let Some(m) = self.matches.get_mut(match_id) {
                    m.status = *status;
                    m.period = *period;
                    m.minute = *minute;
                    m.version = *version;
                }
            }
            Event::Incident {
                match_id,
                incident,
                version,
            } => {
                if let Some(m) = self.matches.get_mut(match_id) {
                    self.next_ids.incident_id = self.next_ids.incident_id.max(incident.id.0 + 1);
                    m.incidents.push(incident.clone());
                    m.version = *version;
                }
            }
            Event::IncidentRemoved {
                match_id,
                incident_id,
                version,
            } => {
                if let Some(m) = self.matches.get_mut(match_id) {
                    m.incidents.retain(|i| i.id != *incident_id);
                    m.version = *version;
                }
            }
            Event::IncidentAmended {
                match_id,
                incident,
                version,
            } => {
                if let Some(m) = self.matches.get_mut(match_id) {
                    if let Some(old) = m.incidents.iter_mut().find(|i| i.id == incident.id) {
                        *old = incident.clone();
                    }
                    m.version = *version;
                }
            }
            Event::Lineup {
                match_id,
                team,
                starting,
                bench,
                version,
            } => {
                if let Some(m) = self.matches.get_mut(match_id) {
                    let lineup = Lineup {
                        starting: starting.clone(),
                        bench: bench.clone(),
                    };
                    m.lineups.set(*team, lineup);
                    m.version = *version;
                }
            }
            Event::Stats {
                match_id,
                home,
                away,
                version,
            } => {
                if let Some(m) = self.matches.get_mut(match_id) {
                    m.stats = Some(Box::new(MatchStats {
                        home: SideStats::clone(home),
                        away: SideStats::clone(away),
                    }));
                    m.version = *version;
                }
            }
            Event::Match { game } => {
                self.next_ids.match_id = self.next_ids.match_id.max(game.id.0 + 1);
                self.matches.insert(game.id, game.clone());
            }
            Event::News { news } => {
                self.next_ids.news_id = self.next_ids.news_id.max(news.id.0 + 1);
                self.news.insert(news.id, news.clone());
            }
            Event::NewsRetracted { news_id } => {
                self.news.remove(news_id);
            }
            Event::Archived {
                today,
                matches,
                news,
            } => {
                if today.is_some() {
                    self.calendar.today = self.calendar.today.max(*today);
                }
                for id in matches {
                    if let Some(m) = self.matches.remove(id)
                        && m.status == MatchStatus::Final
                    {
                        self.season.record(&m);
                    }
                }
                for id in news {
                    self.news.remove(id);
                }
            }
        }
    }

    pub(crate) fn next_incident_id(&self) -> IncidentId {
        IncidentId(self.next_ids.incident_id)
    }

    /// The state as viewers' snapshots carry it: everything but the season record, which only
    /// the tables read (and which would double a snapshot's size).
    pub fn for_viewers(&self) -> ForViewers<'_> {
        ForViewers(self)
    }
}

/// See [`FeedState::for_viewers`].
pub struct ForViewers<'a>(&'a FeedState);

impl Serialize for ForViewers<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        struct Values<'a, K, V>(&'a BTreeMap<K, V>);
        impl<K, V: Serialize> Serialize for Values<'_, K, V> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_seq(self.0.values())
            }
        }
        let state = self.0;
        let mut out = s.serialize_struct("FeedState", 6)?;
        out.serialize_field("leagues", &Values(&state.leagues))?;
        out.serialize_field("teams", &Values(&state.teams))?;
        out.serialize_field("matches", &Values(&state.matches))?;
        out.serialize_field("news", &Values(&state.news))?;
        out.serialize_field("next_ids", &state.next_ids)?;
        out.serialize_field("calendar", &state.calendar)?;
        out.end()
    }
}

/// Serde adapter: a `BTreeMap<K, V>` travels as a JSON array of its values, and is rebuilt keyed
/// by each value's own id.
mod as_list {
    use std::collections::BTreeMap;

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use crate::ids::{LeagueId, MatchId, NewsId, TeamId};
    use crate::model::{League, Match, News, Team};

    pub trait Keyed {
        type Key: Ord;
        fn key(&self) -> Self::Key;
    }

    impl Keyed for League {
        type Key = LeagueId;
        fn key(&self) -> LeagueId {
            self.id.clone()
        }
    }

    impl Keyed for Team {
        type Key = TeamId;
        fn key(&self) -> TeamId {
            self.id.clone()
        }
    }

    impl Keyed for Match {
        type Key = MatchId;
        fn key(&self) -> MatchId {
            self.id
        }
    }

    impl Keyed for News {
        type Key = NewsId;
        fn key(&self) -> NewsId {
            self.id
        }
    }

    pub fn serialize<S, V>(map: &BTreeMap<V::Key, V>, s: S) -> Result<S::Ok, S::Error>
    where
        S: Serializer,
        V: Keyed + Serialize,
    {
        s.collect_seq(map.values())
    }

    pub fn deserialize<'de, D, V>(d: D) -> Result<BTreeMap<V::Key, V>, D::Error>
    where
        D: Deserializer<'de>,
        V: Keyed + Deserialize<'de>,
    {
        let items = Vec::<V>::deserialize(d)?;
        Ok(items.into_iter().map(|v| (v.key(), v)).collect())
    }
}
