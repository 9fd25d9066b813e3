//! The archive: matches and news that left the live window, as they stood when they left.
//!
//! The hub turns each committed `archived` event into [`Item`]s (the JSON of each match and news
//! item, encoded once). With a store they are written in the same transaction as the event, so
//! the archive and the log never disagree; in memory (`--in-memory`) the hub keeps them in a
//! [`MemoryArchive`] bounded in bytes, oldest out first. Readers ask by day (matches) or with a
//! news cursor, and get JSON back as stored.

mod memory;
pub mod sqlite;

pub use memory::MemoryArchive;

use bytes::Bytes;
use chrono::{DateTime, Utc};

use crate::ids::{MatchId, NewsId};

/// One archived match or news item.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Match {
        id: MatchId,
        kickoff: DateTime<Utc>,
        json: Bytes,
    },
    News {
        id: NewsId,
        match_id: Option<MatchId>,
        json: Bytes,
    },
}

impl Item {
    /// What the item costs a memory archive.
    fn bytes(&self) -> usize {
        match self {
            Item::Match { json, .. } | Item::News { json, .. } => json.len() + 64,
        }
    }
}

/// A match as listed: what it sorts by, and its JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct ListedMatch {
    pub id: MatchId,
    pub kickoff: DateTime<Utc>,
    pub json: Bytes,
}

/// A news item as listed: its id (the cursor) and its JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct ListedNews {
    pub id: NewsId,
    pub json: Bytes,
}

/// Which news a reader wants: newest first, ids below `before`, at most `limit`, optionally only
/// those tagged to one match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewsQuery {
    pub before: Option<NewsId>,
    pub limit: usize,
    pub match_id: Option<MatchId>,
}

impl NewsQuery {
    pub fn admits(&self, id: NewsId, match_id: Option<MatchId>) -> bool {
        self.before.is_none_or(|b| id < b) && self.match_id.is_none_or(|m| match_id == Some(m))
    }
}
