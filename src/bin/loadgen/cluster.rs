//! `make bench-cluster` (and part of `make bench`): what cluster mode costs. Against a throwaway
//! PostgreSQL started here, with fresh release nodes for each figure:
//!
//! - durable admin round trips and pipelined acknowledged commands/s on one PostgreSQL node,
//!   beside the same on SQLite;
//! - the delay a second node adds: events published on node A, viewers split between A and B in
//!   the same run, so the two latencies differ only by the trip through PostgreSQL;
//! - fan-out over three nodes against the same number of viewers on one node, same machine.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::admin::AdminReport;
use crate::pg::Postgres;
use crate::run::{Latency, Report};
use crate::servers::{self, Server, Store};
use crate::suite::{self, admin_run};

#[derive(clap::Args)]
pub struct ClusterArgs {
    /// The livescore binary to measure (a release build).
    #[arg(long, default_value = "target/release/livescore")]
    pub bin: PathBuf,
    /// Where the JSON results (and the throwaway PostgreSQL) go.
    #[arg(long, default_value = "target/bench")]
    pub out: PathBuf,
    /// The Markdown file whose cluster section is rewritten.
    #[arg(long, default_value = "docs/benchmarks.md")]
    pub doc: PathBuf,
    /// Seconds each fan-out publishes for.
    #[arg(long, default_value_t = 20.0)]
    pub duration: f64,
    /// Viewers in the one-node / three-node fan-out.
    #[arg(long, default_value_t = 3000)]
    pub viewers: usize,
    /// Viewers in the cross-node run (half on each of two nodes).
    #[arg(long, default_value_t = 1000)]
    pub cross_viewers: usize,
    /// Admin round trips measured one at a time (and again paced).
    #[arg(long, default_value_t = 2000)]
    pub commands: usize,
}

/// Everything the cluster benchmark measured.
#[derive(Debug, Clone, Serialize)]
pub struct ClusterResults {
    pub date: String,
    pub machine: String,
    pub admin_sqlite: AdminReport,
    pub admin_postgres: AdminReport,
    /// Two nodes; `per_node_ms` is [viewers on A (publishing), viewers on B].
    pub cross_node: Report,
    pub fanout_one: Report,
    pub fanout_three: Report,
}

/// `count` nodes joined to one fresh database of `pg`.
async fn nodes(pg: &Postgres, bin: &Path, db: &str, count: usize) -> anyhow::Result<Vec<Server>> {
    let url = pg.fresh_database(db).await?;
    let mut nodes = Vec::with_capacity(count);
    // One after the other: the first creates the stream, the others join it.
    for _ in 0..count {
        nodes.push(servers::livescore(bin, 60_000, Store::Postgres(&url), &[]).await?);
    }
    Ok(nodes)
}

/// Viewers spread over `nodes`, publishes on the first; CPU and memory of all of them.
async fn fan_out(
    name: &str,
    nodes: Vec<Server>,
    viewers: usize,
    secs: f64,
) -> anyhow::Result<Report> {
    let mut args = suite::base(&nodes[0], viewers);
    args.duration = secs;
    if nodes.len() > 1 {
        args.viewer_url = nodes.iter().map(|n| n.url.clone()).collect();
    }
    args.server_pid = nodes.iter().map(|n| n.pid).collect();
    let report = suite::measure(name, args).await;
    for node in nodes {
        node.stop().await;
    }
    report
}

/// Measure every cluster figure; `sqlite` is the suite's durable admin figure when it has one.
pub async fn measure(
    args: &ClusterArgs,
    sqlite: Option<AdminReport>,
) -> anyhow::Result<ClusterResults> {
    std::fs::create_dir_all(&args.out)?;
    let bin = &args.bin;
    eprintln!("== starting a throwaway PostgreSQL");
    let pg = Postgres::start(&args.out)?;

    let admin_sqlite = match sqlite {
        Some(report) => report,
        None => {
            let store = args.out.join("cluster-sqlite-store");
            let _ = std::fs::remove_dir_all(&store);
            let report = admin_run(bin, Store::Sqlite(&store), args.commands).await;
            let _ = std::fs::remove_dir_all(&store);
            report?
        }
    };
    let url = pg.fresh_database("bench_admin").await?;
    let admin_postgres = admin_run(bin, Store::Postgres(&url), args.commands).await?;

    let cross = format!(
        "cluster: {} viewers on A and B, publish on A",
        args.cross_viewers
    );
    let cross_node = fan_out(
        &cross,
        nodes(&pg, bin, "bench_cross", 2).await?,
        args.cross_viewers,
        args.duration,
    )
    .await?;
    let v = args.viewers;
    let fanout_one = fan_out(
        &format!("cluster: {v} viewers on one node"),
        nodes(&pg, bin, "bench_one", 1).await?,
        v,
        args.duration,
    )
    .await?;
    let fanout_three = fan_out(
        &format!("cluster: {v} viewers over three nodes"),
        nodes(&pg, bin, "bench_three", 3).await?,
        v,
        args.duration,
    )
    .await?;
    drop(pg);
    Ok(ClusterResults {
        date: chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string(),
        machine: suite::machine(),
        admin_sqlite,
        admin_postgres,
        cross_node,
        fanout_one,
        fanout_three,
    })
}

