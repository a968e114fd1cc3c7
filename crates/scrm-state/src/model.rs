//! What the processor keeps, and its versioned encoding.
//!
//! Every stored value starts with a version byte, then `postcard` of the structs below. A
//! release that changes a struct bumps [`STATE_VERSION`], keeps the old structs (see
//! [`crate::model_v1`]) and converts on read, so state written by an earlier release (local
//! RocksDB or the changelog topic) stays readable; a value from a newer release is refused
//! with a clear error rather than misread. The `version_*` tests pin each encoding with
//! golden bytes.
//!
//! Version 2 added the policy gate's memory ([`PolicyState`]), consent, sentiment, runs of
//! intents, the customer's location and time zone, and per partition the schedules and the
//! aggregates of agents and complaints ([`PartitionStats`]), the outbound messages' delivery
//! trail ([`MessageTrail`]) and Meta's messaging limit ([`MessagingLimit`]).
//!
//! Version 3 added the customer's latest applied event ids ([`RecentEvents`]), so an
//! event appended twice is applied once; the partition's progress and the outbox entry are
//! as in version 2 (their version-2 bytes decode with the current structs).
//!
//! Version 4 added what the CRM sinks were last asked to hold about the customer
//! ([`CrmSync`]): the processor sends only the contact fields that differ from it.

use std::collections::{BTreeMap, BTreeSet};

use serde::{de::DeserializeOwned, Deserialize, Serialize};
use thiserror::Error;

use crate::window::WindowCounter;

/// The version this release writes.
pub const STATE_VERSION: u8 = 4;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum DecodeError {
    #[error("empty value")]
    Empty,
    #[error("state version {found} is newer than this release understands ({STATE_VERSION}); upgrade scrm")]
    TooNew { found: u8 },
    #[error("state version {found} is unknown")]
    Unknown { found: u8 },
    #[error("corrupt state: {0}")]
    Corrupt(String),
}

fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    let mut out = vec![STATE_VERSION];
    let body = postcard::to_allocvec(value).expect("state types always serialize");
    out.extend_from_slice(&body);
    out
}

fn body<T: DeserializeOwned>(body: &[u8]) -> Result<T, DecodeError> {
    postcard::from_bytes(body).map_err(|e| DecodeError::Corrupt(e.to_string()))
}

/// Decodes the current version, or an older one through `V1`, `V2` or `V3` and its
/// conversion.
fn decode<T, V1, V2, V3>(bytes: &[u8]) -> Result<T, DecodeError>
where
    T: DeserializeOwned,
    V1: DeserializeOwned + Into<T>,
    V2: DeserializeOwned + Into<T>,
    V3: DeserializeOwned + Into<T>,
{
    let (&version, rest) = bytes.split_first().ok_or(DecodeError::Empty)?;
    match version {
        STATE_VERSION => body(rest),
        1 => body::<V1>(rest).map(Into::into),
        2 => body::<V2>(rest).map(Into::into),
        3 => body::<V3>(rest).map(Into::into),
        v if v > STATE_VERSION => Err(DecodeError::TooNew { found: v }),
        v => Err(DecodeError::Unknown { found: v }),
    }
}

