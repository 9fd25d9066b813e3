//! Electing the cluster's one generator: every node with the generator on campaigns, one leads.
//!
//! Leadership is a PostgreSQL session advisory lock ([`LOCK_KEY`]) taken with
//! `pg_try_advisory_lock` on a connection of its own, asked again every [`POLL_EVERY`] by each
//! standby. The lock lives as long as its session, so a leader whose process dies (its socket
//! closes) or whose host dies (TCP keepalives, on both ends) frees it within seconds. A leader
//! that is merely *paused* (SIGSTOP, a long stall, a partition that keeps the socket open) would
//! hold it for ever, so the session also has an `idle_session_timeout` of [`LEASE`]: a live
//! leader asks something every second, a paused one is cut off by the server and its lock freed.
//!
//! The lock alone cannot stop a paused leader that wakes up believing it still leads, with
//! commands already on their way: every new leader bumps the log's generator epoch first, and
//! its generator's batches carry that epoch, which `livescore_append` checks. The stale leader's
//! batches are refused (fenced) and it stands down when it learns it lost its session.

use std::sync::Arc;
use std::time::Duration;

use actix::{Message, Recipient};
use tokio_postgres::Client;

use crate::ids::Seq;
use crate::store::postgres::{PgError, PgLog, spawn_connection};

/// The advisory lock whose holder leads the generator ("livegen1" in ASCII; not the
/// migration lock, which every starting node takes).
pub const LOCK_KEY: i64 = 0x6c69_7665_6765_6e31;

/// How often a standby asks for the lock, and a leader checks it still holds it.
pub const POLL_EVERY: Duration = Duration::from_secs(1);

/// A campaign session idle this long (its node paused) is ended by the server, freeing the lock.
pub const LEASE: Duration = Duration::from_secs(3);

/// What the campaign tells the generator.
#[derive(Message, Debug, Clone, Copy, PartialEq, Eq)]
#[rtype(result = "()")]
pub enum Leadership {
    /// This node leads from `epoch` on; the log's head was `head` when it took over, so the
    /// generator plans from a state at least that recent.
    Lead { epoch: u64, head: Seq },
    /// Another node leads now (or may): stop generating.
    StandDown,
    /// An append was refused because the log's epoch is `epoch`: a generator leading with an
    /// older one stands down.
    Fenced { epoch: u64 },
}

/// The generator's settings as the cluster shares them (`generator.control` taken by any node),
/// read every [`POLL_EVERY`] by each node's campaign and told to its hub when they change.
#[derive(Message, Debug, Clone, Copy, PartialEq)]
#[rtype(result = "()")]
pub struct GeneratorSettings {
    pub running: Option<bool>,
    pub speed: Option<f64>,
}

impl PgLog {
    /// Record the generator's settings for the whole cluster (`None` leaves one as it is).
    pub async fn steer_generator(
        &self,
        running: Option<bool>,
        speed: Option<f64>,
    ) -> Result<(), PgError> {
        let client = self.reader().await?;
        client
            .execute(
                "UPDATE livescore_meta SET generator_running = COALESCE($1, generator_running),
                        generator_speed = COALESCE($2, generator_speed) WHERE singleton",
                &[&running, &speed],
            )
            .await
            .map_err(|source| self.query_error("record the generator's settings", source))?;
        Ok(())
    }
}

/// Campaign for the generator on the current actix arbiter until `generator` is gone; tell
/// `settings` the cluster's generator settings whenever they change.
pub fn campaign(
    log: Arc<PgLog>,
    node: String,
    generator: Recipient<Leadership>,
    settings: Recipient<GeneratorSettings>,
) {
    actix::spawn(async move {
        let mut known = None;
        loop {
            match connect(&log).await {
                Ok(client) => {
                    let (leading, error) =
                        hold(&client, &node, &generator, &settings, &mut known).await;
                    if leading {
                        generator.do_send(Leadership::StandDown);
                    }
                    if let Some(error) = error {
                        tracing::warn!(%node, %error, led = leading, "lost the generator election session");
                    }
                }
                Err(error) => tracing::warn!(%node, %error, "cannot campaign for the generator"),
            }
            if !generator.connected() {
                return;
            }
            tokio::time::sleep(POLL_EVERY).await;
        }
    });
}