/// `loadgen cluster`: measure, print, write `cluster.json` and the doc's cluster section.
pub async fn run(args: ClusterArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.bin.exists(),
        "{} not found: build it with `cargo build --release`",
        args.bin.display()
    );
    let results = measure(&args, None).await?;
    write(&results, &args.out, &args.doc)
}

/// Print the table and write it into `doc`, the figures into `out/cluster.json`.
pub fn write(results: &ClusterResults, out: &Path, doc: &Path) -> anyhow::Result<()> {
    std::fs::write(
        out.join("cluster.json"),
        serde_json::to_string_pretty(results)?,
    )?;
    let table = table(results);
    println!("\n{table}");
    suite::write_section(doc, BEGIN, END, &table)?;
    eprintln!(
        "cluster results in {}; table written to {}",
        out.join("cluster.json").display(),
        doc.display()
    );
    Ok(())
}

const BEGIN: &str = "<!-- cluster:begin -->";
const END: &str = "<!-- cluster:end -->";

fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { f64::NAN }
}

fn latency_row(t: &mut String, label: &str, viewers: String, l: &Latency, r: &Report, notes: &str) {
    let _ = writeln!(
        t,
        "| {label} | {viewers} | {:.2} | {:.2} | {:.2} | {:.2} | {} | {} | {} | {:.2} | {:.1} | {notes} |",
        l.p50,
        l.p90,
        l.p99,
        l.max,
        r.delivered,
        r.missing,
        r.duplicates,
        r.server_cpu_secs,
        r.server_peak_rss_mb
    );
}

fn table(r: &ClusterResults) -> String {
    let mut t = String::new();
    let _ = writeln!(
        t,
        "Measured {} on {}; PostgreSQL on loopback, fsync and synchronous_commit on.\n",
        r.date, r.machine
    );
    let _ = writeln!(
        t,
        "| durable admin commands | round trips | back to back median µs | p99 µs | paced 1 000/s median µs | p99 µs | pipelined ({} in flight) acked/s |",
        r.admin_postgres.window
    );
    let _ = writeln!(t, "|---|---:|---:|---:|---:|---:|---:|");
    for (name, a) in [
        ("SQLite (WAL, synchronous=FULL)", &r.admin_sqlite),
        ("PostgreSQL, one node", &r.admin_postgres),
    ] {
        let _ = writeln!(
            t,
            "| {name} | {} | {:.0} | {:.0} | {:.0} | {:.0} | {:.0} |",
            a.commands,
            a.median_us,
            a.p99_us,
            a.paced_median_us,
            a.paced_p99_us,
            a.max_commands_per_sec
        );
    }
    let (s, p) = (&r.admin_sqlite, &r.admin_postgres);
    let _ = writeln!(
        t,
        "| PostgreSQL / SQLite | | {:.2}x | {:.2}x | {:.2}x | {:.2}x | {:.2}x |\n",
        ratio(p.median_us, s.median_us),
        ratio(p.p99_us, s.p99_us),
        ratio(p.paced_median_us, s.paced_median_us),
        ratio(p.paced_p99_us, s.paced_p99_us),
        ratio(p.max_commands_per_sec, s.max_commands_per_sec)
    );

    let _ = writeln!(
        t,
        "| viewers (20 events/s, publish on node A) | viewers | p50 ms | p90 ms | p99 ms | max ms | delivered | missing | dup | server CPU s | peak RSS MB | notes |"
    );
    let _ = writeln!(
        t,
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
    );
    let c = &r.cross_node;
    let half = |i: usize| (c.viewers + 1 - i) / 2;
    if let [local, remote] = &c.per_node_ms[..] {
        let note = "same run; delivered and CPU for both nodes";
        latency_row(
            &mut t,
            "on node A (local)",
            half(0).to_string(),
            local,
            c,
            note,
        );
        let added = format!(
            "B − A: p50 {:+.2} ms, p99 {:+.2} ms",
            remote.p50 - local.p50,
            remote.p99 - local.p99
        );
        latency_row(
            &mut t,
            "on node B (another node)",
            half(1).to_string(),
            remote,
            c,
            &added,
        );
    }
    let (one, three) = (&r.fanout_one, &r.fanout_three);
    latency_row(
        &mut t,
        "all on one node",
        one.connected.to_string(),
        &one.latency_ms,
        one,
        "",
    );
    let per_node = three
        .per_node_ms
        .iter()
        .map(|l| format!("{:.2}", l.p99))
        .collect::<Vec<_>>()
        .join(" / ");
    let notes = format!(
        "3 nodes / 1 node: p99 {:.2}x, CPU {:.2}x; p99 per node {per_node} ms",
        ratio(three.latency_ms.p99, one.latency_ms.p99),
        ratio(three.server_cpu_secs, one.server_cpu_secs)
    );
    latency_row(
        &mut t,
        "spread over three nodes",
        three.connected.to_string(),
        &three.latency_ms,
        three,
        &notes,
    );
    t
}
