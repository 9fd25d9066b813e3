//! Server-Sent Events framing: the one place that knows the `text/event-stream` wire format, in
//! both directions (the server encodes, the tests and the load generator parse).

use bytes::{Bytes, BytesMut};

/// The `retry:` frame that opens every stream, telling the browser how long to wait before it
/// reconnects.
pub fn retry(millis: u64) -> Bytes {
    Bytes::from(format!("retry: {millis}\n\n"))
}

/// A heartbeat comment. Browsers ignore it; writing it is how dead connections are found.
pub fn ping() -> Bytes {
    Bytes::from_static(b": ping\n\n")
}

/// A comment frame carrying `text` (one line): browsers ignore it, people and logs read it.
pub fn comment(text: &str) -> Bytes {
    debug_assert!(!text.contains('\n'), "an SSE comment must be one line");
    Bytes::from(format!(": {text}\n\n"))
}

/// One event frame. `data` must be a single line (compact JSON always is).
pub fn event(id: &str, name: &str, data: &[u8]) -> Bytes {
    debug_assert!(!data.contains(&b'\n'), "SSE data must be one line");
    let mut frame = BytesMut::with_capacity(id.len() + name.len() + data.len() + 24);
    frame.extend_from_slice(b"id: ");
    frame.extend_from_slice(id.as_bytes());
    frame.extend_from_slice(b"\nevent: ");
    frame.extend_from_slice(name.as_bytes());
    frame.extend_from_slice(b"\ndata: ");
    frame.extend_from_slice(data);
    frame.extend_from_slice(b"\n\n");
    frame.freeze()
}

/// A parsed frame. Fields follow the HTML specification's event-stream interpretation: `data`
/// lines are joined with `\n`; a frame with only a comment has `comment` set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Frame {
    pub id: Option<String>,
    pub event: Option<String>,
    pub data: Option<String>,
    pub retry: Option<u64>,
    pub comment: Option<String>,
}

/// An incremental parser: feed it bytes as they arrive, take complete frames out.
#[derive(Debug, Default)]
pub struct Parser {
    buf: Vec<u8>,
    current: Frame,
}

impl Parser {
    pub fn new() -> Parser {
        Parser::default()
    }

    /// Add received bytes and return every frame they complete.
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<Frame> {
        self.buf.extend_from_slice(bytes);
        let mut frames = Vec::new();
        let mut start = 0;
        while let Some(pos) = self.buf[start..].iter().position(|&b| b == b'\n') {
            let end = start + pos;
            let line = self.buf[start..end]
                .strip_suffix(b"\r")
                .unwrap_or(&self.buf[start..end]);
            let line = String::from_utf8_lossy(line).into_owned();
            start = end + 1;
            if line.is_empty() {
                let frame = std::mem::take(&mut self.current);
                if frame != Frame::default() {
                    frames.push(frame);
                }
                continue;
            }
            self.field(&line);
        }
        self.buf.drain(..start);
        frames
    }

    fn field(&mut self, line: &str) {
        if let Some(comment) = line.strip_prefix(':') {
            self.current.comment = Some(comment.trim_start().to_owned());
            return;
        }
        let (name, value) = match line.split_once(':') {
            Some((n, v)) => (n, v.strip_prefix(' ').unwrap_or(v)),
            None => (line, ""),
        };
        match name {
            "id" => self.current.id = Some(value.to_owned()),
            "event" => self.current.event = Some(value.to_owned()),
            "retry" => self.current.retry = value.parse().ok(),
            "data" => match &mut self.current.data {
                Some(d) => {
                    d.push('\n');
                    d.push_str(value);
                }
                None => self.current.data = Some(value.to_owned()),
            },
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoded_frames_parse_back_even_when_split_anywhere() {
        let mut wire = Vec::new();
        wire.extend_from_slice(&retry(3000));
        wire.extend_from_slice(&event("ab12.7", "score", br#"{"seq":7}"#));
        wire.extend_from_slice(&ping());
        for split in 0..wire.len() {
            let mut p = Parser::new();
            let mut frames = p.feed(&wire[..split]);
            frames.extend(p.feed(&wire[split..]));
            assert_eq!(frames.len(), 3, "split at {split}");
            assert_eq!(frames[0].retry, Some(3000));
            assert_eq!(frames[1].id.as_deref(), Some("ab12.7"));
            assert_eq!(frames[1].event.as_deref(), Some("score"));
            assert_eq!(frames[1].data.as_deref(), Some(r#"{"seq":7}"#));
            assert_eq!(frames[2].comment.as_deref(), Some("ping"));
        }
    }

    #[test]
    fn multi_line_data_and_crlf_follow_the_spec() {
        let mut p = Parser::new();
        let frames = p.feed(b"data: a\r\ndata:b\r\n\r\n");
        assert_eq!(frames[0].data.as_deref(), Some("a\nb"));
    }
}
