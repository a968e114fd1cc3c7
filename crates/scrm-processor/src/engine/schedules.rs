//! Scheduled rules: partition-level timers at a time of day in the business's time zone.
//! A run goes over every customer of the partition (key order, this batch's changes
//! included), or over its agents or the business as a whole, and plans the next run in the
//! partition's progress.

use std::collections::BTreeSet;

use scrm_rules::{Effects, Scope};
use scrm_state::CustomerState;

use super::effects::EffectCx;
use super::PartitionEngine;
use crate::error::ProcessError;
use crate::outputs::Cause;

impl PartitionEngine {
    /// Plans the first run of scheduled rules that have none yet (new partition, new pack).
    pub(super) fn plan_new_schedules(&mut self, now: i64) {
        let pack = self.pack.clone();
        for rule in pack.scheduled() {
            if !self.meta.schedules.contains_key(&rule.id) {
                let (schedule, _) = rule.schedule().expect("scheduled rules have a schedule");
                let first = schedule.next_after(now, pack.business.time_zone);
                self.meta.schedules.insert(rule.id.clone(), first);
                self.uncommitted = true;
            }
        }
    }

    /// The scheduled run due earliest by `now` (ties by rule id).
    pub(super) fn next_schedule(&self, now: i64) -> Option<(String, i64)> {
        self.meta
            .schedules
            .iter()
            .filter(|(_, due)| **due <= now)
            .min_by(|a, b| (a.1, a.0).cmp(&(b.1, b.0)))
            .map(|(id, due)| (id.clone(), *due))
    }

    /// Runs the scheduled rule `rule_id` due at `due_ms` and plans its next run.
    pub(super) fn run_schedule(&mut self, rule_id: &str, due_ms: i64) -> Result<(), ProcessError> {
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
        let mut outputs = Vec::new();
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
                    self.apply_effects(&mut state, &ecx, effects, &mut outputs)?;
                    let label = format!("{}+{}", super::crm::LABEL, rule.id);
                    self.sync_crm(&mut state, None, &cause, &label, due_ms, &mut outputs)?;
                    self.keep(&customer, &old_timers, Some(state), &mut outputs);
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
                // Effects on customer state mean nothing here; they land on a scratch state.
                let mut scratch = CustomerState::default();
                for (subject, effects) in fired {
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
                    self.apply_effects(&mut scratch, &ecx, effects, &mut outputs)?;
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
        let mut names: BTreeSet<String> = self.tables.customer_names()?.into_iter().collect();
        for (customer, state) in &self.dirty {
            match state {
                Some(_) => names.insert(customer.clone()),
                None => names.remove(customer),
            };
        }
        Ok(names.into_iter().collect())
    }
}
