//! Waking on new heads: a dedicated connection that `LISTEN`s on the head channel (and on the
//! presence channel, where nodes say which admins they have).
//!
//! A notification is a hint, not a delivery: those sent while the connection is down are gone.
//! So the listener only says "the head is now at least this"; the reader then reads the log by
//! seq, also on a timer, and catches up after every reconnect. The same connection answers the
//! heartbeat ([`HeadListener::ping`]) that proves the node is not cut off.

use futures_util::StreamExt;
use tokio::sync::{mpsc, watch};
use tokio_postgres::{AsyncMessage, Client};

use crate::ids::Seq;
use crate::store::postgres::{
    HEAD_CHANNEL, Liveness, PRESENCE_CHANNEL, PgError, connect, connection_config, describe_target,
};

/// Presence notifications held for a slow reader; more are dropped (each node repeats its own
/// every few seconds).
const PRESENCE_BACKLOG: usize = 64;

/// A `LISTEN` connection on [`HEAD_CHANNEL`]. Notifications are coalesced: a slow reader sees
/// the latest head, not every one.
pub struct HeadListener {
    heads: watch::Receiver<Option<Seq>>,
    presence: mpsc::Receiver<String>,
    /// Keeps the connection open, and asks the heartbeat's question.
    client: Client,
    target: String,
}

impl HeadListener {
    /// Connect to `url` and start listening; the connection gets `liveness`'s keepalives and
    /// user timeout.
    pub async fn connect(url: &str, liveness: Liveness) -> Result<HeadListener, PgError> {
        let config = connection_config(url, liveness)?;
        let target = describe_target(&config);
        let (client, mut connection) = connect(&config, &target).await?;
        let (tx, heads) = watch::channel(None);
        let (presence_tx, presence) = mpsc::channel(PRESENCE_BACKLOG);
        let task_target = target.clone();
        tokio::spawn(async move {
            let mut messages = futures_util::stream::poll_fn(|cx| connection.poll_message(cx));
            while let Some(message) = messages.next().await {
                match message {
                    Ok(AsyncMessage::Notification(n)) if n.channel() == HEAD_CHANNEL => {
                        match n.payload().parse::<u64>() {
                            Ok(head) => {
                                tx.send_replace(Some(Seq(head)));
                            }
                            Err(_) => tracing::warn!(
                                payload = n.payload(),
                                "ignoring a head notification that is not a seq"
                            ),
                        }
                    }
                    Ok(AsyncMessage::Notification(n)) if n.channel() == PRESENCE_CHANNEL => {
                        let _ = presence_tx.try_send(n.payload().to_owned());
                    }
                    Ok(_) => {}
                    Err(error) => {
                        tracing::warn!(target = %task_target, %error, "LISTEN connection lost");
                        break;
                    }
                }
            }
        });
        client
            .batch_execute(&format!(
                "SET tcp_keepalives_idle = {}; LISTEN {HEAD_CHANNEL}; LISTEN {PRESENCE_CHANNEL}",
                super::KEEPALIVE_IDLE.as_secs()
            ))
            .await
            .map_err(|source| PgError::Query {
                target: target.clone(),
                doing: "listen for new heads",
                source,
            })?;
        Ok(HeadListener {
            heads,
            presence,
            client,
            target,
        })
    }

    /// One round trip on this connection (the heartbeat): the log's head as PostgreSQL has it
    /// now. An answer proves that notifications can still reach this node.
    pub async fn ping(&self) -> Result<Seq, PgError> {
        let row = self
            .client
            .query_opt("SELECT head FROM livescore_meta", &[])
            .await
            .map_err(|source| PgError::Query {
                target: self.target.clone(),
                doing: "read the head (heartbeat)",
                source,
            })?;
        Ok(Seq(row.map_or(0, |row| row.get::<_, i64>(0)) as u64))
    }

    /// The next head notified after the last one returned; `None` once the connection is lost
    /// (reconnect, then catch up from the log by seq: notifications sent meanwhile are gone).
    pub async fn next_head(&mut self) -> Option<Seq> {
        loop {
            self.heads.changed().await.ok()?;
            if let Some(head) = *self.heads.borrow_and_update() {
                return Some(head);
            }
        }
    }
}

/// What a listener heard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Heard {
    /// The head is now at least this.
    Head(Seq),
    /// A node's presence announcement (JSON).
    Presence(String),
}

impl HeadListener {
    /// The next head or presence notification; `None` once the connection is lost.
    pub async fn next(&mut self) -> Option<Heard> {
        let heads = &mut self.heads;
        let head = async {
            loop {
                heads.changed().await.ok()?;
                if let Some(head) = *heads.borrow_and_update() {
                    return Some(Heard::Head(head));
                }
            }
        };
        tokio::select! {
            head = head => head,
            presence = self.presence.recv() => presence.map(Heard::Presence),
        }
    }
}
