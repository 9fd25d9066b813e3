//! `make compare`: the same feed delivered four ways — short polling, long-polling, SSE and a
//! viewer WebSocket — to the same number of viewers, one transport at a time, each on a fresh
//! server. Writes a Markdown table with a short reading and an SVG bar chart.

use std::fmt::Write as _;
use std::path::PathBuf;

use crate::run::Report;
use crate::servers::{self, Store, TOKEN};
use crate::suite::machine;
use crate::viewer::Transport;
use crate::{RunArgs, spec};

#[derive(clap::Args)]
pub struct CompareArgs {
    #[arg(long, default_value = "target/release/livescore")]
    bin: PathBuf,
    #[arg(long, default_value_t = 500)]
    viewers: usize,
    /// Updates published per second.
    #[arg(long, default_value_t = 5.0)]
    rate: f64,
    /// Seconds per transport.
    #[arg(long, default_value_t = 20.0)]
    duration: f64,
    #[arg(long, default_value = "docs/transports.md")]
    doc: PathBuf,
    #[arg(long, default_value = "docs/transports.svg")]
    svg: PathBuf,
    #[arg(long, default_value = "target/bench")]
    out: PathBuf,
}

const TRANSPORTS: [(Transport, &str); 4] = [
    (Transport::Poll, "short polling"),
    (Transport::Longpoll, "long-polling"),
    (Transport::Sse, "SSE"),
    (Transport::Ws, "WebSocket"),
];

pub async fn run(args: CompareArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.bin.exists(),
        "{} not found: build it with `cargo build --release`",
        args.bin.display()
    );
    std::fs::create_dir_all(&args.out)?;
    let mut reports = Vec::new();
    for (transport, name) in TRANSPORTS {
        eprintln!("== {name}");
        let server = servers::livescore(&args.bin, 10_000, Store::Memory, &[]).await?;
        let run = RunArgs {
            url: server.url.clone(),
            viewer_url: Vec::new(),
            transport,
            sub_path: None,
            viewers: args.viewers,
            connect_rate: 2000.0,
            slow: 0,
            churn: 0.0,
            rate: args.rate,
            duration: args.duration,
            idle: false,
            pub_url: None,
            pub_header: Vec::new(),
            pub_body: r#"{"type":"news.publish","headline":"{marker}","tags":["bench"]}"#.into(),
            token: Some(TOKEN.into()),
            pub_conns: 1,
            server_pid: vec![server.pid],
            // Long enough for a long-poll or a poll to pick up the last update.
            drain_ms: 2500,
            json: false,
        };
        let report = crate::run::run(spec(&run, name.to_owned()).await?).await;
        server.stop().await;
        let report = report?;
        report.print();
        reports.push(report);
    }
    std::fs::write(
        args.out.join("transports.json"),
        serde_json::to_string_pretty(&reports)?,
    )?;
    let doc = markdown(&args, &reports);
    std::fs::write(&args.doc, &doc)?;
    std::fs::write(&args.svg, svg(&reports))?;
    println!("{doc}");
    eprintln!("wrote {} and {}", args.doc.display(), args.svg.display());
    Ok(())
}

