//! The customer-state query API: `GET /customers/{key}`.
//!
//! The server owns no state; it asks a [`CustomerLookup`] (in the binary, the RocksDB-backed
//! state store) on the blocking pool and turns the answer into HTTP. Routes are guarded by
//! [`require_bearer`], so nothing here runs for an unauthenticated request.
//!
//! The key comes percent-decoded from the path (`%2B85291234567` and `+85291234567` are the
//! same customer: in a path, unlike a query string, `+` is a literal plus). Logs carry only
//! [`scrm_identity::mask_key`] of it.

use std::fmt;
use std::sync::Arc;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::header::{HeaderValue, CACHE_CONTROL};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

use crate::auth::require_bearer;
use crate::error::{ApiError, LookupError, INTERNAL_MESSAGE};
use scrm_config::Secret;
use scrm_identity::mask_key;

/// Path of the customer-state endpoint, in axum's route syntax.
pub const CUSTOMER_ROUTE: &str = "/customers/{key}";

/// Read access to customer state, implemented by the state store.
pub trait CustomerLookup: Send + Sync + 'static {
    /// The customer's state as JSON, None if unknown. May block (RocksDB): the server calls it on spawn_blocking.
    fn lookup(&self, key: &str) -> Result<Option<serde_json::Value>, LookupError>;
}

impl<F> CustomerLookup for F
where
    F: Fn(&str) -> Result<Option<serde_json::Value>, LookupError> + Send + Sync + 'static,
{
    fn lookup(&self, key: &str) -> Result<Option<serde_json::Value>, LookupError> {
        self(key)
    }
}

/// The lookup behind the customer routes; `None` until a state store is wired in.
#[derive(Clone)]
struct Customers(Option<Arc<dyn CustomerLookup>>);

impl fmt::Debug for Customers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Customers")
            .field(&self.0.as_ref().map(|_| "dyn CustomerLookup"))
            .finish()
    }
}

/// Routes `GET /customers/{key}`, guarded by the bearer `token`, ready to `.merge()`.
///
/// Without a token every request is answered 503 (see [`require_bearer`]); with a token but
/// without a `lookup`, authenticated requests are answered 503 as well.
pub fn customer_routes(lookup: Option<Arc<dyn CustomerLookup>>, token: Option<Secret>) -> Router {
    let routes = Router::new()
        .route(CUSTOMER_ROUTE, get(get_customer))
        .with_state(Customers(lookup));
    require_bearer(routes, token)
}

async fn get_customer(
    State(Customers(lookup)): State<Customers>,
    key: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let Path(key) = key.map_err(|_rejection| {
        // The rejection's message quotes the raw key, so it is not logged.
        tracing::debug!("undecodable customer key");
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "customer key is not valid percent-encoded UTF-8",
        )
    })?;
    let lookup = lookup.ok_or_else(|| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "customer state store not available",
        )
    })?;
    let masked = mask_key(&key);

    let outcome = tokio::task::spawn_blocking(move || lookup.lookup(&key)).await;
    match outcome {
        Ok(Ok(Some(state))) => {
            tracing::debug!(customer = %masked, "customer state served");
            let mut response = Json(state).into_response();
            // Personal data: no proxy or browser cache should keep it.
            response
                .headers_mut()
                .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
            Ok(response)
        }
        Ok(Ok(None)) => {
            tracing::debug!(customer = %masked, "customer not found");
            Err(ApiError::new(StatusCode::NOT_FOUND, "unknown customer"))
        }
        Ok(Err(err @ LookupError::Internal(_))) => {
            tracing::error!(customer = %masked, error = %err, "customer lookup failed");
            Err(err.into())
        }
        Ok(Err(err)) => {
            tracing::debug!(customer = %masked, error = %err, "customer lookup refused");
            Err(err.into())
        }
        Err(join) => {
            // A panic in the store must not take the server down, and must still be seen.
            // Its message is not logged: it may quote the unmasked key.
            tracing::error!(customer = %masked, panicked = join.is_panic(), "customer lookup did not complete");
            Err(ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                INTERNAL_MESSAGE,
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closures_are_lookups() {
        let lookup = |key: &str| Ok(Some(serde_json::json!({ "key": key })));
        let found = CustomerLookup::lookup(&lookup, "k").unwrap();
        assert_eq!(found, Some(serde_json::json!({ "key": "k" })));
    }
}
