//! The partition engine against the in-memory store: poison records, timers on stream
//! time, determinism.

use std::sync::Arc;

use scrm_events::InputTopic;
use scrm_log::StoredRecord;
use scrm_processor::{OutputEncoder, PartitionEngine, Topics};
use scrm_rules::RulePack;
use scrm_schema::json::{json_to_avro, Names};
use scrm_schema::{Codec, TopicKind};
use scrm_state::keys::{self, Table};
use scrm_state::{CustomerState, MemoryStore, OutboxEntry, StateStore};
use serde_json::json;

const DAY: i64 = 86_400_000;
const T0: i64 = 1_780_000_000_000;
const ANA: &str = "+5511987654321";
const BO: &str = "+85291234567";

fn encode(schema: &str, json: serde_json::Value) -> Vec<u8> {
    let known = scrm_schema::Catalog::embedded().current(schema).unwrap();
    let value = json_to_avro(&known.schema, &Names::of(&known.schema), &json).unwrap();
    Codec::single_object().encode("t", known, &value).unwrap()
}

fn inbound(customer: &str, at: i64, text: &str, n: u64) -> Vec<u8> {
    encode(
        "ConversationEvent",
        json!({
            "event_id": format!("e{n}"), "customer": customer, "occurred_at": at, "source": "test",
            "payload": {"InboundMessage": {"wamid": format!("wamid.{n}"), "profile_name": "Ana Souza",
                "content": {"TextContent": {"body": text}}}}
        }),
    )
}

fn record(key: &str, offset: u64, at: i64, value: Vec<u8>) -> StoredRecord {
    StoredRecord {
        partition: 0,
        offset,
        key: key.as_bytes().to_vec(),
        value,
        timestamp_ms: at,
        headers: vec![("origin".into(), b"test".to_vec())],
    }
}

/// The default pack with only the rules about lost customers, so CRM commands come from them.
fn lost_only() -> RulePack {
    let mut pack = RulePack::default_pack();
    pack.rules.retain(|r| r.id.starts_with("lost"));
    // The commands that follow from state have tests of their own (scenarios/crm.rs).
    pack.crm.contact = false;
    pack
}

fn engine(store: Arc<dyn StateStore>, pack: RulePack) -> PartitionEngine {
    let out = OutputEncoder::new(Codec::single_object(), Topics::new(""));
    PartitionEngine::open(0, 1, store, Arc::new(pack), Arc::new(out)).unwrap()
}

fn state(store: &dyn StateStore, customer: &str) -> Option<CustomerState> {
    store
        .get(Table::Customers, &keys::customer_key(0, customer).unwrap())
        .unwrap()
        .map(|b| CustomerState::decode(&b).unwrap())
}

fn on(entries: &[(u64, OutboxEntry)], kind: TopicKind) -> Vec<OutboxEntry> {
    entries
        .iter()
        .filter(|(_, e)| e.topic == kind.name(""))
        .map(|(_, e)| e.clone())
        .collect()
}

fn decode_any(entry: &OutboxEntry) -> serde_json::Value {
    let (schema, value) = Codec::single_object().decode_any(&entry.value).unwrap();
    scrm_schema::json::avro_to_json(schema, &Names::of(schema), &value)
}

#[test]
fn poison_records_go_to_the_dlq_and_the_partition_moves_on() {
    let store = Arc::new(MemoryStore::new());
    let mut e = engine(store.clone(), RulePack::default_pack());
    let records = [
        record(ANA, 0, T0, inbound(ANA, T0, "Oi", 0)),
        record(ANA, 1, T0 + 1, b"\xC3\x01garbage".to_vec()),
        record(
            BO,
            2,
            T0 + 2,
            inbound(ANA, T0 + 2, "key and customer differ", 2),
        ),
        record(BO, 3, T0 + 3, inbound(BO, T0 + 3, "Hi", 3)),
    ];
    for r in &records {
        e.apply(InputTopic::Conversation, r).unwrap();
    }
    let committed = e.commit(true).unwrap();
    let dlq = on(&committed.entries, TopicKind::Dlq);
    assert_eq!(dlq.len(), 2);
    let first = decode_any(&dlq[0]);
    assert_eq!(first["error_kind"], "DECODE");
    assert_eq!(first["original_offset"], 1);
    let second = decode_any(&dlq[1]);
    assert_eq!(second["error_kind"], "VALIDATION");
    assert!(second["error"]
        .as_str()
        .unwrap()
        .contains("does not match the record key"));
    // The original bytes travel with the dead letter.
    use base64::Engine as _;
    let original = base64::engine::general_purpose::STANDARD
        .decode(second["original_value"].as_str().unwrap())
        .unwrap();
    assert_eq!(original, records[2].value);
    assert_eq!(
        dlq[1].headers[0],
        ("scrm.error.kind".into(), b"VALIDATION".to_vec())
    );
    // Records after the bad ones were applied, and the offsets moved past all of them.
    assert!(state(store.as_ref(), ANA).is_some());
    assert_eq!(
        state(store.as_ref(), BO).unwrap().last_inbound_ms,
        Some(T0 + 3)
    );
    assert_eq!(e.next_offset(InputTopic::Conversation), 4);
    assert_eq!(committed.stats.dead_letters.values().sum::<u64>(), 2);
}

