//! The sender over a real embedded log, against the local Cloud API server of
//! scrm-cloudapi (which checks the request shape and answers each error code on demand).

mod common;

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::Edge;
use scrm_cloudapi::mock::{MockCloud, MockOptions};
use scrm_cloudapi::{CloudApiConfig, CloudClient, Throttle, Token, TokioClock};
use scrm_events::{MessageNotSent, NotSentOutcome, Payload};
use scrm_rules::RulePack;
use scrm_schema::TopicKind;
use scrm_state::CustomerState;
use scrm_whatsapp::{CustomerStates, Ledger, Metrics, Sender, SenderOptions, SenderParts};
use serde_json::{json, Value};

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
    now: Arc<AtomicI64>,
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
            now: Arc::new(AtomicI64::new(NOW)),
        }
    }

    fn sender(&self, per_second: u32) -> Sender {
        let options = MockOptions::default();
        let mut config = CloudApiConfig::new(
            options.phone_number_id.clone(),
            Token::new(options.token.clone()),
        );
        config.base_url = self.mock.url().to_owned();
        config.api_version = options.api_version.clone();
        let mut sender_options = SenderOptions::new(TopicKind::Triggers.name(""), 2);
        sender_options.backoff = (Duration::from_millis(1), Duration::from_millis(5));
        sender_options.poll_wait = Duration::from_millis(20);
        let now = self.now.clone();
        let _guard = self.rt.enter();
        Sender::new(SenderParts {
            log: self.edge.log.clone(),
            ledger: Ledger::open(&self.edge.dir.path().join("sender")).unwrap(),
            client: CloudClient::new(config).unwrap(),
            throttle: Throttle::new(NonZeroU32::new(per_second).unwrap(), TokioClock::new()),
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
            now: Arc::new(move || now.load(Ordering::SeqCst)),
            runtime: self.rt.handle().clone(),
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

    /// Runs the sender until it has nothing left to do now.
    fn drain(&self, sender: &mut Sender) {
        for _ in 0..50 {
            if sender.step().unwrap() == 0 {
                return;
            }
        }
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
    rig.drain(&mut sender);
    assert_eq!(rig.mock.requests().len(), 1, "sent after backing off twice");

    rig.mock.fail_recipient("5511987654321", 131026);
    rig.trigger(
        "t-2",
        ANA,
        template("order_update", "UTILITY", &["Ana"]),
        "ALLOW",
    );
    rig.drain(&mut sender);
    rig.now.fetch_add(48 * HOUR, Ordering::SeqCst);
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
    rig.now.store(NOW + 23 * HOUR, Ordering::SeqCst);
    rig.drain(&mut sender);
    assert!(rig.mock.requests().is_empty());
    rig.now.store(NOW + 24 * HOUR, Ordering::SeqCst);
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
    // The pair limit's pause (6 s of the runtime's clock) passes.
    std::thread::sleep(Duration::from_millis(6_100));
    rig.now.fetch_add(10_000, Ordering::SeqCst);
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
    let mut sender = rig.sender(5);
    for n in 0..10 {
        rig.trigger(
            &format!("t-{n}"),
            MEI,
            template("order_update", "UTILITY", &["Mei"]),
            "ALLOW",
        );
    }
    rig.drain(&mut sender);
    let at: Vec<_> = rig.mock.requests().iter().map(|r| r.at).collect();
    assert_eq!(at.len(), 10);
    // A lower bound only: a slow machine can make it longer, never shorter.
    let spread = at[9].duration_since(at[0]);
    assert!(
        spread >= Duration::from_millis(900),
        "10 sends at 5/s took only {spread:?}"
    );
}
