//! The hub's side of the admin channel: who is connected and which match each is at work on
//! (presence), what each session is told, and the generator whose settings admins steer.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix::prelude::*;
use bytestring::ByteString;

use super::Hub;
use crate::actors::admin_session::close;
use crate::actors::generator::Steer;
use crate::actors::outbound::{Offer, Outbound, frame_cost};
use crate::auth::Role;
use crate::feed::CommandError;
use crate::ids::MatchId;
use crate::protocol::{Editing, GeneratorState, Outgoing};
use crate::store::log_writer::RemotePresence;

/// How often this node repeats to the others which admins it has (a shared log).
pub const PRESENCE_EVERY: Duration = Duration::from_secs(3);

/// How long another node's word on its admins stays good without being repeated.
const PRESENCE_TTL: Duration = Duration::from_secs(10);
use crate::store::postgres::leader::{GeneratorSettings, Leadership};

/// Another node's admins and what they are at work on, as it last said, and when.
pub(super) struct Remote {
    admins: Vec<String>,
    editing: Vec<Editing>,
    heard: Instant,
}

/// An admin session as the hub knows it.
pub(super) struct Admin {
    pub(super) name: String,
    pub(super) session: Recipient<ToAdmin>,
    /// The session's outbound byte count: frames are offered to it before they are sent.
    pub(super) outbound: Arc<crate::actors::outbound::Outbound>,
    /// The match the admin says they are at work on.
    pub(super) editing: Option<crate::ids::MatchId>,
}

impl Hub {
    /// Carry out `generator.control`: through the shared log in a cluster, else straight to
    /// this node's generator; admins are told the new settings.
    pub(super) fn steer_generator(
        &mut self,
        running: Option<bool>,
        speed: Option<f64>,
    ) -> Result<(), CommandError> {
        // In a cluster the settings are shared: whichever node leads follows them, and every
        // node hears of them (and tells its admins) within a second.
        if let Some(d) = &self.durable
            && d.settings.writer.share_generator_control(running, speed)
        {
            return Ok(());
        }
        let generator = self.generator.as_ref().ok_or_else(|| {
            CommandError::Unavailable(
                "the generator is not running (the server was started with --no-generator)".into(),
            )
        })?;
        generator.do_send(Steer { running, speed });
        if let Some(state) = &mut self.generator_state {
            state.running = running.unwrap_or(state.running);
            state.speed = speed.unwrap_or(state.speed);
            let frame = Outgoing::Generator(*state).to_json();
            self.tell_admins(ByteString::from(frame));
        }
        Ok(())
    }

    /// Send one text frame to every admin session whose queue has room for it. A session
    /// whose queue is full is told to close with 1013 and sent nothing more: it leaves when its
    /// actor stops, or when its watchdog cuts it.
    pub(super) fn tell_admins(&self, frame: ByteString) {
        let cost = frame_cost(frame.len());
        for (id, admin) in &self.admins {
            match admin.outbound.offer(cost) {
                Offer::Queued => admin.session.do_send(ToAdmin::Frame(frame.clone())),
                Offer::Overflowed => {
                    tracing::info!(
                        session = id,
                        admin = %admin.name,
                        queued = admin.outbound.queued(),
                        "admin session too slow; closing it"
                    );
                    self.metrics.admins_dropped_slow.inc();
                    admin.session.do_send(ToAdmin::Close(
                        close::TRY_AGAIN_LATER,
                        close::TOO_SLOW.into(),
                    ));
                }
                Offer::Refused => {}
            }
        }
    }

    /// Tell every admin who is connected, here and on the other nodes of a shared log (each
    /// name once, sorted).
    fn announce_presence(&self) {
        let here = self.admins.values().map(|a| a.name.as_str());
        let elsewhere = self.remote_admins.values().flat_map(|r| &r.admins);
        let names: BTreeSet<&str> = here.chain(elsewhere.map(String::as_str)).collect();
        let editing: BTreeSet<Editing> = self
            .editing_here()
            .into_iter()
            .chain(self.remote_admins.values().flat_map(|r| r.editing.clone()))
            .collect();
        let frame = Outgoing::Presence {
            admins: names.into_iter().map(str::to_owned).collect(),
            editing: editing.into_iter().collect(),
        };
        self.tell_admins(ByteString::from(frame.to_json()));
        self.metrics.admins.set(self.admins.len() as i64);
    }

    /// Tell the other nodes of a shared log which admins are here.
    fn share_presence(&self) {
        if let Some(d) = &self.durable {
            let names: BTreeSet<&str> = self.admins.values().map(|a| a.name.as_str()).collect();
            let names = names.into_iter().map(str::to_owned).collect();
            d.settings.writer.share_presence(names, self.editing_here());
        }
    }

    /// Who is at work on which match on this node, each pair once.
    fn editing_here(&self) -> Vec<Editing> {
        let pairs: BTreeSet<Editing> = self
            .admins
            .values()
            .filter_map(|a| {
                a.editing.map(|match_id| Editing {
                    admin: a.name.clone(),
                    match_id,
                })
            })
            .collect();
        pairs.into_iter().collect()
    }

    /// Repeat our presence to the other nodes, and forget nodes that have gone quiet.
    pub(super) fn refresh_presence(&mut self) {
        self.share_presence();
        let before = self.remote_admins.len();
        self.remote_admins
            .retain(|_, r| r.heard.elapsed() < PRESENCE_TTL);
        if self.remote_admins.len() != before {
            self.announce_presence();
        }
    }
}

