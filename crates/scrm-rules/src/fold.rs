//! The built-in part of every event's processing: folding it into the customer's state and
//! the partition's aggregates. Rules then read the folded state, so they share one
//! definition of "last inbound", "inquiries this week" or "latest order".

use std::collections::BTreeMap;

use scrm_events::{DeliveryState, Event, Payload};
use scrm_state::{CustomerState, MessageStatus, MessageTrail, OrderSummary, PartitionStats};
use scrm_text::Analyzer;

use crate::event_kind::EventKind;
use crate::rule::Business;

/// Timer that deletes a customer's state when nothing happened for the retention period.
pub const EXPIRE_TIMER: &str = "__expire";

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;

/// Intents the fold itself acts on.
pub mod intents {
    pub const OPT_OUT: &str = "opt_out";
    pub const OPT_IN: &str = "opt_in";
    pub const COMPLAINT: &str = "complaint";
}

/// Shapes of the state the fold keeps.
#[derive(Debug, Clone, PartialEq)]
pub struct FoldSettings {
    /// State of a customer with no event for this long is deleted (180 days).
    pub retention_ms: i64,
    /// Orders are remembered this long (90 days).
    pub order_horizon_ms: i64,
    /// The window counters the rules read, with how far back each must answer. Only
    /// these are kept, so a pack pays only for what it uses.
    pub counters: BTreeMap<String, i64>,
    /// Days of partition aggregates kept.
    pub aggregate_days: i64,
    /// CRM field recording opt-in ("true"/"false").
    pub opt_in_field: String,
    /// How many of a customer's latest event ids the processor remembers to drop an
    /// event appended twice (a producer's retry, a re-routed record re-sent after a crash).
    /// 256 by default.
    pub dedup_ids: usize,
    /// How long, in event time, an event id is remembered (7 days by default): a repeat
    /// older than this relative to the customer's latest event is applied again.
    pub dedup_horizon_ms: i64,
}

impl Default for FoldSettings {
    fn default() -> Self {
        Self {
            retention_ms: 180 * DAY,
            order_horizon_ms: 90 * DAY,
            counters: BTreeMap::new(),
            aggregate_days: 8,
            opt_in_field: "whatsapp_opt_in".to_owned(),
            dedup_ids: 256,
            dedup_horizon_ms: 7 * DAY,
        }
    }
}

impl FoldSettings {
    /// Bucket width of a counter that must answer `horizon_ms` back: hours up to 35 days,
    /// days beyond, so a counter holds at most about 840 buckets.
    pub fn bucket_ms(horizon_ms: i64) -> i64 {
        if horizon_ms <= 35 * DAY {
            HOUR
        } else {
            DAY
        }
    }
}

/// Counter names the fold maintains (when a rule reads them).
pub mod counters {
    /// Inbound messages.
    pub const INBOUND: &str = "inbound";
    /// Inbound messages plus web behaviour: what "interactions" means in the rules.
    pub const INTERACTIONS: &str = "interactions";
    /// Messages sent to the customer.
    pub const OUTBOUND: &str = "outbound";

    /// Inbound messages with an intent.
    pub fn intent(id: &str) -> String {
        format!("intent:{id}")
    }
}

/// Everything the fold needs besides the state.
#[derive(Debug, Clone, Copy)]
pub struct FoldCx<'a> {
    pub settings: &'a FoldSettings,
    pub analyzer: &'a Analyzer,
    pub business: &'a Business,
}

fn count(state: &mut CustomerState, name: &str, at: i64, now: i64, s: &FoldSettings) {
    if let Some(&horizon) = s.counters.get(name) {
        state
            .counter(name, FoldSettings::bucket_ms(horizon), horizon)
            .add(at, 1, now);
    }
}

fn latest(slot: &mut Option<i64>, at: i64) {
    *slot = Some(slot.map_or(at, |t| t.max(at)));
}

fn order_mut<'s>(state: &'s mut CustomerState, order_id: &str) -> Option<&'s mut OrderSummary> {
    state.orders.iter_mut().find(|o| o.order_id == order_id)
}

