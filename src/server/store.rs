//! Which store backs the hub, opened at start-up: none (`--in-memory`), SQLite in `--data-dir`
//! (the default), or the shared PostgreSQL log of cluster mode (`--database-url`); and the hub
//! started on it. Everything past this point sees only the hub and its `LogWriter`.

use std::sync::Arc;

use actix::prelude::*;

use super::StartError;
use crate::actors::broadcaster::Broadcaster;
use crate::actors::hub::{Durability, Hub};
use crate::config::Config;
use crate::feed::{EventLog, FeedState, RingLog};
use crate::ids::{Seq, StreamId};
use crate::metrics::Metrics;
use crate::store::marker::Head;
use crate::store::postgres::PgLog;
use crate::store::postgres::follow::{Followers, follow};
use crate::store::postgres::recover::{Joined, join};
use crate::store::postgres::writer::{PgWriter, Reports};
use crate::store::recover::{Recovered, recover};
use crate::store::writer::Writer;

/// The store, opened and read back.
pub enum Opened {
    Memory,
    Sqlite(Box<Recovered>),
    Postgres { joined: Box<Joined>, url: String },
}

/// Open the store the configuration names and read the feed back from it.
pub async fn open(config: &Config, fixtures: &FeedState) -> Result<Opened, StartError> {
    if let Some(url) = &config.database_url {
        let joined = join(
            &url.0,
            fixtures.clone(),
            config.log_capacity,
            &config.window(),
            config.liveness(),
        )
        .await
        .map_err(StartError::Database)?;
        tracing::info!(
            database = joined.log.target(),
            seq = %joined.loaded.ring.last_seq(),
            replayed = joined.loaded.replayed,
            "joined the cluster's stream"
        );
        return Ok(Opened::Postgres {
            joined: Box::new(joined),
            url: url.0.clone(),
        });
    }
    if config.in_memory {
        return Ok(Opened::Memory);
    }
    let max = (config.max_store_mb > 0).then_some(config.max_store_mb << 20);
    let recovered = recover(
        &config.data_dir,
        fixtures.clone(),
        config.log_capacity,
        max,
        config.accept_empty_store,
    )?;
    tracing::info!(
        store = %recovered.store.path().display(),
        seq = %recovered.log.last_seq(),
        replayed = recovered.replayed,
        "recovered from the store"
    );
    Ok(Opened::Sqlite(Box::new(recovered)))
}

/// The hub, started on its own arbiter.
pub struct Started {
    pub stream: StreamId,
    pub hub: Addr<Hub>,
    /// The hub's arbiter (the generator runs there too).
    pub arbiter: ArbiterHandle,
    /// The shared log, for replays older than memory holds (cluster mode).
    pub pg: Option<Arc<PgLog>>,
}

/// Start the hub on `arbiter` with the store `opened` (or `fixtures`, in memory).
pub fn start_hub(
    opened: Opened,
    fixtures: FeedState,
    config: &Config,
    broadcaster: Addr<Broadcaster>,
    metrics: Metrics,
    arbiter: &ArbiterHandle,
) -> Started {
    let (snapshot_every, retention) = (config.snapshot_every, config.retention);
    let log_bytes = config.log_max_mb << 20;
    let max_replay = config.max_replay_events;
    let window = config.window();
    let hub = move |state, log: Box<dyn EventLog>| {
        Hub::new(state, log, broadcaster, metrics)
            .max_replay(max_replay)
            .window(window)
    };
    let (stream, address, pg) = match opened {
        Opened::Memory => {
            let stream = StreamId::random();
            let log =
                RingLog::new(stream.clone(), config.log_capacity, Seq(0)).with_max_bytes(log_bytes);
            let archive_bytes = config.archive_memory_mb << 20;
            let address = Hub::start_in_arbiter(arbiter, move |_| {
                hub(fixtures, Box::new(log)).memory_archive(archive_bytes)
            });
            (stream, address, None)
        }
        Opened::Sqlite(r) => {
            let r = *r;
            let stream = r.log.stream_id().clone();
            let address = Hub::start_in_arbiter(arbiter, move |ctx| {
                let head = Head {
                    stream: r.log.stream_id().clone(),
                    seq: r.log.last_seq(),
                };
                let writer = Writer::spawn(r.store, head, ctx.address().recipient());
                hub(r.state, Box::new(r.log.with_max_bytes(log_bytes))).durable(Durability {
                    writer: Box::new(writer),
                    snapshot_every,
                    retention,
                    oldest_stored: r.oldest_stored,
                    last_snapshot: r.last_snapshot,
                })
            });
            (stream, address, None)
        }
        Opened::Postgres { joined, url } => {
            let Joined { log, loaded: j } = *joined;
            let stream = j.ring.stream_id().clone();
            let shared = log.clone();
            let capacity = config.log_capacity;
            let liveness = config.liveness();
            let address = Hub::start_in_arbiter(arbiter, move |ctx| {
                let reports = Reports {
                    written: ctx.address().recipient(),
                    tailed: ctx.address().recipient(),
                    reloaded: ctx.address().recipient(),
                };
                // Presence needs a name that is unique in the cluster while the node runs.
                let node = format!("{}-{:08x}", std::process::id(), rand::random::<u32>());
                let writer = PgWriter::spawn(log, reports, fixtures, capacity, node.clone());
                let followers = Followers {
                    hub: ctx.address().recipient(),
                    reached: ctx.address().recipient(),
                    presence: ctx.address().recipient(),
                };
                follow(url, node, liveness, followers);
                hub(j.state, Box::new(j.ring.with_max_bytes(log_bytes)))
                    .durable(Durability {
                        writer: Box::new(writer),
                        snapshot_every,
                        retention,
                        oldest_stored: j.oldest_stored,
                        last_snapshot: j.last_snapshot,
                    })
                    .reach(liveness)
            });
            (stream, address, Some(shared))
        }
    };
    Started {
        stream,
        hub: address,
        arbiter: arbiter.clone(),
        pg,
    }
}