/// Everything scrm knows about one customer, as of the partition's last applied event.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CustomerState {
    /// The customer key (E.164 number or BSUID).
    pub customer: String,
    pub first_seen_ms: i64,
    /// Event time of the latest event applied; the 180-day pruning counts from here.
    pub last_event_ms: i64,
    /// WhatsApp profile name, as last seen.
    pub profile_name: Option<String>,
    /// The other identity when both were seen: the BSUID of a number, or the number of a
    /// BSUID.
    pub linked_id: Option<String>,
    pub language: Option<String>,
    /// When the customer opted out ("STOP"); `None` while they have not.
    pub opted_out_at_ms: Option<i64>,
    pub last_inbound_ms: Option<i64>,
    pub last_outbound_ms: Option<i64>,
    /// The last time a human agent replied or took over.
    pub last_agent_ms: Option<i64>,
    /// Automations are paused until then (hand-off to a human).
    pub paused_until_ms: Option<i64>,
    /// When the customer opted in to messages from the business (consent); cleared by an
    /// opt-out.
    pub opted_in_at_ms: Option<i64>,
    /// IANA time zone when known (from the CRM); otherwise derived from the number.
    pub time_zone: Option<String>,
    /// Heuristic sentiment of the latest inbound message that carried any, in [0, 1].
    pub sentiment: Option<f32>,
    /// Where the customer last shared a location (latitude, longitude).
    pub location: Option<(f64, f64)>,
    /// The earliest inbound message not yet answered by the business.
    pub awaiting_reply_since_ms: Option<i64>,
    /// The last time a human stepped in or was asked for (hand-off).
    pub handoff_ms: Option<i64>,
    /// The last time the conversation was handed back to automation.
    pub resumed_ms: Option<i64>,
    /// Sliding-window counters by name (`inbound`, `product_inquiry`, …).
    pub counters: BTreeMap<String, WindowCounter>,
    /// Keyword mentions by keyword id (`discount`, `too_expensive`, …).
    pub keywords: BTreeMap<String, u32>,
    /// Intent ids of the latest inbound message.
    pub last_inbound_keywords: BTreeSet<String>,
    /// For each intent, in how many inbound messages in a row (up to the latest) it was
    /// found; intents absent from the latest message are not listed.
    pub consecutive: BTreeMap<String, u32>,
    /// Orders of the last 90 days, oldest first.
    pub orders: Vec<OrderSummary>,
    pub segment: Option<String>,
    /// CRM priority scrm set (high, normal, low).
    pub priority: Option<String>,
    pub tags: BTreeSet<String>,
    /// Pending timers: name → due time (event time, ms).
    pub timers: BTreeMap<String, i64>,
    /// Named moments rules remember (last firing of a rule, …).
    pub marks: BTreeMap<String, i64>,
    /// What the policy gate let through, for its limits.
    pub policy: PolicyState,
    /// The business's recent outbound messages and their delivery status, newest last
    /// (at most [`MessageTrail::MAX`], none older than the order horizon).
    pub messages: Vec<MessageTrail>,
    /// The latest events applied, to drop one that arrives again (see [`RecentEvents`]).
    pub recent_events: RecentEvents,
    /// What the CRM sinks were last asked to hold about the customer.
    pub crm: CrmSync,
}

/// What the CRM commands so far asked the CRMs to hold about one customer: the contact
/// fields as last sent and the deals opened. The processor sends only what differs, and
/// recognises its own values when a CRM echoes them back.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrmSync {
    /// Contact field → the value last sent (`""`: cleared).
    pub contact: BTreeMap<String, String>,
    /// SKU → the customer's latest deal for it.
    pub deals: BTreeMap<String, DealSync>,
}

/// The latest deal of one customer for one product.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DealSync {
    /// 1 for the first deal for the SKU; a new one after a won deal counts up.
    pub seq: u32,
    /// `open` or `won`.
    pub stage: String,
    /// Event time of the message that opened it.
    pub opened_ms: i64,
}

/// A customer's latest applied event ids with their event times, oldest first; bounded in
/// number and in age, so it never grows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecentEvents {
    pub ids: Vec<(String, i64)>,
}

impl RecentEvents {
    /// Whether `event_id` was applied (and is still remembered).
    pub fn contains(&self, event_id: &str) -> bool {
        self.ids.iter().any(|(id, _)| id == event_id)
    }

    /// Remembers `event_id` at `at_ms`; forgets ids older than `keep_after_ms` and the
    /// oldest beyond `max` ids.
    pub fn record(&mut self, event_id: &str, at_ms: i64, keep_after_ms: i64, max: usize) {
        self.ids.retain(|(_, at)| *at > keep_after_ms);
        let pos = self.ids.partition_point(|(_, at)| *at <= at_ms);
        self.ids.insert(pos, (event_id.to_owned(), at_ms));
        if self.ids.len() > max {
            let excess = self.ids.len() - max;
            self.ids.drain(..excess);
        }
    }
}

/// Delivery status of an outbound message. Statuses arrive out of order and `Delivered`
/// may be skipped, so a status only replaces a lower one: `Failed` is terminal, `Read`
/// outranks `Delivered`, which outranks `Sent`, which outranks `Accepted`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum MessageStatus {
    /// The Cloud API took it (an outbound message event), no status yet.
    #[default]
    Accepted,
    Sent,
    Delivered,
    Read,
    Failed,
}

impl MessageStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MessageStatus::Accepted => "accepted",
            MessageStatus::Sent => "sent",
            MessageStatus::Delivered => "delivered",
            MessageStatus::Read => "read",
            MessageStatus::Failed => "failed",
        }
    }
}

