//! The sender over a real embedded log, against the local Cloud API server of
//! scrm-whatsapp-cloudapi (which checks the request shape and answers each error code on demand).

mod common;

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::Edge;
use scrm_events::{MessageNotSent, NotSentOutcome, Payload};
use scrm_rules::RulePack;
use scrm_schema::TopicKind;
use scrm_state::CustomerState;
use scrm_time::{Clock, ManualClock};
use scrm_whatsapp::{CustomerStates, Metrics, Sender, SenderOptions, SenderParts, Worker};
use scrm_whatsapp_cloudapi::mock::{MockCloud, MockOptions};
use scrm_whatsapp_cloudapi::{CloudApiConfig, CloudClient, Secret, Throttle};
use serde_json::{json, Value};
use tokio_util::sync::CancellationToken;

/// Wednesday 2026-11-18 12:30 UTC: 20:30 in Hong Kong and 09:30 in São Paulo, outside
/// both customers' quiet hours (21:00–09:00).
const NOW: i64 = 1_795_005_000_000;
const HOUR: i64 = 3_600_000;
const MEI: &str = "+85291234567";
const ANA: &str = "+5511987654321";

#[derive(Debug, Default)]
struct MapStates(Mutex<HashMap<String, CustomerState>>);

impl CustomerStates for MapStates {
    fn get(&self, customer: &str) -> Result<Option<CustomerState>, String> {
        Ok(self.0.lock().unwrap().get(customer).cloned())
    }
}

struct Rig {
    edge: Edge,
    rt: tokio::runtime::Runtime,
    mock: MockCloud,
    states: Arc<MapStates>,
    /// The one clock of the worker, the throughput limit and the pacing.
    clock: ManualClock,
}

impl Rig {
    fn new() -> Self {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let mock = rt
            .block_on(MockCloud::start(MockOptions::default()))
            .unwrap();
        let states = Arc::new(MapStates::default());
        for customer in [MEI, ANA] {
            let mut state = CustomerState::new(customer, NOW - 48 * HOUR);
            state.last_inbound_ms = Some(NOW - HOUR);
            state.language = Some("zh_HK".into());
            states.0.lock().unwrap().insert(customer.into(), state);
        }
        Rig {
            edge: Edge::new(2),
            rt,
            mock,
            states,
            clock: ManualClock::new(NOW),
        }
    }

    fn sender(&self, per_second: u32) -> Worker<Sender> {
        let options = MockOptions::default();
        let mut config = CloudApiConfig::new(
            options.phone_number_id.clone(),
            Secret::new(options.token.clone()),
        );
        config.base_url = self.mock.url().to_owned();
        config.api_version = options.api_version.clone();
        let mut sender_options = SenderOptions::new(TopicKind::Triggers.name(""), 2);
        sender_options.backoff = (Duration::from_millis(1), Duration::from_millis(5));
        sender_options.poll_wait = Duration::from_millis(20);
        let _guard = self.rt.enter();
        Sender::worker(SenderParts {
            log: self.edge.log.clone(),
            ledger_dir: self.edge.dir.path().join("sender"),
            client: CloudClient::new(config).unwrap(),
            throttle: Throttle::new(NonZeroU32::new(per_second).unwrap(), self.clock.shared()),
            states: self.states.clone(),
            pack: Arc::new(RulePack::default_pack()),
            codec: self.edge.codec.clone(),
            triggers_schema: scrm_schema::Catalog::embedded()
                .current("scrm.trigger.AutomationTrigger")
                .unwrap(),
            conversation: self.edge.ingest(TopicKind::Conversation),
            dlq: self.edge.ingest(TopicKind::Dlq),
            options: sender_options,
            metrics: Metrics::default(),
            clock: self.clock.shared(),
        })
        .unwrap()
    }

    fn trigger(&self, id: &str, customer: &str, message: Value, decision: &str) {
        let json = json!({
            "trigger_id": id, "customer": customer, "occurred_at": NOW - 60_000,
            "source": "processor", "rule_id": "test_rule",
            "cause": "scrm.behavior.v1/0/7", "message": message, "not_before": null,
            "verdict": {"decision": decision, "reasons": []},
        });
        let record = self.edge.ingest(TopicKind::Triggers).json(&json).unwrap();
        self.edge
            .log
            .append(&TopicKind::Triggers.name(""), vec![record])
            .unwrap();
    }