/// Folds `event` into `state` and `stats`; `now_ms` is the partition's stream time.
pub fn fold(
    state: &mut CustomerState,
    stats: &mut PartitionStats,
    event: &Event,
    now_ms: i64,
    cx: &FoldCx<'_>,
) {
    let s = cx.settings;
    let at = event.occurred_at_ms;
    state.last_event_ms = state.last_event_ms.max(at);
    state.first_seen_ms = state.first_seen_ms.min(at);
    state.timers.insert(
        EXPIRE_TIMER.to_owned(),
        state.last_event_ms + s.retention_ms,
    );
    for kind in EventKind::of(event) {
        let slot = state.marks.entry(kind.name().to_owned()).or_insert(at);
        *slot = (*slot).max(at);
        count(state, kind.name(), at, now_ms, s);
    }
    let day = cx.business.day(at);

    match &event.payload {
        Payload::Inbound(m) => {
            latest(&mut state.last_inbound_ms, at);
            if state.awaiting_reply_since_ms.is_none() {
                state.awaiting_reply_since_ms = Some(at);
            }
            if let Some(name) = &m.profile_name {
                state.profile_name = Some(name.clone());
            }
            let other = if event.customer.starts_with('+') {
                &m.bsuid
            } else {
                &m.phone
            };
            if let Some(id) = other.as_ref().filter(|id| **id != event.customer) {
                state.linked_id = Some(id.clone());
            }
            if let scrm_events::Content::Location {
                latitude,
                longitude,
                ..
            } = &m.content
            {
                state.location = Some((*latitude, *longitude));
            }
            count(state, counters::INBOUND, at, now_ms, s);
            count(state, counters::INTERACTIONS, at, now_ms, s);
            let analysis = m.text().map(|t| cx.analyzer.analyze(t)).unwrap_or_default();
            for id in &analysis.intents {
                *state.keywords.entry(id.clone()).or_insert(0) += 1;
                count(state, &counters::intent(id), at, now_ms, s);
            }
            let runs = std::mem::take(&mut state.consecutive);
            state.consecutive = analysis
                .intents
                .iter()
                .map(|id| (id.clone(), runs.get(id).copied().unwrap_or(0) + 1))
                .collect();
            if let Some(score) = analysis.sentiment {
                state.sentiment = Some(score);
            }
            if let Some(lang) = &analysis.language {
                state.language = Some(template_language(lang, &state.customer));
            } else if state.language.is_none() {
                state.language = region_language(&state.customer);
            }
            if analysis.intents.contains(intents::OPT_OUT) {
                state.opted_out_at_ms = Some(at);
                state.opted_in_at_ms = None;
            } else if analysis.intents.contains(intents::OPT_IN) {
                state.opted_in_at_ms = Some(at);
                state.opted_out_at_ms = None;
            }
            let today = stats.day_mut(day, s.aggregate_days);
            today.inbound += 1;
            if analysis.intents.contains(intents::COMPLAINT) {
                today.complaints += 1;
            }
            state.last_inbound_keywords = analysis.intents;
        }
        Payload::Outbound(m) => {
            latest(&mut state.last_outbound_ms, at);
            count(state, counters::OUTBOUND, at, now_ms, s);
            if m.sent_by == scrm_events::Sender::Agent {
                latest(&mut state.last_agent_ms, at);
                latest(&mut state.handoff_ms, at);
                if let (Some(since), Some(agent)) = (state.awaiting_reply_since_ms, &m.agent_id) {
                    stats
                        .day_mut(day, s.aggregate_days)
                        .record_response(agent, (at - since) / 1000);
                }
            }
            state.awaiting_reply_since_ms = None;
            if let Some(wamid) = &m.wamid {
                let trail = trail_mut(state, wamid, at);
                if trail.trigger_id.is_none() {
                    trail.trigger_id = m.trigger_id.clone();
                }
            }
        }
        Payload::Status(st) => {
            let status = match st.status {
                DeliveryState::Sent => MessageStatus::Sent,
                DeliveryState::Delivered => MessageStatus::Delivered,
                DeliveryState::Read => MessageStatus::Read,
                DeliveryState::Failed => MessageStatus::Failed,
            };
            let trail = trail_mut(state, &st.wamid, at);
            if trail.trigger_id.is_none() {
                trail.trigger_id = st.trigger_id.clone();
            }
            if status > trail.status {
                trail.status = status;
                trail.status_ms = at;
                trail.error_code = st.error_code;
            }
        }
        // What the sender did not send changes no fact about the customer (rules may count
        // it as a kind); stored media is for the CRM note; the messaging limit is
        // business-wide and applied to the partition by the engine.
        Payload::NotSent(_) | Payload::MediaStored(_) | Payload::Capability(_) => {}
        Payload::Handoff(h) => match h.direction {
            scrm_events::HandoffDirection::ToAgent => {
                latest(&mut state.last_agent_ms, at);
                latest(&mut state.handoff_ms, at);
            }
            scrm_events::HandoffDirection::ToAutomation => {
                latest(&mut state.resumed_ms, at);
                state.paused_until_ms = None;
            }
        },
        Payload::LinkClick(_)
        | Payload::ProductView(_)
        | Payload::AddToCart(_)
        | Payload::QuizAnswer(_) => count(state, counters::INTERACTIONS, at, now_ms, s),
        Payload::StoreVisit(_) => {}
        Payload::OrderPlaced(o) => {
            if order_mut(state, &o.order_id).is_none() {
                state.orders.push(OrderSummary {
                    order_id: o.order_id.clone(),
                    placed_ms: at,
                    total_minor: o.total_minor,
                    currency: o.currency.clone(),
                    skus: o.lines.iter().map(|l| l.sku.clone()).collect(),
                    status: "placed".to_owned(),
                    updated_ms: at,
                    ..OrderSummary::default()
                });
                state
                    .orders
                    .sort_by(|a, b| (a.placed_ms, &a.order_id).cmp(&(b.placed_ms, &b.order_id)));
            }
        }
        Payload::OrderPaid(o) => set_status(state, &o.order_id, "paid", at),
        Payload::OrderShipped(o) => {
            if let Some(order) = order_mut(state, &o.order_id) {
                order.carrier = Some(o.carrier.clone());
                order.tracking_number = Some(o.tracking_number.clone());
                order.tracking_url = o.tracking_url.clone();
            }
            set_status(state, &o.order_id, "shipped", at);
        }
        Payload::OrderDelivered(o) => set_status(state, &o.order_id, "delivered", at),
        Payload::OrderReturned(o) => set_status(state, &o.order_id, "returned", at),
        Payload::CrmFieldsChanged(c) => {
            // A field holding what scrm itself last sent is our own write echoing back,
            // not an edit.
            let edited = |name: &str| -> Option<Option<&str>> {
                let value = c.field(name)?;
                let ours = state.crm.contact.get(name).map(String::as_str);
                (ours != Some(value.unwrap_or(""))).then_some(value)
            };
            let opt_in = edited(&s.opt_in_field);
            let zone = edited("time_zone");
            let language = edited("language");
            let priority = edited("priority");
            let segment = edited("segment");
            match opt_in {
                Some(Some(v)) if is_true(v) => {
                    state.opted_in_at_ms = Some(at);
                    state.opted_out_at_ms = None;
                }
                Some(Some(v)) if is_false(v) => {
                    state.opted_in_at_ms = None;
                    state.opted_out_at_ms = Some(at);
                }
                _ => {}
            }
            if let Some(Some(zone)) = zone {
                if scrm_locale::parse_zone(zone).is_ok() {
                    state.time_zone = Some(zone.to_owned());
                }
            }
            if let Some(Some(lang)) = language {
                state.language = Some(lang.to_owned());
            }
            if let Some(Some(p)) = priority {
                if ["high", "normal", "low"].contains(&p) {
                    state.priority = Some(p.to_owned());
                }
            }
            if let Some(segment) = segment {
                state.segment = segment.filter(|s| !s.is_empty()).map(str::to_owned);
            }
        }
    }
    let oldest = now_ms - s.order_horizon_ms;
    state.orders.retain(|o| o.placed_ms >= oldest);
    state.messages.retain(|m| m.first_ms >= oldest);
}

