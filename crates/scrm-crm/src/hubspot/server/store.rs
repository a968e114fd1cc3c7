//! What the local HubSpot holds (records by id, default associations, erasures, archives)
//! and how each request changes it, by the rules of [`super::schema`]. A request that
//! breaks a rule for one record gets that record's error in a 207, as HubSpot answers; one
//! that breaks it for the whole request is refused.

use std::collections::{BTreeMap, BTreeSet};

use super::schema::Schema;
use crate::hubspot::api::{
    ApiError, AssociateBatch, AssociationResult, AssociationSpec, BatchResponse, BatchUpsert,
    Object, ObjectId, StandardError, UpsertResult, BATCH_LIMIT,
};
use scrm_schema::json::format_millis;

/// A record as the server holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// HubSpot's id.
    pub id: String,
    pub properties: BTreeMap<String, String>,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
    /// Upserts that wrote it (1 when it was only created).
    pub writes: u32,
}

impl Record {
    pub fn get(&self, property: &str) -> Option<&str> {
        self.properties.get(property).map(String::as_str)
    }
}

/// A default association of a record with a contact.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Association {
    pub from: Object,
    pub from_id: String,
    pub contact_id: String,
    pub type_id: u32,
}

/// The records, associations and property definitions of one account.
#[derive(Debug, Clone)]
pub struct Store {
    pub records: BTreeMap<Object, BTreeMap<String, Record>>,
    pub associations: BTreeSet<Association>,
    /// Customer keys erased by a GDPR delete, in order.
    pub erased: Vec<String>,
    /// Records archived, by object.
    pub archived: Vec<(Object, String)>,
    pub schema: Schema,
    next_id: u64,
}

impl Default for Store {
    fn default() -> Self {
        Store {
            records: BTreeMap::new(),
            associations: BTreeSet::new(),
            erased: Vec::new(),
            archived: Vec::new(),
            schema: Schema::default(),
            next_id: 1000,
        }
    }
}

/// A refusal of a whole request.
pub(crate) type Refusal = (u16, Box<ApiError>);

pub(crate) fn api_error(message: impl Into<String>, category: &str) -> Box<ApiError> {
    Box::new(ApiError {
        status: "error".into(),
        message: message.into(),
        correlation_id: String::new(),
        category: Some(category.into()),
        error_type: None,
        policy_name: None,
        context: BTreeMap::new(),
        errors: Vec::new(),
    })
}

fn record_error(message: String, category: &str, id: &str) -> StandardError {
    StandardError {
        status: "error".into(),
        category: category.into(),
        message,
        context: BTreeMap::from([("ids".to_owned(), vec![id.to_owned()])]),
        errors: Vec::new(),
        sub_category: None,
    }
}

impl Store {
    /// The record of `object` whose `property` is `value`.
    pub fn find(&self, object: Object, property: &str, value: &str) -> Option<&Record> {
        self.records
            .get(&object)?
            .values()
            .find(|r| r.get(property) == Some(value))
    }

    fn new_id(&mut self) -> String {
        self.next_id += 1;
        self.next_id.to_string()
    }