    /// Runs the sender until it has nothing left to do now (at the clock's time).
    fn drain(&self, sender: &mut Worker<Sender>) {
        self.rt.block_on(async {
            for _ in 0..50 {
                if sender.step(Duration::from_millis(200)).await.unwrap() == 0 {
                    return;
                }
            }
        })
    }

    /// The `MessageNotSent` events, in order.
    fn not_sent(&self) -> Vec<MessageNotSent> {
        self.results()
            .into_iter()
            .filter_map(|p| match p {
                Payload::NotSent(n) => Some(n),
                _ => None,
            })
            .collect()
    }

    fn results(&self) -> Vec<Payload> {
        self.edge.events().into_iter().map(|e| e.payload).collect()
    }
}

fn template(name: &str, category: &str, variables: &[&str]) -> Value {
    json!({"TemplateMessage": {"template_name": name, "language": "zh_HK",
        "category": category, "variables": variables}})
}

fn text(body: &str, fallback: Option<&str>) -> Value {
    json!({"FreeFormMessage": {"text": body, "fallback_template": fallback}})
}

#[test]
fn sends_templates_and_texts_and_records_each_send_as_an_event() {
    let rig = Rig::new();
    let mut sender = rig.sender(80);
    rig.trigger(
        "t-1",
        MEI,
        template("order_update", "UTILITY", &["陳大文", ""]),
        "ALLOW",
    );
    rig.trigger(
        "t-2",
        ANA,
        text("Seu pedido saiu para entrega!", None),
        "ALLOW",
    );
    rig.trigger(
        "t-3",
        MEI,
        template("discount_code", "MARKETING", &["x"]),
        "SUPPRESS",
    );
    rig.drain(&mut sender);

    let sent = rig.mock.requests();
    assert_eq!(
        sent.len(),
        2,
        "the SUPPRESS trigger is an audit record only"
    );
    let mei = sent.iter().find(|r| r.to == "85291234567").unwrap();
    assert_eq!(mei.body["template"]["name"], "order_update");
    assert_eq!(mei.body["template"]["language"]["code"], "zh_HK");
    assert_eq!(mei.body["biz_opaque_callback_data"], "t-1");
    // An empty parameter (an unknown first name) is never sent empty.
    let params = &mei.body["template"]["components"][0]["parameters"];
    assert_eq!(params[0]["text"], "陳大文");
    assert_eq!(params[1]["text"], "🙂");
    let ana = sent.iter().find(|r| r.to == "5511987654321").unwrap();
    assert_eq!(ana.body["text"]["body"], "Seu pedido saiu para entrega!");

    let outbound: Vec<_> = rig
        .results()
        .into_iter()
        .filter_map(|p| match p {
            Payload::Outbound(m) => Some(m),
            _ => None,
        })
        .collect();
    assert_eq!(outbound.len(), 2);
    assert!(outbound
        .iter()
        .all(|m| m.wamid.as_deref().is_some_and(|w| w.starts_with("wamid."))));
    assert!(outbound
        .iter()
        .any(|m| m.trigger_id.as_deref() == Some("t-1")));
}

