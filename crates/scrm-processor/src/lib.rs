//! The stateful processor: input events in, per-customer state in RocksDB, outputs out,
//! effectively once.
//!
//! - [`engine`]: one partition's state machine — decode, fold, rules, timers on stream
//!   time — and its atomic commit of state, input offsets and outbox.
//! - [`merge`]: the event-time merge of a partition's inputs as a pure decision (which
//!   record goes next), reusable by a replay tool.
//! - [`task`] runs an engine on its own thread: reads the inputs in the merge's order,
//!   batches, appends the outbox, keeps idle time in live mode.
//! - `tables`: typed views of a partition's rows in the state store; a row that does not
//!   decode is reported as corrupt state, never taken for the end of a table.
//! - [`changelog`] restores a partition from the compacted changelog topic.
//! - [`runtime`] owns the tasks of the partitions this instance holds (all of them on the
//!   embedded log, a share of them in a Kafka consumer group) and stops them cleanly.
//! - [`outputs`] builds output records with ids derived from their cause.
//! - [`query`] answers "what do we know about this customer".
//! - [`metrics`] and [`clock`] are what operators and tests see of it.
//!
//! docs/processing.md explains the guarantee and what each piece contributes to it.

pub mod changelog;
pub mod clock;
pub mod config;
pub mod engine;
mod error;
pub mod merge;
pub mod metrics;
pub mod outputs;
pub mod query;
pub mod runtime;
mod tables;
mod task;

pub use clock::{Clock, ManualClock, SharedClock, SystemClock};
pub use config::{ProcessorConfig, RunMode};
pub use engine::PartitionEngine;
pub use error::{ProcessError, Rejection};
pub use metrics::Metrics;
pub use outputs::{OutputEncoder, Topics};
pub use query::StateLookup;
pub use runtime::{Processor, ProcessorHandle, ProcessorOptions, TimeMode};