    pub(crate) fn upsert(
        &mut self,
        object: Object,
        batch: BatchUpsert,
        now_ms: i64,
    ) -> Result<BatchResponse<UpsertResult>, Refusal> {
        check_size(batch.inputs.len())?;
        let mut seen = BTreeSet::new();
        for input in &batch.inputs {
            if !Schema::is_unique(object, &input.id_property) {
                let message = format!(
                    "Property \"{}\" is not a unique identifier property of {}",
                    input.id_property,
                    object.path()
                );
                return Err((400, api_error(message, "VALIDATION_ERROR")));
            }
            if !seen.insert(input.id.as_str()) {
                let mut e = api_error(
                    format!("Duplicate IDs found in batch input: [{}]", input.id),
                    "VALIDATION_ERROR",
                );
                e.context.insert("ids".into(), vec![input.id.clone()]);
                return Err((400, e));
            }
        }
        let mut results = Vec::new();
        let mut errors = Vec::new();
        for input in batch.inputs {
            let existing = self
                .find(object, &input.id_property, &input.id)
                .map(|r| r.id.clone());
            if let Err(message) = self
                .schema
                .check(object, &input.properties, existing.is_none())
            {
                errors.push(record_error(message, "VALIDATION_ERROR", &input.id));
                continue;
            }
            let created = existing.is_none();
            let id = existing.unwrap_or_else(|| self.new_id());
            let table = self.records.entry(object).or_default();
            let record = table.entry(id.clone()).or_insert_with(|| Record {
                id: id.clone(),
                properties: BTreeMap::from([(input.id_property.clone(), input.id.clone())]),
                created_at_ms: now_ms,
                updated_at_ms: now_ms,
                writes: 0,
            });
            for (name, value) in input.properties {
                if value.is_empty() {
                    record.properties.remove(&name);
                } else {
                    record.properties.insert(name, value);
                }
            }
            record.updated_at_ms = now_ms;
            record.writes += 1;
            let mut properties: BTreeMap<String, Option<String>> = record
                .properties
                .iter()
                .map(|(k, v)| (k.clone(), Some(v.clone())))
                .collect();
            properties.insert("hs_object_id".into(), Some(id.clone()));
            properties.insert(
                "createdate".into(),
                Some(format_millis(record.created_at_ms)),
            );
            properties.insert("lastmodifieddate".into(), Some(format_millis(now_ms)));
            results.push(UpsertResult {
                id,
                properties,
                created_at: format_millis(record.created_at_ms),
                updated_at: format_millis(now_ms),
                archived: false,
                new: created,
                object_write_trace_id: input.object_write_trace_id,
            });
        }
        Ok(answer(results, errors, now_ms))
    }

    pub(crate) fn associate(
        &mut self,
        from: Object,
        batch: AssociateBatch,
        now_ms: i64,
    ) -> Result<BatchResponse<AssociationResult>, Refusal> {
        check_size(batch.inputs.len())?;
        let Some(type_id) = from.to_contact_type() else {
            return Err((400, api_error("No default association", "VALIDATION_ERROR")));
        };
        let mut results = Vec::new();
        let mut errors = Vec::new();
        for pair in batch.inputs {
            let exists =
                |o: Object, id: &str| self.records.get(&o).is_some_and(|t| t.contains_key(id));
            if !exists(from, &pair.from.id) || !exists(Object::Contacts, &pair.to.id) {
                let message = format!(
                    "No {} with id {} or no contact with id {}",
                    from.path(),
                    pair.from.id,
                    pair.to.id
                );
                errors.push(record_error(message, "OBJECT_NOT_FOUND", &pair.from.id));
                continue;
            }
            self.associations.insert(Association {
                from,
                from_id: pair.from.id.clone(),
                contact_id: pair.to.id.clone(),
                type_id,
            });
            results.push(AssociationResult {
                from: pair.from,
                to: pair.to,
                association_spec: AssociationSpec {
                    association_category: "HUBSPOT_DEFINED".into(),
                    association_type_id: type_id,
                },
            });
        }
        Ok(answer(results, errors, now_ms))
    }

