//! Commands into the hub: [`Execute`] (an admin's) and [`ExecuteAll`] (a generator tick's), and
//! the reply each gets, at once in memory or once its events are committed.

use actix::prelude::*;
use tokio::sync::oneshot;

use super::Hub;
use crate::auth::Role;
use crate::feed::{Ack, Command, CommandError};

/// A command's reply: known now, or when its events are on disk.
pub(super) enum Reply {
    Now(Result<Ack, CommandError>),
    Later(oneshot::Receiver<Result<Ack, CommandError>>),
}

impl Reply {
    pub(super) async fn wait(self) -> Result<Ack, CommandError> {
        match self {
            Reply::Now(result) => result,
            Reply::Later(rx) => rx.await.unwrap_or_else(|_| {
                Err(CommandError::Unavailable(
                    "the feed is shutting down".into(),
                ))
            }),
        }
    }
}

/// Carry out a command on behalf of `author`, a person whose `role` must allow it. This is the
/// one place roles are checked: the WebSocket and HTTP command paths both end here.
#[derive(Message)]
#[rtype(result = "Result<Ack, CommandError>")]
pub struct Execute {
    pub command: Command,
    pub author: String,
    pub role: Role,
}

impl Handler<Execute> for Hub {
    type Result = ResponseFuture<Result<Ack, CommandError>>;

    fn handle(&mut self, msg: Execute, _: &mut Context<Self>) -> Self::Result {
        if let Err(e) = msg.role.check(&msg.author, msg.command.name()) {
            let result = Err(e);
            self.count(msg.command.name(), &result);
            return Box::pin(async move { result });
        }
        let reply = self.execute(msg.command, &msg.author, None);
        self.flush();
        Box::pin(reply.wait())
    }
}

/// Carry out several commands in order, as one message (the generator's batch of a tick).
#[derive(Message)]
#[rtype(result = "Vec<Result<Ack, CommandError>>")]
pub struct ExecuteAll {
    pub commands: Vec<Command>,
    pub author: String,
    /// The generator's leadership epoch in a cluster: the commands are refused if a newer
    /// leader has taken over.
    pub epoch: Option<u64>,
}

impl Handler<ExecuteAll> for Hub {
    type Result = ResponseFuture<Vec<Result<Ack, CommandError>>>;

    fn handle(&mut self, msg: ExecuteAll, _: &mut Context<Self>) -> Self::Result {
        let replies: Vec<Reply> = msg
            .commands
            .into_iter()
            .map(|command| self.execute(command, &msg.author, msg.epoch))
            .collect();
        self.flush();
        Box::pin(futures_util::future::join_all(
            replies.into_iter().map(Reply::wait),
        ))
    }
}
