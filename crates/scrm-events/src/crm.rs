//! `scrm.crm-updates.v1` (`crm_update_event.avsc`): changes made in a CRM, from its change
//! feed. The most recent modification wins, compared at millisecond precision, so the CRM's
//! own modification time travels with the fields.

use std::collections::BTreeMap;

use apache_avro::types::Value;
use serde::{Deserialize, Serialize};

use crate::decode::{map, nullable, string, timestamp, Decoded, Fields, RecordUnion};
use crate::event::Payload;

/// Fields of a CRM record changed (`CrmFieldsChanged`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrmFieldsChanged {
    /// hubspot, salesforce, zoho, webhook...
    pub crm: String,
    /// CRM object (contact, Contact, Leads...).
    pub object_type: String,
    /// The CRM's id of the record.
    pub object_id: String,
    /// The CRM's modification time (`modified_at`), UTC milliseconds; decides conflicts.
    pub modified_at_ms: i64,
    /// Changed fields by CRM field name, sorted; `None` means cleared.
    pub fields: BTreeMap<String, Option<String>>,
}

impl CrmFieldsChanged {
    /// The new value of a changed field: `Some(None)` when it was cleared, `None` when the
    /// change did not touch it.
    pub fn field(&self, name: &str) -> Option<Option<&str>> {
        self.fields.get(name).map(Option::as_deref)
    }

    /// The fields that were cleared.
    pub fn cleared(&self) -> impl Iterator<Item = &str> {
        self.fields
            .iter()
            .filter(|(_, v)| v.is_none())
            .map(|(k, _)| k.as_str())
    }
}

/// The one branch of `CrmUpdateEvent.payload`.
pub(crate) static UNION: RecordUnion = RecordUnion {
    names: &["CrmFieldsChanged"],
    fields: &[&["crm", "object_type", "object_id", "modified_at", "fields"]],
};

/// Decodes `CrmUpdateEvent.payload`.
pub(crate) fn payload(value: &Value) -> Decoded<Payload> {
    UNION.decode(value, |_, mut r| {
        fields_changed(&mut r).map(Payload::CrmFieldsChanged)
    })
}

fn fields_changed(r: &mut Fields<'_>) -> Decoded<CrmFieldsChanged> {
    Ok(CrmFieldsChanged {
        crm: r.get("crm", string)?,
        object_type: r.get("object_type", string)?,
        object_id: r.get("object_id", string)?,
        modified_at_ms: r.get("modified_at", timestamp)?,
        fields: r.get("fields", |v| map(v, |item| nullable(item, string)))?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn changed(fields: &[(&str, Option<&str>)]) -> CrmFieldsChanged {
        CrmFieldsChanged {
            crm: "hubspot".into(),
            object_type: "contact".into(),
            object_id: "1".into(),
            modified_at_ms: 0,
            fields: fields
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.map(str::to_owned)))
                .collect(),
        }
    }

    #[test]
    fn field_tells_cleared_from_untouched() {
        let c = changed(&[("email", None), ("level", Some("gold"))]);
        assert_eq!(c.field("level"), Some(Some("gold")));
        assert_eq!(c.field("email"), Some(None));
        assert_eq!(c.field("phone"), None);
        assert_eq!(c.cleared().collect::<Vec<_>>(), ["email"]);
    }
}
