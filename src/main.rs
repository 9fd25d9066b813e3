//! The `livescore` binary: runs the server until SIGINT or SIGTERM (the default), or acts as a
//! small admin client (`livescore admin`).

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::{Args, Parser, Subcommand};
use livescore::config::{Config, LogFormat, Secret};
use livescore::server;
use livescore::store::backup;
use tracing_subscriber::EnvFilter;

// jemalloc keeps its bookkeeping out of line, so the untouched tail of each connection's 8 KB
// buffers never becomes resident: 14.1 KB of RSS per idle viewer instead of 15.9 KB with the
// system allocator, at slightly less CPU per delivery (docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[derive(Parser)]
#[command(
    name = "livescore",
    version,
    about = "Live sports scores and news over Server-Sent Events"
)]
#[command(args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Sub>,
    #[command(flatten)]
    config: Config,
}

#[derive(Subcommand)]
enum Sub {
    /// Send admin commands over the WebSocket control channel and print each reply.
    Admin(AdminArgs),
    /// Write the store as one JSON document (a backup); safe while the server runs.
    Export {
        #[command(flatten)]
        store: StoreArgs,
        /// Write here instead of to standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Load a backup made by `export` into an empty data directory.
    Import {
        #[command(flatten)]
        store: StoreArgs,
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Verify the store: nothing lost since the head marker, contiguous seqs, and every snapshot
    /// equal to the log replayed up to it.
    Check {
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Configuration files.
    #[command(subcommand)]
    Config(ConfigSub),
}

#[derive(Subcommand)]
enum ConfigSub {
    /// Print a config file with every setting at its default, each with its help; give it to
    /// `--config` (or LIVESCORE_CONFIG) after changing what you need.
    Default,
}

#[derive(Args)]
struct StoreArgs {
    /// The server's data directory.
    #[arg(
        long,
        env = "LIVESCORE_DATA_DIR",
        default_value = "data",
        value_name = "DIR"
    )]
    data_dir: PathBuf,
}

#[derive(Args)]
struct AdminArgs {
    /// The server's admin WebSocket: `ws://…`, or `wss://…` for TLS (see --ca-file).
    #[arg(
        long,
        env = "LIVESCORE_URL",
        default_value = "ws://127.0.0.1:8080/ws/admin"
    )]
    url: String,
    /// Admin token (prefer the environment variable: command lines are visible to other users).
    #[arg(long, env = "LIVESCORE_TOKEN", hide_env_values = true)]
    token: Secret,
    /// For a `wss://` URL: trust the certificates in this PEM file (a private CA, or the server's
    /// self-signed certificate) instead of the public roots.
    #[arg(long, env = "LIVESCORE_CA_FILE", value_name = "PEM")]
    ca_file: Option<PathBuf>,
    /// Commands as JSON, e.g. '{"type":"score.set","match_id":1,"home":1,"away":0}'; an `id`
    /// is added when missing. Sent in order; each reply is printed as one line of JSON.
    #[arg(required = true, value_name = "JSON")]
    commands: Vec<String>,
}