#[test]
fn a_restart_sends_nothing_twice() {
    let rig = Rig::new();
    {
        let mut sender = rig.sender(80);
        rig.trigger(
            "t-1",
            MEI,
            template("order_update", "UTILITY", &["Mei"]),
            "ALLOW",
        );
        rig.drain(&mut sender);
    }
    // The processor re-emits the same trigger after a crash; the sender restarts too.
    rig.trigger(
        "t-1",
        MEI,
        template("order_update", "UTILITY", &["Mei"]),
        "ALLOW",
    );
    let mut sender = rig.sender(80);
    rig.trigger(
        "t-2",
        MEI,
        template("order_update", "UTILITY", &["Mei"]),
        "ALLOW",
    );
    rig.drain(&mut sender);
    let ids: Vec<String> = rig
        .mock
        .requests()
        .iter()
        .map(|r| {
            r.body["biz_opaque_callback_data"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(ids, ["t-1", "t-2"]);
    let outbound = rig
        .results()
        .iter()
        .filter(|p| matches!(p, Payload::Outbound(_)))
        .count();
    assert_eq!(outbound, 2);
}

#[test]
fn outside_the_window_a_text_falls_back_to_its_template() {
    let rig = Rig::new();
    let mut sender = rig.sender(80);
    // The processor thought the window open; Meta says it closed (131047).
    rig.mock.fail_next(131047, 1);
    rig.trigger(
        "t-1",
        MEI,
        text("Still interested?", Some("order_update")),
        "ALLOW",
    );
    // No fallback: nothing more to try.
    rig.mock.fail_recipient("5511987654321", 131047);
    rig.trigger("t-2", ANA, text("Olá!", None), "ALLOW");
    rig.drain(&mut sender);
    let sent = rig.mock.requests();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].body["type"], "template");
    assert_eq!(sent[0].body["template"]["name"], "order_update");
    let not_sent: Vec<_> = rig.not_sent();
    assert_eq!(not_sent.len(), 1);
    assert_eq!(not_sent[0].trigger_id, "t-2");
    assert_eq!(not_sent[0].outcome, NotSentOutcome::Failed);
    assert_eq!(not_sent[0].error_code, Some(131047));
}

#[test]
fn rate_limits_back_off_and_undeliverable_is_terminal() {
    let rig = Rig::new();
    let mut sender = rig.sender(80);
    rig.mock.fail_next(130429, 2);
    rig.trigger(
        "t-1",
        MEI,
        template("order_update", "UTILITY", &["Mei"]),
        "ALLOW",
    );
    // Each backoff (at most 1 ms, then 2 ms in this rig) waits on the clock.
    rig.drain(&mut sender);
    for _ in 0..2 {
        rig.clock.advance(Duration::from_millis(5));
        rig.drain(&mut sender);
    }
    assert_eq!(rig.mock.requests().len(), 1, "sent after backing off twice");

    rig.mock.fail_recipient("5511987654321", 131026);
    rig.trigger(
        "t-2",
        ANA,
        template("order_update", "UTILITY", &["Ana"]),
        "ALLOW",
    );
    rig.drain(&mut sender);
    rig.clock.advance_ms(48 * HOUR);
    rig.drain(&mut sender);
    let failed: Vec<_> = rig.not_sent();
    assert_eq!(failed.len(), 1, "131026 is tried once and never again");
    assert_eq!(failed[0].outcome, NotSentOutcome::Failed);
    assert_eq!(failed[0].reasons, ["undeliverable"]);
}

#[test]
fn the_marketing_cap_retries_after_a_day() {
    let rig = Rig::new();
    let mut sender = rig.sender(80);
    rig.mock.fail_next(131049, 1);
    rig.trigger(
        "t-1",
        MEI,
        template("discount_code", "MARKETING", &["Mei", "10%", "X1"]),
        "ALLOW",
    );
    rig.drain(&mut sender);
    assert!(rig.mock.requests().is_empty());
    let retry = rig.not_sent().into_iter().next().unwrap();
    assert_eq!(retry.outcome, NotSentOutcome::RetryLater);
    assert_eq!(retry.retry_at_ms, Some(NOW + 24 * HOUR));
    // 23 hours later: still waiting; 24 hours later: sent.
    rig.clock.set(NOW + 23 * HOUR);
    rig.drain(&mut sender);
    assert!(rig.mock.requests().is_empty());
    rig.clock.set(NOW + 24 * HOUR);
    rig.drain(&mut sender);
    assert_eq!(rig.mock.requests().len(), 1);
}

#[test]
fn the_pair_rate_limit_slows_down_that_customer_only() {
    let rig = Rig::new();
    let mut sender = rig.sender(80);
    rig.mock.fail_next(131056, 1);
    rig.trigger(
        "t-1",
        MEI,
        template("order_update", "UTILITY", &["Mei"]),
        "ALLOW",
    );
    rig.trigger(
        "t-2",
        MEI,
        template("order_update", "UTILITY", &["Mei"]),
        "ALLOW",
    );
    rig.trigger(
        "t-3",
        ANA,
        template("order_update", "UTILITY", &["Ana"]),
        "ALLOW",
    );
    rig.drain(&mut sender);
    let to: Vec<String> = rig.mock.requests().iter().map(|r| r.to.clone()).collect();
    assert_eq!(to, ["5511987654321"], "Mei waits; Ana does not");
    // The pair limit's pause (6 s) passes on the clock.
    rig.clock.advance_ms(5_999);
    rig.drain(&mut sender);
    assert_eq!(rig.mock.requests().len(), 1, "not before the pause is over");
    rig.clock.advance_ms(4_001);
    rig.drain(&mut sender);
    let mei = rig
        .mock
        .requests()
        .iter()
        .filter(|r| r.to == "85291234567")
        .count();
    assert_eq!(mei, 2);
}

#[test]
fn the_recheck_skips_what_changed_since_the_decision() {
    let rig = Rig::new();
    let mut sender = rig.sender(80);
    // Mei opted out after the trigger was emitted; a human took over Ana's conversation.
    rig.states
        .0
        .lock()
        .unwrap()
        .get_mut(MEI)
        .unwrap()
        .opted_out_at_ms = Some(NOW - 1_000);
    rig.states
        .0
        .lock()
        .unwrap()
        .get_mut(ANA)
        .unwrap()
        .handoff_ms = Some(NOW - HOUR);
    rig.trigger(
        "t-1",
        MEI,
        template("discount_code", "MARKETING", &["Mei", "10%", "X1"]),
        "ALLOW",
    );
    rig.trigger(
        "t-2",
        ANA,
        template("order_update", "UTILITY", &["Ana"]),
        "ALLOW",
    );
    rig.drain(&mut sender);
    assert!(rig.mock.requests().is_empty());
    let mut skipped: Vec<(String, Vec<String>)> = rig
        .results()
        .into_iter()
        .filter_map(|p| match p {
            Payload::NotSent(n) if n.outcome == NotSentOutcome::Skipped => {
                Some((n.trigger_id, n.reasons))
            }
            _ => None,
        })
        .collect();
    skipped.sort();
    assert_eq!(
        skipped,
        [
            ("t-1".to_owned(), vec!["opted_out".to_owned()]),
            ("t-2".to_owned(), vec!["handoff_pause".to_owned()])
        ]
    );
}

#[test]
fn the_throughput_limit_holds_sends_to_the_configured_rate() {
    let rig = Rig::new();
    // 5 per second: a burst of 5, then one every 200 ms.
    let sender = rig.sender(5);
    for n in 0..10 {
        rig.trigger(
            &format!("t-{n}"),
            MEI,
            template("order_update", "UTILITY", &["Mei"]),
            "ALLOW",
        );
    }
    // The worker runs on its own; whenever it waits for the throughput limit, the clock
    // is moved to exactly the moment it waits for.
    let cancel = CancellationToken::new();
    let run = rig.rt.spawn(sender.run(cancel.clone()));
    let mut seen = Vec::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while rig.mock.requests().len() < 10 {
        assert!(std::time::Instant::now() < deadline, "stuck at {seen:?}");
        match rig.clock.next_deadline() {
            // A wait the clock has already reached is about to end: not a new one.
            Some(at) if at > rig.clock.now_ms() => {
                seen.push((rig.clock.now_ms() - NOW, rig.mock.requests().len()));
                rig.clock.set(at);
            }
            _ => std::thread::yield_now(),
        }
    }
    cancel.cancel();
    rig.rt.block_on(run).unwrap().unwrap();
    assert_eq!(
        seen,
        [(0, 5), (200, 6), (400, 7), (600, 8), (800, 9)],
        "a burst of 5, then one every 200 ms of the clock"
    );
    assert_eq!(rig.clock.now_ms() - NOW, 1_000);
    assert_eq!(rig.mock.requests().len(), 10);
}
