//! Event-time timers: the index of pending timers (stored, plus this batch's overlay of
//! additions and removals) and firing them when stream time reaches them.
//!
//! A customer's state holds its timers; the index (due, customer, name) is what lets the
//! engine find the next one due without reading every customer. The two are kept in step by
//! [`PartitionEngine::store_customer`]. A timer fires before a schedule due at the same
//! time; the expiry timer deletes the customer.

use std::collections::BTreeMap;

use scrm_rules::{Effects, EXPIRE_TIMER};
use scrm_state::keys::TimerKey;
use scrm_state::CustomerState;

use super::effects::EffectCx;
use super::PartitionEngine;
use crate::error::ProcessError;
use crate::outputs::Cause;

impl PartitionEngine {
    /// Records the new state of a customer and keeps the timer index in step with its
    /// timers.
    pub(super) fn store_customer(
        &mut self,
        customer: &str,
        old_timers: &BTreeMap<String, i64>,
        after: Option<CustomerState>,
    ) {
        let empty = BTreeMap::new();
        let new = after.as_ref().map_or(&empty, |s| &s.timers);
        let key = |name: &str, due: i64| TimerKey {
            partition: self.partition,
            due_ms: due,
            customer: customer.to_owned(),
            name: name.to_owned(),
        };
        for (name, due) in old_timers {
            if new.get(name) != Some(due) {
                let k = key(name, *due);
                if !self.timers_added.remove(&k) {
                    self.timers_removed.insert(k);
                }
            }
        }
        for (name, due) in new {
            if old_timers.get(name) != Some(due) {
                let k = key(name, *due);
                if !self.timers_removed.remove(&k) {
                    self.timers_added.insert(k);
                }
                // Unknown stays unknown; a known bound only moves earlier.
                self.next_due = self.next_due.map(|d| d.min(*due));
            }
        }
        match self.dirty.get_mut(customer) {
            Some(slot) => *slot = after,
            None => {
                self.dirty.insert(customer.to_owned(), after);
            }
        }
    }

    /// The earliest timer due at or before `now`, considering uncommitted changes.
    fn first_due(&mut self, now: i64) -> Result<Option<TimerKey>, ProcessError> {
        if self.next_due.is_some_and(|d| d > now) {
            return Ok(None);
        }
        let removed = &self.timers_removed;
        let stored = self
            .tables
            .first_timer(Some(now), |t| removed.contains(t))?;
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
        let removed = &self.timers_removed;
        let stored = self
            .tables
            .first_timer(None, |t| removed.contains(t))?
            .map(|t| t.due_ms);
        let added = self.timers_added.iter().next().map(|t| t.due_ms);
        Ok(match (stored, added) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        })
    }

    /// Fires timers and scheduled rules due by `now`, earliest first (a timer before a
    /// schedule due at the same time, schedules by rule id).
    pub(super) fn fire_due(&mut self, now: i64) -> Result<(), ProcessError> {
        loop {
            let schedule = self.next_schedule(now);
            let timer = self.first_due(schedule.as_ref().map_or(now, |(_, due)| *due))?;
            match (timer, schedule) {
                (Some(timer), _) => self.fire(&timer)?,
                (None, Some((rule, due))) => self.run_schedule(&rule, due)?,
                (None, None) => return Ok(()),
            }
        }
    }

    fn fire(&mut self, timer: &TimerKey) -> Result<(), ProcessError> {
        self.uncommitted = true;
        let Some(before) = self.load(&timer.customer)? else {
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
        let mut outputs = Vec::new();
        if timer.name == EXPIRE_TIMER {
            self.keep(&timer.customer, &old_timers, None, &mut outputs);
            return Ok(());
        }
        let pack = self.pack.clone();
        let Some(rule) = pack.timer_owner(&timer.name) else {
            tracing::warn!(timer = %timer.name, "timer of a rule no longer in the pack; dropped");
            self.keep(&timer.customer, &old_timers, Some(state), &mut outputs);
            return Ok(());
        };
        let mut effects = Effects::new();
        rule.on_timer(timer.due_ms, &state, &pack.business, &mut effects);
        let cause = Cause::Timer {
            customer: &timer.customer,
            name: &timer.name,
            due_ms: timer.due_ms,
        };
        let ecx = EffectCx {
            rule: &rule.id,
            at_ms: timer.due_ms,
            cause: &cause,
            in_reply: false,
            customer: Some(&timer.customer),
        };
        self.apply_effects(&mut state, &ecx, effects, &mut outputs)?;
        let label = format!("{}+{}", super::crm::LABEL, rule.id);
        self.sync_crm(&mut state, None, &cause, &label, timer.due_ms, &mut outputs)?;
        self.keep(&timer.customer, &old_timers, Some(state), &mut outputs);
        Ok(())
    }

    fn drop_index_entry(&mut self, timer: &TimerKey) {
        if !self.timers_added.remove(timer) {
            self.timers_removed.insert(timer.clone());
        }
    }
}
