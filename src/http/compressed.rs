//! Answers compressed once rather than per request.
//!
//! Most answers are compressed per request by actix's `Compress` middleware (`server/mod.rs`):
//! they change all the time (a snapshot, a long-poll). Three kinds are compressed here instead,
//! and go out with `Content-Encoding` already set, which `Compress` leaves alone:
//!
//! - documents compiled into the binary (`docs/openapi.json`; the frontend in `assets.rs`), which
//!   `build.rs` compressed once at build time: [`Precompressed`];
//! - answers that never change while the server runs (an archived match or a day of them, the
//!   teams): compressed the first time and kept in the [`CompressedCache`], bounded in bytes by
//!   `--compressed-cache-mb`, so a crowd of clients accepting brotli does not make the server
//!   compress the same bytes again for each of them;
//! - day ranges (`range.rs`), so that the body they send is made of final bytes
//!   (`in_flight.rs` waits for those to leave).
//!
//! The encoding is negotiated exactly as `Compress` negotiates it (the same candidates), so a
//! client gets here the encoding the middleware would have given it.

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasher, RandomState};
use std::io::Write as _;
use std::sync::Mutex;

use actix_web::http::header::{self, AcceptEncoding, ContentEncoding, Encoding};
use actix_web::{HttpMessage, HttpRequest, HttpResponse, HttpResponseBuilder, web};
use bytes::Bytes;

use crate::http::error::ApiError;
use crate::metrics::Metrics;

/// What `Compress` offers with actix-web's `compress-brotli` and `compress-gzip` features (see
/// Cargo.toml): negotiating among the same set gives the same answer it would.
const OFFERED: [Encoding; 4] = [
    Encoding::identity(),
    Encoding::brotli(),
    Encoding::gzip(),
    Encoding::deflate(),
];

/// The encoding a request gets: the one it accepts best, identity when it says nothing (or
/// accepts nothing offered, which `Compress` has answered with 406 before any handler runs).
pub fn negotiate(req: &impl HttpMessage) -> ContentEncoding {
    let chosen = req
        .get_header::<AcceptEncoding>()
        .and_then(|accepted| accepted.negotiate(OFFERED.iter()));
    match chosen {
        Some(Encoding::Known(encoding)) => encoding,
        _ => ContentEncoding::Identity,
    }
}

/// `data` in `encoding`, at the levels `Compress` uses (brotli quality 3 with a 4 MiB window,
/// gzip and deflate at their fast level): fast enough to do per request, which is what happens
/// to an answer that changes.
pub fn compress(encoding: ContentEncoding, data: &[u8]) -> Bytes {
    fn finish(result: std::io::Result<Vec<u8>>) -> Bytes {
        Bytes::from(result.expect("compressing into memory cannot fail"))
    }
    let fast = flate2::Compression::fast();
    match encoding {
        ContentEncoding::Brotli => {
            let mut out = Vec::with_capacity(data.len() / 4);
            {
                let mut writer = brotli::CompressorWriter::new(&mut out, 32 * 1024, 3, 22);
                writer.write_all(data).expect("compressing into memory");
            }
            Bytes::from(out)
        }
        ContentEncoding::Gzip => {
            let mut encoder = flate2::write::GzEncoder::new(Vec::new(), fast);
            finish(encoder.write_all(data).and_then(|()| encoder.finish()))
        }
        ContentEncoding::Deflate => {
            let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), fast);
            finish(encoder.write_all(data).and_then(|()| encoder.finish()))
        }
        _ => Bytes::copy_from_slice(data),
    }
}

/// [`compress`] on a blocking thread when `data` is large enough to keep a worker busy (as
/// `Compress` does), so other connections on this worker are not held up.
pub async fn compress_off_worker(
    encoding: ContentEncoding,
    data: Bytes,
) -> Result<Bytes, ApiError> {
    if data.len() < 16 * 1024 {
        return Ok(compress(encoding, &data));
    }
    web::block(move || compress(encoding, &data))
        .await
        .map_err(|_| ApiError::unavailable("the server is shutting down"))
}

/// Whether an answer's bytes can change while the server runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Content {
    /// Never: archived matches and days, the teams. Compressed once, kept in the cache.
    Fixed,
    /// Any time: compressed for this request only.
    Changing,
}

/// The bytes to send for `body` and the encoding they are in (`None`: as they are, and
/// `Compress` leaves them alone only if the client wants them so).
pub struct Encoded {
    pub encoding: Option<ContentEncoding>,
    pub bytes: Bytes,
}

