//! Liveness and readiness.
//!
//! [`Health`] is a cheap, cloneable handle on a table of named components, each with its own
//! readiness and a human-readable detail. The process is ready when every component is.
//! The process-wide switch ([`Health::set_ready`], [`Health::set_not_ready`]) is itself the
//! component named [`PROCESS_COMPONENT`], so a shutdown can flip readiness off without
//! touching the others.
//!
//! `/healthz` answers 200 while the server runs (liveness: "don't restart me"); `/readyz`
//! answers 200 or 503 with a JSON body listing every component (readiness: "send me
//! traffic").

use std::collections::BTreeMap;
use std::sync::{Arc, PoisonError, RwLock};

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

/// Name of the component behind [`Health::set_ready`] / [`Health::set_not_ready`].
pub const PROCESS_COMPONENT: &str = "process";

/// Detail given to a component that has been registered but has not reported yet.
const STARTING: &str = "starting";

/// Shared readiness state of the process. Clones share the same table.
#[derive(Clone, Debug)]
pub struct Health {
    inner: Arc<RwLock<Table>>,
}

#[derive(Debug, Default)]
struct Table {
    components: BTreeMap<String, ComponentStatus>,
}

/// The readiness of one component, as reported in the `/readyz` body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ComponentStatus {
    /// Whether the component can do its work.
    pub ready: bool,
    /// Why it is (not) ready, e.g. `"restoring state: 40%"`. May be empty.
    pub detail: String,
}

/// A snapshot of every component's readiness: the body of `/readyz`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Readiness {
    /// True when every component is ready.
    pub ready: bool,
    /// Names of the components that are not ready, sorted.
    pub not_ready: Vec<String>,
    /// Every component by name.
    pub components: BTreeMap<String, ComponentStatus>,
}

impl Health {
    /// A table holding only the process component, ready. Components registered later with
    /// [`Health::component`] start not ready, so readiness waits for them.
    pub fn new() -> Self {
        let health = Self {
            inner: Arc::default(),
        };
        health.update(PROCESS_COMPONENT, true, String::new());
        health
    }

    /// Sets the process-wide switch. `set_ready(false)` reports the detail `"not ready"`;
    /// use [`Health::set_not_ready`] to give a reason.
    pub fn set_ready(&self, ready: bool) {
        let detail = if ready { "" } else { "not ready" };
        self.update(PROCESS_COMPONENT, ready, detail.to_owned());
    }

    /// Turns the process-wide switch off, e.g. `"shutting down"`.
    pub fn set_not_ready(&self, reason: impl Into<String>) {
        self.update(PROCESS_COMPONENT, false, reason.into());
    }

    /// True when every component is ready.
    pub fn is_ready(&self) -> bool {
        self.read(|table| table.components.values().all(|c| c.ready))
    }

    /// Registers a component (not ready, detail `"starting"`) and returns the handle through
    /// which it reports. Asking again for a registered name returns a handle on the same
    /// entry and leaves its state unchanged.
    pub fn component(&self, name: impl Into<String>) -> ComponentHandle {
        let name: Arc<str> = Arc::from(name.into());
        self.write(|table| {
            table
                .components
                .entry(name.to_string())
                .or_insert_with(|| ComponentStatus {
                    ready: false,
                    detail: STARTING.to_owned(),
                });
        });
        ComponentHandle {
            health: self.clone(),
            name,
        }
    }

    /// A consistent snapshot of every component.
    pub fn readiness(&self) -> Readiness {
        self.read(|table| Readiness {
            ready: table.components.values().all(|c| c.ready),
            not_ready: table
                .components
                .iter()
                .filter(|(_, c)| !c.ready)
                .map(|(name, _)| name.clone())
                .collect(),
            components: table.components.clone(),
        })
    }

    fn update(&self, name: &str, ready: bool, detail: String) {
        let status = ComponentStatus { ready, detail };
        let previous = self.write(|table| table.components.insert(name.to_owned(), status.clone()));
        // Log flips only: a component re-reporting progress ("restoring: 41%") is not news.
        if previous.map(|p| p.ready) != Some(ready) {
            if ready {
                tracing::info!(component = name, detail = %status.detail, "component ready");
            } else {
                tracing::warn!(component = name, detail = %status.detail, "component not ready");
            }
        }
    }

    // A panic while holding the lock cannot leave the table half-updated (every write is a
    // single insert or replace), so a poisoned lock is safe to keep using.
    fn read<T>(&self, f: impl FnOnce(&Table) -> T) -> T {
        f(&self.inner.read().unwrap_or_else(PoisonError::into_inner))
    }

    fn write<T>(&self, f: impl FnOnce(&mut Table) -> T) -> T {
        f(&mut self.inner.write().unwrap_or_else(PoisonError::into_inner))
    }
}

impl Default for Health {
    fn default() -> Self {
        Self::new()
    }
}

/// Reports the readiness of one registered component. Cheap to clone.
#[derive(Clone, Debug)]
pub struct ComponentHandle {
    health: Health,
    name: Arc<str>,
}

impl ComponentHandle {
    /// Updates this component, e.g. `set_ready(false, "kafka unreachable")`.
    pub fn set_ready(&self, ready: bool, detail: impl Into<String>) {
        self.health.update(&self.name, ready, detail.into());
    }

    /// Whether this component is ready.
    pub fn is_ready(&self) -> bool {
        self.health
            .read(|table| table.components.get(&*self.name).is_some_and(|c| c.ready))
    }

    /// The component's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// Routes `/healthz` and `/readyz`, ready to `.merge()` into a larger router.
pub fn health_routes(health: Health) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .with_state(health)
}

async fn healthz() -> &'static str {
    "ok"
}

async fn readyz(State(health): State<Health>) -> impl IntoResponse {
    let readiness = health.readiness();
    let status = if readiness.ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(readiness))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ready_only_when_every_component_is() {
        let health = Health::new();
        assert!(health.is_ready(), "no components: nothing to wait for");

        let processor = health.component("processor");
        let gateway = health.component("gateway");
        assert!(!health.is_ready());
        assert_eq!(health.readiness().not_ready, ["gateway", "processor"]);
        assert_eq!(health.readiness().components["gateway"].detail, "starting");

        processor.set_ready(true, "caught up");
        assert!(processor.is_ready());
        assert!(!health.is_ready());
        gateway.set_ready(true, "");
        assert!(health.is_ready());

        health.set_not_ready("shutting down");
        let readiness = health.readiness();
        assert!(!readiness.ready);
        assert_eq!(readiness.not_ready, [PROCESS_COMPONENT]);
        assert_eq!(
            readiness.components[PROCESS_COMPONENT].detail,
            "shutting down"
        );
        health.set_ready(true);
        assert!(health.is_ready());
    }

    #[test]
    fn registering_twice_keeps_state() {
        let health = Health::new();
        health.component("store").set_ready(true, "open");
        let again = health.component("store");
        assert!(again.is_ready());
        assert_eq!(again.name(), "store");
        assert_eq!(health.readiness().components["store"].detail, "open");
    }

    #[test]
    fn clones_share_state() {
        let health = Health::new();
        let clone = health.clone();
        let component = clone.component("sink");
        assert!(!health.is_ready());
        component.set_ready(true, "");
        assert!(health.is_ready());
    }
}
