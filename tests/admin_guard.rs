//! The admin channel's defences, over real sockets: failed-login throttling per client address,
//! the Origin check against the server's own origins (not the request's `Host`), and the
//! request body read timeout.

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use actix_web::http::StatusCode;
use common::*;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

/// Send raw request bytes from local address `from` and read the whole response (the server
/// closes, or 10 s pass).
async fn raw_exchange(server: SocketAddr, from: &str, request: &[u8]) -> String {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(format!("{from}:0").parse().unwrap()).unwrap();
    let mut stream = socket.connect(server).await.unwrap();
    stream.write_all(request).await.unwrap();
    read_response(&mut stream).await
}

/// Read until the server closes or a full response head (and body, if sized) has arrived.
async fn read_response(stream: &mut TcpStream) -> String {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    let read = async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => out.extend_from_slice(&buf[..n]),
            }
            let text = String::from_utf8_lossy(&out);
            if let Some((head, body)) = text.split_once("\r\n\r\n") {
                let length = head.lines().find_map(|l| {
                    let (name, value) = l.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse::<usize>().ok())?
                });
                if head.starts_with("HTTP/1.1 101") || length.is_some_and(|n| body.len() >= n) {
                    break;
                }
            }
        }
    };
    let _ = actix_rt::time::timeout(Duration::from_secs(10), read).await;
    String::from_utf8_lossy(&out).into_owned()
}

