//! One actor per admin WebSocket: authentication, heartbeat, limits, and relaying commands to the
//! hub and the hub's frames back.
//!
//! This is the only module that uses `actix-web-actors` (deprecated upstream in favour of
//! `actix-ws`, kept because each session is an actor here). Everything it needs from the
//! protocol lives in `protocol.rs` and everything about the feed in the hub, so moving the
//! transport to `actix-ws` would touch this file alone.
//!
//! A session's life: upgrade (the Origin was checked by the handler) → `auth` within the auth
//! timeout, or close 4001 → `ready` → commands, each answered by exactly one `ack` or `error`
//! carrying the client's `id` → close. The server pings every few seconds and closes a session
//! that has sent nothing, not even a pong, for longer than the timeout.

use std::sync::Arc;
use std::time::{Duration, Instant};

use actix::prelude::*;
use actix_web::{HttpRequest, HttpResponse, web};
use actix_web_actors::ws;

use crate::actors::hub::{AdminJoined, AdminLeft, Execute, Hub, ToAdmin};
use crate::auth::AdminTokens;
use crate::feed::CommandError;
use crate::protocol::{self, Incoming, Outgoing};
use crate::rate::RateLimits;

/// Close codes (DESIGN.md section 4).
pub mod close {
    /// The server is shutting down, or the client stopped answering pings.
    pub const GOING_AWAY: u16 = 1001;
    pub const PROTOCOL: u16 = 1002;
    /// Too many bad messages in a row.
    pub const POLICY: u16 = 1008;
    /// A message larger than the frame limit.
    pub const TOO_LARGE: u16 = 1009;
    /// No or wrong authentication.
    pub const UNAUTHORIZED: u16 = 4001;
}

/// The limits a session enforces (from the server's configuration).
#[derive(Debug, Clone, Copy)]
pub struct SessionLimits {
    pub auth_timeout: Duration,
    pub ping_every: Duration,
    pub timeout: Duration,
    pub max_bad_messages: u32,
    pub max_frame_bytes: usize,
}

/// What every session shares.
#[derive(Clone)]
pub struct SessionDeps {
    pub hub: Addr<Hub>,
    pub tokens: Arc<AdminTokens>,
    pub rates: Arc<RateLimits>,
    pub limits: SessionLimits,
}

pub struct AdminSession {
    id: u64,
    deps: SessionDeps,
    /// The admin's name, once authenticated.
    admin: Option<String>,
    last_seen: Instant,
    bad_in_a_row: u32,
}

/// Upgrade `req` to a WebSocket served by a new session actor.
pub fn start(
    req: &HttpRequest,
    stream: web::Payload,
    id: u64,
    deps: SessionDeps,
) -> Result<HttpResponse, actix_web::Error> {
    let max_frame = deps.limits.max_frame_bytes;
    let session = AdminSession {
        id,
        deps,
        admin: None,
        last_seen: Instant::now(),
        bad_in_a_row: 0,
    };
    ws::WsResponseBuilder::new(session, req, stream)
        .frame_size(max_frame)
        .start()
}

impl AdminSession {
    fn close(&self, ctx: &mut ws::WebsocketContext<Self>, code: u16, reason: &str) {
        tracing::debug!(session = self.id, code, reason, "closing admin session");
        ctx.close(Some(ws::CloseReason {
            code: ws::CloseCode::from(code),
            description: Some(reason.to_owned()),
        }));
        ctx.stop();
    }

    fn send(&self, ctx: &mut ws::WebsocketContext<Self>, frame: &Outgoing) {
        ctx.text(frame.to_json());
    }

    /// Answer a message that could not be understood; too many in a row end the session.
    fn reject(
        &mut self,
        ctx: &mut ws::WebsocketContext<Self>,
        id: Option<serde_json::Value>,
        error: CommandError,
    ) {
        self.send(ctx, &Outgoing::error(id, &error));
        self.bad_in_a_row += 1;
        if self.bad_in_a_row >= self.deps.limits.max_bad_messages {
            let reason = format!("{} bad messages in a row", self.bad_in_a_row);
            self.close(ctx, close::POLICY, &reason);
        }
    }

