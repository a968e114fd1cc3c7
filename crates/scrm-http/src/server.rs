//! Assembling the router and running the server.
//!
//! [`router`] merges the route groups of this crate ([`health_routes`], [`metrics_routes`],
//! [`customer_routes`]) into one [`Router`] with its state already applied, so other crates
//! can `.merge()` their own `Router`s into it. [`serve`] runs a router on a listener until a
//! [`CancellationToken`] is cancelled, then stops accepting, lets in-flight requests finish
//! for at most [`DRAIN_GRACE`] and returns, closing what is still open: a client that sent
//! half a request cannot hold a SIGTERM up. A request whose headers and body take longer
//! than [`REQUEST_TIMEOUT`] to arrive and be answered gets 408.

use std::fmt;
use std::future::IntoFuture;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use prometheus_client::registry::Registry;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::customers::{customer_routes, CustomerLookup};
use crate::health::{health_routes, Health};
use crate::metrics::metrics_routes;
use scrm_config::Secret;

/// Everything the built-in routes need.
///
/// ```no_run
/// # use std::sync::Arc;
/// # use prometheus_client::registry::Registry;
/// # use scrm_http::{ApiState, Health, Secret};
/// # let lookup: Arc<dyn scrm_http::CustomerLookup> = Arc::new(|_: &str| Ok(None));
/// let app = ApiState::new(Health::new(), Arc::new(Registry::default()))
///     .with_customers(lookup)
///     .with_token(Some(Secret::new("token")))
///     .router()
///     .merge(axum::Router::new() /* e.g. the webhook gateway's routes */);
/// ```
#[derive(Clone)]
pub struct ApiState {
    health: Health,
    registry: Arc<Registry>,
    customers: Option<Arc<dyn CustomerLookup>>,
    token: Option<Secret>,
}

impl ApiState {
    /// Health and metrics only; the customer API answers 503 until both a lookup and a
    /// token are given.
    pub fn new(health: Health, registry: Arc<Registry>) -> Self {
        Self {
            health,
            registry,
            customers: None,
            token: None,
        }
    }

    /// Serves `/customers/{key}` from `lookup`.
    pub fn with_customers(mut self, lookup: Arc<dyn CustomerLookup>) -> Self {
        self.customers = Some(lookup);
        self
    }

    /// Sets the bearer token of the customer API; `None` (or empty) keeps it disabled.
    pub fn with_token(mut self, token: Option<Secret>) -> Self {
        self.token = token;
        self
    }

    /// The readiness table served by `/readyz`.
    pub fn health(&self) -> &Health {
        &self.health
    }

    /// The registry served by `/metrics`.
    pub fn registry(&self) -> &Arc<Registry> {
        &self.registry
    }

    /// Shorthand for [`router`]`(self)`.
    pub fn router(self) -> Router {
        router(self)
    }
}

impl fmt::Debug for ApiState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiState")
            .field("health", &self.health)
            .field("registry", &"Registry")
            .field(
                "customers",
                &self.customers.as_ref().map(|_| "dyn CustomerLookup"),
            )
            .field("token", &self.token)
            .finish()
    }
}

/// All built-in routes: `/healthz`, `/readyz`, `/metrics` and `/customers/{key}`.
///
/// The result has its state applied (`Router<()>`), so callers can `.merge()` more routes or
/// `.layer()` middleware before passing it to [`serve`].
pub fn router(state: ApiState) -> Router {
    Router::new()
        .merge(health_routes(state.health))
        .merge(metrics_routes(state.registry))
        .merge(customer_routes(state.customers, state.token))
}

/// Binds a TCP listener on `addr` (port 0 picks a free port; see
/// [`TcpListener::local_addr`]).
pub async fn bind(addr: SocketAddr) -> io::Result<TcpListener> {
    let listener = TcpListener::bind(addr).await?;
    tracing::info!(addr = %listener.local_addr()?, "http server listening");
    Ok(listener)
}

/// How long in-flight requests may take to finish once shutdown is asked for. Well under
/// the 10 s an orchestrator usually waits between SIGTERM and SIGKILL.
pub const DRAIN_GRACE: Duration = Duration::from_secs(3);

/// The longest a request may take, from its headers to the answer (a client trickling a
/// body gets 408). The webhook answers once its events are durable, well within it.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Serves `router` on `listener` until `shutdown` is cancelled.
///
/// On cancellation the server stops accepting connections, closes idle keep-alive
/// connections and waits up to [`DRAIN_GRACE`] for in-flight requests to complete; then
/// it returns and the connections still open are dropped (they are closed when their
/// tasks end with the runtime). Each request is bounded by [`REQUEST_TIMEOUT`].
/// Errors accepting a single connection are logged and retried by axum; the returned error
/// is for failures of the listener itself.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: CancellationToken,
) -> io::Result<()> {
    let addr = listener.local_addr()?;
    let router = router.layer(axum::middleware::from_fn(request_timeout));
    let server = axum::serve(listener, router)
        .with_graceful_shutdown(shutdown.clone().cancelled_owned())
        .into_future();
    let grace = async {
        shutdown.cancelled().await;
        tokio::time::sleep(DRAIN_GRACE).await;
    };
    tokio::select! {
        served = server => served?,
        () = grace => {
            tracing::warn!(%addr, grace_s = DRAIN_GRACE.as_secs(), "http requests still open after the drain grace; closing them");
        }
    }
    tracing::info!(%addr, "http server stopped");
    Ok(())
}

/// Answers 408 when a request (reading its body included) outlasts [`REQUEST_TIMEOUT`].
async fn request_timeout(request: Request, next: Next) -> Response {
    match tokio::time::timeout(REQUEST_TIMEOUT, next.run(request)).await {
        Ok(response) => response,
        Err(_) => (
            StatusCode::REQUEST_TIMEOUT,
            axum::Json(serde_json::json!({ "error": "the request took too long to arrive" })),
        )
            .into_response(),
    }
}
