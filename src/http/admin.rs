//! The admin side of HTTP: the WebSocket upgrade (`GET /ws/admin`) and one-shot commands
//! (`POST /api/admin/commands`). Both answer with the frames of the admin protocol, and both
//! refuse addresses that must wait after failed logins (`throttle.rs`).

use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::Ordering;
use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, ResponseError, get, post, web};
use futures_util::StreamExt;

use crate::actors::admin_session;
use crate::actors::hub::Execute;
use crate::config::{Config, origin_of};
use crate::feed::CommandError;
use crate::http::AppState;
use crate::http::client_ip::{client_ip, client_key};
use crate::http::error::{ApiError, command_status};
use crate::protocol::{self, Incoming, Outgoing};
use crate::throttle::whole_seconds;

/// The server's own origins: that of `--public-url`, or without one `http://<bound address>`
/// (the address actually bound, so port 0 works) and, on loopback, `http://localhost:<port>`.
/// Never the request's `Host` header: an attacker's page reached through DNS rebinding sends a
/// `Host` and an `Origin` that agree with each other, but not with these.
fn own_origins(config: &Config, bound: SocketAddr) -> Vec<String> {
    if let Some(url) = &config.public_url {
        return origin_of(url).into_iter().collect();
    }
    let mut origins = vec![format!("http://{bound}")];
    if bound.ip().is_loopback() {
        origins.push(format!("http://localhost:{}", bound.port()));
    }
    origins
}

/// Whether a browser page from `origin` may open the admin channel: one of the server's own
/// origins, a configured one, or any with `*`. No Origin header means no browser, so no
/// cross-site risk: scripts and the CLI are let through (they still need a token).
fn origin_allowed(
    origin: Option<&header::HeaderValue>,
    own: &[String],
    allowed: &[String],
) -> bool {
    let Some(origin) = origin else {
        return true;
    };
    let Ok(origin) = origin.to_str() else {
        return false;
    };
    own.iter()
        .chain(allowed)
        .any(|a| a == "*" || a.eq_ignore_ascii_case(origin))
}