impl Encoded {
    /// Set `Content-Encoding` (when compressed) and `Vary` on `response`; the body is `bytes`.
    pub fn headers(&self, response: &mut HttpResponseBuilder) {
        if let Some(encoding) = self.encoding {
            response.insert_header((header::CONTENT_ENCODING, encoding.as_str()));
        }
        response.insert_header((header::VARY, "Accept-Encoding"));
    }

    /// A 200 with `content_type` and these bytes.
    pub fn respond(self, content_type: &str) -> HttpResponse {
        let mut response = HttpResponse::Ok();
        response
            .content_type(content_type)
            .insert_header((header::CACHE_CONTROL, "no-cache"));
        self.headers(&mut response);
        response.body(self.bytes)
    }
}

/// `body` encoded for `req`: from the cache when `content` is fixed and it is there; else
/// compressed now (and kept, when fixed). A `HEAD` sends no body, so nothing is compressed for
/// it: a cached copy is used when there is one (its length is known), else `body` goes out as it
/// is and `methods::head_uncompressed` gives it the headers a `GET` would have had.
pub async fn encode(
    req: &HttpRequest,
    cache: &CompressedCache,
    body: Bytes,
    content: Content,
) -> Result<Encoded, ApiError> {
    let encoding = negotiate(req);
    if encoding == ContentEncoding::Identity {
        return Ok(Encoded {
            encoding: None,
            bytes: body,
        });
    }
    let head = crate::http::methods::asked_head(req);
    let bytes = match content {
        Content::Fixed => match cache.get(encoding, &body) {
            Some(bytes) => Some(bytes),
            None if head => None,
            None => {
                let bytes = compress_off_worker(encoding, body.clone()).await?;
                cache.insert(encoding, &body, bytes.clone());
                Some(bytes)
            }
        },
        Content::Changing if head => None,
        Content::Changing => Some(compress_off_worker(encoding, body.clone()).await?),
    };
    Ok(match bytes {
        Some(bytes) => Encoded {
            encoding: Some(encoding),
            bytes,
        },
        None => Encoded {
            encoding: None,
            bytes: body,
        },
    })
}

/// One document compiled into the binary with its copies compressed by `build.rs`.
pub struct Precompressed {
    pub identity: &'static [u8],
    pub brotli: &'static [u8],
    pub gzip: &'static [u8],
}

impl Precompressed {
    /// The document for `req`, in the stored encoding it accepts best. (A client that accepts
    /// only deflate gets it compressed per request by `Compress`.)
    pub fn encoded(&self, req: &HttpRequest) -> Encoded {
        let (encoding, bytes) = match negotiate(req) {
            ContentEncoding::Brotli => (Some(ContentEncoding::Brotli), self.brotli),
            ContentEncoding::Gzip => (Some(ContentEncoding::Gzip), self.gzip),
            _ => (None, self.identity),
        };
        Encoded {
            encoding,
            bytes: Bytes::from_static(bytes),
        }
    }
}

/// What the cache files a compressed answer under: its encoding and its uncompressed bytes'
/// length and hash. Keyed by content, not by request, so a changed answer can never be served
/// from an old entry; the hash is keyed at random per process, so no client can make two
/// answers collide on purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Key {
    encoding: &'static str,
    len: usize,
    hash: u64,
}

/// Compressed answers that never change, bounded in bytes: the least recently used go first.
pub struct CompressedCache {
    budget: usize,
    hasher: RandomState,
    inner: Mutex<Entries>,
    metrics: Metrics,
}

#[derive(Default)]
struct Entries {
    /// Each entry's bytes and its last use.
    map: HashMap<Key, (Bytes, u64)>,
    /// Entries by last use, oldest first.
    by_use: BTreeMap<u64, Key>,
    bytes: usize,
    clock: u64,
}

impl CompressedCache {
    /// A cache of at most `mb` MiB (0: nothing is kept).
    pub fn new(mb: usize, metrics: &Metrics) -> CompressedCache {
        CompressedCache {
            budget: mb << 20,
            hasher: RandomState::new(),
            inner: Mutex::new(Entries::default()),
            metrics: metrics.clone(),
        }
    }

    fn key(&self, encoding: ContentEncoding, body: &[u8]) -> Key {
        Key {
            encoding: encoding.as_str(),
            len: body.len(),
            hash: self.hasher.hash_one(body),
        }
    }

