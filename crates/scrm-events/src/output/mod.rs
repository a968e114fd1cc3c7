//! The records scrm writes: [`Trigger`] (`scrm.triggers.v1`), [`CrmCommand`]
//! (`scrm.crm-commands.v1`), [`Alert`] (`scrm.alerts.v1`), [`ReviewItem`]
//! (`scrm.review.v1`) and [`DeadLetter`] (`scrm.dlq.v1`), each with `to_avro` (the value
//! of its current schema, for `scrm_schema::Codec::encode`) and `from_avro` (the value
//! `Codec::decode` returns, errors naming the field as for input events).
//!
//! The processor encodes through these types and every consumer (the WhatsApp sender,
//! sinks, tests) decodes through them, so writer and readers cannot drift apart. The
//! payload types are also the rule engine's: a rule's [`Message`] and [`CrmOp`], the
//! gate's [`Decision`] and an alert's [`Severity`] are the ones in the records
//! (`scrm_rules` re-exports them).
//!
//! ```
//! use scrm_events::output::{Decision, Message, OutputRecord, TemplateCategory, Trigger};
//!
//! let trigger = Trigger {
//!     trigger_id: "winback@scrm.conversation.v1/0/7#0".into(),
//!     customer: "+85291234567".into(),
//!     occurred_at_ms: 1_793_628_300_123,
//!     source: "scrm processor".into(),
//!     rule_id: "winback".into(),
//!     cause: "scrm.conversation.v1/0@7".into(),
//!     message: Message::Template {
//!         name: "winback".into(),
//!         language: "zh_HK".into(),
//!         category: TemplateCategory::Marketing,
//!         variables: vec!["Ka Ming".into()],
//!     },
//!     not_before_ms: None,
//!     decision: Decision::Allow,
//!     reasons: vec![],
//!     in_reply: true,
//! };
//! assert_eq!(Trigger::SCHEMA, "scrm.trigger.AutomationTrigger");
//! assert_eq!(Trigger::from_avro(&trigger.to_avro())?, trigger);
//! # Ok::<(), scrm_events::EventError>(())
//! ```

mod alert;
mod crm;
mod dead_letter;
mod review;
mod trigger;

use apache_avro::types::Value;

pub use alert::{Alert, Severity};
pub use crm::{CrmCommand, CrmOp};
pub use dead_letter::{DeadLetter, ErrorKind};
pub use review::{FieldDifference, Kept, ReviewItem, ReviewKind};
pub use trigger::{Decision, Message, TemplateCategory, Trigger};

#[cfg(test)]
pub(crate) use crm::OPERATION;
#[cfg(test)]
pub(crate) use trigger::MESSAGE;

use crate::EventError;

/// An output record type, for code that handles all of them alike (the processor's
/// encoder, a generic consumer).
pub trait OutputRecord: Sized {
    /// Full Avro name of the record's schema, as `scrm_schema::TopicKind::value_schema`
    /// names it.
    const SCHEMA: &'static str;

    /// The value of the current schema.
    fn to_avro(&self) -> Value;

    /// Decodes a value of the current schema; the error names the field at fault.
    fn from_avro(value: &Value) -> Result<Self, EventError>;
}

macro_rules! output_record {
    ($($ty:ident = $schema:literal,)+) => {
        $(
            impl OutputRecord for $ty {
                const SCHEMA: &'static str = $schema;

                fn to_avro(&self) -> Value {
                    $ty::to_avro(self)
                }

                fn from_avro(value: &Value) -> Result<Self, EventError> {
                    $ty::from_avro(value)
                }
            }
        )+
    };
}

output_record! {
    Trigger = "scrm.trigger.AutomationTrigger",
    CrmCommand = "scrm.crm.CrmCommand",
    Alert = "scrm.alert.Alert",
    ReviewItem = "scrm.review.ReviewItem",
    DeadLetter = "scrm.dlq.DeadLetter",
}
