//! Viewers: one task per simulated browser, over any of the four transports, recording every
//! marker it receives. SSE and WebSocket viewers resume with the last event id when they are
//! told to reconnect (churn) or when the server drops them.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use anyhow::{Context as _, anyhow, bail};
use bytes::Bytes;
use futures_util::StreamExt;
use http_body_util::{BodyExt, Empty};
use hyper::client::conn::http1::SendRequest;
use hyper::{Request, Response, body::Incoming};
use hyper_util::rt::TokioIo;
use tokio::sync::{Notify, watch};

use crate::chunked::Reader;
use crate::marker::{FrameScanner, Markers, Record};
use crate::net::{Counted, Sources, Traffic};

/// How viewers receive the feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    /// Server-Sent Events (`GET /events`).
    Sse,
    /// The viewer WebSocket (`GET /ws/feed`).
    Ws,
    /// Long-polling (`GET /api/events?since=`).
    Longpoll,
    /// Short polling (`GET /api/snapshot` every second).
    Poll,
}

/// Where viewers connect and what they share.
pub struct Shared {
    pub addr: SocketAddr,
    pub host: String,
    /// Path and query of the subscription (SSE, WebSocket) or the poll endpoint.
    pub path: String,
    pub sources: Sources,
    pub traffic: Arc<Traffic>,
    pub markers: Markers,
    pub connected: AtomicUsize,
    pub connect_errors: AtomicUsize,
}

/// Why a session ended.
enum End {
    Stopped,
    Churned,
    Dropped,
}

