//! What the caller chooses (seed, population, period, volume) and what comes out.

use chrono::{DateTime, TimeZone, Utc};

/// Parameters of one generated stream. Two streams made from equal configs are
/// byte-identical, so a demo, a benchmark and a crash test can be replayed.
#[derive(Debug, Clone, PartialEq)]
pub struct GenConfig {
    /// Seed of every random draw (customers, timing, texts, orders).
    pub seed: u64,
    /// Number of distinct customers (WhatsApp numbers).
    pub customers: usize,
    /// Number of days customers are active, starting at `start`. Orders
    /// placed near the end still run to delivery (and the odd return), so
    /// the last events can fall up to about two weeks later.
    pub days: u32,
    /// First day, 00:00 UTC. Sub-day parts are ignored so days stay aligned.
    pub start: DateTime<Utc>,
    /// Mean number of events per customer per day, over all four topics.
    /// Individual customers and days vary around it (some shops' regulars
    /// chat every day, most customers are quiet).
    pub events_per_customer_per_day: f64,
}

impl Default for GenConfig {
    /// 500 customers over the week starting Monday 2026-11-02, three events
    /// per customer per day: big enough to show every event type, small
    /// enough for `scrm demo` to run in a blink.
    fn default() -> Self {
        Self {
            seed: 42,
            customers: 500,
            days: 7,
            start: Utc
                .with_ymd_and_hms(2026, 11, 2, 0, 0, 0)
                .single()
                .expect("valid constant date"),
            events_per_customer_per_day: 3.0,
        }
    }
}

impl GenConfig {
    /// Millisecond timestamp of `start`, truncated to its UTC midnight.
    pub(crate) fn start_ms(&self) -> i64 {
        let ms = self.start.timestamp_millis();
        ms - ms.rem_euclid(DAY_MS)
    }

    /// Millisecond timestamp of 00:00 UTC of day `day` (0-based).
    pub(crate) fn day_start_ms(&self, day: u32) -> i64 {
        self.start_ms() + i64::from(day) * DAY_MS
    }
}

/// Milliseconds in a day.
pub(crate) const DAY_MS: i64 = 86_400_000;
/// Milliseconds in an hour.
pub(crate) const HOUR_MS: i64 = 3_600_000;
/// Milliseconds in a minute.
pub(crate) const MINUTE_MS: i64 = 60_000;

/// The input topic an event belongs on. Each has its own Avro schema in
/// `schemas/` (conversation_event, behavior_event, transaction_event,
/// crm_update_event).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Topic {
    /// WhatsApp messages, delivery statuses and agent hand-offs.
    Conversation,
    /// Web tracker and in-store behaviour.
    Behavior,
    /// Orders, payments, shipping and returns.
    Transaction,
    /// Changes coming back from the CRM's change feed.
    CrmUpdates,
}

impl Topic {
    /// All topics, in a fixed order.
    pub const ALL: [Topic; 4] = [
        Topic::Conversation,
        Topic::Behavior,
        Topic::Transaction,
        Topic::CrmUpdates,
    ];

    /// Short name used to build the topic name (`scrm.<base>.v1`):
    /// "conversation", "behavior", "transaction" or "crm-updates".
    pub fn base_name(self) -> &'static str {
        match self {
            Topic::Conversation => "conversation",
            Topic::Behavior => "behavior",
            Topic::Transaction => "transaction",
            Topic::CrmUpdates => "crm-updates",
        }
    }

    /// Name of the record schema the event's JSON follows.
    pub fn schema_name(self) -> &'static str {
        match self {
            Topic::Conversation => "ConversationEvent",
            Topic::Behavior => "BehaviorEvent",
            Topic::Transaction => "TransactionEvent",
            Topic::CrmUpdates => "CrmUpdateEvent",
        }
    }
}

/// One generated event, ready to be produced.
#[derive(Debug, Clone, PartialEq)]
pub struct GeneratedEvent {
    /// Topic it goes to.
    pub topic: Topic,
    /// Customer key (E.164), also the record key.
    pub customer: String,
    /// Event time in UTC milliseconds, equal to the JSON `occurred_at`.
    pub occurred_at_ms: i64,
    /// The event in the "produce JSON" form: one object per Avro record,
    /// unions wrapped in a one-key object named after the branch record,
    /// timestamps as RFC 3339 strings.
    pub json: serde_json::Value,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_start_is_midnight_utc() {
        let cfg = GenConfig::default();
        assert_eq!(cfg.start_ms(), cfg.start.timestamp_millis());
        assert_eq!(cfg.day_start_ms(1) - cfg.day_start_ms(0), DAY_MS);
    }

    #[test]
    fn start_is_truncated_to_midnight() {
        let cfg = GenConfig {
            start: Utc.with_ymd_and_hms(2026, 11, 2, 13, 7, 0).unwrap(),
            ..GenConfig::default()
        };
        assert_eq!(cfg.start_ms(), GenConfig::default().start_ms());
    }

    #[test]
    fn base_names() {
        let names: Vec<_> = Topic::ALL.iter().map(|t| t.base_name()).collect();
        assert_eq!(
            names,
            ["conversation", "behavior", "transaction", "crm-updates"]
        );
    }
}
