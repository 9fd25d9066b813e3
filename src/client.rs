//! `livescore admin`: a small admin client for scripts and demos. It opens the WebSocket
//! control channel, authenticates, sends each command in turn and prints each reply (the `ack`
//! or `error` frame, one JSON object per line).
//!
//! `wss://` URLs go through rustls. The server's certificate is checked against the public
//! (webpki) roots, or with `--ca-file` against the certificates in that PEM file only, as
//! `curl --cacert` does: that is how a private CA or a self-signed certificate is trusted.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, anyhow, bail};
use awc::ws;
use futures_util::{SinkExt as _, StreamExt as _};
use serde_json::Value;

use crate::protocol::Outgoing;

/// How long to wait for any one reply.
const REPLY_TIMEOUT: Duration = Duration::from_secs(10);

/// Send `commands` (JSON texts) as admin over `url`; returns how many were refused. `ca_file`
/// replaces the public roots for `wss://`.
pub async fn run(
    url: &str,
    token: &str,
    commands: &[String],
    ca_file: Option<&Path>,
) -> anyhow::Result<usize> {
    let secure = url
        .get(..6)
        .is_some_and(|s| s.eq_ignore_ascii_case("wss://"));
    if ca_file.is_some() && !secure {
        bail!("--ca-file is for wss:// URLs; {url} is not one");
    }
    let mut connector = awc::Connector::new();
    if secure {
        connector = connector.rustls_0_23(Arc::new(tls_config(ca_file)?));
    }
    let client = awc::Client::builder().connector(connector).finish();
    let (_, mut conn) = client
        .ws(url)
        .max_frame_size(1 << 20)
        .connect()
        .await
        .map_err(|e| {
            let hint = if e.to_string().contains("certificate") {
                "; for a private CA or a self-signed certificate, pass its PEM with --ca-file"
            } else {
                ""
            };
            anyhow!("cannot open {url}: {e}{hint}")
        })?;
    let auth = serde_json::json!({ "type": "auth", "token": token }).to_string();
    conn.send(ws::Message::Text(auth.into())).await?;
    match next_frame(&mut conn).await? {
        Outgoing::Ready {
            admin, role, seq, ..
        } => eprintln!("authenticated as {admin} ({}) at seq {seq}", role.as_str()),
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

/// TLS for `wss://`: rustls with the ring provider, trusting the public roots or, with
/// `ca_file`, the certificates in it. HTTP/1.1 only, as a WebSocket upgrade needs.
fn tls_config(ca_file: Option<&Path>) -> anyhow::Result<rustls::ClientConfig> {
    use rustls::pki_types::{CertificateDer, pem::PemObject as _};
    let mut roots = rustls::RootCertStore::empty();
    match ca_file {
        None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
        Some(path) => {
            let shown = path.display();
            for cert in CertificateDer::pem_file_iter(path)
                .with_context(|| format!("--ca-file {shown}: cannot read it"))?
            {
                let cert = cert.with_context(|| format!("--ca-file {shown}: not valid PEM"))?;
                roots
                    .add(cert)
                    .with_context(|| format!("--ca-file {shown}: not a usable certificate"))?;
            }
            if roots.is_empty() {
                bail!(
                    "--ca-file {shown}: no certificate in it (expected PEM, -----BEGIN CERTIFICATE-----)"
                );
            }
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context("TLS setup")?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
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