/// One outbound message and where it got to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageTrail {
    pub wamid: String,
    /// The automation trigger that sent it, when automated.
    pub trigger_id: Option<String>,
    pub status: MessageStatus,
    /// errors[].code of a failure.
    pub error_code: Option<i32>,
    /// Event time of the first event about the message.
    pub first_ms: i64,
    /// Event time of the status now in force.
    pub status_ms: i64,
}

impl MessageTrail {
    pub const MAX: usize = 64;
}

/// The messages the policy gate let through (sent or scheduled), newest last, kept for the
/// longest window a limit looks at (a month) and at most [`PolicyState::MAX_SENDS`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyState {
    pub sends: Vec<PolicySend>,
    /// The business's local day on which this customer last counted against the daily
    /// limit of unique customers.
    pub tier_day: Option<i64>,
}

impl PolicyState {
    pub const MAX_SENDS: usize = 256;

    /// Remembers a send and forgets those older than `keep_after_ms`.
    pub fn record(&mut self, send: PolicySend, keep_after_ms: i64) {
        self.sends.retain(|s| s.at_ms > keep_after_ms);
        let at = self.sends.partition_point(|s| s.at_ms <= send.at_ms);
        self.sends.insert(at, send);
        if self.sends.len() > Self::MAX_SENDS {
            self.sends.remove(0);
        }
    }
}

/// One message the gate let through.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicySend {
    /// When it is sent (now, or the time it was deferred to).
    pub at_ms: i64,
    /// Template name; `None` for free-form text.
    pub template: Option<String>,
    pub marketing: bool,
    /// Notification type for the spacing rule.
    pub notification: String,
}

impl CustomerState {
    pub fn new(customer: &str, at_ms: i64) -> Self {
        Self {
            customer: customer.to_owned(),
            first_seen_ms: at_ms,
            last_event_ms: at_ms,
            ..Self::default()
        }
    }

    pub fn encode(&self) -> Vec<u8> {
        encode(self)
    }

    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        decode::<
            Self,
            crate::model_v1::CustomerStateV1,
            crate::model_v2::CustomerStateV2,
            crate::model_v3::CustomerStateV3,
        >(bytes)
    }

    /// The counter `name`, created with the given shape when new.
    pub fn counter(&mut self, name: &str, bucket_ms: i64, horizon_ms: i64) -> &mut WindowCounter {
        self.counters
            .entry(name.to_owned())
            .or_insert_with(|| WindowCounter::new(bucket_ms, horizon_ms))
    }

    /// The latest order, if any.
    pub fn latest_order(&self) -> Option<&OrderSummary> {
        self.orders
            .iter()
            .max_by_key(|o| (o.placed_ms, &o.order_id))
    }
}

/// One order as the processor remembers it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderSummary {
    pub order_id: String,
    pub placed_ms: i64,
    pub total_minor: i64,
    pub currency: String,
    pub skus: Vec<String>,
    /// placed, paid, shipped, delivered, returned.
    pub status: String,
    pub carrier: Option<String>,
    pub tracking_number: Option<String>,
    pub tracking_url: Option<String>,
    pub updated_ms: i64,
}

/// Progress of one partition, written in the same batch as the state it describes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartitionMeta {
    /// Next input offset to read, by input topic (base name).
    pub next_offsets: BTreeMap<String, u64>,
    /// Largest event time applied; `None` before the first event.
    pub stream_time_ms: Option<i64>,
    /// Sequence number the next outbox entry gets.
    pub outbox_next: u64,
    /// The changelog offset after the last changelog record this instance wrote or
    /// restored; tells on reassignment whether another instance moved on meanwhile.
    pub changelog_next: Option<u64>,
    /// Next run of each scheduled rule, by rule id (UTC ms).
    pub schedules: BTreeMap<String, i64>,
    /// Aggregates over the partition's customers.
    pub stats: PartitionStats,
    /// The business's messaging limit as Meta last announced it
    /// (business_capability_update); overrides the rule pack's while set.
    pub messaging_limit: Option<MessagingLimit>,
}

/// Meta's messaging limit: unique customers per day outside the service window.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessagingLimit {
    /// `None` when unlimited.
    pub max_daily: Option<u64>,
    pub waba_id: String,
    /// Event time of the update.
    pub updated_ms: i64,
}

/// What rules about the business as a whole read: per local day of the business, inbound
/// messages, complaints and agents' response times; and the daily count of unique
/// customers messaged outside the service window. A partition sees its own customers only.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartitionStats {
    pub days: BTreeMap<i64, DayStats>,
    pub tier: TierUsage,
}

