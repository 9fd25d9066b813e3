//! Appending: compare-and-append at the head through `livescore_append`, the head's `NOTIFY`
//! after the commit, the generator's epoch, and settling a batch whose outcome was lost.

use std::fmt;
use std::sync::Arc;

use tokio_postgres::error::{Severity, SqlState};

use crate::feed::Committed;
use crate::ids::{LeagueId, Seq};
use crate::store::archive::Item;
use crate::store::postgres::{HEAD_CHANNEL, PgError, PgLog, writer_of};

/// Names one append attempt, so that its outcome can be found after the connection was lost
/// during the commit. A retry after a lost race is a new attempt with a new id.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BatchId(String);

impl BatchId {
    /// A fresh random id (128 bits, as 32 hex digits).
    pub fn random() -> BatchId {
        use rand::RngExt;
        BatchId(format!("{:032x}", rand::rng().random::<u128>()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for BatchId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What became of an append.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppendOutcome {
    /// Committed (durably): the batch ends at `head`.
    Appended { head: Seq },
    /// The head was not the one expected (another node appended first); nothing was written.
    /// Catch up to `head`, then try again with a new batch.
    Conflict { head: Seq },
    /// The batch's generator epoch is not the current one (`epoch`): this generator no longer
    /// leads; nothing was written.
    Fenced { epoch: u64 },
}

/// The one statement of an append; the function does the rest in its one transaction.
/// `livescore_append_archiving` (schema version 3) appends, and keeps what the batch's
/// `archived` events took out of the live state, in the same transaction.
const APPEND: &str = "SELECT outcome, at_head, at_epoch
                      FROM livescore_append_archiving($1, $2, $3, $4, $5, $6, $7, $8, $9,
                                                      $10, $11, $12, $13, $14, $15)";

impl PgLog {
    /// Append `events` after `expected_head`, if that is still the head (and, for a generator
    /// batch, `epoch` is still the current epoch). The events must carry the seqs that follow
    /// `expected_head`. Returns once PostgreSQL has committed, or refused.
    ///
    /// On [`PgError::OutcomeUnknown`] the batch may or may not be in: ask
    /// [`PgLog::batch_committed`] before telling anyone anything.
    pub async fn append(
        &self,
        expected_head: Seq,
        batch: &BatchId,
        epoch: Option<u64>,
        events: &[Arc<Committed>],
    ) -> Result<AppendOutcome, PgError> {
        self.append_archiving(expected_head, batch, epoch, events, &[])
            .await
    }

    /// Like [`PgLog::append`], keeping `archive` (what the batch's `archived` events took out
    /// of the live state) in the archive tables when, and only when, the batch is appended.
    pub async fn append_archiving(
        &self,
        expected_head: Seq,
        batch: &BatchId,
        epoch: Option<u64>,
        events: &[Arc<Committed>],
        archive: &[Item],
    ) -> Result<AppendOutcome, PgError> {
        check_batch(expected_head, batch, events)?;
        let columns = ArchiveColumns::of(archive);
        let mut ats = Vec::with_capacity(events.len());
        let mut types = Vec::with_capacity(events.len());
        let mut kinds = Vec::with_capacity(events.len());
        let mut match_ids = Vec::with_capacity(events.len());
        let mut leagues = Vec::with_capacity(events.len());
        let mut jsons = Vec::with_capacity(events.len());
        for e in events {
            ats.push(e.at.to_rfc3339());
            types.push(e.name);
            kinds.push(e.scope.kind.as_str());
            match_ids.push(e.scope.match_id.map(|m| i64::from(m.0)));
            let names: Vec<&str> = e.scope.leagues.iter().map(LeagueId::as_str).collect();
            leagues.push(names.join(","));
            jsons.push(std::str::from_utf8(&e.json).map_err(|_| PgError::BadBatch {
                batch: batch.clone(),
                reason: format!("event {} is not UTF-8", e.seq),
            })?);
        }
        let epoch = epoch.map(|e| e as i64);
        let head = expected_head.0 as i64;

        let mut guard = self.writer.lock().await;
        let writer = writer_of(&mut guard, &self.config, &self.target).await?;
        let result = writer
            .query_one(
                APPEND,
                &[
                    &head,
                    &batch.as_str(),
                    &epoch,
                    &ats,
                    &types,
                    &kinds,
                    &match_ids,
                    &leagues,
                    &jsons,
                    &columns.match_ids,
                    &columns.kickoffs,
                    &columns.match_jsons,
                    &columns.news_ids,
                    &columns.news_match_ids,
                    &columns.news_jsons,
                ],
            )
            .await;
        let row = match result {
            Ok(row) => row,
            Err(source) if source.code() == Some(&SqlState::UNIQUE_VIOLATION) => {
                return Err(PgError::DuplicateBatch {
                    target: self.target.clone(),
                    batch: batch.clone(),
                });
            }
            // The server answered with an error and lives on: it rolled the statement back.
            // (A FATAL one ends the session, and can come after the commit: unknown.)
            Err(source)
                if source
                    .as_db_error()
                    .is_some_and(|db| db.parsed_severity() == Some(Severity::Error)) =>
            {
                return Err(self.query_error("append", source));
            }
            // No answer: the connection is gone, and the commit may have happened.
            Err(source) => {
                *guard = None;
                return Err(PgError::OutcomeUnknown {
                    target: self.target.clone(),
                    batch: batch.clone(),
                    source,
                });
            }
        };
        drop(guard);
        let outcome: &str = row.get(0);
        let at_head = Seq(row.get::<_, i64>(1) as u64);
        match outcome {
            "appended" => Ok(AppendOutcome::Appended {
                head: self.saw_head(at_head)?,
            }),
            "conflict" => Ok(AppendOutcome::Conflict {
                head: self.saw_head(at_head)?,
            }),
            _ => Ok(AppendOutcome::Fenced {
                epoch: row.get::<_, i64>(2) as u64,
            }),
        }
    }

    /// Tell every listening node that the head moved to `head`: a statement of its own, sent
    /// after the append committed (never inside it), carrying the seq only.
    pub async fn notify_head(&self, head: Seq) -> Result<(), PgError> {
        let mut guard = self.writer.lock().await;
        let writer = writer_of(&mut guard, &self.config, &self.target).await?;
        writer
            .execute(
                "SELECT pg_notify($1, $2)",
                &[&HEAD_CHANNEL, &head.0.to_string()],
            )
            .await
            .map_err(|source| self.query_error("notify the new head", source))?;
        Ok(())
    }

    /// Settle an append whose outcome was lost: the head it ended at if it committed, `None` if
    /// it did not — and then it never will, because the lookup records the batch as missing and
    /// a late arrival of the append is refused ([`PgError::DuplicateBatch`]). Call it only for
    /// a batch whose append failed with [`PgError::OutcomeUnknown`] (or was never sent).
    pub async fn batch_committed(&self, batch: &BatchId) -> Result<Option<Seq>, PgError> {
        let client = self.reader().await?;
        // Waits for an append of this batch still in flight on another connection to finish.
        let settled = client
            .execute(
                "INSERT INTO livescore_batches (batch_id) VALUES ($1) ON CONFLICT DO NOTHING",
                &[&batch.as_str()],
            )
            .await
            .map_err(|source| self.query_error("settle a batch", source))?;
        if settled == 1 {
            return Ok(None);
        }
        let head: Option<i64> = client
            .query_one(
                "SELECT head FROM livescore_batches WHERE batch_id = $1",
                &[&batch.as_str()],
            )
            .await
            .map_err(|source| self.query_error("look up a batch", source))?
            .get(0);
        Ok(head.map(|h| Seq(h as u64)))
    }
}

/// A batch must be non-empty and carry the seqs right after the head it expects.
fn check_batch(
    expected_head: Seq,
    batch: &BatchId,
    events: &[Arc<Committed>],
) -> Result<(), PgError> {
    if events.is_empty() {
        return Err(PgError::BadBatch {
            batch: batch.clone(),
            reason: "it has no events".to_owned(),
        });
    }
    for (i, e) in events.iter().enumerate() {
        let want = expected_head.0 + 1 + i as u64;
        if e.seq.0 != want {
            return Err(PgError::BadBatch {
                batch: batch.clone(),
                reason: format!(
                    "event {i} has seq {} where {want} follows head {}",
                    e.seq, expected_head
                ),
            });
        }
    }
    Ok(())
}

/// The archive items of a batch as the columns `livescore_append_archiving` takes.
#[derive(Default)]
struct ArchiveColumns<'a> {
    match_ids: Vec<i64>,
    kickoffs: Vec<i64>,
    match_jsons: Vec<&'a str>,
    news_ids: Vec<i64>,
    news_match_ids: Vec<Option<i64>>,
    news_jsons: Vec<&'a str>,
}

impl<'a> ArchiveColumns<'a> {
    fn of(items: &'a [Item]) -> ArchiveColumns<'a> {
        let mut columns = ArchiveColumns::default();
        let text = |json: &'a bytes::Bytes| std::str::from_utf8(json).unwrap_or_default();
        for item in items {
            match item {
                Item::Match { id, kickoff, json } => {
                    columns.match_ids.push(i64::from(id.0));
                    columns.kickoffs.push(kickoff.timestamp_millis());
                    columns.match_jsons.push(text(json));
                }
                Item::News { id, match_id, json } => {
                    columns.news_ids.push(i64::from(id.0));
                    columns
                        .news_match_ids
                        .push(match_id.map(|m| i64::from(m.0)));
                    columns.news_jsons.push(text(json));
                }
            }
        }
        columns
    }
}
