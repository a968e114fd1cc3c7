//! Turning rule effects and rejected records into output records.
//!
//! Every output gets an id derived from its cause alone: the input's topic, partition and
//! offset plus the rule and the effect's position, or for a timer the customer, timer and
//! due time. Processing the same input again (after a crash, on another instance) gives the
//! same ids, so the WhatsApp sender and the CRM sinks drop what they already applied.

use std::collections::BTreeMap;

use base64::Engine as _;
use scrm_rules::policy::Verdict;
use scrm_rules::{CrmOp, Message, Severity};
use scrm_schema::json::{json_to_avro, Names};
use scrm_schema::{Codec, KnownSchema, TopicKind};
use scrm_state::OutboxEntry;
use serde_json::{json, Value as Json};

use crate::error::ProcessError;

/// Full names of the topics the processor uses.
#[derive(Debug, Clone)]
pub struct Topics {
    pub prefix: String,
}

impl Topics {
    pub fn new(prefix: &str) -> Self {
        Self {
            prefix: prefix.to_owned(),
        }
    }

    pub fn name(&self, kind: TopicKind) -> String {
        kind.name(&self.prefix)
    }
}

/// What caused an output.
#[derive(Debug, Clone)]
pub enum Cause<'a> {
    Input {
        topic: &'a str,
        partition: u32,
        offset: u64,
    },
    Timer {
        customer: &'a str,
        name: &'a str,
        due_ms: i64,
    },
    /// A scheduled rule's run at `due_ms`, for one customer, agent or the business.
    Schedule {
        partition: u32,
        due_ms: i64,
        subject: &'a str,
    },
}

impl Cause<'_> {
    /// The id of the `n`th output of `rule` for this cause.
    pub fn output_id(&self, rule: &str, n: usize) -> String {
        match self {
            Cause::Input {
                topic,
                partition,
                offset,
            } => format!("{rule}@{topic}/{partition}/{offset}#{n}"),
            Cause::Timer {
                customer,
                name,
                due_ms,
            } => format!("{rule}@timer/{customer}/{name}/{due_ms}#{n}"),
            Cause::Schedule {
                partition,
                due_ms,
                subject,
            } => format!("{rule}@schedule/{partition}/{due_ms}/{subject}#{n}"),
        }
    }

    /// Human-readable cause, carried in the outputs.
    pub fn describe(&self) -> String {
        match self {
            Cause::Input {
                topic,
                partition,
                offset,
            } => format!("{topic}/{partition}@{offset}"),
            Cause::Timer { name, due_ms, .. } => {
                format!(
                    "timer {name} due {}",
                    scrm_schema::json::format_millis(*due_ms)
                )
            }
            Cause::Schedule { due_ms, .. } => {
                format!("schedule due {}", scrm_schema::json::format_millis(*due_ms))
            }
        }
    }
}

struct Schema {
    known: &'static KnownSchema,
    names: Names<'static>,
}

impl Schema {
    fn of(kind: TopicKind) -> Schema {
        let name = kind.value_schema().expect("output topics have schemas");
        let known = scrm_schema::Catalog::embedded()
            .current(name)
            .expect("the output schemas are embedded");
        Schema {
            known,
            names: Names::of(&known.schema),
        }
    }
}

/// Encodes outputs as Avro records for the outbox.
pub struct OutputEncoder {
    codec: Codec,
    topics: Topics,
    triggers: Schema,
    crm: Schema,
    alerts: Schema,
    dlq: Schema,
}

impl std::fmt::Debug for OutputEncoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutputEncoder")
            .field("topics", &self.topics)
            .finish()
    }
}

const SOURCE: &str = "scrm processor";

impl OutputEncoder {
    pub fn new(codec: Codec, topics: Topics) -> Self {
        Self {
            codec,
            topics,
            triggers: Schema::of(TopicKind::Triggers),
            crm: Schema::of(TopicKind::CrmCommands),
            alerts: Schema::of(TopicKind::Alerts),
            dlq: Schema::of(TopicKind::Dlq),
        }
    }

    pub fn topics(&self) -> &Topics {
        &self.topics
    }

    pub fn codec(&self) -> &Codec {
        &self.codec
    }

    fn encode(
        &self,
        kind: TopicKind,
        schema: &Schema,
        json: &Json,
        origin: &Origin<'_>,
    ) -> Result<OutboxEntry, ProcessError> {
        let topic = self.topics.name(kind);
        let value = json_to_avro(&schema.known.schema, &schema.names, json)
            .map_err(|e| ProcessError::Internal(format!("building a {topic} record: {e}")))?;
        let bytes = self
            .codec
            .encode(&topic, schema.known, &value)
            .map_err(|e| ProcessError::Internal(format!("encoding a {topic} record: {e}")))?;
        Ok(OutboxEntry {
            topic,
            partition: origin.partition,
            key: origin.customer.as_bytes().to_vec(),
            value: bytes,
            timestamp_ms: origin.at_ms,
            headers: Vec::new(),
        })
    }