/// A session for campaigning: idle past the lease, the server ends it.
async fn connect(log: &PgLog) -> Result<Client, PgError> {
    let client = spawn_connection(&log.config, &log.target, "election").await?;
    client
        .batch_execute(&format!(
            "SET idle_session_timeout = {}; SET tcp_keepalives_idle = {}",
            LEASE.as_millis(),
            super::KEEPALIVE_IDLE.as_secs()
        ))
        .await
        .map_err(|source| PgError::Query {
            target: log.target.clone(),
            doing: "configure the election session",
            source,
        })?;
    Ok(client)
}

/// Ask for the lock every second and lead while it is held, until the session fails or the
/// generator is gone. Returns whether this node was leading, and the error that ended it.
async fn hold(
    client: &Client,
    node: &str,
    generator: &Recipient<Leadership>,
    settings: &Recipient<GeneratorSettings>,
    known: &mut Option<GeneratorSettings>,
) -> (bool, Option<tokio_postgres::Error>) {
    let mut leading: Option<u64> = None;
    let mut every = tokio::time::interval(POLL_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        if !generator.connected() {
            return (leading.is_some(), None);
        }
        match read_settings(client).await {
            Ok(now) if *known != Some(now) => {
                *known = Some(now);
                settings.do_send(now);
            }
            Ok(_) => {}
            Err(error) => return (leading.is_some(), Some(error)),
        }
        match leading {
            None => match try_lead(client).await {
                Ok(Some((epoch, head))) => {
                    tracing::info!(%node, epoch, %head, "leading the generator");
                    leading = Some(epoch);
                    generator.do_send(Leadership::Lead { epoch, head });
                }
                Ok(None) => {}
                Err(error) => return (false, Some(error)),
            },
            Some(epoch) => match still_leading(client, epoch).await {
                Ok(true) => {}
                Ok(false) => {
                    tracing::warn!(%node, epoch, "a newer generator epoch exists; standing down");
                    let _ = client.execute("SELECT pg_advisory_unlock_all()", &[]).await;
                    leading = None;
                    generator.do_send(Leadership::StandDown);
                }
                Err(error) => return (true, Some(error)),
            },
        }
    }
}

/// Take the lock if it is free, then move the log to the next epoch: `(epoch, head)`.
async fn try_lead(client: &Client) -> Result<Option<(u64, Seq)>, tokio_postgres::Error> {
    let got: bool = client
        .query_one("SELECT pg_try_advisory_lock($1)", &[&LOCK_KEY])
        .await?
        .get(0);
    if !got {
        return Ok(None);
    }
    let row = client
        .query_one(
            "UPDATE livescore_meta SET epoch = epoch + 1 WHERE singleton RETURNING epoch, head",
            &[],
        )
        .await?;
    Ok(Some((
        row.get::<_, i64>(0) as u64,
        Seq(row.get::<_, i64>(1) as u64),
    )))
}

/// Whether `epoch` is still the log's (the session answering proves the lock is still held).
async fn still_leading(client: &Client, epoch: u64) -> Result<bool, tokio_postgres::Error> {
    let now: i64 = client
        .query_one("SELECT epoch FROM livescore_meta", &[])
        .await?
        .get(0);
    Ok(now as u64 == epoch)
}

/// The generator's settings as the cluster shares them.
async fn read_settings(client: &Client) -> Result<GeneratorSettings, tokio_postgres::Error> {
    let row = client
        .query_one(
            "SELECT generator_running, generator_speed FROM livescore_meta",
            &[],
        )
        .await?;
    Ok(GeneratorSettings {
        running: row.get(0),
        speed: row.get(1),
    })
}
