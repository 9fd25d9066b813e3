//! Shared test harness: a real server on `127.0.0.1:0` in its own thread and actix system, and
//! real clients (HTTP via awc, an SSE client that parses frames off the socket).
#![allow(dead_code)]

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::Duration;

use actix_web::http::StatusCode;
use bytes::Bytes;
use futures_util::StreamExt;
use livescore::config::Config;
use livescore::feed::{Envelope, FeedState, Snapshot};
use livescore::server::{Background, Stopper};
use livescore::sse::{Frame, Parser};
use serde::de::DeserializeOwned;

pub mod desk;
pub mod fixtures;
pub mod postgres;
pub mod process;

/// A server running in a thread of its own; stopped when dropped.
pub struct TestServer {
    pub addr: SocketAddr,
    pub stream: String,
    inner: Background,
}

impl TestServer {
    /// A server with test defaults (port 0, no generator, two workers), adjusted by `configure`.
    pub fn start(configure: impl FnOnce(&mut Config)) -> TestServer {
        let mut config = Config::defaults();
        config.bind = "127.0.0.1:0".parse().unwrap();
        config.no_generator = true;
        config.workers = Some(2);
        config.in_memory = true;
        // Tests that count events keep every news item live (an item past --live-news brings an
        // `archived` event with it); tests/calendar.rs covers the window.
        config.live_news = 1_000_000;
        configure(&mut config);
        let inner = Background::start(config).expect("server starts");
        TestServer {
            addr: inner.addr,
            stream: inner.stream.to_string(),
            inner,
        }
    }

    /// A server whose generator plays fast with a fixed seed.
    pub fn with_generator(seed: u64, speed: f64) -> TestServer {
        TestServer::start(|c| {
            c.no_generator = false;
            c.seed = Some(seed);
            c.speed = speed;
        })
    }

    pub fn url(&self, path: &str) -> String {
        self.inner.url(path)
    }

    pub fn stopper(&self) -> Stopper {
        self.inner.stopper()
    }

    /// `/metrics` where `--metrics-bind` put it.
    pub fn metrics_url(&self) -> String {
        let addr = self.inner.metrics_addr.expect("started with metrics_bind");
        format!("http://{addr}/metrics")
    }
}

pub fn client() -> awc::Client {
    awc::Client::builder()
        .timeout(Duration::from_secs(30))
        .finish()
}

/// GET `url` and return the status and the whole body.
pub async fn get(url: &str) -> (StatusCode, Bytes) {
    let mut resp = client().get(url).send().await.expect("request succeeds");
    let body = resp.body().limit(256 << 20).await.expect("body arrives");
    (resp.status(), body)
}

/// GET `url`, expect 200, parse the JSON body.
pub async fn get_json<T: DeserializeOwned>(url: &str) -> T {
    let (status, body) = get(url).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "GET {url}: {}",
        String::from_utf8_lossy(&body)
    );
    serde_json::from_slice(&body).unwrap_or_else(|e| panic!("GET {url}: bad JSON ({e})"))
}

/// Every news item `GET /api/news` serves at `base` (a server's URL without a path), newest
/// first, following the `before=` cursor page by page.
pub async fn all_news(base: &str) -> Vec<serde_json::Value> {
    let mut all: Vec<serde_json::Value> = Vec::new();
    loop {
        let cursor = all
            .last()
            .map(|n| format!("&before={}", n["id"]))
            .unwrap_or_default();
        let page: Vec<serde_json::Value> =
            get_json(&format!("{base}/api/news?limit=100{cursor}")).await;
        let done = page.len() < 100;
        all.extend(page);
        if done {
            return all;
        }
    }
}

/// GET `url`, expect `status` and a JSON error body; return its `code`.
pub async fn expect_error(url: &str, status: StatusCode) -> (String, String) {
    let (got, body) = get(url).await;
    let text = String::from_utf8_lossy(&body).into_owned();
    assert_eq!(got, status, "GET {url}: {text}");
    let v: serde_json::Value = serde_json::from_slice(&body).expect("error body is JSON");
    let code = v["error"]["code"]
        .as_str()
        .expect("error has a code")
        .to_owned();
    let message = v["error"]["message"]
        .as_str()
        .expect("error has a message")
        .to_owned();
    (code, message)
}

/// The value of a metric in Prometheus text (without labels), or 0 if absent.
pub async fn metric(server: &TestServer, name: &str) -> f64 {
    let (_, body) = get(&server.url("/metrics")).await;
    let text = String::from_utf8_lossy(&body);
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("livescore_{name} ")))
        .map(|v| v.trim().parse().unwrap())
        .unwrap_or(0.0)
}