impl PartitionStats {
    /// The aggregates of local day `day`, created when new; days older than `keep_days`
    /// before it are dropped.
    pub fn day_mut(&mut self, day: i64, keep_days: i64) -> &mut DayStats {
        let oldest = day - keep_days;
        self.days.retain(|d, _| *d >= oldest);
        self.days.entry(day).or_default()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayStats {
    pub inbound: u32,
    pub complaints: u32,
    /// Agent id → histogram of response times: bucket (seconds / 10) → replies.
    pub agent_responses: BTreeMap<String, BTreeMap<u32, u32>>,
}

/// Width of the agent response-time buckets.
pub const RESPONSE_BUCKET_S: u32 = 10;

impl DayStats {
    pub fn record_response(&mut self, agent: &str, seconds: i64) {
        let bucket = u32::try_from(seconds.max(0) / i64::from(RESPONSE_BUCKET_S))
            .unwrap_or(u32::MAX)
            .min(24 * 360);
        *self
            .agent_responses
            .entry(agent.to_owned())
            .or_default()
            .entry(bucket)
            .or_insert(0) += 1;
    }
}

/// Unique customers messaged outside the service window, by the business's local day
/// (the last week is kept).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TierUsage {
    pub used: BTreeMap<i64, u64>,
    /// Days on which the warning near the limit was raised.
    pub warned: BTreeSet<i64>,
}

impl TierUsage {
    /// Forgets days more than a week before `day`.
    pub fn prune(&mut self, day: i64) {
        self.used.retain(|d, _| *d > day - 7);
        self.warned.retain(|d| *d > day - 7);
    }
}

impl PartitionMeta {
    pub fn encode(&self) -> Vec<u8> {
        encode(self)
    }

    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        decode::<Self, crate::model_v1::PartitionMetaV1, Self, Self>(bytes)
    }
}

/// A record committed with the state and appended to its topic afterwards (the outbox).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxEntry {
    pub topic: String,
    pub partition: u32,
    pub key: Vec<u8>,
    pub value: Vec<u8>,
    pub timestamp_ms: i64,
    pub headers: Vec<(String, Vec<u8>)>,
}

