//! HubSpot's wire format, as far as the sink and the local server use it: batch upserts of
//! CRM objects by a unique property (v3), default associations (v4), the GDPR delete of a
//! contact, and HubSpot's error shapes.
//!
//! Field names follow HubSpot's generated clients (hubspot-api-python,
//! `hubspot/crm/objects/models/simple_public_object_batch_input_upsert.py`,
//! `batch_response_simple_public_upsert_object_with_errors.py`, `standard_error.py`,
//! `public_gdpr_delete_input.py`; `hubspot/crm/associations/v4/models/`). Requests refuse
//! unknown fields, since the local server reads them as strictly as HubSpot does; answers
//! ignore fields they do not name, since HubSpot adds fields over time.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Most inputs in one batch request; HubSpot answers 400 above it.
pub const BATCH_LIMIT: usize = 100;

/// The rate-limit headers HubSpot sends with its answers (docs: "API usage guidelines").
pub mod headers {
    /// Requests allowed per interval (100 per 10 s for a private app on Free and Starter).
    pub const MAX: &str = "x-hubspot-ratelimit-max";
    /// Requests left in the current interval.
    pub const REMAINING: &str = "x-hubspot-ratelimit-remaining";
    /// The interval `MAX` and `REMAINING` count in, in milliseconds.
    pub const INTERVAL_MS: &str = "x-hubspot-ratelimit-interval-milliseconds";
    /// Requests allowed per day, for the whole account (every private app shares them).
    pub const DAILY: &str = "x-hubspot-ratelimit-daily";
    /// Requests left today; the day ends at midnight in the account's time zone.
    pub const DAILY_REMAINING: &str = "x-hubspot-ratelimit-daily-remaining";
}

/// The CRM objects the sink writes, by their path segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Object {
    Contacts,
    Deals,
    Tickets,
    Notes,
    Tasks,
}

impl Object {
    pub const ALL: [Object; 5] = [
        Object::Contacts,
        Object::Deals,
        Object::Tickets,
        Object::Notes,
        Object::Tasks,
    ];

    /// The segment in `/crm/v3/objects/{object}/…` and `/crm/v4/associations/{from}/{to}/…`.
    pub fn path(self) -> &'static str {
        match self {
            Object::Contacts => "contacts",
            Object::Deals => "deals",
            Object::Tickets => "tickets",
            Object::Notes => "notes",
            Object::Tasks => "tasks",
        }
    }

    pub fn from_path(segment: &str) -> Option<Object> {
        Object::ALL.into_iter().find(|o| o.path() == segment)
    }

    /// The custom unique-value property scrm upserts this object on (docs/crm.md says how
    /// to create it): the customer key, the deal key, the case key, the command id.
    pub const fn id_property(self) -> &'static str {
        match self {
            Object::Contacts => "scrm_customer_key",
            Object::Deals => "scrm_deal_key",
            Object::Tickets => "scrm_case_key",
            Object::Notes | Object::Tasks => "scrm_command_id",
        }
    }

    /// The type id of HubSpot's default association from this object to a contact (what
    /// `…/batch/associate/default` creates).
    pub fn to_contact_type(self) -> Option<u32> {
        match self {
            Object::Contacts => None,
            Object::Deals => Some(3),
            Object::Tickets => Some(16),
            Object::Notes => Some(202),
            Object::Tasks => Some(204),
        }
    }
}

/// `POST /crm/v3/objects/{object}/batch/upsert`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchUpsert {
    pub inputs: Vec<UpsertInput>,
}

/// One record of a batch upsert: created, or updated when a record already has `id` as
/// its `id_property`. Only the properties given are written; `""` clears one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpsertInput {
    pub id_property: String,
    pub id: String,
    pub properties: BTreeMap<String, String>,
    /// Echoed in the result, so results are matched to inputs whatever their order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_write_trace_id: Option<String>,
}

/// The answer of a batch call: 200 when every input was applied, 207 with `errors` when
/// some were not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", bound(deserialize = "T: Deserialize<'de>"))]
pub struct BatchResponse<T> {
    /// `COMPLETE` (or `PENDING`, `PROCESSING`, `CANCELED`).
    pub status: String,
    #[serde(default)]
    pub results: Vec<T>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_errors: Option<usize>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<StandardError>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested_at: Option<String>,
    #[serde(default)]
    pub started_at: String,
    #[serde(default)]
    pub completed_at: String,
}

/// A record as HubSpot holds it after an upsert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpsertResult {
    /// HubSpot's own id of the record (what associations take).
    pub id: String,
    #[serde(default)]
    pub properties: BTreeMap<String, Option<String>>,
    #[serde(default)]
    pub created_at: String,
    #[serde(default)]
    pub updated_at: String,
    #[serde(default)]
    pub archived: bool,
    /// Whether the upsert created the record.
    #[serde(default)]
    pub new: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_write_trace_id: Option<String>,
}

/// One input's error in a 207 answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StandardError {
    pub status: String,
    /// `VALIDATION_ERROR`, `OBJECT_NOT_FOUND`, `CONFLICT`, `RATE_LIMITS`, …
    pub category: String,
    pub message: String,
    /// `ids`: the inputs it concerns, by their `id`.
    #[serde(default)]
    pub context: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub errors: Vec<ErrorDetail>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_category: Option<serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorDetail {
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, rename = "in", skip_serializing_if = "Option::is_none")]
    pub in_field: Option<String>,
}

