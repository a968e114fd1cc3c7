//! `scrm.crm-commands.v1` (`crm_command.avsc`): a change scrm asks the CRM sinks to apply.

use std::collections::BTreeMap;

use apache_avro::types::Value;
use serde::{Deserialize, Serialize};

use crate::decode::{key, map, string, timestamp, Decoded, Fields, RecordUnion};
use crate::encode as enc;
use crate::error::EventError;

/// What to do in the CRM (the `operation` union). Also what a rule's CRM action asks for
/// (`scrm_rules::CrmOp` is this type).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CrmOp {
    /// `UpsertContact`: create or update the contact, keyed by the customer's number.
    UpsertContact {
        /// scrm field names (first_name, level, tags, priority...) to values, sorted;
        /// `None` clears the field. The sink's field mapping renames them.
        fields: BTreeMap<String, Option<String>>,
    },
    /// `CreateTask`: a follow-up task for a person.
    CreateTask {
        /// Task title.
        subject: String,
        /// Details.
        body: Option<String>,
        /// When it is due (`due_at`), UTC milliseconds.
        due_at_ms: Option<i64>,
        /// high, normal or low.
        priority: Option<String>,
    },
    /// `AddNote`: a note on the contact's timeline.
    AddNote {
        /// Note text.
        body: String,
        /// Link to media kept by scrm.
        media_url: Option<String>,
    },
}

/// A CRM command: one change for the CRM sinks, which drop command ids they already
/// applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrmCommand {
    /// Deterministic id derived from the cause. Never empty.
    pub command_id: String,
    /// Customer key: E.164 number or BSUID; the upsert key in the CRM. Never empty.
    pub customer: String,
    /// Event time of the cause (`occurred_at`), UTC milliseconds; the modification time
    /// for conflict resolution.
    pub occurred_at_ms: i64,
    /// Component that emitted it.
    pub source: String,
    /// Rule that caused it, if any.
    pub rule_id: Option<String>,
    /// What to do in the CRM.
    pub operation: CrmOp,
}

/// The branches of `CrmCommand.operation`, in the order of the current schema.
pub(crate) static OPERATION: RecordUnion = RecordUnion {
    names: &["UpsertContact", "CreateTask", "AddNote"],
    fields: &[
        &["fields"],
        &["subject", "body", "due_at", "priority"],
        &["body", "media_url"],
    ],
};

impl CrmCommand {
    /// Decodes a value of the current `CrmCommand` schema; the error names the field.
    pub fn from_avro(value: &Value) -> Result<CrmCommand, EventError> {
        let mut r = Fields::of(value)?;
        Ok(CrmCommand {
            command_id: r.get("command_id", key)?,
            customer: r.get("customer", key)?,
            occurred_at_ms: r.get("occurred_at", timestamp)?,
            source: r.get("source", string)?,
            rule_id: r.opt("rule_id", string)?,
            operation: r.get("operation", operation)?,
        })
    }

    /// The value of the current `CrmCommand` schema.
    pub fn to_avro(&self) -> Value {
        let operation = match &self.operation {
            CrmOp::UpsertContact { fields } => enc::branch(
                0,
                enc::record([("fields", enc::map(fields, enc::opt_string))]),
            ),
            CrmOp::CreateTask {
                subject,
                body,
                due_at_ms,
                priority,
            } => enc::branch(
                1,
                enc::record([
                    ("subject", enc::string(subject)),
                    ("body", enc::opt_string(body)),
                    ("due_at", enc::nullable(*due_at_ms, enc::timestamp)),
                    ("priority", enc::opt_string(priority)),
                ]),
            ),
            CrmOp::AddNote { body, media_url } => enc::branch(
                2,
                enc::record([
                    ("body", enc::string(body)),
                    ("media_url", enc::opt_string(media_url)),
                ]),
            ),
        };
        enc::record([
            ("command_id", enc::string(&self.command_id)),
            ("customer", enc::string(&self.customer)),
            ("occurred_at", enc::timestamp(self.occurred_at_ms)),
            ("source", enc::string(&self.source)),
            ("rule_id", enc::opt_string(&self.rule_id)),
            ("operation", operation),
        ])
    }
}

fn operation(value: &Value) -> Decoded<CrmOp> {
    OPERATION.decode(value, |branch, mut r| {
        Ok(match branch {
            0 => CrmOp::UpsertContact {
                fields: r.get("fields", |v| {
                    map(v, |item| crate::decode::nullable(item, string))
                })?,
            },
            1 => CrmOp::CreateTask {
                subject: r.get("subject", string)?,
                body: r.opt("body", string)?,
                due_at_ms: r.opt("due_at", timestamp)?,
                priority: r.opt("priority", string)?,
            },
            _ => CrmOp::AddNote {
                body: r.get("body", string)?,
                media_url: r.opt("media_url", string)?,
            },
        })
    })
}
