//! What the engine does not take from outside on trust: an event id seen before, an event
//! time beyond the wall clock's bounds, a record on a partition its key does not hash to.

use std::sync::Arc;

use scrm_events::InputTopic;
use scrm_log::StoredRecord;
use scrm_processor::engine::{EngineOptions, REPARTITIONED_FROM};
use scrm_processor::{ManualClock, OutputEncoder, PartitionEngine, Topics};
use scrm_rules::RulePack;
use scrm_schema::json::{json_to_avro, Names};
use scrm_schema::{Codec, TopicKind};
use scrm_state::keys::{self, Table};
use scrm_state::{CustomerState, MemoryStore, OutboxEntry, StateStore};
use scrm_time::TimeBounds;
use serde_json::json;

const DAY: i64 = 86_400_000;
const T0: i64 = 1_780_000_000_000;
const ANA: &str = "+5511987654321";
const BO: &str = "+85291234567";
const CARL: &str = "+33612345678";

fn inbound(customer: &str, at: i64, text: &str, id: &str) -> Vec<u8> {
    let known = scrm_schema::Catalog::embedded()
        .current("ConversationEvent")
        .unwrap();
    let json = json!({
        "event_id": id, "customer": customer, "occurred_at": at, "source": "test",
        "payload": {"InboundMessage": {"wamid": format!("wamid.{id}"), "profile_name": "Ana",
            "content": {"TextContent": {"body": text}}}}
    });
    let value = json_to_avro(&known.schema, &Names::of(&known.schema), &json).unwrap();
    Codec::single_object().encode("t", known, &value).unwrap()
}

fn record(partition: u32, key: &str, offset: u64, at: i64, value: Vec<u8>) -> StoredRecord {
    StoredRecord {
        partition,
        offset,
        key: key.as_bytes().to_vec(),
        value,
        timestamp_ms: at,
        headers: vec![("origin".into(), b"test".to_vec())],
    }
}

fn engine(
    store: Arc<dyn StateStore>,
    partition: u32,
    partitions: u32,
    now_ms: i64,
) -> PartitionEngine {
    let out = OutputEncoder::new(Codec::single_object(), Topics::new(""));
    PartitionEngine::open_with(
        partition,
        partitions,
        store,
        Arc::new(RulePack::default_pack()),
        Arc::new(out),
        EngineOptions {
            clock: Arc::new(ManualClock::new(now_ms)),
            time_bounds: TimeBounds::default(),
        },
    )
    .unwrap()
}

fn state(store: &dyn StateStore, partition: u32, customer: &str) -> Option<CustomerState> {
    store
        .get(
            Table::Customers,
            &keys::customer_key(partition, customer).unwrap(),
        )
        .unwrap()
        .map(|b| CustomerState::decode(&b).unwrap())
}

/// Outputs of a commit, without the changelog (whose progress record names offsets).
fn outputs(entries: &[(u64, OutboxEntry)]) -> Vec<OutboxEntry> {
    let changelog = TopicKind::StateChangelog.name("");
    entries
        .iter()
        .filter(|(_, e)| e.topic != changelog)
        .map(|(_, e)| e.clone())
        .collect()
}

fn kind_of(entry: &OutboxEntry) -> String {
    let (schema, value) = Codec::single_object().decode_any(&entry.value).unwrap();
    let json = scrm_schema::json::avro_to_json(schema, &Names::of(schema), &value);
    json["error_kind"].as_str().unwrap_or_default().to_owned()
}

#[test]
fn an_event_appended_twice_changes_state_once_and_gives_outputs_once() {
    let msgs = [
        ("e1", T0, "too expensive"),
        ("e2", T0 + 1_000, "still too expensive"),
    ];
    let run = |repeat: bool| {
        let store: Arc<dyn StateStore> = Arc::new(MemoryStore::new());
        let mut e = engine(store.clone(), 0, 1, T0 + DAY);
        let mut out = Vec::new();
        let mut offset = 0;
        for (id, at, text) in msgs {
            e.apply(
                InputTopic::Conversation,
                &record(0, ANA, offset, at, inbound(ANA, at, text, id)),
            )
            .unwrap();
            offset += 1;
        }
        out.extend(outputs(&e.commit(true).unwrap().entries));
        let mut dropped = 0;
        if repeat {
            // The same events again at later offsets: one in the same batch, one later.
            for (id, at, text) in msgs {
                e.apply(
                    InputTopic::Conversation,
                    &record(0, ANA, offset, at, inbound(ANA, at, text, id)),
                )
                .unwrap();
                offset += 1;
            }
            let c = e.commit(true).unwrap();
            dropped = c.stats.repeats_dropped;
            out.extend(outputs(&c.entries));
        }
        (state(store.as_ref(), 0, ANA).unwrap(), out, dropped)
    };
    let (once, once_out, _) = run(false);
    let (twice, twice_out, dropped) = run(true);
    assert_eq!(dropped, 2);
    assert_eq!(twice, once);
    assert_eq!(twice_out, once_out);
    assert!(
        !once_out.is_empty(),
        "too expensive twice gets the instalment plan"
    );
    assert_eq!(
        once.recent_events
            .ids
            .iter()
            .map(|(id, _)| id.as_str())
            .collect::<Vec<_>>(),
        ["e1", "e2"]
    );
}

