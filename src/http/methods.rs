//! HTTP methods beyond each route's own: `HEAD` on every `GET` route, `OPTIONS` saying what a
//! path allows, and `405` (not `404`) for a known path asked with the wrong method.
//!
//! Routes are declared for the one method they serve (`#[get]`, `#[post]`); this module answers
//! the rest in one place so that monitors (`HEAD`), preflight-style probes (`OPTIONS`) and typos
//! in a client's method get an answer that says what is wrong.
//!
//! A `HEAD` answer carries the headers the `GET` would (RFC 9110, 9.3.2), but compressing a body
//! only to throw it away is waste: [`head_uncompressed`] gives an answer that `Compress` would
//! compress its `Content-Encoding` and `Vary` without the work. Like the compressed `GET`, it then
//! has no `Content-Length` (that is only known once compressed) and says it would be chunked.

use actix_web::body::{BodySize, BodyStream, EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{ContentEncoding, HeaderValue};
use actix_web::http::{Method, StatusCode, header};
use actix_web::middleware::Next;
use actix_web::{HttpMessage as _, HttpRequest, HttpResponse, ResponseError};

use crate::http::error::ApiError;

const GET: &str = "GET, HEAD, OPTIONS";
const POST: &str = "POST, OPTIONS";

/// What a route path allows, or `None` for a path no route serves.
fn allowed(path: &str) -> Option<&'static str> {
    match path {
        "/api/admin/commands" => Some(POST),
        "/events" | "/ws/feed" | "/ws/admin" | "/api/snapshot" | "/api/events" | "/api/matches"
        | "/api/news" | "/api/teams" | "/healthz" | "/readyz" | "/metrics"
        | "/api/openapi.json" | "/api/admin/audit" => Some(GET),
        p if p
            .strip_prefix("/api/admin/news/")
            .and_then(|rest| rest.strip_suffix("/history"))
            .is_some_and(|id| !id.is_empty() && !id.contains('/')) =>
        {
            Some(GET)
        }
        p if p
            .strip_prefix("/api/matches/")
            .is_some_and(|id| !id.contains('/')) =>
        {
            Some(GET)
        }
        _ => None,
    }
}

/// Left in a request's extensions by [`head_as_get`]: it was a `HEAD`.
#[derive(Debug, Clone, Copy)]
struct AskedHead;

/// Whether `req` came as a `HEAD` (its method says `GET` once routed), so a handler can skip
/// work whose only product is the body.
pub fn asked_head(req: &HttpRequest) -> bool {
    req.extensions().contains::<AskedHead>()
}

/// Middleware: a `HEAD` request is routed as the `GET` it stands for. The connection layer
/// still knows it was `HEAD` and sends the headers without the body.
pub async fn head_as_get(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if req.method() == Method::HEAD {
        req.head_mut().method = Method::GET;
        req.extensions_mut().insert(AskedHead);
    }
    next.call(req).await
}

/// Middleware, just inside `Compress`: an answer to `HEAD` that `Compress` would compress gets
/// the `Content-Encoding` and `Vary` it would add, and an empty body of unknown length in place
/// of its own, so `Compress` (seeing the encoding set) has nothing to do. Any other answer passes
/// as it is: a body sent as it is costs nothing to skip.
pub async fn head_uncompressed(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let encoding = (req.method() == Method::HEAD)
        .then(|| crate::http::compressed::negotiate(&req))
        .filter(|e| *e != ContentEncoding::Identity);
    let skipped = req
        .app_data::<actix_web::web::Data<crate::http::AppState>>()
        .map(|app| app.metrics.head_bodies_skipped.clone());
    let response = next.call(req).await?;
    let Some(encoding) = encoding.filter(|_| would_compress(&response)) else {
        return Ok(response.map_into_left_body());
    };
    if let Some(skipped) = skipped {
        skipped.inc();
    }
    Ok(response.map_body(|head, _body| {
        head.headers
            .insert(header::CONTENT_ENCODING, encoding.to_header_value());
        head.headers
            .append(header::VARY, HeaderValue::from_static("accept-encoding"));
        let nothing = futures_util::stream::empty::<Result<bytes::Bytes, actix_web::Error>>();
        EitherBody::right(BodyStream::new(nothing))
    }))
}

/// Whether `Compress` would compress `response` (actix-http's `Encoder::response` and
/// `Compress`'s content-type rule): a non-empty body, not yet encoded, not a 101, 204 or 206,
/// and not an image (but SVG) or a video.
fn would_compress(response: &ServiceResponse<impl MessageBody>) -> bool {
    if matches!(
        response.response().body().size(),
        BodySize::None | BodySize::Sized(0)
    ) {
        return false;
    }
    let headers = response.headers();
    if headers.contains_key(header::CONTENT_ENCODING)
        || matches!(
            response.status(),
            StatusCode::SWITCHING_PROTOCOLS | StatusCode::NO_CONTENT | StatusCode::PARTIAL_CONTENT
        )
    {
        return false;
    }
    let mime = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<mime_guess::mime::Mime>().ok());
    match mime {
        Some(m) if m.type_() == mime_guess::mime::IMAGE => m.subtype() == mime_guess::mime::SVG,
        Some(m) => m.type_() != mime_guess::mime::VIDEO,
        None => true,
    }
}

/// The answer for a request no route took: `OPTIONS` on a known path or page (`204` with
/// `Allow`), a known path with another method (`405` with `Allow`), or `None` (not found).
pub fn answer(req: &HttpRequest, is_page: bool) -> Option<HttpResponse> {
    let allow = allowed(req.path()).or(is_page.then_some(GET))?;
    if req.method() == Method::OPTIONS {
        return Some(
            HttpResponse::NoContent()
                .insert_header((header::ALLOW, allow))
                .finish(),
        );
    }
    let error = ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!(
            "{} does not take {}; it allows {allow}",
            req.path(),
            req.method()
        ),
    );
    let mut response = error.error_response();
    response
        .headers_mut()
        .insert(header::ALLOW, header::HeaderValue::from_static(allow));
    Some(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_paths_say_what_they_allow() {
        assert_eq!(allowed("/events"), Some(GET));
        assert_eq!(allowed("/api/matches/7"), Some(GET));
        assert_eq!(allowed("/api/admin/commands"), Some(POST));
        assert_eq!(allowed("/api/matches/7/x"), None);
        assert_eq!(allowed("/nope"), None);
    }
}
