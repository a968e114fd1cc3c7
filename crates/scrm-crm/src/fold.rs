//! Folding a batch: a customer's contact upserts in one batch become one upsert, the
//! latest value of each field winning, so the destination gets one request per contact
//! and never an older value after a newer one. Tasks and notes are never folded.
//!
//! Every command of a group gets the group's outcome: if the folded upsert is to be
//! retried, so is each of its members, and they fold again when they come back, so no
//! field is lost to a retry.

use std::collections::BTreeMap;

use scrm_events::output::{CrmCommand, CrmOp};

/// One request's worth of a batch: the command to send and the batch positions it
/// answers for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub command: CrmCommand,
    pub members: Vec<usize>,
}

/// Folds `commands` (in batch order) into groups, in the order of each group's last
/// member. Within a customer's upserts the later event time wins, and at the same time
/// the later position; the group keeps the id and time of its latest member.
pub fn fold(commands: &[CrmCommand]) -> Vec<Group> {
    let mut upserts: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, c) in commands.iter().enumerate() {
        if matches!(c.operation, CrmOp::UpsertContact { .. }) {
            upserts.entry(c.customer.as_str()).or_default().push(i);
        }
    }
    let mut groups: Vec<(usize, Group)> = Vec::new();
    for (i, c) in commands.iter().enumerate() {
        if !matches!(c.operation, CrmOp::UpsertContact { .. }) {
            groups.push((
                i,
                Group {
                    command: c.clone(),
                    members: vec![i],
                },
            ));
        }
    }
    for mut members in upserts.into_values() {
        members.sort_by_key(|&i| (commands[i].occurred_at_ms, i));
        let latest = *members.last().expect("a customer with upserts has one");
        let mut fields = BTreeMap::new();
        for &i in &members {
            if let CrmOp::UpsertContact { fields: f } = &commands[i].operation {
                fields.extend(f.iter().map(|(k, v)| (k.clone(), v.clone())));
            }
        }
        let mut command = commands[latest].clone();
        command.operation = CrmOp::UpsertContact { fields };
        let last_position = members.iter().copied().max().unwrap_or(latest);
        members.sort_unstable();
        groups.push((last_position, Group { command, members }));
    }
    groups.sort_by_key(|(position, _)| *position);
    groups.into_iter().map(|(_, g)| g).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn upsert(id: &str, customer: &str, at: i64, fields: &[(&str, &str)]) -> CrmCommand {
        CrmCommand {
            command_id: id.into(),
            customer: customer.into(),
            occurred_at_ms: at,
            source: "test".into(),
            rule_id: None,
            operation: CrmOp::UpsertContact {
                fields: fields
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), Some((*v).to_owned())))
                    .collect(),
            },
        }
    }

    fn note(id: &str, customer: &str) -> CrmCommand {
        CrmCommand {
            operation: CrmOp::AddNote {
                body: "hello".into(),
                media_url: None,
            },
            ..upsert(id, customer, 1, &[])
        }
    }

    #[test]
    fn a_customers_upserts_fold_last_wins_and_others_stay_apart() {
        let commands = [
            upsert("a1", "+85291234567", 10, &[("level", "New"), ("tags", "x")]),
            note("n1", "+85291234567"),
            upsert("b1", "+5511987654321", 11, &[("level", "VIP")]),
            // Earlier in event time though later in the batch (a retry come due): loses.
            upsert(
                "a0",
                "+85291234567",
                5,
                &[("level", "Old"), ("first_name", "Mei")],
            ),
            upsert("a2", "+85291234567", 12, &[("level", "Gold")]),
        ];
        let groups = fold(&commands);
        let ids: Vec<&str> = groups
            .iter()
            .map(|g| g.command.command_id.as_str())
            .collect();
        assert_eq!(ids, ["n1", "b1", "a2"]);
        let a = &groups[2];
        assert_eq!(a.members, [0, 3, 4]);
        assert_eq!(a.command.occurred_at_ms, 12);
        let CrmOp::UpsertContact { fields } = &a.command.operation else {
            panic!("{a:?}");
        };
        let get = |k: &str| fields[k].as_deref().unwrap();
        assert_eq!(
            (get("level"), get("tags"), get("first_name")),
            ("Gold", "x", "Mei")
        );
        // Every position is answered by exactly one group.
        let mut all: Vec<usize> = groups.iter().flat_map(|g| g.members.clone()).collect();
        all.sort_unstable();
        assert_eq!(all, [0, 1, 2, 3, 4]);
    }
}
