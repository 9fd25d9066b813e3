//! `make bench`: every benchmark scenario against fresh release servers, one table at the end,
//! results as JSON under `target/bench/`, and the table written into `docs/benchmarks.md`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use serde::Serialize;

use crate::admin::{self, AdminReport};
use crate::cluster::{self, ClusterArgs};
use crate::run::Report;
use crate::servers::{self, Server, Store, TOKEN};
use crate::viewer::Transport;
use crate::{RunArgs, spec};

#[derive(clap::Args)]
pub struct SuiteArgs {
    /// The livescore binary to measure (a release build).
    #[arg(long, default_value = "target/release/livescore")]
    bin: PathBuf,
    /// Where the JSON results go.
    #[arg(long, default_value = "target/bench")]
    out: PathBuf,
    /// The Markdown file whose results section is rewritten.
    #[arg(long, default_value = "docs/benchmarks.md")]
    doc: PathBuf,
    /// The nginx + nchan configuration template.
    #[arg(long, default_value = "bench/nchan.conf")]
    nchan_conf: PathBuf,
    /// Skip the nchan comparison.
    #[arg(long)]
    no_peer: bool,
    /// Skip the cluster figures (PostgreSQL).
    #[arg(long)]
    no_cluster: bool,
    /// Seconds each fan-out publishes for.
    #[arg(long, default_value_t = 30.0)]
    duration: f64,
}

/// Arguments for one run against `server`, before per-scenario changes.
pub fn base(server: &Server, viewers: usize) -> RunArgs {
    RunArgs {
        url: server.url.clone(),
        viewer_url: Vec::new(),
        transport: Transport::Sse,
        sub_path: None,
        viewers,
        connect_rate: 5000.0,
        slow: 0,
        churn: 0.0,
        rate: 20.0,
        duration: 30.0,
        idle: false,
        pub_url: None,
        pub_header: Vec::new(),
        pub_body: r#"{"type":"news.publish","headline":"{marker}","tags":["bench"]}"#.into(),
        token: Some(TOKEN.into()),
        pub_conns: 2,
        server_pid: vec![server.pid],
        drain_ms: 2000,
        json: false,
    }
}

pub async fn measure(name: &str, args: RunArgs) -> anyhow::Result<Report> {
    eprintln!("== {name}");
    let report = crate::run::run(spec(&args, name.to_owned()).await?).await?;
    report.print();
    Ok(report)
}

/// A fresh livescore for each scenario, so memory and CPU figures are its own.
async fn on_livescore<F, Fut>(bin: &Path, max_viewers: usize, f: F) -> anyhow::Result<Report>
where
    F: FnOnce(Server) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<(Report, Server)>>,
{
    let server = servers::livescore(bin, max_viewers, Store::Memory, &[]).await?;
    let (report, server) = f(server).await?;
    server.stop().await;
    Ok(report)
}

/// Admin round trips against a fresh server with its feed in `store`.
pub async fn admin_run(
    bin: &Path,
    store: Store<'_>,
    commands: usize,
) -> anyhow::Result<AdminReport> {
    let mode = match store {
        Store::Memory => "in memory",
        Store::Sqlite(_) => "durable: SQLite, fsync per group commit",
        Store::Postgres(_) => "durable: PostgreSQL, one node",
    };
    eprintln!("== admin round trip ({mode})");
    let server = servers::livescore(bin, 1000, store, &[]).await?;
    let ws = format!("ws://127.0.0.1:{}/ws/admin", server.port());
    let report = admin::run(&ws, TOKEN, commands, admin::WINDOW).await;
    server.stop().await;
    let report = report?;
    eprintln!(
        "  median {:.0} µs, p99 {:.0} µs, {:.0} commands/s",
        report.median_us, report.p99_us, report.max_commands_per_sec
    );
    Ok(report)
}

#[derive(Serialize)]
struct Results {
    date: String,
    machine: String,
    runs: Vec<Report>,
    admin: AdminReport,
    admin_durable: AdminReport,
}

