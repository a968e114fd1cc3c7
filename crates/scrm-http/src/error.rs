//! Errors of the API and how they become HTTP responses.
//!
//! Every error response of this crate has a JSON body `{"error": "<message>"}`, so clients
//! parse one shape whatever went wrong. Internal details are logged, never sent.

use axum::http::header::{HeaderValue, CACHE_CONTROL, WWW_AUTHENTICATE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// Why a [`crate::CustomerLookup`] could not answer.
///
/// Messages of `BadKey` and `NotReady` are sent to the client and must not contain another
/// customer's data; the message of `Internal` is only logged. None of them should repeat the
/// full key: the server logs a masked form of it alongside.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LookupError {
    /// The key is malformed (user error, not retriable as is): 400.
    #[error("bad customer key: {0}")]
    BadKey(String),
    /// The state store cannot answer yet, e.g. still restoring (retriable): 503.
    #[error("customer state not ready: {0}")]
    NotReady(String),
    /// Anything else, e.g. a storage error (internal): 500 with a generic message.
    #[error("customer lookup failed: {0}")]
    Internal(String),
}

/// An error response: a status and a message for the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    status: StatusCode,
    message: String,
    /// Value of `WWW-Authenticate` for 401 responses.
    challenge: Option<&'static str>,
}

impl ApiError {
    /// An error with the given status and client-facing message.
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            challenge: None,
        }
    }

    /// 401 with `WWW-Authenticate: <challenge>` (RFC 6750 §3).
    pub(crate) fn unauthorized(message: &str, challenge: &'static str) -> Self {
        Self {
            challenge: Some(challenge),
            ..Self::new(StatusCode::UNAUTHORIZED, message)
        }
    }

    /// The HTTP status of the response.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The message sent to the client.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(json!({ "error": self.message }))).into_response();
        let headers = response.headers_mut();
        // Error bodies of the customer API can echo what the client asked about; keep them,
        // like the data itself, out of shared caches.
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if let Some(challenge) = self.challenge {
            headers.insert(WWW_AUTHENTICATE, HeaderValue::from_static(challenge));
        }
        response
    }
}

/// The client-facing message of an internal error: deliberately says nothing.
pub(crate) const INTERNAL_MESSAGE: &str = "internal error";

impl From<LookupError> for ApiError {
    /// Maps without logging; the caller logs `Internal` errors with their context first.
    fn from(err: LookupError) -> Self {
        match err {
            LookupError::BadKey(msg) => Self::new(StatusCode::BAD_REQUEST, msg),
            LookupError::NotReady(msg) => Self::new(StatusCode::SERVICE_UNAVAILABLE, msg),
            LookupError::Internal(_) => {
                Self::new(StatusCode::INTERNAL_SERVER_ERROR, INTERNAL_MESSAGE)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_errors_map_to_statuses() {
        let cases = [
            (
                LookupError::BadKey("x".into()),
                StatusCode::BAD_REQUEST,
                "x",
            ),
            (
                LookupError::NotReady("y".into()),
                StatusCode::SERVICE_UNAVAILABLE,
                "y",
            ),
            (
                LookupError::Internal("disk on fire".into()),
                StatusCode::INTERNAL_SERVER_ERROR,
                INTERNAL_MESSAGE,
            ),
        ];
        for (err, status, message) in cases {
            let api = ApiError::from(err);
            assert_eq!(api.status(), status);
            assert_eq!(api.message(), message);
        }
    }

    #[test]
    fn unauthorized_carries_challenge() {
        let response = ApiError::unauthorized("no", "Bearer").into_response();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(response.headers()[WWW_AUTHENTICATE], "Bearer");
        assert_eq!(response.headers()[CACHE_CONTROL], "no-store");
    }
}
