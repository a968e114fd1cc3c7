//! What rules ask for ([`Effect`]s) and the policy gate in front of every automation.
//!
//! Every path that runs rules (an event, a timer, a scheduled run) ends the same way: the
//! effects are applied to the customer's state in order, outputs are built with ids from
//! their cause, and the state and outputs are kept for the commit
//! ([`PartitionEngine::keep`]).

use std::collections::BTreeMap;

use scrm_rules::policy::{tier_share, Decision, Gate, Request};
use scrm_rules::{Effect, Effects};
use scrm_state::{CustomerState, OutboxEntry};

use super::PartitionEngine;
use crate::error::ProcessError;
use crate::outputs::{Cause, Origin};

/// Where effects come from, for output ids and the policy gate.
pub(super) struct EffectCx<'a, 'c> {
    pub(super) rule: &'a str,
    pub(super) at_ms: i64,
    pub(super) cause: &'a Cause<'c>,
    /// Caused by a message the customer just sent.
    pub(super) in_reply: bool,
    /// `None` for rules about agents or the business.
    pub(super) customer: Option<&'a str>,
}

impl PartitionEngine {
    /// Applies one rule's effects, in order, to `state`; outputs go to `outputs`.
    pub(super) fn apply_effects(
        &mut self,
        state: &mut CustomerState,
        ecx: &EffectCx<'_, '_>,
        mut effects: Effects,
        outputs: &mut Vec<OutboxEntry>,
    ) -> Result<(), ProcessError> {
        for (n, effect) in effects.drain().enumerate() {
            self.apply_effect(state, ecx, n, effect, outputs)?;
        }
        Ok(())
    }

    /// Keeps a customer's new state (`None`: deleted) and the outputs that came with it for
    /// the commit.
    pub(super) fn keep(
        &mut self,
        customer: &str,
        old_timers: &BTreeMap<String, i64>,
        state: Option<CustomerState>,
        outputs: &mut Vec<OutboxEntry>,
    ) {
        self.store_customer(customer, old_timers, state);
        self.pending.append(outputs);
    }

    fn apply_effect(
        &mut self,
        state: &mut CustomerState,
        ecx: &EffectCx<'_, '_>,
        n: usize,
        effect: Effect,
        outputs: &mut Vec<OutboxEntry>,
    ) -> Result<(), ProcessError> {
        let customer = ecx.customer.unwrap_or("");
        let partition = self.partition;
        let origin = || Origin {
            id: ecx.cause.output_id(ecx.rule, n),
            customer,
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
            Effect::Crm(op) => Some((
                "crm_command",
                self.out.crm_command(&origin(), &op, Some(ecx.rule))?,
            )),
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

    /// The daily limit of unique customers in force: Meta's latest announcement, else the
    /// rule pack's; `None` when unlimited.
    fn daily_limit(&self) -> Option<u64> {
        match &self.meta.messaging_limit {
            Some(limit) => limit.max_daily,
            None => self.pack.policy.daily_unique_customers,
        }
    }
}
