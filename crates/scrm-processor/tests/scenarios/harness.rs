//! A scenario: events appended to a real embedded log, the real processor (event time,
//! until caught up) over RocksDB, and its outputs read back from the output topics.

#![allow(unreachable_pub)]

use std::sync::Arc;
use std::time::Duration;

use scrm_log::{EventLog, Record};
use scrm_processor::{
    ManualClock, Metrics, OutputEncoder, Processor, ProcessorOptions, TimeMode, Topics,
};
use scrm_rules::RulePack;
use scrm_schema::json::{avro_to_json, json_to_avro, Names};
use scrm_schema::{Codec, TopicKind};
use scrm_state::keys::{self, Table};
use scrm_state::{CustomerState, StateStore};
use serde_json::{json, Value as Json};

pub const MIN: i64 = 60_000;
pub const HOUR: i64 = 60 * MIN;
pub const DAY: i64 = 24 * HOUR;
/// Wednesday 2026-11-04 10:00 in Hong Kong (02:00 UTC): inside the promotion season.
pub const T0: i64 = 1_793_757_600_000;

/// Customers: a Hong Kong number, a Brazilian one and a French one.
pub const MEI: &str = "+85291234567";
pub const ANA: &str = "+5511987654321";
pub const LEA: &str = "+33612345678";
/// Moves the partition's stream time without touching the customers under test.
const CLOCK: &str = "+85290000000";

pub struct Scenario {
    _dir: tempfile::TempDir,
    log: Arc<dyn EventLog>,
    store: Arc<dyn StateStore>,
    pack: Arc<RulePack>,
    partitions: u32,
    n: u64,
}

impl Scenario {
    pub fn new() -> Self {
        Self::with_pack(RulePack::default_pack(), 1)
    }

