//! Reading the event log back: how far a viewer may resume, the stored events of a replay range
//! (re-framed from the bytes as sent, never re-encoded), and the snapshots `livescore check`
//! verifies.

use chrono::{DateTime, Utc};
use rusqlite::params;

use crate::feed::{Committed, EventKind, Scope};
use crate::ids::{LeagueId, MatchId, Seq, StreamId};
use crate::sse;
use crate::store::Store;
use crate::store::error::StoreError;

impl Store {
    /// The oldest seq a viewer may resume after: the seq before the oldest stored event (or the
    /// newest seq, when no events are stored).
    pub fn oldest_resumable(&self) -> Result<Seq, StoreError> {
        let (min, max): (Option<i64>, Option<i64>) = self
            .conn
            .query_row("SELECT MIN(seq), MAX(seq) FROM events", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .map_err(|e| self.err(e))?;
        let snapshot: Option<i64> = self
            .conn
            .query_row("SELECT MAX(seq) FROM snapshots", [], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        Ok(match (min, max) {
            (Some(min), _) => Seq((min - 1) as u64),
            _ => Seq(snapshot.unwrap_or(0) as u64),
        })
    }

    /// The newest seq the store holds: its last event, or its newest snapshot when every event
    /// is pruned.
    pub fn last_seq(&self) -> Result<Seq, StoreError> {
        self.conn
            .query_row(
                "SELECT MAX(IFNULL((SELECT MAX(seq) FROM events), 0),
                            IFNULL((SELECT MAX(seq) FROM snapshots), 0))",
                [],
                |r| r.get::<_, i64>(0),
            )
            .map(|seq| Seq(seq as u64))
            .map_err(|e| self.err(e))
    }

    /// Stored events after `after` (up to `upto`, inclusive, when given), rebuilt as committed
    /// events of `stream`.
    pub fn since(
        &self,
        stream: &StreamId,
        after: Seq,
        upto: Option<Seq>,
    ) -> Result<Vec<Committed>, StoreError> {
        self.page(stream, after, upto, usize::MAX, usize::MAX)
    }

    /// Like [`Store::since`], one page of a viewer's replay: at most `limit` events, and no more
    /// once `max_bytes` of JSON have been read (at least one event, however large).
    pub fn page(
        &self,
        stream: &StreamId,
        after: Seq,
        upto: Option<Seq>,
        limit: usize,
        max_bytes: usize,
    ) -> Result<Vec<Committed>, StoreError> {
        let mut query = self
            .conn
            .prepare_cached(
                "SELECT seq, at, type, kind, match_id, leagues, json FROM events
                 WHERE seq > ?1 AND seq <= ?2 ORDER BY seq LIMIT ?3",
            )
            .map_err(|e| self.err(e))?;
        let rows = query
            .query_map(
                params![
                    after.0 as i64,
                    upto.map_or(i64::MAX, |s| s.0 as i64),
                    i64::try_from(limit).unwrap_or(i64::MAX)
                ],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)? as u64,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, Option<u32>>(4)?,
                        r.get::<_, String>(5)?,
                        r.get::<_, String>(6)?,
                    ))
                },
            )
            .map_err(|e| self.err(e))?;
        let mut events = Vec::new();
        let mut bytes = 0;
        for row in rows {
            if bytes >= max_bytes {
                break;
            }
            let (seq, at, name, kind, match_id, leagues, json) = row.map_err(|e| self.err(e))?;
            bytes += json.len();
            let row = StoredRow {
                seq,
                at: &at,
                name: &name,
                kind: &kind,
                match_id,
                leagues: &leagues,
                json,
            };
            let event = rebuild(stream, row)
                .map_err(|what| StoreError::new(&self.path, format!("event {seq}: {what}")))?;
            events.push(event);
        }
        Ok(events)
    }

    /// Every snapshot's seq, oldest first (for `livescore check`).
    pub fn snapshots(&self) -> Result<Vec<(Seq, String)>, StoreError> {
        let mut q = self
            .conn
            .prepare("SELECT seq, state FROM snapshots ORDER BY seq")
            .map_err(|e| self.err(e))?;
        let rows = q
            .query_map([], |r| Ok((Seq(r.get::<_, i64>(0)? as u64), r.get(1)?)))
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }
}

/// A stored event as both stores keep it: the columns of one row.
pub(crate) struct StoredRow<'a> {
    pub seq: u64,
    pub at: &'a str,
    pub name: &'a str,
    pub kind: &'a str,
    pub match_id: Option<u32>,
    /// Comma-separated league ids.
    pub leagues: &'a str,
    pub json: String,
}

/// A stored row rebuilt as a committed event of `stream`: its SSE frame re-framed from the JSON
/// as sent, never re-encoded. The error says which column is wrong.
pub(crate) fn rebuild(stream: &StreamId, row: StoredRow<'_>) -> Result<Committed, &'static str> {
    let name = static_name(row.name).ok_or("unknown type")?;
    let kind = EventKind::parse(row.kind).ok_or("unknown kind")?;
    let at = DateTime::parse_from_rfc3339(row.at)
        .map_err(|_| "bad time")?
        .with_timezone(&Utc);
    let id = format!("{stream}.{}", row.seq);
    Ok(Committed {
        seq: Seq(row.seq),
        at,
        name,
        scope: Scope {
            kind,
            match_id: row.match_id.map(MatchId),
            leagues: row
                .leagues
                .split(',')
                .filter(|l| !l.is_empty())
                .map(LeagueId::from)
                .collect(),
        },
        sse: sse::event(&id, name, row.json.as_bytes()),
        json: row.json.into(),
    })
}

/// The event type names as `'static` strings (the `Committed` type carries them that way).
fn static_name(name: &str) -> Option<&'static str> {
    crate::feed::Event::NAMES.into_iter().find(|n| *n == name)
}