pub async fn run(args: SuiteArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.bin.exists(),
        "{} not found: build it with `cargo build --release`",
        args.bin.display()
    );
    std::fs::create_dir_all(&args.out)?;
    let bin = args.bin.clone();
    let secs = args.duration;
    let mut runs = Vec::new();

    for viewers in [1_000, 10_000] {
        let name = format!("fan-out {viewers}");
        runs.push(
            on_livescore(&bin, 60_000, |s| async move {
                let mut a = base(&s, viewers);
                a.duration = secs;
                Ok((measure(&name, a).await?, s))
            })
            .await?,
        );
    }
    // 50 000 viewers, unless this machine's open-file hard limit (which an unprivileged
    // process cannot raise) holds fewer: the server needs one descriptor per viewer.
    let (_, hard) = rlimit::getrlimit(rlimit::Resource::NOFILE).unwrap_or((0, 0));
    let idle = 50_000.min(hard.saturating_sub(1_000) as usize);
    if idle < 50_000 {
        eprintln!(
            "note: the open-file hard limit is {hard}; holding {idle} idle viewers instead of 50000"
        );
    }
    runs.push(
        on_livescore(&bin, 60_000, |s| async move {
            let mut a = base(&s, idle);
            a.idle = true;
            a.duration = 10.0;
            Ok((measure(&format!("idle hold {idle}"), a).await?, s))
        })
        .await?,
    );
    runs.push(
        on_livescore(&bin, 60_000, |s| async move {
            let mut a = base(&s, 5_000);
            a.churn = 0.1;
            a.duration = secs.min(20.0);
            Ok((measure("churn 5000 (10%/s reconnect)", a).await?, s))
        })
        .await?,
    );
    for slow in [0, 50] {
        let name = if slow == 0 {
            "slow: 950 viewers alone".to_owned()
        } else {
            "slow: 950 viewers + 50 stalled".to_owned()
        };
        runs.push(
            on_livescore(&bin, 60_000, |s| async move {
                let mut a = base(&s, 950);
                a.slow = slow;
                a.duration = secs.min(20.0);
                Ok((measure(&name, a).await?, s))
            })
            .await?,
        );
    }
    let admin = admin_run(&bin, Store::Memory, 10_000).await?;
    let store = args.out.join("durable-store");
    let _ = std::fs::remove_dir_all(&store);
    let durable = admin_run(&bin, Store::Sqlite(&store), 2_000).await?;
    let _ = std::fs::remove_dir_all(&store);

    let cluster = if args.no_cluster {
        None
    } else {
        let cluster_args = ClusterArgs {
            bin: bin.clone(),
            out: args.out.clone(),
            doc: args.doc.clone(),
            duration: secs.min(20.0),
            viewers: 3_000,
            cross_viewers: 1_000,
            commands: durable.commands,
        };
        let results = cluster::measure(&cluster_args, Some(durable.clone())).await?;
        Some((cluster_args, results))
    };

    if !args.no_peer {
        for viewers in [1_000, 10_000] {
            let nchan = servers::nchan(&args.nchan_conf, &args.out.join("nchan")).await?;
            let mut a = base(&nchan, viewers);
            a.duration = secs;
            a.sub_path = Some("/sub".into());
            a.pub_url = Some(format!("{}/pub", nchan.url));
            a.token = None;
            // About the size of a livescore news event, so both move the same bytes.
            a.pub_body = format!(
                r#"{{"type":"news","headline":"{{marker}}","pad":"{}"}}"#,
                "x".repeat(230)
            );
            a.server_pid = crate::procfs::with_children(nchan.pid);
            let report = measure(&format!("nchan fan-out {viewers}"), a).await;
            nchan.stop().await;
            runs.push(report?);
        }
    }

    let results = Results {
        date: chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string(),
        machine: machine(),
        runs,
        admin,
        admin_durable: durable,
    };
    for run in &results.runs {
        let file = run
            .label
            .replace([' ', '(', ')', '%', '/', ':', '+'], "-")
            .replace("--", "-");
        std::fs::write(
            args.out.join(format!("{}.json", file.trim_matches('-'))),
            serde_json::to_string_pretty(run)?,
        )?;
    }
    std::fs::write(
        args.out.join("suite.json"),
        serde_json::to_string_pretty(&results)?,
    )?;
    let table = table(&results);
    println!("\n{table}");
    write_section(&args.doc, BEGIN, END, &table)?;
    eprintln!(
        "results in {}; table written to {}",
        args.out.display(),
        args.doc.display()
    );
    if let Some((cluster_args, results)) = cluster {
        cluster::write(&results, &cluster_args.out, &cluster_args.doc)?;
    }
    Ok(())
}