/// 429 for an address that must wait after failed logins, with `Retry-After`.
fn throttled(app: &AppState, wait: Duration) -> HttpResponse {
    let error = CommandError::RateLimited(app.admin.throttle.message(wait));
    let mut response = refuse(None, error);
    if let Ok(value) = header::HeaderValue::from_str(&whole_seconds(wait).to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

/// The client's address as the failed-login throttle counts it: behind a trusted proxy, the one
/// it forwards for; for IPv6, its /64.
fn peer_ip(req: &HttpRequest, app: &AppState) -> Option<IpAddr> {
    client_key(req, &app.config.trusted_proxies)
}

/// `GET /ws/admin`: check the Origin, then hand the connection to a new session actor.
#[get("/ws/admin")]
pub async fn upgrade(
    req: HttpRequest,
    stream: web::Payload,
    app: web::Data<AppState>,
) -> Result<HttpResponse, actix_web::Error> {
    let own = own_origins(&app.config, req.app_config().local_addr());
    let origin = req.headers().get(header::ORIGIN);
    if !origin_allowed(origin, &own, &app.config.allowed_origins) {
        let origin = req
            .headers()
            .get(header::ORIGIN)
            .and_then(|o| o.to_str().ok())
            .unwrap_or("?");
        let client = client_ip(&req, &app.config.trusted_proxies).map(|ip| ip.to_string());
        tracing::warn!(
            origin,
            client = client.as_deref().unwrap_or("?"),
            "admin WebSocket refused: origin not allowed"
        );
        let error = ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!("origin {origin} may not open the admin channel"),
        );
        return Ok(error.error_response());
    }
    let peer = peer_ip(&req, &app);
    if let Some(Err(wait)) = peer.map(|ip| app.admin.throttle.check(ip)) {
        return Ok(throttled(&app, wait));
    }
    let id = app.next_session.fetch_add(1, Ordering::Relaxed);
    // The only way to fail here is a request that is no WebSocket handshake: answer it with the
    // same JSON error as every other route (actix's own answer has an empty body).
    admin_session::start(&req, stream, id, peer, app.admin.clone()).or_else(|e| {
        Ok(ApiError::bad_request(format!("not a WebSocket upgrade: {e}")).error_response())
    })
}

/// A command's reply as an HTTP response: the protocol frame as the body, with the status that
/// fits it.
fn reply(status: StatusCode, frame: &Outgoing) -> HttpResponse {
    let mut response = HttpResponse::build(status);
    if status == StatusCode::UNAUTHORIZED {
        response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
    }
    response
        .content_type("application/json")
        .body(frame.to_json())
}

fn refuse(id: Option<serde_json::Value>, error: CommandError) -> HttpResponse {
    reply(command_status(&error), &Outgoing::error(id, &error))
}

/// 408 with an error frame of code `timeout`: the body did not arrive within the timeout.
fn body_timed_out(timeout: Duration) -> HttpResponse {
    let frame = Outgoing::Error {
        id: None,
        code: "timeout".into(),
        message: format!(
            "the request body did not arrive within {} s",
            timeout.as_secs()
        ),
        current_version: None,
    };
    let mut response = reply(StatusCode::REQUEST_TIMEOUT, &frame);
    // The rest of a trickled body may still be on its way: do not wait for it on this connection.
    response.headers_mut().insert(
        header::CONNECTION,
        header::HeaderValue::from_static("close"),
    );
    response
}

/// `POST /api/admin/commands` with `Authorization: Bearer TOKEN`: one command, the same JSON as
/// on the WebSocket, answered with the same `ack` or `error` frame.
#[post("/api/admin/commands")]
pub async fn command(
    req: HttpRequest,
    mut body: web::Payload,
    app: web::Data<AppState>,
) -> HttpResponse {
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let peer = peer_ip(&req, &app);
    if token.is_some()
        && let Some(Err(wait)) = peer.map(|ip| app.admin.throttle.check(ip))
    {
        return throttled(&app, wait);
    }
    let Some(identity) = token.and_then(|t| app.admin.tokens.authenticate(t)) else {
        let message = match token {
            None => "send the admin token as `Authorization: Bearer TOKEN`",
            Some(_) => {
                if let Some(ip) = peer {
                    app.admin.throttle.failed(ip);
                }
                "unknown token"
            }
        };
        return refuse(None, CommandError::Unauthorized(message.into()));
    };
    if let Some(ip) = peer {
        app.admin.throttle.succeeded(ip);
    }

    let limit = app.config.max_body_bytes;
    let too_large = || {
        refuse(
            None,
            CommandError::TooLarge(format!("the body is larger than {limit} bytes")),
        )
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|len| len > limit) {
        return too_large();
    }
    let read = async {
        let mut bytes = web::BytesMut::new();
        while let Some(chunk) = body.next().await {
            let Ok(chunk) = chunk else {
                return Err(refuse(
                    None,
                    CommandError::BadRequest("the body could not be read".into()),
                ));
            };
            if bytes.len() + chunk.len() > limit {
                return Err(too_large());
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(bytes)
    };
    // A client trickling its body must not hold the request (and its buffer) open forever.
    let timeout = Duration::from_secs(app.config.body_timeout_secs);
    let bytes = match actix_web::rt::time::timeout(timeout, read).await {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(response)) => return response,
        Err(_) => return body_timed_out(timeout),
    };
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return refuse(
            None,
            CommandError::BadRequest("the body is not UTF-8".into()),
        );
    };

    let received = std::time::Instant::now();
    let (id, command) = match protocol::parse(text, false) {
        Ok(Incoming::Command { id, command }) => (id, command),
        Ok(Incoming::Auth { .. }) => {
            let error = CommandError::BadRequest(
                "auth is for the WebSocket channel; over HTTP send the token as a Bearer header"
                    .into(),
            );
            return refuse(None, error);
        }
        Ok(Incoming::Editing { .. }) => {
            let error = CommandError::BadRequest(
                "editing tells the admins in a WebSocket session which match you are on; it is \
                 not a command"
                    .into(),
            );
            return refuse(None, error);
        }
        Err(rejected) => return refuse(rejected.id, rejected.error),
    };
    if let Err(wait) = app.admin.rates.check(identity.name) {
        let mut response = refuse(id, CommandError::RateLimited(app.admin.rates.message(wait)));
        let secs = wait.as_secs().max(1).to_string();
        if let Ok(value) = header::HeaderValue::from_str(&secs) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        return response;
    }
    let result = app
        .admin
        .hub
        .send(Execute {
            command,
            author: identity.name.to_owned(),
            role: identity.role,
        })
        .await;
    let response = match result {
        Ok(Ok(ack)) => reply(StatusCode::OK, &Outgoing::ack(id, ack)),
        Ok(Err(error)) => refuse(id, error),
        Err(_) => refuse(
            id,
            CommandError::Unavailable("the feed is not answering".into()),
        ),
    };
    app.admin
        .round_trips
        .with_label_values(&["http"])
        .observe(received.elapsed().as_secs_f64());
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_configured_and_absent_origins_are_allowed_others_not() {
        let bound: SocketAddr = "127.0.0.1:8080".parse().unwrap();
        let own = own_origins(&Config::defaults(), bound);
        let allowed = vec!["https://console.example".to_owned()];
        let check = |origin: Option<&str>, allowed: &[String]| {
            let value = origin.map(|o| header::HeaderValue::from_str(o).unwrap());
            origin_allowed(value.as_ref(), &own, allowed)
        };
        assert!(check(None, &allowed));
        assert!(check(Some("http://127.0.0.1:8080"), &allowed));
        assert!(check(Some("http://localhost:8080"), &allowed));
        assert!(check(Some("https://console.example"), &allowed));
        assert!(!check(Some("https://evil.example"), &allowed));
        assert!(!check(Some("http://127.0.0.1:9999"), &allowed));
        assert!(check(Some("https://evil.example"), &["*".to_owned()]));
    }

    #[test]
    fn a_public_url_replaces_the_bound_address_as_own_origin() {
        let bound: SocketAddr = "0.0.0.0:8080".parse().unwrap();
        let mut config = Config::defaults();
        config.public_url = Some("https://scores.example/console".into());
        assert_eq!(own_origins(&config, bound), ["https://scores.example"]);
        config.public_url = None;
        assert_eq!(own_origins(&config, bound), ["http://0.0.0.0:8080"]);
    }
}
