//! One delivery worker for every outside system scrm delivers to: the WhatsApp sender,
//! the media fetcher, each CRM sink.
//!
//! A [`Worker`] follows every partition of one topic ([`follow`], on a thread of its own:
//! log reads block) from the offsets in its [`Ledger`], groups records into batches and
//! hands them to a [`Destination`], which adds only its own mapping and answers per record:
//! done (with events to append to the log), retry at a time, or dead. The worker then
//! writes the answers, the offsets, the events owed to the log and the retry schedule in
//! one synced ledger write ([`ledger`]), appends the owed events, and forgets them. Waiting
//! work comes back from the schedule when it is due.
//!
//! Around that the worker owns what every destination needs: the [`RetryPolicy`]
//! ([`retry`]: 408/429/5xx and transport failures with jittered backoff, `Retry-After`,
//! giving up to the dead-letter topic), a per-destination [`RateLimit`] ([`rate`],
//! governor), the `scrm_sink_*` [`Metrics`] ([`metrics`]), one injectable clock
//! (`scrm_time::SharedClock`, so tests move time by hand) and a `CancellationToken` that
//! also ends a wait for a backoff or a rate limit at once. [`config`] holds its settings.
//!
//! Delivery is at least once toward the destination, idempotent by id: a record whose
//! batch was not written before a crash is delivered again after it; a record whose batch
//! was written is not (see docs/delivery.md).

pub mod config;
pub mod destination;
mod follow;
pub mod ledger;
pub mod metrics;
pub mod rate;
pub mod retry;
mod worker;

pub use config::{WorkerOptions, WorkerParts, DEFAULT_DONE_HORIZON_MS};
pub use destination::{Cx, Delivery, Destination, Outcome, Route};
pub use ledger::{Ledger, LedgerError};
pub use metrics::Metrics;
pub use rate::RateLimit;
pub use retry::{retriable_status, retry_after_ms, Failure, RetryPolicy};
pub use worker::{SinkError, Worker};
