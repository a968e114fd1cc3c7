//! What the processor does with an event, as data and pure functions; no I/O.
//!
//! A [`RulePack`] is read from TOML ([`pack`], docs/rules.md) and checked when loaded. For
//! each event of a customer the processor first [`fold`]s it into the customer's state and
//! the partition's aggregates (last inbound/outbound times, window counters, intents found
//! by `scrm-text`, sentiment, orders, consent), then runs every [`Rule`] of the pack. A rule
//! runs on events ([`RuleKind::OnEvent`]), after a wait that an event can cancel
//! ([`RuleKind::Wait`]) or on a schedule in the business's time zone
//! ([`RuleKind::Scheduled`]). When its [`Condition`]s hold, its [`Action`]s become
//! [`Effect`]s: state changes (tags, segment, timers, pauses) and outputs (messages, CRM
//! commands, alerts). Every message passes the [`policy`] gate, which allows, defers or
//! suppresses it with its reasons, and the WhatsApp sender judges it once more at the
//! moment of sending ([`recheck`]). [`text`] fills template variables from the state (first
//! name, "3 days ago", nearest store, a discount code).

mod action;
mod condition;
pub mod crm;
mod effects;
mod event_kind;
mod fold;
pub mod pack;
pub mod policy;
pub mod recheck;
mod rule;
pub mod text;

pub use action::Action;
pub use condition::{
    agents_seen, complaint_rate, fired_mark, is_opted_in, median_response_ms, Bounds, Condition,
    EventField, Facts, Moment,
};
pub use crm::CrmSettings;
pub use effects::{CrmOp, Effect, Effects, Message, Severity, TemplateCategory};
pub use event_kind::EventKind;
pub use fold::{counters, fold, intents, FoldCx, FoldSettings, EXPIRE_TIMER};
pub use pack::{PackError, PackProblem, RulePack, DEFAULT_PACK};
pub use rule::{Business, Rule, RuleKind, Schedule};
pub use text::Scope;
