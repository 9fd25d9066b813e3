//! The `livescore` binary: parses the command line and runs the server until SIGINT or SIGTERM.

use std::io::Write as _;

use anyhow::Context as _;
use clap::Parser;
use livescore::config::Config;
use livescore::server;
use tracing_subscriber::EnvFilter;

#[derive(Parser)]
#[command(
    name = "livescore",
    version,
    about = "Live sports scores and news over Server-Sent Events"
)]
struct Cli {
    #[command(flatten)]
    config: Config,
}

#[actix_web::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_env("LIVESCORE_LOG").unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    match serve(cli.config).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let speed = config.speed;
    let running = server::start(config)
        .await
        .context("livescore could not start")?;
    let base = format!("http://{}", running.addr);
    let generator = match running.seed {
        Some(seed) => format!("seed {seed}, speed {speed}x"),
        None => "off".to_owned(),
    };
    // Written without println!, which panics when stdout has been closed (`livescore | head -1`).
    let banner = format!(
        "livescore listening on {base}/\n  \
         dashboard      {base}/\n  \
         SSE feed       curl -N {base}/events\n  \
         snapshot       {base}/api/snapshot\n  \
         metrics        {base}/metrics\n  \
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
        signal = shutdown_signal() => tracing::info!(signal, "shutting down"),
    }
    // The server future must keep being polled while it stops: it is what carries out the stop.
    let ((), result) = tokio::join!(stopper.shut_down(), server);
    result.context("server failed during shutdown")
}

/// Resolves on SIGINT or SIGTERM with the signal's name.
async fn shutdown_signal() -> &'static str {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
    let mut int = signal(SignalKind::interrupt()).expect("SIGINT handler");
    tokio::select! {
        _ = term.recv() => "SIGTERM",
        _ = int.recv() => "SIGINT",
    }
}
