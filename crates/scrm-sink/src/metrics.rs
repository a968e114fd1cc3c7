//! The delivery workers' Prometheus families, one set for every sink (labelled `sink`).
//! Names are constants so docs/delivery.md and dashboards agree with the code.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

/// Records by what became of them: done, retry, dead, skipped, duplicate.
pub const RECORDS: &str = "scrm_sink_records";
/// Calls of a destination (batches), by outcome: ok, cancelled.
pub const BATCHES: &str = "scrm_sink_batches";
/// Time a destination took for one batch.
pub const BATCH_SECONDS: &str = "scrm_sink_batch_seconds";
/// Records waiting in the schedule (retries, deferred work).
pub const WAITING: &str = "scrm_sink_waiting";

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct SinkOutcome {
    pub sink: String,
    pub outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct SinkLabel {
    pub sink: String,
}

fn seconds_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.001, 2.0, 16))
}

/// The families; clones share them.
#[derive(Debug, Clone)]
pub struct Metrics {
    pub records: Family<SinkOutcome, Counter>,
    pub batches: Family<SinkOutcome, Counter>,
    pub batch_seconds: Family<SinkLabel, Histogram, fn() -> Histogram>,
    pub waiting: Family<SinkLabel, Gauge>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            records: Family::default(),
            batches: Family::default(),
            batch_seconds: Family::new_with_constructor(seconds_histogram as fn() -> Histogram),
            waiting: Family::default(),
        }
    }
}

impl Metrics {
    /// Registers the families in `registry`.
    pub fn register(&self, registry: &mut Registry) {
        registry.register(
            RECORDS,
            "Records a delivery worker handled, by sink and outcome",
            self.records.clone(),
        );
        registry.register(
            BATCHES,
            "Calls of a destination, by sink and outcome",
            self.batches.clone(),
        );
        registry.register(
            BATCH_SECONDS,
            "Time a destination took for one batch",
            self.batch_seconds.clone(),
        );
        registry.register(
            WAITING,
            "Records waiting for a retry or their time, by sink",
            self.waiting.clone(),
        );
    }

    pub(crate) fn count(&self, sink: &str, outcome: &str, n: u64) {
        if n > 0 {
            self.records
                .get_or_create(&SinkOutcome {
                    sink: sink.to_owned(),
                    outcome: outcome.to_owned(),
                })
                .inc_by(n);
        }
    }

    pub(crate) fn batch(&self, sink: &str, outcome: &str, seconds: f64) {
        self.batches
            .get_or_create(&SinkOutcome {
                sink: sink.to_owned(),
                outcome: outcome.to_owned(),
            })
            .inc();
        self.batch_seconds
            .get_or_create(&SinkLabel {
                sink: sink.to_owned(),
            })
            .observe(seconds);
    }

    pub(crate) fn set_waiting(&self, sink: &str, n: usize) {
        self.waiting
            .get_or_create(&SinkLabel {
                sink: sink.to_owned(),
            })
            .set(i64::try_from(n).unwrap_or(i64::MAX));
    }
}
