//! The browser frontend: the files under `frontend/`, compiled into the binary so it serves them
//! from any directory (`--frontend-dir` serves them from disk instead, for development).
//!
//! The embedded files are also embedded compressed (brotli and gzip, made once by `build.rs`): a
//! client that accepts one gets those bytes as they are, with `Content-Encoding` and
//! `Vary: Accept-Encoding`, so no page is compressed per request. Files from `--frontend-dir` are
//! compressed per request by the `Compress` middleware instead (development only).
//!
//! Pages get a Content-Security-Policy that allows scripts, styles and connections from this
//! origin only, so nothing injected into the page could run even if it got past the escaping.

use std::borrow::Cow;
use std::path::{Component, Path};

use actix_web::http::header::{self, AcceptEncoding, ContentEncoding, Encoding};
use actix_web::{HttpMessage as _, HttpRequest, HttpResponse, web};
use rust_embed::RustEmbed;

use crate::http::AppState;

#[derive(RustEmbed)]
#[folder = "frontend/"]
struct Frontend;

/// The same files compressed by `build.rs`: `<file>.br` and `<file>.gz`.
#[derive(RustEmbed)]
#[folder = "$OUT_DIR/frontend-compressed/"]
struct Compressed;

/// The encodings stored beside each embedded file, the smaller first, with their file extension.
const STORED_ENCODINGS: [(ContentEncoding, &str); 2] = [
    (ContentEncoding::Brotli, "br"),
    (ContentEncoding::Gzip, "gz"),
];

/// The policy for every page: no inline script, no third-party anything.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; \
     base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/// The file behind a URL path: `/` is the dashboard, `/admin` the console, `/standings` the
/// league tables, `/team/{id}` a team's page, `/match/{id}` the match page (one page for every id: its script reads the id from the address, so a shared or
/// reloaded link works). `/match/` with anything but a match id is no page (404).
fn file_for(path: &str) -> Option<&str> {
    match path {
        "/" => Some("index.html"),
        "/admin" | "/admin/" => Some("admin.html"),
        "/standings" | "/standings/" => Some("standings.html"),
        p if p.starts_with("/team/") => p
            .strip_prefix("/team/")
            .filter(|id| {
                (1..=8).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric())
            })
            .map(|_| "team.html"),
        p if p.starts_with("/match/") => p
            .strip_prefix("/match/")
            .filter(|id| id.parse::<u64>().is_ok() && id.bytes().all(|b| b.is_ascii_digit()))
            .map(|_| "match.html"),
        p => p.strip_prefix('/').filter(|p| !p.is_empty()),
    }
}

/// A file's bytes and its ETag, from the embedded set or from `dir`.
fn load(file: &str, dir: Option<&Path>) -> Option<(Cow<'static, [u8]>, String)> {
    match dir {
        None => Frontend::get(file).map(|f| {
            let etag = f
                .metadata
                .sha256_hash()
                .iter()
                .take(12)
                .map(|b| format!("{b:02x}"))
                .collect();
            (f.data, etag)
        }),
        Some(dir) => {
            // Only plain relative paths: no `..`, no absolute paths, no escaping `dir`.
            let relative = Path::new(file);
            if !relative
                .components()
                .all(|c| matches!(c, Component::Normal(_)))
            {
                return None;
            }
            let data = std::fs::read(dir.join(relative)).ok()?;
            let etag = format!(
                "{:x}-{}",
                data.len(),
                data.iter()
                    .fold(0u32, |h, b| h.rotate_left(5) ^ u32::from(*b))
            );
            Some((Cow::Owned(data), etag))
        }
    }
}

/// The stored encoding `req` accepts best (`None`: send the file as it is). Identity is among the
/// candidates, so a client that prefers it (or sends no `Accept-Encoding`) gets the plain file.
fn stored_encoding(req: &HttpRequest) -> Option<(&'static str, &'static str)> {
    let accepted = req.get_header::<AcceptEncoding>()?;
    let candidates = [Encoding::brotli(), Encoding::gzip(), Encoding::identity()];
    let chosen = accepted.negotiate(candidates.iter())?;
    STORED_ENCODINGS
        .iter()
        .find(|(encoding, _)| Encoding::Known(*encoding) == chosen)
        .map(|(encoding, extension)| (encoding.as_str(), *extension))
}

/// Whether a frontend file answers `path`.
pub fn exists(path: &str, app: &AppState) -> bool {
    file_for(path).is_some_and(|file| load(file, app.config.frontend_dir.as_deref()).is_some())
}

/// Serve a frontend file for `req`, or `None` when there is none (the caller answers 404).
pub fn serve(req: &HttpRequest, app: &web::Data<AppState>) -> Option<HttpResponse> {
    if req.method() != actix_web::http::Method::GET && req.method() != actix_web::http::Method::HEAD
    {
        return None;
    }
    let file = file_for(req.path())?;
    let dir = app.config.frontend_dir.as_deref();
    let (mut data, etag) = load(file, dir)?;
    // Embedded files only: the `.br`/`.gz` beside them were made from exactly these bytes.
    let encoded = dir
        .is_none()
        .then(|| stored_encoding(req))
        .flatten()
        .and_then(|(encoding, extension)| {
            Compressed::get(&format!("{file}.{extension}")).map(|f| (encoding, extension, f.data))
        });
    // Each encoding is its own representation, so each has its own ETag.
    let etag = match &encoded {
        Some((_, extension, _)) => format!("\"{etag}-{extension}\""),
        None => format!("\"{etag}\""),
    };
    let mime = mime_guess::from_path(file).first_or_octet_stream();
    let unchanged = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| v.as_bytes() == etag.as_bytes());
    let mut response = if unchanged {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"));
    if dir.is_none() {
        response.insert_header((header::VARY, "Accept-Encoding"));
    }
    if let Some((encoding, _, bytes)) = encoded {
        // Set before the `Compress` middleware sees the response, which then leaves it alone.
        response.insert_header((header::CONTENT_ENCODING, encoding));
        data = bytes;
    }
    if mime.essence_str() == "text/html" {
        response.insert_header((header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY));
    }
    if unchanged {
        return Some(response.finish());
    }
    let content_type = match mime.type_() {
        mime_guess::mime::TEXT | mime_guess::mime::APPLICATION
            if mime.get_param("charset").is_none() =>
        {
            format!("{}; charset=utf-8", mime.essence_str())
        }
        _ => mime.to_string(),
    };
    Some(
        response
            .insert_header((header::CONTENT_TYPE, content_type))
            .body(data.into_owned()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_map_to_files_and_traversal_is_refused() {
        assert_eq!(file_for("/"), Some("index.html"));
        assert_eq!(file_for("/admin"), Some("admin.html"));
        assert_eq!(file_for("/js/feed.js"), Some("js/feed.js"));
        assert_eq!(file_for("/match/7"), Some("match.html"));
        assert_eq!(file_for("/match/abc"), None);
        assert_eq!(file_for("/match/+7"), None);
        assert_eq!(file_for("/match/7/x"), None);
        assert_eq!(file_for("/match/"), None);
        let dir = std::env::temp_dir();
        assert!(load("../etc/passwd", Some(&dir)).is_none());
        assert!(load("/etc/passwd", Some(&dir)).is_none());
        assert!(
            load("index.html", None).is_some(),
            "the dashboard is embedded"
        );
    }
}