fn markdown(args: &CompareArgs, r: &[Report]) -> String {
    let mut t = String::new();
    let _ = writeln!(t, "# Transports compared\n");
    let _ = writeln!(
        t,
        "The same feed, delivered four ways by `make compare`: {} viewers per transport, {} updates/s \
         (news items published through `POST /api/admin/commands`, each carrying a marker) for {} s, \
         one transport at a time on a fresh release server. Bytes are counted at the viewers' sockets, \
         both directions, HTTP headers and framing included. Measured {} on {}.\n",
        args.viewers,
        args.rate,
        args.duration,
        chrono::Utc::now().format("%Y-%m-%d"),
        machine()
    );
    let _ = writeln!(
        t,
        "![bytes per update, latency and server CPU by transport](transports.svg)\n"
    );
    let _ = writeln!(
        t,
        "| transport | bytes per delivered update | latency p50 ms | p99 ms | server CPU s | requests/min | delivered | missing |"
    );
    let _ = writeln!(t, "|---|---:|---:|---:|---:|---:|---:|---:|");
    for x in r {
        let _ = writeln!(
            t,
            "| {} | {:.0} | {:.1} | {:.1} | {:.2} | {:.0} | {} | {} |",
            x.label,
            x.bytes_per_update,
            x.latency_ms.p50,
            x.latency_ms.p99,
            x.server_cpu_secs,
            x.requests_per_min,
            x.delivered,
            x.missing
        );
    }
    let get = |name: &str| r.iter().find(|x| x.label == name);
    if let (Some(poll), Some(long), Some(sse), Some(ws)) = (
        get("short polling"),
        get("long-polling"),
        get("SSE"),
        get("WebSocket"),
    ) {
        let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { f64::NAN };
        let _ = writeln!(t, "\n## Reading\n");
        let _ = writeln!(
            t,
            "- **Short polling** pays for every poll whether or not anything changed: {:.0} requests a minute \
             and {:.0}x the bytes of SSE per update, since each answer is the whole state again. Its latency \
             is set by the interval, not the server: half a second at the median ({:.0} ms), up to a full \
             interval at the tail ({:.0} ms p99).",
            poll.requests_per_min,
            ratio(poll.bytes_per_update, sse.bytes_per_update),
            poll.latency_ms.p50,
            poll.latency_ms.p99
        );
        let _ = writeln!(
            t,
            "- **Long-polling** answers as soon as there is news ({:.1} ms median), but every update costs a \
             new request with its headers ({:.0}x SSE's bytes per update, {:.0} requests a minute), and \
             events that arrive while a viewer is between two requests wait for the next one.",
            long.latency_ms.p50,
            ratio(long.bytes_per_update, sse.bytes_per_update),
            long.requests_per_min
        );
        let _ = writeln!(
            t,
            "- **SSE** sends one request per viewer and then only the events: {:.0} bytes per update, \
             {:.1} ms median, {:.1} ms p99, with resumption (`Last-Event-ID`) built into the browser.",
            sse.bytes_per_update, sse.latency_ms.p50, sse.latency_ms.p99
        );
        let _ = writeln!(
            t,
            "- **WebSocket** carries the same frames with slightly different framing ({:.0} bytes per update, \
             {:.1} ms median): as cheap as SSE on the wire, but the client must do its own reconnecting and \
             resuming, and it needs an upgrade that some proxies still mishandle. For one-way push, SSE gets \
             the same result with less code on both ends.",
            ws.bytes_per_update, ws.latency_ms.p50
        );
    }
    t
}

/// One bar panel of the chart: title, the figure it plots, its unit.
type Panel = (&'static str, fn(&Report) -> f64, &'static str);

/// Three small bar panels: bytes per update, p99 latency, server CPU.
fn svg(r: &[Report]) -> String {
    let panels: [Panel; 3] = [
        ("bytes per update", |x| x.bytes_per_update, ""),
        ("latency p99", |x| x.latency_ms.p99, " ms"),
        ("server CPU", |x| x.server_cpu_secs, " s"),
    ];
    let colors = ["#d1495b", "#edae49", "#00798c", "#30638e"];
    let (pw, ph, top, left) = (260.0, 180.0, 40.0, 20.0);
    let mut s = String::new();
    let width = left + pw * 3.0 + 20.0;
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{h}" viewBox="0 0 {width} {h}" font-family="system-ui, sans-serif" font-size="12">"#,
        h = top + ph + 70.0
    );
    let _ = writeln!(s, r##"<rect width="100%" height="100%" fill="#ffffff"/>"##);
    for (p, (title, value, unit)) in panels.iter().enumerate() {
        let x0 = left + p as f64 * pw;
        let max = r.iter().map(value).fold(0.0_f64, f64::max).max(1e-9);
        let _ = writeln!(
            s,
            r#"<text x="{}" y="24" font-weight="bold">{title}</text>"#,
            x0 + 10.0
        );
        let bar = (pw - 60.0) / r.len() as f64;
        for (i, x) in r.iter().enumerate() {
            let v = value(x);
            let h = v / max * ph;
            let bx = x0 + 10.0 + i as f64 * bar;
            let _ = writeln!(
                s,
                r#"<rect x="{bx:.1}" y="{:.1}" width="{:.1}" height="{h:.1}" fill="{}"><title>{}: {v:.1}{unit}</title></rect>"#,
                top + ph - h,
                bar - 6.0,
                colors[i % colors.len()],
                x.label
            );
            let _ = writeln!(
                s,
                r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">{v:.0}</text>"#,
                bx + (bar - 6.0) / 2.0,
                top + ph - h - 4.0
            );
        }
        let _ = writeln!(
            s,
            r##"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#999"/>"##,
            x0 + 8.0,
            top + ph,
            x0 + pw - 48.0,
            top + ph
        );
    }
    for (i, x) in r.iter().enumerate() {
        let lx = left + 10.0 + i as f64 * 150.0;
        let ly = top + ph + 40.0;
        let _ = writeln!(
            s,
            r#"<rect x="{lx}" y="{}" width="12" height="12" fill="{}"/>"#,
            ly - 10.0,
            colors[i % colors.len()]
        );
        let _ = writeln!(s, r#"<text x="{}" y="{ly}">{}</text>"#, lx + 18.0, x.label);
    }
    s.push_str("</svg>\n");
    s
}
