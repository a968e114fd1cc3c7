//! Version 2 of the stored customer state, frozen: read, converted, never written.
//!
//! Version 3 added [`crate::RecentEvents`] at the end of [`CustomerState`]; postcard is
//! not self-describing, so version-2 bytes are read with the version-2 struct, field for
//! field, and converted with no event ids remembered. The partition's progress and the
//! outbox entry did not change: their version-2 bytes are read with the current structs.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

use crate::model::{CustomerState, MessageTrail, OrderSummary, PolicyState};
use crate::window::WindowCounter;

#[derive(Debug, Deserialize)]
pub(crate) struct CustomerStateV2 {
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
    opted_in_at_ms: Option<i64>,
    time_zone: Option<String>,
    sentiment: Option<f32>,
    location: Option<(f64, f64)>,
    awaiting_reply_since_ms: Option<i64>,
    handoff_ms: Option<i64>,
    resumed_ms: Option<i64>,
    counters: BTreeMap<String, WindowCounter>,
    keywords: BTreeMap<String, u32>,
    last_inbound_keywords: BTreeSet<String>,
    consecutive: BTreeMap<String, u32>,
    orders: Vec<OrderSummary>,
    segment: Option<String>,
    priority: Option<String>,
    tags: BTreeSet<String>,
    timers: BTreeMap<String, i64>,
    marks: BTreeMap<String, i64>,
    policy: PolicyState,
    messages: Vec<MessageTrail>,
}

impl From<CustomerStateV2> for CustomerState {
    fn from(v2: CustomerStateV2) -> Self {
        CustomerState {
            customer: v2.customer,
            first_seen_ms: v2.first_seen_ms,
            last_event_ms: v2.last_event_ms,
            profile_name: v2.profile_name,
            linked_id: v2.linked_id,
            language: v2.language,
            opted_out_at_ms: v2.opted_out_at_ms,
            last_inbound_ms: v2.last_inbound_ms,
            last_outbound_ms: v2.last_outbound_ms,
            last_agent_ms: v2.last_agent_ms,
            paused_until_ms: v2.paused_until_ms,
            opted_in_at_ms: v2.opted_in_at_ms,
            time_zone: v2.time_zone,
            sentiment: v2.sentiment,
            location: v2.location,
            awaiting_reply_since_ms: v2.awaiting_reply_since_ms,
            handoff_ms: v2.handoff_ms,
            resumed_ms: v2.resumed_ms,
            counters: v2.counters,
            keywords: v2.keywords,
            last_inbound_keywords: v2.last_inbound_keywords,
            consecutive: v2.consecutive,
            orders: v2.orders,
            segment: v2.segment,
            priority: v2.priority,
            tags: v2.tags,
            timers: v2.timers,
            marks: v2.marks,
            policy: v2.policy,
            messages: v2.messages,
            recent_events: Default::default(),
            crm: Default::default(),
        }
    }
}
