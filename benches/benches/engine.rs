//! The partition engine applying generated traffic (scrm-gen, default rule pack): decode,
//! checks, fold, rules, timers and commits, on the in-memory store and on RocksDB. No log
//! and no threads: what one partition task costs per record beyond reading its inputs.
//!
//! `cargo bench -p scrm-benches --bench engine`; figures in docs/performance.md.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

mod common;

use common::topic_of;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use scrm_events::InputTopic;
use scrm_log::StoredRecord;
use scrm_processor::engine::EngineOptions;
use scrm_processor::{ManualClock, OutputEncoder, PartitionEngine, Topics};
use scrm_rules::RulePack;
use scrm_schema::json::{json_to_avro, Names};
use scrm_schema::{Catalog, Codec};
use scrm_state::{MemoryStore, RocksOptions, RocksStore, StateStore};
use scrm_time::TimeBounds;

const EVENTS: usize = 20_000;
const BATCH: usize = 2_000;

/// Generated traffic as one partition's input records, in event-time order.
fn traffic() -> Vec<(InputTopic, StoredRecord)> {
    let codec = Codec::single_object();
    let mut offsets: HashMap<InputTopic, u64> = HashMap::new();
    scrm_gen::Generator::new(scrm_gen::GenConfig {
        customers: 2_000,
        days: 7,
        ..Default::default()
    })
    .take(EVENTS)
    .map(|e| {
        let known = Catalog::embedded()
            .current(e.topic.schema_name())
            .expect("schema");
        let value = json_to_avro(&known.schema, &Names::of(&known.schema), &e.json).expect("valid");
        let topic = topic_of(e.topic);
        let offset = offsets.entry(topic).or_insert(0);
        let record = StoredRecord {
            partition: 0,
            offset: *offset,
            key: e.customer.as_bytes().to_vec(),
            value: codec.encode("t", known, &value).expect("encodes"),
            timestamp_ms: e.occurred_at_ms,
            headers: Vec::new(),
        };
        *offset += 1;
        (topic, record)
    })
    .collect()
}

fn engine(store: Arc<dyn StateStore>, clock_ms: i64) -> PartitionEngine {
    PartitionEngine::open_with(
        0,
        1,
        store,
        Arc::new(RulePack::default_pack()),
        Arc::new(OutputEncoder::new(Codec::single_object(), Topics::new(""))),
        EngineOptions {
            clock: Arc::new(ManualClock::new(clock_ms)),
            time_bounds: TimeBounds::default(),
        },
    )
    .expect("opens")
}

fn apply_all(mut e: PartitionEngine, records: &[(InputTopic, StoredRecord)]) -> usize {
    let mut outputs = 0;
    for chunk in records.chunks(BATCH) {
        for (topic, record) in chunk {
            e.apply(*topic, record).expect("applies");
        }
        outputs += e.commit(false).expect("commits").entries.len();
    }
    outputs
}

fn bench(c: &mut Criterion) {
    let records = traffic();
    // The generated traffic is dated by its config, not by this machine: a clock after it.
    let clock_ms = records
        .iter()
        .map(|(_, r)| r.timestamp_ms)
        .max()
        .unwrap_or(0)
        + 1;
    let mut group = c.benchmark_group("engine");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(10))
        .throughput(Throughput::Elements(records.len() as u64));
    group.bench_function("memory", |b| {
        b.iter_batched(
            || engine(Arc::new(MemoryStore::new()), clock_ms),
            |e| apply_all(e, &records),
            BatchSize::PerIteration,
        )
    });
    group.bench_function("rocksdb", |b| {
        b.iter_batched(
            || {
                let dir = tempfile::tempdir().expect("temp dir");
                let store = RocksStore::open(&dir.path().join("state"), &RocksOptions::default())
                    .expect("opens");
                (dir, engine(Arc::new(store), clock_ms))
            },
            |(dir, e)| {
                let n = apply_all(e, &records);
                drop(dir);
                n
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
