//! A batch of commands as the work it asks of HubSpot, without I/O: the contacts to upsert
//! (a customer's upserts folded into one, [`crate::fold`]), the deals, tickets, notes and
//! tasks to upsert and associate to their contact, and the erasures.
//!
//! Every position of the batch ends in exactly one place: a contact's members, an
//! object's members, an erasure's members, or settled without a request. A customer who
//! asks to be erased in this batch is settled around the erasure: what came before it is
//! done (it would be erased at once; nothing of theirs is sent only to be deleted), what
//! came after it waits for a later batch, so it is applied after the erasure, as it
//! happened.
//!
//! Every deal, ticket, note and task needs its contact's HubSpot id for its association,
//! so each of their customers has a contact entry: with the folded fields when the batch
//! changes some, empty otherwise (the upsert then only creates the contact if it is new and
//! answers its id; it is never a search).

use std::collections::BTreeMap;

use scrm_events::output::{CrmCommand, CrmOp};

use crate::fold::fold;
use crate::hubspot::api::Object;
use crate::hubspot::properties::{self, Settings};

type Properties = BTreeMap<String, String>;

/// A command answered without a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settled {
    /// Done: the note kept with its id.
    Done(&'static str),
    /// Again in a later batch, at once.
    Later(&'static str),
}

/// One contact to upsert.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactWork {
    /// Empty when the batch only needs the contact's id.
    pub properties: Properties,
    /// The upsert commands folded into it.
    pub members: Vec<usize>,
}

/// One deal, ticket, note or task to upsert and associate to its customer's contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectWork {
    pub object: Object,
    /// Its value of the object's unique property: the deal key, the case key, the command
    /// id.
    pub key: String,
    pub customer: String,
    pub properties: Properties,
    pub members: Vec<usize>,
    /// Event time and position of the member whose properties these are.
    latest: (i64, usize),
}

/// One customer to erase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Erasure {
    pub customer: String,
    pub members: Vec<usize>,
}

/// What a batch asks of HubSpot.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    pub settled: Vec<(usize, Settled)>,
    /// By customer key.
    pub contacts: BTreeMap<String, ContactWork>,
    /// In the order of their first member.
    pub objects: Vec<ObjectWork>,
    pub erasures: Vec<Erasure>,
}

/// The plan of `commands` (in batch order).
pub fn plan(commands: &[CrmCommand], settings: &Settings) -> Plan {
    let mut plan = Plan::default();
    let mut first_erasure: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, c) in commands.iter().enumerate() {
        if matches!(c.operation, CrmOp::DeleteContact { .. }) {
            first_erasure.entry(c.customer.as_str()).or_insert(i);
        }
    }
    let mut rest = Vec::new();
    for (i, c) in commands.iter().enumerate() {
        match first_erasure.get(c.customer.as_str()) {
            None => rest.push(i),
            Some(&at) if i < at => plan
                .settled
                .push((i, Settled::Done("erased later in the batch"))),
            Some(&at) if i == at => plan.erasures.push(Erasure {
                customer: c.customer.clone(),
                members: vec![i],
            }),
            Some(_) => plan
                .settled
                .push((i, Settled::Later("after the erasure in its batch"))),
        }
    }
    let kept: Vec<CrmCommand> = rest.iter().map(|&i| commands[i].clone()).collect();
    let mut by_key: BTreeMap<(Object, String), usize> = BTreeMap::new();
    for group in fold(&kept) {
        let members: Vec<usize> = group.members.iter().map(|&j| rest[j]).collect();
        let command = &group.command;
        let Some((object, key, props)) = object_of(command, settings) else {
            if let CrmOp::UpsertContact { fields } = &command.operation {
                plan.contacts.insert(
                    command.customer.clone(),
                    ContactWork {
                        properties: properties::contact(fields, settings),
                        members,
                    },
                );
            }
            continue;
        };
        plan.contacts.entry(command.customer.clone()).or_default();
        let position = members[0];
        let latest = (command.occurred_at_ms, position);
        match by_key.get(&(object, key.clone())) {
            // The same deal or case twice in a batch: one input (HubSpot refuses a batch
            // with an id twice), the later command's values.
            Some(&at) => {
                let work = &mut plan.objects[at];
                work.members.push(position);
                if latest > work.latest {
                    work.properties = props;
                    work.latest = latest;
                }
            }
            None => {
                by_key.insert((object, key.clone()), plan.objects.len());
                plan.objects.push(ObjectWork {
                    object,
                    key,
                    customer: command.customer.clone(),
                    properties: props,
                    members,
                    latest,
                });
            }
        }
    }
    plan
}

