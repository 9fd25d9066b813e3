//! Assembles a running server from a [`Config`]: loads the fixtures, starts the actors, binds the
//! HTTP listener. `main.rs` and the integration tests both start servers through [`start`].

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;
use actix_web::{App, HttpServer, dev::ServerHandle, web};
use chrono::Utc;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use crate::actors::admin_session::{SessionDeps, close};
use crate::actors::broadcaster::{Broadcaster, CloseAll};
use crate::actors::generator::{Generator, Role};
use crate::actors::hub::{AttachGenerator, CloseAdmins, CloseStore, Hub};
use crate::auth::{AdminTokens, TokenError};
use crate::config::{Config, ConfigError};
use crate::feed::FeedState;
use crate::feed::fixtures::{FixtureError, Fixtures};
use crate::http::admission::ViewerSlots;
use crate::http::{self, AppState};
use crate::ids::StreamId;
use crate::metrics::Metrics;
use crate::model::TeamWithSquad;
use crate::protocol::GeneratorState;
use crate::store::StoreError;
use crate::store::postgres::leader::campaign;

/// Why the server did not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Fixtures(#[from] FixtureError),
    #[error(transparent)]
    Tokens(#[from] TokenError),
    /// Not a `#[from]`: that would make the store error the source too, and `anyhow` would print
    /// its message twice.
    #[error("the store cannot be used: {0}")]
    Store(StoreError),
    #[error("the database cannot be used: {0}")]
    Database(String),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

impl From<StoreError> for StartError {
    fn from(e: StoreError) -> StartError {
        StartError::Store(e)
    }
}

mod background;
mod store;

pub use background::Background;

/// A started server. Await [`Running::wait`] to run it to completion.
pub struct Running {
    /// The address actually bound (useful with port 0).
    pub addr: SocketAddr,
    /// Where `/metrics` is served when `--metrics-bind` moved it.
    pub metrics_addr: Option<SocketAddr>,
    pub stream: StreamId,
    /// The generator's seed, when the generator runs.
    pub seed: Option<u64>,
    /// The admin token made up at start-up because none was configured (show it once).
    pub generated_token: Option<String>,
    pub hub: Addr<Hub>,
    server: actix_web::dev::Server,
    broadcaster: Addr<Broadcaster>,
    shutting_down: Arc<AtomicBool>,
    drain: Duration,
}

/// How long in-flight requests get to finish once shutdown starts.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(1);

/// Load the starting state named by the config (fixtures from disk or the built-in set).
pub fn initial_state(config: &Config) -> Result<FeedState, FixtureError> {
    let fixtures = match &config.fixtures {
        Some(dir) => Fixtures::from_dir(dir)?,
        None => Fixtures::embedded(),
    };
    let now = Utc::now();
    let mut state = fixtures.into_state(now)?;
    // A new feed starts on the current day, so that a fresh stream does not begin with a roll.
    state.begin_calendar(config.window(), now);
    Ok(state)
}

/// This node's name in `/healthz` and the logs: `--node-name`, else the host name and `port`.
pub fn node_name(config: &Config, port: u16) -> String {
    if let Some(name) = &config.node_name {
        return name.clone();
    }
    let mut buf = [0u8; 256];
    // SAFETY: the buffer is writable for its whole length, and gethostname writes at most that.
    let ok = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) } == 0;
    let len = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    let host = if ok {
        String::from_utf8_lossy(&buf[..len]).into_owned()
    } else {
        "localhost".to_owned()
    };
    format!("{host}:{port}")
}

/// The configured admin tokens, or one generated token (returned so it can be shown).
fn admin_tokens(config: &Config) -> Result<(AdminTokens, Option<String>), TokenError> {
    let tokens = match (&config.admin_tokens, &config.admin_tokens_file) {
        (Some(secret), _) => AdminTokens::parse(&secret.0, "LIVESCORE_ADMIN_TOKENS")?,
        (None, Some(path)) => AdminTokens::from_file(path)?,
        (None, None) => AdminTokens::default(),
    };
    if tokens.is_empty() {
        let (tokens, token) = AdminTokens::generated();
        return Ok((tokens, Some(token)));
    }
    Ok((tokens, None))
}

