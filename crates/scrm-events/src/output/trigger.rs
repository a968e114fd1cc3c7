//! `scrm.triggers.v1` (`automation_trigger.avsc`): a message the processor decided to send
//! over WhatsApp, with the policy gate's verdict; read by the WhatsApp sender.
//!
//! [`Message`], [`TemplateCategory`] and [`Decision`] are also the types the rule engine
//! and the policy gate work with (`scrm_rules` re-exports them), so what a rule asks for is
//! what the trigger carries, with no mapping in between.

use apache_avro::types::Value;
use serde::{Deserialize, Serialize};

use crate::decode::{
    array, avro_enum, boolean, enumeration, key, string, timestamp, AvroEnum, Decoded, Fields,
    RecordUnion,
};
use crate::encode as enc;
use crate::error::EventError;

avro_enum! {
    /// The policy gate's decision (`GateDecision`): send now, at `not_before`, or never
    /// (an audit record). The sender's ledger wrote these as `Allow`, `Defer` and
    /// `Suppress` before they were shared, hence the aliases.
    Decision = "GateDecision" {
        /// ALLOW: send now.
        #[serde(alias = "Allow")]
        Allow = "ALLOW",
        /// DEFER: send at `not_before`.
        #[serde(alias = "Defer")]
        Defer = "DEFER",
        /// SUPPRESS: audit only, never sent.
        #[serde(alias = "Suppress")]
        Suppress = "SUPPRESS",
    }
}

impl Decision {
    /// The Avro symbol (`ALLOW`, `DEFER`, `SUPPRESS`), as metrics label it.
    pub fn as_str(self) -> &'static str {
        self.symbol()
    }
}

/// WhatsApp template category (`TemplateCategory`); marketing has the weekly limit and
/// stops at an opt-out.
///
/// The schema's fourth symbol, `UNKNOWN`, is what a reader gets for a category added after
/// it was built; it reads as [`Utility`](TemplateCategory::Utility), the category without
/// marketing's limits, and no writer of scrm writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TemplateCategory {
    /// MARKETING.
    Marketing,
    /// UTILITY.
    Utility,
    /// AUTHENTICATION.
    Authentication,
}

impl TemplateCategory {
    /// The Avro symbols, in schema order.
    pub const SYMBOLS: &'static [&'static str] =
        &["MARKETING", "UTILITY", "AUTHENTICATION", "UNKNOWN"];

    /// The Avro symbol of `TemplateCategory` (automation_trigger.avsc).
    pub fn symbol(self) -> &'static str {
        match self {
            TemplateCategory::Marketing => "MARKETING",
            TemplateCategory::Utility => "UTILITY",
            TemplateCategory::Authentication => "AUTHENTICATION",
        }
    }

    /// The category of an Avro symbol; `UNKNOWN` (or anything else) is treated as utility,
    /// the category without marketing's limits.
    pub fn from_symbol(symbol: &str) -> TemplateCategory {
        match symbol {
            "MARKETING" => TemplateCategory::Marketing,
            "AUTHENTICATION" => TemplateCategory::Authentication,
            _ => TemplateCategory::Utility,
        }
    }
}

impl std::fmt::Display for TemplateCategory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.symbol())
    }
}

impl AvroEnum for TemplateCategory {
    const NAME: &'static str = "TemplateCategory";
    const EXPECTED: &'static str = "enum TemplateCategory";
    const SYMBOLS: &'static [&'static str] = TemplateCategory::SYMBOLS;
    const ALL: &'static [Self] = &[
        TemplateCategory::Marketing,
        TemplateCategory::Utility,
        TemplateCategory::Authentication,
        TemplateCategory::Utility,
    ];
    fn from_symbol(symbol: &str) -> Option<Self> {
        TemplateCategory::SYMBOLS
            .contains(&symbol)
            .then(|| TemplateCategory::from_symbol(symbol))
    }
    fn index(self) -> u32 {
        self as u32
    }
    fn avro_symbol(self) -> &'static str {
        self.symbol()
    }
}

impl Serialize for TemplateCategory {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.symbol())
    }
}

impl<'de> Deserialize<'de> for TemplateCategory {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let symbol = String::deserialize(deserializer)?;
        <TemplateCategory as AvroEnum>::from_symbol(&symbol).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "`{symbol}` is not a symbol of TemplateCategory: {}",
                TemplateCategory::SYMBOLS.join(", ")
            ))
        })
    }
}

/// What to send: an approved template or a free-form text (the `message` union).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Message {
    /// `TemplateMessage`: an approved WhatsApp template.
    Template {
        /// Approved template name (`template_name`).
        name: String,
        /// Template language code (en, fr, pt_BR, zh_HK...).
        language: String,
        /// Template category.
        category: TemplateCategory,
        /// Body variables {{1}}, {{2}}... in order, already personalized.
        variables: Vec<String>,
    },
    /// `FreeFormMessage`: text, only allowed inside the 24-hour customer-service window.
    FreeForm {
        /// The text to send.
        text: String,
        /// Template to send instead when the window has closed (error 131047).
        fallback_template: Option<String>,
    },
}

