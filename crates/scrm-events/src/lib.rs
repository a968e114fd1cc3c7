//! A typed, validated view of scrm's four input event schemas (`schemas/conversation_event`,
//! `behavior_event`, `transaction_event` and `crm_update_event.avsc`): the processor decodes
//! each record with `scrm_schema::Codec` into an `apache_avro::types::Value` of the current
//! schema, then [`Event::from_avro`] turns that value into owned Rust structs, so rules and
//! state code match on enums instead of walking untyped values. Pure code, no I/O, built
//! for the hot path: one pass over the value, fields found in schema order, no
//! intermediate JSON, errors built only when something is wrong.
//!
//! How the modules fit:
//! - [`event`] holds the envelope [`Event`] (id, customer, event time, producer) and the
//!   [`Payload`] enum over every payload record of the four topics, with the entry point
//!   [`Event::from_avro`] and the metric names [`Event::kind`];
//! - [`conversation`], [`content`], [`behavior`], [`transaction`] and [`crm`] each mirror
//!   one schema (the content union of inbound WhatsApp messages has its own module), field
//!   for field, and decode its payload union;
//! - `decode` has the accessors that read `Value`s leniently where the encoding allows
//!   several forms and strictly where the schema decides;
//! - [`error`] has [`EventError`], which names the field path at fault
//!   (`payload.OrderPlaced.lines[1].sku: missing`), ready for a dead letter;
//! - [`output`] does the same for the records scrm writes (triggers, CRM commands, alerts,
//!   review items, dead letters), both ways: `to_avro` for the processor, `from_avro` for
//!   every consumer, through the same decoding code as the input events (`encode` builds
//!   the values).
//!
//! ```
//! use apache_avro::types::Value;
//! use scrm_events::{Content, Event, InputTopic, Payload};
//!
//! // What `Codec::decode` returns for a text message (nullable fields left out here).
//! let text = Value::Record(vec![("body".into(), Value::String("有冇折扣?".into()))]);
//! let inbound = Value::Record(vec![
//!     ("wamid".into(), Value::String("wamid.HBgA".into())),
//!     ("content".into(), Value::Union(0, Box::new(text))),
//! ]);
//! let value = Value::Record(vec![
//!     ("event_id".into(), Value::String("wamid.HBgA".into())),
//!     ("customer".into(), Value::String("+85291234567".into())),
//!     ("occurred_at".into(), Value::TimestampMillis(1_793_628_300_123)),
//!     ("source".into(), Value::String("whatsapp-webhook".into())),
//!     ("payload".into(), Value::Union(0, Box::new(inbound))),
//! ]);
//! let event = Event::from_avro(InputTopic::Conversation, &value)?;
//! assert_eq!(event.kind(), "inbound_message");
//! let Payload::Inbound(message) = &event.payload else { unreachable!() };
//! assert_eq!(message.text(), Some("有冇折扣?"));
//! assert!(matches!(message.content, Content::Text { .. }));
//!
//! // A broken value names the field at fault.
//! let err = Event::from_avro(InputTopic::Transaction, &value).unwrap_err();
//! assert!(err.to_string().starts_with("payload: no branch of OrderPlaced"));
//! # Ok::<(), scrm_events::EventError>(())
//! ```
//!
//! Timestamps are `i64` UTC milliseconds (fields ending in `_ms`), Avro maps are
//! `BTreeMap`s so iteration is deterministic, `["null", T]` unions are `Option<T>`. Every
//! type derives `Serialize` and `Deserialize` for storage.

#![forbid(unsafe_code)]
#![warn(unreachable_pub, missing_debug_implementations)]

pub mod behavior;
pub mod content;
pub mod conversation;
pub mod crm;
mod decode;
mod encode;
pub mod error;
pub mod event;
pub mod output;
#[cfg(test)]
mod schema_check;
pub mod transaction;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

pub use behavior::{AddToCart, LinkClick, ProductView, QuizAnswer, StoreVisit};
pub use content::{CatalogItem, Content, InteractiveKind, MediaKind, SharedContact};
pub use conversation::{
    AgentHandoff, BusinessCapabilityUpdate, DeliveryState, DeliveryStatus, HandoffDirection,
    InboundMessage, MediaStored, MessageCategory, MessageNotSent, NotSentOutcome, OutboundKind,
    OutboundMessage, Sender, BUSINESS_KEY,
};
pub use crm::CrmFieldsChanged;
pub use error::{EventError, FieldPath, Problem, Segment};
pub use event::{Event, Payload};
pub use transaction::{
    OrderDelivered, OrderLine, OrderPaid, OrderPlaced, OrderReturned, OrderShipped, PaymentMethod,
};

