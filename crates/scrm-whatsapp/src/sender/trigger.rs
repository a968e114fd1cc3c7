//! An `AutomationTrigger` record (schemas/automation_trigger.avsc) as the sender reads it.

use apache_avro::types::Value;
use scrm_rules::{Message, TemplateCategory};
use serde::{Deserialize, Serialize};

/// The policy gate's decision when the trigger was emitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Decision {
    Allow,
    Defer,
    Suppress,
}

/// What the sender needs of a trigger. Also what it keeps in its ledger for a trigger that
/// waits for its time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trigger {
    pub trigger_id: String,
    pub customer: String,
    pub occurred_at_ms: i64,
    pub rule_id: String,
    /// The input that caused it: `topic/partition/offset`, or `timer:...`.
    pub cause: String,
    pub message: StoredMessage,
    pub not_before_ms: Option<i64>,
    pub decision: Decision,
    pub reasons: Vec<String>,
    /// Attempts made so far (for retries).
    #[serde(default)]
    pub attempts: u32,
}

/// [`Message`] in a form the ledger can store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum StoredMessage {
    Template {
        name: String,
        language: String,
        category: String,
        variables: Vec<String>,
    },
    FreeForm {
        text: String,
        fallback_template: Option<String>,
    },
}

impl StoredMessage {
    pub fn to_message(&self) -> Message {
        match self {
            StoredMessage::Template {
                name,
                language,
                category,
                variables,
                ..
            } => Message::Template {
                name: name.clone(),
                language: language.clone(),
                category: TemplateCategory::from_symbol(category),
                variables: variables.clone(),
            },
            StoredMessage::FreeForm {
                text,
                fallback_template,
            } => Message::FreeForm {
                text: text.clone(),
                fallback_template: fallback_template.clone(),
            },
        }
    }
}

impl Trigger {
    /// Whether the trigger answers a message the customer just sent (quiet hours do not
    /// hold those back): its cause is an input record of the conversation topic.
    pub fn in_reply(&self) -> bool {
        self.cause.contains("conversation")
    }

    /// Reads a decoded `AutomationTrigger`; the error names the field at fault.
    pub fn from_avro(value: &Value) -> Result<Trigger, String> {
        let message = match field(value, "message")? {
            Value::Union(_, inner) => inner.as_ref(),
            other => other,
        };
        let message = if let Ok(name) = field(message, "template_name") {
            StoredMessage::Template {
                name: string(name, "message.template_name")?,
                language: string(field(message, "language")?, "message.language")?,
                category: symbol(field(message, "category")?, "message.category")?,
                variables: strings(field(message, "variables")?, "message.variables")?,
            }
        } else {
            StoredMessage::FreeForm {
                text: string(field(message, "text")?, "message.text")?,
                fallback_template: optional(field(message, "fallback_template")?)
                    .map(|v| string(v, "message.fallback_template"))
                    .transpose()?,
            }
        };
        let verdict = field(value, "verdict")?;
        Ok(Trigger {
            trigger_id: string(field(value, "trigger_id")?, "trigger_id")?,
            customer: string(field(value, "customer")?, "customer")?,
            occurred_at_ms: millis(field(value, "occurred_at")?, "occurred_at")?,
            rule_id: string(field(value, "rule_id")?, "rule_id")?,
            cause: string(field(value, "cause")?, "cause")?,
            message,
            not_before_ms: optional(field(value, "not_before")?)
                .map(|v| millis(v, "not_before"))
                .transpose()?,
            decision: match symbol(field(verdict, "decision")?, "verdict.decision")?.as_str() {
                "ALLOW" => Decision::Allow,
                "DEFER" => Decision::Defer,
                "SUPPRESS" => Decision::Suppress,
                other => return Err(format!("verdict.decision: unknown symbol {other:?}")),
            },
            reasons: strings(field(verdict, "reasons")?, "verdict.reasons")?,
            attempts: 0,
        })
    }
}

fn field<'v>(value: &'v Value, name: &str) -> Result<&'v Value, String> {
    scrm_schema::record_field(value, name).ok_or_else(|| format!("{name}: missing"))
}

fn optional(value: &Value) -> Option<&Value> {
    match value {
        Value::Null => None,
        Value::Union(_, inner) if matches!(inner.as_ref(), Value::Null) => None,
        Value::Union(_, inner) => Some(inner.as_ref()),
        other => Some(other),
    }
}

fn string(value: &Value, name: &str) -> Result<String, String> {
    match value {
        Value::String(s) => Ok(s.clone()),
        other => Err(format!("{name}: expected a string, found {other:?}")),
    }
}

fn symbol(value: &Value, name: &str) -> Result<String, String> {
    match value {
        Value::Enum(_, s) | Value::String(s) => Ok(s.clone()),
        other => Err(format!("{name}: expected an enum symbol, found {other:?}")),
    }
}

fn millis(value: &Value, name: &str) -> Result<i64, String> {
    match value {
        Value::TimestampMillis(ms) | Value::Long(ms) => Ok(*ms),
        other => Err(format!(
            "{name}: expected timestamp-millis, found {other:?}"
        )),
    }
}

fn strings(value: &Value, name: &str) -> Result<Vec<String>, String> {
    match value {
        Value::Array(items) => items.iter().map(|v| string(v, name)).collect(),
        other => Err(format!("{name}: expected an array, found {other:?}")),
    }
}
