//! Rotating the stream when the shared log went back: a database restored from an older backup,
//! or an asynchronous standby promoted, holds a head behind seqs that nodes have already handed
//! out. Those ids would now name different events, so the log is given a new stream id: a viewer
//! resuming with an old id then gets a snapshot, never a different replay.
//!
//! The first node to notice moves the database to a new stream id (only if it still holds the
//! old one, so nodes noticing together agree on one new id); the others notice that the stream
//! changed, and every node then reloads from the database.

use std::sync::atomic::Ordering;

use super::{Head, PgError, PgLog};
use crate::ids::{Seq, StreamId};

impl PgLog {
    /// Move to the database's stream after this node's went back or changed: rotate it to a new
    /// id if the database still holds the stream this node had, else adopt the one it holds.
    /// Returns the stream and head to reload from.
    pub async fn rejoin(&self) -> Result<(StreamId, Head), PgError> {
        let ours = self.stream()?;
        let fresh = StreamId::random();
        let client = self.reader().await?;
        client
            .execute(
                "UPDATE livescore_meta SET stream = $1 WHERE stream = $2",
                &[&fresh.as_str(), &ours.as_str()],
            )
            .await
            .map_err(|source| self.query_error("rotate the stream", source))?;
        let row = client
            .query_one("SELECT stream, head, epoch FROM livescore_meta", &[])
            .await
            .map_err(|source| self.query_error("read the rotated stream", source))?;
        drop(client);
        let found: String = row.get(0);
        let stream = StreamId::parse(&found).ok_or_else(|| PgError::StreamChanged {
            target: self.target.clone(),
            expected: fresh,
            found: found.clone(),
        })?;
        let head = Head {
            seq: Seq(row.get::<_, i64>(1) as u64),
            epoch: row.get::<_, i64>(2) as u64,
        };
        self.seen_head.store(head.seq.0, Ordering::Relaxed);
        *self.stream.write().expect("stream lock") = Some(stream.clone());
        tracing::warn!(from = %ours, to = %stream, head = %head.seq, "the shared log went back; the stream was rotated");
        Ok((stream, head))
    }
}
