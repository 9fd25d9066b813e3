//! Errors of the PostgreSQL event log: each names the server (never its password), what was
//! being done, and the cause.

use std::time::Duration;

use crate::ids::{Seq, StreamId};
use crate::store::postgres::BatchId;

/// A failure of the PostgreSQL event log.
#[derive(Debug, thiserror::Error)]
pub enum PgError {
    /// The connection URL does not parse (the message names the option, never its value).
    #[error("invalid PostgreSQL connection URL: {0}")]
    BadUrl(#[source] tokio_postgres::Error),

    #[error("cannot connect to PostgreSQL at {target}: {source}")]
    Connect {
        target: String,
        #[source]
        source: tokio_postgres::Error,
    },

    /// The server took the connection but did not finish the start-up exchange in time (a
    /// partition, or a server too busy to answer).
    #[error("cannot connect to PostgreSQL at {target}: no answer within {after:?}")]
    ConnectTimedOut { target: String, after: Duration },

    /// A statement failed; the server rolled back whatever it had started.
    #[error("PostgreSQL at {target}: cannot {doing}: {source}")]
    Query {
        target: String,
        doing: &'static str,
        #[source]
        source: tokio_postgres::Error,
    },

    #[error("PostgreSQL at {target}: no free reader connection: {reason}")]
    Pool { target: String, reason: String },

    #[error(
        "PostgreSQL at {target}: schema version {found} is newer than this livescore \
         understands ({known}); upgrade livescore"
    )]
    SchemaTooNew {
        target: String,
        found: i32,
        known: usize,
    },

    #[error("PostgreSQL at {target}: no stream is open (create_or_open_stream first)")]
    NoStream { target: String },

    /// The database now holds another stream: ids handed out name different events.
    #[error(
        "PostgreSQL at {target}: the stream changed from {expected} to {found} \
         (was the database replaced or restored?)"
    )]
    StreamChanged {
        target: String,
        expected: StreamId,
        found: String,
    },

    /// The head is behind one already seen: committed events were lost (a restore, or an
    /// asynchronous standby promoted).
    #[error(
        "PostgreSQL at {target}: the head went back from seq {seen} to {found} \
         (a restore or failover lost committed events)"
    )]
    HeadWentBack {
        target: String,
        seen: Seq,
        found: Seq,
    },

    /// The connection was lost while the append was in flight: the batch may or may not be in.
    /// Look it up with `batch_committed` (on a new connection) before answering anyone.
    #[error(
        "PostgreSQL at {target}: the outcome of batch {batch} is unknown (the connection was \
         lost during the append): {source}"
    )]
    OutcomeUnknown {
        target: String,
        batch: BatchId,
        #[source]
        source: tokio_postgres::Error,
    },

    #[error("PostgreSQL at {target}: batch {batch} was already appended")]
    DuplicateBatch { target: String, batch: BatchId },

    /// The caller's batch does not fit the head it expects (empty, or seqs not following it).
    #[error("batch {batch} is malformed: {reason}")]
    BadBatch { batch: BatchId, reason: String },

    /// A stored row that cannot be turned back into an event.
    #[error("PostgreSQL at {target}: stored event {seq}: {reason}")]
    BadRow {
        target: String,
        seq: i64,
        reason: &'static str,
    },

    /// This node's shared settings (its live window) differ from those the first node recorded.
    #[error(
        "PostgreSQL at {target}: this node's settings differ from the ones recorded for the \
         cluster: {list}. Every node on a database must share them: start this node with the \
         recorded values (to change them for the whole cluster, stop every node and delete the \
         rows from livescore_settings)",
        list = super::settings::list(differ)
    )]
    SettingsDiffer {
        target: String,
        differ: Vec<super::settings::Differs>,
    },

    /// The events a page asks for were pruned: the reader must reload from a snapshot rather
    /// than continue from a hole.
    #[error("PostgreSQL at {target}: the events after seq {after} are no longer stored (pruned)")]
    Pruned { target: String, after: Seq },
}

/// `user@host:port/dbname` of a connection configuration: what error messages and logs name the
/// server by. The password is never part of it.
pub fn describe_target(config: &tokio_postgres::Config) -> String {
    use tokio_postgres::config::Host;
    let user = config.get_user().unwrap_or("?");
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(host)) => host.clone(),
        Some(Host::Unix(path)) => path.display().to_string(),
        None => "localhost".to_owned(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let db = config.get_dbname().unwrap_or(user);
    format!("{user}@{host}:{port}/{db}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_never_shows_the_password() {
        let config: tokio_postgres::Config = "postgresql://app:s3cret@db.example:6543/live"
            .parse()
            .unwrap();
        let target = describe_target(&config);
        assert_eq!(target, "app@db.example:6543/live");
        assert!(!target.contains("s3cret"));
    }
}
