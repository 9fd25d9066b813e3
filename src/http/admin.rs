//! The admin side of HTTP: the WebSocket upgrade (`GET /ws/admin`) and one-shot commands
//! (`POST /api/admin/commands`). Both answer with the frames of the admin protocol.

use std::sync::atomic::Ordering;

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, ResponseError, get, post, web};
use futures_util::StreamExt;

use crate::actors::admin_session;
use crate::actors::hub::Execute;
use crate::feed::CommandError;
use crate::http::AppState;
use crate::http::error::{ApiError, command_status};
use crate::protocol::{self, Incoming, Outgoing};

/// Whether a browser page from `Origin` may open the admin channel: its own origin (the `Host`
/// it connected to), a configured one, or any with `*`. No Origin header means no browser, so
/// no cross-site risk: scripts and the CLI are let through (they still need a token).
fn origin_allowed(req: &HttpRequest, allowed: &[String]) -> bool {
    let Some(origin) = req.headers().get(header::ORIGIN) else {
        return true;
    };
    let Ok(origin) = origin.to_str() else {
        return false;
    };
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok());
    let same_origin = host.is_some_and(|host| {
        origin
            .strip_prefix("http://")
            .or_else(|| origin.strip_prefix("https://"))
            .is_some_and(|o| o.eq_ignore_ascii_case(host))
    });
    same_origin
        || allowed
            .iter()
            .any(|a| a == "*" || a.eq_ignore_ascii_case(origin))
}

/// `GET /ws/admin`: check the Origin, then hand the connection to a new session actor.
#[get("/ws/admin")]
pub async fn upgrade(
    req: HttpRequest,
    stream: web::Payload,
    app: web::Data<AppState>,
) -> Result<HttpResponse, actix_web::Error> {
    if !origin_allowed(&req, &app.config.allowed_origins) {
        let origin = req
            .headers()
            .get(header::ORIGIN)
            .and_then(|o| o.to_str().ok())
            .unwrap_or("?");
        tracing::warn!(origin, "admin WebSocket refused: origin not allowed");
        let error = ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!("origin {origin} may not open the admin channel"),
        );
        return Ok(error.error_response());
    }
    let id = app.next_session.fetch_add(1, Ordering::Relaxed);
    admin_session::start(&req, stream, id, app.admin.clone())
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
    let Some(admin) = token.and_then(|t| app.admin.tokens.authenticate(t)) else {
        let message = match token {
            None => "send the admin token as `Authorization: Bearer TOKEN`",
            Some(_) => "unknown token",
        };
        return refuse(None, CommandError::Unauthorized(message.into()));
    };

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
    let mut bytes = web::BytesMut::new();
    while let Some(chunk) = body.next().await {
        let Ok(chunk) = chunk else {
            return refuse(
                None,
                CommandError::BadRequest("the body could not be read".into()),
            );
        };
        if bytes.len() + chunk.len() > limit {
            return too_large();
        }
        bytes.extend_from_slice(&chunk);
    }
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return refuse(
            None,
            CommandError::BadRequest("the body is not UTF-8".into()),
        );
    };

    let (id, command) = match protocol::parse(text, false) {
        Ok(Incoming::Command { id, command }) => (id, command),
        Ok(Incoming::Auth { .. }) => {
            let error = CommandError::BadRequest(
                "auth is for the WebSocket channel; over HTTP send the token as a Bearer header"
                    .into(),
            );
            return refuse(None, error);
        }
        Err(rejected) => return refuse(rejected.id, rejected.error),
    };
    if let Err(wait) = app.admin.rates.check(admin) {
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
            author: admin.to_owned(),
        })
        .await;
    match result {
        Ok(Ok(ack)) => reply(StatusCode::OK, &Outgoing::ack(id, ack)),
        Ok(Err(error)) => refuse(id, error),
        Err(_) => refuse(
            id,
            CommandError::Unavailable("the feed is not answering".into()),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn own_configured_and_absent_origins_are_allowed_others_not() {
        let req = |origin: Option<&str>| {
            let mut r = TestRequest::default().insert_header((header::HOST, "127.0.0.1:8080"));
            if let Some(o) = origin {
                r = r.insert_header((header::ORIGIN, o));
            }
            r.to_http_request()
        };
        let allowed = vec!["https://console.example".to_owned()];
        assert!(origin_allowed(&req(None), &allowed));
        assert!(origin_allowed(
            &req(Some("http://127.0.0.1:8080")),
            &allowed
        ));
        assert!(origin_allowed(
            &req(Some("https://console.example")),
            &allowed
        ));
        assert!(!origin_allowed(
            &req(Some("https://evil.example")),
            &allowed
        ));
        assert!(!origin_allowed(
            &req(Some("http://127.0.0.1:9999")),
            &allowed
        ));
        assert!(origin_allowed(
            &req(Some("https://evil.example")),
            &["*".to_owned()]
        ));
    }
}