    /// Batch read by HubSpot id or a unique property.
    pub(crate) fn read(
        &self,
        object: Object,
        id_property: Option<&str>,
        ids: &[ObjectId],
        now_ms: i64,
    ) -> Result<BatchResponse<UpsertResult>, Refusal> {
        check_size(ids.len())?;
        if let Some(p) = id_property.filter(|p| !Schema::is_unique(object, p)) {
            let message = format!("Property \"{p}\" is not a unique identifier property");
            return Err((400, api_error(message, "VALIDATION_ERROR")));
        }
        let mut results = Vec::new();
        let mut missing = Vec::new();
        for ObjectId { id } in ids {
            let record = match id_property {
                Some(p) => self.find(object, p, id),
                None => self.records.get(&object).and_then(|t| t.get(id)),
            };
            match record {
                Some(r) => results.push(UpsertResult {
                    id: r.id.clone(),
                    properties: r
                        .properties
                        .iter()
                        .map(|(k, v)| (k.clone(), Some(v.clone())))
                        .collect(),
                    created_at: format_millis(r.created_at_ms),
                    updated_at: format_millis(r.updated_at_ms),
                    archived: false,
                    new: false,
                    object_write_trace_id: None,
                }),
                None => missing.push(id.clone()),
            }
        }
        let mut errors = Vec::new();
        if !missing.is_empty() {
            let mut e = record_error(
                format!(
                    "Could not get some {} objects, they may be deleted or not exist.",
                    object.path()
                ),
                "OBJECT_NOT_FOUND",
                "",
            );
            e.context.insert("ids".into(), missing);
            errors.push(e);
        }
        Ok(answer(results, errors, now_ms))
    }

    /// Archives records by id (unknown ids are ignored, as HubSpot does).
    pub(crate) fn archive(&mut self, object: Object, ids: &[ObjectId]) -> Result<(), Refusal> {
        check_size(ids.len())?;
        for ObjectId { id } in ids {
            if self.records.entry(object).or_default().remove(id).is_some() {
                self.associations
                    .retain(|a| !(a.from == object && a.from_id == *id));
                self.archived.push((object, id.clone()));
            }
        }
        Ok(())
    }

    /// The contact ids' records of `to` associated with contact `contact_id`.
    pub(crate) fn associated(&self, contact_id: &str, to: Object) -> Vec<String> {
        self.associations
            .iter()
            .filter(|a| a.contact_id == contact_id && a.from == to)
            .map(|a| a.from_id.clone())
            .collect()
    }

    /// GDPR delete: the contact, its associations and its associated content (notes and
    /// tasks associated with no other contact). `false` when there is no such contact.
    pub(crate) fn erase(
        &mut self,
        object_id: &str,
        id_property: Option<&str>,
    ) -> Result<bool, Refusal> {
        let contact = match id_property {
            None => self
                .records
                .get(&Object::Contacts)
                .and_then(|t| t.get(object_id)),
            Some(p) if Schema::is_unique(Object::Contacts, p) => {
                self.find(Object::Contacts, p, object_id)
            }
            Some(p) => {
                let message = format!("Property \"{p}\" is not a unique identifier property");
                return Err((400, api_error(message, "VALIDATION_ERROR")));
            }
        };
        let Some(contact) = contact.cloned() else {
            return Ok(false);
        };
        if let Some(t) = self.records.get_mut(&Object::Contacts) {
            t.remove(&contact.id);
        }
        let (mine, kept): (BTreeSet<Association>, BTreeSet<Association>) =
            std::mem::take(&mut self.associations)
                .into_iter()
                .partition(|a| a.contact_id == contact.id);
        self.associations = kept;
        for a in mine {
            let content = matches!(a.from, Object::Notes | Object::Tasks);
            let elsewhere = self
                .associations
                .iter()
                .any(|b| b.from == a.from && b.from_id == a.from_id);
            if content && !elsewhere {
                if let Some(t) = self.records.get_mut(&a.from) {
                    t.remove(&a.from_id);
                }
            }
        }
        let key = contact
            .get(Object::Contacts.id_property())
            .unwrap_or(object_id)
            .to_owned();
        self.erased.push(key);
        Ok(true)
    }
}

fn check_size(n: usize) -> Result<(), Refusal> {
    if n > BATCH_LIMIT {
        let message = format!("Batch input size {n} exceeds the limit of {BATCH_LIMIT}");
        return Err((400, api_error(message, "VALIDATION_ERROR")));
    }
    if n == 0 {
        return Err((400, api_error("inputs is empty", "VALIDATION_ERROR")));
    }
    Ok(())
}

