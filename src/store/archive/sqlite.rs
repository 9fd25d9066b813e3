//! The archive in the SQLite store: two tables beside the event log, written in the same
//! transaction as the `archived` events, read by day and by news cursor.

use bytes::Bytes;
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Transaction, params};

use super::{Item, ListedMatch, ListedNews, NewsQuery};
use crate::ids::{MatchId, NewsId};
use crate::store::{Store, StoreError};

/// Schema version 2 of the SQLite store: the archive.
pub const MIGRATION: &str = "
    CREATE TABLE archived_matches (
        id INTEGER PRIMARY KEY,
        kickoff INTEGER NOT NULL,
        json TEXT NOT NULL
    );
    CREATE INDEX archived_matches_by_kickoff ON archived_matches (kickoff);
    CREATE TABLE archived_news (
        id INTEGER PRIMARY KEY,
        match_id INTEGER,
        json TEXT NOT NULL
    );
    CREATE INDEX archived_news_by_match ON archived_news (match_id, id);";

/// Keep `items` (inside the transaction that appends their `archived` events).
pub(crate) fn insert(tx: &Transaction<'_>, items: &[Item]) -> rusqlite::Result<()> {
    if items.is_empty() {
        return Ok(());
    }
    let mut matches = tx.prepare_cached(
        "INSERT OR REPLACE INTO archived_matches (id, kickoff, json) VALUES (?1, ?2, ?3)",
    )?;
    let mut news = tx.prepare_cached(
        "INSERT OR REPLACE INTO archived_news (id, match_id, json) VALUES (?1, ?2, ?3)",
    )?;
    for item in items {
        match item {
            Item::Match { id, kickoff, json } => {
                matches.execute(params![id.0, kickoff.timestamp_millis(), text(json)])?;
            }
            Item::News { id, match_id, json } => {
                news.execute(params![id.0, match_id.map(|m| m.0), text(json)])?;
            }
        }
    }
    Ok(())
}

fn text(json: &Bytes) -> &str {
    std::str::from_utf8(json).unwrap_or_default()
}

impl Store {
    /// Archived matches kicking off in `[from, to)`, in kick-off order.
    pub fn archived_matches(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<ListedMatch>, StoreError> {
        let mut query = self
            .conn
            .prepare_cached(
                "SELECT id, kickoff, json FROM archived_matches
                 WHERE kickoff >= ?1 AND kickoff < ?2 ORDER BY kickoff, id",
            )
            .map_err(|e| self.err(e))?;
        let rows = query
            .query_map(
                params![from.timestamp_millis(), to.timestamp_millis()],
                |r| {
                    Ok(ListedMatch {
                        id: MatchId(r.get(0)?),
                        kickoff: DateTime::from_timestamp_millis(r.get(1)?).unwrap_or_default(),
                        json: Bytes::from(r.get::<_, String>(2)?),
                    })
                },
            )
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// One archived match.
    pub fn archived_match(&self, id: MatchId) -> Result<Option<Bytes>, StoreError> {
        self.conn
            .query_row(
                "SELECT json FROM archived_matches WHERE id = ?1",
                [id.0],
                |r| r.get::<_, String>(0),
            )
            .optional()
            .map(|json| json.map(Bytes::from))
            .map_err(|e| self.err(e))
    }

    /// Archived news, newest first, as `query` asks.
    pub fn archived_news(&self, query: NewsQuery) -> Result<Vec<ListedNews>, StoreError> {
        let mut statement = self
            .conn
            .prepare_cached(
                "SELECT id, json FROM archived_news
                 WHERE id < ?1 AND (?2 IS NULL OR match_id = ?2)
                 ORDER BY id DESC LIMIT ?3",
            )
            .map_err(|e| self.err(e))?;
        let rows = statement
            .query_map(
                params![
                    query.before.map_or(i64::MAX, |b| i64::from(b.0)),
                    query.match_id.map(|m| m.0),
                    query.limit as i64
                ],
                |r| {
                    Ok(ListedNews {
                        id: NewsId(r.get(0)?),
                        json: Bytes::from(r.get::<_, String>(1)?),
                    })
                },
            )
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }
}
