//! JSON → validated Avro record: what `scrm produce`, `scrm demo` and the webhook gateway
//! do to every event.
//!
//! Validation beyond the schema: the customer key is normalized to E.164 (or accepted as a
//! BSUID) with the configured default region, and `event_id` must not be empty. A line is
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

/// Turns JSON values into records of one topic.
pub struct Ingest {
    codec: Arc<Codec>,
    schema: &'static KnownSchema,
    names: Names<'static>,
    topic: String,
    kind: TopicKind,
    region: Region,
}

/// Why a line was rejected.
#[derive(Debug)]
pub enum Rejection {
    Json(String),
    Field(FieldError),
    /// Framing, schema or encoding problems of Avro input.
    Encode(String),
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
