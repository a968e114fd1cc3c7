//! What a rule can ask for.

use std::collections::BTreeMap;

// The payloads of output records are the types of the records themselves, so what a rule
// asks for is what the processor writes and the sender reads, with no mapping between.
pub use scrm_events::output::{CrmOp, Message, Severity, TemplateCategory};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    AddTag(String),
    RemoveTag(String),
    /// Sets (or moves) the customer's timer `name`; it fires through the rule whose id is
    /// the part of `name` before any `:`.
    SetTimer {
        name: String,
        due_ms: i64,
    },
    CancelTimer(String),
    /// Remembers a moment under `name` (e.g. the last firing of a rule).
    Mark {
        name: String,
        at_ms: i64,
    },
    /// Pauses automations for this customer until then.
    PauseUntil(i64),
    Resume,
    SetSegment(Option<String>),
    SetPriority(String),
    /// A message to send; the policy gate decides whether, when and in which form.
    Trigger {
        message: Message,
        /// Notification type, for the spacing of the same type (the template or rule).
        notification: String,
        /// Marketing to send at the customer's best hour rather than now.
        best_hour: bool,
    },
    Crm(CrmOp),
    Alert {
        kind: String,
        severity: Severity,
        subject: String,
        message: String,
        details: BTreeMap<String, String>,
    },
}

impl Effect {
    /// Whether the effect is an output record (and not a change of state).
    pub fn is_output(&self) -> bool {
        matches!(
            self,
            Effect::Trigger { .. } | Effect::Crm(_) | Effect::Alert { .. }
        )
    }
}

/// The effects of one rule for one event or timer, in the order asked.
#[derive(Debug, Default)]
pub struct Effects {
    effects: Vec<Effect>,
}

impl Effects {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, effect: Effect) {
        self.effects.push(effect);
    }

    pub fn tag(&mut self, tag: &str) {
        self.push(Effect::AddTag(tag.to_owned()));
    }

    pub fn set_timer(&mut self, name: &str, due_ms: i64) {
        self.push(Effect::SetTimer {
            name: name.to_owned(),
            due_ms,
        });
    }

    pub fn cancel_timer(&mut self, name: &str) {
        self.push(Effect::CancelTimer(name.to_owned()));
    }

    pub fn mark(&mut self, name: &str, at_ms: i64) {
        self.push(Effect::Mark {
            name: name.to_owned(),
            at_ms,
        });
    }

    pub fn is_empty(&self) -> bool {
        self.effects.is_empty()
    }

    pub fn as_slice(&self) -> &[Effect] {
        &self.effects
    }

    pub fn drain(&mut self) -> std::vec::Drain<'_, Effect> {
        self.effects.drain(..)
    }
}
