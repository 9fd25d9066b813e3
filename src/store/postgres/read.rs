//! Reading the log back (pages of a replay, as the same `Committed` events the SQLite store
//! gives), snapshots, and pruning.

use chrono::{DateTime, Utc};

use crate::feed::Committed;
use crate::ids::Seq;
use crate::store::postgres::{PgError, PgLog, writer_of};
use crate::store::replay::{StoredRow, rebuild};
use crate::store::sqlite::KEPT_SNAPSHOTS;

/// A stored snapshot of the feed state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSnapshot {
    /// The seq of the last event the state includes.
    pub seq: Seq,
    /// When it was taken (RFC 3339).
    pub at: String,
    /// The state as JSON.
    pub state: String,
}

impl PgLog {
    /// One page of a replay: the events after `after` (up to `upto`, inclusive, when given), at
    /// most `limit` of them, and no more once `max_bytes` of JSON have been read (at least one
    /// event, however large). Ids are `<stream>.<seq>`, frames as the live feed sends them.
    ///
    /// A range that begins in pruned events is an error ([`PgError::Pruned`]), never a page
    /// that silently starts later.
    pub async fn page(
        &self,
        after: Seq,
        upto: Option<Seq>,
        limit: usize,
        max_bytes: usize,
    ) -> Result<Vec<Committed>, PgError> {
        let stream = self.stream()?;
        let client = self.reader().await?;
        let query = client
            .prepare_cached(
                "SELECT seq, at, type, kind, match_id, leagues, json FROM livescore_events
                 WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT $3",
            )
            .await
            .map_err(|source| self.query_error("prepare the page query", source))?;
        let upto_sql = upto.map_or(i64::MAX, |s| s.0 as i64);
        let rows = client
            .query(
                &query,
                &[
                    &(after.0 as i64),
                    &upto_sql,
                    &i64::try_from(limit).unwrap_or(i64::MAX),
                ],
            )
            .await
            .map_err(|source| self.query_error("read a page of events", source))?;
        drop(client);
        match rows.first() {
            Some(first) if first.get::<_, i64>(0) as u64 != after.0 + 1 => {
                return Err(self.pruned(after));
            }
            // Nothing after `after`: fine if nothing was committed after it either.
            None if (after.0 as i64) < upto_sql && after < self.head().await?.seq => {
                return Err(self.pruned(after));
            }
            _ => {}
        }
        let mut events = Vec::with_capacity(rows.len());
        let mut bytes = 0;
        for row in rows {
            if bytes >= max_bytes {
                break;
            }
            let seq: i64 = row.get(0);
            let bad = |reason| PgError::BadRow {
                target: self.target.clone(),
                seq,
                reason,
            };
            let match_id: Option<i64> = row.get(4);
            let match_id = match match_id {
                Some(m) => Some(u32::try_from(m).map_err(|_| bad("bad match id"))?),
                None => None,
            };
            let json: String = row.get(6);
            bytes += json.len();
            let stored = StoredRow {
                seq: seq as u64,
                at: row.get(1),
                name: row.get(2),
                kind: row.get(3),
                match_id,
                leagues: row.get(5),
                json,
            };
            events.push(rebuild(&stream, stored).map_err(bad)?);
        }
        Ok(events)
    }

    /// Record a snapshot of the state at `seq`, and drop all but the newest
    /// [`KEPT_SNAPSHOTS`] (as the SQLite store does).
    pub async fn write_snapshot(
        &self,
        seq: Seq,
        at: DateTime<Utc>,
        state: &str,
    ) -> Result<(), PgError> {
        let mut guard = self.writer.lock().await;
        let writer = writer_of(&mut guard, &self.config, &self.target).await?;
        let tx = writer
            .transaction()
            .await
            .map_err(|source| self.query_error("begin writing a snapshot", source))?;
        tx.execute(
            "INSERT INTO livescore_snapshots (seq, at, state) VALUES ($1, $2, $3)
             ON CONFLICT (seq) DO UPDATE SET at = excluded.at, state = excluded.state",
            &[&(seq.0 as i64), &at.to_rfc3339(), &state],
        )
        .await
        .map_err(|source| self.query_error("write a snapshot", source))?;
        tx.execute(
            "DELETE FROM livescore_snapshots WHERE seq NOT IN
                 (SELECT seq FROM livescore_snapshots ORDER BY seq DESC LIMIT $1)",
            &[&(KEPT_SNAPSHOTS as i64)],
        )
        .await
        .map_err(|source| self.query_error("drop old snapshots", source))?;
        tx.commit()
            .await
            .map_err(|source| self.query_error("commit a snapshot", source))
    }

    /// The newest snapshot, if any.
    pub async fn latest_snapshot(&self) -> Result<Option<StoredSnapshot>, PgError> {
        let client = self.reader().await?;
        let row = client
            .query_opt(
                "SELECT seq, at, state FROM livescore_snapshots ORDER BY seq DESC LIMIT 1",
                &[],
            )
            .await
            .map_err(|source| self.query_error("read the newest snapshot", source))?;
        Ok(row.map(|row| StoredSnapshot {
            seq: Seq(row.get::<_, i64>(0) as u64),
            at: row.get(1),
            state: row.get(2),
        }))
    }

    /// Forget the events up to `upto`, but never one after the oldest kept snapshot (so "oldest
    /// snapshot + every event after it" stays whole), with their batches, and batches settled
    /// as missing a day ago or more. Returns the events removed.
    pub async fn prune(&self, upto: Seq) -> Result<u64, PgError> {
        let mut guard = self.writer.lock().await;
        let writer = writer_of(&mut guard, &self.config, &self.target).await?;
        let tx = writer
            .transaction()
            .await
            .map_err(|source| self.query_error("begin pruning", source))?;
        let base: Option<i64> = tx
            .query_one("SELECT min(seq) FROM livescore_snapshots", &[])
            .await
            .map_err(|source| self.query_error("find the oldest snapshot", source))?
            .get(0);
        let Some(base) = base else { return Ok(0) };
        let cut = base.min(upto.0 as i64);
        let removed = tx
            .execute("DELETE FROM livescore_events WHERE seq <= $1", &[&cut])
            .await
            .map_err(|source| self.query_error("prune events", source))?;
        tx.execute(
            "DELETE FROM livescore_batches WHERE head <= $1
                 OR (head IS NULL AND recorded_at < now() - interval '1 day')",
            &[&cut],
        )
        .await
        .map_err(|source| self.query_error("prune batches", source))?;
        tx.commit()
            .await
            .map_err(|source| self.query_error("commit pruning", source))?;
        Ok(removed)
    }

    fn pruned(&self, after: Seq) -> PgError {
        PgError::Pruned {
            target: self.target.clone(),
            after,
        }
    }
}