    pub fn with_pack(pack: RulePack, partitions: u32) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let log = scrm_testkit::embedded_log(dir.path(), partitions);
        let store = scrm_testkit::rocks_store(&dir.path().join("state"));
        Scenario {
            _dir: dir,
            log,
            store,
            pack: Arc::new(pack),
            partitions,
            n: 0,
        }
    }

    fn append(&mut self, record_name: &str, customer: &str, at: i64, payload: Json) {
        self.n += 1;
        let known = scrm_schema::Catalog::embedded()
            .current(record_name)
            .unwrap();
        let branch = payload.as_object().unwrap().keys().next().unwrap().clone();
        let json = json!({
            "event_id": format!("e{}", self.n), "customer": customer, "occurred_at": at,
            "source": "scenario", "payload": payload,
        });
        let value = json_to_avro(&known.schema, &Names::of(&known.schema), &json)
            .unwrap_or_else(|e| panic!("{branch}: {e}"));
        let bytes = Codec::single_object().encode("t", known, &value).unwrap();
        let topic = match record_name {
            "ConversationEvent" => "scrm.conversation.v1",
            "BehaviorEvent" => "scrm.behavior.v1",
            "TransactionEvent" => "scrm.transaction.v1",
            _ => "scrm.crm-updates.v1",
        };
        let partition = scrm_log::partition_for_key(customer.as_bytes(), self.partitions);
        let mut record = Record::new(customer.as_bytes().to_vec(), bytes, at);
        record.partition = Some(partition);
        self.log.append(topic, vec![record]).unwrap();
    }

    pub fn says(&mut self, customer: &str, at: i64, text: &str) -> &mut Self {
        let n = self.n;
        self.append(
            "ConversationEvent",
            customer,
            at,
            json!({"InboundMessage": {"wamid": format!("wamid.in{n}"), "profile_name": profile(customer),
                "content": {"TextContent": {"body": text}}}}),
        );
        self
    }

    pub fn shares_location(&mut self, customer: &str, at: i64, lat: f64, lon: f64) -> &mut Self {
        let n = self.n;
        self.append(
            "ConversationEvent",
            customer,
            at,
            json!({"InboundMessage": {"wamid": format!("wamid.in{n}"),
                "content": {"LocationContent": {"latitude": lat, "longitude": lon}}}}),
        );
        self
    }

    pub fn agent_replies(&mut self, customer: &str, at: i64, agent: &str) -> &mut Self {
        let n = self.n;
        self.append(
            "ConversationEvent",
            customer,
            at,
            json!({"OutboundMessage": {"wamid": format!("wamid.out{n}"), "kind": "FREE_FORM",
                "body": "Hello!", "sent_by": "AGENT", "agent_id": agent}}),
        );
        self
    }

    pub fn business_sends(&mut self, customer: &str, at: i64, wamid: &str) -> &mut Self {
        self.append(
            "ConversationEvent",
            customer,
            at,
            json!({"OutboundMessage": {"wamid": wamid, "kind": "TEMPLATE",
                "template_name": "news", "sent_by": "AUTOMATION"}}),
        );
        self
    }

    pub fn reads(&mut self, customer: &str, at: i64, wamid: &str) -> &mut Self {
        self.append(
            "ConversationEvent",
            customer,
            at,
            json!({"DeliveryStatus": {"wamid": wamid, "status": "READ"}}),
        );
        self
    }

    pub fn handoff(&mut self, customer: &str, at: i64, to_agent: bool) -> &mut Self {
        let direction = if to_agent {
            "TO_AGENT"
        } else {
            "TO_AUTOMATION"
        };
        self.append(
            "ConversationEvent",
            customer,
            at,
            json!({"AgentHandoff": {"direction": direction, "agent_id": "agent-7"}}),
        );
        self
    }

    pub fn clicks(&mut self, customer: &str, at: i64, sku: &str) -> &mut Self {
        self.append(
            "BehaviorEvent",
            customer,
            at,
            json!({"LinkClick": {"url": format!("https://shop.example/p/{sku}"), "sku": sku}}),
        );
        self
    }

    pub fn views(&mut self, customer: &str, at: i64, sku: &str) -> &mut Self {
        self.append(
            "BehaviorEvent",
            customer,
            at,
            json!({"ProductView": {"sku": sku}}),
        );
        self
    }

    pub fn answers_quiz(&mut self, customer: &str, at: i64) -> &mut Self {
        self.append(
            "BehaviorEvent",
            customer,
            at,
            json!({"QuizAnswer": {"quiz_id": "skin", "question_id": "q1", "answer": "dry"}}),
        );
        self
    }

    pub fn visits_store(&mut self, customer: &str, at: i64) -> &mut Self {
        self.append(
            "BehaviorEvent",
            customer,
            at,
            json!({"StoreVisit": {"store_id": "causeway-bay"}}),
        );
        self
    }

    pub fn orders(&mut self, customer: &str, at: i64, order: &str) -> &mut Self {
        self.append(
            "TransactionEvent",
            customer,
            at,
            json!({"OrderPlaced": {"order_id": order, "total_minor": 59_900, "currency": "HKD",
                "payment_method": "CARD",
                "lines": [{"sku": "SKU-1", "quantity": 1, "unit_price_minor": 59_900}]}}),
        );
        self
    }

    /// An order of `quantity` × `sku` at `unit_minor` each.
    pub fn buys(
        &mut self,
        customer: &str,
        at: i64,
        order: &str,
        sku: &str,
        quantity: i32,
        unit_minor: i64,
    ) -> &mut Self {
        self.append(
            "TransactionEvent",
            customer,
            at,
            json!({"OrderPlaced": {"order_id": order, "total_minor": unit_minor * i64::from(quantity),
                "currency": "BRL", "payment_method": "PIX",
                "lines": [{"sku": sku, "quantity": quantity, "unit_price_minor": unit_minor}]}}),
        );
        self
    }

    /// scrm stored the media of an inbound message.
    pub fn media_stored(&mut self, customer: &str, at: i64, url: &str) -> &mut Self {
        self.append(
            "ConversationEvent",
            customer,
            at,
            json!({"MediaStored": {"wamid": "wamid.media", "media_id": "m1", "stored_url": url,
                "mime_type": "image/jpeg", "size_bytes": 204_800, "sha256": "ab", "reencoded": false}}),
        );
        self
    }

    pub fn ships(&mut self, customer: &str, at: i64, order: &str) -> &mut Self {
        self.append(
            "TransactionEvent",
            customer,
            at,
            json!({"OrderShipped": {"order_id": order, "carrier": "SF Express",
                "tracking_number": "SF123456789", "tracking_url": "https://sf.example/SF123456789"}}),
        );
        self
    }

    pub fn crm_sets(&mut self, customer: &str, at: i64, field: &str, value: &str) -> &mut Self {
        self.append(
            "CrmUpdateEvent",
            customer,
            at,
            json!({"CrmFieldsChanged": {"crm": "hubspot", "object_type": "contact", "object_id": "1",
                "modified_at": at, "fields": {field: value}}}),
        );
        self
    }

    /// An event of another customer at `at`, so stream time reaches it.
    pub fn time_passes_to(&mut self, at: i64) -> &mut Self {
        for p in 0..self.partitions {
            let clock = (0..)
                .map(|i| format!("{CLOCK}{i}"))
                .find(|c| scrm_log::partition_for_key(c.as_bytes(), self.partitions) == p)
                .unwrap();
            self.views(&clock.clone(), at, "CLOCK");
        }
        self
    }

    /// Runs the processor over everything appended so far (event time, until caught up).
    pub fn run(&mut self) -> &mut Self {
        self.run_with(self.pack.clone())
    }

    pub fn run_with(&mut self, pack: Arc<RulePack>) -> &mut Self {
        let processor = Processor::new(
            self.log.clone(),
            self.store.clone(),
            pack,
            Arc::new(OutputEncoder::new(Codec::single_object(), Topics::new(""))),
            ProcessorOptions {
                time: TimeMode::Event,
                exit_when_caught_up: true,
                commit_interval: Duration::from_millis(20),
                fsync: false,
                ..ProcessorOptions::default()
            },
            // The processor believes no event time ahead of its clock; the scenarios are
            // dated by T0, not by the machine, so their wall clock is a day after all of them.
            Arc::new(ManualClock::new(T0 + 400 * DAY)),
            Metrics::default(),
        );
        processor.run(&|| false).unwrap();
        self
    }

    pub fn state(&self, customer: &str) -> CustomerState {
        let p = scrm_log::partition_for_key(customer.as_bytes(), self.partitions);
        let bytes = self
            .store
            .get(Table::Customers, &keys::customer_key(p, customer).unwrap())
            .unwrap()
            .unwrap_or_else(|| panic!("no state for {customer}"));
        CustomerState::decode(&bytes).unwrap()
    }

    /// Every record of an output topic, as JSON, in order.
    pub fn outputs(&self, kind: TopicKind) -> Vec<Json> {
        let topic = kind.name("");
        let known = scrm_schema::Catalog::embedded()
            .current(kind.value_schema().unwrap())
            .unwrap();
        let names = Names::of(&known.schema);
        scrm_testkit::read_all(self.log.as_ref(), &topic, self.partitions)
            .iter()
            .map(|r| {
                let value = Codec::single_object().decode(&r.value, known).unwrap();
                avro_to_json(&known.schema, &names, &value)
            })
            .collect()
    }

    /// Every record of an output topic decoded as its shared type, as the consumers
    /// read it.
    pub fn records<R: scrm_events::output::OutputRecord>(&self, kind: TopicKind) -> Vec<R> {
        let known = scrm_schema::Catalog::embedded().current(R::SCHEMA).unwrap();
        scrm_testkit::read_all(self.log.as_ref(), &kind.name(""), self.partitions)
            .iter()
            .map(|r| {
                let value = Codec::single_object().decode(&r.value, known).unwrap();
                R::from_avro(&value).unwrap()
            })
            .collect()
    }

    /// Triggers for `customer`: (rule, decision, reasons, message).
    pub fn triggers(&self, customer: &str) -> Vec<Trigger> {
        self.outputs(TopicKind::Triggers)
            .into_iter()
            .filter(|t| t["customer"] == customer)
            .map(|t| Trigger {
                rule: t["rule_id"].as_str().unwrap().to_owned(),
                decision: t["verdict"]["decision"].as_str().unwrap().to_owned(),
                reasons: t["verdict"]["reasons"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r.as_str().unwrap().to_owned())
                    .collect(),
                not_before: t["not_before"].as_str().map(millis),
                occurred_at: millis(t["occurred_at"].as_str().unwrap()),
                message: t["message"].clone(),
            })
            .collect()
    }

    /// CRM commands the rules asked for about `customer`: (rule, operation).
    pub fn crm(&self, customer: &str) -> Vec<(String, Json)> {
        self.outputs(TopicKind::CrmCommands)
            .into_iter()
            .filter(|c| c["customer"] == customer && !c["rule_id"].is_null())
            .map(|c| {
                (
                    c["rule_id"].as_str().unwrap_or("").to_owned(),
                    c["operation"].clone(),
                )
            })
            .collect()
    }

    /// CRM operations of one rule for `customer`.
    pub fn crm_by(&self, customer: &str, rule: &str) -> Vec<Json> {
        self.crm(customer)
            .into_iter()
            .filter(|(r, _)| r == rule)
            .map(|(_, op)| op)
            .collect()
    }

    /// CRM commands that follow from `customer`'s state (no rule): (command id, operation).
    pub fn synced(&self, customer: &str) -> Vec<(String, Json)> {
        self.outputs(TopicKind::CrmCommands)
            .into_iter()
            .filter(|c| c["customer"] == customer && c["rule_id"].is_null())
            .map(|c| {
                (
                    c["command_id"].as_str().unwrap().to_owned(),
                    c["operation"].clone(),
                )
            })
            .collect()
    }

    /// The contact upserts that follow from `customer`'s state, their fields in order.
    pub fn contact_updates(&self, customer: &str) -> Vec<serde_json::Map<String, Json>> {
        self.synced(customer)
            .into_iter()
            .filter_map(|(_, op)| op["UpsertContact"]["fields"].as_object().cloned())
            .collect()
    }

    /// What the CRM holds of `customer`'s contact after every upsert in order.
    pub fn contact(&self, customer: &str) -> serde_json::Map<String, Json> {
        let mut contact = serde_json::Map::new();
        for fields in self.contact_updates(customer) {
            contact.extend(fields);
        }
        contact
    }

    /// The operations of one kind (`UpsertDeal`, `CreateCase`, `AddNote`) that follow
    /// from `customer`'s state.
    pub fn synced_ops(&self, customer: &str, kind: &str) -> Vec<Json> {
        self.synced(customer)
            .into_iter()
            .filter_map(|(_, op)| op.get(kind).cloned())
            .collect()
    }

    pub fn alerts(&self) -> Vec<Json> {
        self.outputs(TopicKind::Alerts)
    }
}

