//! One partition's state machine: applies input records in the order it is given them,
//! fires timers on stream time, and commits state, offsets and outputs in one batch.
//!
//! No I/O but the state store: the task around it reads the inputs, chooses the order and
//! appends what [`PartitionEngine::commit`] hands back. Tested with the in-memory store.
//!
//! Within a batch the engine keeps the customers it touched in memory and an overlay of
//! timer-index changes; nothing reaches the store until `commit`, which writes in one
//! atomic batch: customer states, timer index, partition progress (next offsets, stream
//! time) and the outbox — outputs, dead letters and the changelog records of the batch.
//! Outputs are appended only after that batch is durable, so whatever reaches a topic
//! belongs to committed state; a crash before the appends re-sends them from the outbox
//! on restart, with the same ids.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use scrm_events::{BusinessCapabilityUpdate, Event, InputTopic, Payload, BUSINESS_KEY};
use scrm_log::StoredRecord;
use scrm_rules::policy::{tier_share, Decision, Gate, Request};
use scrm_rules::{fold, Effect, Effects, EventKind, FoldCx, RulePack, Scope, EXPIRE_TIMER};
use scrm_schema::{KnownSchema, TopicKind};
use scrm_state::keys::{self, Table, TimerKey};
use scrm_state::store::Scan;
use scrm_state::{Batch, CustomerState, MessagingLimit, OutboxEntry, PartitionMeta, StateStore};

use crate::error::{ProcessError, Rejection};
use crate::outputs::{Cause, Origin, OutputEncoder, Rejected};

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
}

/// Outbox entries of a commit, to append in order.
#[derive(Debug)]
pub struct Committed {
    pub entries: Vec<(u64, OutboxEntry)>,
    pub stats: BatchStats,
}

