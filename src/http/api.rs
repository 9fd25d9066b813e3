//! The JSON read API: snapshot (short polling), events since an id (long-polling), matches, news,
//! and the liveness probe.

use std::time::Duration;

use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, get, web};
use bytes::Bytes;
use serde::Deserialize;
use tokio::time::Instant;

use crate::actors::hub::{Page, Poll, PollEvents, Read, ReadSnapshot, json_array};
use crate::http::AppState;
use crate::http::compressed::{self, Content};
use crate::http::error::ApiError;
use crate::http::events::admit_connection;
use crate::http::replay::Replay;
use crate::ids::EventId;

/// How long a long-poll waits when the client does not say.
pub const DEFAULT_POLL_WAIT_SECS: u64 = 25;

fn json(body: Bytes) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .insert_header(("Cache-Control", "no-cache"))
        .body(body)
}

#[derive(Debug, Deserialize)]
pub struct SnapshotQuery {
    pub matches: Option<String>,
    pub leagues: Option<String>,
    pub types: Option<String>,
}

/// How long a snapshot may be reused without asking: long enough for a page and its reconnects
/// in the same second, short enough that a stream opened from it replays little.
pub const SNAPSHOT_MAX_AGE_SECS: u32 = 2;

/// `GET /api/snapshot`: the state (filtered like `/events`) and the seq it is at. Compressed
/// like every JSON answer and cacheable: its validator is its event id, so a page that asks again
/// at the same seq gets `304`; a page opens `/events?lastEventId=<id>` after it, so the stream
/// carries only what happened since.
#[get("/api/snapshot")]
pub async fn snapshot(
    req: HttpRequest,
    query: web::Query<SnapshotQuery>,
    app: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let filter = app.filter(
        query.matches.as_deref(),
        query.leagues.as_deref(),
        query.types.as_deref(),
    )?;
    let (id, body) = app.hub.send(ReadSnapshot(filter)).await?;
    // Weak: the bytes differ by encoding; the state they carry does not.
    let etag = format!("W/\"{id}\"");
    let cache = format!("max-age={SNAPSHOT_MAX_AGE_SECS}");
    let unchanged = req
        .headers()
        .get(actix_web::http::header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| tags.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let mut response = if unchanged {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header(("ETag", etag))
        .insert_header(("Cache-Control", cache));
    Ok(if unchanged {
        response.finish()
    } else {
        response.content_type("application/json").body(body)
    })
}

#[derive(Debug, Deserialize)]
pub struct PollQuery {
    pub since: Option<String>,
    pub wait: Option<String>,
    pub limit: Option<String>,
    pub matches: Option<String>,
    pub leagues: Option<String>,
    pub types: Option<String>,
}

/// The response header that says a long-poll answer was cut at its `limit` and more events are
/// waiting: ask again at once with the last id.
pub const MORE_HEADER: &str = "livescore-more";

/// A long-poll answer stops growing past this many bytes of events (and `limit` events), so a
/// client asking from far back gets a page it can take, not the whole gap in one response.
pub const POLL_MAX_BYTES: usize = 1 << 20;

/// `GET /api/events?since=<id>&wait=<secs>&limit=<n>`: the events after `since` as a JSON array
/// (at most `limit`, default and maximum `--max-poll-events`, and about [`POLL_MAX_BYTES`];
/// `Livescore-More: true` when more are waiting), waiting up to `wait` seconds for the first one; ids older than memory holds are
/// served from the store. Without `since`, or with an id that cannot be served (another stream,
/// the future, past retention, further behind than `--max-replay-events`), the array holds one
/// `snapshot` to start over from. After `wait` with nothing new: `[]`. A waiting long-poll holds a
/// viewer slot, like an SSE stream.
#[get("/api/events")]
pub async fn poll(
    req: HttpRequest,
    query: web::Query<PollQuery>,
    app: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let filter = app.filter(
        query.matches.as_deref(),
        query.leagues.as_deref(),
        query.types.as_deref(),
    )?;
    let mut since = match query
        .since
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(s) => Some(
            s.parse::<EventId>()
                .map_err(|e| ApiError::bad_request(format!("since: {e}")))?,
        ),
        None => None,
    };
    let max = app.config.max_poll_wait;
    let wait = number(query.wait.as_deref(), "wait", "a number of seconds", 0, max)?
        .unwrap_or(DEFAULT_POLL_WAIT_SECS.min(max));
    let most = app.config.max_poll_events as u64;
    let limit = number(
        query.limit.as_deref(),
        "limit",
        "a number of events",
        1,
        most,
    )?
    .unwrap_or(most) as usize;
    let _slot = admit_connection(&req, &app)?;
    let deadline = Instant::now() + Duration::from_secs(wait);
    loop {
        let poll = app
            .hub
            .send(PollEvents {
                since: since.clone(),
                filter: filter.clone(),
            })
            .await?;
        let woken = match poll {
            Poll::Snapshot(body) => return Ok(json(json_array(std::iter::once(&body)))),
            Poll::Replay { after, upto } => {
                let first = Page {
                    events: Vec::new(),
                    reached: after,
                };
                let mut replay = Replay::new(app.clone(), filter.clone(), first, upto);
                let (mut events, mut bytes) = (Vec::new(), 0);
                while events.len() < limit && bytes < POLL_MAX_BYTES {
                    match replay.next(limit - events.len()).await? {
                        Some(page) => {
                            bytes += page.iter().map(|e| e.json.len()).sum::<usize>();
                            events.extend(page);
                        }
                        None => break,
                    }
                }
                if events.is_empty() {
                    // Nothing in the range is for this filter: wait for what follows it.
                    since = Some(EventId {
                        stream: app.stream.clone(),
                        seq: upto,
                    });
                    continue;
                }
                let mut response = json(json_array(events.iter().map(|e| &e.json)));
                if !replay.is_done() {
                    response.headers_mut().insert(
                        HeaderName::from_static(MORE_HEADER),
                        HeaderValue::from_static("true"),
                    );
                }
                return Ok(response);
            }
            Poll::Wait(woken) => woken,
        };
        app.metrics.long_poll_waiting.inc();
        let outcome = tokio::time::timeout_at(deadline, woken).await;
        app.metrics.long_poll_waiting.dec();
        match outcome {
            // Something was committed; it may not match this filter, so ask again.
            Ok(Ok(())) => continue,
            Ok(Err(_)) => return Err(ApiError::unavailable("the feed is shutting down")),
            Err(_elapsed) => return Ok(json(Bytes::from_static(b"[]"))),
        }
    }
}

/// An optional whole-number query parameter within `min..=max`, or a 400 naming it.
fn number(
    raw: Option<&str>,
    name: &str,
    what: &str,
    min: u64,
    max: u64,
) -> Result<Option<u64>, ApiError> {
    let Some(raw) = raw else { return Ok(None) };
    match raw.trim().parse::<u64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(Some(n)),
        _ => Err(ApiError::bad_request(format!(
            "{name}: `{raw}` is not {what} from {min} to {max}"
        ))),
    }
}

/// `GET /api/teams`: every team with its squad (reference data; not part of snapshots). They
/// never change while the server runs, so their compressed form comes from the cache.
#[get("/api/teams")]
pub async fn teams(req: HttpRequest, app: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let body = app.teams_json.clone();
    let encoded = compressed::encode(&req, &app.compressed, body, Content::Fixed).await?;
    Ok(encoded.respond("application/json"))
}

/// `GET /healthz`: the process is up and the hub answers; which node this is, and whether its
/// generator leads (`leader`), waits to (`standby`, in a cluster) or is `off`.
#[get("/healthz")]
pub async fn healthz(
    app: web::Data<AppState>,
    req: actix_web::HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let body = app.hub.send(Read::Health).await?.unwrap_or_default();
    let mut health: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(&body).unwrap_or_default();
    let node = crate::server::node_name(&app.config, req.app_config().local_addr().port());
    health.insert("node".into(), node.into());
    health.insert("generator".into(), app.generator.name().into());
    let body = serde_json::to_vec(&health).expect("JSON serializes");
    Ok(json(bytes::Bytes::from(body)))
}

/// `GET /metrics`: Prometheus text format.
#[get("/metrics")]
pub async fn metrics(app: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(app.metrics.render())
}
