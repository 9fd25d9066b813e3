//! `GET /api/openapi.json`: the OpenAPI 3.1 description of this HTTP API, so clients can be
//! generated and requests checked against it. The document is `docs/openapi.json`, compiled in
//! with its brotli and gzip copies (made once by `build.rs`, so it is never compressed per
//! request); `tests/openapi.rs` calls every path it lists on a real server and checks each
//! answer against it, and that every route the server registers is in it.

use actix_web::{HttpRequest, HttpResponse, get};

use crate::http::compressed::Precompressed;

/// The document, as written in `docs/openapi.json`.
pub const DOCUMENT: &str = include_str!("../../docs/openapi.json");

/// The document and its compressed copies.
pub const STORED: Precompressed = Precompressed {
    identity: DOCUMENT.as_bytes(),
    brotli: include_bytes!(concat!(env!("OUT_DIR"), "/docs-compressed/openapi.json.br")),
    gzip: include_bytes!(concat!(env!("OUT_DIR"), "/docs-compressed/openapi.json.gz")),
};

#[get("/api/openapi.json")]
pub async fn document(req: HttpRequest) -> HttpResponse {
    STORED.encoded(&req).respond("application/json")
}
