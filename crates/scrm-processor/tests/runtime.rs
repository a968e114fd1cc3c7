//! The processor on a real embedded log and RocksDB: wall-clock timers on an idle
//! partition in live mode (with a clock moved by hand), and restore from the changelog.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use scrm_log::{EventLog, Record};
use scrm_processor::{
    ManualClock, Metrics, OutputEncoder, Processor, ProcessorOptions, SystemClock, TimeMode, Topics,
};
use scrm_schema::json::{json_to_avro, Names};
use scrm_schema::{Codec, TopicKind};
use scrm_state::keys::{self, Table};
use scrm_state::{CustomerState, PartitionMeta, StateStore};
use serde_json::json;

const DAY: i64 = 86_400_000;
const T0: i64 = 1_780_000_000_000;
const ANA: &str = "+5511987654321";

fn setup(dir: &std::path::Path, partitions: u32) -> Arc<dyn EventLog> {
    scrm_testkit::embedded_log(dir, partitions)
}

fn inbound(customer: &str, at: i64, text: &str, n: u64) -> Record {
    let known = scrm_schema::Catalog::embedded()
        .current("ConversationEvent")
        .unwrap();
    let json = json!({
        "event_id": format!("e{n}"), "customer": customer, "occurred_at": at, "source": "test",
        "payload": {"InboundMessage": {"wamid": format!("wamid.{n}"),
            "content": {"TextContent": {"body": text}}}}
    });
    let value = json_to_avro(&known.schema, &Names::of(&known.schema), &json).unwrap();
    let bytes = Codec::single_object().encode("t", known, &value).unwrap();
    Record::new(customer.as_bytes().to_vec(), bytes, at)
}

fn processor(
    log: Arc<dyn EventLog>,
    store: Arc<dyn StateStore>,
    time: TimeMode,
    clock: Arc<dyn scrm_processor::Clock>,
    exit_when_caught_up: bool,
    metrics: Metrics,
    pack: scrm_rules::RulePack,
) -> Processor {
    Processor::new(
        log,
        store,
        Arc::new(pack),
        Arc::new(OutputEncoder::new(Codec::single_object(), Topics::new(""))),
        ProcessorOptions {
            time,
            exit_when_caught_up,
            commit_interval: Duration::from_millis(20),
            ..ProcessorOptions::default()
        },
        clock,
        metrics,
    )
}

/// The default pack with only the rules about lost customers and no contact sync, so CRM
/// commands come from those rules alone.
fn lost_only() -> scrm_rules::RulePack {
    let mut pack = scrm_rules::RulePack::default_pack();
    pack.rules.retain(|r| r.id.starts_with("lost"));
    pack.crm.contact = false;
    pack
}

