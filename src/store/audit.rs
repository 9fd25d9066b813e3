//! Reading the log back for the audit trail and story histories (see [`crate::feed::audit`]):
//! the envelopes as stored, selected by author or by news item without decoding every one in
//! Rust (SQLite's JSON functions pick out `by` and the item's id).

use rusqlite::params;

use crate::feed::audit::{LogQuery, MACHINE_AUTHORS};
use crate::ids::Seq;
use crate::store::Store;
use crate::store::error::StoreError;

impl Store {
    /// The stored events `query` asks for, as `(seq, envelope JSON)`: newest first for the
    /// audit, oldest first for a history.
    pub fn read_log(&self, query: LogQuery) -> Result<Vec<(Seq, String)>, StoreError> {
        let row = |r: &rusqlite::Row<'_>| Ok((Seq(r.get::<_, i64>(0)? as u64), r.get(1)?));
        let rows = match query {
            LogQuery::Audit { before, limit, all } => {
                let mut q = self
                    .conn
                    .prepare_cached(
                        "SELECT seq, json FROM events
                         WHERE seq < ?1 AND (?2 OR json_extract(json, '$.by') NOT IN (?3, ?4))
                         ORDER BY seq DESC LIMIT ?5",
                    )
                    .map_err(|e| self.err(e))?;
                q.query_map(
                    params![
                        before.map_or(i64::MAX, |s| s.0 as i64),
                        all,
                        MACHINE_AUTHORS[0],
                        MACHINE_AUTHORS[1],
                        i64::try_from(limit).unwrap_or(i64::MAX)
                    ],
                    row,
                )
                .map_err(|e| self.err(e))?
                .collect::<Result<Vec<_>, _>>()
            }
            LogQuery::NewsHistory(id) => {
                let mut q = self
                    .conn
                    .prepare_cached(
                        "SELECT seq, json FROM events
                         WHERE type IN ('news', 'news_retracted')
                           AND IFNULL(json_extract(json, '$.news.id'),
                                      json_extract(json, '$.news_id')) = ?1
                         ORDER BY seq",
                    )
                    .map_err(|e| self.err(e))?;
                q.query_map(params![id.0], row)
                    .map_err(|e| self.err(e))?
                    .collect::<Result<Vec<_>, _>>()
            }
        };
        rows.map_err(|e| self.err(e))
    }
}
