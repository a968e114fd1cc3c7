//! What the processor does with an event, as data and pure functions; no I/O.
//!
//! For each event of a customer the processor first [`fold`]s it into the customer's state
//! (last inbound/outbound times, window counters, keyword counts, orders, consent), then
//! asks every [`Rule`] of the [`RulePack`] what to do. A rule answers with [`Effect`]s:
//! state changes (tags, timers, marks, pauses) that the processor applies, and outputs
//! (automation triggers, CRM commands, alerts) that it emits with deterministic ids. Timers
//! a rule sets come back to the same rule through [`Rule::on_timer`] when the partition's
//! stream time reaches them.
//!
//! [`keywords`] finds what a message is about (discount, too expensive, where is my order …)
//! in every configured language.

mod effects;
mod fold;
pub mod keywords;
mod rule;
pub mod rules;

pub use effects::{CrmOp, Effect, Effects, Message, Severity, TemplateCategory};
pub use fold::{counters, fold, marks, FoldSettings, EXPIRE_TIMER};
pub use keywords::Keywords;
pub use rule::{Rule, RuleError, RulePack};