/// Start the actors and the HTTP server. Must be called inside an actix `System`.
pub async fn start(config: Config) -> Result<Running, StartError> {
    config.validate()?;
    let (tokens, generated_token) = admin_tokens(&config)?;
    let state = initial_state(&config)?;
    let leagues = Arc::new(state.leagues().map(|l| l.id.clone()).collect::<Vec<_>>());
    let teams: Vec<TeamWithSquad> = state
        .teams()
        .map(|team| TeamWithSquad {
            team,
            squad: &team.squad,
        })
        .collect();
    let teams_json = bytes::Bytes::from(serde_json::to_vec(&teams).expect("teams serialize"));
    let metrics = Metrics::new();
    let opened = store::open(&config, &state).await?;
    // The hub and the broadcaster each get a thread of their own: the hub's serialization and
    // the broadcaster's fan-out then run side by side, and neither competes with HTTP workers.
    let heartbeat = config.heartbeat();
    let fanout_metrics = metrics.clone();
    let broadcaster = Broadcaster::start_in_arbiter(&Arbiter::new().handle(), move |_| {
        Broadcaster::new(heartbeat, fanout_metrics)
    });
    let started = store::start_hub(
        opened,
        state,
        &config,
        broadcaster.clone(),
        metrics.clone(),
        &Arbiter::new().handle(),
    );
    let (stream, hub, hub_arbiter, pg) = (started.stream, started.hub, started.arbiter, started.pg);
    let seed = (!config.no_generator).then(|| config.seed.unwrap_or_else(rand::random));
    let role = Role::new(metrics.generator_leader.clone());
    let mut elected = None;
    if let Some(seed) = seed {
        let generator_hub = hub.clone();
        let speed = config.speed;
        let generator_role = role.clone();
        let clustered = pg.is_some();
        let generator = Generator::start_in_arbiter(&hub_arbiter, move |_| {
            let generator = Generator::new(generator_hub, seed, speed, generator_role);
            if clustered {
                generator.clustered()
            } else {
                generator
            }
        });
        elected = Some(generator.clone().recipient());
        hub.do_send(AttachGenerator {
            generator: generator.clone().recipient(),
            leadership: generator.recipient(),
            state: GeneratorState {
                running: true,
                speed,
            },
        });
    }

    let shutting_down = Arc::new(AtomicBool::new(false));
    let metrics_addr = http::metrics_port::MetricsAddr::default();
    let app_state = web::Data::new(AppState {
        hub: hub.clone(),
        slots: ViewerSlots::new(config.max_viewers, config.max_viewers_per_ip),
        compressed: http::compressed::CompressedCache::new(config.compressed_cache_mb, &metrics),
        store_replays: Arc::new(tokio::sync::Semaphore::new(config.max_store_replays)),
        leagues,
        teams_json,
        admin: SessionDeps::new(hub.clone(), tokens, &config, &metrics),
        next_session: AtomicU64::new(1),
        data_dir: (!config.in_memory && config.database_url.is_none())
            .then(|| config.data_dir.clone()),
        pg: pg.clone(),
        generator: role,
        stream: stream.clone(),
        config: Arc::new(config.clone()),
        metrics,
        shutting_down: shutting_down.clone(),
        metrics_addr: metrics_addr.clone(),
    });
    let cors_config = Arc::clone(&app_state.config);
    let mut server = HttpServer::new(move || {
        use actix_web::middleware::{Compress, Condition, from_fn};
        App::new()
            .wrap(from_fn(http::metrics_port::split))
            .wrap(from_fn(http::methods::head_as_get))
            .wrap(Condition::new(
                http::cors::enabled(&cors_config),
                http::cors::middleware(&cors_config),
            ))
            .wrap(from_fn(http::cors::errors_as_json))
            .wrap(from_fn(http::methods::head_uncompressed))
            // JSON, pages and scripts go out compressed when the client accepts it; the SSE
            // stream never (http/events.rs), WebSocket upgrades (101) are never touched, and
            // embedded pages arrive already compressed (assets.rs).
            .wrap(Compress::default())
            .wrap(from_fn(http::events::never_compressed))
            // Every guard above sees the path the router matches (no `/%6detrics`).
            .wrap(from_fn(http::canonical_path::decode))
            // Outermost, so it logs the method as asked (`HEAD`) and every answer gets the id.
            .wrap(from_fn(http::access::access_log))
            .app_data(app_state.clone())
            .configure(http::routes)
    })
    .disable_signals()
    // Push is about latency: a frame must leave as soon as it is written, not wait for Nagle's
    // algorithm to pair it with the next one (an event and an ack written back to back would
    // otherwise sit out a delayed ACK, ~40 ms).
    .tcp_nodelay(true)
    // Viewers arrive in crowds (a goal, a reconnect storm): a deep accept queue keeps them from
    // being refused while the acceptor catches up. The kernel caps it at net.core.somaxconn.
    .backlog(4096)
    // Flush once this much is buffered; SSE bodies arrive in pieces of at most this size, so a
    // connection's write buffer never grows past its initial capacity (see http/events.rs).
    .h1_write_buffer_size(crate::http::events::WRITE_PIECE)
    // A client that closes its end is gone: end its connection at once, so the viewer slot it
    // held is free for the next one (by default actix keeps writing to a half-closed socket until
    // a write fails, which for an idle stream means the next heartbeat).
    .h1_allow_half_closed(false)
    .on_connect(on_connect(Duration::from_secs(config.write_timeout_secs)))
    .shutdown_timeout(SHUTDOWN_GRACE.as_secs());
    if let Some(workers) = config.workers {
        server = server.workers(workers);
    }
    let server = server
        .bind(config.bind)
        .map_err(|source| StartError::Bind {
            addr: config.bind,
            source,
        })?;
    let addr = server.addrs()[0];
    let server = match config.metrics_bind {
        None => server,
        Some(wanted) => {
            let server = server.bind(wanted).map_err(|source| StartError::Bind {
                addr: wanted,
                source,
            })?;
            let bound = server.addrs().into_iter().find(|a| *a != addr);
            let _ = metrics_addr.set(bound.expect("the metrics listener is bound"));
            server
        }
    };
    if let (Some(log), Some(elected)) = (pg, elected) {
        let node = node_name(&config, addr.port());
        let settings = hub.clone().recipient();
        hub_arbiter.spawn(async move { campaign(log, node, elected, settings) });
    }
    Ok(Running {
        addr,
        metrics_addr: metrics_addr.get().copied(),
        stream,
        seed,
        generated_token,
        hub,
        server: server.run(),
        broadcaster,
        shutting_down,
        drain: Duration::from_secs(config.drain_secs),
    })
}