/// The trail of outbound message `wamid`, added when new (the oldest are forgotten beyond
/// [`MessageTrail::MAX`]).
fn trail_mut<'s>(state: &'s mut CustomerState, wamid: &str, at: i64) -> &'s mut MessageTrail {
    let i = match state.messages.iter().position(|m| m.wamid == wamid) {
        Some(i) => i,
        None => {
            if state.messages.len() >= MessageTrail::MAX {
                state.messages.remove(0);
            }
            state.messages.push(MessageTrail {
                wamid: wamid.to_owned(),
                first_ms: at,
                status_ms: at,
                ..MessageTrail::default()
            });
            state.messages.len() - 1
        }
    };
    let trail = &mut state.messages[i];
    trail.first_ms = trail.first_ms.min(at);
    trail
}

fn is_true(v: &str) -> bool {
    matches!(
        v.trim().to_lowercase().as_str(),
        "true" | "yes" | "1" | "opted_in"
    )
}

fn is_false(v: &str) -> bool {
    matches!(
        v.trim().to_lowercase().as_str(),
        "false" | "no" | "0" | "opted_out"
    )
}

fn region_of(customer: &str) -> Option<String> {
    let key = scrm_identity::parse_key(customer).ok()?;
    Some(key.region()?.as_str().to_owned())
}

/// The usual language of the customer's number's region (zh_HK for +852).
pub(crate) fn region_language(customer: &str) -> Option<String> {
    region_of(customer).map(|r| scrm_locale::language_of_region(&r).to_owned())
}

/// The WhatsApp template language for a detected language: the regional variant of the
/// customer's number when it speaks that language (zh_HK for a Hong Kong number), else a
/// common one (zh_TW, pt_BR).
fn template_language(detected: &str, customer: &str) -> String {
    let regional = region_language(customer);
    match (detected, regional.as_deref()) {
        (d, Some(r)) if r.split('_').next() == Some(d) => r.to_owned(),
        ("zh", _) => "zh_TW".to_owned(),
        ("pt", _) => "pt_BR".to_owned(),
        (d, _) => d.to_owned(),
    }
}

/// Statuses only move forward, whatever order the updates arrive in.
fn set_status(state: &mut CustomerState, order_id: &str, status: &str, at: i64) {
    const ORDER: [&str; 5] = ["placed", "paid", "shipped", "delivered", "returned"];
    let rank = |s: &str| ORDER.iter().position(|x| *x == s).unwrap_or(0);
    if let Some(order) = order_mut(state, order_id) {
        if rank(status) >= rank(&order.status) {
            order.status = status.to_owned();
        }
        order.updated_ms = order.updated_ms.max(at);
    }
}
