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
//!
//! What a session is sent is counted in bytes (`outbound.rs`): a client that does not read fast
//! enough to keep its queue under `--admin-buffer-bytes` is closed with 1013, and a watchdog task
//! beside the session cuts a session whose connection does not drain at all, or whose client has
//! been silent past the timeout, even though its actor no longer runs (see `outbound.rs` for why
//! it would not).

use std::net::IpAddr;
use std::sync::Arc;

use actix::prelude::*;
use actix_web::{HttpRequest, HttpResponse, web};
use actix_web_actors::ws;

pub use crate::actors::admin_deps::{SessionDeps, SessionLimits};
use crate::actors::hub::{AdminEditing, AdminJoined, AdminLeft, Execute, Hub, ToAdmin};
use crate::actors::outbound::{self, Cutter, Offer, Outbound, frame_cost};
use crate::auth::Role;
use crate::feed::CommandError;
use crate::protocol::{self, Incoming, Outgoing};
use crate::ws_gate::{self, Tripped};

/// Close codes (DESIGN.md section 4).
pub mod close {
    /// The server is shutting down, or the client stopped answering pings.
    pub const GOING_AWAY: u16 = 1001;
    pub const PROTOCOL: u16 = 1002;
    /// Too many bad messages in a row.
    pub const POLICY: u16 = 1008;
    /// A message larger than the frame limit.
    pub const TOO_LARGE: u16 = 1009;
    /// The client did not read fast enough to keep its queue under the limit.
    pub const TRY_AGAIN_LATER: u16 = 1013;
    /// The reason sent with [`TRY_AGAIN_LATER`].
    pub const TOO_SLOW: &str = "too slow; reconnect";
    /// No or wrong authentication.
    pub const UNAUTHORIZED: u16 = 4001;
    /// Too many failed logins from the client's address; the reason says how long to wait.
    pub const THROTTLED: u16 = 4029;
}

pub struct AdminSession {
    id: u64,
    deps: SessionDeps,
    /// The admin's name, once authenticated.
    admin: Option<String>,
    /// What the admin may do (set with the name).
    role: Role,
    /// The client's address, for failed-login throttling.
    peer: Option<IpAddr>,
    /// Bytes queued for the client, and when it last sent anything.
    outbound: Arc<Outbound>,
    bad_in_a_row: u32,
    /// Set when the client declared a frame over the limit (see `ws_gate.rs`).
    oversized: Tripped,
}

/// Upgrade `req` to a WebSocket served by a new session actor; fails only for a request that is
/// no WebSocket handshake.
pub fn start(
    req: &HttpRequest,
    stream: web::Payload,
    id: u64,
    peer: Option<IpAddr>,
    deps: SessionDeps,
) -> Result<HttpResponse, actix_web::Error> {
    let mut response = ws::handshake(req)?;
    let limits = deps.limits;
    let hub = deps.hub.clone();
    let outbound = Arc::new(Outbound::new(limits.buffer_bytes));
    outbound.seen();
    let (stream, oversized) = ws_gate::gate(stream, limits.max_frame_bytes);
    let session = AdminSession {
        id,
        deps,
        admin: None,
        role: Role::default(),
        peer,
        outbound: outbound.clone(),
        bad_in_a_row: 0,
        oversized,
    };
    let codec = actix_http::ws::Codec::new().max_size(limits.max_frame_bytes);
    let frames = ws::WebsocketContext::with_codec(session, stream, codec);
    let (body, cutter) = outbound::metered(frames, outbound.clone());
    actix_web::rt::spawn(watch(cutter, outbound, limits, hub, id));
    Ok(response.streaming(body))
}

/// The session's watchdog, on the same worker thread: every ping interval it checks the session
/// from outside, because a session whose connection does not drain is never polled and cannot
/// act on its own timers. It cuts the session (dropping its queue and actor, and leaving the hub)
/// when the client has been silent for a ping interval past the timeout (the session's own
/// check, with a close frame, comes first when it runs), or when the session was too slow at
/// two checks in a row (the first gives the 1013 close frame a chance to reach a client that
/// reads, slowly).
async fn watch<S>(
    cutter: Cutter<S>,
    outbound: Arc<Outbound>,
    limits: SessionLimits,
    hub: Addr<Hub>,
    session: u64,
) {
    let mut tick = actix_web::rt::time::interval(limits.ping_every);
    tick.tick().await;
    let mut was_too_slow = false;
    loop {
        tick.tick().await;
        if cutter.is_done() {
            return;
        }
        let silent = outbound.silent_for() > limits.timeout + limits.ping_every;
        if silent || (was_too_slow && outbound.is_too_slow()) {
            break;
        }
        was_too_slow = outbound.is_too_slow();
    }
    tracing::info!(
        session,
        queued = outbound.queued(),
        silent_ms = outbound.silent_for().as_millis() as u64,
        "admin session cut: its connection does not drain or its client is silent"
    );
    cutter.cut();
    hub.do_send(AdminLeft { session });
}

