//! Waking on new heads: a dedicated connection that `LISTEN`s on the head channel.
//!
//! A notification is a hint, not a delivery: those sent while the connection is down are gone.
//! So the listener only says "the head is now at least this"; the reader then reads the log by
//! seq, also on a timer, and catches up after every reconnect.

use std::str::FromStr;

use futures_util::StreamExt;
use tokio::sync::watch;
use tokio_postgres::{AsyncMessage, Client, Config, NoTls};

use crate::ids::Seq;
use crate::store::postgres::{HEAD_CHANNEL, PgError, describe_target};

/// A `LISTEN` connection on [`HEAD_CHANNEL`]. Notifications are coalesced: a slow reader sees
/// the latest head, not every one.
pub struct HeadListener {
    heads: watch::Receiver<Option<Seq>>,
    /// Keeps the connection open.
    _client: Client,
}

impl HeadListener {
    /// Connect to `url` and start listening.
    pub async fn connect(url: &str) -> Result<HeadListener, PgError> {
        let mut config = Config::from_str(url).map_err(PgError::BadUrl)?;
        config
            .keepalives(true)
            .keepalives_idle(super::KEEPALIVE_IDLE);
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(super::CONNECT_TIMEOUT);
        }
        let target = describe_target(&config);
        let (client, mut connection) =
            config
                .connect(NoTls)
                .await
                .map_err(|source| PgError::Connect {
                    target: target.clone(),
                    source,
                })?;
        let (tx, heads) = watch::channel(None);
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
                "SET tcp_keepalives_idle = {}; LISTEN {HEAD_CHANNEL}",
                super::KEEPALIVE_IDLE.as_secs()
            ))
            .await
            .map_err(|source| PgError::Query {
                target,
                doing: "listen for new heads",
                source,
            })?;
        Ok(HeadListener {
            heads,
            _client: client,
        })
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