#[derive(Debug, Clone)]
pub struct Trigger {
    pub rule: String,
    pub decision: String,
    pub reasons: Vec<String>,
    pub not_before: Option<i64>,
    pub occurred_at: i64,
    pub message: Json,
}

impl Trigger {
    pub fn template(&self) -> Option<&str> {
        self.message["TemplateMessage"]["template_name"].as_str()
    }

    pub fn variables(&self) -> Vec<String> {
        self.message["TemplateMessage"]["variables"]
            .as_array()
            .map(|v| v.iter().map(|x| x.as_str().unwrap().to_owned()).collect())
            .unwrap_or_default()
    }

    pub fn language(&self) -> Option<&str> {
        self.message["TemplateMessage"]["language"].as_str()
    }

    pub fn text(&self) -> Option<&str> {
        self.message["FreeFormMessage"]["text"].as_str()
    }
}

/// Milliseconds of a timestamp as the JSON mapping writes it (`2026-11-04T02:00:00.000Z`).
pub fn millis(iso: &str) -> i64 {
    let n = |from: usize, len: usize| iso[from..from + len].parse::<i64>().unwrap();
    let (y, m, d) = (n(0, 4), n(5, 2), n(8, 2));
    let (hh, mm, ss, ms) = (n(11, 2), n(14, 2), n(17, 2), n(20, 3));
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    ((days * 24 + hh) * 60 + mm) * 60_000 + ss * 1000 + ms
}

fn profile(customer: &str) -> &'static str {
    match customer {
        MEI => "陳美美",
        ANA => "Ana Souza",
        LEA => "Léa Martin",
        _ => "Someone",
    }
}

/// Names of `customer`'s tags.
pub fn tags(s: &Scenario, customer: &str) -> Vec<String> {
    s.state(customer).tags.into_iter().collect()
}
