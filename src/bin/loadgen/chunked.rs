//! A lean HTTP/1.1 response reader for SSE viewers: the status line and headers, then the body,
//! de-chunked as it arrives. One task and one `read` per arrival, so that the load generator
//! spends as little CPU per delivery as it can and leaves the machine to the server.

use anyhow::{Context as _, bail};
use memchr::memmem;

/// Where the reader is in the response.
#[derive(Debug)]
enum State {
    Head,
    /// Reading the size line of the next chunk.
    Size,
    /// `n` bytes of chunk data left, then the CRLF after it.
    Data(usize),
    DataEnd,
    /// Not chunked: the body runs to the end of the connection.
    Raw,
    Done,
}

/// Feed it bytes; it calls back with body bytes.
#[derive(Debug)]
pub struct Reader {
    state: State,
    buf: Vec<u8>,
}

impl Reader {
    pub fn new() -> Reader {
        Reader {
            state: State::Head,
            buf: Vec::new(),
        }
    }

    pub fn is_done(&self) -> bool {
        matches!(self.state, State::Done)
    }

    /// Process `input`, passing body bytes to `body`. Fails on a non-2xx status or bad framing.
    pub fn feed(&mut self, input: &[u8], mut body: impl FnMut(&[u8])) -> anyhow::Result<()> {
        let mut input = input;
        if matches!(self.state, State::Head | State::Size) || !self.buf.is_empty() {
            self.buf.extend_from_slice(input);
            input = &[];
        }
        loop {
            match self.state {
                State::Head => {
                    let Some(end) = memmem::find(&self.buf, b"\r\n\r\n") else {
                        return Ok(());
                    };
                    let head = std::str::from_utf8(&self.buf[..end])
                        .context("response head is not UTF-8")?;
                    let status = head.split(' ').nth(1).unwrap_or("");
                    if !status.starts_with('2') {
                        bail!("status {status}");
                    }
                    let chunked = head.lines().any(|l| {
                        let l = l.to_ascii_lowercase();
                        l.starts_with("transfer-encoding:") && l.contains("chunked")
                    });
                    self.buf.drain(..end + 4);
                    self.state = if chunked { State::Size } else { State::Raw };
                }
                State::Size => {
                    let Some(end) = memmem::find(&self.buf, b"\r\n") else {
                        return Ok(());
                    };
                    let line = std::str::from_utf8(&self.buf[..end]).context("chunk size")?;
                    let size =
                        usize::from_str_radix(line.split(';').next().unwrap_or("").trim(), 16)
                            .with_context(|| format!("bad chunk size {line:?}"))?;
                    self.buf.drain(..end + 2);
                    self.state = if size == 0 {
                        State::Done
                    } else {
                        State::Data(size)
                    };
                }
                State::Data(left) => {
                    // Take from the buffer first, then straight from the input without copying.
                    let source: &[u8] = if self.buf.is_empty() {
                        input
                    } else {
                        &self.buf
                    };
                    if source.is_empty() {
                        return Ok(());
                    }
                    let n = left.min(source.len());
                    body(&source[..n]);
                    if self.buf.is_empty() {
                        input = &input[n..];
                    } else {
                        self.buf.drain(..n);
                    }
                    self.state = if n == left {
                        State::DataEnd
                    } else {
                        State::Data(left - n)
                    };
                }
                State::DataEnd => {
                    if !input.is_empty() {
                        self.buf.extend_from_slice(input);
                        input = &[];
                    }
                    if self.buf.len() < 2 {
                        return Ok(());
                    }
                    if &self.buf[..2] != b"\r\n" {
                        bail!("chunk not followed by CRLF");
                    }
                    self.buf.drain(..2);
                    self.state = State::Size;
                }
                State::Raw => {
                    if !self.buf.is_empty() {
                        body(&self.buf);
                        self.buf.clear();
                    }
                    if !input.is_empty() {
                        body(input);
                    }
                    return Ok(());
                }
                State::Done => return Ok(()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunked_bodies_come_out_whole_however_they_are_split() {
        let wire = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n7\r\n, world\r\n0\r\n\r\n";
        for split in 0..wire.len() {
            let mut r = Reader::new();
            let mut out = Vec::new();
            r.feed(&wire[..split], |b| out.extend_from_slice(b))
                .unwrap();
            r.feed(&wire[split..], |b| out.extend_from_slice(b))
                .unwrap();
            assert_eq!(out, b"hello, world", "split at {split}");
            assert!(r.is_done());
        }
    }

    #[test]
    fn errors_and_unchunked_bodies() {
        let mut r = Reader::new();
        assert!(
            r.feed(b"HTTP/1.1 503 Service Unavailable\r\n\r\n", |_| {})
                .is_err()
        );
        let mut r = Reader::new();
        let mut out = Vec::new();
        r.feed(b"HTTP/1.1 200 OK\r\n\r\nabc", |b| out.extend_from_slice(b))
            .unwrap();
        assert_eq!(out, b"abc");
    }
}
