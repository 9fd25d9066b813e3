//! `loadgen`: the project's own load generator. It holds thousands of real HTTP/1.1 SSE viewers
//! (or WebSocket, long-poll and polling viewers), publishes marked events at a steady rate through
//! an HTTP endpoint, and reports what every viewer received: publish-to-receive latency, loss,
//! duplicates, and the server's CPU and memory. `run` measures one scenario against any server
//! (livescore, or a peer such as nchan); `suite` is `make bench`; `compare` is `make compare`;
//! `cluster` is `make bench-cluster`.

mod admin;
mod chunked;
mod cluster;
mod compare;
mod hostile;
mod marker;
mod net;
mod pg;
mod procfs;
mod publisher;
mod run;
mod servers;
mod soak;
mod suite;
mod tables;
mod viewer;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;
use std::time::Duration;

use anyhow::{Context as _, bail};
use clap::{Args, Parser, Subcommand};

use marker::Markers;
use net::{Sources, Traffic};
use publisher::Endpoint;
use viewer::{Shared, Transport};

#[derive(Parser)]
#[command(
    name = "loadgen",
    version,
    about = "Load generator for SSE fan-out: latency, loss, server cost"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// One scenario against a running server.
    Run(RunArgs),
    /// The benchmark suite of `make bench`: starts release servers (and nchan) itself.
    Suite(suite::SuiteArgs),
    /// The transport comparison of `make compare`.
    Compare(compare::CompareArgs),
    /// Admin command round trips and throughput against a running server.
    Admin(AdminArgs),
    /// Memory under clients that never read: resumers from far back, stalled admins.
    Hostile(hostile::HostileArgs),
    /// Simulated weeks at the generator's top speed: snapshot size and RSS per simulated day.
    Soak(soak::SoakArgs),
    /// The sports tables under fans: answers per second and latency of the league table and a
    /// team page against the snapshot's, with the generator playing (`make bench-tables`).
    Tables(tables::TablesArgs),
    /// Cluster mode on a throwaway PostgreSQL: durable admin commands, the delay another node
    /// adds, fan-out over three nodes (`make bench-cluster`).
    Cluster(cluster::ClusterArgs),
}

#[derive(Args)]
struct AdminArgs {
    /// The admin WebSocket.
    #[arg(long, default_value = "ws://127.0.0.1:8080/ws/admin")]
    url: String,
    /// An admin token (its rate limit must be out of reach: LIVESCORE_ADMIN_RATE).
    #[arg(long, env = "LIVESCORE_TOKEN")]
    token: String,
    /// Round trips measured one at a time (and again paced at 1 000/s).
    #[arg(long, default_value_t = 10_000)]
    commands: usize,
    /// Commands in flight for the throughput figure.
    #[arg(long, default_value_t = admin::WINDOW)]
    window: usize,
}

#[derive(Args, Clone)]
pub struct RunArgs {
    /// The server's base URL.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    url: String,
    /// Spread the viewers round robin over these servers' base URLs instead of --url, which
    /// still takes the publishes (cluster nodes on one stream; repeatable).
    #[arg(long)]
    viewer_url: Vec<String>,
    #[arg(long, value_enum, default_value = "sse")]
    transport: Transport,
    /// Path and query viewers subscribe to (default: the transport's livescore endpoint).
    #[arg(long)]
    sub_path: Option<String>,
    #[arg(long, default_value_t = 100)]
    viewers: usize,
    /// New viewer connections per second while ramping up.
    #[arg(long, default_value_t = 5000.0)]
    connect_rate: f64,
    /// Extra viewers that subscribe and never read.
    #[arg(long, default_value_t = 0)]
    slow: usize,
    /// Share of viewers that reconnect with their last event id every second (0.1 = 10%).
    #[arg(long, default_value_t = 0.0)]
    churn: f64,
    /// Events published per second.
    #[arg(long, default_value_t = 20.0)]
    rate: f64,
    /// Seconds to publish (or to hold the connections, with --idle).
    #[arg(long, default_value_t = 10.0)]
    duration: f64,
    /// Hold the viewers without publishing (heartbeats only).
    #[arg(long)]
    idle: bool,
    /// Publish URL (default: the server's /api/admin/commands).
    #[arg(long)]
    pub_url: Option<String>,
    /// Extra publish request header, `Name: value` (repeatable).
    #[arg(long)]
    pub_header: Vec<String>,
    /// Publish body; `{marker}` is replaced by each event's marker.
    #[arg(
        long,
        default_value = r#"{"type":"news.publish","headline":"{marker}","tags":["bench"]}"#
    )]
    pub_body: String,
    /// Admin token for livescore (sent as `Authorization: Bearer`).
    #[arg(long, env = "LIVESCORE_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// Concurrent publish connections.
    #[arg(long, default_value_t = 2)]
    pub_conns: usize,
    /// The server's process id(s), for CPU seconds and RSS from /proc.
    #[arg(long, value_delimiter = ',')]
    server_pid: Vec<u32>,
    /// Milliseconds to wait for the last deliveries after publishing stops.
    #[arg(long, default_value_t = 2000)]
    drain_ms: u64,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

