//! Cluster mode's event log: the events, snapshots and stream id of one stream in PostgreSQL,
//! shared by every node, in one total order.
//!
//! The order comes from one place: a row holding the log's head. Every append is a call of the
//! `livescore_append` SQL function (`schema.rs`), which locks that row, checks the generator's
//! epoch, compares the head with the one the caller expects, inserts the batch at the seqs after
//! it and moves the head, all in one transaction. A node that lost the race is told the real
//! head and catches up before trying again. Seqs are never taken from a sequence (a sequence
//! lets seq 11 become visible before seq 10, and a tailer would skip 10 for ever), and never as
//! `max(seq) + 1` retried on unique violations (slow and unfair under contention).
//!
//! - An append is acknowledged only once PostgreSQL committed it (`synchronous_commit = on` is
//!   set on the writer's session, whatever the server's default). If the connection drops while
//!   the commit is in flight, the outcome is unknown ([`PgError::OutcomeUnknown`]): every batch
//!   carries a [`BatchId`], and [`PgLog::batch_committed`] finds out.
//! - Other nodes learn of a new head from a `NOTIFY` sent *after* the commit, as a statement of
//!   its own ([`PgLog::notify_head`]), carrying the head seq only; a `NOTIFY` inside the append
//!   would serialise every commit in the database. Notifications are lost while a listener is
//!   disconnected, so a [`HeadListener`] is a wake-up, not a queue: readers also poll
//!   [`PgLog::head`] and catch up by seq after every reconnect.
//! - A head that goes back, or a stream id that changes under a running node (a restore, a
//!   promoted asynchronous standby), is reported ([`PgError::HeadWentBack`],
//!   [`PgError::StreamChanged`]) rather than served.
//!
//! Connections: appends, notifications, snapshots and pruning go through one writer connection
//! of the node's own (`tokio-postgres`), reconnected when it is lost; reads (`head`, `page`,
//! batch lookups, snapshots) through a small `deadpool-postgres` pool, taken for one query and
//! given back at once, so open viewers never hold a connection. Every connection has TCP
//! keepalives and a user timeout ([`Liveness`]), so a partition that drops packets ends it
//! instead of leaving a query waiting for ever.

mod append;
mod archive;
mod audit;
mod error;
pub mod follow;
pub mod leader;
mod listen;
mod liveness;
pub mod presence;
mod read;
pub mod recover;
mod rotate;
mod schema;
pub mod settings;
pub mod writer;

use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio::sync::Mutex;
use tokio_postgres::{Client, Config, NoTls};

use crate::ids::{Seq, StreamId};

pub use append::{AppendOutcome, BatchId};
pub use error::{PgError, describe_target};
pub use listen::{HeadListener, Heard};
pub use liveness::Liveness;
pub use read::StoredSnapshot;
pub use schema::MIGRATIONS;

/// The `LISTEN`/`NOTIFY` channel that carries the head seq after each commit.
pub const HEAD_CHANNEL: &str = "livescore_head";

/// The `LISTEN`/`NOTIFY` channel on which each node says which admins it has (cluster-wide
/// presence): a JSON payload `{"node": .., "admins": [..]}`.
pub const PRESENCE_CHANNEL: &str = "livescore_presence";

/// Reader connections per node: replays are paged and short, so a few suffice.
pub const READERS: usize = 4;

/// How long a connection attempt may take before it counts as failed, the start-up exchange
/// included (tokio-postgres's own connect timeout covers only the TCP handshake).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// TCP keepalive idle time of the server's end of the long-lived sessions, so that PostgreSQL
/// frees a dead host's session (and its locks); this end's are set by [`Liveness`].
const KEEPALIVE_IDLE: Duration = Duration::from_secs(10);

/// The configuration of every connection to `url`: named `livescore` for `pg_stat_activity`,
/// with a connect timeout, keepalives and a user timeout.
fn connection_config(url: &str, liveness: Liveness) -> Result<Config, PgError> {
    let mut config = Config::from_str(url).map_err(PgError::BadUrl)?;
    if config.get_application_name().is_none() {
        config.application_name("livescore");
    }
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(CONNECT_TIMEOUT);
    }
    liveness.apply(&mut config);
    Ok(config)
}

/// The stream a node opened: its id, head and generator epoch at that moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened {
    pub stream: StreamId,
    pub head: Seq,
    pub epoch: u64,
    /// Whether this call created the stream (the database held none).
    pub created: bool,
}

