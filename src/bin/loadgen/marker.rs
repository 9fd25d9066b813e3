//! Markers: how a published event is recognised when it arrives. The publisher writes
//! `lgm<run>x<n>x<micros>` into the event (n counts publishes, micros is the send time on the
//! load generator's clock); a viewer finds every marker in what it receives and records its
//! latency and whether it saw that `n` before.

use std::time::Instant;

use memchr::memmem;

/// The marker format of one run.
#[derive(Debug, Clone)]
pub struct Markers {
    prefix: String,
    started: Instant,
}

impl Markers {
    pub fn new() -> Markers {
        let run: u32 = rand::random();
        Markers {
            prefix: format!("lgm{run:08x}x"),
            started: Instant::now(),
        }
    }

    /// Microseconds on this run's clock.
    pub fn now_us(&self) -> u64 {
        self.started.elapsed().as_micros() as u64
    }

    /// The marker for publish number `n`, stamped now.
    pub fn make(&self, n: u64) -> String {
        format!("{}{n}x{}", self.prefix, self.now_us())
    }

    /// Every `(n, sent_us)` in `text`.
    pub fn find<'a>(&'a self, text: &'a [u8]) -> impl Iterator<Item = (u64, u64)> + 'a {
        memmem::find_iter(text, self.prefix.as_bytes()).filter_map(move |at| {
            let rest = &text[at + self.prefix.len()..];
            let (n, rest) = number(rest)?;
            let rest = rest.strip_prefix(b"x")?;
            let (sent, _) = number(rest)?;
            Some((n, sent))
        })
    }
}

fn number(bytes: &[u8]) -> Option<(u64, &[u8])> {
    let digits = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
    let n = std::str::from_utf8(&bytes[..digits]).ok()?.parse().ok()?;
    Some((n, &bytes[digits..]))
}

/// What one viewer received.
#[derive(Debug, Default, Clone)]
pub struct Record {
    /// Publish-to-receive latency of each first delivery, in microseconds.
    pub latencies_us: Vec<u32>,
    pub duplicates: u64,
    seen: Vec<u64>,
    /// The `id:` of the last event frame, for resuming.
    pub last_id: Option<String>,
    pub reconnects: u64,
    pub requests: u64,
}

impl Record {
    /// Note marker `n` sent at `sent_us`, received at `now_us`. Returns false for a repeat.
    pub fn note(&mut self, n: u64, sent_us: u64, now_us: u64) -> bool {
        let (word, bit) = ((n / 64) as usize, n % 64);
        if self.seen.len() <= word {
            self.seen.resize(word + 1, 0);
        }
        if self.seen[word] & (1 << bit) != 0 {
            self.duplicates += 1;
            return false;
        }
        self.seen[word] |= 1 << bit;
        self.latencies_us
            .push(now_us.saturating_sub(sent_us).min(u64::from(u32::MAX)) as u32);
        true
    }

    pub fn has(&self, n: u64) -> bool {
        self.seen
            .get((n / 64) as usize)
            .is_some_and(|w| w & (1 << (n % 64)) != 0)
    }

    pub fn delivered(&self) -> u64 {
        self.latencies_us.len() as u64
    }
}

/// Splits an SSE byte stream into frames and feeds each to a [`Record`]: markers from the data,
/// the id from the `id:` line.
#[derive(Debug, Default)]
pub struct FrameScanner {
    pending: Vec<u8>,
}

impl FrameScanner {
    /// Add received bytes; `repeat_ok` is for transports (polling) that see the same item again.
    pub fn feed(&mut self, bytes: &[u8], markers: &Markers, record: &mut Record) {
        self.pending.extend_from_slice(bytes);
        let now = markers.now_us();
        let mut start = 0;
        while let Some(end) = memmem::find(&self.pending[start..], b"\n\n") {
            let frame = &self.pending[start..start + end];
            if let Some(id) = frame
                .split(|&b| b == b'\n')
                .find_map(|line| line.strip_prefix(b"id: "))
            {
                record.last_id = Some(String::from_utf8_lossy(id).into_owned());
            }
            for (n, sent) in markers.find(frame) {
                record.note(n, sent, now);
            }
            start += end + 2;
        }
        self.pending.drain(..start);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_are_found_in_frames_split_anywhere() {
        let markers = Markers::new();
        let m1 = markers.make(1);
        let m2 = markers.make(2);
        let wire = format!(
            "retry: 3000\n\nid: s.1\nevent: news\ndata: {{\"h\":\"{m1}\"}}\n\n: ping\n\nid: s.2\ndata: {m2}\n\n"
        );
        for split in 0..wire.len() {
            let (mut scanner, mut record) = (FrameScanner::default(), Record::default());
            scanner.feed(&wire.as_bytes()[..split], &markers, &mut record);
            scanner.feed(&wire.as_bytes()[split..], &markers, &mut record);
            assert_eq!(record.delivered(), 2);
            assert!(record.has(1) && record.has(2) && !record.has(3));
            assert_eq!(record.last_id.as_deref(), Some("s.2"));
        }
    }

    #[test]
    fn repeats_count_as_duplicates() {
        let mut record = Record::default();
        assert!(record.note(5, 0, 10));
        assert!(!record.note(5, 0, 20));
        assert_eq!((record.delivered(), record.duplicates), (1, 1));
    }
}