impl Running {
    /// A handle that stops the server from elsewhere (see [`shut_down`]).
    pub fn handle(&self) -> Stopper {
        Stopper {
            server: self.server.handle(),
            broadcaster: self.broadcaster.clone(),
            hub: self.hub.clone(),
            shutting_down: self.shutting_down.clone(),
            drain: self.drain,
        }
    }

    /// Serve until stopped.
    pub async fn wait(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// Stops a running server gracefully.
#[derive(Clone)]
pub struct Stopper {
    server: ServerHandle,
    broadcaster: Addr<Broadcaster>,
    hub: Addr<Hub>,
    shutting_down: Arc<AtomicBool>,
    /// `--drain-secs`: how long to go on serving, unready, before closing.
    drain: Duration,
}

impl Stopper {
    /// Answer `/readyz` with 503 and go on serving for `--drain-secs`, so load balancers move
    /// new traffic elsewhere; then end every viewer's stream cleanly (so their responses
    /// complete instead of being cut), close admin sessions with 1001, then stop accepting and
    /// let in-flight requests finish within a short grace period.
    pub async fn shut_down(&self) {
        self.shutting_down.store(true, Ordering::Relaxed);
        if !self.drain.is_zero() {
            tracing::info!(secs = self.drain.as_secs(), "draining: /readyz answers 503");
            tokio::time::sleep(self.drain).await;
        }
        let closing = CloseAdmins {
            code: close::GOING_AWAY,
            reason: "server shutting down".into(),
        };
        if let Ok(admins) = self.hub.send(closing).await {
            tracing::info!(admins, "closed admin sessions");
        }
        match self.broadcaster.send(CloseAll).await {
            Ok(viewers) => tracing::info!(viewers, "closed viewer streams"),
            Err(e) => tracing::warn!(error = %e, "broadcaster already gone"),
        }
        self.server.stop(true).await;
        if self.hub.send(CloseStore).await.is_ok() {
            tracing::info!("store closed");
        }
    }

    /// Stop at once, cutting open connections (tests tearing a server down).
    pub fn stop_now(&self) {
        // The stop command is sent when `stop` is called; the returned future only reports on it.
        drop(self.server.stop(false));
    }
}

/// The one `on_connect` hook (actix keeps only the last one given): abort unread connections,
/// and keep each socket for the answers that wait for their bytes to leave (http/in_flight.rs).
fn on_connect(
    write_timeout: Duration,
) -> impl Fn(&dyn std::any::Any, &mut actix_web::dev::Extensions) {
    let abort = abort_when_unread(write_timeout);
    move |connection, data| {
        abort(connection, data);
        http::in_flight::remember_socket(connection, data);
    }
}

/// Set on every accepted connection: the kernel aborts it once written bytes have gone
/// unacknowledged for `timeout`, a client's window included, so a client that stopped reading
/// cannot keep its connection (and the bytes queued in it) for ever. Actix has no write timeout
/// of its own, and a connection whose writes block is never polled, so nothing in the process
/// could notice; a viewer that keeps reading, however slowly, acknowledges and is not affected.
fn abort_when_unread(
    timeout: Duration,
) -> impl Fn(&dyn std::any::Any, &mut actix_web::dev::Extensions) {
    move |connection, _| {
        if let Some(tcp) = connection.downcast_ref::<actix_web::rt::net::TcpStream>()
            && let Err(error) = socket2::SockRef::from(tcp).set_tcp_user_timeout(Some(timeout))
        {
            tracing::warn!(%error, "cannot set TCP_USER_TIMEOUT; unread connections stay open");
        }
    }
}
