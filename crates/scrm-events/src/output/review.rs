//! `scrm.review.v1` (`review_item.avsc`): a decision scrm made that a person should check.

use std::collections::BTreeMap;

use apache_avro::types::Value;
use serde::{Deserialize, Serialize};

use crate::decode::{array, avro_enum, enumeration, key, map, string, timestamp, Decoded, Fields};
use crate::encode as enc;
use crate::error::EventError;

avro_enum! {
    /// What kind of decision a review item is about (`ReviewKind`).
    ReviewKind = "ReviewKind" {
        /// CRM_CONFLICT: scrm and a CRM changed the same field.
        CrmConflict = "CRM_CONFLICT",
        /// MERGE_PROPOSAL: two customer keys look like one person.
        MergeProposal = "MERGE_PROPOSAL",
        /// SUPPRESSED_AUTOMATION: the policy gate stopped an automation.
        SuppressedAutomation = "SUPPRESSED_AUTOMATION",
        /// OTHER, also what a symbol added later reads as.
        Other = "OTHER",
    }
}

avro_enum! {
    /// Which value of a [`FieldDifference`] won (`Kept`).
    Kept = "Kept" {
        /// OURS: scrm's.
        Ours = "OURS",
        /// THEIRS: the other side's.
        Theirs = "THEIRS",
        /// UNDECIDED: a person decides.
        Undecided = "UNDECIDED",
    }
}

/// A field that differs, for conflicts and merges (`FieldDifference`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldDifference {
    /// Field name.
    pub field: String,
    /// scrm's value.
    pub ours: Option<String>,
    /// The other side's value.
    pub theirs: Option<String>,
    /// When scrm's value was set (`ours_modified_at`), UTC milliseconds.
    pub ours_modified_at_ms: Option<i64>,
    /// When the other value was set (`theirs_modified_at`), UTC milliseconds.
    pub theirs_modified_at_ms: Option<i64>,
    /// Which value won.
    pub kept: Kept,
}

/// A review item: a CRM conflict, a proposed merge, a suppressed automation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewItem {
    /// Deterministic id derived from the cause. Never empty.
    pub review_id: String,
    /// Customer key the item is about. Never empty.
    pub customer: String,
    /// Event time of the cause (`occurred_at`), UTC milliseconds.
    pub occurred_at_ms: i64,
    /// Component that raised it.
    pub source: String,
    /// What kind of decision.
    pub kind: ReviewKind,
    /// One line for a person.
    pub summary: String,
    /// Other customer keys involved (the other side of a merge).
    pub related_customers: Vec<String>,
    /// Fields that differ, for conflicts and merges.
    pub differences: Vec<FieldDifference>,
    /// Anything else (rule_id, suppression reason, similarity score...), sorted.
    pub details: BTreeMap<String, String>,
}

impl ReviewItem {
    /// Decodes a value of the current `ReviewItem` schema; the error names the field.
    pub fn from_avro(value: &Value) -> Result<ReviewItem, EventError> {
        let mut r = Fields::of(value)?;
        Ok(ReviewItem {
            review_id: r.get("review_id", key)?,
            customer: r.get("customer", key)?,
            occurred_at_ms: r.get("occurred_at", timestamp)?,
            source: r.get("source", string)?,
            kind: r.get("kind", enumeration)?,
            summary: r.get("summary", string)?,
            related_customers: r.get_or("related_customers", |v| array(v, string), Vec::new)?,
            differences: r.get_or("differences", |v| array(v, difference), Vec::new)?,
            details: r.get_or("details", |v| map(v, string), BTreeMap::new)?,
        })
    }

    /// The value of the current `ReviewItem` schema.
    pub fn to_avro(&self) -> Value {
        enc::record([
            ("review_id", enc::string(&self.review_id)),
            ("customer", enc::string(&self.customer)),
            ("occurred_at", enc::timestamp(self.occurred_at_ms)),
            ("source", enc::string(&self.source)),
            ("kind", enc::enumeration(self.kind)),
            ("summary", enc::string(&self.summary)),
            ("related_customers", enc::strings(&self.related_customers)),
            (
                "differences",
                enc::array(&self.differences, |d| {
                    enc::record([
                        ("field", enc::string(&d.field)),
                        ("ours", enc::opt_string(&d.ours)),
                        ("theirs", enc::opt_string(&d.theirs)),
                        (
                            "ours_modified_at",
                            enc::nullable(d.ours_modified_at_ms, enc::timestamp),
                        ),
                        (
                            "theirs_modified_at",
                            enc::nullable(d.theirs_modified_at_ms, enc::timestamp),
                        ),
                        ("kept", enc::enumeration(d.kept)),
                    ])
                }),
            ),
            ("details", enc::map(&self.details, |v| enc::string(v))),
        ])
    }
}

fn difference(value: &Value) -> Decoded<FieldDifference> {
    let mut r = Fields::of(value)?;
    Ok(FieldDifference {
        field: r.get("field", string)?,
        ours: r.opt("ours", string)?,
        theirs: r.opt("theirs", string)?,
        ours_modified_at_ms: r.opt("ours_modified_at", timestamp)?,
        theirs_modified_at_ms: r.opt("theirs_modified_at", timestamp)?,
        kept: r.get("kept", enumeration)?,
    })
}