/// The body of a refusal (4xx, 5xx), HubSpot's `Error`; a 429 names the limit hit in
/// `policy_name` (`SECONDLY`, `TEN_SECONDLY_ROLLING` or `DAILY`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiError {
    pub status: String,
    pub message: String,
    #[serde(default)]
    pub correlation_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_name: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub context: BTreeMap<String, Vec<String>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ErrorDetail>,
}

/// `POST /crm/v4/associations/{from}/{to}/batch/associate/default`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssociateBatch {
    pub inputs: Vec<AssociatePair>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssociatePair {
    pub from: ObjectId,
    pub to: ObjectId,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectId {
    pub id: String,
}

/// One association made by a default-association batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssociationResult {
    pub from: ObjectId,
    pub to: ObjectId,
    pub association_spec: AssociationSpec,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssociationSpec {
    /// `HUBSPOT_DEFINED` for the default associations.
    pub association_category: String,
    pub association_type_id: u32,
}

/// `POST /crm/v3/objects/contacts/gdpr-delete`: the contact and its associated content,
/// erased for good. `object_id` is the value of `id_property` (HubSpot's own id without it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GdprDelete {
    pub object_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_property: Option<String>,
}

/// `POST /crm/v3/objects/{object}/batch/read`: records by HubSpot id, or by a unique
/// property's values when `id_property` is set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BatchRead {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_property: Option<String>,
    pub inputs: Vec<ObjectId>,
    /// The properties to answer with.
    #[serde(default)]
    pub properties: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub properties_with_history: Vec<String>,
}

/// `POST /crm/v3/objects/{object}/batch/archive` (answered 204).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchArchive {
    pub inputs: Vec<ObjectId>,
}

/// `GET /crm/v4/objects/{object}/{id}/associations/{to}`: the records associated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssociatedPage {
    #[serde(default)]
    pub results: Vec<Associated>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Associated {
    /// A number in v4 (a string in v3).
    pub to_object_id: serde_json::Value,
}

impl Associated {
    pub fn id(&self) -> String {
        match &self.to_object_id {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        }
    }
}

/// The path of an object's batch upsert.
pub fn upsert_path(object: Object) -> String {
    format!("/crm/v3/objects/{}/batch/upsert", object.path())
}

/// The path of the default association of `from` records to contacts.
pub fn associate_path(from: Object) -> String {
    format!(
        "/crm/v4/associations/{}/contacts/batch/associate/default",
        from.path()
    )
}

/// The path of an object's batch read.
pub fn read_path(object: Object) -> String {
    format!("/crm/v3/objects/{}/batch/read", object.path())
}

/// The path of an object's batch archive.
pub fn archive_path(object: Object) -> String {
    format!("/crm/v3/objects/{}/batch/archive", object.path())
}

/// The path listing the `to` records associated with contact `contact_id`.
pub fn associations_path(contact_id: &str, to: Object) -> String {
    format!(
        "/crm/v4/objects/contacts/{contact_id}/associations/{}",
        to.path()
    )
}

/// The path of the GDPR delete.
pub const GDPR_DELETE_PATH: &str = "/crm/v3/objects/contacts/gdpr-delete";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_upsert_reads_and_writes_hubspots_names_and_refuses_others() {
        let json = r#"{"inputs":[{"idProperty":"scrm_customer_key","id":"+85291234567","properties":{"firstname":"Mei"},"objectWriteTraceId":"+85291234567"}]}"#;
        let upsert: BatchUpsert = serde_json::from_str(json).unwrap();
        assert_eq!(upsert.inputs[0].id_property, "scrm_customer_key");
        assert_eq!(serde_json::to_string(&upsert).unwrap(), json);
        let unknown = json.replace("\"objectWriteTraceId\"", "\"traceId\"");
        assert!(serde_json::from_str::<BatchUpsert>(&unknown).is_err());
    }

    #[test]
    fn a_207_answer_keeps_its_errors_and_ignores_what_it_does_not_name() {
        let json = r#"{"status":"COMPLETE","results":[{"id":"1001","properties":{"phone":null},"createdAt":"x","updatedAt":"x","archived":false,"new":true,"url":"u"}],"numErrors":1,"errors":[{"status":"error","category":"VALIDATION_ERROR","message":"Email address mei@ is invalid","context":{"ids":["+5511987654321"]},"errors":[],"links":{}}],"startedAt":"s","completedAt":"c"}"#;
        let r: BatchResponse<UpsertResult> = serde_json::from_str(json).unwrap();
        assert!(r.results[0].new);
        assert_eq!(r.errors[0].context["ids"], ["+5511987654321"]);
    }

    #[test]
    fn every_object_has_its_paths_and_key() {
        for object in Object::ALL {
            assert_eq!(Object::from_path(object.path()), Some(object));
            assert!(object.id_property().starts_with("scrm_"));
        }
        assert_eq!(
            associate_path(Object::Notes),
            "/crm/v4/associations/notes/contacts/batch/associate/default"
        );
        assert_eq!(Object::Tasks.to_contact_type(), Some(204));
    }
}