/// Run one viewer until `stop` turns true; `churn` asks it to reconnect with its last id.
pub async fn run(
    shared: Arc<Shared>,
    transport: Transport,
    churn: Arc<Notify>,
    mut stop: watch::Receiver<bool>,
) -> Record {
    let mut record = Record::default();
    let mut first = true;
    loop {
        let result = match transport {
            Transport::Sse => sse(&shared, &mut record, &churn, &mut stop, first).await,
            Transport::Ws => ws(&shared, &mut record, &churn, &mut stop, first).await,
            Transport::Longpoll => longpoll(&shared, &mut record, &mut stop, first).await,
            Transport::Poll => poll(&shared, &mut record, &mut stop, first).await,
        };
        match result {
            Ok(End::Stopped) => return record,
            Ok(End::Churned) => record.reconnects += 1,
            Ok(End::Dropped) | Err(_) => {
                if first {
                    shared.connect_errors.fetch_add(1, Ordering::Relaxed);
                    return record;
                }
                record.reconnects += 1;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
        if *stop.borrow() {
            return record;
        }
        first = false;
    }
}

fn connected(shared: &Shared, first: &mut bool) {
    if *first {
        shared.connected.fetch_add(1, Ordering::Relaxed);
        *first = false;
    }
}

async fn http(shared: &Shared) -> anyhow::Result<SendRequest<Empty<Bytes>>> {
    let stream = shared.sources.connect(shared.addr).await?;
    let io = TokioIo::new(Counted::new(stream, shared.traffic.clone()));
    let (sender, conn) = hyper::client::conn::http1::handshake(io).await?;
    tokio::spawn(conn);
    Ok(sender)
}

async fn get(
    sender: &mut SendRequest<Empty<Bytes>>,
    shared: &Shared,
    path: &str,
    last_id: Option<&str>,
) -> anyhow::Result<Response<Incoming>> {
    let mut req = Request::get(path)
        .header("Host", &shared.host)
        .header("Accept", "text/event-stream, application/json");
    if let Some(id) = last_id {
        req = req.header("Last-Event-ID", id);
    }
    sender.ready().await?;
    let resp = sender.send_request(req.body(Empty::new())?).await?;
    if !resp.status().is_success() {
        bail!("GET {path}: {}", resp.status());
    }
    Ok(resp)
}

async fn sse(
    shared: &Shared,
    record: &mut Record,
    churn: &Notify,
    stop: &mut watch::Receiver<bool>,
    mut first: bool,
) -> anyhow::Result<End> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let stream = shared.sources.connect(shared.addr).await?;
    let mut stream = Counted::new(stream, shared.traffic.clone());
    let mut request = format!(
        "GET {} HTTP/1.1\r\nHost: {}\r\nAccept: text/event-stream\r\n",
        shared.path, shared.host
    );
    if let Some(id) = &record.last_id {
        request.push_str(&format!("Last-Event-ID: {id}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).await?;
    record.requests += 1;
    let mut reader = Reader::new();
    let mut scanner = FrameScanner::default();
    let mut buf = vec![0u8; 8 * 1024];
    loop {
        let n = tokio::select! {
            n = stream.read(&mut buf) => n?,
            _ = churn.notified() => return Ok(End::Churned),
            _ = stop.changed() => return Ok(End::Stopped),
        };
        if n == 0 {
            return Ok(End::Dropped);
        }
        reader.feed(&buf[..n], |body| {
            scanner.feed(body, &shared.markers, record)
        })?;
        connected(shared, &mut first);
        if reader.is_done() {
            return Ok(End::Dropped);
        }
    }
}

async fn ws(
    shared: &Shared,
    record: &mut Record,
    churn: &Notify,
    stop: &mut watch::Receiver<bool>,
    mut first: bool,
) -> anyhow::Result<End> {
    use tokio_tungstenite::tungstenite::Message;
    let stream = shared.sources.connect(shared.addr).await?;
    let stream = Counted::new(stream, shared.traffic.clone());
    let mut url = format!("ws://{}{}", shared.host, shared.path);
    if let Some(id) = &record.last_id {
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str("lastEventId=");
        url.push_str(id);
    }
    let (mut socket, _) = tokio_tungstenite::client_async(url, stream)
        .await
        .context("WebSocket handshake")?;
    record.requests += 1;
    connected(shared, &mut first);
    let mut scanner = FrameScanner::default();
    loop {
        tokio::select! {
            message = socket.next() => match message {
                Some(Ok(Message::Text(text))) => scanner.feed(text.as_bytes(), &shared.markers, record),
                Some(Ok(_)) => {}
                _ => return Ok(End::Dropped),
            },
            _ = churn.notified() => return Ok(End::Churned),
            _ = stop.changed() => return Ok(End::Stopped),
        }
    }
}

/// The `id` of the last element of a long-poll answer (an event, or a snapshot to start from).
fn last_id_in(body: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Element {
        id: String,
    }
    let mut elements: Vec<Element> = serde_json::from_slice(body).ok()?;
    elements.pop().map(|e| e.id)
}

async fn longpoll(
    shared: &Shared,
    record: &mut Record,
    stop: &mut watch::Receiver<bool>,
    mut first: bool,
) -> anyhow::Result<End> {
    let mut sender = http(shared).await?;
    loop {
        let mut path = shared.path.clone();
        if let Some(id) = &record.last_id {
            path.push_str(if path.contains('?') {
                "&since="
            } else {
                "?since="
            });
            path.push_str(id);
        }
        let request = async {
            let body = get(&mut sender, shared, &path, None)
                .await?
                .into_body()
                .collect()
                .await?;
            anyhow::Ok(body.to_bytes())
        };
        let body = tokio::select! {
            body = request => body?,
            _ = stop.changed() => return Ok(End::Stopped),
        };
        record.requests += 1;
        connected(shared, &mut first);
        let now = shared.markers.now_us();
        for (n, sent) in shared.markers.find(&body) {
            record.note(n, sent, now);
        }
        if let Some(id) = last_id_in(&body) {
            record.last_id = Some(id);
        }
    }
}

async fn poll(
    shared: &Shared,
    record: &mut Record,
    stop: &mut watch::Receiver<bool>,
    mut first: bool,
) -> anyhow::Result<End> {
    let mut sender = http(shared).await?;
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    // Spread viewers over the second, as real browsers would be.
    tokio::time::sleep(Duration::from_millis(rand::random::<u64>() % 1000)).await;
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.changed() => return Ok(End::Stopped),
        }
        let body = get(&mut sender, shared, &shared.path, None)
            .await?
            .into_body()
            .collect()
            .await?
            .to_bytes();
        record.requests += 1;
        connected(shared, &mut first);
        let now = shared.markers.now_us();
        for (n, sent) in shared.markers.find(&body) {
            // A snapshot repeats everything still in it; only the first sighting counts.
            if !record.has(n) {
                record.note(n, sent, now);
            }
        }
    }
}

/// A viewer that asks for the stream and then never reads: its socket buffers fill up and the
/// server must drop it without slowing anyone else down.
pub async fn stalled(shared: Arc<Shared>, stop: watch::Receiver<bool>) -> anyhow::Result<()> {
    use tokio::io::AsyncWriteExt;
    let socket = tokio::net::TcpSocket::new_v4()?;
    socket.set_recv_buffer_size(4096)?;
    let mut stream = socket.connect(shared.addr).await?;
    let request = format!(
        "GET {} HTTP/1.1\r\nHost: {}\r\nAccept: text/event-stream\r\n\r\n",
        shared.path, shared.host
    );
    stream.write_all(request.as_bytes()).await?;
    let mut stop = stop;
    let _ = stop.changed().await;
    drop(stream);
    Err(anyhow!("stalled viewer done"))
}
