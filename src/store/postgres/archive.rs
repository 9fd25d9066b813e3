//! The calendar's archive in the shared log: reading archived matches by day and archived news
//! by cursor (they are written by `livescore_append_archiving`, see `append.rs`).

use bytes::Bytes;
use chrono::{DateTime, Utc};

use crate::ids::{MatchId, NewsId};
use crate::store::archive::{ListedMatch, ListedNews, NewsQuery};
use crate::store::postgres::{PgError, PgLog};

impl PgLog {
    /// Archived matches kicking off in `[from, to)`, in kick-off order.
    pub async fn archived_matches(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<ListedMatch>, PgError> {
        let client = self.reader().await?;
        let rows = client
            .query(
                "SELECT id, kickoff, json FROM livescore_archived_matches
                 WHERE kickoff >= $1 AND kickoff < $2 ORDER BY kickoff, id",
                &[&from.timestamp_millis(), &to.timestamp_millis()],
            )
            .await
            .map_err(|source| self.query_error("read archived matches", source))?;
        Ok(rows
            .iter()
            .map(|row| ListedMatch {
                id: MatchId(row.get::<_, i64>(0) as u32),
                kickoff: DateTime::from_timestamp_millis(row.get(1)).unwrap_or_default(),
                json: Bytes::from(row.get::<_, String>(2)),
            })
            .collect())
    }

    /// One archived match.
    pub async fn archived_match(&self, id: MatchId) -> Result<Option<Bytes>, PgError> {
        let client = self.reader().await?;
        let row = client
            .query_opt(
                "SELECT json FROM livescore_archived_matches WHERE id = $1",
                &[&i64::from(id.0)],
            )
            .await
            .map_err(|source| self.query_error("read an archived match", source))?;
        Ok(row.map(|row| Bytes::from(row.get::<_, String>(0))))
    }

    /// Archived news, newest first, as `query` asks.
    pub async fn archived_news(&self, query: NewsQuery) -> Result<Vec<ListedNews>, PgError> {
        let client = self.reader().await?;
        let rows = client
            .query(
                "SELECT id, json FROM livescore_archived_news
                 WHERE id < $1 AND ($2::bigint IS NULL OR match_id = $2)
                 ORDER BY id DESC LIMIT $3",
                &[
                    &query.before.map_or(i64::MAX, |b| i64::from(b.0)),
                    &query.match_id.map(|m| i64::from(m.0)),
                    &(query.limit as i64),
                ],
            )
            .await
            .map_err(|source| self.query_error("read archived news", source))?;
        Ok(rows
            .iter()
            .map(|row| ListedNews {
                id: NewsId(row.get::<_, i64>(0) as u32),
                json: Bytes::from(row.get::<_, String>(1)),
            })
            .collect())
    }
}
