//! Turning rule effects and rejected records into output records.
//!
//! Every output gets an id derived from its cause alone: the input's topic, partition and
//! offset plus the rule and the effect's position, or for a timer the customer, timer and
//! due time. Processing the same input again (after a crash, on another instance) gives the
//! same ids, so the WhatsApp sender and the CRM sinks drop what they already applied.

use std::collections::BTreeMap;

use scrm_events::output::{
    Alert, CrmCommand, DeadLetter, ErrorKind, OutputRecord, ReviewItem, Trigger,
};
use scrm_rules::policy::Verdict;
use scrm_rules::{CrmOp, Severity};
use scrm_schema::{Codec, KnownSchema, TopicKind};
use scrm_state::OutboxEntry;

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

/// Encodes outputs as Avro records for the outbox: each builds the record's typed value
/// (`scrm_events::output`), the same type every consumer decodes with.
pub struct OutputEncoder {
    codec: Codec,
    topics: Topics,
    triggers: &'static KnownSchema,
    crm: &'static KnownSchema,
    alerts: &'static KnownSchema,
    review: &'static KnownSchema,
    dlq: &'static KnownSchema,
}

impl std::fmt::Debug for OutputEncoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutputEncoder")
            .field("topics", &self.topics)
            .finish()
    }
}

const SOURCE: &str = "scrm processor";

/// The current schema of an output record type, checked against its topic's.
fn schema_of<R: OutputRecord>(kind: TopicKind) -> &'static KnownSchema {
    assert_eq!(
        kind.value_schema(),
        Some(R::SCHEMA),
        "{kind} carries another record type"
    );
    scrm_schema::Catalog::embedded()
        .current(R::SCHEMA)
        .expect("the output schemas are embedded")
}

