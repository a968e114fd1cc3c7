//! `scrm.crm-commands.v1` (`crm_command.avsc`): a change scrm asks the CRM sinks to apply.

use std::collections::BTreeMap;

use apache_avro::types::Value;
use serde::{Deserialize, Serialize};

use crate::decode::{key, long, map, string, timestamp, Decoded, Fields, RecordUnion};
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
    /// `UpsertDeal`: the deal (opportunity) for one product, keyed by `deal_key`.
    UpsertDeal {
        /// Stable key of the deal (customer and SKU); the upsert key in the CRM.
        deal_key: String,
        /// The product's code from the rule pack's catalogue.
        sku: String,
        /// Deal name.
        title: String,
        /// `open` (purchase intent seen) or `won` (an order with the SKU).
        stage: String,
        /// Value in minor units, when known.
        amount_minor: Option<i64>,
        /// ISO 4217 code of `amount_minor`.
        currency: Option<String>,
    },
    /// `CreateCase`: a service case, classified by keyword.
    CreateCase {
        /// Stable key of the case; the upsert key in the CRM.
        case_key: String,
        /// `quote` or `complaint`.
        kind: String,
        subject: String,
        /// The customer's message.
        body: Option<String>,
    },
    /// `DeleteContact`: erase the contact (GDPR/LGPD).
    DeleteContact {
        /// Why, and at whose request.
        reason: String,
    },
}

impl CrmOp {
    /// The operation's name in the schema.
    pub fn name(&self) -> &'static str {
        OPERATION.names[self.branch() as usize]
    }

    fn branch(&self) -> u32 {
        match self {
            CrmOp::UpsertContact { .. } => 0,
            CrmOp::CreateTask { .. } => 1,
            CrmOp::AddNote { .. } => 2,
            CrmOp::UpsertDeal { .. } => 3,
            CrmOp::CreateCase { .. } => 4,
            CrmOp::DeleteContact { .. } => 5,
        }
    }
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
    names: &[
        "UpsertContact",
        "CreateTask",
        "AddNote",
        "UpsertDeal",
        "CreateCase",
        "DeleteContact",
    ],
    fields: &[
        &["fields"],
        &["subject", "body", "due_at", "priority"],
        &["body", "media_url"],
        &[
            "deal_key",
            "sku",
            "title",
            "stage",
            "amount_minor",
            "currency",
        ],
        &["case_key", "kind", "subject", "body"],
        &["reason"],
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
        let branch = self.operation.branch();
        let operation = match &self.operation {
            CrmOp::UpsertContact { fields } => enc::branch(
                branch,
                enc::record([("fields", enc::map(fields, enc::opt_string))]),
            ),
            CrmOp::CreateTask {
                subject,
                body,
                due_at_ms,
                priority,
            } => enc::branch(
                branch,
                enc::record([
                    ("subject", enc::string(subject)),
                    ("body", enc::opt_string(body)),
                    ("due_at", enc::nullable(*due_at_ms, enc::timestamp)),
                    ("priority", enc::opt_string(priority)),
                ]),
            ),
            CrmOp::AddNote { body, media_url } => enc::branch(
                branch,
                enc::record([
                    ("body", enc::string(body)),
                    ("media_url", enc::opt_string(media_url)),
                ]),
            ),
            CrmOp::UpsertDeal {
                deal_key,
                sku,
                title,
                stage,
                amount_minor,
                currency,
            } => enc::branch(
                branch,
                enc::record([
                    ("deal_key", enc::string(deal_key)),
                    ("sku", enc::string(sku)),
                    ("title", enc::string(title)),
                    ("stage", enc::string(stage)),
                    ("amount_minor", enc::nullable(*amount_minor, Value::Long)),
                    ("currency", enc::opt_string(currency)),
                ]),
            ),
            CrmOp::CreateCase {
                case_key,
                kind,
                subject,
                body,
            } => enc::branch(
                branch,
                enc::record([
                    ("case_key", enc::string(case_key)),
                    ("kind", enc::string(kind)),
                    ("subject", enc::string(subject)),
                    ("body", enc::opt_string(body)),
                ]),
            ),
            CrmOp::DeleteContact { reason } => {
                enc::branch(branch, enc::record([("reason", enc::string(reason))]))
            }
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
            2 => CrmOp::AddNote {
                body: r.get("body", string)?,
                media_url: r.opt("media_url", string)?,
            },
            3 => CrmOp::UpsertDeal {
                deal_key: r.get("deal_key", key)?,
                sku: r.get("sku", key)?,
                title: r.get("title", string)?,
                stage: r.get("stage", key)?,
                amount_minor: r.opt("amount_minor", long)?,
                currency: r.opt("currency", string)?,
            },
            4 => CrmOp::CreateCase {
                case_key: r.get("case_key", key)?,
                kind: r.get("kind", key)?,
                subject: r.get("subject", string)?,
                body: r.opt("body", string)?,
            },
            _ => CrmOp::DeleteContact {
                reason: r.get("reason", string)?,
            },
        })
    })
}
