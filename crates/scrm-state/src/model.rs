//! What the processor keeps, and its versioned encoding.
//!
//! Every stored value starts with a version byte. Version 1 is `postcard` of the structs
//! below. A release that changes a struct bumps [`STATE_VERSION`], keeps the old struct as
//! `…V1` and converts on read, so state written by an earlier release (local RocksDB or the
//! changelog topic) stays readable; a value from a newer release is refused with a clear
//! error rather than misread. The `version_1_*` tests pin the encoding with golden bytes.

use std::collections::{BTreeMap, BTreeSet};

use serde::{de::DeserializeOwned, Deserialize, Serialize};
use thiserror::Error;

use crate::window::WindowCounter;

/// The version this release writes.
pub const STATE_VERSION: u8 = 1;

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

fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, DecodeError> {
    let (&version, body) = bytes.split_first().ok_or(DecodeError::Empty)?;
    match version {
        1 => postcard::from_bytes(body).map_err(|e| DecodeError::Corrupt(e.to_string())),
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
    /// Sliding-window counters by name (`inbound`, `product_inquiry`, …).
    pub counters: BTreeMap<String, WindowCounter>,
    /// Keyword mentions by keyword id (`discount`, `too_expensive`, …).
    pub keywords: BTreeMap<String, u32>,
    /// Keyword ids of the latest inbound message, for "two messages in a row" rules.
    pub last_inbound_keywords: BTreeSet<String>,
    /// Orders of the last 90 days, oldest first.
    pub orders: Vec<OrderSummary>,
    pub segment: Option<String>,
    pub tags: BTreeSet<String>,
    /// Pending timers: name → due time (event time, ms).
    pub timers: BTreeMap<String, i64>,
    /// Named moments rules remember (last firing of a rule, …).
    pub marks: BTreeMap<String, i64>,
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
        decode(bytes)
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
}

impl PartitionMeta {
    pub fn encode(&self) -> Vec<u8> {
        encode(self)
    }

    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        decode(bytes)
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
        decode(bytes)
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

    /// Version 1 is frozen: these bytes must stay readable by every later release.
    #[test]
    fn version_1_golden_bytes_stay_readable() {
        let meta = PartitionMeta {
            next_offsets: [("scrm.conversation.v1".to_owned(), 300u64)].into(),
            stream_time_ms: Some(1_700_000_000_000),
            outbox_next: 7,
            changelog_next: Some(42),
        };
        let golden: Vec<u8> = vec![
            1, 1, 20, 115, 99, 114, 109, 46, 99, 111, 110, 118, 101, 114, 115, 97, 116, 105, 111,
            110, 46, 118, 49, 172, 2, 1, 128, 160, 171, 254, 249, 98, 7, 1, 42,
        ];
        assert_eq!(meta.encode(), golden);
        assert_eq!(PartitionMeta::decode(&golden).unwrap(), meta);
    }
}