/// The committed head of the log and the generator epoch, read together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Head {
    /// The seq of the newest committed event (0 before the first).
    pub seq: Seq,
    pub epoch: u64,
}

/// One node's handle on the shared event log.
pub struct PgLog {
    config: Config,
    /// The server as error messages name it (never with the password).
    target: String,
    /// The writer connection; `None` after it was lost, until the next write reconnects.
    writer: Mutex<Option<Client>>,
    readers: Pool,
    /// The stream opened by [`PgLog::create_or_open_stream`] (or moved to by [`PgLog::rejoin`]).
    stream: std::sync::RwLock<Option<StreamId>>,
    /// The highest head this node has seen, to notice one that goes back.
    seen_head: AtomicU64,
}

impl PgLog {
    /// Connect to the database at `url` (a `postgresql://` URL or a `key=value` string) and bring
    /// its schema up to date. Every connection of this log is given `liveness`'s keepalives and
    /// user timeout.
    pub async fn connect(url: &str, liveness: Liveness) -> Result<PgLog, PgError> {
        let config = connection_config(url, liveness)?;
        let target = describe_target(&config);
        let manager = Manager::from_config(
            config.clone(),
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let readers = Pool::builder(manager)
            .max_size(READERS)
            .build()
            .map_err(|e| PgError::Pool {
                target: target.clone(),
                reason: e.to_string(),
            })?;
        let mut writer = connect_writer(&config, &target).await?;
        schema::migrate(&mut writer, &target).await?;
        tracing::info!(%target, "PostgreSQL event log connected");
        Ok(PgLog {
            config,
            target,
            writer: Mutex::new(Some(writer)),
            readers,
            stream: std::sync::RwLock::new(None),
            seen_head: AtomicU64::new(0),
        })
    }

    /// The server, as `user@host:port/dbname`.
    pub fn target(&self) -> &str {
        &self.target
    }

    /// Open the database's stream, or create it as `candidate` with `initial_state` as its
    /// snapshot at seq 0 when the database holds none. Nodes starting together agree on one
    /// stream: the first to insert wins, the others open it.
    pub async fn create_or_open_stream(
        &mut self,
        candidate: &StreamId,
        initial_state: &str,
    ) -> Result<Opened, PgError> {
        let target = self.target.clone();
        let fail = |doing: &'static str| {
            let target = target.clone();
            move |source| PgError::Query {
                target,
                doing,
                source,
            }
        };
        let mut guard = self.writer.lock().await;
        let writer = writer_of(&mut guard, &self.config, &self.target).await?;
        let tx = writer
            .transaction()
            .await
            .map_err(fail("begin creating the stream"))?;
        let created = tx
            .execute(
                "INSERT INTO livescore_meta (stream, head) VALUES ($1, 0) ON CONFLICT DO NOTHING",
                &[&candidate.as_str()],
            )
            .await
            .map_err(fail("create the stream"))?
            == 1;
        if created {
            tx.execute(
                "INSERT INTO livescore_snapshots (seq, at, state) VALUES (0, $1, $2)",
                &[&chrono::Utc::now().to_rfc3339(), &initial_state],
            )
            .await
            .map_err(fail("write the stream's first snapshot"))?;
        }
        let row = tx
            .query_one("SELECT stream, head, epoch FROM livescore_meta", &[])
            .await
            .map_err(fail("read the stream"))?;
        tx.commit()
            .await
            .map_err(fail("commit the stream's creation"))?;
        drop(guard);
        let found: String = row.get(0);
        let stream = StreamId::parse(&found).ok_or_else(|| PgError::StreamChanged {
            target: self.target.clone(),
            expected: candidate.clone(),
            found: found.clone(),
        })?;
        let head = Seq(row.get::<_, i64>(1) as u64);
        let epoch = row.get::<_, i64>(2) as u64;
        self.seen_head.store(head.0, Ordering::Relaxed);
        *self.stream.write().expect("stream lock") = Some(stream.clone());
        tracing::info!(%stream, head = head.0, epoch, created, "stream opened");
        Ok(Opened {
            stream,
            head,
            epoch,
            created,
        })
    }

    /// The opened stream.
    pub fn stream(&self) -> Result<StreamId, PgError> {
        let stream = self.stream.read().expect("stream lock");
        stream.clone().ok_or_else(|| PgError::NoStream {
            target: self.target.clone(),
        })
    }

