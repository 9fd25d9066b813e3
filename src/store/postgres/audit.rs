//! The shared log read back for the audit trail and story histories: the PostgreSQL twin of the
//! SQLite store's `read_log` (same selection, by `by` or by news item, done by the database).

use crate::feed::audit::{LogQuery, MACHINE_AUTHORS};
use crate::ids::Seq;
use crate::store::postgres::{PgError, PgLog};

impl PgLog {
    /// The events `query` asks for, as `(seq, envelope JSON)`: newest first for the audit,
    /// oldest first for a history.
    pub async fn read_log(&self, query: LogQuery) -> Result<Vec<(Seq, String)>, PgError> {
        let client = self.reader().await?;
        let rows = match query {
            LogQuery::Audit { before, limit, all } => {
                let machines: Vec<&str> = MACHINE_AUTHORS.to_vec();
                client
                    .query(
                        "SELECT seq, json FROM livescore_events
                         WHERE seq < $1 AND ($2 OR (json::jsonb ->> 'by') <> ALL($3))
                         ORDER BY seq DESC LIMIT $4",
                        &[
                            &before.map_or(i64::MAX, |s| s.0 as i64),
                            &all,
                            &machines,
                            &i64::try_from(limit).unwrap_or(i64::MAX),
                        ],
                    )
                    .await
            }
            LogQuery::NewsHistory(id) => {
                client
                    .query(
                        "SELECT seq, json FROM livescore_events
                         WHERE type IN ('news', 'news_retracted')
                           AND COALESCE(json::jsonb -> 'news' ->> 'id',
                                        json::jsonb ->> 'news_id')::bigint = $1
                         ORDER BY seq",
                        &[&i64::from(id.0)],
                    )
                    .await
            }
        }
        .map_err(|source| self.query_error("read the log back", source))?;
        Ok(rows
            .into_iter()
            .map(|row| (Seq(row.get::<_, i64>(0) as u64), row.get(1)))
            .collect())
    }
}