impl OutboxEntry {
    pub fn encode(&self) -> Vec<u8> {
        encode(self)
    }

    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        decode::<Self, Self, Self, Self>(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_newer_versions() {
        let mut state = CustomerState::new("+85291234567", 1_700_000_000_000);
        state.tags.insert("lost".into());
        state.counter("inbound", 3_600_000, 30 * 86_400_000).add(
            1_700_000_000_000,
            2,
            1_700_000_000_000,
        );
        state.timers.insert("lost".into(), 1_705_184_000_000);
        let bytes = state.encode();
        assert_eq!(bytes[0], STATE_VERSION);
        assert_eq!(CustomerState::decode(&bytes).unwrap(), state);

        let mut newer = bytes.clone();
        newer[0] = STATE_VERSION + 1;
        assert_eq!(
            CustomerState::decode(&newer),
            Err(DecodeError::TooNew {
                found: STATE_VERSION + 1
            })
        );
        assert_eq!(CustomerState::decode(&[]), Err(DecodeError::Empty));
        assert!(matches!(
            CustomerState::decode(&bytes[..bytes.len() / 2]),
            Err(DecodeError::Corrupt(_))
        ));
    }

    /// Version 1 is frozen: these bytes, written by the first release, must stay readable
    /// by every later release.
    #[test]
    fn version_1_golden_bytes_stay_readable() {
        let meta = PartitionMeta {
            next_offsets: [("scrm.conversation.v1".to_owned(), 300u64)].into(),
            stream_time_ms: Some(1_700_000_000_000),
            outbox_next: 7,
            changelog_next: Some(42),
            ..PartitionMeta::default()
        };
        let golden: Vec<u8> = vec![
            1, 1, 20, 115, 99, 114, 109, 46, 99, 111, 110, 118, 101, 114, 115, 97, 116, 105, 111,
            110, 46, 118, 49, 172, 2, 1, 128, 160, 171, 254, 249, 98, 7, 1, 42,
        ];
        assert_eq!(PartitionMeta::decode(&golden).unwrap(), meta);

        // A customer of the first release: "+1", first seen and last event at 5, tag "x".
        let golden: Vec<u8> = vec![
            1, 2, 43, 49, 10, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 120, 0, 0,
        ];
        let state = CustomerState::decode(&golden).unwrap();
        assert_eq!(state.customer, "+1");
        assert_eq!((state.first_seen_ms, state.last_event_ms), (5, 5));
        assert!(state.tags.contains("x"));
        assert_eq!(state.policy, PolicyState::default());
    }

    /// Version 2 is frozen once released (0.2.0): these bytes must stay readable. Before the
    /// release it gained the outbound messages' trail and Meta's messaging limit.
    #[test]
    fn version_2_golden_bytes_stay_readable() {
        let mut meta = PartitionMeta {
            next_offsets: [("t".to_owned(), 3u64)].into(),
            stream_time_ms: Some(10),
            ..PartitionMeta::default()
        };
        meta.schedules.insert("s".into(), 20);
        meta.stats.day_mut(1, 7).record_response("a", 25);
        meta.stats.tier.used.insert(1, 2);
        meta.stats.tier.warned.insert(1);
        meta.messaging_limit = Some(MessagingLimit {
            max_daily: Some(2000),
            waba_id: "w".into(),
            updated_ms: -5,
        });
        let golden: Vec<u8> = vec![
            2, 1, 1, 116, 3, 1, 20, 0, 0, 1, 1, 115, 40, 1, 2, 0, 0, 1, 1, 97, 1, 2, 1, 1, 2, 2, 1,
            2, 1, 1, 208, 15, 1, 119, 9,
        ];
        // Version 3 changed only the customer state: the progress record's body is the same.
        assert_eq!(meta.encode()[1..], golden[1..], "{:?}", meta.encode());
        assert_eq!(PartitionMeta::decode(&golden).unwrap(), meta);

        // A customer of version 2: "+1", first seen and last event at 5, tag "x".
        let golden: Vec<u8> = vec![
            2, 2, 43, 49, 10, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            1, 1, 120, 0, 0, 0, 0, 0,
        ];
        let state = CustomerState::decode(&golden).unwrap();
        let mut expected = CustomerState::new("+1", 5);
        expected.tags.insert("x".into());
        assert_eq!(state, expected);
        assert_eq!(state.recent_events, RecentEvents::default());
    }

    /// Version 3 is frozen once released: these bytes must stay readable. It added the
    /// customer's latest event ids.
    #[test]
    fn version_3_golden_bytes_stay_readable() {
        let mut state = CustomerState::new("+1", 5);
        state.tags.insert("x".into());
        state.recent_events.record("e1", 5, 0, 256);
        let golden: Vec<u8> = vec![
            3, 2, 43, 49, 10, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            1, 1, 120, 0, 0, 0, 0, 0, 1, 2, 101, 49, 10,
        ];
        assert_eq!(CustomerState::decode(&golden).unwrap(), state);
        // Version 4 appends the CRM memory: the same body and two empty maps.
        let mut v4 = golden.clone();
        v4[0] = 4;
        v4.extend([0, 0]);
        assert_eq!(state.encode(), v4, "{:?}", state.encode());
    }

    /// Version 4 is frozen once released: these bytes must stay readable. It added what
    /// the CRM sinks were last asked to hold.
    #[test]
    fn version_4_golden_bytes_stay_readable() {
        let mut state = CustomerState::new("+1", 5);
        state.crm.contact.insert("name".into(), "Ana".into());
        state.crm.deals.insert(
            "SKU".into(),
            DealSync {
                seq: 1,
                stage: "open".into(),
                opened_ms: 5,
            },
        );
        let golden: Vec<u8> = vec![
            4, 2, 43, 49, 10, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 1, 4, 110, 97, 109, 101, 3, 65, 110, 97, 1, 3, 83, 75, 85, 1, 4,
            111, 112, 101, 110, 10,
        ];
        assert_eq!(state.encode(), golden, "{:?}", state.encode());
        assert_eq!(CustomerState::decode(&golden).unwrap(), state);
    }

    #[test]
    fn recent_events_are_bounded_in_number_and_age() {
        let mut recent = RecentEvents::default();
        for i in 0..10 {
            recent.record(&format!("e{i}"), i * 100, 0, 4);
        }
        let ids: Vec<&str> = recent.ids.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(ids, ["e6", "e7", "e8", "e9"]);
        assert!(recent.contains("e9") && !recent.contains("e5"));
        // Those at or before the horizon are forgotten.
        recent.record("late", 950, 800, 4);
        let ids: Vec<&str> = recent.ids.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(ids, ["e9", "late"]);
    }
}