    /// The committed head (the seq of the newest event) and the generator epoch, checked against
    /// what this node has seen: a changed stream or a head that went back is an error.
    pub async fn head(&self) -> Result<Head, PgError> {
        let client = self.reader().await?;
        let row = client
            .query_one("SELECT stream, head, epoch FROM livescore_meta", &[])
            .await
            .map_err(|source| self.query_error("read the head", source))?;
        let found: String = row.get(0);
        let expected = self.stream()?;
        if found != expected.as_str() {
            return Err(PgError::StreamChanged {
                target: self.target.clone(),
                expected,
                found,
            });
        }
        Ok(Head {
            seq: self.saw_head(Seq(row.get::<_, i64>(1) as u64))?,
            epoch: row.get::<_, i64>(2) as u64,
        })
    }

    /// Make `epoch` the generator's: what a newly elected leader does before its first append,
    /// so that the one before it is fenced. Returns the new epoch.
    pub async fn bump_epoch(&self) -> Result<u64, PgError> {
        let mut guard = self.writer.lock().await;
        let writer = writer_of(&mut guard, &self.config, &self.target).await?;
        let row = writer
            .query_one(
                "UPDATE livescore_meta SET epoch = epoch + 1 WHERE singleton RETURNING epoch",
                &[],
            )
            .await
            .map_err(|source| self.query_error("move to the next epoch", source))?;
        Ok(row.get::<_, i64>(0) as u64)
    }

    /// Record a head read from the database; an error if it is behind one seen before.
    fn saw_head(&self, head: Seq) -> Result<Seq, PgError> {
        let seen = self.seen_head.fetch_max(head.0, Ordering::Relaxed);
        if head.0 < seen {
            return Err(PgError::HeadWentBack {
                target: self.target.clone(),
                seen: Seq(seen),
                found: head,
            });
        }
        Ok(head)
    }

    /// A reader connection from the pool, for one query.
    async fn reader(&self) -> Result<deadpool_postgres::Object, PgError> {
        self.readers.get().await.map_err(|e| PgError::Pool {
            target: self.target.clone(),
            reason: e.to_string(),
        })
    }

    fn query_error(&self, doing: &'static str, source: tokio_postgres::Error) -> PgError {
        PgError::Query {
            target: self.target.clone(),
            doing,
            source,
        }
    }
}

/// The writer connection in `slot`, connecting again if it was lost.
async fn writer_of<'a>(
    slot: &'a mut Option<Client>,
    config: &Config,
    target: &str,
) -> Result<&'a mut Client, PgError> {
    if slot.as_ref().is_none_or(Client::is_closed) {
        *slot = Some(connect_writer(config, target).await?);
    }
    Ok(slot.as_mut().expect("just connected"))
}

/// A connection for writing: acks wait for a durable commit, and the server probes the
/// connection too, so a node whose host died releases its locks.
async fn connect_writer(config: &Config, target: &str) -> Result<Client, PgError> {
    let client = spawn_connection(config, target, "writer").await?;
    client
        .batch_execute(&format!(
            "SET synchronous_commit = on; SET tcp_keepalives_idle = {}",
            KEEPALIVE_IDLE.as_secs()
        ))
        .await
        .map_err(|source| PgError::Query {
            target: target.to_owned(),
            doing: "configure the writer session",
            source,
        })?;
    Ok(client)
}

/// Connect, and drive the connection on a task of its own until it ends.
async fn spawn_connection(
    config: &Config,
    target: &str,
    role: &'static str,
) -> Result<Client, PgError> {
    let (client, connection) = connect(config, target).await?;
    let target = target.to_owned();
    tokio::spawn(async move {
        if let Err(error) = connection.await {
            tracing::warn!(%target, role, %error, "PostgreSQL connection lost");
        }
    });
    Ok(client)
}

/// Connect, the start-up exchange included, within the connect timeout (the URL's
/// `connect_timeout`, else [`CONNECT_TIMEOUT`]): a server that accepts the TCP connection and then
/// says nothing must not hold the caller for ever.
async fn connect(
    config: &Config,
    target: &str,
) -> Result<
    (
        Client,
        tokio_postgres::Connection<tokio_postgres::Socket, tokio_postgres::tls::NoTlsStream>,
    ),
    PgError,
> {
    let limit = config
        .get_connect_timeout()
        .copied()
        .unwrap_or(CONNECT_TIMEOUT);
    match tokio::time::timeout(limit, config.connect(NoTls)).await {
        Ok(connected) => connected.map_err(|source| PgError::Connect {
            target: target.to_owned(),
            source,
        }),
        Err(_) => Err(PgError::ConnectTimedOut {
            target: target.to_owned(),
            after: limit,
        }),
    }
}
