//! Texts with variables, personalized from the customer's state: `Hi {first_name}`,
//! `ordered {ago:order_placed}`, `{store.name}, {store.address}`.

use scrm_locale::Store;
use scrm_state::CustomerState;

use crate::condition::{median_response_ms, Moment};
use crate::event_kind::EventKind;

/// A variable a text may use; see docs/rules.md for the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Var {
    FirstName,
    Name,
    Customer,
    Language,
    /// A discount code unique to the customer and the firing (deterministic).
    Code,
    OrderId,
    OrderStatus,
    OrderCarrier,
    OrderTracking,
    OrderTrackingUrl,
    StoreName,
    StoreAddress,
    StoreDistance,
    /// "3 days ago" in the customer's language.
    Ago(Moment),
    Agent,
    MedianResponse,
    ComplaintRate,
    Rule,
}

/// Where a variable can be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Customers,
    Agents,
    Business,
}

impl Var {
    /// The variable `name`, or why it is not one (in `scope`).
    pub fn parse(name: &str, scope: Scope) -> Result<Var, String> {
        let customer_only = |v: Var| {
            if scope == Scope::Customers {
                Ok(v)
            } else {
                Err(format!(
                    "variable {{{name}}} is about a customer; a rule with scope {} has none",
                    if scope == Scope::Agents {
                        "agents"
                    } else {
                        "business"
                    }
                ))
            }
        };
        match name {
            "first_name" => customer_only(Var::FirstName),
            "name" => customer_only(Var::Name),
            "customer" => customer_only(Var::Customer),
            "language" => customer_only(Var::Language),
            "code" => customer_only(Var::Code),
            "order.id" => customer_only(Var::OrderId),
            "order.status" => customer_only(Var::OrderStatus),
            "order.carrier" => customer_only(Var::OrderCarrier),
            "order.tracking_number" => customer_only(Var::OrderTracking),
            "order.tracking_url" => customer_only(Var::OrderTrackingUrl),
            "store.name" => customer_only(Var::StoreName),
            "store.address" => customer_only(Var::StoreAddress),
            "store.distance_km" => customer_only(Var::StoreDistance),
            "rule" => Ok(Var::Rule),
            "agent" | "median_response" if scope == Scope::Agents => Ok(if name == "agent" {
                Var::Agent
            } else {
                Var::MedianResponse
            }),
            "complaint_rate" if scope == Scope::Business => Ok(Var::ComplaintRate),
            "agent" | "median_response" => {
                Err(format!("variable {{{name}}} exists only in rules with scope = \"agents\""))
            }
            "complaint_rate" => Err(format!(
                "variable {{{name}}} exists only in rules with scope = \"business\""
            )),
            _ => match name.strip_prefix("ago:") {
                Some(moment) => customer_only(Var::Ago(parse_moment(moment)?)),
                None => Err(format!(
                    "unknown variable {{{name}}}; known: first_name, name, customer, language, code, \
                     order.id, order.status, order.carrier, order.tracking_number, order.tracking_url, \
                     store.name, store.address, store.distance_km, ago:<moment>, rule, agent, \
                     median_response, complaint_rate"
                )),
            },
        }
    }
}

/// The moment `name` (`last_inbound`, `order_placed`, `rule:high_intent` …).
pub fn parse_moment(name: &str) -> Result<Moment, String> {
    Ok(match name {
        "first_seen" => Moment::FirstSeen,
        "last_event" => Moment::LastEvent,
        "last_inbound" => Moment::LastInbound,
        "last_outbound" => Moment::LastOutbound,
        "last_agent" => Moment::LastAgent,
        "handoff" => Moment::Handoff,
        "opted_in" => Moment::OptedIn,
        "opted_out" => Moment::OptedOut,
        _ => {
            if let Some(rule) = name.strip_prefix("rule:") {
                Moment::Fired(rule.to_owned())
            } else if let Some(kind) = EventKind::parse(name) {
                Moment::Kind(kind)
            } else {
                return Err(format!(
                    "unknown moment {name:?}; use first_seen, last_event, last_inbound, \
                     last_outbound, last_agent, handoff, opted_in, opted_out, rule:<id> or an \
                     event kind (order_placed, link_click …)"
                ));
            }
        }
    })
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Lit(String),
    Var(Var),
}

/// A text with `{variables}`; `{{` and `}}` are literal braces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    parts: Vec<Part>,
}

impl Text {
    pub fn parse(s: &str, scope: Scope) -> Result<Text, String> {
        let mut parts = Vec::new();
        let mut lit = String::new();
        let mut chars = s.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '{' if chars.peek() == Some(&'{') => {
                    chars.next();
                    lit.push('{');
                }
                '}' if chars.peek() == Some(&'}') => {
                    chars.next();
                    lit.push('}');
                }
                '{' => {
                    let mut name = String::new();
                    loop {
                        match chars.next() {
                            Some('}') => break,
                            Some(c) => name.push(c),
                            None => return Err(format!("unclosed {{ in {s:?}")),
                        }
                    }
                    if !lit.is_empty() {
                        parts.push(Part::Lit(std::mem::take(&mut lit)));
                    }
                    parts.push(Part::Var(Var::parse(name.trim(), scope)?));
                }
                '}' => return Err(format!("unmatched }} in {s:?}; write }}}} for a brace")),
                c => lit.push(c),
            }
        }
        if !lit.is_empty() {
            parts.push(Part::Lit(lit));
        }
        Ok(Text { parts })
    }

    pub fn literal(s: &str) -> Text {
        Text {
            parts: vec![Part::Lit(s.to_owned())],
        }
    }

    pub fn render(&self, cx: &RenderCx<'_>) -> String {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Lit(s) => out.push_str(s),
                Part::Var(v) => out.push_str(&cx.value(v)),
            }
        }
        out
    }
}

