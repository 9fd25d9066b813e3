//! `--metrics-bind`: `/metrics` on an address of its own (a private interface, say) and nowhere
//! else. Both listeners serve the same app; this middleware keeps each to its part: the metrics
//! address answers only `/metrics`, the public one everything but.

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{ResponseError, web};

use crate::http::AppState;
use crate::http::error::ApiError;

/// The metrics listener's address, known once it is bound (unset: `/metrics` is public).
pub type MetricsAddr = Arc<OnceLock<SocketAddr>>;

/// Middleware: a 404 for `/metrics` on the public address, and for anything else on the metrics
/// address.
pub async fn split(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let private = req
        .app_data::<web::Data<AppState>>()
        .and_then(|app| app.metrics_addr.get().copied());
    if let Some(private) = private {
        let on_private = req.app_config().local_addr() == private;
        if on_private != (req.path() == "/metrics") {
            let where_ = if on_private {
                "this address serves only /metrics"
            } else {
                "metrics are served on the metrics address (--metrics-bind)"
            };
            let error = ApiError::not_found(format!(
                "no route for {} {}: {where_}",
                req.method(),
                req.path()
            ));
            return Ok(req
                .into_response(error.error_response())
                .map_into_right_body());
        }
    }
    Ok(next.call(req).await?.map_into_left_body())
}
