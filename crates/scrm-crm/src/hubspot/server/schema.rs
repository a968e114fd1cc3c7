//! The rules the local HubSpot holds records by: each object's properties and their
//! types (HubSpot's own that the sink writes, and the custom ones docs/crm.md has the user
//! create), the unique properties records are upserted on, the pipelines and their stages,
//! and the properties a record must have when it is created.

use std::collections::BTreeMap;

use crate::hubspot::api::Object;
use crate::hubspot::properties::CUSTOM_PROPERTIES;

/// A property's type, as far as the server checks values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Number,
    Bool,
    /// RFC 3339 or Unix milliseconds.
    DateTime,
    Email,
    /// An enumeration: one of these.
    Options(&'static [&'static str]),
    /// Set by HubSpot only.
    ReadOnly,
}

const DEAL_STAGES: &[&str] = &[
    "appointmentscheduled",
    "qualifiedtobuy",
    "presentationscheduled",
    "decisionmakerboughtin",
    "contractsent",
    "closedwon",
    "closedlost",
];
const TICKET_STAGES: &[&str] = &["1", "2", "3", "4"];

/// The properties of each object.
#[derive(Debug, Clone)]
pub struct Schema {
    properties: BTreeMap<Object, BTreeMap<String, Kind>>,
}

impl Default for Schema {
    fn default() -> Self {
        use Kind::*;
        let mut properties: BTreeMap<Object, BTreeMap<String, Kind>> = BTreeMap::new();
        let standard: &[(Object, &[(&str, Kind)])] = &[
            (
                Object::Contacts,
                &[
                    ("email", Email),
                    ("firstname", Text),
                    ("lastname", Text),
                    ("phone", Text),
                    ("mobilephone", Text),
                    ("company", Text),
                    ("city", Text),
                    ("country", Text),
                    (
                        "lifecyclestage",
                        Options(&[
                            "subscriber",
                            "lead",
                            "marketingqualifiedlead",
                            "salesqualifiedlead",
                            "opportunity",
                            "customer",
                            "evangelist",
                            "other",
                        ]),
                    ),
                ],
            ),
            (
                Object::Deals,
                &[
                    ("dealname", Text),
                    ("dealstage", Text),
                    ("pipeline", Text),
                    ("amount", Number),
                    ("closedate", DateTime),
                    ("deal_currency_code", Text),
                    ("description", Text),
                ],
            ),
            (
                Object::Tickets,
                &[
                    ("subject", Text),
                    ("content", Text),
                    ("hs_pipeline", Text),
                    ("hs_pipeline_stage", Text),
                    (
                        "hs_ticket_priority",
                        Options(&["LOW", "MEDIUM", "HIGH", "URGENT"]),
                    ),
                    ("hs_ticket_category", Text),
                ],
            ),
            (
                Object::Notes,
                &[("hs_timestamp", DateTime), ("hs_note_body", Text)],
            ),
            (
                Object::Tasks,
                &[
                    ("hs_timestamp", DateTime),
                    ("hs_task_subject", Text),
                    ("hs_task_body", Text),
                    (
                        "hs_task_status",
                        Options(&[
                            "NOT_STARTED",
                            "IN_PROGRESS",
                            "WAITING",
                            "COMPLETED",
                            "DEFERRED",
                        ]),
                    ),
                    (
                        "hs_task_priority",
                        Options(&["NONE", "LOW", "MEDIUM", "HIGH"]),
                    ),
                    ("hs_task_type", Options(&["TODO", "CALL", "EMAIL"])),
                ],
            ),
        ];
        for (object, props) in standard {
            let table = properties.entry(*object).or_default();
            for (name, kind) in *props {
                table.insert((*name).to_owned(), *kind);
            }
            for name in [
                "hs_object_id",
                "createdate",
                "lastmodifieddate",
                "hubspot_owner_id",
            ] {
                let kind = if name == "hubspot_owner_id" {
                    Text
                } else {
                    ReadOnly
                };
                table.insert(name.to_owned(), kind);
            }
        }
        let mut schema = Schema { properties };
        for c in CUSTOM_PROPERTIES {
            let kind = match c.kind.0 {
                "number" => Number,
                "bool" => Bool,
                "datetime" => DateTime,
                _ => Text,
            };
            schema.define(c.object, c.name, kind);
        }
        schema
    }
}

