//! One partition's state machine: applies input records in the order it is given them,
//! fires timers on stream time, and commits state, offsets and outputs in one batch.
//!
//! No I/O but the state store: the task around it reads the inputs, chooses the order
//! ([`crate::merge`]) and appends what [`PartitionEngine::commit`] hands back. Tested with
//! the in-memory store.
//!
//! Within a batch the engine keeps the customers it touched in memory and an overlay of
//! timer-index changes; nothing reaches the store until `commit`, which writes in one
//! atomic batch: customer states, timer index, partition progress (next offsets, stream
//! time) and the outbox — outputs, dead letters and the changelog records of the batch.
//! Outputs are appended only after that batch is durable, so whatever reaches a topic
//! belongs to committed state; a crash before the appends re-sends them from the outbox
//! on restart, with the same ids.
//!
//! The concerns live in files of their own:
//! - `apply`: one input record — decode, checks, fold, rules;
//! - `effects`: what rules ask for, and the policy gate in front of every automation;
//! - `crm`: the CRM commands that follow from state (contact fields, deals, cases, notes);
//! - `timers`: the timer index and firing timers on stream time;
//! - `schedules`: scheduled rules over the partition's customers, agents or business;
//! - `commit`: the atomic batch and the outbox.

mod apply;
mod commit;
mod crm;
mod effects;
mod schedules;
mod timers;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use scrm_events::InputTopic;
use scrm_rules::RulePack;
use scrm_schema::{KnownSchema, TopicKind};
use scrm_state::keys::TimerKey;
use scrm_state::{CustomerState, OutboxEntry, PartitionMeta, StateStore};
use scrm_time::{SharedClock, SystemClock, TimeBounds};

use crate::error::ProcessError;
use crate::outputs::OutputEncoder;
use crate::tables::Tables;

pub use apply::REPARTITIONED_FROM;
pub(crate) use commit::load_outbox;
pub use commit::progress_record;

/// Key of the changelog record carrying a partition's progress. Customer keys never start
/// with a NUL byte.
pub const CHANGELOG_META_KEY: &[u8] = b"\0partition";

/// What a batch did, for metrics.
#[derive(Debug, Default, Clone)]
pub struct BatchStats {
    pub records: u64,
    pub timers_fired: u64,
    pub schedules_run: u64,
    /// Policy-gate verdicts by decision and reason ("" when none).
    pub gate: BTreeMap<(&'static str, String), u64>,
    pub outputs: BTreeMap<&'static str, u64>,
    pub dead_letters: BTreeMap<&'static str, u64>,
    /// Events dropped because the customer's state had already applied their event id.
    pub repeats_dropped: u64,
    /// Records routed to the partition their key hashes to, by input topic.
    pub repartitioned: BTreeMap<Arc<str>, u64>,
}

/// What the engine is given besides its state and rules.
#[derive(Debug, Clone)]
pub struct EngineOptions {
    /// The wall clock event times are checked against.
    pub clock: SharedClock,
    /// The event times believed, relative to `clock`; others go to the dead-letter topic.
    pub time_bounds: TimeBounds,
}

impl Default for EngineOptions {
    fn default() -> Self {
        Self {
            clock: SystemClock::shared(),
            time_bounds: TimeBounds::default(),
        }
    }
}

/// Outbox entries of a commit, to append in order.
#[derive(Debug)]
pub struct Committed {
    pub entries: Vec<(u64, OutboxEntry)>,
    pub stats: BatchStats,
}

/// What the engine knows of one input topic, built once at open.
struct InputInfo {
    reader: &'static KnownSchema,
    name: Arc<str>,
}

pub struct PartitionEngine {
    partition: u32,
    /// Partitions of the topics, for this partition's share of the daily limit.
    partitions: u32,
    tables: Tables,
    pack: Arc<RulePack>,
    out: Arc<OutputEncoder>,
    inputs: HashMap<InputTopic, InputInfo>,
    changelog_topic: String,
    meta: PartitionMeta,
    /// Customers touched in this batch; `None` when deleted.
    dirty: HashMap<String, Option<CustomerState>>,
    timers_added: BTreeSet<TimerKey>,
    timers_removed: BTreeSet<TimerKey>,
    pending: Vec<OutboxEntry>,
    /// No timer is due before this (a lower bound); `None` when unknown.
    next_due: Option<i64>,
    stats: BatchStats,
    uncommitted: bool,
    options: EngineOptions,
    /// Wall-clock time of the last warning about a record on the wrong partition.
    misrouted_warned_ms: Option<i64>,
}

impl std::fmt::Debug for PartitionEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PartitionEngine")
            .field("partition", &self.partition)
            .field("meta", &self.meta)
            .finish()
    }
}

