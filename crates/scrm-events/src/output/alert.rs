//! `scrm.alerts.v1` (`alert.avsc`): something a person should look at.

use std::collections::BTreeMap;

use apache_avro::types::Value;
use serde::{Deserialize, Serialize};

use crate::decode::{avro_enum, enumeration, key, map, string, timestamp, Fields};
use crate::encode as enc;
use crate::error::EventError;

avro_enum! {
    /// How urgent an alert is (`Severity`); also what a rule's alert action asks for.
    Severity = "Severity" {
        /// INFO.
        Info = "INFO",
        /// WARNING.
        Warning = "WARNING",
        /// CRITICAL.
        Critical = "CRITICAL",
    }
}

/// An alert: a slow agent, a complaint spike, a messaging tier near its limit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alert {
    /// Deterministic id derived from the cause. Never empty.
    pub alert_id: String,
    /// Event time of the cause (`occurred_at`), UTC milliseconds.
    pub occurred_at_ms: i64,
    /// Component that raised it.
    pub source: String,
    /// agent_slow, complaint_rate, tier_limit_near, sink_failing...
    pub kind: String,
    /// How urgent.
    pub severity: Severity,
    /// What it is about: an agent id, a customer key, a business number, a sink.
    pub subject: String,
    /// Customer key when the alert is about one customer.
    pub customer: Option<String>,
    /// One line for a person.
    pub message: String,
    /// Figures behind the alert (median_response_s, complaint_rate...), sorted.
    pub details: BTreeMap<String, String>,
}

impl Alert {
    /// Decodes a value of the current `Alert` schema; the error names the field.
    pub fn from_avro(value: &Value) -> Result<Alert, EventError> {
        let mut r = Fields::of(value)?;
        Ok(Alert {
            alert_id: r.get("alert_id", key)?,
            occurred_at_ms: r.get("occurred_at", timestamp)?,
            source: r.get("source", string)?,
            kind: r.get("kind", string)?,
            severity: r.get("severity", enumeration)?,
            subject: r.get("subject", string)?,
            customer: r.opt("customer", string)?,
            message: r.get("message", string)?,
            details: r.get("details", |v| map(v, string))?,
        })
    }

    /// The value of the current `Alert` schema.
    pub fn to_avro(&self) -> Value {
        enc::record([
            ("alert_id", enc::string(&self.alert_id)),
            ("occurred_at", enc::timestamp(self.occurred_at_ms)),
            ("source", enc::string(&self.source)),
            ("kind", enc::string(&self.kind)),
            ("severity", enc::enumeration(self.severity)),
            ("subject", enc::string(&self.subject)),
            ("customer", enc::opt_string(&self.customer)),
            ("message", enc::string(&self.message)),
            ("details", enc::map(&self.details, |v| enc::string(v))),
        ])
    }
}