#[test]
fn repeats_are_dropped_in_the_same_batch_too() {
    let run = |times: u64| {
        let store: Arc<dyn StateStore> = Arc::new(MemoryStore::new());
        let mut e = engine(store.clone(), 0, 1, T0 + DAY);
        for offset in 0..times {
            e.apply(
                InputTopic::Conversation,
                &record(0, ANA, offset, T0, inbound(ANA, T0, "Oi", "same")),
            )
            .unwrap();
        }
        let dropped = e.commit(true).unwrap().stats.repeats_dropped;
        assert_eq!(e.next_offset(InputTopic::Conversation), times);
        (state(store.as_ref(), 0, ANA).unwrap(), dropped)
    };
    let (once, _) = run(1);
    let (thrice, dropped) = run(3);
    assert_eq!(dropped, 2);
    assert_eq!(thrice, once);
}

#[test]
fn event_times_out_of_bounds_go_to_the_dlq_and_move_nothing() {
    let store: Arc<dyn StateStore> = Arc::new(MemoryStore::new());
    let mut e = engine(store.clone(), 0, 1, T0 + 60_000);
    e.apply(
        InputTopic::Conversation,
        &record(0, ANA, 0, T0, inbound(ANA, T0, "Oi", "a")),
    )
    .unwrap();
    e.apply(
        InputTopic::Conversation,
        &record(0, BO, 1, T0 + 1, inbound(BO, T0 + 1, "Hi", "b")),
    )
    .unwrap();
    e.commit(true).unwrap();
    let before = (
        state(store.as_ref(), 0, ANA).unwrap(),
        state(store.as_ref(), 0, BO).unwrap(),
    );

    let year_ahead = T0 + 365 * DAY;
    let micros = T0 * 1_000;
    e.apply(
        InputTopic::Conversation,
        &record(0, CARL, 2, year_ahead, inbound(CARL, year_ahead, "Hi", "c")),
    )
    .unwrap();
    e.apply(
        InputTopic::Conversation,
        &record(0, CARL, 3, micros, inbound(CARL, micros, "Hi", "d")),
    )
    .unwrap();
    let committed = e.commit(true).unwrap();
    let dlq: Vec<OutboxEntry> = committed
        .entries
        .iter()
        .filter(|(_, x)| x.topic == TopicKind::Dlq.name(""))
        .map(|(_, x)| x.clone())
        .collect();
    assert_eq!(dlq.len(), 2);
    assert!(dlq.iter().all(|d| kind_of(d) == "TIME"));
    assert_eq!(committed.stats.dead_letters.get("TIME"), Some(&2));
    // Stream time stayed; no timer fired; nobody else was touched or expired.
    assert_eq!(e.stream_time(), Some(T0 + 1));
    assert_eq!(committed.stats.timers_fired, 0);
    assert_eq!(
        (
            state(store.as_ref(), 0, ANA).unwrap(),
            state(store.as_ref(), 0, BO).unwrap()
        ),
        before
    );
    assert!(state(store.as_ref(), 0, CARL).is_none());
    assert_eq!(e.next_offset(InputTopic::Conversation), 4);
}

/// A customer whose key hashes (murmur2) to `partition` of `partitions`.
fn customer_on(partition: u32, partitions: u32) -> String {
    (0..)
        .map(|i| format!("+852900{i:05}"))
        .find(|c| scrm_log::partition_for_key(c.as_bytes(), partitions) == partition)
        .unwrap()
}

#[test]
fn a_record_on_the_wrong_partition_is_routed_to_the_right_one() {
    let mei = customer_on(1, 2);
    let store: Arc<dyn StateStore> = Arc::new(MemoryStore::new());
    let mut p0 = engine(store.clone(), 0, 2, T0 + DAY);
    let value = inbound(&mei, T0, "Is there any discount?", "m1");
    p0.apply(
        InputTopic::Conversation,
        &record(0, &mei, 7, T0, value.clone()),
    )
    .unwrap();
    let committed = p0.commit(true).unwrap();
    assert!(state(store.as_ref(), 0, &mei).is_none(), "not applied here");
    assert_eq!(p0.stream_time(), None);
    assert_eq!(p0.next_offset(InputTopic::Conversation), 8);
    let routed: Vec<OutboxEntry> = outputs(&committed.entries);
    assert_eq!(routed.len(), 1);
    let r = &routed[0];
    assert_eq!((r.topic.as_str(), r.partition), ("scrm.conversation.v1", 1));
    assert_eq!((r.key.as_slice(), &r.value), (mei.as_bytes(), &value));
    assert_eq!(r.headers[0], ("origin".to_owned(), b"test".to_vec()));
    assert_eq!(
        r.headers[1],
        (
            REPARTITIONED_FROM.to_owned(),
            b"scrm.conversation.v1/0/7".to_vec()
        )
    );
    assert_eq!(committed.stats.repartitioned.values().sum::<u64>(), 1);

    // On its partition it is applied; sent twice (a crash before the outbox was cleared),
    // it counts once.
    let on_p1 = |times: u64| {
        let store: Arc<dyn StateStore> = Arc::new(MemoryStore::new());
        let mut p1 = engine(store.clone(), 1, 2, T0 + DAY);
        for offset in 0..times {
            let mut again = record(1, &mei, offset, r.timestamp_ms, r.value.clone());
            again.headers = r.headers.clone();
            p1.apply(InputTopic::Conversation, &again).unwrap();
        }
        let c = p1.commit(true).unwrap();
        assert!(c.stats.repartitioned.is_empty());
        (
            state(store.as_ref(), 1, &mei),
            c.stats.repeats_dropped,
            outputs(&c.entries),
        )
    };
    let (once, _, once_out) = on_p1(1);
    let (twice, dropped, twice_out) = on_p1(2);
    assert!(once.is_some());
    assert_eq!(dropped, 1);
    assert_eq!((twice, twice_out), (once, once_out));
}
