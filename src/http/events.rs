//! `GET /events`: the Server-Sent Events feed.
//!
//! The handler only admits the viewer and builds its response; which frames the viewer gets is
//! decided by the hub (snapshot or replay, then registration in order with live events) and the
//! broadcaster (live fan-out). The body is the `retry:` frame, the initial frames, then whatever
//! arrives on the viewer's channel until the broadcaster lets go of it.

use actix_web::http::header::{self, CacheControl, CacheDirective};
use actix_web::http::{ConnectionType, StatusCode, Version};
use actix_web::middleware::Next;
use actix_web::{HttpRequest, HttpResponse, get, web};
use bytes::Bytes;
use futures_util::{Stream, StreamExt, stream};
use serde::Deserialize;

use crate::actors::hub::{Initial, Subscribe};
use crate::actors::viewer_queue::{self, ViewerRx};
use crate::feed::Filter;
use crate::http::AppState;
use crate::http::access::StreamEnd;
use crate::http::admission::{Refusal, ViewerSlot};
use crate::http::client_ip::client_key;
use crate::http::error::ApiError;
use crate::http::replay::{self, Replay};
use crate::sse;

/// Filters and the resume point; `lastEventId` stands in for the header where a client (or a
/// proxy) cannot set it.
#[derive(Debug, Deserialize)]
pub struct EventsQuery {
    pub matches: Option<String>,
    pub leagues: Option<String>,
    pub types: Option<String>,
    #[serde(rename = "lastEventId")]
    pub last_event_id: Option<String>,
}

/// The largest piece a response body is handed to actix in. Actix copies each piece into the
/// connection's write buffer, which keeps whatever size it grew to (up to 128 KB); handing over a
/// 10 KB snapshot in one piece would leave every connection holding a 16 KB buffer for life. In
/// pieces no larger than the flush threshold (`server.rs` sets it to this), the buffer never
/// outgrows its initial 8 KB and only its first pages are ever touched. Measured: 24.6 KB of RSS
/// per idle viewer in one piece, 15.1 KB in 2 KB pieces (docs/benchmarks.md).
pub const WRITE_PIECE: usize = 2048;

/// `frame` as slices of at most [`WRITE_PIECE`] bytes (no copying: they share its buffer).
pub fn pieces(frame: Bytes) -> impl Iterator<Item = Bytes> {
    let len = frame.len();
    (0..len.max(1))
        .step_by(WRITE_PIECE)
        .map(move |at| frame.slice(at..(at + WRITE_PIECE).min(len)))
}

/// Longest a viewer resuming from an id this node has not reached yet (a shared log) waits for
/// this node to catch up before it gets a snapshot instead.
const AHEAD_WAIT: std::time::Duration = std::time::Duration::from_secs(3);

/// Seconds a refused viewer is asked to wait before trying again.
const FULL_RETRY_AFTER_SECS: u64 = 5;

/// A slot for a connection from `req`'s client address (behind a trusted proxy, the one it
/// forwards for), or the 503 that says why not (shared by SSE, the viewer WebSocket and
/// long-polls).
pub fn admit_connection(req: &HttpRequest, app: &AppState) -> Result<ViewerSlot, ApiError> {
    let address = client_key(req, &app.config.trusted_proxies);
    app.slots.try_acquire(address).map_err(|refusal| {
        let message = match refusal {
            Refusal::Server(max) => {
                app.metrics.viewers_refused.inc();
                format!("the server already holds {max} viewers; try again shortly")
            }
            Refusal::Address(max) => {
                app.metrics.viewers_refused_address.inc();
                if let Some(client) = address {
                    tracing::debug!(%client, max, "viewer refused: its address holds too many");
                }
                format!("this address already holds {max} viewer connections; close one first")
            }
        };
        ApiError {
            retry_after: Some(FULL_RETRY_AFTER_SECS),
            ..ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "too_many_viewers", message)
        }
    })
}

/// Check a viewer's filters and take a slot for its connection.
pub fn admit(
    req: &HttpRequest,
    query: &EventsQuery,
    app: &AppState,
) -> Result<(Filter, ViewerSlot), ApiError> {
    let filter = app.filter(
        query.matches.as_deref(),
        query.leagues.as_deref(),
        query.types.as_deref(),
    )?;
    Ok((filter, admit_connection(req, app)?))
}