impl AdminSession {
    fn close(&self, ctx: &mut ws::WebsocketContext<Self>, code: u16, reason: &str) {
        tracing::debug!(session = self.id, code, reason, "closing admin session");
        self.outbound.force(frame_cost(2 + reason.len()));
        ctx.close(Some(ws::CloseReason {
            code: ws::CloseCode::from(code),
            description: Some(reason.to_owned()),
        }));
        ctx.stop();
    }

    fn send(&self, ctx: &mut ws::WebsocketContext<Self>, frame: &Outgoing) {
        let text = frame.to_json();
        if self.admit(ctx, text.len()) {
            ctx.text(text);
        }
    }

    /// Count a frame of the session's own with `payload` bytes; whether to write it. A frame
    /// that does not fit closes the session as too slow.
    fn admit(&self, ctx: &mut ws::WebsocketContext<Self>, payload: usize) -> bool {
        match self.outbound.offer(frame_cost(payload)) {
            Offer::Queued => true,
            Offer::Overflowed => {
                self.close(ctx, close::TRY_AGAIN_LATER, close::TOO_SLOW);
                false
            }
            Offer::Refused => false,
        }
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

    /// Check `token` (unless the client's address must wait after failed logins) and join the
    /// hub, or close the session.
    fn authenticate(&mut self, token: &str, ctx: &mut ws::WebsocketContext<Self>) {
        let throttle = &self.deps.throttle;
        if let Some(Err(wait)) = self.peer.map(|ip| throttle.check(ip)) {
            let message = throttle.message(wait);
            self.send(
                ctx,
                &Outgoing::error(None, &CommandError::RateLimited(message.clone())),
            );
            return self.close(ctx, close::THROTTLED, &message);
        }
        let Some(identity) = self.deps.tokens.authenticate(token) else {
            if let Some(ip) = self.peer {
                throttle.failed(ip);
            }
            return self.close(ctx, close::UNAUTHORIZED, "unauthorized: unknown token");
        };
        if let Some(ip) = self.peer {
            throttle.succeeded(ip);
        }
        let name = identity.name.to_owned();
        self.admin = Some(name.clone());
        self.role = identity.role;
        self.deps.hub.do_send(AdminJoined {
            session: self.id,
            name,
            role: identity.role,
            recipient: ctx.address().recipient(),
            outbound: self.outbound.clone(),
        });
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
            (Incoming::Auth { token }, None) => {
                self.authenticate(&token, ctx);
            }
            (Incoming::Auth { .. }, Some(name)) => {
                let error = CommandError::BadRequest(format!("already authenticated as {name}"));
                self.reject(ctx, None, error);
            }
            (Incoming::Command { .. } | Incoming::Editing { .. }, None) => {
                self.close(ctx, close::UNAUTHORIZED, "unauthorized: authenticate first");
            }
            (Incoming::Editing { match_id }, Some(name)) => {
                // Each one is told to every admin: it is counted against the sender's rate.
                if let Err(wait) = self.deps.rates.check(&name) {
                    let error = CommandError::RateLimited(self.deps.rates.message(wait));
                    return self.send(ctx, &Outgoing::error(None, &error));
                }
                self.deps.hub.do_send(AdminEditing {
                    session: self.id,
                    match_id,
                });
            }
            (Incoming::Command { id, command }, Some(name)) => {
                let received = std::time::Instant::now();
                self.bad_in_a_row = 0;
                if let Err(wait) = self.deps.rates.check(&name) {
                    let error = CommandError::RateLimited(self.deps.rates.message(wait));
                    return self.send(ctx, &Outgoing::error(id, &error));
                }
                let reply = self.deps.hub.send(Execute {
                    command,
                    author: name,
                    role: self.role,
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
                    act.deps
                        .round_trips
                        .with_label_values(&["ws"])
                        .observe(received.elapsed().as_secs_f64());
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
            if act.outbound.silent_for() > limits.timeout {
                let reason = format!("no pong for {} s", limits.timeout.as_secs());
                act.close(ctx, close::GOING_AWAY, &reason);
            } else if act.admit(ctx, 0) {
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
        self.outbound.seen();
        match msg {
            Ok(ws::Message::Text(text)) => self.on_text(&text, ctx),
            Ok(ws::Message::Ping(payload)) => {
                if self.admit(ctx, payload.len()) {
                    ctx.pong(&payload);
                }
            }
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
            Err(e) if self.oversized.is_set() || matches!(e, ws::ProtocolError::Overflow) => {
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
            // Counted by the hub when it offered the frame.
            ToAdmin::Frame(text) => ctx.text(text),
            ToAdmin::Close(code, reason) => self.close(ctx, code, &reason),
        }
    }
}
