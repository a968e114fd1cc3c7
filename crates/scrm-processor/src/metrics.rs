//! The processor's metrics, registered in the process's Prometheus registry. Names are
//! constants here so dashboards and docs/operations.md agree with the code.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

pub const EVENTS: &str = "scrm_processor_events";
pub const EVENTS_PER_SECOND: &str = "scrm_processor_events_per_second";
pub const LAG: &str = "scrm_processor_lag_records";
pub const STREAM_TIME: &str = "scrm_processor_stream_time_ms";
pub const TIMERS_FIRED: &str = "scrm_processor_timers_fired";
pub const SCHEDULES_RUN: &str = "scrm_processor_schedules_run";
pub const GATE: &str = "scrm_processor_gate_verdicts";
pub const PACK_RELOADS: &str = "scrm_processor_rule_pack_reloads";
pub const OUTPUTS: &str = "scrm_processor_outputs";
pub const DEAD_LETTERS: &str = "scrm_processor_dead_letters";
pub const COMMITS: &str = "scrm_processor_commits";
pub const PARTITIONS_OWNED: &str = "scrm_processor_partitions_owned";
pub const RESTORE_RECORDS: &str = "scrm_processor_restore_records";
pub const RESTORE_REMAINING: &str = "scrm_processor_restore_remaining_records";
pub const REPEATS_DROPPED: &str = "scrm_processor_repeated_events_dropped";
pub const REPARTITIONED: &str = "scrm_processor_repartitioned";

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct TopicPartition {
    pub topic: String,
    pub partition: u32,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct TopicLabel {
    pub topic: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct PartitionLabel {
    pub partition: u32,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct KindLabel {
    pub kind: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct GateLabel {
    pub decision: String,
    pub reason: String,
}

#[derive(Debug, Default, Clone)]
pub struct Metrics {
    pub events: Family<TopicPartition, Counter>,
    pub events_per_second: Gauge,
    pub lag: Family<TopicPartition, Gauge>,
    pub stream_time: Family<PartitionLabel, Gauge>,
    pub timers_fired: Counter,
    pub schedules_run: Counter,
    pub gate: Family<GateLabel, Counter>,
    pub pack_reloads: Counter,
    pub outputs: Family<KindLabel, Counter>,
    pub dead_letters: Family<KindLabel, Counter>,
    pub commits: Counter,
    pub partitions_owned: Gauge,
    pub restore_records: Counter,
    pub restore_remaining: Family<PartitionLabel, Gauge>,
    pub repeats_dropped: Counter,
    pub repartitioned: Family<TopicLabel, Counter>,
    /// All records applied, for the events/s gauge.
    applied: Arc<AtomicU64>,
}

impl Metrics {
    pub(crate) fn count_applied(&self) {
        self.applied.fetch_add(1, Ordering::Relaxed);
    }

    pub fn events_total(&self) -> u64 {
        self.applied.load(Ordering::Relaxed)
    }

    pub fn register(&self, registry: &mut Registry) {
        registry.register(EVENTS, "Input records applied", self.events.clone());
        registry.register(
            EVENTS_PER_SECOND,
            "Input records applied per second, over the last few seconds",
            self.events_per_second.clone(),
        );
        registry.register(LAG, "Input records not yet applied", self.lag.clone());
        registry.register(
            STREAM_TIME,
            "Stream time of the partition (largest event time applied)",
            self.stream_time.clone(),
        );
        registry.register(TIMERS_FIRED, "Timers fired", self.timers_fired.clone());
        registry.register(
            SCHEDULES_RUN,
            "Runs of scheduled rules",
            self.schedules_run.clone(),
        );
        registry.register(
            GATE,
            "Policy-gate verdicts on automations, by decision and reason",
            self.gate.clone(),
        );
        registry.register(
            PACK_RELOADS,
            "Rule packs loaded in place of the running one",
            self.pack_reloads.clone(),
        );
        registry.register(OUTPUTS, "Outputs emitted by kind", self.outputs.clone());
        registry.register(
            DEAD_LETTERS,
            "Records sent to the dead-letter topic by error kind",
            self.dead_letters.clone(),
        );
        registry.register(COMMITS, "State commits", self.commits.clone());
        registry.register(
            PARTITIONS_OWNED,
            "Partitions this instance owns",
            self.partitions_owned.clone(),
        );
        registry.register(
            RESTORE_RECORDS,
            "Changelog records read to restore state",
            self.restore_records.clone(),
        );
        registry.register(
            RESTORE_REMAINING,
            "Changelog records still to read before the partition is ready",
            self.restore_remaining.clone(),
        );
        registry.register(
            REPEATS_DROPPED,
            "Input events dropped because their event id was already applied for the customer",
            self.repeats_dropped.clone(),
        );
        registry.register(
            REPARTITIONED,
            "Input records that arrived on a partition their key does not hash to, routed to the right one",
            self.repartitioned.clone(),
        );
    }
}
