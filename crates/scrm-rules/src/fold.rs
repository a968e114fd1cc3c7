//! The built-in part of every event's processing: folding it into the customer's state.
//! Rules then read the folded state, so they share one definition of "last inbound",
//! "inquiries this week" or "latest order".

use scrm_events::{Event, Payload};
use scrm_state::{CustomerState, OrderSummary};

use crate::keywords::Keywords;

/// Timer that deletes a customer's state when nothing happened for the retention period.
pub const EXPIRE_TIMER: &str = "__expire";

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;

/// Shapes of the state the fold keeps.
#[derive(Debug, Clone)]
pub struct FoldSettings {
    /// State of a customer with no event for this long is deleted (180 days).
    pub retention_ms: i64,
    /// Orders are remembered this long (90 days).
    pub order_horizon_ms: i64,
    /// Width of the buckets of window counters (1 hour).
    pub counter_bucket_ms: i64,
    /// How far back window counters answer (35 days: a month plus a margin).
    pub counter_horizon_ms: i64,
}

impl Default for FoldSettings {
    fn default() -> Self {
        Self {
            retention_ms: 180 * DAY,
            order_horizon_ms: 90 * DAY,
            counter_bucket_ms: HOUR,
            counter_horizon_ms: 35 * DAY,
        }
    }
}

/// Counter names the fold maintains.
pub mod counters {
    /// Inbound messages.
    pub const INBOUND: &str = "inbound";
    /// Inbound messages plus web behaviour: what "interactions" means in the rules.
    pub const INTERACTIONS: &str = "interactions";
    /// Messages sent to the customer.
    pub const OUTBOUND: &str = "outbound";

    /// Inbound messages mentioning a keyword id.
    pub fn keyword(id: &str) -> String {
        format!("kw:{id}")
    }
}

/// Marks the fold sets.
pub mod marks {
    pub const LAST_CLICK: &str = "last_click";
    pub const LAST_PRODUCT_VIEW: &str = "last_product_view";
    pub const LAST_CART: &str = "last_cart";
    pub const LAST_QUIZ: &str = "last_quiz";
    pub const LAST_STORE_VISIT: &str = "last_store_visit";
    pub const LAST_ORDER: &str = "last_order";
    pub const LAST_CRM_CHANGE: &str = "last_crm_change";
}

fn count(state: &mut CustomerState, name: &str, at: i64, now: i64, s: &FoldSettings) {
    state
        .counter(name, s.counter_bucket_ms, s.counter_horizon_ms)
        .add(at, 1, now);
}

fn mark_max(state: &mut CustomerState, name: &str, at: i64) {
    let slot = state.marks.entry(name.to_owned()).or_insert(at);
    *slot = (*slot).max(at);
}

fn order_mut<'s>(state: &'s mut CustomerState, order_id: &str) -> Option<&'s mut OrderSummary> {
    state.orders.iter_mut().find(|o| o.order_id == order_id)
}

/// Folds `event` into `state`; `now_ms` is the partition's stream time.
pub fn fold(
    state: &mut CustomerState,
    event: &Event,
    now_ms: i64,
    keywords: &Keywords,
    s: &FoldSettings,
) {
    let at = event.occurred_at_ms;
    state.last_event_ms = state.last_event_ms.max(at);
    state.first_seen_ms = state.first_seen_ms.min(at);
    state.timers.insert(
        EXPIRE_TIMER.to_owned(),
        state.last_event_ms + s.retention_ms,
    );

    match &event.payload {
        Payload::Inbound(m) => {
            state.last_inbound_ms = Some(state.last_inbound_ms.map_or(at, |t| t.max(at)));
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
            count(state, counters::INBOUND, at, now_ms, s);
            count(state, counters::INTERACTIONS, at, now_ms, s);
            let found = m.text().map(|t| keywords.find(t)).unwrap_or_default();
            for id in &found {
                *state.keywords.entry(id.clone()).or_insert(0) += 1;
                count(state, &counters::keyword(id), at, now_ms, s);
            }
            state.last_inbound_keywords = found;
            if m.text().is_some_and(|t| keywords.is_stop(t)) && state.opted_out_at_ms.is_none() {
                state.opted_out_at_ms = Some(at);
            }
        }
        Payload::Outbound(m) => {
            state.last_outbound_ms = Some(state.last_outbound_ms.map_or(at, |t| t.max(at)));
            count(state, counters::OUTBOUND, at, now_ms, s);
            if m.sent_by == scrm_events::Sender::Agent {
                state.last_agent_ms = Some(state.last_agent_ms.map_or(at, |t| t.max(at)));
            }
        }
        Payload::Status(_) => {}
        Payload::Handoff(h) => {
            if h.direction == scrm_events::HandoffDirection::ToAgent {
                state.last_agent_ms = Some(state.last_agent_ms.map_or(at, |t| t.max(at)));
            }
        }
        Payload::LinkClick(_) => {
            mark_max(state, marks::LAST_CLICK, at);
            count(state, counters::INTERACTIONS, at, now_ms, s);
        }
        Payload::ProductView(_) => {
            mark_max(state, marks::LAST_PRODUCT_VIEW, at);
            count(state, counters::INTERACTIONS, at, now_ms, s);
        }
        Payload::AddToCart(_) => {
            mark_max(state, marks::LAST_CART, at);
            count(state, counters::INTERACTIONS, at, now_ms, s);
        }
        Payload::QuizAnswer(_) => mark_max(state, marks::LAST_QUIZ, at),
        Payload::StoreVisit(_) => mark_max(state, marks::LAST_STORE_VISIT, at),
        Payload::OrderPlaced(o) => {
            mark_max(state, marks::LAST_ORDER, at);
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
        Payload::CrmFieldsChanged(_) => mark_max(state, marks::LAST_CRM_CHANGE, at),
    }
    let oldest = now_ms - s.order_horizon_ms;
    state.orders.retain(|o| o.placed_ms >= oldest);
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
