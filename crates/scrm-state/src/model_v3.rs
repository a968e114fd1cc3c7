//! Version 3 of the stored customer state, frozen: read, converted, never written.
//!
//! Version 4 added [`crate::CrmSync`] (what the CRM sinks were last asked to hold) at the
//! end of [`CustomerState`]; version-3 bytes are read with the version-3 struct, field for
//! field, and converted with nothing sent yet, so the next change sends every contact
//! field once. The partition's progress and the outbox entry did not change.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

use crate::model::{CustomerState, MessageTrail, OrderSummary, PolicyState, RecentEvents};
use crate::window::WindowCounter;

#[derive(Debug, Deserialize)]
pub(crate) struct CustomerStateV3 {
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
    recent_events: RecentEvents,
}

impl From<CustomerStateV3> for CustomerState {
    fn from(v3: CustomerStateV3) -> Self {
        CustomerState {
            customer: v3.customer,
            first_seen_ms: v3.first_seen_ms,
            last_event_ms: v3.last_event_ms,
            profile_name: v3.profile_name,
            linked_id: v3.linked_id,
            language: v3.language,
            opted_out_at_ms: v3.opted_out_at_ms,
            last_inbound_ms: v3.last_inbound_ms,
            last_outbound_ms: v3.last_outbound_ms,
            last_agent_ms: v3.last_agent_ms,
            paused_until_ms: v3.paused_until_ms,
            opted_in_at_ms: v3.opted_in_at_ms,
            time_zone: v3.time_zone,
            sentiment: v3.sentiment,
            location: v3.location,
            awaiting_reply_since_ms: v3.awaiting_reply_since_ms,
            handoff_ms: v3.handoff_ms,
            resumed_ms: v3.resumed_ms,
            counters: v3.counters,
            keywords: v3.keywords,
            last_inbound_keywords: v3.last_inbound_keywords,
            consecutive: v3.consecutive,
            orders: v3.orders,
            segment: v3.segment,
            priority: v3.priority,
            tags: v3.tags,
            timers: v3.timers,
            marks: v3.marks,
            policy: v3.policy,
            messages: v3.messages,
            recent_events: v3.recent_events,
            crm: Default::default(),
        }
    }
}
