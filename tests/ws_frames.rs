//! WebSocket frames declaring more than the frame limit, sent on raw sockets: both WebSocket
//! routes close with 1009 as soon as the header arrives, instead of buffering the payload the
//! header promises (a 2^62-byte frame once took the server from 17 to 1 542 MB in 3 s).

mod common;

use std::time::Duration;

use common::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// How long the server may take to refuse; it answers at once, this only bounds a failure.
const WITHIN: Duration = Duration::from_secs(10);

/// Open a WebSocket on `path` of `server` on a raw socket and read the 101 head.
async fn upgrade(server: &TestServer, path: &str) -> TcpStream {
    let mut socket = TcpStream::connect(server.addr).await.unwrap();
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
        server.addr
    );
    socket.write_all(request.as_bytes()).await.unwrap();
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        let mut byte = [0u8; 1];
        socket.read_exact(&mut byte).await.unwrap();
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head);
    assert!(head.starts_with("HTTP/1.1 101"), "{path}: {head}");
    socket
}

/// A masked text frame header declaring `len` payload bytes.
fn header(len: u64) -> Vec<u8> {
    let mut h = vec![0x81, 0x80 | 127];
    h.extend_from_slice(&len.to_be_bytes());
    h.extend_from_slice(&[0x11, 0x22, 0x33, 0x44]);
    h
}

/// Read server frames until a close frame: the opcodes of those before it, and its status code.
async fn until_close(socket: &mut TcpStream) -> (Vec<u8>, u16) {
    let mut before = Vec::new();
    loop {
        let mut two = [0u8; 2];
        socket
            .read_exact(&mut two)
            .await
            .expect("a frame from the server");
        let len = match two[1] & 0x7f {
            126 => u64::from(socket.read_u16().await.unwrap()),
            127 => socket.read_u64().await.unwrap(),
            n => u64::from(n),
        };
        let mut payload = vec![0u8; len as usize];
        socket.read_exact(&mut payload).await.unwrap();
        match two[0] & 0x0f {
            0x8 => return (before, u16::from_be_bytes([payload[0], payload[1]])),
            opcode => before.push(opcode),
        }
    }
}

async fn refused_by_its_header(server: &TestServer, path: &str) {
    let mut socket = upgrade(server, path).await;
    socket.write_all(&header(1 << 62)).await.unwrap();
    // The payload starts coming; the server must not wait for the rest of it.
    let _ = socket.write_all(&vec![b'x'; 64 * 1024]).await;
    let (_, code) = tokio::time::timeout(WITHIN, until_close(&mut socket))
        .await
        .unwrap_or_else(|_| panic!("{path}: no close frame: the server is buffering the frame"));
    assert_eq!(code, 1009, "{path}");
}

#[actix_rt::test]
async fn a_frame_declaring_2_pow_62_bytes_closes_the_admin_socket_before_auth_with_1009() {
    let server = TestServer::start(with_admins);
    refused_by_its_header(&server, "/ws/admin").await;
}

#[actix_rt::test]
async fn a_frame_declaring_2_pow_62_bytes_closes_the_viewer_socket_with_1009() {
    let server = TestServer::start(|_| {});
    refused_by_its_header(&server, "/ws/feed").await;
}

#[actix_rt::test]
async fn the_viewer_socket_refuses_frames_over_the_configured_limit_and_takes_those_under() {
    let server = TestServer::start(|c| c.max_frame_bytes = 1000);
    let mut socket = upgrade(&server, "/ws/feed").await;
    // A ping of 100 bytes is within the limit and answered; a text frame of 1001 is not.
    let mut ping = vec![0x89, 0x80 | 100, 0, 0, 0, 0];
    ping.extend(vec![b'p'; 100]);
    socket.write_all(&ping).await.unwrap();
    let mut big = vec![0x81, 0x80 | 126];
    big.extend_from_slice(&1001u16.to_be_bytes());
    big.extend_from_slice(&[0, 0, 0, 0]);
    socket.write_all(&big).await.unwrap();
    let (before, code) = tokio::time::timeout(WITHIN, until_close(&mut socket))
        .await
        .expect("a close frame");
    assert!(before.contains(&0xA), "the ping is answered: {before:?}");
    assert_eq!(code, 1009);
}