/// A trigger: one automation to send, as the processor emitted it.
///
/// Serialized with serde in the same shape the WhatsApp sender's ledger has always kept
/// (fields added since default when absent), so a schedule written by an older sender
/// still reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trigger {
    /// Deterministic id derived from the cause; the sender drops ids it already applied.
    /// Never empty.
    pub trigger_id: String,
    /// Customer key: E.164 number or BSUID. Never empty.
    pub customer: String,
    /// Event time of the cause (`occurred_at`), UTC milliseconds.
    pub occurred_at_ms: i64,
    /// Component that emitted it (`scrm processor`).
    #[serde(default)]
    pub source: String,
    /// Rule of the rule pack that fired.
    pub rule_id: String,
    /// What caused it, for people: `topic/partition@offset`, `timer <name> due <time>`,
    /// `schedule due <time>`. Nothing should parse it: what a reader needs is a field.
    pub cause: String,
    /// What to send.
    pub message: Message,
    /// Do not send before this time (`not_before`: best hour, quiet hours), UTC ms.
    pub not_before_ms: Option<i64>,
    /// The gate's decision when the trigger was emitted (`verdict.decision`).
    pub decision: Decision,
    /// Policy rules that deferred or suppressed it (`verdict.reasons`).
    pub reasons: Vec<String>,
    /// The cause is a message the customer just sent, so quiet hours do not hold this
    /// reply back, at the gate nor at the sender's recheck. False for records written
    /// before the field existed.
    #[serde(default)]
    pub in_reply: bool,
}

/// The branches of `AutomationTrigger.message`, in the order of the current schema.
pub(crate) static MESSAGE: RecordUnion = RecordUnion {
    names: &["TemplateMessage", "FreeFormMessage"],
    fields: &[
        &["template_name", "language", "category", "variables"],
        &["text", "fallback_template"],
    ],
};

impl Trigger {
    /// Decodes a value of the current `AutomationTrigger` schema, as `scrm_schema::Codec`
    /// returns it; the error names the field at fault.
    pub fn from_avro(value: &Value) -> Result<Trigger, EventError> {
        let mut r = Fields::of(value)?;
        let trigger_id = r.get("trigger_id", key)?;
        let customer = r.get("customer", key)?;
        let occurred_at_ms = r.get("occurred_at", timestamp)?;
        let source = r.get("source", string)?;
        let rule_id = r.get("rule_id", string)?;
        let cause = r.get("cause", string)?;
        let message = r.get("message", message)?;
        let not_before_ms = r.opt("not_before", timestamp)?;
        let (decision, reasons) = r.get("verdict", verdict)?;
        Ok(Trigger {
            trigger_id,
            customer,
            occurred_at_ms,
            source,
            rule_id,
            cause,
            message,
            not_before_ms,
            decision,
            reasons,
            in_reply: r.get_or("in_reply", boolean, || false)?,
        })
    }

    /// The value of the current `AutomationTrigger` schema.
    pub fn to_avro(&self) -> Value {
        let message = match &self.message {
            Message::Template {
                name,
                language,
                category,
                variables,
            } => enc::branch(
                0,
                enc::record([
                    ("template_name", enc::string(name)),
                    ("language", enc::string(language)),
                    ("category", enc::enumeration(*category)),
                    ("variables", enc::strings(variables)),
                ]),
            ),
            Message::FreeForm {
                text,
                fallback_template,
            } => enc::branch(
                1,
                enc::record([
                    ("text", enc::string(text)),
                    ("fallback_template", enc::opt_string(fallback_template)),
                ]),
            ),
        };
        enc::record([
            ("trigger_id", enc::string(&self.trigger_id)),
            ("customer", enc::string(&self.customer)),
            ("occurred_at", enc::timestamp(self.occurred_at_ms)),
            ("source", enc::string(&self.source)),
            ("rule_id", enc::string(&self.rule_id)),
            ("cause", enc::string(&self.cause)),
            ("message", message),
            (
                "not_before",
                enc::nullable(self.not_before_ms, enc::timestamp),
            ),
            (
                "verdict",
                enc::record([
                    ("decision", enc::enumeration(self.decision)),
                    ("reasons", enc::strings(&self.reasons)),
                ]),
            ),
            ("in_reply", Value::Boolean(self.in_reply)),
        ])
    }
}

fn message(value: &Value) -> Decoded<Message> {
    MESSAGE.decode(value, |branch, mut r| {
        Ok(match branch {
            0 => Message::Template {
                name: r.get("template_name", string)?,
                language: r.get("language", string)?,
                category: r.get("category", enumeration)?,
                variables: r.get("variables", |v| array(v, string))?,
            },
            _ => Message::FreeForm {
                text: r.get("text", string)?,
                fallback_template: r.opt("fallback_template", string)?,
            },
        })
    })
}

fn verdict(value: &Value) -> Decoded<(Decision, Vec<String>)> {
    let mut r = Fields::of(value)?;
    Ok((
        r.get("decision", enumeration)?,
        r.get("reasons", |v| array(v, string))?,
    ))
}