    pub fn trigger(
        &self,
        origin: &Origin<'_>,
        cause: &Cause<'_>,
        verdict: &Verdict,
    ) -> Result<OutboxEntry, ProcessError> {
        let message = match &verdict.message {
            Message::Template {
                name,
                language,
                category,
                variables,
            } => json!({"TemplateMessage": {
                "template_name": name,
                "language": language,
                "category": category.symbol(),
                "variables": variables,
            }}),
            Message::FreeForm {
                text,
                fallback_template,
            } => json!({"FreeFormMessage": {"text": text, "fallback_template": fallback_template}}),
        };
        let json = json!({
            "trigger_id": origin.id,
            "customer": origin.customer,
            "occurred_at": origin.at_ms,
            "source": SOURCE,
            "rule_id": origin.rule,
            "cause": cause.describe(),
            "message": message,
            "not_before": verdict.not_before_ms,
            "verdict": {"decision": verdict.decision.as_str(), "reasons": verdict.reasons},
        });
        self.encode(TopicKind::Triggers, &self.triggers, &json, origin)
    }

    pub fn crm_command(
        &self,
        origin: &Origin<'_>,
        op: &CrmOp,
    ) -> Result<OutboxEntry, ProcessError> {
        let operation = match op {
            CrmOp::UpsertContact { fields } => json!({"UpsertContact": {"fields": fields}}),
            CrmOp::CreateTask {
                subject,
                body,
                due_at_ms,
                priority,
            } => json!({"CreateTask": {
                "subject": subject, "body": body, "due_at": due_at_ms, "priority": priority,
            }}),
            CrmOp::AddNote { body } => json!({"AddNote": {"body": body, "media_url": null}}),
        };
        let json = json!({
            "command_id": origin.id,
            "customer": origin.customer,
            "occurred_at": origin.at_ms,
            "source": SOURCE,
            "rule_id": origin.rule,
            "operation": operation,
        });
        self.encode(TopicKind::CrmCommands, &self.crm, &json, origin)
    }

    pub fn alert(
        &self,
        origin: &Origin<'_>,
        kind: &str,
        severity: Severity,
        subject: &str,
        message: &str,
        details: &BTreeMap<String, String>,
    ) -> Result<OutboxEntry, ProcessError> {
        let json = json!({
            "alert_id": origin.id,
            "occurred_at": origin.at_ms,
            "source": SOURCE,
            "kind": kind,
            "severity": match severity {
                Severity::Info => "INFO",
                Severity::Warning => "WARNING",
                Severity::Critical => "CRITICAL",
            },
            "subject": subject,
            "customer": (!origin.customer.is_empty()).then_some(origin.customer),
            "message": message,
            "details": details,
        });
        self.encode(TopicKind::Alerts, &self.alerts, &json, origin)
    }

    /// The dead letter of a record the processor could not apply, with its original bytes
    /// and the reason, also in `scrm.error.*` headers.
    pub fn dead_letter(
        &self,
        original: &Rejected<'_>,
        kind: &str,
        reason: &str,
    ) -> Result<OutboxEntry, ProcessError> {
        let b64 = base64::engine::general_purpose::STANDARD;
        let headers: BTreeMap<&str, String> = original
            .headers
            .iter()
            .map(|(k, v)| (k.as_str(), b64.encode(v)))
            .collect();
        let json = json!({
            "dead_letter_id": format!("processor@{}/{}/{}", original.topic, original.partition, original.offset),
            "failed_at": original.timestamp_ms,
            "source": SOURCE,
            "error_kind": kind,
            "error": reason,
            "original_topic": original.topic,
            "original_partition": original.partition,
            "original_offset": original.offset,
            "original_timestamp": original.timestamp_ms,
            "original_key": original.key.map(|k| b64.encode(k)),
            "original_value": b64.encode(original.value),
            "original_headers": headers,
        });
        let key = String::from_utf8_lossy(original.key.unwrap_or_default()).into_owned();
        let origin = Origin {
            id: String::new(),
            customer: &key,
            partition: original.partition,
            at_ms: original.timestamp_ms,
            rule: "",
        };
        let mut entry = self.encode(TopicKind::Dlq, &self.dlq, &json, &origin)?;
        entry.headers = vec![
            ("scrm.error.kind".into(), kind.as_bytes().to_vec()),
            ("scrm.error.reason".into(), reason.as_bytes().to_vec()),
            ("scrm.error.source".into(), SOURCE.as_bytes().to_vec()),
        ];
        Ok(entry)
    }
}

/// Who an output is for and where it comes from.
#[derive(Debug, Clone)]
pub struct Origin<'a> {
    pub id: String,
    pub customer: &'a str,
    pub partition: u32,
    pub at_ms: i64,
    pub rule: &'a str,
}

/// A record that goes to the dead-letter topic.
#[derive(Debug, Clone, Copy)]
pub struct Rejected<'a> {
    pub topic: &'a str,
    pub partition: u32,
    pub offset: u64,
    pub timestamp_ms: i64,
    pub key: Option<&'a [u8]>,
    pub value: &'a [u8],
    pub headers: &'a [(String, Vec<u8>)],
}
