//! The access log: one line per request (method, path, status, time, client and request id),
//! and the request id itself, taken from a proxy's `X-Request-Id` or made up, which handlers can
//! read ([`RequestId`]) and which every answer carries back in `X-Request-Id`.
//!
//! The client is the one `client_ip.rs` finds (behind a trusted proxy, the address it forwards
//! for), with the peer beside it when they differ. A request id is taken only from a trusted
//! proxy (`--trusted-proxies`) and only in a safe alphabet: otherwise any client could write
//! into the logs, or pose as another request.
//!
//! An SSE viewer's request is logged when its answer starts; `/events` logs a second line, with
//! how long the viewer stayed, when its stream ends (see [`StreamEnd`]).

use std::net::IpAddr;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, web};

use crate::http::AppState;
use crate::http::client_ip::resolve;

/// The request id header, read from a proxy and sent back on every answer.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Longest request id taken from a proxy; a longer one is replaced.
const MAX_ID_LEN: usize = 64;

/// Whether `id` is a request id to keep: short, and letters, digits, `-`, `_`, `.` and `:` only
/// (what proxies make: hex, UUIDs, `host:counter`).
fn is_safe_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ID_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
}

/// The id of the request being handled (in the request's extensions).
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

impl RequestId {
    /// The id a trusted proxy gave the request, when it is a safe one, else a new random one.
    fn of(req: &ServiceRequest, from_trusted_proxy: bool) -> RequestId {
        let given = req
            .headers()
            .get(&REQUEST_ID)
            .and_then(|v| v.to_str().ok())
            .filter(|id| from_trusted_proxy && is_safe_id(id));
        RequestId(match given {
            Some(id) => id.to_owned(),
            None => format!("{:016x}", rand::random::<u64>()),
        })
    }
}

/// Middleware: give the request its id, answer with it, and log the request once its answer's
/// status is known.
pub async fn access_log(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let peer = req.peer_addr().map(|a| a.ip().to_canonical());
    let app = req.app_data::<web::Data<AppState>>().cloned();
    let trusted = app
        .as_ref()
        .map_or(&[][..], |app| &app.config.trusted_proxies);
    let from_proxy = peer.is_some_and(|ip| trusted.iter().any(|net| net.contains(&ip)));
    let id = RequestId::of(&req, from_proxy);
    req.extensions_mut().insert(id.clone());
    let method = req.method().clone();
    let path = req.path().to_owned();
    let client = resolve(peer, req.headers(), trusted);
    let shown = |ip: Option<IpAddr>| ip.map(|ip| ip.to_string()).unwrap_or_default();
    // The peer is named apart only when it is not the client (a proxy).
    let via = if client == peer {
        None
    } else {
        Some(shown(peer))
    };
    let client = shown(client);
    let result = next.call(req).await;
    let status = match &result {
        Ok(res) => res.status(),
        Err(e) => e.as_response_error().status_code(),
    };
    tracing::info!(
        target: "livescore::access",
        request_id = %id.0,
        method = %method,
        path,
        status = status.as_u16(),
        ms = started.elapsed().as_micros() as f64 / 1e3,
        client,
        via = via.as_deref(),
        "request"
    );
    let mut res = result?;
    if let Ok(value) = HeaderValue::from_str(&id.0) {
        res.headers_mut().insert(REQUEST_ID, value);
    }
    Ok(res)
}

/// Logs how long an SSE viewer was connected when its stream ends (dropped with the body).
pub struct StreamEnd {
    request_id: String,
    started: Instant,
}

impl StreamEnd {
    pub fn new(req: &actix_web::HttpRequest) -> StreamEnd {
        let request_id = req
            .extensions()
            .get::<RequestId>()
            .map(|id| id.0.clone())
            .unwrap_or_default();
        StreamEnd {
            request_id,
            started: Instant::now(),
        }
    }
}

impl Drop for StreamEnd {
    fn drop(&mut self) {
        tracing::info!(
            target: "livescore::access",
            request_id = %self.request_id,
            connected_secs = self.started.elapsed().as_secs_f64(),
            "viewer stream ended"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_kept_only_in_a_safe_alphabet() {
        for id in ["a1b2c3", "5f0e-4c1a-9d", "edge-7:1234", "x.y_z"] {
            assert!(is_safe_id(id), "{id}");
        }
        let long = "a".repeat(MAX_ID_LEN + 1);
        for id in [
            "",
            "with space",
            "quote\"",
            "new\nline",
            "<script>",
            "a/b",
            &long,
        ] {
            assert!(!is_safe_id(id), "{id:?}");
        }
    }
}
