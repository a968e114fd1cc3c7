//! Per-customer memory that spans days, and the context an expansion (one
//! customer-day or one order step) writes its events through.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};

use crate::catalog::Product;
use crate::config::Topic;
use crate::events::{delivery_trail, envelope, wamid, Attention, Scheduled, Sent};
use crate::people::{Customer, Lang, Region};

/// What the generator remembers about a customer between expansions, so
/// later events stay consistent with earlier ones (no promotion after STOP,
/// "where is my order?" only names a real order, reactions point at a real
/// message).
#[derive(Debug, Clone)]
pub(crate) struct CustomerState {
    /// Multiplies the daily episode rate: a few regulars, many quiet ones.
    pub(crate) activity: f64,
    pub(crate) opted_out: bool,
    /// wamid and time of the last message the business sent.
    pub(crate) last_outbound: Option<(String, i64)>,
    /// Product left in the cart, for the cart reminder.
    pub(crate) cart: Option<&'static Product>,
    /// Orders placed so far, numbers the order ids.
    pub(crate) orders: u32,
    /// Latest order not yet delivered.
    pub(crate) open_order: Option<String>,
    /// End of the customer's last episode; the next one starts after it.
    pub(crate) busy_until: i64,
    /// When the last marketing template went out: shops cap promotions at
    /// one a week per customer.
    pub(crate) last_marketing: i64,
}

impl CustomerState {
    pub(crate) fn new(activity: f64) -> Self {
        Self {
            activity,
            opted_out: false,
            last_outbound: None,
            cart: None,
            orders: 0,
            open_order: None,
            busy_until: i64::MIN,
            last_marketing: i64::MIN / 2,
        }
    }
}