fn answer<T>(results: Vec<T>, errors: Vec<StandardError>, now_ms: i64) -> BatchResponse<T> {
    BatchResponse {
        status: "COMPLETE".into(),
        results,
        num_errors: (!errors.is_empty()).then_some(errors.len()),
        errors,
        requested_at: None,
        started_at: format_millis(now_ms),
        completed_at: format_millis(now_ms),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hubspot::api::UpsertInput;

    fn input(id: &str, properties: &[(&str, &str)]) -> UpsertInput {
        UpsertInput {
            id_property: "scrm_customer_key".into(),
            id: id.into(),
            properties: properties
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            object_write_trace_id: Some(id.into()),
        }
    }

    #[test]
    fn an_upsert_creates_then_updates_and_refuses_bad_records_one_by_one() {
        let mut s = Store::default();
        let batch = BatchUpsert {
            inputs: vec![
                input("+85291234567", &[("firstname", "Mei")]),
                input("+5511987654321", &[("email", "ana@")]),
                input("+33612345678", &[("favourite_colour", "blue")]),
            ],
        };
        let r = s.upsert(Object::Contacts, batch, 1).unwrap();
        assert_eq!(r.results.len(), 1);
        assert!(r.results[0].new);
        assert_eq!(r.errors.len(), 2);
        assert!(r.errors[0].message.contains("ana@"));
        assert_eq!(r.errors[1].context["ids"], ["+33612345678"]);
        let again = BatchUpsert {
            inputs: vec![input(
                "+85291234567",
                &[("firstname", ""), ("phone", "+85291234567")],
            )],
        };
        let r = s.upsert(Object::Contacts, again, 2).unwrap();
        assert!(!r.results[0].new);
        let mei = s
            .find(Object::Contacts, "scrm_customer_key", "+85291234567")
            .unwrap();
        assert_eq!(
            (mei.get("firstname"), mei.get("phone"), mei.writes),
            (None, Some("+85291234567"), 2)
        );
    }

    #[test]
    fn whole_requests_are_refused_for_their_size_key_and_duplicates() {
        let mut s = Store::default();
        let many = (0..101)
            .map(|i| input(&format!("+8529{i:07}"), &[]))
            .collect();
        let (status, e) = s
            .upsert(Object::Contacts, BatchUpsert { inputs: many }, 0)
            .unwrap_err();
        assert_eq!(
            (status, e.category.as_deref()),
            (400, Some("VALIDATION_ERROR"))
        );
        let mut wrong = input("x", &[]);
        wrong.id_property = "phone".into();
        assert!(s
            .upsert(
                Object::Contacts,
                BatchUpsert {
                    inputs: vec![wrong]
                },
                0
            )
            .is_err());
        let twice = vec![input("+85291234567", &[]), input("+85291234567", &[])];
        let (_, e) = s
            .upsert(Object::Contacts, BatchUpsert { inputs: twice }, 0)
            .unwrap_err();
        assert!(e.message.contains("Duplicate"), "{e:?}");
    }

    #[test]
    fn notes_need_hs_timestamp_and_deals_a_stage_of_their_pipeline() {
        let mut s = Store::default();
        let mut note = input("cmd-1", &[("hs_note_body", "hi")]);
        note.id_property = "scrm_command_id".into();
        let r = s
            .upsert(Object::Notes, BatchUpsert { inputs: vec![note] }, 0)
            .unwrap();
        assert!(r.errors[0].message.contains("hs_timestamp"), "{r:?}");
        let mut deal = input("+852/IP15", &[("dealname", "iPhone"), ("dealstage", "won")]);
        deal.id_property = "scrm_deal_key".into();
        let r = s
            .upsert(Object::Deals, BatchUpsert { inputs: vec![deal] }, 0)
            .unwrap();
        assert!(r.errors[0].message.contains("not a valid stage"), "{r:?}");
    }
}
