//! `GET /api/openapi.json`: the OpenAPI 3.1 description of this HTTP API, so clients can be
//! generated and requests checked against it. The document is `docs/openapi.json`, compiled in;
//! `tests/openapi.rs` calls every path it lists on a real server and checks each answer against
//! it, and that every route the server registers is in it.

use actix_web::{HttpResponse, get};

/// The document, as written in `docs/openapi.json`.
pub const DOCUMENT: &str = include_str!("../../docs/openapi.json");

#[get("/api/openapi.json")]
pub async fn document() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .insert_header(("Cache-Control", "no-cache"))
        .body(DOCUMENT)
}