/// `http://host:port/path` → (address, `host:port`, path).
pub async fn split_url(url: &str) -> anyhow::Result<(SocketAddr, String, String)> {
    let rest = url
        .strip_prefix("http://")
        .with_context(|| format!("{url}: only http:// URLs are supported"))?;
    let (host, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let hostport = if host.contains(':') {
        host.to_owned()
    } else {
        format!("{host}:80")
    };
    let addr = tokio::net::lookup_host(&hostport)
        .await?
        .next()
        .with_context(|| format!("cannot resolve {host}"))?;
    Ok((addr, host.to_owned(), path.to_owned()))
}

fn default_sub_path(transport: Transport) -> &'static str {
    match transport {
        Transport::Sse => "/events",
        Transport::Ws => "/ws/feed",
        Transport::Longpoll => "/api/events?wait=25",
        Transport::Poll => "/api/snapshot",
    }
}

/// Turn command-line arguments into a run specification.
pub async fn spec(args: &RunArgs, label: String) -> anyhow::Result<run::Spec> {
    let sub_path = args
        .sub_path
        .clone()
        .unwrap_or_else(|| default_sub_path(args.transport).to_owned());
    let urls = if args.viewer_url.is_empty() {
        std::slice::from_ref(&args.url)
    } else {
        &args.viewer_url[..]
    };
    let (traffic, markers) = (Arc::new(Traffic::default()), Markers::new());
    let mut nodes = Vec::with_capacity(urls.len());
    for url in urls {
        let (addr, host, _) = split_url(url).await?;
        nodes.push(Arc::new(Shared {
            addr,
            host,
            path: sub_path.clone(),
            sources: Sources::for_connections(args.viewers + args.slow, 1),
            traffic: traffic.clone(),
            markers: markers.clone(),
            connected: AtomicUsize::new(0),
            connect_errors: AtomicUsize::new(0),
        }));
    }
    let publish = if args.idle {
        None
    } else {
        let pub_url = args
            .pub_url
            .clone()
            .unwrap_or_else(|| format!("{}/api/admin/commands", args.url.trim_end_matches('/')));
        let (addr, host, path) = split_url(&pub_url).await?;
        let mut headers = Vec::new();
        for h in &args.pub_header {
            let (name, value) = h
                .split_once(':')
                .with_context(|| format!("--pub-header `{h}` is not `Name: value`"))?;
            headers.push((name.trim().to_owned(), value.trim().to_owned()));
        }
        if let Some(token) = &args.token {
            headers.push(("Authorization".into(), format!("Bearer {token}")));
        }
        headers.push(("Content-Type".into(), "application/json".into()));
        if !args.pub_body.contains("{marker}") {
            bail!("--pub-body must contain {{marker}}");
        }
        Some(Arc::new(Endpoint {
            addr,
            host,
            path,
            headers,
            body: args.pub_body.clone(),
        }))
    };
    Ok(run::Spec {
        label,
        nodes,
        transport: args.transport,
        viewers: args.viewers,
        connect_rate: args.connect_rate,
        slow: args.slow,
        churn: args.churn,
        publish,
        rate: args.rate,
        duration: Duration::from_secs_f64(args.duration),
        pub_connections: args.pub_conns,
        server_pids: args.server_pid.clone(),
        drain: Duration::from_millis(args.drain_ms),
    })
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let limit = net::raise_fd_limit(200_000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        match cli.command {
            Command::Run(args) => {
                if (args.viewers + args.slow) as u64 + 64 > limit {
                    bail!(
                        "{} connections need more open files than the limit of {limit}",
                        args.viewers + args.slow
                    );
                }
                let label = format!("{} {:?} viewers", args.viewers, args.transport);
                let report = run::run(spec(&args, label).await?).await?;
                if args.json {
                    println!("{}", serde_json::to_string_pretty(&report)?);
                } else {
                    report.print();
                }
                Ok(())
            }
            Command::Suite(args) => suite::run(args).await,
            Command::Compare(args) => compare::run(args).await,
            Command::Admin(args) => {
                let r = admin::run(&args.url, &args.token, args.commands, args.window).await?;
                println!(
                    "{} commands: median {:.0} µs, p99 {:.0} µs, max {:.0} µs; paced 1000/s median {:.0} µs, p99 {:.0} µs; {:.0} acknowledged commands/s with {} in flight",
                    r.commands, r.median_us, r.p99_us, r.max_us, r.paced_median_us, r.paced_p99_us, r.max_commands_per_sec, r.window
                );
                Ok(())
            }
            Command::Hostile(args) => hostile::run(args).await.map(drop),
            Command::Cluster(args) => cluster::run(args).await,
            Command::Soak(args) => soak::run(args).await,
            Command::Tables(args) => tables::run(args).await,
        }
    })
}