/// The object a command upserts, its key and properties; `None` for a contact upsert.
fn object_of(c: &CrmCommand, settings: &Settings) -> Option<(Object, String, Properties)> {
    let at = c.occurred_at_ms;
    Some(match &c.operation {
        CrmOp::UpsertContact { .. } | CrmOp::DeleteContact { .. } => return None,
        CrmOp::UpsertDeal {
            deal_key,
            title,
            stage,
            amount_minor,
            currency,
            ..
        } => (
            Object::Deals,
            deal_key.clone(),
            properties::deal(
                title,
                stage,
                *amount_minor,
                currency.as_deref(),
                at,
                settings,
            ),
        ),
        CrmOp::CreateCase {
            case_key,
            kind,
            subject,
            body,
        } => (
            Object::Tickets,
            case_key.clone(),
            properties::ticket(kind, subject, body.as_deref(), settings),
        ),
        CrmOp::AddNote { body, media_url } => (
            Object::Notes,
            c.command_id.clone(),
            properties::note(body, media_url.as_deref(), at),
        ),
        CrmOp::CreateTask {
            subject,
            body,
            due_at_ms,
            priority,
        } => (
            Object::Tasks,
            c.command_id.clone(),
            properties::task(
                subject,
                body.as_deref(),
                *due_at_ms,
                priority.as_deref(),
                at,
            ),
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hubspot::properties::{default_mapping, DealStages};

    const MEI: &str = "+85291234567";
    const ANA: &str = "+5511987654321";

    fn settings() -> Settings {
        Settings {
            mapping: default_mapping(),
            deal_pipeline: "default".into(),
            deal_stages: DealStages::default(),
            ticket_pipeline: "0".into(),
            ticket_stage: "1".into(),
        }
    }

    fn command(id: &str, customer: &str, at: i64, operation: CrmOp) -> CrmCommand {
        CrmCommand {
            command_id: id.into(),
            customer: customer.into(),
            occurred_at_ms: at,
            source: "test".into(),
            rule_id: None,
            operation,
        }
    }

    fn upsert(id: &str, customer: &str, at: i64, field: &str, value: &str) -> CrmCommand {
        let fields = BTreeMap::from([(field.to_owned(), Some(value.to_owned()))]);
        command(id, customer, at, CrmOp::UpsertContact { fields })
    }

    fn deal(id: &str, customer: &str, at: i64, stage: &str) -> CrmCommand {
        let op = CrmOp::UpsertDeal {
            deal_key: format!("{customer}/IP15"),
            sku: "IP15".into(),
            title: "iPhone 15".into(),
            stage: stage.into(),
            amount_minor: None,
            currency: None,
        };
        command(id, customer, at, op)
    }

    fn note(id: &str, customer: &str, at: i64) -> CrmCommand {
        let op = CrmOp::AddNote {
            body: "photo".into(),
            media_url: None,
        };
        command(id, customer, at, op)
    }

    fn erase(id: &str, customer: &str, at: i64) -> CrmCommand {
        let op = CrmOp::DeleteContact {
            reason: "asked".into(),
        };
        command(id, customer, at, op)
    }

    /// Every position is answered exactly once.
    fn positions(plan: &Plan) -> Vec<usize> {
        let mut all: Vec<usize> = plan.settled.iter().map(|(i, _)| *i).collect();
        all.extend(plan.contacts.values().flat_map(|c| c.members.clone()));
        all.extend(plan.objects.iter().flat_map(|o| o.members.clone()));
        all.extend(plan.erasures.iter().flat_map(|e| e.members.clone()));
        all.sort_unstable();
        all
    }

    #[test]
    fn upserts_fold_deals_fold_on_their_key_and_objects_need_their_contact() {
        let commands = [
            upsert("u1", MEI, 10, "name", "Mei"),
            deal("d1", MEI, 11, "open"),
            note("n1", ANA, 12),
            upsert("u2", MEI, 13, "segment", "vip"),
            deal("d2", MEI, 14, "won"),
        ];
        let plan = plan(&commands, &settings());
        assert_eq!(positions(&plan), [0, 1, 2, 3, 4]);
        let mei = &plan.contacts[MEI];
        assert_eq!(mei.members, [0, 3]);
        assert_eq!(mei.properties["firstname"], "Mei");
        assert_eq!(mei.properties["scrm_segment"], "vip");
        assert_eq!(plan.contacts[ANA], ContactWork::default(), "only its id");
        assert_eq!(plan.objects.len(), 2);
        let d = &plan.objects[0];
        assert_eq!(
            (d.object, d.key.as_str()),
            (Object::Deals, "+85291234567/IP15")
        );
        assert_eq!(d.members, [1, 4]);
        assert_eq!(d.properties["dealstage"], "closedwon", "the later stage");
        assert_eq!(plan.objects[1].object, Object::Notes);
        assert_eq!(plan.objects[1].key, "n1");
    }

    #[test]
    fn an_erasure_settles_what_came_before_and_defers_what_came_after() {
        let commands = [
            upsert("u1", MEI, 10, "name", "Mei"),
            note("n1", MEI, 11),
            upsert("a1", ANA, 11, "name", "Ana"),
            erase("x1", MEI, 12),
            note("n2", MEI, 13),
            erase("x2", MEI, 14),
        ];
        let plan = plan(&commands, &settings());
        assert_eq!(positions(&plan), [0, 1, 2, 3, 4, 5]);
        assert_eq!(
            plan.erasures,
            [Erasure {
                customer: MEI.into(),
                members: vec![3]
            }]
        );
        assert!(!plan.contacts.contains_key(MEI), "nothing of hers is sent");
        assert!(plan.objects.is_empty());
        assert_eq!(
            plan.settled,
            [
                (0, Settled::Done("erased later in the batch")),
                (1, Settled::Done("erased later in the batch")),
                (4, Settled::Later("after the erasure in its batch")),
                (5, Settled::Later("after the erasure in its batch")),
            ]
        );
        assert_eq!(plan.contacts[ANA].members, [2]);
    }
}