fn command_request(server: SocketAddr, token: &str) -> Vec<u8> {
    let body = json!({"type":"news.publish","headline":"Hello"}).to_string();
    format!(
        "POST /api/admin/commands HTTP/1.1\r\nHost: {server}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

#[actix_rt::test]
async fn wrong_tokens_from_one_address_are_throttled_and_other_addresses_are_not() {
    let server = TestServer::start(|c| {
        with_admins(c);
        c.auth_fail_limit = 3;
        c.auth_backoff_ms = 2000;
    });
    // A session opened before the address is blocked.
    let mut early = AdminClient::open(&server, None).await.unwrap();
    for _ in 0..3 {
        let (status, body) = post_command(&server, Some("wrong-token-123"), "{}").await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("unauthorized"))
        );
    }
    // Now even the right token waits, over HTTP...
    let mut response = client()
        .post(server.url("/api/admin/commands"))
        .insert_header(("Authorization", format!("Bearer {ALICE}")))
        .send_body(r#"{"type":"news.publish","headline":"Hi"}"#)
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(response.headers().get("Retry-After").unwrap(), "2");
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["code"], "rate_limited");
    assert!(
        body["message"].as_str().unwrap().contains("retry in 2 s"),
        "{body}"
    );
    // ...on a new WebSocket (refused at the upgrade)...
    assert_eq!(
        AdminClient::open(&server, None).await.err(),
        Some(StatusCode::TOO_MANY_REQUESTS)
    );
    // ...and on one already open: an error frame, then close 4029 naming the wait.
    early.send_json(json!({"type":"auth","token":ALICE})).await;
    let error = early.next().await;
    assert_eq!(error["code"], "rate_limited");
    let closed = early.closed().await;
    assert_eq!(closed.code, 4029);
    assert!(closed.reason.contains("retry in 2 s"), "{closed:?}");

    // Another address is not slowed down at all.
    let answer = raw_exchange(
        server.addr,
        "127.0.0.2",
        &command_request(server.addr, ALICE),
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");

    assert_eq!(metric(&server, "auth_failures_total").await, 3.0);
    assert_eq!(metric(&server, "auth_throttled_total").await, 3.0);

    // Once the wait is over the right token works again.
    let through = || async {
        post_command(
            &server,
            Some(ALICE),
            r#"{"type":"news.publish","headline":"Back"}"#,
        )
        .await
        .0 == StatusCode::OK
    };
    eventually("the wait ends", Duration::from_secs(10), through).await;
}

#[actix_rt::test]
async fn wrong_tokens_on_the_websocket_count_too() {
    let server = TestServer::start(|c| {
        with_admins(c);
        c.auth_fail_limit = 2;
        c.auth_backoff_ms = 60_000;
    });
    for _ in 0..2 {
        let mut ws = AdminClient::open(&server, None).await.unwrap();
        ws.send_json(json!({"type":"auth","token":"guess-guess-guess"}))
            .await;
        assert_eq!(ws.closed().await.code, 4001);
    }
    assert_eq!(
        AdminClient::open(&server, None).await.err(),
        Some(StatusCode::TOO_MANY_REQUESTS)
    );
    assert_eq!(metric(&server, "auth_failures_total").await, 2.0);
}

fn upgrade_request(host: &str, origin: &str) -> Vec<u8> {
    format!(
        "GET /ws/admin HTTP/1.1\r\nHost: {host}\r\nOrigin: {origin}\r\nUpgrade: websocket\r\n\
         Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
         Sec-WebSocket-Version: 13\r\n\r\n"
    )
    .into_bytes()
}

#[actix_rt::test]
async fn an_origin_matching_a_forged_host_is_refused_and_the_own_origins_are_not() {
    let server = TestServer::start(with_admins);
    let port = server.addr.port();
    // DNS rebinding: the attacker's page and its Host header agree with each other.
    let forged = upgrade_request("evil.example:8080", "http://evil.example:8080");
    let answer = raw_exchange(server.addr, "127.0.0.1", &forged).await;
    assert!(answer.starts_with("HTTP/1.1 403"), "{answer}");
    assert!(answer.contains(r#""code":"forbidden""#), "{answer}");
    // The server's own origins, derived from the address it bound (port 0 here).
    for own in [
        format!("http://127.0.0.1:{port}"),
        format!("http://localhost:{port}"),
    ] {
        let request = upgrade_request("evil.example:8080", &own);
        let answer = raw_exchange(server.addr, "127.0.0.1", &request).await;
        assert!(answer.starts_with("HTTP/1.1 101"), "{own}: {answer}");
    }
}

#[actix_rt::test]
async fn a_public_url_names_the_own_origin() {
    let server = TestServer::start(|c| {
        with_admins(c);
        c.public_url = Some("https://scores.example/console/".into());
    });
    assert!(
        AdminClient::open(&server, Some("https://scores.example"))
            .await
            .is_ok()
    );
    let bound = format!("http://{}", server.addr);
    assert_eq!(
        AdminClient::open(&server, Some(&bound)).await.err(),
        Some(StatusCode::FORBIDDEN)
    );
}

#[actix_rt::test]
async fn a_trickled_body_gets_408_after_the_body_timeout() {
    let server = TestServer::start(|c| {
        with_admins(c);
        c.body_timeout_secs = 1;
    });
    let socket = TcpSocket::new_v4().unwrap();
    let mut stream = socket.connect(server.addr).await.unwrap();
    let head = format!(
        "POST /api/admin/commands HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {ALICE}\r\n\
         Content-Type: application/json\r\nContent-Length: 100\r\n\r\n",
        server.addr
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let (mut read_half, mut write_half) = stream.into_split();
    // One byte every 200 ms: the body would take 20 s to arrive.
    let trickle = actix_rt::spawn(async move {
        for _ in 0..100 {
            if write_half.write_all(b" ").await.is_err() {
                break;
            }
            actix_rt::time::sleep(Duration::from_millis(200)).await;
        }
    });
    let mut out = Vec::new();
    let read = read_half.read_to_end(&mut out);
    let _ = actix_rt::time::timeout(Duration::from_secs(10), read).await;
    trickle.abort();
    let answer = String::from_utf8_lossy(&out);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains(r#""code":"timeout""#), "{answer}");
    assert!(answer.contains("within 1 s"), "{answer}");
}