/// Poll `check` every 50 ms until it holds, failing after `limit`.
pub async fn eventually<F, Fut>(what: &str, limit: Duration, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = std::time::Instant::now() + limit;
    while !check().await {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for: {what}"
        );
        actix_rt::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A real SSE client: one HTTP response, parsed into frames as bytes arrive.
pub struct SseClient {
    pub status: StatusCode,
    pub headers: actix_web::http::header::HeaderMap,
    body: Option<BodyStream>,
    parser: Parser,
    pending: VecDeque<Frame>,
}

type BodyStream =
    std::pin::Pin<Box<dyn futures_util::Stream<Item = Result<Bytes, awc::error::PayloadError>>>>;

impl SseClient {
    /// Connect to `url`, optionally resuming after `last_event_id` (sent as the header).
    pub async fn connect(url: &str, last_event_id: Option<&str>) -> SseClient {
        let mut req = client()
            .get(url)
            .insert_header(("Accept", "text/event-stream"));
        if let Some(id) = last_event_id {
            req = req.insert_header(("Last-Event-ID", id));
        }
        SseClient::send(req).await
    }

    /// Send `req` (a GET of an SSE URL, with whatever headers the test needs) and read its frames.
    pub async fn send(req: awc::ClientRequest) -> SseClient {
        let resp = req.send().await.expect("SSE request succeeds");
        SseClient {
            status: resp.status(),
            headers: resp.headers().clone(),
            body: Some(Box::pin(resp)),
            parser: Parser::new(),
            pending: VecDeque::new(),
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The next frame, or `None` once the server ends the stream. Panics after `limit`.
    pub async fn next_frame_within(&mut self, limit: Duration) -> Option<Frame> {
        loop {
            if let Some(f) = self.pending.pop_front() {
                return Some(f);
            }
            let body = self.body.as_mut()?;
            let chunk = actix_rt::time::timeout(limit, body.next())
                .await
                .expect("SSE frame arrives in time");
            match chunk {
                Some(Ok(bytes)) => self.pending.extend(self.parser.feed(&bytes)),
                Some(Err(e)) => panic!("SSE stream failed: {e}"),
                None => {
                    self.body = None;
                    return None;
                }
            }
        }
    }

    pub async fn next_frame(&mut self) -> Option<Frame> {
        self.next_frame_within(Duration::from_secs(20)).await
    }

    /// The next frame that carries an event (skipping `retry:` and comments).
    pub async fn next_event(&mut self) -> Option<Frame> {
        loop {
            let f = self.next_frame().await?;
            if f.data.is_some() {
                return Some(f);
            }
        }
    }

    /// Stop reading and drop the connection.
    pub fn close(mut self) {
        self.body = None;
    }
}

/// The parsed data of a live event frame.
pub fn envelope(frame: &Frame) -> Envelope {
    serde_json::from_str(frame.data.as_deref().expect("frame has data"))
        .unwrap_or_else(|e| panic!("bad envelope JSON ({e}): {:?}", frame.data))
}

/// The parsed data of a snapshot frame.
pub fn snapshot(frame: &Frame) -> Snapshot<FeedState> {
    assert_eq!(frame.event.as_deref(), Some("snapshot"));
    serde_json::from_str(frame.data.as_deref().expect("frame has data")).expect("snapshot JSON")
}

/// The seq in an `id:` line of the form `<stream>.<seq>`.
pub fn seq_of(id: &str) -> u64 {
    id.rsplit_once('.')
        .expect("id has a stream")
        .1
        .parse()
        .expect("numeric seq")
}

/// Tokens the admin tests configure.
pub const ALICE: &str = "alice-token-0001";
pub const BOB: &str = "bob-token-0002";

/// Test defaults plus two admins, alice and bob.
pub fn with_admins(c: &mut Config) {
    c.admin_tokens = Some(livescore::config::Secret(format!(
        "alice:{ALICE},bob:{BOB}"
    )));
}

type WsConn = actix_codec::Framed<awc::BoxedSocket, awc::ws::Codec>;

/// A real WebSocket client on the admin channel.
pub struct AdminClient {
    conn: WsConn,
}

/// How a WebSocket ended: its close code and reason.
#[derive(Debug, PartialEq, Eq)]
pub struct Closed {
    pub code: u16,
    pub reason: String,
}

impl AdminClient {
    /// Open `/ws/admin`, optionally sending an `Origin`; `Err(status)` if the upgrade is refused.
    pub async fn open(
        server: &TestServer,
        origin: Option<&str>,
    ) -> Result<AdminClient, StatusCode> {
        let mut req = client().ws(server.url("/ws/admin")).max_frame_size(4 << 20);
        if let Some(origin) = origin {
            req = req.origin(origin);
        }
        match req.connect().await {
            Ok((_, conn)) => Ok(AdminClient { conn }),
            Err(awc::error::WsClientError::InvalidResponseStatus(status)) => Err(status),
            Err(e) => panic!("WebSocket connect failed: {e}"),
        }
    }

    /// Open and authenticate; returns the client and its `ready` frame.
    pub async fn login(server: &TestServer, token: &str) -> (AdminClient, serde_json::Value) {
        let mut admin = AdminClient::open(server, None).await.expect("upgrade");
        admin
            .send_json(serde_json::json!({"type":"auth","token":token}))
            .await;
        let ready = admin.next_of("ready").await;
        (admin, ready)
    }

    pub async fn send_text(&mut self, text: impl Into<String>) {
        use futures_util::SinkExt;
        let text: String = text.into();
        self.conn
            .send(awc::ws::Message::Text(text.into()))
            .await
            .expect("send");
    }

    pub async fn send_json(&mut self, value: serde_json::Value) {
        self.send_text(value.to_string()).await;
    }

    pub async fn send_binary(&mut self, bytes: Vec<u8>) {
        use futures_util::SinkExt;
        self.conn
            .send(awc::ws::Message::Binary(bytes.into()))
            .await
            .expect("send");
    }

    /// The next text frame as JSON, answering pings on the way. Panics on close or timeout.
    pub async fn next(&mut self) -> serde_json::Value {
        match self.next_or_close().await {
            Ok(v) => v,
            Err(closed) => panic!("session closed unexpectedly: {closed:?}"),
        }
    }

    /// The next text frame, or how the session closed.
    pub async fn next_or_close(&mut self) -> Result<serde_json::Value, Closed> {
        use futures_util::SinkExt;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            let item = tokio::time::timeout_at(deadline, self.conn.next())
                .await
                .expect("a frame arrives in time");
            match item {
                Some(Ok(awc::ws::Frame::Text(text))) => {
                    return Ok(serde_json::from_slice(&text).expect("frames are JSON"));
                }
                Some(Ok(awc::ws::Frame::Ping(p))) => {
                    let _ = self.conn.send(awc::ws::Message::Pong(p)).await;
                }
                Some(Ok(awc::ws::Frame::Close(reason))) => {
                    let (code, reason) = reason
                        .map(|r| (u16::from(r.code), r.description.unwrap_or_default()))
                        .unwrap_or((1005, String::new()));
                    return Err(Closed { code, reason });
                }
                Some(Ok(_)) => continue,
                Some(Err(e)) => panic!("WebSocket error: {e}"),
                None => {
                    return Err(Closed {
                        code: 1006,
                        reason: "connection dropped".into(),
                    });
                }
            }
        }
    }

    /// Skip frames until one of type `kind` arrives.
    pub async fn next_of(&mut self, kind: &str) -> serde_json::Value {
        loop {
            let frame = self.next().await;
            if frame["type"] == kind {
                return frame;
            }
        }
    }

    /// Skip frames until the ack or error for `id`.
    pub async fn reply_to(&mut self, id: &str) -> serde_json::Value {
        loop {
            let frame = self.next().await;
            if (frame["type"] == "ack" || frame["type"] == "error") && frame["id"] == id {
                return frame;
            }
        }
    }

    /// Collect the replies (ack or error) to `count` commands, by id, in whatever order they come.
    pub async fn replies(
        &mut self,
        count: usize,
    ) -> std::collections::HashMap<String, serde_json::Value> {
        let mut replies = std::collections::HashMap::new();
        while replies.len() < count {
            let frame = self.next().await;
            if frame["type"] == "ack" || frame["type"] == "error" {
                let id = frame["id"].as_str().expect("reply has an id").to_owned();
                assert!(
                    replies.insert(id, frame).is_none(),
                    "two replies to one command"
                );
            }
        }
        replies
    }

    /// Keep reading (and answering pings) for `period`, returning the frames that came.
    pub async fn idle_for(&mut self, period: Duration) -> Vec<serde_json::Value> {
        let until = tokio::time::Instant::now() + period;
        let mut frames = Vec::new();
        while let Ok(frame) = tokio::time::timeout_at(until, self.next()).await {
            frames.push(frame);
        }
        frames
    }

    /// Send a command (with its `id`) and wait for its reply.
    pub async fn command(&mut self, command: serde_json::Value) -> serde_json::Value {
        let id = command["id"]
            .as_str()
            .expect("command has an id")
            .to_owned();
        self.send_json(command).await;
        self.reply_to(&id).await
    }

    /// Read until the session closes; the close code and reason.
    pub async fn closed(&mut self) -> Closed {
        loop {
            if let Err(closed) = self.next_or_close().await {
                return closed;
            }
        }
    }
}

/// POST a command over HTTP with an optional bearer token; status and JSON body.
pub async fn post_command(
    server: &TestServer,
    token: Option<&str>,
    body: impl Into<Bytes>,
) -> (StatusCode, serde_json::Value) {
    let mut req = client()
        .post(server.url("/api/admin/commands"))
        .insert_header(("Content-Type", "application/json"));
    if let Some(token) = token {
        req = req.insert_header(("Authorization", format!("Bearer {token}")));
    }
    let mut resp = req.send_body(body.into()).await.expect("request succeeds");
    let body = resp.body().await.expect("body");
    let json = serde_json::from_slice(&body)
        .unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", String::from_utf8_lossy(&body)));
    (resp.status(), json)
}
