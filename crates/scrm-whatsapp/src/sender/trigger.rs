//! An `AutomationTrigger` record (schemas/automation_trigger.avsc) as the sender handles
//! it: the shared [`scrm_events::output::Trigger`], which the processor encodes and the
//! sender decodes with the same code, plus the sender's own count of attempts.

use std::ops::{Deref, DerefMut};

use apache_avro::types::Value;
use serde::{Deserialize, Serialize};

pub use scrm_events::output::Decision;
/// The trigger's message: the shared type, which is also `scrm_rules::Message`; the ledger
/// stores it as it is.
pub use scrm_events::output::Message as StoredMessage;

/// What the sender knows of a trigger. Also what it keeps in its ledger for a trigger that
/// waits for its time, as JSON: the record's fields, flat, and `attempts`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trigger {
    /// The record as the processor wrote it.
    #[serde(flatten)]
    pub record: scrm_events::output::Trigger,
    /// Attempts made so far (for retries).
    #[serde(default)]
    pub attempts: u32,
}

impl Deref for Trigger {
    type Target = scrm_events::output::Trigger;

    fn deref(&self) -> &Self::Target {
        &self.record
    }
}

impl DerefMut for Trigger {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.record
    }
}

impl From<scrm_events::output::Trigger> for Trigger {
    fn from(record: scrm_events::output::Trigger) -> Self {
        Trigger {
            record,
            attempts: 0,
        }
    }
}

impl Trigger {
    /// Whether the trigger answers a message the customer just sent (quiet hours do not
    /// hold those back), as the processor's gate judged it.
    pub fn in_reply(&self) -> bool {
        self.record.in_reply
    }

    /// Reads a decoded `AutomationTrigger`; the error names the field at fault
    /// (`verdict.decision: ...`), ready for the dead letter.
    pub fn from_avro(value: &Value) -> Result<Trigger, String> {
        scrm_events::output::Trigger::from_avro(value)
            .map(Trigger::from)
            .map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use scrm_events::output::TemplateCategory;

    /// A scheduled trigger exactly as the sender's ledger stored it before the trigger type
    /// was shared (no `source`, no `in_reply`, decisions in Rust spelling).
    const OLD_LEDGER_ENTRY: &str = r#"{"trigger_id":"winback@scrm.behavior.v1/0/7#0","customer":"+85291234567","occurred_at_ms":1795003200000,"rule_id":"winback","cause":"scrm.behavior.v1/0@7","message":{"Template":{"name":"winback","language":"zh_HK","category":"MARKETING","variables":["Ka Ming"]}},"not_before_ms":1795010400000,"decision":"Defer","reasons":["best_hour"],"attempts":2}"#;

    #[test]
    fn schedules_written_before_the_shared_type_still_read() {
        let trigger: Trigger = serde_json::from_str(OLD_LEDGER_ENTRY).unwrap();
        assert_eq!(trigger.attempts, 2);
        assert_eq!(trigger.decision, Decision::Defer);
        assert_eq!(trigger.not_before_ms, Some(1_795_010_400_000));
        assert!(!trigger.in_reply());
        assert_eq!(trigger.source, "");
        assert_eq!(
            trigger.message,
            StoredMessage::Template {
                name: "winback".into(),
                language: "zh_HK".into(),
                category: TemplateCategory::Marketing,
                variables: vec!["Ka Ming".into()],
            }
        );
        // And what it writes now reads back the same.
        let again: Trigger =
            serde_json::from_slice(&serde_json::to_vec(&trigger).unwrap()).unwrap();
        assert_eq!(again, trigger);
    }

    #[test]
    fn in_reply_is_the_records_field_not_a_guess_from_the_cause() {
        let mut trigger: Trigger = serde_json::from_str(OLD_LEDGER_ENTRY).unwrap();
        trigger.cause = "scrm.conversation.v1/3@42".into();
        assert!(!trigger.in_reply(), "the cause's topic says nothing");
        trigger.in_reply = true;
        trigger.cause = "timer winback due 2026-11-18T12:00:00.000Z".into();
        assert!(trigger.in_reply());
    }

    #[test]
    fn a_bad_record_names_the_field() {
        let mut value = serde_json::from_str::<Trigger>(OLD_LEDGER_ENTRY)
            .unwrap()
            .to_avro();
        let Value::Record(fields) = &mut value else {
            unreachable!()
        };
        let verdict = fields.iter_mut().find(|(n, _)| n == "verdict").unwrap();
        let Value::Record(verdict) = &mut verdict.1 else {
            unreachable!()
        };
        verdict[0].1 = Value::Enum(7, "MAYBE".into());
        let err = Trigger::from_avro(&value).unwrap_err();
        assert!(err.starts_with("verdict.decision: `MAYBE`"), "{err}");
    }
}
