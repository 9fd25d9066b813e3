//! `livescore admin`: a small admin client for scripts and demos. It opens the WebSocket
//! control channel, authenticates, sends each command in turn and prints each reply (the `ack`
//! or `error` frame, one JSON object per line).

use std::time::Duration;

use anyhow::{Context as _, anyhow, bail};
use awc::ws;
use futures_util::{SinkExt as _, StreamExt as _};
use serde_json::Value;

use crate::protocol::Outgoing;

/// How long to wait for any one reply.
const REPLY_TIMEOUT: Duration = Duration::from_secs(10);

/// Send `commands` (JSON texts) as admin over `url`; returns how many were refused.
pub async fn run(url: &str, token: &str, commands: &[String]) -> anyhow::Result<usize> {
    let (_, mut conn) = awc::Client::new()
        .ws(url)
        .max_frame_size(1 << 20)
        .connect()
        .await
        .map_err(|e| anyhow!("cannot open {url}: {e}"))?;
    let auth = serde_json::json!({ "type": "auth", "token": token }).to_string();
    conn.send(ws::Message::Text(auth.into())).await?;
    match next_frame(&mut conn).await? {
        Outgoing::Ready { admin, seq, .. } => eprintln!("authenticated as {admin} at seq {seq}"),
        other => bail!("expected ready, got {}", other.to_json()),
    }
    let mut refused = 0;
    for (n, text) in commands.iter().enumerate() {
        // Strict, as the server is: re-encoding would otherwise drop a duplicate key unseen.
        let mut command = crate::strict_json::parse(text)
            .with_context(|| format!("command {} is not JSON", n + 1))?;
        let id = Value::from(format!("cli-{}", n + 1));
        if let Some(object) = command.as_object_mut() {
            object.entry("id").or_insert(id.clone());
        }
        let id = command.get("id").cloned().unwrap_or(id);
        conn.send(ws::Message::Text(command.to_string().into()))
            .await?;
        loop {
            let frame = next_frame(&mut conn).await?;
            match &frame {
                Outgoing::Ack { id: got, .. } if got.as_ref() == Some(&id) => {}
                Outgoing::Error { id: got, .. } if got.as_ref() == Some(&id) || got.is_none() => {
                    refused += 1;
                }
                _ => continue,
            }
            println!("{}", frame.to_json());
            break;
        }
    }
    let _ = conn
        .send(ws::Message::Close(Some(ws::CloseCode::Normal.into())))
        .await;
    Ok(refused)
}

/// The next protocol frame, answering pings and skipping `event` frames on the way.
async fn next_frame<C>(conn: &mut C) -> anyhow::Result<Outgoing>
where
    C: futures_util::Stream<Item = Result<ws::Frame, awc::error::WsProtocolError>>
        + futures_util::Sink<ws::Message, Error = awc::error::WsProtocolError>
        + Unpin,
{
    loop {
        let item = actix_rt::time::timeout(REPLY_TIMEOUT, conn.next())
            .await
            .map_err(|_| anyhow!("no reply within {} s", REPLY_TIMEOUT.as_secs()))?;
        match item {
            Some(Ok(ws::Frame::Text(text))) => {
                let value: Value = serde_json::from_slice(&text)?;
                if value["type"] == "event" {
                    continue;
                }
                return serde_json::from_value(value).context("unexpected frame from the server");
            }
            Some(Ok(ws::Frame::Ping(payload))) => conn.send(ws::Message::Pong(payload)).await?,
            Some(Ok(ws::Frame::Close(reason))) => {
                let reason = reason
                    .map(|r| {
                        format!(
                            "{}: {}",
                            u16::from(r.code),
                            r.description.unwrap_or_default()
                        )
                    })
                    .unwrap_or_else(|| "no reason given".into());
                bail!("the server closed the session ({reason})");
            }
            Some(Ok(_)) => continue,
            Some(Err(e)) => bail!("connection failed: {e}"),
            None => bail!("the server closed the connection"),
        }
    }
}