    fn on_text(&mut self, text: &str, ctx: &mut ws::WebsocketContext<Self>) {
        let message = match protocol::parse(text, true) {
            Ok(message) => message,
            Err(_) if self.admin.is_none() => {
                return self.close(
                    ctx,
                    close::UNAUTHORIZED,
                    "unauthorized: the first message must be {\"type\":\"auth\",\"token\":...}",
                );
            }
            Err(rejected) => return self.reject(ctx, rejected.id, rejected.error),
        };
        match (message, self.admin.clone()) {
            (Incoming::Auth { token }, None) => match self.deps.tokens.authenticate(&token) {
                Some(name) => {
                    self.admin = Some(name.to_owned());
                    self.deps.hub.do_send(AdminJoined {
                        session: self.id,
                        name: name.to_owned(),
                        recipient: ctx.address().recipient(),
                    });
                }
                None => self.close(ctx, close::UNAUTHORIZED, "unauthorized: unknown token"),
            },
            (Incoming::Auth { .. }, Some(name)) => {
                let error = CommandError::BadRequest(format!("already authenticated as {name}"));
                self.reject(ctx, None, error);
            }
            (Incoming::Command { .. }, None) => {
                self.close(ctx, close::UNAUTHORIZED, "unauthorized: authenticate first");
            }
            (Incoming::Command { id, command }, Some(name)) => {
                self.bad_in_a_row = 0;
                if let Err(wait) = self.deps.rates.check(&name) {
                    let error = CommandError::RateLimited(self.deps.rates.message(wait));
                    return self.send(ctx, &Outgoing::error(id, &error));
                }
                let reply = self.deps.hub.send(Execute {
                    command,
                    author: name,
                });
                ctx.spawn(reply.into_actor(self).map(move |result, act, ctx| {
                    let frame = match result {
                        Ok(Ok(ack)) => Outgoing::ack(id, ack),
                        Ok(Err(error)) => Outgoing::error(id, &error),
                        Err(_) => Outgoing::error(
                            id,
                            &CommandError::Unavailable("the feed is not answering".into()),
                        ),
                    };
                    act.send(ctx, &frame);
                }));
            }
        }
    }
}

impl Actor for AdminSession {
    type Context = ws::WebsocketContext<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        let limits = self.deps.limits;
        ctx.run_later(limits.auth_timeout, move |act, ctx| {
            if act.admin.is_none() {
                let reason = format!(
                    "unauthorized: no auth within {} s",
                    limits.auth_timeout.as_secs()
                );
                act.close(ctx, close::UNAUTHORIZED, &reason);
            }
        });
        ctx.run_interval(limits.ping_every, move |act, ctx| {
            if act.last_seen.elapsed() > limits.timeout {
                let reason = format!("no pong for {} s", limits.timeout.as_secs());
                act.close(ctx, close::GOING_AWAY, &reason);
            } else {
                ctx.ping(b"");
            }
        });
    }

    fn stopped(&mut self, _: &mut Self::Context) {
        if self.admin.is_some() {
            self.deps.hub.do_send(AdminLeft { session: self.id });
        }
    }
}

impl StreamHandler<Result<ws::Message, ws::ProtocolError>> for AdminSession {
    fn handle(&mut self, msg: Result<ws::Message, ws::ProtocolError>, ctx: &mut Self::Context) {
        self.last_seen = Instant::now();
        match msg {
            Ok(ws::Message::Text(text)) => self.on_text(&text, ctx),
            Ok(ws::Message::Ping(payload)) => ctx.pong(&payload),
            Ok(ws::Message::Pong(_)) | Ok(ws::Message::Nop) => {}
            Ok(ws::Message::Binary(_)) => {
                let error = CommandError::BadRequest(
                    "binary frames are not accepted; send JSON text".into(),
                );
                self.reject(ctx, None, error);
            }
            Ok(ws::Message::Continuation(_)) => {
                let error = CommandError::BadRequest("fragmented messages are not accepted".into());
                self.reject(ctx, None, error);
            }
            Ok(ws::Message::Close(reason)) => {
                ctx.close(reason);
                ctx.stop();
            }
            Err(ws::ProtocolError::Overflow) => {
                let reason = format!(
                    "message too large: the limit is {} bytes",
                    self.deps.limits.max_frame_bytes
                );
                self.close(ctx, close::TOO_LARGE, &reason);
            }
            Err(e) => self.close(ctx, close::PROTOCOL, &format!("protocol error: {e}")),
        }
    }
}

impl Handler<ToAdmin> for AdminSession {
    type Result = ();

    fn handle(&mut self, msg: ToAdmin, ctx: &mut Self::Context) {
        match msg {
            ToAdmin::Frame(text) => ctx.text(text),
            ToAdmin::Close(code, reason) => self.close(ctx, code, &reason),
        }
    }
}
