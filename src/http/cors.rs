//! Cross-origin access (CORS) for pages on other sites.
//!
//! Two lists decide who may read what, by path:
//! - the viewer read routes (`/events`, `/ws/feed`, `/api/*` but the admin ones) answer the
//!   origins of `--cors-origins`;
//! - the admin commands (`/api/admin/*`) answer only the origins of `--allowed-origins`, the list
//!   that already lets a page open the admin WebSocket: `--cors-origins` never opens them.
//!
//! Pages, `/healthz` and `/metrics` answer no other origin. An origin that is not listed gets
//! no CORS headers, and its browser keeps the answer from the page; its request itself is served
//! as before (a same-origin page that sends `Origin` must keep working). With both lists empty
//! (the default) this middleware is not installed at all.
//!
//! WebSockets are not subject to CORS: `/ws/feed` serves any origin as it always has (public,
//! read-only, no credentials), while `/ws/admin` checks the Origin itself (`http/admin.rs`).

use actix_cors::{Cors, CorsError};
use actix_web::body::MessageBody;
use actix_web::dev::{RequestHead, ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::Next;
use actix_web::{ResponseError as _, body::EitherBody};

use crate::config::Config;
use crate::http::error::ApiError;

/// How long a browser may reuse a preflight answer, in seconds.
const PREFLIGHT_MAX_AGE_SECS: usize = 600;

/// Which list decides whether a page from another origin may read a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Audience {
    Viewers,
    Admins,
    SameOriginOnly,
}

fn audience(path: &str) -> Audience {
    if path.starts_with("/api/admin/") {
        Audience::Admins
    } else if path == "/events" || path == "/ws/feed" || path.starts_with("/api/") {
        Audience::Viewers
    } else {
        Audience::SameOriginOnly
    }
}

/// Whether `origin` is on `list` (`*` stands for any origin).
fn listed(origin: &[u8], list: &[String]) -> bool {
    list.iter()
        .any(|o| o == "*" || o.as_bytes().eq_ignore_ascii_case(origin))
}

/// Whether CORS is configured at all.
pub fn enabled(config: &Config) -> bool {
    !config.cors_origins.is_empty() || !config.allowed_origins.is_empty()
}

/// The CORS middleware for `config`: the listed origin is echoed in
/// `Access-Control-Allow-Origin` (never `*`, so that caches keyed on `Vary: Origin` stay right),
/// and preflights may ask for `Last-Event-ID` (an `EventSource` resuming) and, for the admin
/// commands, `Authorization` and `Content-Type`.
pub fn middleware(config: &Config) -> Cors {
    let viewers = config.cors_origins.clone();
    let admins = config.allowed_origins.clone();
    Cors::default()
        .allowed_origin_fn(
            move |origin, head: &RequestHead| match audience(head.uri.path()) {
                Audience::Viewers => listed(origin.as_bytes(), &viewers),
                Audience::Admins => listed(origin.as_bytes(), &admins),
                Audience::SameOriginOnly => false,
            },
        )
        .allowed_methods([Method::GET, Method::HEAD, Method::POST])
        .allowed_headers([
            header::HeaderName::from_static("last-event-id"),
            header::ACCEPT,
            header::CACHE_CONTROL,
            header::CONTENT_TYPE,
            header::AUTHORIZATION,
        ])
        // A viewer refused for being over a limit is told when to come back; a paged answer
        // (news, a range of days) names its next page.
        .expose_headers([header::RETRY_AFTER, header::LINK])
        .max_age(PREFLIGHT_MAX_AGE_SECS)
        // An unlisted origin gets no CORS headers, not an error: same-origin pages send an
        // Origin too (WebSockets, POSTs), and they must keep working.
        .block_on_origin_mismatch(false)
}

/// Middleware around [`middleware`]: a refused preflight is answered with the JSON error body
/// every other refusal has, instead of actix-cors' plain text.
pub async fn errors_as_json(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let response = next.call(req).await?;
    let refused = response
        .response()
        .error()
        .and_then(|e| e.as_error::<CorsError>())
        .map(|e| (e.status_code(), e.to_string()));
    let Some((status, message)) = refused else {
        return Ok(response.map_into_left_body());
    };
    let error = ApiError::new(status, "cors_refused", format!("CORS preflight: {message}"));
    let (req, _) = response.into_parts();
    Ok(ServiceResponse::new(req, error.error_response()).map_into_right_body())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_read_by_viewers_admins_or_same_origin_only() {
        assert_eq!(audience("/events"), Audience::Viewers);
        assert_eq!(audience("/ws/feed"), Audience::Viewers);
        assert_eq!(audience("/api/snapshot"), Audience::Viewers);
        assert_eq!(audience("/api/matches/3"), Audience::Viewers);
        assert_eq!(audience("/api/admin/commands"), Audience::Admins);
        assert_eq!(audience("/ws/admin"), Audience::SameOriginOnly);
        assert_eq!(audience("/"), Audience::SameOriginOnly);
        assert_eq!(audience("/metrics"), Audience::SameOriginOnly);
    }

    #[test]
    fn origins_match_without_regard_to_case_and_star_matches_any() {
        let list = vec!["https://Fans.example".to_owned()];
        assert!(listed(b"https://fans.example", &list));
        assert!(!listed(b"https://fans.example:8443", &list));
        assert!(listed(b"https://any.example", &["*".to_owned()]));
        assert!(!listed(b"https://any.example", &[]));
    }
}
