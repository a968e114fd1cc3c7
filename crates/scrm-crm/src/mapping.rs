//! The field mapping of one destination: which scrm field goes to which field of the
//! outside system, which are not synced at all, and what an empty value becomes.
//!
//! A contact upsert carries scrm's own names (`first_name`, `level`, `tags`,
//! `priority`, …) and only the fields that changed. The mapping is applied to each, in
//! this order: a skipped field is dropped; an empty value (none, or only spaces) takes the
//! field's default when there is one (an empty `level` becomes "New Customer"); then the
//! name is renamed. A field with neither rename nor default goes as it is.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

/// How one destination names and fills the contact fields.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct FieldMapping {
    /// scrm field → the destination's field (`first_name = "firstname"`).
    pub rename: BTreeMap<String, String>,
    /// scrm fields that are never sent.
    pub skip: BTreeSet<String>,
    /// scrm field → the value sent when the field is empty (`level = "New Customer"`).
    pub defaults: BTreeMap<String, String>,
}

impl Default for FieldMapping {
    fn default() -> Self {
        FieldMapping {
            rename: BTreeMap::new(),
            skip: BTreeSet::new(),
            defaults: BTreeMap::from([("level".to_owned(), "New Customer".to_owned())]),
        }
    }
}

impl FieldMapping {
    /// The fields as the destination names them.
    pub fn apply(
        &self,
        fields: &BTreeMap<String, Option<String>>,
    ) -> BTreeMap<String, Option<String>> {
        fields
            .iter()
            .filter(|(name, _)| !self.skip.contains(*name))
            .map(|(name, value)| {
                let empty = value.as_deref().is_none_or(|v| v.trim().is_empty());
                let value = match self.defaults.get(name) {
                    Some(default) if empty => Some(default.clone()),
                    _ => value.clone(),
                };
                let name = self.rename.get(name).unwrap_or(name).clone();
                (name, value)
            })
            .collect()
    }

    /// A mapping that renames two fields to one target is refused: the second would
    /// silently overwrite the first. The error is the reason.
    pub fn check(&self) -> Result<(), String> {
        let mut targets = BTreeMap::new();
        for (from, to) in &self.rename {
            if to.trim().is_empty() {
                return Err(format!("rename.{from} is empty"));
            }
            if let Some(other) = targets.insert(to, from) {
                return Err(format!(
                    "rename.{other} and rename.{from} both go to {to:?}"
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, Option<&str>)]) -> BTreeMap<String, Option<String>> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.map(str::to_owned)))
            .collect()
    }

    #[test]
    fn skipped_fields_go_defaults_fill_empty_values_and_names_are_renamed() {
        let mapping = FieldMapping {
            rename: BTreeMap::from([("first_name".into(), "firstname".into())]),
            skip: BTreeSet::from(["activity_score".into()]),
            ..FieldMapping::default()
        };
        let out = mapping.apply(&fields(&[
            ("first_name", Some("Mei")),
            ("level", Some("  ")),
            ("activity_score", Some("42")),
            ("tags", None),
        ]));
        assert_eq!(
            out,
            fields(&[
                ("firstname", Some("Mei")),
                ("level", Some("New Customer")),
                ("tags", None),
            ])
        );
        // A level that is set is kept.
        let out = mapping.apply(&fields(&[("level", Some("VIP"))]));
        assert_eq!(out, fields(&[("level", Some("VIP"))]));
        // A cleared level becomes the default too.
        let out = mapping.apply(&fields(&[("level", None)]));
        assert_eq!(out, fields(&[("level", Some("New Customer"))]));
    }

    #[test]
    fn two_fields_renamed_to_one_are_refused() {
        let mapping = FieldMapping {
            rename: BTreeMap::from([
                ("first_name".into(), "name".into()),
                ("last_name".into(), "name".into()),
            ]),
            ..FieldMapping::default()
        };
        let err = mapping.check().unwrap_err();
        assert!(err.contains("\"name\""), "{err}");
        assert!(FieldMapping::default().check().is_ok());
    }
}