impl Handler<RemotePresence> for Hub {
    type Result = ();

    fn handle(&mut self, msg: RemotePresence, _: &mut Context<Self>) {
        let changed = self
            .remote_admins
            .get(&msg.node)
            .is_none_or(|r| r.admins != msg.admins || r.editing != msg.editing);
        let remote = Remote {
            admins: msg.admins,
            editing: msg.editing,
            heard: Instant::now(),
        };
        self.remote_admins.insert(msg.node, remote);
        if changed {
            self.announce_presence();
        }
    }
}

/// Where `generator.control` commands go once they have been validated, and the settings the
/// generator starts with.
#[derive(Message)]
#[rtype(result = "()")]
pub struct AttachGenerator {
    pub generator: Recipient<Steer>,
    /// Told when a batch of the generator's was fenced by a newer leader (cluster mode).
    pub leadership: Recipient<Leadership>,
    pub state: GeneratorState,
}

impl Handler<AttachGenerator> for Hub {
    type Result = ();

    fn handle(&mut self, msg: AttachGenerator, _: &mut Context<Self>) {
        self.generator = Some(msg.generator);
        self.leadership = Some(msg.leadership);
        self.generator_state = Some(msg.state);
    }
}

/// What the hub tells an admin session.
#[derive(Message, Debug, Clone)]
#[rtype(result = "()")]
pub enum ToAdmin {
    /// A text frame to pass on as is (event, presence, ready, generator).
    Frame(ByteString),
    /// Close the session with this code and reason.
    Close(u16, String),
}

/// An authenticated admin session joins: it is sent `ready`, then everyone gets `presence`,
/// and from now on it receives every event.
#[derive(Message)]
#[rtype(result = "()")]
pub struct AdminJoined {
    pub session: u64,
    pub name: String,
    pub role: Role,
    pub recipient: Recipient<ToAdmin>,
    pub outbound: Arc<Outbound>,
}

impl Handler<AdminJoined> for Hub {
    type Result = ();

    fn handle(&mut self, msg: AdminJoined, _: &mut Context<Self>) {
        let ready = Outgoing::Ready {
            admin: msg.name.clone(),
            role: msg.role,
            can: msg.role.commands().into_iter().map(str::to_owned).collect(),
            seq: self.log.last_seq(),
            stream: self.stream().to_string(),
            generator: self.generator_state,
        };
        let ready = ByteString::from(ready.to_json());
        msg.outbound.force(frame_cost(ready.len()));
        msg.recipient.do_send(ToAdmin::Frame(ready));
        tracing::debug!(session = msg.session, admin = %msg.name, "admin joined");
        self.admins.insert(
            msg.session,
            Admin {
                name: msg.name,
                session: msg.recipient,
                outbound: msg.outbound,
                editing: None,
            },
        );
        self.announce_presence();
        self.share_presence();
    }
}

/// An admin says which match they are at work on (`None`: none); everyone is told if it
/// changed.
#[derive(Message)]
#[rtype(result = "()")]
pub struct AdminEditing {
    pub session: u64,
    pub match_id: Option<MatchId>,
}

impl Handler<AdminEditing> for Hub {
    type Result = ();

    fn handle(&mut self, msg: AdminEditing, _: &mut Context<Self>) {
        let Some(admin) = self.admins.get_mut(&msg.session) else {
            return;
        };
        if admin.editing == msg.match_id {
            return;
        }
        admin.editing = msg.match_id;
        self.announce_presence();
        self.share_presence();
    }
}

/// An admin session ended.
#[derive(Message)]
#[rtype(result = "()")]
pub struct AdminLeft {
    pub session: u64,
}

impl Handler<AdminLeft> for Hub {
    type Result = ();

    fn handle(&mut self, msg: AdminLeft, _: &mut Context<Self>) {
        if let Some(admin) = self.admins.remove(&msg.session) {
            tracing::debug!(session = msg.session, admin = %admin.name, "admin left");
            self.announce_presence();
            self.share_presence();
        }
    }
}

/// Close every admin session (server shutdown). Replies with how many there were.
#[derive(Message)]
#[rtype(result = "usize")]
pub struct CloseAdmins {
    pub code: u16,
    pub reason: String,
}

impl Handler<CloseAdmins> for Hub {
    type Result = usize;

    fn handle(&mut self, msg: CloseAdmins, _: &mut Context<Self>) -> usize {
        for admin in self.admins.values() {
            admin
                .session
                .do_send(ToAdmin::Close(msg.code, msg.reason.clone()));
        }
        self.admins.len()
    }
}

/// The cluster's generator settings changed (or were first read): steer this node's generator
/// (it follows them when it leads) and show them to this node's admins.
impl Handler<GeneratorSettings> for Hub {
    type Result = ();

    fn handle(&mut self, msg: GeneratorSettings, _: &mut Context<Self>) {
        if msg.running.is_none() && msg.speed.is_none() {
            return;
        }
        if let Some(generator) = &self.generator {
            generator.do_send(Steer {
                running: msg.running,
                speed: msg.speed,
            });
        }
        if let Some(state) = &mut self.generator_state {
            state.running = msg.running.unwrap_or(state.running);
            state.speed = msg.speed.unwrap_or(state.speed);
            let frame = Outgoing::Generator(*state).to_json();
            self.tell_admins(ByteString::from(frame));
        }
    }
}
