//! Bearer-token authentication for the protected parts of the API.
//!
//! [`require_bearer`] wraps a router so each of its routes first checks
//! `Authorization: Bearer <token>` against the configured [`Secret`]. The comparison runs in
//! constant time with respect to the token's content (it still reveals whether the lengths
//! match, which says nothing useful about a random token). Without a configured token the
//! routes answer 503: a deployment that forgot the token must fail closed, not open.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header::AUTHORIZATION;
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use subtle::ConstantTimeEq;

use crate::error::ApiError;
use scrm_config::Secret;

/// `WWW-Authenticate` when no credentials were sent (RFC 6750 §3).
const CHALLENGE_MISSING: &str = r#"Bearer realm="scrm""#;
/// `WWW-Authenticate` when the credentials were wrong (RFC 6750 §3.1).
const CHALLENGE_INVALID: &str = r#"Bearer realm="scrm", error="invalid_token""#;

/// Message of the 503 answered while no token is configured.
pub(crate) const NOT_CONFIGURED: &str =
    "API token not configured: this endpoint is disabled until one is set";

/// Guards every route of `routes` with the bearer `token`; `None` or an empty token disables
/// them (503). Apply it before merging `routes` into the main router: routes merged later are
/// not covered, and unknown paths still answer 404 rather than 401.
pub fn require_bearer(routes: Router, token: Option<Secret>) -> Router {
    let token = Arc::new(token.filter(|t| !t.is_empty()));
    routes.route_layer(middleware::from_fn_with_state(token, check))
}

async fn check(State(token): State<Arc<Option<Secret>>>, request: Request, next: Next) -> Response {
    match authorize(Option::as_ref(&token), request.headers()) {
        Ok(()) => next.run(request).await,
        Err(err) => err.into_response(),
    }
}

/// Checks the request headers against the expected token.
pub(crate) fn authorize(expected: Option<&Secret>, headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(expected) = expected else {
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            NOT_CONFIGURED,
        ));
    };
    let Some(value) = headers.get(AUTHORIZATION) else {
        return Err(ApiError::unauthorized(
            "missing bearer token",
            CHALLENGE_MISSING,
        ));
    };
    let presented = value.to_str().ok().and_then(bearer_credentials);
    match presented {
        Some(presented) if token_matches(expected, presented) => Ok(()),
        _ => {
            // Never log what was presented: a near-miss token is as sensitive as the token.
            tracing::debug!("rejected request with invalid bearer token");
            Err(ApiError::unauthorized(
                "invalid bearer token",
                CHALLENGE_INVALID,
            ))
        }
    }
}

/// The credentials of a `Bearer` authorization value. The scheme is case-insensitive
/// (RFC 9110 §11.1); the credentials are the rest after the separating spaces.
fn bearer_credentials(value: &str) -> Option<&str> {
    let (scheme, credentials) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let credentials = credentials.trim_matches(' ');
    (!credentials.is_empty()).then_some(credentials)
}

fn token_matches(expected: &Secret, presented: &str) -> bool {
    expected
        .expose()
        .as_bytes()
        .ct_eq(presented.as_bytes())
        .into()
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn headers(authorization: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, HeaderValue::from_str(authorization).unwrap());
        headers
    }

    #[test]
    fn parses_bearer_credentials() {
        assert_eq!(bearer_credentials("Bearer abc"), Some("abc"));
        assert_eq!(bearer_credentials("bearer   abc "), Some("abc"));
        assert_eq!(bearer_credentials("BEARER abc"), Some("abc"));
        assert_eq!(bearer_credentials("Basic abc"), None);
        assert_eq!(bearer_credentials("Bearer"), None);
        assert_eq!(bearer_credentials("Bearer   "), None);
        assert_eq!(bearer_credentials("Bearerabc"), None);
    }

    #[test]
    fn authorizes_only_the_configured_token() {
        let token = Secret::new("t0ken");
        assert!(authorize(Some(&token), &headers("Bearer t0ken")).is_ok());

        for bad in [
            "Bearer t0ke",
            "Bearer t0ken2",
            "Bearer T0KEN",
            "Basic t0ken",
        ] {
            let err = authorize(Some(&token), &headers(bad)).unwrap_err();
            assert_eq!(err.status(), StatusCode::UNAUTHORIZED, "{bad}");
        }
        let err = authorize(Some(&token), &HeaderMap::new()).unwrap_err();
        assert_eq!(err.status(), StatusCode::UNAUTHORIZED);
    }

    #[test]
    fn no_token_fails_closed() {
        let err = authorize(None, &headers("Bearer anything")).unwrap_err();
        assert_eq!(err.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(err.message(), NOT_CONFIGURED);
    }
}
