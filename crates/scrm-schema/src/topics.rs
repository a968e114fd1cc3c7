//! The topics of DESIGN.md: their names, the schema of their values, and how long they keep
//! data. This is part of the contract: producers and sinks find their topic here.

use std::fmt;
use std::str::FromStr;

/// 180 days, the replay window every input topic must keep.
pub const RETENTION_180_DAYS_MS: i64 = 180 * 24 * 60 * 60 * 1000;

/// How a topic gets rid of old records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cleanup {
    /// Delete records older than the retention.
    Delete { retention_ms: i64 },
    /// Keep the latest record per key (the state changelog).
    Compact,
}

/// Every topic scrm reads or writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TopicKind {
    Conversation,
    Behavior,
    Transaction,
    CrmUpdates,
    Triggers,
    CrmCommands,
    Alerts,
    Review,
    Dlq,
    StateChangelog,
}

impl TopicKind {
    pub const ALL: [TopicKind; 10] = [
        TopicKind::Conversation,
        TopicKind::Behavior,
        TopicKind::Transaction,
        TopicKind::CrmUpdates,
        TopicKind::Triggers,
        TopicKind::CrmCommands,
        TopicKind::Alerts,
        TopicKind::Review,
        TopicKind::Dlq,
        TopicKind::StateChangelog,
    ];

    /// The four topics upstream producers write to.
    pub const INPUTS: [TopicKind; 4] = [
        TopicKind::Conversation,
        TopicKind::Behavior,
        TopicKind::Transaction,
        TopicKind::CrmUpdates,
    ];

    /// Name without the configured prefix, e.g. `scrm.conversation.v1`.
    pub fn base_name(self) -> &'static str {
        match self {
            TopicKind::Conversation => "scrm.conversation.v1",
            TopicKind::Behavior => "scrm.behavior.v1",
            TopicKind::Transaction => "scrm.transaction.v1",
            TopicKind::CrmUpdates => "scrm.crm-updates.v1",
            TopicKind::Triggers => "scrm.triggers.v1",
            TopicKind::CrmCommands => "scrm.crm-commands.v1",
            TopicKind::Alerts => "scrm.alerts.v1",
            TopicKind::Review => "scrm.review.v1",
            TopicKind::Dlq => "scrm.dlq.v1",
            TopicKind::StateChangelog => "scrm.state-changelog.v1",
        }
    }

    /// Full topic name with the deployment's prefix (may be empty).
    pub fn name(self, prefix: &str) -> String {
        format!("{prefix}{}", self.base_name())
    }

    /// Full Avro name of the record schema of the values, if the topic has one. The changelog
    /// carries scrm's internal state encoding, versioned by the processor.
    pub fn value_schema(self) -> Option<&'static str> {
        Some(match self {
            TopicKind::Conversation => "scrm.conversation.ConversationEvent",
            TopicKind::Behavior => "scrm.behavior.BehaviorEvent",
            TopicKind::Transaction => "scrm.transaction.TransactionEvent",
            TopicKind::CrmUpdates => "scrm.crm.CrmUpdateEvent",
            TopicKind::Triggers => "scrm.trigger.AutomationTrigger",
            TopicKind::CrmCommands => "scrm.crm.CrmCommand",
            TopicKind::Alerts => "scrm.alert.Alert",
            TopicKind::Review => "scrm.review.ReviewItem",
            TopicKind::Dlq => "scrm.dlq.DeadLetter",
            TopicKind::StateChangelog => return None,
        })
    }

    /// Every topic keeps 180 days so that analysts can replay and audit the whole window;
    /// the changelog is compacted instead, because only the latest state per key matters.
    pub fn cleanup(self) -> Cleanup {
        match self {
            TopicKind::StateChangelog => Cleanup::Compact,
            _ => Cleanup::Delete {
                retention_ms: RETENTION_180_DAYS_MS,
            },
        }
    }

    /// Finds the kind of a full topic name, given the deployment's prefix.
    pub fn from_topic(topic: &str, prefix: &str) -> Option<TopicKind> {
        let base = topic.strip_prefix(prefix)?;
        TopicKind::ALL.into_iter().find(|k| k.base_name() == base)
    }
}

impl fmt::Display for TopicKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.base_name())
    }
}

impl FromStr for TopicKind {
    type Err = String;

    /// Accepts the base name (`scrm.conversation.v1`) or the short form (`conversation`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        TopicKind::ALL
            .into_iter()
            .find(|k| {
                let base = k.base_name();
                base == s
                    || base
                        .strip_prefix("scrm.")
                        .and_then(|b| b.strip_suffix(".v1"))
                        == Some(s)
            })
            .ok_or_else(|| {
                let known: Vec<_> = TopicKind::ALL.iter().map(|k| k.base_name()).collect();
                format!("unknown topic `{s}`; known topics: {}", known.join(", "))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Catalog;

    #[test]
    fn every_schema_named_by_a_topic_is_in_the_catalog() {
        for kind in TopicKind::ALL {
            if let Some(name) = kind.value_schema() {
                assert!(
                    Catalog::embedded().current(name).is_some(),
                    "{kind}: {name} missing"
                );
            }
        }
    }

    #[test]
    fn names_round_trip_with_prefix() {
        for kind in TopicKind::ALL {
            assert_eq!(
                TopicKind::from_topic(&kind.name("shop1."), "shop1."),
                Some(kind)
            );
            assert_eq!(kind.base_name().parse::<TopicKind>(), Ok(kind));
        }
        assert_eq!(
            "crm-updates".parse::<TopicKind>(),
            Ok(TopicKind::CrmUpdates)
        );
        assert!("nope"
            .parse::<TopicKind>()
            .unwrap_err()
            .contains("scrm.conversation.v1"));
    }
}