/// Subscribe a viewer at the hub: its live queue is registered with the broadcaster, and the
/// returned stream is what it must be sent first (a snapshot, or its replay). An error item means
/// its replay cannot be completed and its stream must end.
pub async fn subscribe(
    app: &web::Data<AppState>,
    filter: Filter,
    resume: Option<String>,
) -> Result<
    (
        impl Stream<Item = Result<Bytes, ApiError>> + use<>,
        ViewerRx,
    ),
    ApiError,
> {
    let config = &app.config;
    let mut resume = resume;
    let ahead_until = tokio::time::Instant::now() + AHEAD_WAIT;
    loop {
        let (tx, rx) = viewer_queue::channel(config.viewer_buffer, config.viewer_buffer_bytes);
        let rx = rx.measure_lag(app.metrics.delivery_lag_seconds.clone());
        let subscribe = Subscribe {
            filter: filter.clone(),
            resume: resume.clone(),
            tx,
        };
        let first = match app.hub.send(subscribe).await? {
            Initial::Snapshot(frame) | Initial::SentAway(frame) => {
                stream::iter(Some(Ok(frame))).left_stream()
            }
            Initial::Replay { first, upto } => {
                let replay = Replay::new(app.clone(), filter, first, upto);
                replay::sse_frames(replay).right_stream()
            }
            // Resumed from a node that is ahead of this one: wait for this one to catch up;
            // if it does not in time, the id is no id of this stream's, and a snapshot it is.
            Initial::Ahead(more) => {
                if tokio::time::timeout_at(ahead_until, more).await.is_err() {
                    resume = None;
                }
                continue;
            }
        };
        return Ok((first, rx));
    }
}

/// Middleware, outside `Compress`: the stream is never compressed, because a compressor holds
/// frames back until it has enough to work on, which would delay every event. Its request reaches
/// `Compress` without `Accept-Encoding`, so `Compress` sends it as it is written.
pub async fn never_compressed(
    mut req: actix_web::dev::ServiceRequest,
    next: Next<impl actix_web::body::MessageBody>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    if req.path() == "/events" {
        req.headers_mut().remove(header::ACCEPT_ENCODING);
    }
    next.call(req).await
}

#[get("/events")]
pub async fn events(
    req: HttpRequest,
    query: web::Query<EventsQuery>,
    app: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (filter, slot) = admit(&req, &query, &app)?;
    let resume = req
        .headers()
        .get("Last-Event-ID")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or_else(|| query.last_event_id.clone())
        .filter(|id| !id.trim().is_empty());
    let (initial, rx) = subscribe(&app, filter, resume).await?;
    // The slot is held until the connection goes or the viewer is dropped as too slow.
    let rx = rx.hold(slot);
    let ended = StreamEnd::new(&req);

    let body = stream::iter(Some(Ok(sse::retry(app.config.retry_ms))))
        .chain(initial)
        .chain(rx.map(Ok))
        // A replay that cannot be completed ends the stream: the client reconnects and starts
        // over, rather than carrying on past a gap.
        .take_while(|frame| std::future::ready(frame.is_ok()))
        .flat_map(|frame| stream::iter(pieces(frame.unwrap_or_default())))
        // The end of the stream is logged as the body goes.
        .map(move |piece| {
            let _held = &ended;
            Ok::<Bytes, actix_web::Error>(piece)
        });
    let mut response = HttpResponse::Ok();
    response
        .content_type("text/event-stream")
        .insert_header(CacheControl(vec![CacheDirective::NoCache]))
        .insert_header(("X-Accel-Buffering", "no"));
    let mut response = response.streaming(body);
    if req.version() < Version::HTTP_11 {
        // HTTP/1.0 knows no chunked encoding: the stream runs until the connection closes.
        response.head_mut().no_chunking(true);
        response
            .head_mut()
            .set_connection_type(ConnectionType::Close);
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_cut_into_pieces_that_add_up_to_the_frame() {
        for len in [0, 1, WRITE_PIECE, WRITE_PIECE + 1, 3 * WRITE_PIECE + 17] {
            let frame = Bytes::from(vec![7u8; len]);
            let parts: Vec<Bytes> = pieces(frame.clone()).collect();
            assert!(parts.iter().all(|p| p.len() <= WRITE_PIECE));
            assert_eq!(parts.concat(), frame.to_vec(), "len {len}");
        }
    }
}
