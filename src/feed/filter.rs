//! Viewer filters (`matches=`, `leagues=`, `types=`) and the scope of an event they are matched
//! against.
//!
//! The hub computes an event's [`Scope`] once; the broadcaster then matches it against every
//! viewer's [`Filter`] without looking at the event's JSON.

use std::collections::HashSet;

use crate::feed::event::{Event, EventKind};
use crate::feed::state::FeedState;
use crate::ids::{LeagueId, MatchId};
use crate::model::{Match, News};

/// What an event is about, for filtering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub kind: EventKind,
    pub match_id: Option<MatchId>,
    /// The match's league, or for news its league tags plus its match's league.
    pub leagues: Vec<LeagueId>,
}

impl Scope {
    /// The scope of `event`, computed against the state *before* the event is applied (a retracted
    /// news item is still there to be looked at).
    pub fn of(event: &Event, state: &FeedState) -> Scope {
        let league_of = |id: MatchId| state.game(id).map(|m| m.league.clone());
        let leagues = match event {
            Event::Score { match_id, .. }
            | Event::Status { match_id, .. }
            | Event::Incident { match_id, .. }
            | Event::IncidentRemoved { match_id, .. }
            | Event::IncidentAmended { match_id, .. }
            | Event::Lineup { match_id, .. }
            | Event::Stats { match_id, .. } => league_of(*match_id).into_iter().collect(),
            Event::Match { game } => vec![game.league.clone()],
            Event::News { news } => news_leagues(news, state),
            Event::NewsRetracted { news_id } => state
                .news_item(*news_id)
                .map(|n| news_leagues(n, state))
                .unwrap_or_default(),
            Event::Archived { .. } => Vec::new(),
        };
        let match_id = match event {
            Event::NewsRetracted { news_id } => state.news_item(*news_id).and_then(|n| n.match_id),
            other => other.match_id(),
        };
        Scope {
            kind: event.kind(),
            match_id,
            leagues,
        }
    }
}

fn news_leagues(news: &News, state: &FeedState) -> Vec<LeagueId> {
    let mut leagues: Vec<LeagueId> = news
        .tags
        .iter()
        .map(|t| LeagueId(t.clone()))
        .filter(|l| state.league(l).is_some())
        .collect();
    if let Some(m) = news.match_id.and_then(|id| state.game(id))
        && !leagues.contains(&m.league)
    {
        leagues.push(m.league.clone());
    }
    leagues
}

/// A viewer's selection. Each given parameter narrows the feed; absent ones select everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub matches: Option<HashSet<MatchId>>,
    pub leagues: Option<HashSet<LeagueId>>,
    pub types: Option<HashSet<EventKind>>,
}

/// A filter parameter that names something that does not exist or cannot be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    #[error("matches: `{0}` is not a match id (expected numbers such as matches=1,2)")]
    BadMatch(String),
    #[error("leagues: unknown league `{0}` (known: {1})")]
    UnknownLeague(String, String),
    #[error(
        "types: unknown event type `{0}` (known: score, status, incident, match, news, lineup, stats, archived)"
    )]
    UnknownType(String),
}

impl Filter {
    /// Parse the three query parameters. An empty parameter counts as absent, so a form that sends
    /// `leagues=` with nothing selected gets everything.
    pub fn parse<'a>(
        matches: Option<&str>,
        leagues: Option<&str>,
        types: Option<&str>,
        known_leagues: impl Iterator<Item = &'a LeagueId> + Clone,
    ) -> Result<Filter, FilterError> {
        let matches = list(matches)
            .map(|items| {
                items
                    .map(|s| {
                        s.parse::<u32>()
                            .map(MatchId)
                            .map_err(|_| FilterError::BadMatch(s.into()))
                    })
                    .collect::<Result<HashSet<_>, _>>()
            })
            .transpose()?;
        let leagues = list(leagues)
            .map(|items| {
                items
                    .map(|s| {
                        known_leagues
                            .clone()
                            .find(|l| l.as_str() == s)
                            .cloned()
                            .ok_or_else(|| {
                                let known: Vec<&str> =
                                    known_leagues.clone().map(LeagueId::as_str).collect();
                                FilterError::UnknownLeague(s.into(), known.join(", "))
                            })
                    })
                    .collect::<Result<HashSet<_>, _>>()
            })
            .transpose()?;
        let types = list(types)
            .map(|items| {
                items
                    .map(|s| EventKind::parse(s).ok_or_else(|| FilterError::UnknownType(s.into())))
                    .collect::<Result<HashSet<_>, _>>()
            })
            .transpose()?;
        Ok(Filter {
            matches,
            leagues,
            types,
        })
    }

    pub fn is_everything(&self) -> bool {
        self.matches.is_none() && self.leagues.is_none() && self.types.is_none()
    }

    /// Whether a viewer with this filter receives an event of this scope.
    pub fn accepts(&self, scope: &Scope) -> bool {
        if scope.kind == EventKind::Archived {
            return true;
        }
        if let Some(types) = &self.types
            && !types.contains(&scope.kind)
        {
            return false;
        }
        if let Some(matches) = &self.matches
            && !scope.match_id.is_some_and(|id| matches.contains(&id))
        {
            return false;
        }
        if let Some(leagues) = &self.leagues
            && !scope.leagues.iter().any(|l| leagues.contains(l))
        {
            return false;
        }
        true
    }

    /// Whether a match belongs in this viewer's snapshot.
    pub fn keeps_match(&self, m: &Match) -> bool {
        self.matches.as_ref().is_none_or(|s| s.contains(&m.id))
            && self.leagues.as_ref().is_none_or(|s| s.contains(&m.league))
    }

    /// Whether a news item belongs in this viewer's snapshot.
    pub fn keeps_news(&self, news: &News, state: &FeedState) -> bool {
        let scope = Scope {
            kind: EventKind::News,
            match_id: news.match_id,
            leagues: news_leagues(news, state),
        };
        self.accepts(&scope)
    }

    /// The part of `state` this viewer asked for: its matches and news, and of each match only
    /// what its `types` keep up to date.
    pub fn snapshot_of(&self, state: &FeedState) -> FeedState {
        let mut view = state.clone();
        if !self.is_everything() {
            let keep_news: HashSet<_> = state
                .news()
                .filter(|n| self.keeps_news(n, state))
                .map(|n| n.id)
                .collect();
            view.retain(|m| self.keeps_match(m), |n| keep_news.contains(&n.id));
        }
        // What the viewer will hear no more of is left out, rather than sent once to go stale:
        // a scores-only dashboard gets no timelines, sheets or figures (most of a busy day's
        // bytes: a basketball game is hundreds of baskets).
        if let Some(types) = &self.types {
            for m in view.matches.values_mut() {
                if !types.contains(&EventKind::Incident) {
                    m.incidents.clear();
                }
                if !types.contains(&EventKind::Lineup) {
                    m.lineups = Default::default();
                }
                if !types.contains(&EventKind::Stats) {
                    m.stats = None;
                }
            }
        }
        view
    }
}

/// Split a comma-separated parameter; `None` when absent or blank.
fn list(param: Option<&str>) -> Option<impl Iterator<Item = &str> + '_> {
    let p = param?.trim();
    if p.is_empty() {
        return None;
    }
    Some(p.split(',').map(str::trim).filter(|s| !s.is_empty()))
}