fn wait_for(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn meta(store: &dyn StateStore, partition: u32) -> Option<PartitionMeta> {
    store
        .get(Table::Partitions, &keys::partition_key(partition))
        .unwrap()
        .map(|b| PartitionMeta::decode(&b).unwrap())
}

fn store(dir: &std::path::Path, name: &str) -> Arc<dyn StateStore> {
    scrm_testkit::rocks_store(&dir.join(name))
}

/// One partition holding one message from Ana at `T0`, and an empty state store.
fn one_message() -> (tempfile::TempDir, Arc<dyn EventLog>, Arc<dyn StateStore>) {
    let dir = tempfile::tempdir().unwrap();
    let log = setup(dir.path(), 1);
    log.append("scrm.conversation.v1", vec![inbound(ANA, T0, "Oi", 0)])
        .unwrap();
    let store = store(dir.path(), "state");
    (dir, log, store)
}

#[test]
fn an_idle_partition_fires_timers_on_the_wall_clock_in_live_mode() {
    let (_dir, log, store) = one_message();
    let clock = ManualClock::new(T0 + 10_000);
    let p = processor(
        log.clone(),
        store.clone(),
        TimeMode::Live { grace_ms: 2_000 },
        Arc::new(clock.clone()),
        false,
        Metrics::default(),
        lost_only(),
    );
    let stop = Arc::new(AtomicBool::new(false));
    let thread = {
        let stop = stop.clone();
        std::thread::spawn(move || p.run(&|| stop.load(Ordering::SeqCst)))
    };
    let crm_high = || log.watermarks("scrm.crm-commands.v1", 0).unwrap().high;
    let stream_time = || meta(store.as_ref(), 0).and_then(|m| m.stream_time_ms);

    wait_for("the message to be applied", || {
        stream_time() == Some(T0 + 8_000)
    });
    // 59 days of silence: the partition's time follows the clock, nothing is due yet.
    clock.set(T0 + 59 * DAY);
    wait_for("stream time to follow the clock", || {
        stream_time() == Some(T0 + 59 * DAY - 2_000)
    });
    assert_eq!(crm_high(), 0);
    // Past 60 days the lost timer fires without any new event.
    clock.set(T0 + 61 * DAY);
    wait_for("the lost rule's CRM command", || crm_high() == 1);
    stop.store(true, Ordering::SeqCst);
    thread.join().unwrap().unwrap();

    let state = CustomerState::decode(
        &store
            .get(Table::Customers, &keys::customer_key(0, ANA).unwrap())
            .unwrap()
            .unwrap(),
    )
    .unwrap();
    assert!(state.tags.contains("lost"), "{state:?}");
}

#[test]
fn event_time_mode_never_looks_at_the_clock() {
    let (_dir, log, store) = one_message();
    // The clock says a year later; in event time that means nothing.
    let clock = ManualClock::new(T0 + 365 * DAY);
    processor(
        log.clone(),
        store.clone(),
        TimeMode::Event,
        Arc::new(clock),
        true,
        Metrics::default(),
        scrm_rules::RulePack::default_pack(),
    )
    .run(&|| false)
    .unwrap();
    assert_eq!(meta(store.as_ref(), 0).unwrap().stream_time_ms, Some(T0));
    // The message's contact upsert only: the lost rule (its own command and the lowered
    // priority) did not fire.
    assert_eq!(log.watermarks("scrm.crm-commands.v1", 0).unwrap().high, 1);
}

#[test]
fn a_new_instance_restores_every_partition_from_the_changelog() {
    let dir = tempfile::tempdir().unwrap();
    let log = setup(dir.path(), 3);
    let customers: Vec<String> = (0..60)
        .map(|i| format!("+8529{:07}", 1_000_000 + i))
        .collect();
    let mut records = Vec::new();
    for day in 0..20i64 {
        for (i, c) in customers.iter().enumerate() {
            let text =
                ["How much is it?", "How much is it?", "any discount?"][(i + day as usize) % 3];
            records.push(inbound(
                c,
                T0 + day * DAY + i as i64,
                text,
                (day as u64) * 1000 + i as u64,
            ));
        }
    }
    log.append("scrm.conversation.v1", records).unwrap();
    let first = store(dir.path(), "state-a");
    processor(
        log.clone(),
        first.clone(),
        TimeMode::Event,
        Arc::new(SystemClock),
        true,
        Metrics::default(),
        scrm_rules::RulePack::default_pack(),
    )
    .run(&|| false)
    .unwrap();

    let triggers = || {
        (0..3)
            .map(|p| log.watermarks("scrm.triggers.v1", p).unwrap().high)
            .sum::<u64>()
    };
    let after_first = triggers();
    assert!(after_first > 0);

    // Another instance with an empty disk takes over.
    let second = store(dir.path(), "state-b");
    let metrics = Metrics::default();
    processor(
        log.clone(),
        second.clone(),
        TimeMode::Event,
        Arc::new(SystemClock),
        true,
        metrics.clone(),
        scrm_rules::RulePack::default_pack(),
    )
    .run(&|| false)
    .unwrap();
    assert!(metrics.restore_records.get() >= customers.len() as u64);
    for c in &customers {
        let p = scrm_log::partition_for_key(c.as_bytes(), 3);
        let key = keys::customer_key(p, c).unwrap();
        let a = first.get(Table::Customers, &key).unwrap().unwrap();
        let b = second.get(Table::Customers, &key).unwrap().unwrap();
        assert_eq!(
            CustomerState::decode(&a).unwrap(),
            CustomerState::decode(&b).unwrap()
        );
    }
    for p in 0..3 {
        let (a, b) = (
            meta(first.as_ref(), p).unwrap(),
            meta(second.as_ref(), p).unwrap(),
        );
        assert_eq!(a.next_offsets, b.next_offsets);
        assert_eq!(a.stream_time_ms, b.stream_time_ms);
    }
    // The restored offsets were the end: nothing was processed (or sent) twice.
    assert_eq!(triggers(), after_first);
}

#[test]
fn an_event_appended_again_after_a_restart_is_dropped() {
    let (dir, log, store) = one_message();
    let clock: Arc<dyn scrm_processor::Clock> = Arc::new(ManualClock::new(T0 + DAY));
    let outputs = || {
        [
            TopicKind::Triggers,
            TopicKind::CrmCommands,
            TopicKind::Alerts,
        ]
        .iter()
        .map(|k| log.watermarks(&k.name(""), 0).unwrap().high)
        .sum::<u64>()
    };
    let run = |store: Arc<dyn StateStore>, metrics: Metrics| {
        processor(
            log.clone(),
            store,
            TimeMode::Event,
            clock.clone(),
            true,
            metrics,
            scrm_rules::RulePack::default_pack(),
        )
        .run(&|| false)
        .unwrap();
    };
    log.append(
        "scrm.conversation.v1",
        vec![
            inbound(ANA, T0 + 1, "too expensive", 1),
            inbound(ANA, T0 + 2, "still too expensive", 2),
        ],
    )
    .unwrap();
    run(store.clone(), Metrics::default());
    let first = (
        store
            .get(Table::Customers, &keys::customer_key(0, ANA).unwrap())
            .unwrap(),
        outputs(),
    );
    assert!(first.1 > 0, "too expensive twice gets the instalment plan");
    drop(store);

    // The producer retries all three events: appended again at later offsets.
    log.append(
        "scrm.conversation.v1",
        vec![
            inbound(ANA, T0, "Oi", 0),
            inbound(ANA, T0 + 1, "too expensive", 1),
            inbound(ANA, T0 + 2, "still too expensive", 2),
        ],
    )
    .unwrap();
    let store = self::store(dir.path(), "state");
    let metrics = Metrics::default();
    run(store.clone(), metrics.clone());
    assert_eq!(metrics.repeats_dropped.get(), 3);
    let second = (
        store
            .get(Table::Customers, &keys::customer_key(0, ANA).unwrap())
            .unwrap(),
        outputs(),
    );
    assert_eq!(second, first);
    assert_eq!(
        meta(store.as_ref(), 0).unwrap().next_offsets["scrm.conversation.v1"],
        6
    );
}

#[test]
fn a_microsecond_event_time_goes_to_the_dlq_and_the_run_still_ends() {
    let (_dir, log, store) = one_message();
    log.append(
        "scrm.conversation.v1",
        vec![inbound("+85291234567", T0 * 1_000, "Hi", 9)],
    )
    .unwrap();
    let metrics = Metrics::default();
    processor(
        log.clone(),
        store.clone(),
        TimeMode::Event,
        Arc::new(ManualClock::new(T0 + DAY)),
        true,
        metrics.clone(),
        lost_only(),
    )
    .run(&|| false)
    .unwrap();
    assert_eq!(meta(store.as_ref(), 0).unwrap().stream_time_ms, Some(T0));
    assert_eq!(log.watermarks("scrm.dlq.v1", 0).unwrap().high, 1);
    assert!(store
        .get(Table::Customers, &keys::customer_key(0, ANA).unwrap())
        .unwrap()
        .is_some());
}
