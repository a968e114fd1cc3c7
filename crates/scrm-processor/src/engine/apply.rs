//! Applying one input record: decode and check it, move stream time, fold it into the
//! customer's state and run the rules on it. A record that cannot be applied goes to the
//! dead-letter topic instead.

use std::sync::Arc;

use scrm_events::{BusinessCapabilityUpdate, Event, InputTopic, Payload, BUSINESS_KEY};
use scrm_log::StoredRecord;
use scrm_rules::{fold, Effects, EventKind, FoldCx};
use scrm_state::{CustomerState, MessagingLimit, OutboxEntry};

use super::effects::EffectCx;
use super::PartitionEngine;
use crate::error::{ProcessError, Rejection};
use crate::outputs::{Cause, Rejected};

/// Header naming where a re-routed record first arrived: `topic/partition/offset`.
pub const REPARTITIONED_FROM: &str = "scrm.repartitioned.from";

/// A misrouting producer sends many records: one warning a minute per partition is enough.
const MISROUTED_WARN_EVERY_MS: i64 = 60_000;

impl PartitionEngine {
    /// Applies one input record. A record that cannot be applied goes to the dead-letter
    /// topic; only a failure of the store is an error.
    pub fn apply(&mut self, topic: InputTopic, record: &StoredRecord) -> Result<(), ProcessError> {
        self.uncommitted = true;
        self.stats.records += 1;
        let name = Arc::clone(&self.inputs[&topic].name);
        match self.meta.next_offsets.get_mut(&*name) {
            Some(next) => *next = record.offset + 1,
            None => {
                self.meta
                    .next_offsets
                    .insert(name.to_string(), record.offset + 1);
            }
        }
        if let Some(target) = self.misrouted(record) {
            self.reroute(&name, record, target);
            return Ok(());
        }
        match self.decode(topic, record) {
            Ok(event) => {
                let now = self.options.clock.now_ms();
                if let Err(e) = self.options.time_bounds.check(event.occurred_at_ms, now) {
                    // Before stream time moves: one bad clock must not expire everyone.
                    return self.reject(&name, record, &Rejection::Time(e.to_string()));
                }
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

    /// The partition the record's key hashes to (Kafka's murmur2), when it is not this one.
    /// Business-wide records are sent to every partition on purpose.
    fn misrouted(&self, record: &StoredRecord) -> Option<u32> {
        if self.partitions <= 1 || record.key == BUSINESS_KEY.as_bytes() {
            return None;
        }
        let right = scrm_log::partition_for_key(&record.key, self.partitions);
        (right != self.partition).then_some(right)
    }

    /// Sends a record that arrived on the wrong partition (a producer with another
    /// partitioner) to the right one, through the outbox: appended only after this batch
    /// commits, so it is neither lost nor applied here. Sent twice after a crash, it is a
    /// repeated event id there and dropped.
    fn reroute(&mut self, topic: &Arc<str>, record: &StoredRecord, target: u32) {
        let from = format!("{topic}/{}/{}", self.partition, record.offset);
        let now = self.options.clock.now_ms();
        if self
            .misrouted_warned_ms
            .is_none_or(|at| now.saturating_sub(at) >= MISROUTED_WARN_EVERY_MS)
        {
            self.misrouted_warned_ms = Some(now);
            tracing::warn!(
                %topic, partition = self.partition, offset = record.offset, to = target,
                "record keyed for another partition (the producer does not use Kafka's murmur2 partitioner); routed there. Logged once a minute per partition"
            );
        }
        let mut headers = record.headers.clone();
        headers.push((REPARTITIONED_FROM.to_owned(), from.into_bytes()));
        self.pending.push(OutboxEntry {
            topic: topic.to_string(),
            partition: target,
            key: record.key.clone(),
            value: record.value.clone(),
            timestamp_ms: record.timestamp_ms,
            headers,
        });
        match self.stats.repartitioned.get_mut(topic) {
            Some(n) => *n += 1,
            None => {
                self.stats.repartitioned.insert(Arc::clone(topic), 1);
            }
        }
    }

    fn decode(&self, topic: InputTopic, record: &StoredRecord) -> Result<Event, Rejection> {
        let value = self
            .out
            .codec()
            .decode(&record.value, self.inputs[&topic].reader)
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

    /// Folds the event in and runs the rules.
    fn apply_event(&mut self, event: &Event, cause: &Cause<'_>) -> Result<(), ProcessError> {
        let now = self.meta.stream_time_ms.unwrap_or(event.occurred_at_ms);
        let pack = self.pack.clone();
        let before = self.load(&event.customer)?;
        if before
            .as_ref()
            .is_some_and(|s| s.recent_events.contains(&event.event_id))
        {
            tracing::debug!(event_id = %event.event_id, "repeated event dropped");
            self.stats.repeats_dropped += 1;
            return Ok(());
        }
        // Only the timers of the state before are needed (to keep the index in step), so the
        // state itself is not copied.
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
        if pack.fold.dedup_ids > 0 {
            state.recent_events.record(
                &event.event_id,
                event.occurred_at_ms,
                now.saturating_sub(pack.fold.dedup_horizon_ms),
                pack.fold.dedup_ids,
            );
        }
        let in_reply = matches!(event.payload, Payload::Inbound(_));
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
            self.apply_effects(&mut state, &ecx, effects, &mut outputs)?;
        }
        self.sync_crm(
            &mut state,
            Some(event),
            cause,
            super::crm::LABEL,
            event.occurred_at_ms,
            &mut outputs,
        )?;
        self.keep(&event.customer, &old_timers, Some(state), &mut outputs);
        Ok(())
    }
}
