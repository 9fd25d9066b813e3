//! `GET /events`: the Server-Sent Events feed.
//!
//! The handler only admits the viewer and builds its response; which frames the viewer gets is
//! decided by the hub (snapshot or replay, then registration in order with live events) and the
//! broadcaster (live fan-out). The body is the `retry:` frame, the initial frames, then whatever
//! arrives on the viewer's channel until the broadcaster lets go of it.

use actix_web::http::StatusCode;
use actix_web::http::header::{CacheControl, CacheDirective};
use actix_web::{HttpRequest, HttpResponse, get, web};
use bytes::Bytes;
use futures_util::StreamExt;
use futures_util::stream;
use serde::Deserialize;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

use crate::actors::broadcaster::ViewerSlot;
use crate::actors::hub::{Initial, Subscribe};
use crate::feed::{Committed, Filter};
use crate::http::AppState;
use crate::http::error::ApiError;
use crate::ids::Seq;
use crate::sse;
use crate::store::Store;

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

/// Seconds a refused viewer is asked to wait before trying again.
const FULL_RETRY_AFTER_SECS: u64 = 5;

/// The frames a new viewer gets first: as the hub gave them, or (for a resume point older than
/// memory holds) the missed events read from the store, off the actor threads.
pub async fn first_frames(
    initial: Initial,
    filter: Filter,
    app: &AppState,
) -> Result<Vec<Bytes>, ApiError> {
    let (after, upto) = match initial {
        Initial::Frames(frames) => return Ok(frames),
        Initial::Stored { after, upto } => (after, upto),
    };
    let missed = stored_events(app, after, upto, &filter).await?;
    Ok(missed.into_iter().map(|e| e.sse).collect())
}

/// The committed events in `(after, upto]` that `filter` accepts, read from the store on the
/// blocking pool (resume points older than the in-memory log; SSE and long-poll alike).
pub async fn stored_events(
    app: &AppState,
    after: Seq,
    upto: Seq,
    filter: &Filter,
) -> Result<Vec<Committed>, ApiError> {
    let dir = app
        .data_dir
        .clone()
        .ok_or_else(|| ApiError::unavailable("no store to replay from"))?;
    let stream = app.stream.clone();
    let missed = web::block(move || Store::open_read_only(&dir)?.since(&stream, after, Some(upto)))
        .await
        .map_err(|_| ApiError::unavailable("the replay could not be read"))?
        .map_err(|e| ApiError::unavailable(format!("the replay could not be read: {e}")))?;
    Ok(missed
        .into_iter()
        .filter(|e| filter.accepts(&e.scope))
        .collect())
}

/// Check a viewer's filters and take a viewer slot (shared by SSE and the viewer WebSocket).
pub fn admit(query: &EventsQuery, app: &AppState) -> Result<(Filter, ViewerSlot), ApiError> {
    let filter = app.filter(
        query.matches.as_deref(),
        query.leagues.as_deref(),
        query.types.as_deref(),
    )?;
    let slot = app.slots.try_acquire().ok_or_else(|| {
        app.metrics.viewers_refused.inc();
        ApiError {
            retry_after: Some(FULL_RETRY_AFTER_SECS),
            ..ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "too_many_viewers",
                format!(
                    "the server already holds {} viewers; try again shortly",
                    app.config.max_viewers
                ),
            )
        }
    })?;
    Ok((filter, slot))
}

#[get("/events")]
pub async fn events(
    req: HttpRequest,
    query: web::Query<EventsQuery>,
    app: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (filter, slot) = admit(&query, &app)?;
    let resume = req
        .headers()
        .get("Last-Event-ID")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or_else(|| query.last_event_id.clone())
        .filter(|id| !id.trim().is_empty());

    let (tx, rx) = mpsc::channel(app.config.viewer_buffer);
    let initial = app
        .hub
        .send(Subscribe {
            filter: filter.clone(),
            resume,
            tx,
            slot,
        })
        .await?;
    let initial = first_frames(initial, filter, &app).await?;

    let head = std::iter::once(sse::retry(app.config.retry_ms)).chain(initial);
    let body = stream::iter(head)
        .chain(ReceiverStream::new(rx))
        .flat_map(|frame| stream::iter(pieces(frame)))
        .map(Ok::<Bytes, actix_web::Error>);
    Ok(HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header(CacheControl(vec![CacheDirective::NoCache]))
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(body))
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