pub struct PartitionEngine {
    partition: u32,
    /// Partitions of the topics, for this partition's share of the daily limit.
    partitions: u32,
    store: Arc<dyn StateStore>,
    pack: Arc<RulePack>,
    out: Arc<OutputEncoder>,
    readers: HashMap<InputTopic, &'static KnownSchema>,
    input_names: HashMap<InputTopic, String>,
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
    /// The engine of `partition`, continuing from the state in `store`.
    pub fn open(
        partition: u32,
        partitions: u32,
        store: Arc<dyn StateStore>,
        pack: Arc<RulePack>,
        out: Arc<OutputEncoder>,
    ) -> Result<Self, ProcessError> {
        let meta = match store.get(Table::Partitions, &keys::partition_key(partition))? {
            Some(bytes) => {
                PartitionMeta::decode(&bytes).map_err(|e| ProcessError::CorruptState {
                    partition,
                    reason: e.to_string(),
                })?
            }
            None => PartitionMeta::default(),
        };
        let catalog = scrm_schema::Catalog::embedded();
        let mut readers = HashMap::new();
        let mut input_names = HashMap::new();
        for topic in InputTopic::all() {
            readers.insert(
                topic,
                catalog
                    .current(topic.full_name())
                    .expect("input schemas are embedded"),
            );
            input_names.insert(topic, out.topics().name(topic_kind(topic)));
        }
        Ok(Self {
            partition,
            partitions,
            changelog_topic: out.topics().name(TopicKind::StateChangelog),
            store,
            pack,
            out,
            readers,
            input_names,
            meta,
            dirty: HashMap::new(),
            timers_added: BTreeSet::new(),
            timers_removed: BTreeSet::new(),
            pending: Vec::new(),
            next_due: None,
            stats: BatchStats::default(),
            uncommitted: false,
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
            .get(&self.input_names[&topic])
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

    /// Applies one input record. A record that cannot be applied goes to the dead-letter
    /// topic; only a failure of the store is an error.
    pub fn apply(&mut self, topic: InputTopic, record: &StoredRecord) -> Result<(), ProcessError> {
        self.uncommitted = true;
        self.stats.records += 1;
        let name = self.input_names[&topic].clone();
        self.meta
            .next_offsets
            .insert(name.clone(), record.offset + 1);
        match self.decode(topic, record) {
            Ok(event) => {
                self.advance_to(event.occurred_at_ms)?;
                let cause = Cause::Input {
                    topic: &name,
                    partition: self.partition,
                    offset: record.offset,
                };
                match &event.payload {
                    Payload::Capability(update) => self.apply_capability(&event, update),
                    _ => self.apply_event(&event, &cause)?,
                }
            }
            Err(rejection) => self.reject(&name, record, &rejection)?,
        }
        Ok(())
    }

    fn decode(&self, topic: InputTopic, record: &StoredRecord) -> Result<Event, Rejection> {
        let value = self
            .out
            .codec()
            .decode(&record.value, self.readers[&topic])
            .map_err(|e| Rejection::Decode(e.to_string()))?;
        let event =
            Event::from_avro(topic, &value).map_err(|e| Rejection::Validation(e.to_string()))?;
        if event.customer.as_bytes() != record.key.as_slice() {
            return Err(Rejection::Validation(format!(
                "customer {:?} does not match the record key {:?}: records must be keyed by customer",
                event.customer,
                String::from_utf8_lossy(&record.key)
            )));
        }
        let business_wide = matches!(event.payload, Payload::Capability(_));
        if business_wide != (event.customer == BUSINESS_KEY) {
            return Err(Rejection::Validation(format!(
                "customer {:?} with a {} payload: business-wide events (and only they) use the key {BUSINESS_KEY:?}",
                event.customer,
                event.kind()
            )));
        }
        if event.customer.is_empty() || event.customer.as_bytes().contains(&0) {
            return Err(Rejection::Validation(format!(
                "customer {:?} is not a customer key",
                event.customer
            )));
        }
        Ok(event)
    }

    fn reject(
        &mut self,
        topic: &str,
        record: &StoredRecord,
        rejection: &Rejection,
    ) -> Result<(), ProcessError> {
        tracing::warn!(
            topic, partition = self.partition, offset = record.offset,
            kind = rejection.kind(), error = %rejection, "record to the dead-letter topic"
        );
        let entry = self.out.dead_letter(
            &Rejected {
                topic,
                partition: self.partition,
                offset: record.offset,
                timestamp_ms: record.timestamp_ms,
                key: Some(&record.key),
                value: &record.value,
                headers: &record.headers,
            },
            rejection.kind(),
            &rejection.to_string(),
        )?;
        *self.stats.dead_letters.entry(rejection.kind()).or_insert(0) += 1;
        self.pending.push(entry);
        Ok(())
    }

    /// Moves stream time forward to `to_ms` (never back) and fires the timers now due. The
    /// task calls it for idle partitions in live mode.
    pub fn advance_to(&mut self, to_ms: i64) -> Result<(), ProcessError> {
        let now = self.meta.stream_time_ms.map_or(to_ms, |t| t.max(to_ms));
        if self.meta.stream_time_ms != Some(now) {
            self.meta.stream_time_ms = Some(now);
            self.uncommitted = true;
        }
        let pack = self.pack.clone();
        for rule in pack.scheduled() {
            if !self.meta.schedules.contains_key(&rule.id) {
                let (schedule, _) = rule.schedule().expect("scheduled rules have a schedule");
                let first = schedule.next_after(now, pack.business.time_zone);
                self.meta.schedules.insert(rule.id.clone(), first);
                self.uncommitted = true;
            }
        }
        self.fire_due(now)
    }

    /// Meta's messaging limit changed: each partition has its own copy of the event and
    /// keeps the latest one, which overrides the rule pack's limit.
    fn apply_capability(&mut self, event: &Event, update: &BusinessCapabilityUpdate) {
        let newer = self
            .meta
            .messaging_limit
            .as_ref()
            .is_none_or(|l| l.updated_ms <= event.occurred_at_ms);
        if newer {
            self.meta.messaging_limit = Some(MessagingLimit {
                max_daily: update
                    .max_daily_conversations
                    .map(|n| u64::try_from(n).unwrap_or(0)),
                waba_id: update.waba_id.clone(),
                updated_ms: event.occurred_at_ms,
            });
        }
    }

    /// The daily limit of unique customers in force: Meta's latest announcement, else the
    /// rule pack's; `None` when unlimited.
    fn daily_limit(&self) -> Option<u64> {
        match &self.meta.messaging_limit {
            Some(limit) => limit.max_daily,
            None => self.pack.policy.daily_unique_customers,
        }
    }

    fn load(&mut self, customer: &str) -> Result<Option<CustomerState>, ProcessError> {
        if let Some(state) = self.dirty.get(customer) {
            return Ok(state.clone());
        }
        let key = keys::customer_key(self.partition, customer)
            .map_err(|e| ProcessError::Internal(e.to_string()))?;
        match self.store.get(Table::Customers, &key)? {
            Some(bytes) => {
                CustomerState::decode(&bytes)
                    .map(Some)
                    .map_err(|e| ProcessError::CorruptState {
                        partition: self.partition,
                        reason: format!("customer {customer}: {e}"),
                    })
            }
            None => Ok(None),
        }
    }

    /// Folds the event in and runs the rules.
    fn apply_event(&mut self, event: &Event, cause: &Cause<'_>) -> Result<(), ProcessError> {
        let now = self.meta.stream_time_ms.unwrap_or(event.occurred_at_ms);
        let pack = self.pack.clone();
        // Only the timers of the state before are needed (to keep the index in step), so the
        // state itself is not copied.
        let before = self.load(&event.customer)?;
        let old_timers = before
            .as_ref()
            .map(|s| s.timers.clone())
            .unwrap_or_default();
        let mut state =
            before.unwrap_or_else(|| CustomerState::new(&event.customer, event.occurred_at_ms));
        let cx = FoldCx {
            settings: &pack.fold,
            analyzer: &pack.analyzer,
            business: &pack.business,
        };
        fold(&mut state, &mut self.meta.stats, event, now, &cx);
        let in_reply = matches!(event.payload, scrm_events::Payload::Inbound(_));
        let kinds = EventKind::of(event);
        let mut outputs = Vec::new();
        for rule in &pack.rules {
            let mut effects = Effects::new();
            rule.on_event(event, &kinds, &state, &pack.business, &mut effects);
            let ecx = EffectCx {
                rule: &rule.id,
                at_ms: event.occurred_at_ms,
                cause,
                in_reply,
                customer: Some(&event.customer),
            };
            for (n, effect) in effects.drain().enumerate() {
                self.apply_effect(&mut state, &ecx, n, effect, &mut outputs)?;
            }
        }
        self.store_customer(&event.customer, &old_timers, Some(state))?;
        self.pending.append(&mut outputs);
        Ok(())
    }

    fn apply_effect(
        &mut self,
        state: &mut CustomerState,
        ecx: &EffectCx<'_, '_>,
        n: usize,
        effect: Effect,
        outputs: &mut Vec<OutboxEntry>,
    ) -> Result<(), ProcessError> {
        let customer = ecx.customer.unwrap_or("").to_owned();
        let partition = self.partition;
        let origin = || Origin {
            id: ecx.cause.output_id(ecx.rule, n),
            customer: &customer,
            partition,
            at_ms: ecx.at_ms,
            rule: ecx.rule,
        };
        let output = match effect {
            Effect::AddTag(tag) => {
                state.tags.insert(tag);
                None
            }
            Effect::RemoveTag(tag) => {
                state.tags.remove(&tag);
                None
            }
            Effect::SetTimer { name, due_ms } => {
                state.timers.insert(name, due_ms);
                None
            }
            Effect::CancelTimer(name) => {
                state.timers.remove(&name);
                None
            }
            Effect::Mark { name, at_ms } => {
                state.marks.insert(name, at_ms);
                None
            }
            Effect::PauseUntil(until) => {
                state.paused_until_ms = Some(state.paused_until_ms.map_or(until, |p| p.max(until)));
                None
            }
            Effect::Resume => {
                state.paused_until_ms = None;
                None
            }
            Effect::SetSegment(segment) => {
                state.segment = segment;
                None
            }
            Effect::SetPriority(priority) => {
                state.priority = Some(priority);
                None
            }
            Effect::Trigger {
                message,
                notification,
                best_hour,
            } => {
                let pack = self.pack.clone();
                let gate = Gate {
                    settings: &pack.policy,
                    business_zone: pack.business.time_zone,
                    templates: &pack.templates,
                    tier_share: self
                        .daily_limit()
                        .map(|limit| tier_share(limit, self.partitions, self.partition)),
                };
                let verdict = gate.decide(
                    state,
                    &mut self.meta.stats.tier,
                    &Request {
                        message: &message,
                        notification: &notification,
                        best_hour,
                        in_reply: ecx.in_reply,
                        now_ms: ecx.at_ms,
                    },
                );
                let decision = verdict.decision.as_str();
                if verdict.reasons.is_empty() {
                    *self
                        .stats
                        .gate
                        .entry((decision, String::new()))
                        .or_insert(0) += 1;
                }
                for reason in &verdict.reasons {
                    *self
                        .stats
                        .gate
                        .entry((decision, reason.clone()))
                        .or_insert(0) += 1;
                }
                if verdict.decision == Decision::Suppress {
                    tracing::debug!(rule = ecx.rule, reasons = ?verdict.reasons, "automation suppressed");
                }
                if let Some((used, share)) = verdict.tier_warning {
                    let mut alert_origin = origin();
                    alert_origin.id.push_str("/tier");
                    let details = BTreeMap::from([
                        ("used".to_owned(), used.to_string()),
                        ("partition_share".to_owned(), share.to_string()),
                        ("partition".to_owned(), partition.to_string()),
                        (
                            "daily_limit".to_owned(),
                            pack.policy
                                .daily_unique_customers
                                .map_or("unlimited".to_owned(), |l| l.to_string()),
                        ),
                    ]);
                    let entry = self.out.alert(
                        &alert_origin,
                        "tier_limit_near",
                        scrm_rules::Severity::Warning,
                        "business",
                        &format!(
                            "{used} of this partition's {share} unique customers for today messaged outside the service window"
                        ),
                        &details,
                    )?;
                    *self.stats.outputs.entry("alert").or_insert(0) += 1;
                    outputs.push(entry);
                }
                Some(("trigger", self.out.trigger(&origin(), ecx.cause, &verdict)?))
            }
            Effect::Crm(op) => Some(("crm_command", self.out.crm_command(&origin(), &op)?)),
            Effect::Alert {
                kind,
                severity,
                subject,
                message,
                details,
            } => Some((
                "alert",
                self.out
                    .alert(&origin(), &kind, severity, &subject, &message, &details)?,
            )),
        };
        if let Some((kind, entry)) = output {
            *self.stats.outputs.entry(kind).or_insert(0) += 1;
            outputs.push(entry);
        }
        Ok(())
    }

    /// Records the new state of a customer and keeps the timer index in step with its
    /// timers.
    fn store_customer(
        &mut self,
        customer: &str,
        old_timers: &BTreeMap<String, i64>,
        after: Option<CustomerState>,
    ) -> Result<(), ProcessError> {
        let customer = customer.to_owned();
        let old: BTreeMap<&String, &i64> = old_timers.iter().collect();
        let new: BTreeMap<&String, &i64> = after
            .as_ref()
            .map(|s| s.timers.iter().collect())
            .unwrap_or_default();
        let key = |name: &str, due: i64| TimerKey {
            partition: self.partition,
            due_ms: due,
            customer: customer.clone(),
            name: name.to_owned(),
        };
        for (name, due) in &old {
            if new.get(name) != Some(due) {
                let k = key(name, **due);
                if !self.timers_added.remove(&k) {
                    self.timers_removed.insert(k);
                }
            }
        }
        for (name, due) in &new {
            if old.get(name) != Some(due) {
                let k = key(name, **due);
                if !self.timers_removed.remove(&k) {
                    self.timers_added.insert(k);
                }
                // Unknown stays unknown; a known bound only moves earlier.
                self.next_due = self.next_due.map(|d| d.min(**due));
            }
        }
        self.dirty.insert(customer, after);
        Ok(())
    }

    /// The earliest timer due at or before `now`, considering uncommitted changes.
    fn first_due(&mut self, now: i64) -> Result<Option<TimerKey>, ProcessError> {
        if self.next_due.is_some_and(|d| d > now) {
            return Ok(None);
        }
        let (from, _) = Table::Timers.partition_range(self.partition);
        let until = TimerKey::due_until(self.partition, now);
        let mut stored = None;
        let mut corrupt = None;
        let removed = &self.timers_removed;
        self.store.scan(
            Table::Timers,
            &from,
            &until,
            &mut |k, _| match TimerKey::decode(k) {
                Ok(t) if removed.contains(&t) => Scan::Continue,
                Ok(t) => {
                    stored = Some(t);
                    Scan::Stop
                }
                Err(e) => {
                    corrupt = Some(e.to_string());
                    Scan::Stop
                }
            },
        )?;
        if let Some(reason) = corrupt {
            return Err(ProcessError::CorruptState {
                partition: self.partition,
                reason,
            });
        }
        let added = self
            .timers_added
            .iter()
            .next()
            .filter(|t| t.due_ms <= now)
            .cloned();
        let first = match (stored, added) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        if first.is_none() {
            self.next_due = Some(
                self.earliest_pending()?
                    .map_or(i64::MAX, |d| d.max(now + 1)),
            );
        }
        Ok(first)
    }

    /// Due time of the earliest pending timer, uncommitted changes included.
    fn earliest_pending(&self) -> Result<Option<i64>, ProcessError> {
        let (from, to) = Table::Timers.partition_range(self.partition);
        let mut stored = None;
        let removed = &self.timers_removed;
        self.store.scan(
            Table::Timers,
            &from,
            &to,
            &mut |k, _| match TimerKey::decode(k) {
                Ok(t) if removed.contains(&t) => Scan::Continue,
                Ok(t) => {
                    stored = Some(t.due_ms);
                    Scan::Stop
                }
                Err(_) => Scan::Stop,
            },
        )?;
        let added = self.timers_added.iter().next().map(|t| t.due_ms);
        Ok(match (stored, added) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        })
    }

    /// Fires timers and scheduled rules due by `now`, earliest first (a timer before a
    /// schedule due at the same time, schedules by rule id).
    fn fire_due(&mut self, now: i64) -> Result<(), ProcessError> {
        loop {
            let schedule = self
                .meta
                .schedules
                .iter()
                .filter(|(_, due)| **due <= now)
                .min_by_key(|(id, due)| (**due, (*id).clone()))
                .map(|(id, due)| (id.clone(), *due));
            let timer = self.first_due(schedule.as_ref().map_or(now, |(_, due)| *due))?;
            match (timer, schedule) {
                (Some(timer), _) => self.fire(&timer)?,
                (None, Some((rule, due))) => self.run_schedule(&rule, due)?,
                (None, None) => return Ok(()),
            }
        }
    }

    /// Runs the scheduled rule `rule_id` due at `due_ms` and plans its next run.
    fn run_schedule(&mut self, rule_id: &str, due_ms: i64) -> Result<(), ProcessError> {
        self.uncommitted = true;
        self.stats.schedules_run += 1;
        let pack = self.pack.clone();
        let Some(rule) = pack.rule(rule_id) else {
            self.meta.schedules.remove(rule_id);
            return Ok(());
        };
        let (schedule, scope) = rule.schedule().expect("scheduled rules have a schedule");
        self.meta.schedules.insert(
            rule_id.to_owned(),
            schedule.next_after(due_ms, pack.business.time_zone),
        );
        match scope {
            Scope::Customers => {
                for customer in self.customers()? {
                    let Some(before) = self.load(&customer)? else {
                        continue;
                    };
                    let mut effects = Effects::new();
                    rule.on_schedule(&before, due_ms, &pack.business, &mut effects);
                    if effects.is_empty() {
                        continue;
                    }
                    let old_timers = before.timers.clone();
                    let mut state = before;
                    let cause = Cause::Schedule {
                        partition: self.partition,
                        due_ms,
                        subject: &customer,
                    };
                    let ecx = EffectCx {
                        rule: &rule.id,
                        at_ms: due_ms,
                        cause: &cause,
                        in_reply: false,
                        customer: Some(&customer),
                    };
                    let mut outputs = Vec::new();
                    for (n, effect) in effects.drain().enumerate() {
                        self.apply_effect(&mut state, &ecx, n, effect, &mut outputs)?;
                    }
                    self.store_customer(&customer, &old_timers, Some(state))?;
                    self.pending.append(&mut outputs);
                }
            }
            Scope::Agents | Scope::Business => {
                let fired = if scope == Scope::Agents {
                    rule.on_schedule_agents(&self.meta.stats, due_ms, &pack.business)
                } else {
                    let mut effects = Effects::new();
                    rule.on_schedule_business(
                        &self.meta.stats,
                        due_ms,
                        &pack.business,
                        &mut effects,
                    );
                    vec![("business".to_owned(), effects)]
                };
                let mut scratch = CustomerState::default();
                for (subject, mut effects) in fired {
                    let cause = Cause::Schedule {
                        partition: self.partition,
                        due_ms,
                        subject: &subject,
                    };
                    let ecx = EffectCx {
                        rule: &rule.id,
                        at_ms: due_ms,
                        cause: &cause,
                        in_reply: false,
                        customer: None,
                    };
                    let mut outputs = Vec::new();
                    for (n, effect) in effects.drain().enumerate() {
                        self.apply_effect(&mut scratch, &ecx, n, effect, &mut outputs)?;
                    }
                    for entry in &mut outputs {
                        entry.key = subject.as_bytes().to_vec();
                    }
                    self.pending.append(&mut outputs);
                }
            }
        }
        Ok(())
    }

    /// Every customer of the partition, uncommitted ones included, in key order.
    fn customers(&self) -> Result<Vec<String>, ProcessError> {
        let (from, to) = Table::Customers.partition_range(self.partition);
        let mut names = BTreeSet::new();
        let mut corrupt = None;
        self.store.scan(
            Table::Customers,
            &from,
            &to,
            &mut |k, _| match keys::parse_customer_key(k) {
                Ok((_, customer)) => {
                    names.insert(customer);
                    Scan::Continue
                }
                Err(e) => {
                    corrupt = Some(e.to_string());
                    Scan::Stop
                }
            },
        )?;
        if let Some(reason) = corrupt {
            return Err(ProcessError::CorruptState {
                partition: self.partition,
                reason,
            });
        }
        for (customer, state) in &self.dirty {
            match state {
                Some(_) => names.insert(customer.clone()),
                None => names.remove(customer),
            };
        }
        Ok(names.into_iter().collect())
    }

    fn fire(&mut self, timer: &TimerKey) -> Result<(), ProcessError> {
        self.uncommitted = true;
        let before = self.load(&timer.customer)?;
        let Some(before) = before else {
            // A stale index entry: the customer is gone.
            self.drop_index_entry(timer);
            return Ok(());
        };
        if before.timers.get(&timer.name) != Some(&timer.due_ms) {
            self.drop_index_entry(timer);
            return Ok(());
        }
        self.stats.timers_fired += 1;
        let old_timers = before.timers.clone();
        let mut state = before;
        state.timers.remove(&timer.name);
        if timer.name == EXPIRE_TIMER {
            self.store_customer(&timer.customer, &old_timers, None)?;
            return Ok(());
        }
        let cause = Cause::Timer {
            customer: &timer.customer,
            name: &timer.name,
            due_ms: timer.due_ms,
        };
        let pack = self.pack.clone();
        let Some(rule) = pack.timer_owner(&timer.name) else {
            tracing::warn!(timer = %timer.name, "timer of a rule no longer in the pack; dropped");
            self.store_customer(&timer.customer, &old_timers, Some(state))?;
            return Ok(());
        };
        let rule_id = rule.id.clone();
        let mut effects = Effects::new();
        rule.on_timer(timer.due_ms, &state, &pack.business, &mut effects);
        let ecx = EffectCx {
            rule: &rule_id,
            at_ms: timer.due_ms,
            cause: &cause,
            in_reply: false,
            customer: Some(&timer.customer),
        };
        let mut outputs = Vec::new();
        for (n, effect) in effects.drain().enumerate() {
            self.apply_effect(&mut state, &ecx, n, effect, &mut outputs)?;
        }
        self.store_customer(&timer.customer, &old_timers, Some(state))?;
        self.pending.append(&mut outputs);
        Ok(())
    }

    fn drop_index_entry(&mut self, timer: &TimerKey) {
        if !self.timers_added.remove(timer) {
            self.timers_removed.insert(timer.clone());
        }
    }

    /// Writes the batch: states, timer index, progress and outbox, atomically. Returns the
    /// outbox entries to append (outputs first, then the changelog records ending with the
    /// partition's progress).
    pub fn commit(&mut self, sync: bool) -> Result<Committed, ProcessError> {
        let mut batch = Batch::new();
        let mut dirty: Vec<(String, Option<CustomerState>)> = self.dirty.drain().collect();
        dirty.sort_by(|a, b| a.0.cmp(&b.0));
        let mut changelog = Vec::with_capacity(dirty.len() + 1);
        for (customer, state) in dirty {
            let key = keys::customer_key(self.partition, &customer)
                .map_err(|e| ProcessError::Internal(e.to_string()))?;
            let value = match state {
                Some(state) => {
                    let bytes = state.encode();
                    batch.put(Table::Customers, key, bytes.clone());
                    bytes
                }
                None => {
                    batch.delete(Table::Customers, key);
                    Vec::new()
                }
            };
            changelog.push(self.changelog_entry(customer.into_bytes(), value));
        }
        for timer in std::mem::take(&mut self.timers_removed) {
            batch.delete(
                Table::Timers,
                timer
                    .encode()
                    .map_err(|e| ProcessError::Internal(e.to_string()))?,
            );
        }
        for timer in std::mem::take(&mut self.timers_added) {
            batch.put(
                Table::Timers,
                timer
                    .encode()
                    .map_err(|e| ProcessError::Internal(e.to_string()))?,
                Vec::new(),
            );
        }
        changelog
            .push(self.changelog_entry(CHANGELOG_META_KEY.to_vec(), progress_record(&self.meta)));
        let mut entries = Vec::new();
        for entry in self.pending.drain(..).chain(changelog) {
            let seq = self.meta.outbox_next;
            self.meta.outbox_next += 1;
            batch.put(
                Table::Outbox,
                keys::outbox_key(self.partition, seq),
                entry.encode(),
            );
            entries.push((seq, entry));
        }
        batch.put(
            Table::Partitions,
            keys::partition_key(self.partition),
            self.meta.encode(),
        );
        self.store.write(batch, sync)?;
        self.uncommitted = false;
        self.next_due = None;
        Ok(Committed {
            entries,
            stats: std::mem::take(&mut self.stats),
        })
    }

    fn changelog_entry(&self, key: Vec<u8>, value: Vec<u8>) -> OutboxEntry {
        OutboxEntry {
            topic: self.changelog_topic.clone(),
            partition: self.partition,
            key,
            value,
            timestamp_ms: self.meta.stream_time_ms.unwrap_or(0),
            headers: Vec::new(),
        }
    }

    /// Outbox entries left by an earlier run that crashed before appending them.
    pub fn unflushed(&self) -> Result<Vec<(u64, OutboxEntry)>, ProcessError> {
        load_outbox(self.store.as_ref(), self.partition)
    }

    /// Forgets outbox entries up to `last_seq` once appended; remembers where the
    /// changelog ends.
    pub fn flushed(
        &mut self,
        last_seq: u64,
        changelog_next: Option<u64>,
    ) -> Result<(), ProcessError> {
        let mut batch = Batch::new();
        let (from, _) = Table::Outbox.partition_range(self.partition);
        batch.delete_range(
            Table::Outbox,
            from,
            keys::outbox_key(self.partition, last_seq + 1),
        );
        if changelog_next.is_some() {
            self.meta.changelog_next = changelog_next;
        }
        batch.put(
            Table::Partitions,
            keys::partition_key(self.partition),
            self.meta.encode(),
        );
        // Not synced: losing this only means appending the same records again.
        self.store.write(batch, false)?;
        Ok(())
    }
}

/// The changelog value of a partition's progress: the next input offsets, stream time,
/// schedules, aggregates and messaging limit (the outbox and changelog positions are local to an instance).
pub fn progress_record(meta: &PartitionMeta) -> Vec<u8> {
    PartitionMeta {
        next_offsets: meta.next_offsets.clone(),
        stream_time_ms: meta.stream_time_ms,
        outbox_next: 0,
        changelog_next: None,
        schedules: meta.schedules.clone(),
        stats: meta.stats.clone(),
        messaging_limit: meta.messaging_limit.clone(),
    }
    .encode()
}

pub(crate) fn load_outbox(
    store: &dyn StateStore,
    partition: u32,
) -> Result<Vec<(u64, OutboxEntry)>, ProcessError> {
    let (from, to) = Table::Outbox.partition_range(partition);
    let mut entries = Vec::new();
    let mut corrupt = None;
    store.scan(Table::Outbox, &from, &to, &mut |k, v| match (
        keys::parse_outbox_key(k),
        OutboxEntry::decode(v),
    ) {
        (Ok((_, seq)), Ok(entry)) => {
            entries.push((seq, entry));
            Scan::Continue
        }
        (k, v) => {
            corrupt = Some(format!("{:?} {:?}", k.err(), v.err()));
            Scan::Stop
        }
    })?;
    match corrupt {
        Some(reason) => Err(ProcessError::CorruptState { partition, reason }),
        None => Ok(entries),
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

/// Where effects come from, for output ids and the policy gate.
struct EffectCx<'a, 'c> {
    rule: &'a str,
    at_ms: i64,
    cause: &'a Cause<'c>,
    /// Caused by a message the customer just sent.
    in_reply: bool,
    /// `None` for rules about agents or the business.
    customer: Option<&'a str>,
}