/// CPU model, cores and kernel of this machine.
pub fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .and_then(|l| l.split(':').nth(1))
        .map(str::trim)
        .unwrap_or("unknown CPU");
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    format!("{model}, {cores} cores, Linux {}", kernel.trim())
}

fn table(r: &Results) -> String {
    let mut t = String::new();
    let _ = writeln!(t, "Measured {} on {}.\n", r.date, r.machine);
    let _ = writeln!(
        t,
        "| scenario | viewers | events/s | p50 ms | p90 ms | p99 ms | max ms | delivered | missing | dup | server CPU s | peak RSS MB | notes |"
    );
    let _ = writeln!(
        t,
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
    );
    let find = |label: &str| r.runs.iter().find(|x| x.label == label);
    for run in &r.runs {
        let mut notes = String::new();
        if run.published.sent == 0 {
            let _ = write!(notes, "{:.1} KB RSS per viewer", run.rss_per_viewer_kb);
        }
        if run.churn_per_sec > 0.0 {
            let _ = write!(notes, "{} reconnects with Last-Event-ID", run.reconnects);
        }
        if run.slow_viewers > 0
            && let Some(alone) = find("slow: 950 viewers alone")
        {
            let _ = write!(notes, "p99 alone {:.2} ms", alone.latency_ms.p99);
        }
        if let Some(viewers) = run.label.strip_prefix("nchan fan-out ")
            && let Some(ours) = find(&format!("fan-out {viewers}"))
        {
            let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { f64::NAN };
            let _ = write!(
                notes,
                "livescore/nchan: p99 {:.2}x, CPU {:.2}x, RSS {:.2}x",
                ratio(ours.latency_ms.p99, run.latency_ms.p99),
                ratio(ours.server_cpu_secs, run.server_cpu_secs),
                ratio(ours.server_peak_rss_mb, run.server_peak_rss_mb)
            );
        }
        let idle = run.published.sent == 0;
        let cell = |v: f64| {
            if idle {
                "–".to_owned()
            } else {
                format!("{v:.2}")
            }
        };
        let _ = writeln!(
            t,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {:.2} | {:.1} | {} |",
            run.label,
            run.connected,
            if idle {
                "0".to_owned()
            } else {
                format!("{}", run.rate)
            },
            cell(run.latency_ms.p50),
            cell(run.latency_ms.p90),
            cell(run.latency_ms.p99),
            cell(run.latency_ms.max),
            run.delivered,
            run.missing,
            run.duplicates,
            run.server_cpu_secs,
            run.server_peak_rss_mb,
            notes
        );
    }
    let a = &r.admin;
    let _ = writeln!(
        t,
        "\nAdmin commands over one WebSocket ({} each): back to back median {:.0} µs, p99 {:.0} µs; \
         paced at 1 000/s median {:.0} µs, p99 {:.0} µs; pipelined ({} in flight) {:.0} acknowledged \
         commands/s.",
        a.commands,
        a.median_us,
        a.p99_us,
        a.paced_median_us,
        a.paced_p99_us,
        a.window,
        a.max_commands_per_sec
    );
    let d = &r.admin_durable;
    let _ = writeln!(
        t,
        "\nThe same with the durable store (SQLite WAL, synchronous=FULL, acks after commit; {} each): \
         back to back median {:.0} µs, p99 {:.0} µs; pipelined ({} in flight) {:.0} acknowledged \
         commands/s, {:.2}x the in-memory rate.",
        d.commands,
        d.median_us,
        d.p99_us,
        d.window,
        d.max_commands_per_sec,
        d.max_commands_per_sec / a.max_commands_per_sec.max(1.0)
    );
    t
}

const BEGIN: &str = "<!-- bench:begin -->";
const END: &str = "<!-- bench:end -->";

/// Replace the section of `doc` between the markers `begin` and `end`, keeping the prose around
/// it.
pub fn write_section(doc: &Path, begin: &str, end: &str, table: &str) -> anyhow::Result<()> {
    let old = std::fs::read_to_string(doc)
        .unwrap_or_else(|_| format!("# Benchmarks\n\n{begin}\n{end}\n"));
    let (head, rest) = old
        .split_once(begin)
        .with_context(|| format!("{} lacks the {begin} marker", doc.display()))?;
    let (_, tail) = rest
        .split_once(end)
        .with_context(|| format!("{} lacks the {end} marker", doc.display()))?;
    std::fs::write(doc, format!("{head}{begin}\n{table}{end}{tail}"))?;
    Ok(())
}
