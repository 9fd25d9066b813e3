//! Replays, a page at a time: what a resuming viewer (SSE, viewer WebSocket or long-poll) missed.
//!
//! The hub registers a resuming viewer at the seq it has reached (`upto`) and hands back the
//! range it missed; this module walks that range as the viewer's connection takes it. Each page
//! comes from the hub's in-memory log when it still holds it (shared frames, no copy) or else from
//! the store, read on the blocking pool with at most `--max-store-replays` reads at once. Nothing
//! is read ahead of the connection, so a client that resumes from far back and then stops reading
//! costs one page, not its whole gap.

use std::sync::Arc;

use actix_web::web;
use bytes::Bytes;
use futures_util::{Stream, StreamExt, stream};

use crate::actors::hub::{PAGE_BYTES, PAGE_EVENTS, Page, PageAnswer, ReadPage};
use crate::feed::{Committed, Filter};
use crate::http::AppState;
use crate::http::error::ApiError;
use crate::ids::Seq;
use crate::store::Store;

/// The rest of one viewer's replay.
pub struct Replay {
    app: web::Data<AppState>,
    filter: Filter,
    /// Everything up to here has been handed out (or did not match the filter).
    after: Seq,
    upto: Seq,
    /// The first page, when the hub sent it along with the subscription.
    first: Option<Vec<Arc<Committed>>>,
}

impl Replay {
    /// The replay of `(first.reached, upto]`, with `first`'s events handed out first.
    pub fn new(app: web::Data<AppState>, filter: Filter, first: Page, upto: Seq) -> Replay {
        Replay {
            app,
            filter,
            after: first.reached,
            upto,
            first: (!first.events.is_empty()).then_some(first.events),
        }
    }

    /// Whether every event of the range has been handed out.
    pub fn is_done(&self) -> bool {
        self.first.is_none() && self.after >= self.upto
    }

    /// The next events (at most `max`, never an empty page), or `None` when the replay is done.
    /// An error means the rest cannot be replayed (pruned meanwhile, or the store failed): the
    /// viewer must start over.
    pub async fn next(&mut self, max: usize) -> Result<Option<Vec<Arc<Committed>>>, ApiError> {
        if let Some(first) = self.first.take() {
            return Ok(Some(first));
        }
        while self.after < self.upto {
            let ask = ReadPage {
                after: self.after,
                upto: self.upto,
                filter: self.filter.clone(),
                max_events: max.min(PAGE_EVENTS),
            };
            let events = match self.app.hub.send(ask).await? {
                PageAnswer::Memory(page) => {
                    self.after = page.reached;
                    page.events
                }
                PageAnswer::Stored => self.stored(max.min(PAGE_EVENTS)).await?,
                PageAnswer::Gone => return Err(gone()),
            };
            if !events.is_empty() {
                return Ok(Some(events));
            }
        }
        Ok(None)
    }

    /// One page from the store; moves `after` past every event read, matching or not.
    async fn stored(&mut self, max: usize) -> Result<Vec<Arc<Committed>>, ApiError> {
        let app = &self.app;
        let (after, upto) = (self.after, self.upto);
        let _turn = app
            .store_replays
            .acquire()
            .await
            .map_err(|_| ApiError::unavailable("the server is shutting down"))?;
        app.metrics.store_replay_pages.inc();
        let read = if let Some(pg) = &app.pg {
            pg.page(after, Some(upto), max, PAGE_BYTES)
                .await
                .map_err(|e| ApiError::unavailable(format!("the replay could not be read: {e}")))?
        } else {
            let dir = app.data_dir.clone().ok_or_else(gone)?;
            let stream = app.stream.clone();
            web::block(move || {
                Store::open_read_only(&dir)?.page(&stream, after, Some(upto), max, PAGE_BYTES)
            })
            .await
            .map_err(|_| ApiError::unavailable("the replay could not be read"))?
            .map_err(|e| ApiError::unavailable(format!("the replay could not be read: {e}")))?
        };
        // The store prunes from the front: a page that does not start right after `after` has
        // lost the events in between, and must not be passed off as complete.
        match read.first() {
            Some(first) if first.seq == after.next() => {}
            _ => return Err(gone()),
        }
        self.after = read.last().map_or(upto, |e| e.seq);
        Ok(read
            .into_iter()
            .filter(|e| self.filter.accepts(&e.scope))
            .map(Arc::new)
            .collect())
    }
}

fn gone() -> ApiError {
    ApiError::unavailable("the events to replay are no longer kept; reconnect to start over")
}

/// The replay as SSE frames, for a response body. It ends early, with an error item, when the
/// rest cannot be replayed: the body must then end so that the client reconnects (and, being
/// too far behind now, gets a snapshot) rather than continue past a gap.
pub fn sse_frames(replay: Replay) -> impl Stream<Item = Result<Bytes, ApiError>> {
    stream::unfold(Some(replay), |replay| async move {
        let mut replay = replay?;
        match replay.next(PAGE_EVENTS).await {
            Ok(Some(events)) => Some((Ok(events), Some(replay))),
            Ok(None) => None,
            Err(e) => Some((Err(e), None)),
        }
    })
    .flat_map(|page| {
        stream::iter(match page {
            Ok(events) => events.iter().map(|e| Ok(e.sse.clone())).collect(),
            Err(e) => vec![Err(e)],
        })
    })
}