/// The four topics upstream producers write to, each with its own schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum InputTopic {
    /// `scrm.conversation.v1`: WhatsApp messages, delivery statuses, agent hand-offs.
    Conversation,
    /// `scrm.behavior.v1`: web tracker and in-store behaviour.
    Behavior,
    /// `scrm.transaction.v1`: orders, payments, shipping and returns.
    Transaction,
    /// `scrm.crm-updates.v1`: changes from the CRMs' change feeds.
    CrmUpdates,
}

impl InputTopic {
    /// All four, in a fixed order.
    pub fn all() -> [InputTopic; 4] {
        [
            InputTopic::Conversation,
            InputTopic::Behavior,
            InputTopic::Transaction,
            InputTopic::CrmUpdates,
        ]
    }

    /// The schema file's stem under `schemas/`: `conversation_event`, `behavior_event`,
    /// `transaction_event` or `crm_update_event`.
    pub fn schema_name(self) -> &'static str {
        match self {
            InputTopic::Conversation => "conversation_event",
            InputTopic::Behavior => "behavior_event",
            InputTopic::Transaction => "transaction_event",
            InputTopic::CrmUpdates => "crm_update_event",
        }
    }

    /// The schema's record name, as `scrm_schema::Catalog::current` takes it:
    /// `ConversationEvent`, `BehaviorEvent`, `TransactionEvent` or `CrmUpdateEvent`.
    pub fn record_name(self) -> &'static str {
        match self {
            InputTopic::Conversation => "ConversationEvent",
            InputTopic::Behavior => "BehaviorEvent",
            InputTopic::Transaction => "TransactionEvent",
            InputTopic::CrmUpdates => "CrmUpdateEvent",
        }
    }

    /// The schema's full Avro name, e.g. `scrm.conversation.ConversationEvent`.
    pub fn full_name(self) -> &'static str {
        match self {
            InputTopic::Conversation => "scrm.conversation.ConversationEvent",
            InputTopic::Behavior => "scrm.behavior.BehaviorEvent",
            InputTopic::Transaction => "scrm.transaction.TransactionEvent",
            InputTopic::CrmUpdates => "scrm.crm.CrmUpdateEvent",
        }
    }

    /// Short name, as in the topic name `scrm.<short>.v1`: `conversation`, `behavior`,
    /// `transaction` or `crm-updates`.
    pub fn short(self) -> &'static str {
        match self {
            InputTopic::Conversation => "conversation",
            InputTopic::Behavior => "behavior",
            InputTopic::Transaction => "transaction",
            InputTopic::CrmUpdates => "crm-updates",
        }
    }

    /// The topic name without the deployment's prefix, e.g. `scrm.conversation.v1`.
    pub fn base_name(self) -> &'static str {
        match self {
            InputTopic::Conversation => "scrm.conversation.v1",
            InputTopic::Behavior => "scrm.behavior.v1",
            InputTopic::Transaction => "scrm.transaction.v1",
            InputTopic::CrmUpdates => "scrm.crm-updates.v1",
        }
    }

    /// The topic whose schema has this name: file stem, record name or full name.
    pub fn from_schema_name(name: &str) -> Option<InputTopic> {
        InputTopic::all()
            .into_iter()
            .find(|t| name == t.schema_name() || name == t.record_name() || name == t.full_name())
    }
}

impl fmt::Display for InputTopic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.short())
    }
}

/// A name that is not the short name of an input topic.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an input topic (conversation, behavior, transaction, crm-updates)")]
pub struct UnknownTopic(pub String);

impl FromStr for InputTopic {
    type Err = UnknownTopic;

    /// Parses a [`short`](InputTopic::short) name.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        InputTopic::all()
            .into_iter()
            .find(|t| t.short() == s)
            .ok_or_else(|| UnknownTopic(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for t in InputTopic::all() {
            assert_eq!(t.short().parse::<InputTopic>(), Ok(t));
            assert_eq!(t.to_string(), t.short());
            assert_eq!(t.base_name(), format!("scrm.{}.v1", t.short()));
            for name in [t.schema_name(), t.record_name(), t.full_name()] {
                assert_eq!(InputTopic::from_schema_name(name), Some(t));
            }
        }
        assert!("dlq".parse::<InputTopic>().is_err());
        assert_eq!(InputTopic::from_schema_name("alert"), None);
    }

    #[test]
    fn topics_are_ordered_like_all() {
        let mut sorted = InputTopic::all();
        sorted.sort();
        assert_eq!(sorted, InputTopic::all());
    }
}
