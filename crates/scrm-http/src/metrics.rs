//! `/metrics`: the Prometheus/OpenMetrics text exposition of a shared registry.
//!
//! This crate defines no metrics of its own. The binary creates one
//! [`prometheus_client::registry::Registry`], lets every component register its families
//! into it (before wrapping it in an `Arc`, since registration needs `&mut`), and hands it
//! here. Metric values are atomics updated by their owners; encoding only reads them.

use std::sync::Arc;

use axum::extract::State;
use axum::http::header::{HeaderValue, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use prometheus_client::encoding::text::encode;
use prometheus_client::registry::Registry;

use crate::error::{ApiError, INTERNAL_MESSAGE};

/// Content type of the OpenMetrics text format that `/metrics` serves.
pub const OPENMETRICS_CONTENT_TYPE: &str =
    "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Routes `GET /metrics` over `registry`, ready to `.merge()` into a larger router.
pub fn metrics_routes(registry: Arc<Registry>) -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .with_state(registry)
}

async fn metrics(State(registry): State<Arc<Registry>>) -> Response {
    let mut body = String::new();
    if let Err(err) = encode(&mut body, &registry) {
        // Only a custom collector or label encoder can fail here; scrapes retry on their own.
        tracing::error!(error = %err, "encoding metrics failed");
        return ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, INTERNAL_MESSAGE).into_response();
    }
    (
        [(
            CONTENT_TYPE,
            HeaderValue::from_static(OPENMETRICS_CONTENT_TYPE),
        )],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use prometheus_client::metrics::counter::Counter;

    use super::*;

    #[tokio::test]
    async fn encodes_registered_families() {
        let mut registry = Registry::default();
        let counter: Counter = Counter::default();
        registry.register("scrm_test_events", "Events seen", counter.clone());
        counter.inc_by(3);

        let response = metrics(State(Arc::new(registry))).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()[CONTENT_TYPE], OPENMETRICS_CONTENT_TYPE);
    }
}