/// SplitMix64 finaliser: spreads (seed, customer, day, purpose) over the
/// seed space so neighbouring customers get unrelated streams.
pub(crate) fn mix(parts: &[u64]) -> u64 {
    let mut h: u64 = 0x9E37_79B9_7F4A_7C15;
    for &p in parts {
        h ^= p;
        h = h.wrapping_add(0x9E37_79B9_7F4A_7C15);
        h = (h ^ (h >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        h = (h ^ (h >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        h ^= h >> 31;
    }
    h
}

/// An independent random stream for the given parts.
pub(crate) fn rng_for(parts: &[u64]) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(mix(parts))
}

/// Who sends an outbound message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum By<'a> {
    Automation(Option<&'a str>),
    Agent(&'a str),
}

/// An outbound message to emit.
#[derive(Debug)]
pub(crate) struct Outbound<'a> {
    pub(crate) at: i64,
    pub(crate) by: By<'a>,
    /// Template name; free-form text when `None`.
    pub(crate) template: Option<&'a str>,
    /// MessageCategory symbol (SERVICE, MARKETING, UTILITY).
    pub(crate) category: &'a str,
    pub(crate) body: String,
    pub(crate) conversation_id: &'a str,
    pub(crate) attention: Attention,
}

/// Where an expansion writes.
#[derive(Debug)]
pub(crate) struct Ctx<'a> {
    /// Index of the customer, used in ids that must be unique.
    pub(crate) idx: u32,
    pub(crate) customer: &'a Customer,
    pub(crate) state: &'a mut CustomerState,
    pub(crate) rng: ChaCha8Rng,
    pub(crate) out: &'a mut Vec<Scheduled>,
}

impl Ctx<'_> {
    pub(crate) fn region(&self) -> Region {
        self.customer.region_kind()
    }

    pub(crate) fn lang(&self) -> Lang {
        self.customer.lang()
    }

    /// The shop's WhatsApp phone-number id in the customer's region.
    fn business_number(&self) -> &'static str {
        match self.region() {
            Region::Hk => "110452378200101",
            Region::Tw => "110452378200102",
            Region::Br => "110452378200103",
            Region::Fr => "110452378200104",
        }
    }

    /// The business's last message, if it was sent before `t`: an order
    /// notice queued for later must not be quoted or reacted to yet.
    pub(crate) fn last_outbound_before(&self, t: i64) -> Option<String> {
        match &self.state.last_outbound {
            Some((wamid, at)) if *at < t => Some(wamid.clone()),
            _ => None,
        }
    }

    pub(crate) fn agent_id(&mut self) -> String {
        let n = self.rng.gen_range(1..=4);
        format!("agent-{}-{n:02}", self.region().slug())
    }

    pub(crate) fn conversation_id(&mut self) -> String {
        crate::events::hex(&mut self.rng, 32, false)
    }

    fn push(&mut self, topic: Topic, at: i64, id: Option<String>, record: &str, body: Value) {
        let ev = envelope(topic, &self.customer.key, at, id, record, body);
        self.out.push(Scheduled::Event(ev));
    }

    /// An InboundMessage with `content` (record name and fields); returns
    /// its wamid, which is also the event id.
    pub(crate) fn inbound(
        &mut self,
        at: i64,
        record: &str,
        content: Value,
        context: Option<&str>,
    ) -> String {
        let id = wamid(&mut self.rng, self.customer.wa_id(), false);
        let mut body = json!({
            "wamid": id,
            "business_number": self.business_number(),
            "profile_name": self.customer.first_name,
            "phone": self.customer.key,
            "content": { record: content },
        });
        if let Some(c) = context {
            body["context_wamid"] = json!(c);
        }
        self.push(
            Topic::Conversation,
            at,
            Some(id.clone()),
            "InboundMessage",
            body,
        );
        id
    }

    pub(crate) fn text(&mut self, at: i64, text: &str, context: Option<&str>) -> String {
        self.inbound(at, "TextContent", json!({ "body": text }), context)
    }

    /// An OutboundMessage and its status trail; returns (wamid, read time).
    pub(crate) fn outbound(&mut self, m: Outbound<'_>) -> (String, Option<i64>) {
        let id = wamid(&mut self.rng, self.customer.wa_id(), true);
        let mut body = json!({
            "wamid": id,
            "kind": if m.template.is_some() { "TEMPLATE" } else { "FREE_FORM" },
            "language": self.lang().template_code(),
            "category": m.category,
            "body": m.body,
        });
        if let Some(t) = m.template {
            body["template_name"] = json!(t);
        }
        match m.by {
            By::Automation(trigger) => {
                body["sent_by"] = json!("AUTOMATION");
                if let Some(t) = trigger {
                    body["trigger_id"] = json!(t);
                }
            }
            By::Agent(agent) => {
                body["sent_by"] = json!("AGENT");
                body["agent_id"] = json!(agent);
            }
        }
        self.push(Topic::Conversation, m.at, None, "OutboundMessage", body);
        let sent = Sent {
            customer: &self.customer.key,
            wamid: &id,
            at: m.at,
            pricing: &m.category.to_ascii_lowercase(),
            conversation_id: m.conversation_id,
            utc_offset_minutes: self.customer.utc_offset_minutes,
        };
        let read = delivery_trail(&mut self.rng, self.out, &sent, m.attention);
        self.state.last_outbound = Some((id.clone(), m.at));
        (id, read)
    }

    pub(crate) fn handoff(&mut self, at: i64, to_agent: bool, agent: &str, reason: &str) {
        let body = json!({
            "direction": if to_agent { "TO_AGENT" } else { "TO_AUTOMATION" },
            "agent_id": agent,
            "reason": reason,
        });
        self.push(Topic::Conversation, at, None, "AgentHandoff", body);
    }

    pub(crate) fn behavior(&mut self, at: i64, record: &str, body: Value) {
        self.push(Topic::Behavior, at, None, record, body);
    }

    pub(crate) fn transaction(&mut self, at: i64, record: &str, body: Value) {
        self.push(Topic::Transaction, at, None, record, body);
    }

    pub(crate) fn crm(&mut self, at: i64, id: String, body: Value) {
        self.push(Topic::CrmUpdates, at, Some(id), "CrmFieldsChanged", body);
    }

    /// A ProductView of `p` with its local name and price.
    pub(crate) fn product_view(&mut self, at: i64, p: &Product) {
        let region = self.region();
        let body = json!({
            "sku": p.sku,
            "product_name": p.name(self.lang()),
            "price_minor": p.price_minor(region),
            "currency": crate::catalog::currency(region),
        });
        self.behavior(at, "ProductView", body);
    }

    /// A LinkClick on `url`.
    pub(crate) fn link_click(
        &mut self,
        at: i64,
        url: &str,
        sku: Option<&str>,
        campaign: Option<&str>,
        trigger: Option<&str>,
    ) {
        let mut body = json!({ "url": url });
        if let Some(s) = sku {
            body["sku"] = json!(s);
        }
        if let Some(c) = campaign {
            body["campaign"] = json!(c);
        }
        if let Some(t) = trigger {
            body["trigger_id"] = json!(t);
        }
        self.behavior(at, "LinkClick", body);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mix_separates_neighbours() {
        assert_ne!(mix(&[1, 2, 3]), mix(&[1, 2, 4]));
        assert_ne!(mix(&[1, 2, 3]), mix(&[1, 3, 2]));
        assert_eq!(mix(&[7, 8]), mix(&[7, 8]));
    }
}
