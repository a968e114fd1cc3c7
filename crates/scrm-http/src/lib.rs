//! The operator/API HTTP server of scrm, on axum and tokio.
//!
//! It serves what operators and other services ask of a running scrm process: liveness
//! (`/healthz`), readiness (`/readyz`, fed by the [`Health`] table each component reports
//! into), Prometheus metrics (`/metrics`, the shared [`prometheus_client`] registry that other
//! crates register into) and the customer-state query API (`/customers/{key}`, answered by a
//! [`CustomerLookup`] behind a bearer token). The crate holds no domain logic: it turns those
//! sources into HTTP.
//!
//! The listen address and the token ([`Secret`], from `scrm-config`) come from its `[api]`
//! section, [`ApiConfig`]. Modules, one concern each: `health` (readiness table and its
//! routes), `metrics` (exposition), `customers` (lookup trait, handler, key masking), `auth` (bearer check), `error` (the JSON error
//! shape and [`LookupError`] → status), and `server` ([`ApiState`], [`router`], [`bind`],
//! [`serve`]). Each route group is also exposed on its own ([`health_routes`],
//! [`metrics_routes`], [`customer_routes`]) and every router comes back with its state
//! applied, so the binary can `.merge()` in routes of other crates, such as the WhatsApp
//! webhook gateway, and serve them on the same port.
//!
//! ```no_run
//! use std::sync::Arc;
//!
//! use prometheus_client::registry::Registry;
//! use scrm_http::{bind, serve, ApiState, Health, Secret};
//! use tokio_util::sync::CancellationToken;
//!
//! # async fn run(listen: std::net::SocketAddr, token: Option<Secret>) -> std::io::Result<()> {
//! let health = Health::new();
//! let processor = health.component("processor");
//! let registry = Registry::default(); // other crates register their families here
//! let app = ApiState::new(health.clone(), Arc::new(registry))
//!     .with_token(token)
//!     .router();
//! let shutdown = CancellationToken::new();
//! let server = tokio::spawn(serve(bind(listen).await?, app, shutdown.clone()));
//! processor.set_ready(true, "caught up");
//! // ... on SIGTERM:
//! health.set_not_ready("shutting down");
//! shutdown.cancel();
//! server.await.expect("server task panicked")?;
//! # Ok(())
//! # }
//! ```

#![forbid(unsafe_code)]
#![warn(unreachable_pub, missing_debug_implementations)]

mod auth;
pub mod config;
mod customers;
mod error;
mod health;
mod metrics;
mod server;

pub use auth::require_bearer;
pub use config::ApiConfig;
pub use customers::{customer_routes, CustomerLookup, CUSTOMER_ROUTE};
pub use error::{ApiError, LookupError};
pub use health::{
    health_routes, ComponentHandle, ComponentStatus, Health, Readiness, PROCESS_COMPONENT,
};
pub use metrics::{metrics_routes, OPENMETRICS_CONTENT_TYPE};
pub use scrm_config::Secret;
pub use server::{bind, router, serve, ApiState, DRAIN_GRACE, REQUEST_TIMEOUT};