    /// `body` compressed in `encoding`, if the cache holds it (counted as a hit).
    pub fn get(&self, encoding: ContentEncoding, body: &[u8]) -> Option<Bytes> {
        let key = self.key(encoding, body);
        let found = self.inner.lock().expect("cache lock").touch(key);
        if found.is_some() {
            self.metrics.compressed_cache_hits.inc();
        }
        found
    }

    /// Keep `compressed` as `body` in `encoding` (counted as a miss: it was just compressed),
    /// making room by dropping the least recently used; an answer larger than the whole budget
    /// is not kept.
    pub fn insert(&self, encoding: ContentEncoding, body: &[u8], compressed: Bytes) {
        self.metrics.compressed_cache_misses.inc();
        if compressed.len() > self.budget {
            return;
        }
        let key = self.key(encoding, body);
        let mut entries = self.inner.lock().expect("cache lock");
        entries.insert(key, compressed, self.budget);
        self.metrics
            .compressed_cache_bytes
            .set(entries.bytes as i64);
    }
}

impl Entries {
    fn touch(&mut self, key: Key) -> Option<Bytes> {
        self.clock += 1;
        let now = self.clock;
        let (bytes, used) = self.map.get_mut(&key)?;
        self.by_use.remove(used);
        *used = now;
        self.by_use.insert(now, key);
        Some(bytes.clone())
    }

    fn insert(&mut self, key: Key, bytes: Bytes, budget: usize) {
        if self.touch(key).is_some() {
            // Two requests compressed the same answer at once; the first copy stays.
            return;
        }
        while self.bytes + bytes.len() > budget {
            let Some((_, oldest)) = self.by_use.pop_first() else {
                break;
            };
            if let Some((old, _)) = self.map.remove(&oldest) {
                self.bytes -= old.len();
            }
        }
        self.bytes += bytes.len();
        self.by_use.insert(self.clock, key);
        self.map.insert(key, (bytes, self.clock));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(encoding: ContentEncoding, data: &[u8]) -> Vec<u8> {
        use std::io::Read as _;
        let mut out = Vec::new();
        match encoding {
            ContentEncoding::Brotli => brotli::Decompressor::new(data, 4096)
                .read_to_end(&mut out)
                .map(drop),
            ContentEncoding::Gzip => flate2::read::GzDecoder::new(data)
                .read_to_end(&mut out)
                .map(drop),
            ContentEncoding::Deflate => flate2::read::ZlibDecoder::new(data)
                .read_to_end(&mut out)
                .map(drop),
            _ => unreachable!(),
        }
        .expect("valid");
        out
    }

    #[test]
    fn every_offered_encoding_round_trips() {
        let data = br#"{"id":1,"home":"ARS"}"#.repeat(100);
        for encoding in [
            ContentEncoding::Brotli,
            ContentEncoding::Gzip,
            ContentEncoding::Deflate,
        ] {
            let packed = compress(encoding, &data);
            assert!(packed.len() < data.len() / 4, "{encoding:?}");
            assert_eq!(decoded(encoding, &packed), data, "{encoding:?}");
        }
    }

    #[test]
    fn the_cache_stays_within_its_budget_and_drops_the_least_recently_used() {
        let metrics = Metrics::new();
        let cache = CompressedCache::new(1, &metrics);
        let br = ContentEncoding::Brotli;
        let third = Bytes::from(vec![0u8; 400 << 10]);
        cache.insert(br, b"a", third.clone());
        cache.insert(br, b"b", third.clone());
        assert!(cache.get(br, b"a").is_some(), "a is now the most recent");
        cache.insert(br, b"c", third.clone());
        assert!(
            cache.get(br, b"b").is_none(),
            "b was the least recently used"
        );
        assert!(cache.get(br, b"a").is_some() && cache.get(br, b"c").is_some());
        assert!(
            cache.get(ContentEncoding::Gzip, b"a").is_none(),
            "per encoding"
        );
        assert_eq!(metrics.compressed_cache_bytes.get(), 800 << 10);
        cache.insert(br, b"huge", Bytes::from(vec![0u8; 2 << 20]));
        assert!(cache.get(br, b"huge").is_none(), "larger than the budget");
        let none = CompressedCache::new(0, &metrics);
        none.insert(br, b"a", Bytes::from_static(b"x"));
        assert!(none.get(br, b"a").is_none(), "0 MiB keeps nothing");
    }
}
