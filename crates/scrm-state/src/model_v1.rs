//! Version 1 of the stored structs, frozen: read, converted, never written.
//!
//! Postcard is not self-describing, so a struct's bytes can only be read with the struct
//! that wrote them. These are the structs of the first release, field for field; the
//! conversions fill what version 2 added with its defaults.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

use crate::model::{CustomerState, OrderSummary, PartitionMeta};
use crate::window::WindowCounter;

#[derive(Debug, Deserialize)]
pub(crate) struct CustomerStateV1 {
    customer: String,
    first_seen_ms: i64,
    last_event_ms: i64,
    profile_name: Option<String>,
    linked_id: Option<String>,
    language: Option<String>,
    opted_out_at_ms: Option<i64>,
    last_inbound_ms: Option<i64>,
    last_outbound_ms: Option<i64>,
    last_agent_ms: Option<i64>,
    paused_until_ms: Option<i64>,
    counters: BTreeMap<String, WindowCounter>,
    keywords: BTreeMap<String, u32>,
    last_inbound_keywords: BTreeSet<String>,
    orders: Vec<OrderSummary>,
    segment: Option<String>,
    tags: BTreeSet<String>,
    timers: BTreeMap<String, i64>,
    marks: BTreeMap<String, i64>,
}

impl From<CustomerStateV1> for CustomerState {
    fn from(v1: CustomerStateV1) -> Self {
        CustomerState {
            customer: v1.customer,
            first_seen_ms: v1.first_seen_ms,
            last_event_ms: v1.last_event_ms,
            profile_name: v1.profile_name,
            linked_id: v1.linked_id,
            language: v1.language,
            opted_out_at_ms: v1.opted_out_at_ms,
            last_inbound_ms: v1.last_inbound_ms,
            last_outbound_ms: v1.last_outbound_ms,
            last_agent_ms: v1.last_agent_ms,
            handoff_ms: v1.last_agent_ms,
            paused_until_ms: v1.paused_until_ms,
            counters: v1.counters,
            keywords: v1.keywords,
            last_inbound_keywords: v1.last_inbound_keywords,
            orders: v1.orders,
            segment: v1.segment,
            tags: v1.tags,
            timers: v1.timers,
            marks: v1.marks,
            ..CustomerState::default()
        }
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct PartitionMetaV1 {
    next_offsets: BTreeMap<String, u64>,
    stream_time_ms: Option<i64>,
    outbox_next: u64,
    changelog_next: Option<u64>,
}

impl From<PartitionMetaV1> for PartitionMeta {
    fn from(v1: PartitionMetaV1) -> Self {
        PartitionMeta {
            next_offsets: v1.next_offsets,
            stream_time_ms: v1.stream_time_ms,
            outbox_next: v1.outbox_next,
            changelog_next: v1.changelog_next,
            ..PartitionMeta::default()
        }
    }
}
