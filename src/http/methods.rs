//! HTTP methods beyond each route's own: `HEAD` on every `GET` route, `OPTIONS` saying what a
//! path allows, and `405` (not `404`) for a known path asked with the wrong method.
//!
//! Routes are declared for the one method they serve (`#[get]`, `#[post]`); this module answers
//! the rest in one place so that monitors (`HEAD`), preflight-style probes (`OPTIONS`) and typos
//! in a client's method get an answer that says what is wrong.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, StatusCode, header};
use actix_web::middleware::Next;
use actix_web::{HttpRequest, HttpResponse, ResponseError};

use crate::http::error::ApiError;

const GET: &str = "GET, HEAD, OPTIONS";
const POST: &str = "POST, OPTIONS";

/// What a route path allows, or `None` for a path no route serves.
fn allowed(path: &str) -> Option<&'static str> {
    match path {
        "/api/admin/commands" => Some(POST),
        "/events" | "/ws/feed" | "/ws/admin" | "/api/snapshot" | "/api/events" | "/api/matches"
        | "/api/news" | "/api/teams" | "/healthz" | "/readyz" | "/metrics"
        | "/api/openapi.json" => Some(GET),
        p if p
            .strip_prefix("/api/matches/")
            .is_some_and(|id| !id.contains('/')) =>
        {
            Some(GET)
        }
        _ => None,
    }
}

/// Middleware: a `HEAD` request is routed as the `GET` it stands for. The connection layer
/// still knows it was `HEAD` and sends the headers without the body.
pub async fn head_as_get(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if req.method() == Method::HEAD {
        req.head_mut().method = Method::GET;
    }
    next.call(req).await
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
