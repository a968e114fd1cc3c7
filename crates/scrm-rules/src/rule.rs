//! The rule interface and the pack of rules the processor runs.

use std::fmt;

use scrm_events::Event;
use scrm_state::CustomerState;
use thiserror::Error;

use crate::effects::Effects;
use crate::fold::FoldSettings;
use crate::keywords::Keywords;

/// A rule could not decide; the event goes to the dead-letter topic with this reason and
/// the partition moves on.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[error("rule {rule}: {reason}")]
pub struct RuleError {
    pub rule: String,
    pub reason: String,
}

/// One automation. Rules are pure: the same state and event give the same effects, which
/// is what makes replays and re-runs after a crash produce the same outputs.
pub trait Rule: Send + Sync + fmt::Debug {
    /// Stable id: part of output ids and timer names, so never change it once deployed.
    fn id(&self) -> &str;

    /// Called for every event, after the event was folded into `state`. `now_ms` is the
    /// partition's stream time.
    fn on_event(
        &self,
        event: &Event,
        state: &CustomerState,
        now_ms: i64,
        out: &mut Effects,
    ) -> Result<(), RuleError>;

    /// Called when the timer `name` this rule set is due (`due_ms` <= stream time).
    fn on_timer(
        &self,
        _name: &str,
        _due_ms: i64,
        _state: &CustomerState,
        _out: &mut Effects,
    ) -> Result<(), RuleError> {
        Ok(())
    }
}

/// The rules in force, with the settings of the state fold.
#[derive(Debug)]
pub struct RulePack {
    pub fold: FoldSettings,
    pub keywords: Keywords,
    pub rules: Vec<Box<dyn Rule>>,
}

impl RulePack {
    /// The rule owning the timer `name` (`rule_id` or `rule_id:…`).
    pub fn timer_owner(&self, name: &str) -> Option<&dyn Rule> {
        let id = name.split(':').next().unwrap_or(name);
        self.rules.iter().find(|r| r.id() == id).map(|r| r.as_ref())
    }
}
