//! JSON → validated Avro record: what `scrm produce`, `scrm demo` and the webhook gateway
//! do to every event.
//!
//! Validation beyond the schema: the customer key is normalized to E.164 (or accepted as a
//! BSUID) with the configured default region, `event_id` must not be empty, and, once
//! [`Ingest::with_time_bounds`] is given the door's bounds and wall clock, `occurred_at`
//! must be plausible: not beyond the allowed skew ahead of the clock, not before the
//! earliest accepted date (a time in seconds or microseconds is named as such). A line is
//! either turned into one whole record or rejected with the field at fault; nothing is
//! half-written.

use std::sync::Arc;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use scrm_identity::Region;
use scrm_log::Record;
use scrm_schema::json::{json_to_avro, Names};
use scrm_schema::{
    record_field, set_record_field, Codec, FieldError, KnownSchema, TopicKind, Value,
};
use scrm_time::{Clock as _, SharedClock, TimeBounds, TimeError};

/// Turns JSON values into records of one topic.
pub struct Ingest {
    codec: Arc<Codec>,
    schema: &'static KnownSchema,
    names: Names<'static>,
    topic: String,
    kind: TopicKind,
    region: Region,
    time: Option<TimeCheck>,
}

/// The plausibility check of event times: the bounds and the wall clock they are read
/// against.
#[derive(Debug, Clone)]
pub struct TimeCheck {
    /// What is believed.
    pub bounds: TimeBounds,
    /// The wall clock `occurred_at` is compared with.
    pub clock: SharedClock,
}

/// Why a line was rejected.
#[derive(Debug)]
pub enum Rejection {
    Json(String),
    Field(FieldError),
    /// Framing, schema or encoding problems of Avro input.
    Encode(String),
    /// `occurred_at` is not believed (too far ahead of the wall clock, or too early).
    Time(TimeError),
}

impl Rejection {
    /// The dead letter's `error_kind`: the bytes were not readable (`DECODE`), or they were
    /// but their content is not acceptable (`VALIDATION`).
    pub fn kind(&self) -> &'static str {
        match self {
            Rejection::Json(_) => "DECODE",
            _ => "VALIDATION",
        }
    }
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Rejection::Json(e) => write!(f, "not valid JSON: {e}"),
            Rejection::Field(e) => e.fmt(f),
            Rejection::Encode(e) => f.write_str(e),
            Rejection::Time(e) => e.fmt(f),
        }
    }
}

/// Field names of the envelope that carry time and key, per schema.
fn time_field(kind: TopicKind) -> &'static str {
    match kind {
        TopicKind::Dlq => "failed_at",
        _ => "occurred_at",
    }
}

impl std::fmt::Debug for Ingest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ingest")
            .field("topic", &self.topic)
            .field("schema", &self.schema.full_name)
            .finish()
    }
}

impl Ingest {
    pub fn new(
        codec: Arc<Codec>,
        kind: TopicKind,
        schema: &'static KnownSchema,
        topic: String,
        region: Region,
    ) -> Self {
        Self {
            codec,
            schema,
            names: Names::of(&schema.schema),
            topic,
            kind,
            region,
            time: None,
        }
    }

    /// Refuses records whose `occurred_at` is outside `bounds` as read on `clock`. Records
    /// of scrm's own making (dead letters, stamped `failed_at` by the door itself) are not
    /// checked.
    pub fn with_time_bounds(mut self, bounds: TimeBounds, clock: SharedClock) -> Self {
        self.time = Some(TimeCheck { bounds, clock });
        self
    }

    /// The time check, if one is configured.
    pub fn time_check(&self) -> Option<&TimeCheck> {
        self.time.as_ref()
    }

    /// The wall clock of the time check, or the system's when none is configured.
    pub fn now_ms(&self) -> i64 {
        match &self.time {
            Some(check) => check.clock.now_ms(),
            None => scrm_time::SystemClock.now_ms(),
        }
    }

    /// The topic the records are for.
    pub fn topic(&self) -> &str {
        &self.topic
    }

    /// Parses and encodes one line.
    pub fn line(&self, line: &[u8]) -> Result<Record, Rejection> {
        let json: serde_json::Value =
            serde_json::from_slice(line).map_err(|e| Rejection::Json(e.to_string()))?;
        self.json(&json)
    }

    pub fn json(&self, json: &serde_json::Value) -> Result<Record, Rejection> {
        let value =
            json_to_avro(&self.schema.schema, &self.names, json).map_err(Rejection::Field)?;
        self.value(value)
    }

    /// A record already encoded by the producer (single-object or Confluent framing, base64
    /// on the line): decoded against its writer schema, validated and re-encoded, so what is
    /// stored is always valid for this release.
    pub fn avro_base64(&self, line: &[u8]) -> Result<Record, Rejection> {
        let bytes = BASE64
            .decode(line)
            .map_err(|e| Rejection::Json(format!("not base64: {e}")))?;
        let (writer, _) = self
            .codec
            .writer_of(&bytes)
            .map_err(|e| Rejection::Encode(e.to_string()))?;
        if writer.full_name != self.schema.full_name {
            return Err(Rejection::Encode(format!(
                "record is a {}, but {} carries {}",
                writer.full_name, self.topic, self.schema.full_name
            )));
        }
        let value = self
            .codec
            .decode(&bytes, self.schema)
            .map_err(|e| Rejection::Encode(e.to_string()))?;
        self.value(value)
    }

