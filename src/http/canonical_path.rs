//! One path per request: the one the router matches.
//!
//! actix's router matches the *decoded* path (`/%6detrics` is routed to `/metrics`), while a
//! middleware reading `req.path()` sees the raw one, so every guard that decides by path (the
//! metrics address split, CORS for the admin routes, the stream's no-compression rule, `OPTIONS`
//! answers) could be walked around with a percent-escape. Rather than teach each guard to
//! decode, this middleware, outside them all, rewrites the request's URI to the decoded form the
//! router uses (every escape decoded but `%2F`, `%25` and `%2B`, which would change the path's
//! meaning), so guards and router decide on the same string. A path whose decoded form is no
//! valid URI path (an escaped space or control character) matches no route of ours and is
//! refused with 400 here, before anything else reads it.

use std::str::FromStr;

use actix_web::ResponseError;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::uri::{PathAndQuery, Uri};
use actix_web::middleware::Next;

use crate::http::error::ApiError;

/// Middleware: rewrite an escaped path to the form the router matches, or refuse it.
pub async fn decode(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let decoded = req.match_info().get_ref().path();
    if decoded != req.path() {
        let Some(uri) = rewritten(req.uri(), decoded) else {
            let error = ApiError::bad_request(
                "the path holds percent-escapes that decode to characters no path may hold",
            );
            return Ok(req
                .into_response(error.error_response())
                .map_into_right_body());
        };
        req.match_info_mut().get_mut().update(&uri);
        req.head_mut().uri = uri;
    }
    Ok(next.call(req).await?.map_into_left_body())
}

/// `uri` with its path replaced by `path` (the query kept), if that is a valid URI.
fn rewritten(uri: &Uri, path: &str) -> Option<Uri> {
    let path_and_query = match uri.query() {
        Some(query) => format!("{path}?{query}"),
        None => path.to_owned(),
    };
    let mut parts = uri.clone().into_parts();
    parts.path_and_query = Some(PathAndQuery::from_str(&path_and_query).ok()?);
    Uri::from_parts(parts).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_is_kept_and_an_invalid_path_is_refused() {
        let uri: Uri = "/%6detrics?x=%20".parse().unwrap();
        assert_eq!(
            rewritten(&uri, "/metrics").unwrap().to_string(),
            "/metrics?x=%20"
        );
        assert_eq!(rewritten(&uri, "/a b"), None);
    }
}
