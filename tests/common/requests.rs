//! Requests for tests/openapi.rs: one request described as data (route, URL, headers, body,
//! expected status), sent with whatever it takes (a streaming body read only in part, a
//! WebSocket handshake, a raw socket for a body that never arrives).

use actix_web::http::{Method, StatusCode};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::common::{ALICE, TestServer, client};

/// One request: on `route` (method, documented path), `url` against `server`, with headers and
/// a body, expecting `want`.
pub struct Case<'a> {
    pub server: &'a TestServer,
    pub route: (&'static str, &'static str),
    pub url: String,
    pub headers: Vec<(&'static str, String)>,
    pub body: Option<String>,
    pub want: StatusCode,
}

pub fn case<'a>(
    server: &'a TestServer,
    route: (&'static str, &'static str),
    url: &str,
    want: u16,
) -> Case<'a> {
    Case {
        server,
        route,
        url: url.to_owned(),
        headers: Vec::new(),
        body: None,
        want: StatusCode::from_u16(want).unwrap(),
    }
}

impl Case<'_> {
    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    pub fn admin(self) -> Self {
        self.header("Authorization", format!("Bearer {ALICE}"))
    }

    pub fn body(mut self, body: impl ToString) -> Self {
        self.body = Some(body.to_string());
        self
    }
}

/// Send `case`; its status, content type and body (only the first piece of a stream).
pub async fn send(case: &Case<'_>) -> (StatusCode, String, Vec<u8>) {
    let method = Method::from_bytes(case.route.0.to_uppercase().as_bytes()).unwrap();
    let mut request = client().request(method, case.server.url(&case.url));
    for (name, value) in &case.headers {
        request = request.insert_header((*name, value.as_str()));
    }
    let mut response = match &case.body {
        Some(body) => request.send_body(body.clone()).await,
        None => request.send().await,
    }
    .unwrap();
    let kind = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = if kind.starts_with("text/event-stream") {
        use futures_util::StreamExt;
        response.next().await.unwrap().unwrap().to_vec()
    } else {
        response.body().limit(8 << 20).await.unwrap().to_vec()
    };
    (response.status(), kind, body)
}

/// A WebSocket handshake on `url`: 101 or the refusal's status.
pub async fn upgrade(server: &TestServer, url: &str) -> StatusCode {
    match client().ws(server.url(url)).connect().await {
        Ok((response, _conn)) => response.status(),
        Err(awc::error::WsClientError::InvalidResponseStatus(status)) => status,
        Err(e) => panic!("WebSocket {url}: {e}"),
    }
}

/// A POST whose body never arrives: the server's answer after `--body-timeout-secs`.
pub async fn trickled_post(server: &TestServer) -> (StatusCode, Vec<u8>) {
    let mut socket = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    let head = format!(
        "POST /api/admin/commands HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {ALICE}\r\n\
         Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"type\""
    );
    socket.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    socket.read_to_end(&mut answer).await.unwrap();
    let text = String::from_utf8_lossy(&answer);
    let status = text[9..12].parse().unwrap();
    let body = text.split("\r\n\r\n").nth(1).unwrap_or_default();
    (
        StatusCode::from_u16(status).unwrap(),
        body.as_bytes().to_vec(),
    )
}
