//! A worker's settings, and what it is made of.

use std::num::NonZeroU32;
use std::path::PathBuf;
use std::sync::Arc;

use scrm_ingest::Ingest;
use scrm_log::EventLog;
use scrm_time::SharedClock;
use serde::Deserialize;

use crate::metrics::Metrics;
use crate::retry::RetryPolicy;

/// Seven days, the default horizon of finished ids.
pub const DEFAULT_DONE_HORIZON_MS: i64 = 7 * 86_400_000;

/// How a worker delivers.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WorkerOptions {
    /// Most records handed to the destination in one call (CRMs take 100–200 a call).
    pub max_batch: usize,
    /// How long one read of an idle topic waits for new records, in milliseconds; it
    /// bounds how long a stopping worker waits for its reading thread.
    pub poll_wait_ms: u64,
    /// How long a finished id is remembered, in milliseconds (default 7 days). A record
    /// with the same id read again within it is not delivered again.
    pub done_horizon_ms: i64,
    /// When failed deliveries are retried and when they are given up.
    pub retry: RetryPolicy,
    /// Calls per second to the destination; unset: as fast as it answers.
    pub calls_per_second: Option<NonZeroU32>,
}

impl Default for WorkerOptions {
    fn default() -> Self {
        WorkerOptions {
            max_batch: 100,
            poll_wait_ms: 200,
            done_horizon_ms: DEFAULT_DONE_HORIZON_MS,
            retry: RetryPolicy::default(),
            calls_per_second: None,
        }
    }
}

/// Everything a [`crate::Worker`] is made of.
pub struct WorkerParts<D> {
    pub destination: D,
    pub log: Arc<dyn EventLog>,
    /// The worker's own ledger directory (one per worker).
    pub ledger_dir: PathBuf,
    /// The topic it follows, and its partition count.
    pub topic: String,
    pub partitions: u32,
    /// An [`Ingest`] of the dead-letter topic.
    pub dlq: Ingest,
    pub clock: SharedClock,
    pub metrics: Metrics,
    pub options: WorkerOptions,
}

impl<D> std::fmt::Debug for WorkerParts<D> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WorkerParts")
            .field("topic", &self.topic)
            .field("ledger_dir", &self.ledger_dir)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}