/// What texts are filled from.
#[derive(Debug, Clone, Copy)]
pub struct RenderCx<'a> {
    pub state: Option<&'a CustomerState>,
    pub now_ms: i64,
    /// Template or text language chosen for the customer.
    pub language: &'a str,
    pub stores: &'a [Store],
    pub rule: &'a str,
    /// What makes a code unique: the firing's time.
    pub code_seed: i64,
    pub agent: Option<(&'a str, &'a scrm_state::PartitionStats, i64, i64)>,
    pub complaint_rate: Option<f64>,
}

impl RenderCx<'_> {
    fn value(&self, var: &Var) -> String {
        let state = self.state;
        let order = state.and_then(|s| s.latest_order());
        let store = || {
            let (lat, lon) = state.and_then(|s| s.location)?;
            scrm_locale::nearest_store(self.stores, lat, lon)
        };
        let or_first = || store().map(|(s, _)| s).or_else(|| self.stores.first());
        match var {
            Var::FirstName => state
                .and_then(|s| s.profile_name.as_deref())
                .and_then(scrm_locale::first_name)
                .unwrap_or_default(),
            Var::Name => state
                .and_then(|s| s.profile_name.clone())
                .unwrap_or_default(),
            Var::Customer => state.map(|s| s.customer.clone()).unwrap_or_default(),
            Var::Language => self.language.to_owned(),
            Var::Code => code(self.rule, state.map_or("", |s| &s.customer), self.code_seed),
            Var::OrderId => order.map(|o| o.order_id.clone()).unwrap_or_default(),
            Var::OrderStatus => order.map(|o| o.status.clone()).unwrap_or_default(),
            Var::OrderCarrier => order.and_then(|o| o.carrier.clone()).unwrap_or_default(),
            Var::OrderTracking => order
                .and_then(|o| o.tracking_number.clone())
                .unwrap_or_default(),
            Var::OrderTrackingUrl => order
                .and_then(|o| o.tracking_url.clone())
                .unwrap_or_default(),
            Var::StoreName => or_first().map(|s| s.name.clone()).unwrap_or_default(),
            Var::StoreAddress => or_first().map(|s| s.address.clone()).unwrap_or_default(),
            Var::StoreDistance => store()
                .map(|(_, km)| format!("{km:.1}"))
                .unwrap_or_default(),
            Var::Ago(moment) => state
                .and_then(|s| moment.at(s))
                .map(|at| scrm_locale::relative_date(at, self.now_ms, self.language))
                .unwrap_or_default(),
            Var::Agent => self.agent.map(|a| a.0.to_owned()).unwrap_or_default(),
            Var::MedianResponse => self
                .agent
                .and_then(|(agent, stats, today, days)| {
                    median_response_ms(stats, agent, today, days)
                })
                .map(|(ms, _)| format!("{:.1} min", ms as f64 / 60_000.0))
                .unwrap_or_default(),
            Var::ComplaintRate => self
                .complaint_rate
                .map(|r| format!("{:.1}%", r * 100.0))
                .unwrap_or_default(),
            Var::Rule => self.rule.to_owned(),
        }
    }
}

/// A discount code: the rule's prefix and six characters derived from the customer, the
/// rule and the firing, so a re-run gives the same code and two customers different ones.
pub fn code(rule: &str, customer: &str, seed: i64) -> String {
    // FNV-1a, 64 bits: stable across releases and platforms.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in rule
        .bytes()
        .chain([0])
        .chain(customer.bytes())
        .chain([0])
        .chain(seed.to_be_bytes())
    {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut out = String::with_capacity(6);
    for _ in 0..6 {
        out.push(char::from(ALPHABET[(h % 32) as usize]));
        h /= 32;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_variables_and_refuses_unknown_ones() {
        let t = Text::parse("Hi {first_name}, {{literal}}", Scope::Customers).unwrap();
        let mut state = CustomerState::new("+5511987654321", 0);
        state.profile_name = Some("Ana Souza".into());
        let cx = RenderCx {
            state: Some(&state),
            now_ms: 3 * 86_400_000,
            language: "pt_BR",
            stores: &[],
            rule: "r",
            code_seed: 1,
            agent: None,
            complaint_rate: None,
        };
        assert_eq!(t.render(&cx), "Hi Ana, {literal}");
        let ago = Text::parse("{ago:first_seen}", Scope::Customers).unwrap();
        assert_eq!(ago.render(&cx), "há 3 dias");
        assert!(Text::parse("{firstname}", Scope::Customers)
            .unwrap_err()
            .contains("unknown variable {firstname}"));
        assert!(Text::parse("{agent}", Scope::Customers)
            .unwrap_err()
            .contains("agents"));
        assert!(Text::parse("{first_name}", Scope::Agents).is_err());
        assert!(Text::parse("oops {", Scope::Customers).is_err());
    }

    #[test]
    fn codes_are_stable_and_differ_per_customer() {
        assert_eq!(code("r", "+1", 5), code("r", "+1", 5));
        assert_ne!(code("r", "+1", 5), code("r", "+2", 5));
        assert_eq!(code("r", "+1", 5).len(), 6);
    }
}
