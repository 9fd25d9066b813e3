//! `GET /ws/feed`: the viewer feed over a read-only WebSocket, for comparing transports and for
//! clients that prefer one connection type.
//!
//! It is the SSE feed in a different envelope: the same subscription through the hub, the same
//! broadcaster channel, and every text message is one or more SSE frames exactly as `/events`
//! sends them (`id:`, `event:`, `data:` lines and a blank line; `: ping` heartbeats), so a client
//! parses both transports with one parser. Resume with `?lastEventId=`.

use actix_http::BoxedPayloadStream;
use actix_web::{FromRequest, HttpRequest, HttpResponse, get, web};
use actix_ws::{CloseCode, CloseReason, Message};
use bytestring::ByteString;
use futures_util::StreamExt;

use crate::http::AppState;
use crate::http::error::ApiError;
use crate::http::events::{EventsQuery, admit, subscribe};
use crate::ws_gate;

/// Close code when the viewer fell behind and was dropped: reconnect with `lastEventId`.
const TRY_AGAIN_LATER: u16 = 1013;

#[get("/ws/feed")]
pub async fn feed(
    req: HttpRequest,
    body: web::Payload,
    query: web::Query<EventsQuery>,
    app: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (filter, slot) = admit(&req, &query, &app)?;
    let resume = query
        .last_event_id
        .clone()
        .filter(|id| !id.trim().is_empty());
    // A viewer only ever sends control frames, but its frames pass the same gate as an admin's,
    // so a declared 2^62-byte frame is refused by its header instead of being buffered.
    let (gated, oversized) = ws_gate::gate(body.into_inner(), app.config.max_frame_bytes);
    let gated: BoxedPayloadStream = Box::pin(gated);
    let body = web::Payload::from_request(&req, &mut gated.into())
        .await
        .map_err(|e| ApiError::bad_request(format!("unreadable request body: {e}")))?;
    let (response, mut session, mut incoming) = actix_ws::handle(&req, body)
        .map_err(|e| ApiError::bad_request(format!("not a WebSocket upgrade: {e}")))?;
    let incoming_limit = app.config.max_frame_bytes;
    let (initial, rx) = subscribe(&app, filter, resume).await?;
    // The slot is held until the connection goes or the viewer is dropped as too slow.
    let mut rx = rx.hold(slot);

    actix_web::rt::spawn(async move {
        let mut initial = std::pin::pin!(initial);
        while let Some(frame) = initial.next().await {
            let Ok(frame) = frame else {
                let reason = CloseReason {
                    code: CloseCode::Other(TRY_AGAIN_LATER),
                    description: Some("replay incomplete; reconnect with lastEventId".into()),
                };
                let _ = session.close(Some(reason)).await;
                return;
            };
            if session.text(as_text(frame)).await.is_err() {
                return;
            }
        }
        loop {
            tokio::select! {
                frame = rx.recv() => match frame {
                    Some(frame) => {
                        if session.text(as_text(frame)).await.is_err() {
                            return;
                        }
                    }
                    None => {
                        let reason = CloseReason {
                            code: CloseCode::Other(TRY_AGAIN_LATER),
                            description: Some("fell behind or server stopping; reconnect with lastEventId".into()),
                        };
                        let _ = session.close(Some(reason)).await;
                        return;
                    }
                },
                message = incoming.next() => match message {
                    Some(Ok(Message::Ping(payload))) => {
                        if session.pong(&payload).await.is_err() {
                            return;
                        }
                    }
                    Some(Err(_)) if oversized.is_set() => {
                        let reason = CloseReason {
                            code: CloseCode::Size,
                            description: Some(format!("message too large: the limit is {incoming_limit} bytes")),
                        };
                        let _ = session.close(Some(reason)).await;
                        return;
                    }
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => {
                        let _ = session.close(None).await;
                        return;
                    }
                    Some(Ok(_)) => {}
                },
            }
        }
    });
    Ok(response)
}

/// SSE frames are built from UTF-8 text, so this never fails in practice; a frame that somehow
/// is not UTF-8 is replaced rather than sent as an invalid text message.
fn as_text(frame: bytes::Bytes) -> ByteString {
    ByteString::try_from(frame).unwrap_or_else(|_| ByteString::from_static(": invalid frame\n\n"))
}
