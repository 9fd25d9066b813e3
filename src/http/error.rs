//! The JSON error body every route answers with: `{"error":{"code":..,"message":..}}`.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

use crate::feed::CommandError;
use crate::feed::error::ErrorBody;

/// An HTTP error with a stable code and a message that names the offending value.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// Seconds after which the client may try again (sent as `Retry-After`).
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    /// The hub did not answer: the server is shutting down or overloaded.
    pub fn unavailable(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", message)
    }
}

#[derive(Serialize)]
struct Wrapper<'a> {
    error: ErrorBodyRef<'a>,
}

#[derive(Serialize)]
struct ErrorBodyRef<'a> {
    code: &'a str,
    message: &'a str,
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status);
        if let Some(secs) = self.retry_after {
            response.insert_header(("Retry-After", secs.to_string()));
        }
        response.json(Wrapper {
            error: ErrorBodyRef {
                code: self.code,
                message: &self.message,
            },
        })
    }
}

impl From<actix::MailboxError> for ApiError {
    fn from(_: actix::MailboxError) -> ApiError {
        ApiError::unavailable("the feed is not answering; the server may be shutting down")
    }
}

/// The status that fits a refused command.
pub fn command_status(error: &CommandError) -> StatusCode {
    match error {
        CommandError::BadRequest(_) => StatusCode::BAD_REQUEST,
        CommandError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
        CommandError::Forbidden(_) => StatusCode::FORBIDDEN,
        CommandError::NotFound(_) => StatusCode::NOT_FOUND,
        CommandError::Conflict { .. } => StatusCode::CONFLICT,
        CommandError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        CommandError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
        CommandError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
        CommandError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
    }
}

/// The JSON body of a refused command: the same `{"error":{..}}` shape, plus `current_version`
/// on conflicts.
pub fn command_error_response(error: &CommandError) -> HttpResponse {
    #[derive(Serialize)]
    struct Body {
        error: ErrorBody,
    }
    HttpResponse::build(command_status(error)).json(Body {
        error: error.body(),
    })
}
