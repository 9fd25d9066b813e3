//! The archive of a server without a store (`--in-memory`): the newest archived items that fit
//! in `--archive-memory-mb`.

use std::collections::BTreeMap;

use bytes::Bytes;
use chrono::{DateTime, Utc};

use super::{Item, ListedMatch, ListedNews, NewsQuery};
use crate::ids::{MatchId, NewsId};

/// The archive of a server without a store: the newest items that fit in `max_bytes`.
#[derive(Debug, Default)]
pub struct MemoryArchive {
    matches: BTreeMap<MatchId, (DateTime<Utc>, Bytes)>,
    news: BTreeMap<NewsId, (Option<MatchId>, Bytes)>,
    bytes: usize,
    max_bytes: usize,
}

impl MemoryArchive {
    pub fn new(max_bytes: usize) -> MemoryArchive {
        MemoryArchive {
            max_bytes,
            ..MemoryArchive::default()
        }
    }

    /// Keep `items`, then forget the oldest (lowest ids, matches and news in turn) until the
    /// archive fits its bound again.
    pub fn add(&mut self, items: impl IntoIterator<Item = Item>) {
        for item in items {
            self.bytes += item.bytes();
            match item {
                Item::Match { id, kickoff, json } => {
                    if let Some(old) = self.matches.insert(id, (kickoff, json)) {
                        self.bytes -= old.1.len() + 64;
                    }
                }
                Item::News { id, match_id, json } => {
                    if let Some(old) = self.news.insert(id, (match_id, json)) {
                        self.bytes -= old.1.len() + 64;
                    }
                }
            }
        }
        while self.bytes > self.max_bytes {
            let take_match = match (self.matches.len(), self.news.len()) {
                (0, 0) => break,
                (m, n) => m >= n,
            };
            let freed = if take_match {
                self.matches.pop_first().map(|(_, (_, json))| json.len())
            } else {
                self.news.pop_first().map(|(_, (_, json))| json.len())
            };
            self.bytes -= freed.unwrap_or(0) + 64;
        }
    }

    /// Archived matches kicking off in `[from, to)`.
    pub fn matches_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<ListedMatch> {
        self.matches
            .iter()
            .filter(|(_, (kickoff, _))| (from..to).contains(kickoff))
            .map(|(id, (kickoff, json))| ListedMatch {
                id: *id,
                kickoff: *kickoff,
                json: json.clone(),
            })
            .collect()
    }

    pub fn game(&self, id: MatchId) -> Option<Bytes> {
        self.matches.get(&id).map(|(_, json)| json.clone())
    }

    pub fn news(&self, query: NewsQuery) -> Vec<ListedNews> {
        self.news
            .iter()
            .rev()
            .filter(|(id, (match_id, _))| query.admits(**id, *match_id))
            .take(query.limit)
            .map(|(id, (_, json))| ListedNews {
                id: *id,
                json: json.clone(),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn news(id: u32, size: usize) -> Item {
        Item::News {
            id: NewsId(id),
            match_id: None,
            json: Bytes::from(vec![b'x'; size]),
        }
    }

    #[test]
    fn the_memory_archive_forgets_the_oldest_past_its_bound() {
        let mut archive = MemoryArchive::new(10_000);
        archive.add((1..=100).map(|id| news(id, 936)));
        let kept = archive.news(NewsQuery {
            before: None,
            limit: 1000,
            match_id: None,
        });
        assert_eq!(kept.len(), 10);
        assert_eq!(kept[0].id, NewsId(100));
        assert_eq!(kept[9].id, NewsId(91));
        let page = archive.news(NewsQuery {
            before: Some(NewsId(95)),
            limit: 2,
            match_id: None,
        });
        let ids: Vec<u32> = page.iter().map(|n| n.id.0).collect();
        assert_eq!(ids, [94, 93]);
    }
}
