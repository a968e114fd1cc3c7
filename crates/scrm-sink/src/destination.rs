//! What a destination adds to the worker: how to read a record ([`Destination::route`])
//! and how to deliver a batch ([`Destination::deliver`]), answering per record.
//!
//! A destination never touches the ledger, the log or the dead-letter topic: it returns
//! [`Outcome`]s and the worker records them, with the offsets, in one synced write. Its
//! waits (a rate limit of its own, a backoff inside a call) go through [`Cx`], so they read
//! the worker's clock and end at once on shutdown.

use std::future::Future;
use std::time::Duration;

use scrm_log::{Record, StoredRecord};
use scrm_time::{SharedClock, Wait};
use tokio_util::sync::CancellationToken;

use crate::retry::RetryPolicy;

/// What a record is to a destination.
#[derive(Debug, Clone, PartialEq)]
pub enum Route<T> {
    /// Deliver it. `id` is what the destination is idempotent by (the trigger id, the
    /// media id, the CRM command id): a delivered id is not delivered again within the
    /// ledger's horizon.
    Deliver { id: String, item: T },
    /// Not for this destination (the media fetcher skips messages without media).
    /// `reason` is the metric label.
    Skip { reason: &'static str },
    /// Unreadable: to the dead-letter topic with the original bytes. `kind` is the
    /// dead-letter schema's `ErrorKind` (`DECODE`, `VALIDATION`).
    Dead { kind: &'static str, reason: String },
}

/// One record of a batch.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery<T> {
    pub id: String,
    pub item: T,
    /// Attempts made before this one (0 the first time).
    pub attempt: u32,
    /// The record's event time (the log's timestamp).
    pub timestamp_ms: i64,
}

/// What became of one record.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Finished: `events` are appended to the log, `note` is kept with the done id.
    Done {
        events: Vec<(String, Record)>,
        note: String,
    },
    /// Try again at `at_ms` (on the worker's clock); `events` are appended now (a
    /// "not sent, retrying" record). The worker gives up after the policy's attempts.
    RetryAt {
        at_ms: i64,
        reason: String,
        events: Vec<(String, Record)>,
    },
    /// Refused for good: the record goes to the dead-letter topic with `reason`.
    Dead { reason: String },
}

impl Outcome {
    /// Done without events.
    pub fn done(note: impl Into<String>) -> Self {
        Outcome::Done {
            events: Vec::new(),
            note: note.into(),
        }
    }

    /// Retry at `at_ms` without events.
    pub fn retry_at(at_ms: i64, reason: impl Into<String>) -> Self {
        Outcome::RetryAt {
            at_ms,
            reason: reason.into(),
            events: Vec::new(),
        }
    }

    pub fn dead(reason: impl Into<String>) -> Self {
        Outcome::Dead {
            reason: reason.into(),
        }
    }

    /// The metric label.
    pub fn label(&self) -> &'static str {
        match self {
            Outcome::Done { .. } => "done",
            Outcome::RetryAt { .. } => "retry",
            Outcome::Dead { .. } => "dead",
        }
    }
}

/// What the worker lends a destination during one delivery.
#[derive(Debug, Clone, Copy)]
pub struct Cx<'a> {
    pub clock: &'a SharedClock,
    pub cancel: &'a CancellationToken,
    pub retry: &'a RetryPolicy,
}

impl Cx<'_> {
    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// True once the worker is stopping: answer what is left with a retry (`at_ms` now)
    /// rather than starting new calls.
    pub fn is_cancelled(&self) -> bool {
        self.cancel.is_cancelled()
    }

    /// Waits `delay` on the worker's clock, or until shutdown.
    pub async fn wait(&self, delay: Duration) -> Wait {
        self.clock.wait(delay, self.cancel).await
    }
}

/// An outside system the worker delivers to.
pub trait Destination: Send + Sync + 'static {
    /// What `route` makes of a record, handed to `deliver`.
    type Item: Send + 'static;

    /// The `sink` label of the metrics and the dead-letter source (`whatsapp`, `media`,
    /// `hubspot`).
    fn name(&self) -> &str;

    /// Decodes a record and says whether and as what it is delivered. Called again when
    /// a waiting record comes due, so it must be deterministic.
    fn route(&self, record: &StoredRecord) -> Route<Self::Item>;

    /// Delivers a batch (at most the worker's `max_batch`), answering one outcome per
    /// record, in order. A missing answer is taken as a retry.
    fn deliver(
        &mut self,
        batch: Vec<Delivery<Self::Item>>,
        cx: Cx<'_>,
    ) -> impl Future<Output = Vec<Outcome>> + Send;
}