    fn value(&self, mut value: Value) -> Result<Record, Rejection> {
        let key = self.validate(&mut value).map_err(Rejection::Field)?;
        let timestamp_ms = match record_field(&value, time_field(self.kind)) {
            Some(Value::TimestampMillis(ms)) => *ms,
            _ => 0,
        };
        if let Some(check) = self.time.as_ref().filter(|_| self.kind != TopicKind::Dlq) {
            check
                .bounds
                .check(timestamp_ms, check.clock.now_ms())
                .map_err(Rejection::Time)?;
        }
        let bytes = self
            .codec
            .encode(&self.topic, self.schema, &value)
            .map_err(|e| Rejection::Encode(e.to_string()))?;
        Ok(Record::new(key, bytes, timestamp_ms))
    }

    /// Checks what the schema can't say and returns the record key.
    fn validate(&self, value: &mut Value) -> Result<Vec<u8>, FieldError> {
        for id_field in [
            "event_id",
            "trigger_id",
            "command_id",
            "alert_id",
            "review_id",
            "dead_letter_id",
        ] {
            if let Some(Value::String(id)) = record_field(value, id_field) {
                if id.trim().is_empty() {
                    return Err(field_error(id_field, "must not be empty"));
                }
            }
        }
        let customer = match record_field(value, "customer") {
            Some(Value::String(c)) => Some(c.clone()),
            Some(Value::Union(_, inner)) => match inner.as_ref() {
                Value::String(c) => Some(c.clone()),
                _ => None,
            },
            _ => None,
        };
        if let Some(raw) = customer {
            // Business-wide events (Meta's messaging limit) carry the business key as is.
            if raw == scrm_events::BUSINESS_KEY {
                return Ok(raw.into_bytes());
            }
            let key = scrm_identity::normalize(&raw, self.region)
                .map_err(|e| field_error("customer", e.to_string()))?;
            let normalized = key.as_str().to_owned();
            let replaced = match record_field(value, "customer") {
                Some(Value::Union(i, _)) => {
                    Value::Union(*i, Box::new(Value::String(normalized.clone())))
                }
                _ => Value::String(normalized.clone()),
            };
            set_record_field(value, "customer", replaced);
            return Ok(normalized.into_bytes());
        }
        // Records without a customer (alerts, dead letters) are keyed by what they concern.
        for key_field in ["subject", "dead_letter_id"] {
            if let Some(Value::String(k)) = record_field(value, key_field) {
                return Ok(k.clone().into_bytes());
            }
        }
        Ok(Vec::new())
    }
}

fn field_error(path: &str, message: impl Into<String>) -> FieldError {
    FieldError {
        path: path.to_owned(),
        message: message.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use scrm_time::ManualClock;

    const NOW: i64 = 1_796_000_000_000; // 2026-11-29

    fn conversation(clock: &ManualClock) -> Ingest {
        let codec = Arc::new(Codec::single_object());
        let schema = scrm_schema::Catalog::embedded()
            .current("scrm.conversation.ConversationEvent")
            .expect("the conversation schema");
        Ingest::new(
            codec,
            TopicKind::Conversation,
            schema,
            "conversation".into(),
            Region::HK,
        )
        .with_time_bounds(TimeBounds::default(), clock.shared())
    }

    fn message(occurred_at: i64) -> serde_json::Value {
        serde_json::json!({
            "event_id": "e1", "customer": "91234567", "occurred_at": occurred_at,
            "source": "test",
            "payload": {"InboundMessage": {"wamid": "w1",
                "content": {"TextContent": {"body": "hi"}}}}
        })
    }

    #[test]
    fn times_up_to_the_allowed_skew_ahead_are_taken() {
        let clock = ManualClock::new(NOW);
        let ingest = conversation(&clock);
        assert_eq!(ingest.json(&message(NOW)).unwrap().timestamp_ms, NOW);
        assert!(ingest.json(&message(NOW + 9 * 60_000)).is_ok());
        assert!(ingest.json(&message(NOW - 300 * 86_400_000)).is_ok());
    }

    #[test]
    fn a_time_a_year_ahead_or_in_microseconds_is_refused_as_validation() {
        let clock = ManualClock::new(NOW);
        let ingest = conversation(&clock);
        let ahead = ingest.json(&message(NOW + 365 * 86_400_000)).unwrap_err();
        assert_eq!(ahead.kind(), "VALIDATION");
        assert!(ahead.to_string().contains("1 year ahead"), "{ahead}");
        let micros = ingest.json(&message(NOW * 1_000)).unwrap_err();
        assert!(
            micros.to_string().contains("looks like microseconds"),
            "{micros}"
        );
        let seconds = ingest.json(&message(NOW / 1_000)).unwrap_err();
        assert!(
            seconds.to_string().contains("looks like seconds"),
            "{seconds}"
        );
    }

    #[test]
    fn the_bound_moves_with_the_clock() {
        let clock = ManualClock::new(NOW);
        let ingest = conversation(&clock);
        let tomorrow = NOW + 86_400_000;
        assert!(ingest.json(&message(tomorrow)).is_err());
        clock.advance_ms(86_400_000);
        assert!(ingest.json(&message(tomorrow)).is_ok());
        assert_eq!(ingest.now_ms(), tomorrow);
    }

    #[test]
    fn without_bounds_nothing_is_checked() {
        let checked = conversation(&ManualClock::new(NOW));
        let unchecked = Ingest::new(
            Arc::new(Codec::single_object()),
            TopicKind::Conversation,
            checked.schema,
            "conversation".into(),
            Region::HK,
        );
        assert!(unchecked.json(&message(NOW * 1_000)).is_ok());
    }
}
