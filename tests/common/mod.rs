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