impl PartitionEngine {
    /// The engine of `partition`, continuing from the state in `store`; event times are
    /// checked against the system clock with the default bounds.
    pub fn open(
        partition: u32,
        partitions: u32,
        store: Arc<dyn StateStore>,
        pack: Arc<RulePack>,
        out: Arc<OutputEncoder>,
    ) -> Result<Self, ProcessError> {
        Self::open_with(
            partition,
            partitions,
            store,
            pack,
            out,
            EngineOptions::default(),
        )
    }

    /// [`PartitionEngine::open`] with a clock and bounds of its own.
    pub fn open_with(
        partition: u32,
        partitions: u32,
        store: Arc<dyn StateStore>,
        pack: Arc<RulePack>,
        out: Arc<OutputEncoder>,
        options: EngineOptions,
    ) -> Result<Self, ProcessError> {
        let tables = Tables::new(store, partition);
        let meta = tables.meta()?.unwrap_or_default();
        let catalog = scrm_schema::Catalog::embedded();
        let inputs = InputTopic::all()
            .into_iter()
            .map(|topic| {
                let info = InputInfo {
                    reader: catalog
                        .current(topic.full_name())
                        .expect("input schemas are embedded"),
                    name: out.topics().name(topic_kind(topic)).into(),
                };
                (topic, info)
            })
            .collect();
        Ok(Self {
            partition,
            partitions,
            changelog_topic: out.topics().name(TopicKind::StateChangelog),
            tables,
            pack,
            out,
            inputs,
            meta,
            dirty: HashMap::new(),
            timers_added: BTreeSet::new(),
            timers_removed: BTreeSet::new(),
            pending: Vec::new(),
            next_due: None,
            stats: BatchStats::default(),
            uncommitted: false,
            options,
            misrouted_warned_ms: None,
        })
    }

    pub fn partition(&self) -> u32 {
        self.partition
    }

    /// Runs the rules of `pack` from now on (a reload). State is kept; timers of rules no
    /// longer in the pack are dropped when due, schedules of removed rules are forgotten
    /// and those of new rules start at the next stream-time advance.
    pub fn set_pack(&mut self, pack: Arc<RulePack>) {
        let before = self.meta.schedules.len();
        self.meta
            .schedules
            .retain(|id, _| pack.scheduled().any(|r| r.id == *id));
        self.uncommitted |= before != self.meta.schedules.len();
        self.pack = pack;
    }

    pub fn pack(&self) -> &Arc<RulePack> {
        &self.pack
    }

    pub fn meta(&self) -> &PartitionMeta {
        &self.meta
    }

    /// The offset to read `topic` from.
    pub fn next_offset(&self, topic: InputTopic) -> u64 {
        self.meta
            .next_offsets
            .get(&*self.inputs[&topic].name)
            .copied()
            .unwrap_or(0)
    }

    pub fn stream_time(&self) -> Option<i64> {
        self.meta.stream_time_ms
    }

    /// Whether something was applied since the last commit.
    pub fn has_uncommitted(&self) -> bool {
        self.uncommitted
    }

    /// Moves stream time forward to `to_ms` (never back) and fires the timers now due. The
    /// task calls it for idle partitions in live mode.
    pub fn advance_to(&mut self, to_ms: i64) -> Result<(), ProcessError> {
        let now = self.meta.stream_time_ms.map_or(to_ms, |t| t.max(to_ms));
        if self.meta.stream_time_ms != Some(now) {
            self.meta.stream_time_ms = Some(now);
            self.uncommitted = true;
        }
        self.plan_new_schedules(now);
        self.fire_due(now)
    }

    /// The state of `customer` as of this batch: the batch's own copy when it touched the
    /// customer, else the stored one.
    fn load(&mut self, customer: &str) -> Result<Option<CustomerState>, ProcessError> {
        if let Some(state) = self.dirty.get(customer) {
            return Ok(state.clone());
        }
        self.tables.customer(customer)
    }
}

pub fn topic_kind(topic: InputTopic) -> TopicKind {
    match topic {
        InputTopic::Conversation => TopicKind::Conversation,
        InputTopic::Behavior => TopicKind::Behavior,
        InputTopic::Transaction => TopicKind::Transaction,
        InputTopic::CrmUpdates => TopicKind::CrmUpdates,
    }
}