#[test]
fn the_lost_timer_fires_on_stream_time_only() {
    let store = Arc::new(MemoryStore::new());
    let mut e = engine(store.clone(), lost_only());
    e.apply(
        InputTopic::Conversation,
        &record(ANA, 0, T0, inbound(ANA, T0, "Oi", 0)),
    )
    .unwrap();
    let first = e.commit(true).unwrap();
    assert!(on(&first.entries, TopicKind::CrmCommands).is_empty());
    assert_eq!(
        state(store.as_ref(), ANA).unwrap().timers["lost"],
        T0 + 60 * DAY
    );

    // Another customer's event 59 days later: not yet.
    e.apply(
        InputTopic::Conversation,
        &record(BO, 1, T0 + 59 * DAY, inbound(BO, T0 + 59 * DAY, "Hi", 1)),
    )
    .unwrap();
    assert!(on(&e.commit(true).unwrap().entries, TopicKind::CrmCommands).is_empty());
    // 61 days: Ana's timer fires before this event is applied.
    e.apply(
        InputTopic::Conversation,
        &record(BO, 2, T0 + 61 * DAY, inbound(BO, T0 + 61 * DAY, "Hi", 2)),
    )
    .unwrap();
    let fired = e.commit(true).unwrap();
    assert_eq!(fired.stats.timers_fired, 1);
    let crm = on(&fired.entries, TopicKind::CrmCommands);
    assert_eq!(crm.len(), 1);
    let command = decode_any(&crm[0]);
    assert_eq!(
        command["command_id"],
        format!("lost@timer/{ANA}/lost/{}#3", T0 + 60 * DAY)
    );
    assert_eq!(
        command["operation"]["UpsertContact"]["fields"]["list"],
        "low_priority"
    );
    let ana = state(store.as_ref(), ANA).unwrap();
    assert!(ana.tags.contains("lost"));
    assert!(!ana.timers.contains_key("lost"));
    assert_eq!(e.stream_time(), Some(T0 + 61 * DAY));
}

#[test]
fn state_is_pruned_after_180_days_without_events() {
    let store = Arc::new(MemoryStore::new());
    let mut e = engine(store.clone(), RulePack::default_pack());
    e.apply(
        InputTopic::Conversation,
        &record(ANA, 0, T0, inbound(ANA, T0, "Oi", 0)),
    )
    .unwrap();
    e.advance_to(T0 + 179 * DAY).unwrap();
    e.commit(true).unwrap();
    assert!(state(store.as_ref(), ANA).is_some());
    e.advance_to(T0 + 181 * DAY).unwrap();
    let committed = e.commit(true).unwrap();
    assert!(state(store.as_ref(), ANA).is_none());
    let (from, to) = Table::Timers.partition_range(0);
    let mut timers = 0;
    store
        .scan(Table::Timers, &from, &to, &mut |_, _| {
            timers += 1;
            scrm_state::store::Scan::Continue
        })
        .unwrap();
    assert_eq!(timers, 0, "the timer index is pruned with the customer");
    // The changelog gets a tombstone.
    let tombstone = on(&committed.entries, TopicKind::StateChangelog)
        .into_iter()
        .find(|c| c.key == ANA.as_bytes())
        .unwrap();
    assert!(tombstone.value.is_empty());
}

#[test]
fn the_same_input_gives_byte_identical_outputs() {
    let inputs: Vec<StoredRecord> = (0..400u64)
        .map(|i| {
            let who = if i % 3 == 0 { ANA } else { BO };
            let text = [
                "How much is the serum?",
                "Is there any discount?",
                "too expensive",
                "Hi",
            ][i as usize % 4];
            let at = T0 + (i as i64) * DAY / 3;
            record(who, i, at, inbound(who, at, text, i))
        })
        .collect();
    let run = || {
        let store = Arc::new(MemoryStore::new());
        let mut e = engine(store, RulePack::default_pack());
        let mut out = Vec::new();
        for chunk in inputs.chunks(37) {
            for r in chunk {
                e.apply(InputTopic::Conversation, r).unwrap();
            }
            out.extend(e.commit(true).unwrap().entries.into_iter().map(|(_, e)| e));
        }
        out
    };
    let (a, b) = (run(), run());
    assert_eq!(a, b);
    assert!(
        on(
            &a.iter()
                .cloned()
                .enumerate()
                .map(|(i, e)| (i as u64, e))
                .collect::<Vec<_>>(),
            TopicKind::Triggers
        )
        .len()
            >= 2
    );
}