impl OutputEncoder {
    pub fn new(codec: Codec, topics: Topics) -> Self {
        Self {
            codec,
            topics,
            triggers: schema_of::<Trigger>(TopicKind::Triggers),
            crm: schema_of::<CrmCommand>(TopicKind::CrmCommands),
            alerts: schema_of::<Alert>(TopicKind::Alerts),
            review: schema_of::<ReviewItem>(TopicKind::Review),
            dlq: schema_of::<DeadLetter>(TopicKind::Dlq),
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
        schema: &'static KnownSchema,
        record: &impl OutputRecord,
        origin: &Origin<'_>,
    ) -> Result<OutboxEntry, ProcessError> {
        let topic = self.topics.name(kind);
        let bytes = self
            .codec
            .encode(&topic, schema, &record.to_avro())
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
        let trigger = Trigger {
            trigger_id: origin.id.clone(),
            customer: origin.customer.to_owned(),
            occurred_at_ms: origin.at_ms,
            source: SOURCE.to_owned(),
            rule_id: origin.rule.to_owned(),
            cause: cause.describe(),
            message: verdict.message.clone(),
            not_before_ms: verdict.not_before_ms,
            decision: verdict.decision,
            reasons: verdict.reasons.clone(),
            in_reply: verdict.in_reply,
        };
        self.encode(TopicKind::Triggers, self.triggers, &trigger, origin)
    }

    /// A CRM command; `rule` is the rule that asked for it, `None` for one that follows
    /// from state.
    pub fn crm_command(
        &self,
        origin: &Origin<'_>,
        op: &CrmOp,
        rule: Option<&str>,
    ) -> Result<OutboxEntry, ProcessError> {
        let command = CrmCommand {
            command_id: origin.id.clone(),
            customer: origin.customer.to_owned(),
            occurred_at_ms: origin.at_ms,
            source: SOURCE.to_owned(),
            rule_id: rule.map(str::to_owned),
            operation: op.clone(),
        };
        self.encode(TopicKind::CrmCommands, self.crm, &command, origin)
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
        let alert = Alert {
            alert_id: origin.id.clone(),
            occurred_at_ms: origin.at_ms,
            source: SOURCE.to_owned(),
            kind: kind.to_owned(),
            severity,
            subject: subject.to_owned(),
            customer: (!origin.customer.is_empty()).then(|| origin.customer.to_owned()),
            message: message.to_owned(),
            details: details.clone(),
        };
        self.encode(TopicKind::Alerts, self.alerts, &alert, origin)
    }

    /// A review item for a person, keyed by its customer. Its id, customer and time are the
    /// item's own; `partition` is where it goes.
    pub fn review(&self, partition: u32, item: &ReviewItem) -> Result<OutboxEntry, ProcessError> {
        let origin = Origin {
            id: item.review_id.clone(),
            customer: &item.customer,
            partition,
            at_ms: item.occurred_at_ms,
            rule: "",
        };
        self.encode(TopicKind::Review, self.review, item, &origin)
    }

    /// The dead letter of a record the processor could not apply, with its original bytes
    /// and the reason, also in `scrm.error.*` headers. `kind` is an `ErrorKind` symbol
    /// (`DECODE`, `VALIDATION`...).
    pub fn dead_letter(
        &self,
        original: &Rejected<'_>,
        kind: &str,
        reason: &str,
    ) -> Result<OutboxEntry, ProcessError> {
        let error_kind = ErrorKind::from_symbol(kind).ok_or_else(|| {
            ProcessError::Internal(format!(
                "dead letter of {}/{}@{}: `{kind}` is not an ErrorKind ({})",
                original.topic,
                original.partition,
                original.offset,
                ErrorKind::SYMBOLS.join(", ")
            ))
        })?;
        let out_of_range = |what: &str| {
            ProcessError::Internal(format!(
                "dead letter of {}/{}@{}: {what} does not fit its field",
                original.topic, original.partition, original.offset
            ))
        };
        let letter = DeadLetter {
            dead_letter_id: format!(
                "processor@{}/{}/{}",
                original.topic, original.partition, original.offset
            ),
            failed_at_ms: original.timestamp_ms,
            source: SOURCE.to_owned(),
            error_kind,
            error: reason.to_owned(),
            original_topic: Some(original.topic.to_owned()),
            original_partition: Some(
                i32::try_from(original.partition).map_err(|_| out_of_range("the partition"))?,
            ),
            original_offset: Some(
                i64::try_from(original.offset).map_err(|_| out_of_range("the offset"))?,
            ),
            original_timestamp_ms: Some(original.timestamp_ms),
            original_key: original.key.map(<[u8]>::to_vec),
            original_value: original.value.to_vec(),
            original_headers: original
                .headers
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        };
        let key = String::from_utf8_lossy(original.key.unwrap_or_default()).into_owned();
        let origin = Origin {
            id: String::new(),
            customer: &key,
            partition: original.partition,
            at_ms: original.timestamp_ms,
            rule: "",
        };
        let mut entry = self.encode(TopicKind::Dlq, self.dlq, &letter, &origin)?;
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

#[cfg(test)]
mod tests {
    use scrm_events::output::{Decision, Message, TemplateCategory};

    use super::*;

    fn encoder() -> OutputEncoder {
        OutputEncoder::new(Codec::single_object(), Topics::new("shop1."))
    }

    fn decode<R: OutputRecord>(entry: &OutboxEntry) -> R {
        let schema = scrm_schema::Catalog::embedded().current(R::SCHEMA).unwrap();
        let value = Codec::single_object().decode(&entry.value, schema).unwrap();
        R::from_avro(&value).unwrap()
    }

    fn origin() -> Origin<'static> {
        Origin {
            id: "store_search@scrm.conversation.v1/2/41#0".into(),
            customer: "+85291234567",
            partition: 2,
            at_ms: 1_793_757_600_000,
            rule: "store_search",
        }
    }

    #[test]
    fn a_trigger_carries_the_verdict_and_whether_it_is_a_reply() {
        let verdict = Verdict {
            decision: Decision::Defer,
            reasons: vec!["best_hour".into()],
            not_before_ms: Some(1_793_800_000_000),
            message: Message::Template {
                name: "store_coupon".into(),
                language: "zh_HK".into(),
                category: TemplateCategory::Marketing,
                variables: vec!["陳美美".into()],
            },
            tier_warning: None,
            in_reply: true,
        };
        let cause = Cause::Input {
            topic: "shop1.scrm.conversation.v1",
            partition: 2,
            offset: 41,
        };
        let out = encoder();
        let entry = out.trigger(&origin(), &cause, &verdict).unwrap();
        assert_eq!(entry.topic, "shop1.scrm.triggers.v1");
        assert_eq!(
            (entry.partition, entry.key.as_slice()),
            (2, &b"+85291234567"[..])
        );
        let trigger: Trigger = decode(&entry);
        assert_eq!(
            trigger,
            Trigger {
                trigger_id: origin().id,
                customer: "+85291234567".into(),
                occurred_at_ms: 1_793_757_600_000,
                source: SOURCE.into(),
                rule_id: "store_search".into(),
                cause: "shop1.scrm.conversation.v1/2@41".into(),
                message: verdict.message.clone(),
                not_before_ms: verdict.not_before_ms,
                decision: Decision::Defer,
                reasons: vec!["best_hour".into()],
                in_reply: true,
            }
        );
        // Same input, same bytes, from another encoder.
        assert_eq!(
            encoder()
                .trigger(&origin(), &cause, &verdict)
                .unwrap()
                .value,
            entry.value
        );
        let not_a_reply = Verdict {
            in_reply: false,
            ..verdict
        };
        let entry = out.trigger(&origin(), &cause, &not_a_reply).unwrap();
        assert!(
            !decode::<Trigger>(&entry).in_reply,
            "the cause's topic decides nothing"
        );
    }

    #[test]
    fn crm_commands_alerts_and_review_items_decode_as_built() {
        let out = encoder();
        let op = CrmOp::AddNote {
            body: "Asked for the nearest store".into(),
            media_url: None,
        };
        let command: CrmCommand = decode(
            &out.crm_command(&origin(), &op, Some("store_search"))
                .unwrap(),
        );
        assert_eq!(command.operation, op);
        assert_eq!(command.rule_id.as_deref(), Some("store_search"));

        let details = BTreeMap::from([("used".to_owned(), "800".to_owned())]);
        let business = Origin {
            customer: "",
            ..origin()
        };
        let entry = out
            .alert(
                &business,
                "tier_limit_near",
                Severity::Warning,
                "business",
                "80% used",
                &details,
            )
            .unwrap();
        let alert: Alert = decode(&entry);
        assert_eq!(
            (alert.customer, alert.severity, alert.details),
            (None, Severity::Warning, details)
        );

        let item = ReviewItem {
            review_id: "merge@+85291234567/+85261234567".into(),
            customer: "+85291234567".into(),
            occurred_at_ms: 5,
            source: SOURCE.into(),
            kind: scrm_events::output::ReviewKind::MergeProposal,
            summary: "Same person?".into(),
            related_customers: vec!["+85261234567".into()],
            differences: Vec::new(),
            details: BTreeMap::new(),
        };
        let entry = out.review(3, &item).unwrap();
        assert_eq!(
            (entry.topic.as_str(), entry.partition),
            ("shop1.scrm.review.v1", 3)
        );
        assert_eq!(decode::<ReviewItem>(&entry), item);
    }

    #[test]
    fn a_dead_letter_keeps_the_original_bytes_and_names_its_kind() {
        let headers = vec![("trace".to_owned(), vec![0xff, 0])];
        let rejected = Rejected {
            topic: "shop1.scrm.behavior.v1",
            partition: 4,
            offset: 99,
            timestamp_ms: 1_793_757_600_000,
            key: Some(b"+85291234567"),
            value: &[0xC3, 0x01, 7],
            headers: &headers,
        };
        let out = encoder();
        let entry = out
            .dead_letter(&rejected, "DECODE", "unknown schema")
            .unwrap();
        let letter: DeadLetter = decode(&entry);
        assert_eq!(
            letter.dead_letter_id,
            "processor@shop1.scrm.behavior.v1/4/99"
        );
        assert_eq!(letter.error_kind, ErrorKind::Decode);
        assert_eq!(letter.original_value, [0xC3, 0x01, 7]);
        assert_eq!(letter.original_headers["trace"], [0xff, 0]);
        assert_eq!(
            entry.headers[0],
            ("scrm.error.kind".into(), b"DECODE".to_vec())
        );
        let err = out
            .dead_letter(&rejected, "OOPS", "x")
            .unwrap_err()
            .to_string();
        assert!(err.contains("`OOPS` is not an ErrorKind"), "{err}");
    }
}