#[actix_web::main]
async fn main() -> std::process::ExitCode {
    let cli = match livescore::config::file::parse::<Cli>(std::env::args_os().collect()) {
        Ok(Ok(cli)) => cli,
        Ok(Err(e)) => e.exit(),
        Err(e) => {
            eprintln!("error: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    init_logging(cli.config.log_format);
    let outcome = match cli.command {
        Some(Sub::Admin(args)) => admin(args).await,
        Some(Sub::Export { store, out }) => export(&store.data_dir, out.as_deref()),
        Some(Sub::Import { store, file }) => import(&store.data_dir, &file),
        Some(Sub::Check { store }) => check(&store.data_dir),
        Some(Sub::Config(ConfigSub::Default)) => {
            let file = livescore::config::settings::default_file();
            std::io::stdout()
                .write_all(file.as_bytes())
                .map_err(Into::into)
        }
        None => serve(cli.config).await,
    };
    match outcome {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Log to stderr as text or JSON lines, at the level `LIVESCORE_LOG` names (default `info`), in
/// colour only when stderr is a terminal (escape codes would litter a file or a log collector).
fn init_logging(format: LogFormat) {
    use std::io::IsTerminal as _;
    let filter =
        EnvFilter::try_from_env("LIVESCORE_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    match format {
        LogFormat::Text => logs.init(),
        LogFormat::Json => logs.json().flatten_event(true).init(),
    }
}

async fn admin(args: AdminArgs) -> anyhow::Result<()> {
    let refused = livescore::client::run(
        &args.url,
        &args.token.0,
        &args.commands,
        args.ca_file.as_deref(),
    )
    .await?;
    anyhow::ensure!(
        refused == 0,
        "{refused} of {} commands refused",
        args.commands.len()
    );
    Ok(())
}

fn export(dir: &Path, out: Option<&Path>) -> anyhow::Result<()> {
    let backup = backup::export(dir)?;
    let json = serde_json::to_string(&backup)?;
    match out {
        Some(path) => {
            std::fs::write(path, json).with_context(|| format!("writing {}", path.display()))?
        }
        None => std::io::stdout().write_all(json.as_bytes())?,
    }
    eprintln!(
        "exported stream {} (snapshot at seq {}, {} events)",
        backup.stream,
        backup.snapshot_seq,
        backup.events.len()
    );
    Ok(())
}

fn import(dir: &Path, file: &Path) -> anyhow::Result<()> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let backup: backup::Export = serde_json::from_str(&text)
        .with_context(|| format!("{} is not an export", file.display()))?;
    let events = backup::import(dir, &backup)?;
    eprintln!(
        "imported stream {} into {} ({events} events)",
        backup.stream,
        dir.display()
    );
    Ok(())
}

fn check(dir: &Path) -> anyhow::Result<()> {
    let checked = backup::check(dir)?;
    println!(
        "ok: {} events (seq {} to {}) contiguous; {} snapshots match the replayed log",
        checked.events,
        checked.first.next(),
        checked.last,
        checked.snapshots
    );
    Ok(())
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let speed = config.speed;
    raise_fd_limit(config.max_viewers as u64 + 4096);
    // Listen for signals before anything can observe the server: a SIGTERM that arrived between
    // the banner and the handler would otherwise kill it without its clean shutdown.
    let signals = shutdown_signal();
    let running = server::start(config)
        .await
        .context("livescore could not start")?;
    let base = format!("http://{}", running.addr);
    let metrics = format!("http://{}", running.metrics_addr.unwrap_or(running.addr));
    let generator = match running.seed {
        Some(seed) => format!("seed {seed}, speed {speed}x"),
        None => "off".to_owned(),
    };
    let token = match &running.generated_token {
        Some(token) => {
            format!("{token}   (generated for this run; set LIVESCORE_ADMIN_TOKENS to choose)")
        }
        None => "from LIVESCORE_ADMIN_TOKENS / --admin-tokens-file".to_owned(),
    };
    // Written without println!, which panics when stdout has been closed (`livescore | head -1`).
    let banner = format!(
        "livescore listening on {base}/\n  \
         dashboard      {base}/\n  \
         admin console  {base}/admin\n  \
         admin token    {token}\n  \
         SSE feed       curl -N {base}/events\n  \
         snapshot       {base}/api/snapshot\n  \
         metrics        {metrics}/metrics\n  \
         generator      {generator}\n"
    );
    let mut stdout = std::io::stdout();
    let _ = stdout
        .write_all(banner.as_bytes())
        .and_then(|()| stdout.flush());
    let stopper = running.handle();
    let server = running.wait();
    tokio::pin!(server);
    tokio::select! {
        result = &mut server => return result.context("server failed"),
        signal = signals => tracing::info!(signal, "shutting down"),
    }
    // The server future must keep being polled while it stops: it is what carries out the stop.
    let ((), result) = tokio::join!(stopper.shut_down(), server);
    result.context("server failed during shutdown")
}

/// Every viewer is an open socket: make room for `--max-viewers` of them. Root may raise the hard
/// limit; anyone may raise the soft limit up to it.
fn raise_fd_limit(wanted: u64) {
    use rlimit::Resource;
    let got = match rlimit::setrlimit(Resource::NOFILE, wanted, wanted) {
        Ok(()) => wanted,
        Err(_) => rlimit::increase_nofile_limit(wanted).unwrap_or(0),
    };
    if got < wanted {
        tracing::warn!(
            limit = got,
            wanted,
            "open-file limit is below --max-viewers; raise it (ulimit -n)"
        );
    }
}

/// Resolves on SIGINT or SIGTERM with the signal's name.
fn shutdown_signal() -> impl std::future::Future<Output = &'static str> {
    use tokio::signal::unix::{SignalKind, signal};
    // Registered now, when called, not when first polled.
    let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
    let mut int = signal(SignalKind::interrupt()).expect("SIGINT handler");
    async move {
        tokio::select! {
            _ = term.recv() => "SIGTERM",
            _ = int.recv() => "SIGINT",
        }
    }
}
