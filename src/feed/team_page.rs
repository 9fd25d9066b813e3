//! A team's page (`GET /api/teams/{id}`): who they are, where they stand, their form, their
//! latest results (archived ones included), their matches still to come or under way in the live
//! window, and the news about them.

use serde::Serialize;

use crate::feed::season::Played;
use crate::feed::standings::Row;
use crate::feed::state::FeedState;
use crate::ids::TeamId;
use crate::model::{League, Match, MatchStatus, News, TeamWithSquad};

/// Everything the team page shows, borrowed from the state.
#[derive(Debug, Serialize)]
pub struct TeamPage<'a> {
    pub team: TeamWithSquad<'a>,
    pub league: &'a League,
    /// The team's line in the table as it stands (its `position`, `form`, `playing`).
    pub standing: Option<Row>,
    /// Final results, newest first: the season's and the live window's.
    pub results: Vec<Played>,
    /// The live window's matches not yet final (under way first, then by kick-off).
    pub matches: Vec<&'a Match>,
    /// Live news about the team: tagged to one of its matches, or with its id as a tag.
    pub news: Vec<&'a News>,
}

impl FeedState {
    /// The page of `id`, or `None` for a team the feed does not have.
    pub fn team_page(&self, id: &TeamId) -> Option<TeamPage<'_>> {
        let team = self.team(id)?;
        let league = self.league(&team.league)?;
        let standing = self
            .standings(&league.id)
            .and_then(|table| table.rows.into_iter().find(|r| &r.team == id));
        let plays = |m: &&Match| &m.home == id || &m.away == id;
        let mut matches: Vec<&Match> = self
            .matches()
            .filter(plays)
            .filter(|m| m.status != MatchStatus::Final)
            .collect();
        matches.sort_by_key(|m| (!m.status.is_in_play(), m.kickoff, m.id));
        let theirs: Vec<_> = self.matches().filter(plays).map(|m| m.id).collect();
        let mut news: Vec<&News> = self
            .news()
            .filter(|n| {
                n.match_id.is_some_and(|m| theirs.contains(&m))
                    || n.tags.iter().any(|t| t.eq_ignore_ascii_case(&id.0))
            })
            .collect();
        news.sort_by_key(|n| std::cmp::Reverse(n.id));
        Some(TeamPage {
            team: TeamWithSquad {
                team,
                squad: &team.squad,
            },
            league,
            standing,
            results: self.results_of(id),
            matches,
            news,
        })
    }
}
