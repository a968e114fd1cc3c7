//! Rules about how engaged a customer is: lost, high intent, price sensitive, and a product
//! link clicked without an order.

use std::collections::BTreeMap;

use scrm_events::{Event, Payload};
use scrm_state::CustomerState;

use super::{discount_template, DAY};
use crate::effects::{CrmOp, Effect, Effects};
use crate::fold::{counters, marks};
use crate::keywords::{DISCOUNT, PRODUCT_INQUIRY};
use crate::rule::{Rule, RuleError};

/// No inbound reply for `after_ms` (60 days): tag `lost`, move the contact to the CRM's
/// low-priority list. A new inbound message clears the tag and restarts the clock.
#[derive(Debug, Clone)]
pub struct Lost {
    pub after_ms: i64,
}

impl Default for Lost {
    fn default() -> Self {
        Self { after_ms: 60 * DAY }
    }
}

impl Rule for Lost {
    fn id(&self) -> &str {
        "lost"
    }

    fn on_event(
        &self,
        event: &Event,
        state: &CustomerState,
        _now_ms: i64,
        out: &mut Effects,
    ) -> Result<(), RuleError> {
        if let (Payload::Inbound(_), Some(last)) = (&event.payload, state.last_inbound_ms) {
            out.set_timer(self.id(), last + self.after_ms);
            if state.tags.contains("lost") {
                out.push(Effect::RemoveTag("lost".into()));
                out.push(Effect::Crm(CrmOp::UpsertContact {
                    fields: BTreeMap::from([("scrm_priority".to_owned(), Some("normal".into()))]),
                }));
            }
        }
        Ok(())
    }

    fn on_timer(
        &self,
        _name: &str,
        due_ms: i64,
        state: &CustomerState,
        out: &mut Effects,
    ) -> Result<(), RuleError> {
        let silent_since = state.last_inbound_ms.unwrap_or(state.first_seen_ms);
        if silent_since + self.after_ms <= due_ms && !state.tags.contains("lost") {
            out.tag("lost");
            out.push(Effect::Crm(CrmOp::UpsertContact {
                fields: BTreeMap::from([
                    ("scrm_priority".to_owned(), Some("low".into())),
                    ("scrm_list".to_owned(), Some("low_priority".into())),
                ]),
            }));
        }
        Ok(())
    }
}

/// More than `threshold` product inquiries within `window_ms`: tag `high_intent` and send a
/// discount code, at most once per `window_ms`.
#[derive(Debug, Clone)]
pub struct HighIntent {
    pub threshold: u64,
    pub window_ms: i64,
    pub discount_percent: u32,
    pub template: String,
}

impl Default for HighIntent {
    fn default() -> Self {
        Self {
            threshold: 3,
            window_ms: 7 * DAY,
            discount_percent: 10,
            template: "discount_code".into(),
        }
    }
}

impl Rule for HighIntent {
    fn id(&self) -> &str {
        "high_intent"
    }

    fn on_event(
        &self,
        event: &Event,
        state: &CustomerState,
        _now_ms: i64,
        out: &mut Effects,
    ) -> Result<(), RuleError> {
        if !state.last_inbound_keywords.contains(PRODUCT_INQUIRY)
            || !matches!(event.payload, Payload::Inbound(_))
        {
            return Ok(());
        }
        let at = event.occurred_at_ms;
        let inquiries = state
            .counters
            .get(&counters::keyword(PRODUCT_INQUIRY))
            .map_or(0, |c| c.count_within(self.window_ms, at));
        let cooled = state
            .marks
            .get(self.id())
            .is_none_or(|last| at - last >= self.window_ms);
        if inquiries > self.threshold && cooled {
            out.tag("high_intent");
            out.mark(self.id(), at);
            out.push(Effect::Trigger {
                message: discount_template(&self.template, state, self.discount_percent),
                not_before_ms: None,
            });
        }
        Ok(())
    }
}

/// Asked for a discount more than `threshold` times: tag `price_sensitive`.
#[derive(Debug, Clone)]
pub struct PriceSensitive {
    pub threshold: u32,
}

impl Default for PriceSensitive {
    fn default() -> Self {
        Self { threshold: 3 }
    }
}

impl Rule for PriceSensitive {
    fn id(&self) -> &str {
        "price_sensitive"
    }

    fn on_event(
        &self,
        _event: &Event,
        state: &CustomerState,
        _now_ms: i64,
        out: &mut Effects,
    ) -> Result<(), RuleError> {
        let asked = state.keywords.get(DISCOUNT).copied().unwrap_or(0);
        if asked > self.threshold && !state.tags.contains("price_sensitive") {
            out.tag("price_sensitive");
        }
        Ok(())
    }
}

/// A product link clicked and no order within `wait_ms` (3 days): a discount code.
#[derive(Debug, Clone)]
pub struct ClickNoOrder {
    pub wait_ms: i64,
    pub discount_percent: u32,
    pub template: String,
}

impl Default for ClickNoOrder {
    fn default() -> Self {
        Self {
            wait_ms: 3 * DAY,
            discount_percent: 10,
            template: "discount_code".into(),
        }
    }
}

impl Rule for ClickNoOrder {
    fn id(&self) -> &str {
        "click_no_order"
    }

    fn on_event(
        &self,
        event: &Event,
        state: &CustomerState,
        _now_ms: i64,
        out: &mut Effects,
    ) -> Result<(), RuleError> {
        let pending = state.timers.contains_key(self.id());
        match &event.payload {
            Payload::LinkClick(click) if click.sku.is_some() && !pending => {
                out.set_timer(self.id(), event.occurred_at_ms + self.wait_ms);
            }
            Payload::OrderPlaced(_) if pending => out.cancel_timer(self.id()),
            _ => {}
        }
        Ok(())
    }

    fn on_timer(
        &self,
        _name: &str,
        due_ms: i64,
        state: &CustomerState,
        out: &mut Effects,
    ) -> Result<(), RuleError> {
        let ordered = state
            .marks
            .get(marks::LAST_ORDER)
            .is_some_and(|&t| t > due_ms - self.wait_ms);
        if !ordered {
            out.mark(self.id(), due_ms);
            out.push(Effect::Trigger {
                message: discount_template(&self.template, state, self.discount_percent),
                not_before_ms: None,
            });
        }
        Ok(())
    }
}
