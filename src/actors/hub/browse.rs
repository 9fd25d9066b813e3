//! Browsing by day and by news cursor: the hub's part of `GET /api/matches?date=` and
//! `GET /api/news?before=`. The hub answers from the committed live state, and from its memory
//! archive when it has no store; a store's archive is read by the HTTP layer, off the hub.

use actix::prelude::*;
use bytes::Bytes;
use chrono::{DateTime, Utc};

use super::Hub;
use crate::feed::FeedState;
use crate::ids::{MatchId, NewsId};
use crate::store::archive::{Item, ListedMatch, ListedNews, NewsQuery};

/// The archive items for the matches and news an `archived` event takes out of `state`.
pub(super) fn archive_items(state: &FeedState, matches: &[MatchId], news: &[NewsId]) -> Vec<Item> {
    let matches = matches
        .iter()
        .filter_map(|id| state.game(*id))
        .map(|m| Item::Match {
            id: m.id,
            kickoff: m.kickoff,
            json: encode(m),
        });
    let news = news
        .iter()
        .filter_map(|id| state.news_item(*id))
        .map(|n| Item::News {
            id: n.id,
            match_id: n.match_id,
            json: encode(n),
        });
    matches.chain(news).collect()
}

fn encode(item: &impl serde::Serialize) -> Bytes {
    Bytes::from(serde_json::to_vec(item).expect("feed items serialize"))
}

/// What to look up.
#[derive(Message, Debug, Clone, Copy)]
#[rtype(result = "Browsed")]
pub enum Browse {
    /// Matches kicking off in `[from, to)`.
    Matches {
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    },
    /// One match, live or archived.
    Match(MatchId),
    News(NewsQuery),
}

/// The hub's answer: live items, and archived ones when the archive is in memory.
#[derive(Debug, Default)]
pub struct Browsed {
    /// Live matches: they may still change.
    pub matches: Vec<ListedMatch>,
    /// Matches from the memory archive: final, they never change (so their compressed form can
    /// be kept).
    pub archived: Vec<ListedMatch>,
    pub news: Vec<ListedNews>,
}

impl Handler<Browse> for Hub {
    type Result = MessageResult<Browse>;

    fn handle(&mut self, msg: Browse, _: &mut Context<Self>) -> Self::Result {
        let state = self.visible();
        let archive = self.archive.as_ref();
        let listed = |m: &crate::model::Match| ListedMatch {
            id: m.id,
            kickoff: m.kickoff,
            json: encode(m),
        };
        let mut browsed = Browsed::default();
        match msg {
            Browse::Matches { from, to } => {
                browsed.matches = state
                    .matches()
                    .filter(|m| (from..to).contains(&m.kickoff))
                    .map(listed)
                    .collect();
                if let Some(archive) = archive {
                    browsed.archived = archive.matches_between(from, to);
                }
            }
            Browse::Match(id) => {
                if let Some(m) = state.game(id) {
                    browsed.matches.push(listed(m));
                } else if let Some(json) = archive.and_then(|a| a.game(id)) {
                    browsed.archived.push(ListedMatch {
                        id,
                        kickoff: DateTime::<Utc>::MIN_UTC,
                        json,
                    });
                }
            }
            Browse::News(query) => {
                let mut live: Vec<_> = state
                    .news()
                    .filter(|n| query.admits(n.id, n.match_id))
                    .collect();
                live.sort_by_key(|n| std::cmp::Reverse(n.id));
                browsed.news = live
                    .into_iter()
                    .take(query.limit)
                    .map(|n| ListedNews {
                        id: n.id,
                        json: encode(n),
                    })
                    .collect();
                if let Some(archive) = archive {
                    browsed.news.extend(archive.news(query));
                }
            }
        }
        MessageResult(browsed)
    }
}