impl Schema {
    /// Defines a property (what a user does in HubSpot's settings).
    pub fn define(&mut self, object: Object, name: &str, kind: Kind) {
        self.properties
            .entry(object)
            .or_default()
            .insert(name.to_owned(), kind);
    }

    /// Whether `name` is a unique-value property of `object` (what `idProperty` may name).
    pub(crate) fn is_unique(object: Object, name: &str) -> bool {
        (object == Object::Contacts && name == "email")
            || CUSTOM_PROPERTIES
                .iter()
                .any(|c| c.unique && c.object == object && c.name == name)
    }
    /// Checks one record's properties; `created`: it is new, so the required ones must be
    /// there.
    pub(crate) fn check(
        &self,
        object: Object,
        properties: &BTreeMap<String, String>,
        created: bool,
    ) -> Result<(), String> {
        let known = &self.properties[&object];
        for (name, value) in properties {
            let Some(kind) = known.get(name) else {
                return Err(format!(
                    "Property \"{name}\" does not exist (PROPERTY_DOESNT_EXIST)"
                ));
            };
            if value.is_empty() {
                continue;
            }
            let ok = match kind {
                Kind::Text => true,
                Kind::ReadOnly => return Err(format!("\"{name}\" is a read only property")),
                Kind::Number => value.parse::<f64>().is_ok_and(f64::is_finite),
                Kind::Bool => matches!(value.as_str(), "true" | "false"),
                Kind::DateTime => {
                    value.parse::<i64>().is_ok()
                        || chrono::DateTime::parse_from_rfc3339(value).is_ok()
                }
                Kind::Email => is_email(value),
                Kind::Options(options) => options.contains(&value.as_str()),
            };
            if !ok {
                return Err(match kind {
                    Kind::Email => format!("Email address {value} is invalid (INVALID_EMAIL)"),
                    _ => format!("{value:?} is not a valid value of property \"{name}\" (INVALID_OPTION or wrong type)"),
                });
            }
        }
        let required: &[&str] = match object {
            Object::Contacts => &[],
            Object::Deals => &["dealname", "dealstage"],
            Object::Tickets => &["subject", "hs_pipeline_stage"],
            Object::Notes | Object::Tasks => &["hs_timestamp"],
        };
        for name in required {
            let given = properties.get(*name).is_some_and(|v| !v.is_empty());
            let cleared = properties.get(*name).is_some_and(String::is_empty);
            if (created && !given) || cleared {
                return Err(format!("Property \"{name}\" is required"));
            }
        }
        let stage = |pipeline: &str, stages: &[&str], stage: Option<&String>| match stage {
            Some(s) if !s.is_empty() && !stages.contains(&s.as_str()) => {
                Err(format!("{s} is not a valid stage of pipeline {pipeline}"))
            }
            _ => Ok(()),
        };
        match object {
            Object::Deals => {
                let pipeline = properties.get("pipeline").map_or("default", String::as_str);
                if pipeline != "default" {
                    return Err(format!("{pipeline} is not a valid pipeline"));
                }
                stage(pipeline, DEAL_STAGES, properties.get("dealstage"))
            }
            Object::Tickets => {
                let pipeline = properties.get("hs_pipeline").map_or("0", String::as_str);
                if pipeline != "0" {
                    return Err(format!("{pipeline} is not a valid pipeline"));
                }
                stage(pipeline, TICKET_STAGES, properties.get("hs_pipeline_stage"))
            }
            _ => Ok(()),
        }
    }
}

/// Roughly what HubSpot takes as an address: one `@`, something before it, a dotted domain.
fn is_email(value: &str) -> bool {
    let Some((local, domain)) = value.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.split('.').count() >= 2
        && domain.split('.').all(|part| !part.is_empty())
        && !value.contains(char::is_whitespace)
}
