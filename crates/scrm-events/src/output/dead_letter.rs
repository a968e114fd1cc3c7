//! `scrm.dlq.v1` (`dead_letter.avsc`): a record scrm could not process, with its original
//! bytes and the reason.

use std::collections::BTreeMap;

use apache_avro::types::Value;
use serde::{Deserialize, Serialize};

use crate::decode::{
    avro_enum, bytes, enumeration, int, key, long, map, string, timestamp, Fields,
};
use crate::encode as enc;
use crate::error::EventError;

avro_enum! {
    /// Class of failure (`ErrorKind`).
    ErrorKind = "ErrorKind" {
        /// DECODE: the bytes are not a record of a known schema.
        Decode = "DECODE",
        /// VALIDATION: decoded but invalid.
        Validation = "VALIDATION",
        /// RULE: a rule failed on it.
        Rule = "RULE",
        /// DELIVERY: a sink gave up.
        Delivery = "DELIVERY",
        /// OTHER, also what a symbol added later reads as.
        Other = "OTHER",
        /// TIME: its event time is not believed (far ahead of the clock, or before 2009).
        Time = "TIME",
    }
}

/// A dead letter: the original record exactly as received, and why it was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadLetter {
    /// Deterministic: original topic/partition/offset, or a hash of the body. Never empty.
    pub dead_letter_id: String,
    /// When it failed (`failed_at`), UTC milliseconds.
    pub failed_at_ms: i64,
    /// Component that rejected it (processor, gateway, produce, sink:hubspot...).
    pub source: String,
    /// Class of failure.
    pub error_kind: ErrorKind,
    /// The error, naming the field at fault where there is one.
    pub error: String,
    /// Topic it was read from, if any.
    pub original_topic: Option<String>,
    /// Partition it was read from.
    pub original_partition: Option<i32>,
    /// Offset it was read from.
    pub original_offset: Option<i64>,
    /// Its record timestamp (`original_timestamp`), UTC milliseconds.
    pub original_timestamp_ms: Option<i64>,
    /// Its key bytes.
    pub original_key: Option<Vec<u8>>,
    /// Its value bytes, exactly as received.
    pub original_value: Vec<u8>,
    /// Its headers, sorted by name.
    pub original_headers: BTreeMap<String, Vec<u8>>,
}

impl DeadLetter {
    /// Decodes a value of the current `DeadLetter` schema; the error names the field.
    pub fn from_avro(value: &Value) -> Result<DeadLetter, EventError> {
        let mut r = Fields::of(value)?;
        Ok(DeadLetter {
            dead_letter_id: r.get("dead_letter_id", key)?,
            failed_at_ms: r.get("failed_at", timestamp)?,
            source: r.get("source", string)?,
            error_kind: r.get("error_kind", enumeration)?,
            error: r.get("error", string)?,
            original_topic: r.opt("original_topic", string)?,
            original_partition: r.opt("original_partition", int)?,
            original_offset: r.opt("original_offset", long)?,
            original_timestamp_ms: r.opt("original_timestamp", timestamp)?,
            original_key: r.opt("original_key", bytes)?,
            original_value: r.get("original_value", bytes)?,
            original_headers: r.get_or("original_headers", |v| map(v, bytes), BTreeMap::new)?,
        })
    }

    /// The value of the current `DeadLetter` schema.
    pub fn to_avro(&self) -> Value {
        enc::record([
            ("dead_letter_id", enc::string(&self.dead_letter_id)),
            ("failed_at", enc::timestamp(self.failed_at_ms)),
            ("source", enc::string(&self.source)),
            ("error_kind", enc::enumeration(self.error_kind)),
            ("error", enc::string(&self.error)),
            ("original_topic", enc::opt_string(&self.original_topic)),
            (
                "original_partition",
                enc::nullable(self.original_partition, Value::Int),
            ),
            (
                "original_offset",
                enc::nullable(self.original_offset, Value::Long),
            ),
            (
                "original_timestamp",
                enc::nullable(self.original_timestamp_ms, enc::timestamp),
            ),
            (
                "original_key",
                enc::nullable(self.original_key.clone(), Value::Bytes),
            ),
            ("original_value", Value::Bytes(self.original_value.clone())),
            (
                "original_headers",
                enc::map(&self.original_headers, |v| Value::Bytes(v.clone())),
            ),
        ])
    }
}
