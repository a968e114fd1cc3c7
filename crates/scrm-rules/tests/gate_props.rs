//! Properties of the policy gate over random sequences of customer events and automation
//! requests, folded exactly as the processor folds them:
//! - never a free-form message outside the 24-hour window;
//! - never two templates within 24 h to a customer who has not opted in;
//! - never an automation within 12 h after a hand-off to a human;
//! - never marketing after an opt-out;
//! - never more unique customers per day (outside the window) than the tier allows, summed
//!   over partitions.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use scrm_events::{
    AgentHandoff, Content, Event, HandoffDirection, InboundMessage, OutboundKind, OutboundMessage,
    Payload, Sender,
};
use scrm_rules::policy::{window_open, Decision, Gate, Request};
use scrm_rules::{fold, is_opted_in, FoldCx, Message, RulePack, TemplateCategory};
use scrm_state::{CustomerState, PartitionStats};

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;
const T0: i64 = 1_793_757_600_000;
const CUSTOMERS: [&str; 5] = [
    "+85291234567",
    "+5511987654321",
    "+33612345678",
    "+886912345678",
    "+85298765432",
];

#[derive(Debug, Clone)]
enum Op {
    Says(usize, &'static str),
    AgentReplies(usize),
    HandsBack(usize),
    Request {
        customer: usize,
        kind: u8,
        best_hour: bool,
    },
    Wait(i64),
}

fn op() -> impl Strategy<Value = Op> {
    let c = 0..CUSTOMERS.len();
    prop_oneof![
        4 => (c.clone(), prop::sample::select(vec![
            "hello", "STOP", "start", "quanto custa?", "talk to a human", "ok merci", "PARAR",
        ])).prop_map(|(c, t)| Op::Says(c, t)),
        1 => c.clone().prop_map(Op::AgentReplies),
        1 => c.clone().prop_map(Op::HandsBack),
        6 => (c, 0u8..4, any::<bool>()).prop_map(|(customer, kind, best_hour)| Op::Request {
            customer, kind, best_hour,
        }),
        4 => (0i64..40 * HOUR).prop_map(Op::Wait),
    ]
}

fn event(customer: &str, at: i64, payload: Payload) -> Event {
    Event {
        event_id: format!("{customer}@{at}"),
        customer: customer.to_owned(),
        occurred_at_ms: at,
        source: "prop".into(),
        payload,
    }
}

fn inbound(text: &str) -> Payload {
    Payload::Inbound(InboundMessage {
        wamid: "w".into(),
        business_number: None,
        profile_name: None,
        phone: None,
        bsuid: None,
        context_wamid: None,
        content: Content::Text { body: text.into() },
    })
}

fn message(kind: u8) -> (Message, &'static str) {
    match kind {
        0 => (
            Message::FreeForm {
                text: "hi".into(),
                fallback_template: None,
            },
            "reply",
        ),
        1 => (
            Message::FreeForm {
                text: "hi".into(),
                fallback_template: Some("order_update".into()),
            },
            "status",
        ),
        2 => (
            Message::Template {
                name: "discount_code".into(),
                language: "en".into(),
                category: TemplateCategory::Marketing,
                variables: vec![],
            },
            "discount",
        ),
        _ => (
            Message::Template {
                name: "order_update".into(),
                language: "en".into(),
                category: TemplateCategory::Utility,
                variables: vec![],
            },
            "order",
        ),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn the_gate_never_breaks_whatsapps_rules(
        ops in prop::collection::vec(op(), 1..120),
        limit in 1u64..6,
        partitions in 1u32..4,
    ) {
        let mut pack = RulePack::default_pack();
        pack.policy.daily_unique_customers = Some(limit);
        let settings = pack.policy.clone();
        let cx = FoldCx { settings: &pack.fold, analyzer: &pack.analyzer, business: &pack.business };
        let zone = pack.business.time_zone;
        let mut states: Vec<CustomerState> =
            CUSTOMERS.iter().map(|c| CustomerState::new(c, T0)).collect();
        let mut stats: Vec<PartitionStats> = vec![PartitionStats::default(); partitions as usize];
        // What was let through: (customer, send time, is template).
        let mut sent: Vec<(usize, i64, bool)> = Vec::new();
        let mut unique_per_day: BTreeMap<i64, BTreeSet<usize>> = BTreeMap::new();
        let mut now = T0;

        for op in ops {
            match op {
                Op::Wait(ms) => now += ms,
                Op::Says(c, text) => {
                    let p = c % partitions as usize;
                    fold(&mut states[c], &mut stats[p], &event(CUSTOMERS[c], now, inbound(text)), now, &cx);
                    if text == "talk to a human" {
                        // What the default pack's hand-off rule does.
                        states[c].paused_until_ms = Some(now + settings.handoff_pause_ms);
                    }
                }
                Op::AgentReplies(c) => {
                    let p = c % partitions as usize;
                    let payload = Payload::Outbound(OutboundMessage {
                        wamid: None, trigger_id: None, kind: OutboundKind::FreeForm,
                        template_name: None, language: None, category: None,
                        body: Some("hello".into()), sent_by: Sender::Agent, agent_id: Some("a".into()),
                    });
                    fold(&mut states[c], &mut stats[p], &event(CUSTOMERS[c], now, payload), now, &cx);
                }
                Op::HandsBack(c) => {
                    let p = c % partitions as usize;
                    let payload = Payload::Handoff(AgentHandoff {
                        direction: HandoffDirection::ToAutomation, agent_id: None, reason: None,
                    });
                    fold(&mut states[c], &mut stats[p], &event(CUSTOMERS[c], now, payload), now, &cx);
                }
                Op::Request { customer: c, kind, best_hour } => {
                    let p = (c % partitions as usize) as u32;
                    let (msg, notification) = message(kind);
                    let before = states[c].clone();
                    let gate = Gate {
                        settings: &settings,
                        business_zone: zone,
                        templates: &pack.templates,
                        tier_share: Some(scrm_rules::policy::tier_share(limit, partitions, p)),
                    };
                    let verdict = gate.decide(&mut states[c], &mut stats[p as usize].tier, &Request {
                        message: &msg, notification, best_hour, in_reply: false, now_ms: now,
                    });
                    if verdict.decision == Decision::Suppress {
                        prop_assert_eq!(&states[c].policy, &before.policy, "a suppression changes nothing");
                        continue;
                    }
                    let at = verdict.not_before_ms.unwrap_or(now);
                    prop_assert!(at >= now);
                    let template = matches!(verdict.message, Message::Template { .. });
                    // Never free-form outside the window.
                    if !template {
                        prop_assert!(window_open(&before, &settings, at),
                            "free-form at {at} outside the window (last inbound {:?})", before.last_inbound_ms);
                    }
                    // Never two templates within 24 h without opt-in.
                    if template && !is_opted_in(&before) {
                        for &(other, t, was_template) in &sent {
                            if other == c && was_template {
                                prop_assert!((t - at).abs() >= DAY,
                                    "templates at {t} and {at} to a customer who has not opted in");
                            }
                        }
                    }
                    // Never within 12 h after a hand-off, unless handed back since.
                    if let Some(h) = before.handoff_ms {
                        let resumed = before.resumed_ms.is_some_and(|r| r > h);
                        prop_assert!(resumed || now >= h + 12 * HOUR,
                            "automation at {now}, {} h after a hand-off", (now - h) / HOUR);
                    }
                    prop_assert!(before.paused_until_ms.is_none_or(|p| p <= now));
                    // Never marketing after an opt-out.
                    if matches!(verdict.message, Message::Template { category: TemplateCategory::Marketing, .. }) {
                        prop_assert!(before.opted_out_at_ms.is_none() || is_opted_in(&before),
                            "marketing after an opt-out");
                    }
                    if template && !window_open(&before, &settings, at) {
                        unique_per_day
                            .entry(scrm_locale::local_day(at, zone))
                            .or_default()
                            .insert(c);
                    }
                    sent.push((c, at, template));
                }
            }
        }
        // Never more unique customers per day than the tier allows.
        for (day, customers) in unique_per_day {
            prop_assert!(customers.len() as u64 <= limit,
                "{} customers on day {day} with a limit of {limit}", customers.len());
        }
    }
}
