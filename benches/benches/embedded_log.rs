//! Embedded-log append throughput with and without fsync per batch, and read throughput:
//! the ratio shows what durability costs and how much batching buys back.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use scrm_log::{EmbeddedLog, EmbeddedOptions, EventLog, Record, TopicSpec};

fn records(n: usize) -> Vec<Record> {
    (0..n)
        .map(|i| {
            Record::new(
                format!("+8529{:07}", i % 5_000),
                vec![7u8; 200],
                1_700_000_000_000 + i as i64,
            )
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("embedded_log");
    for (label, sync) in [("append_500_fsync", true), ("append_500_no_fsync", false)] {
        let dir = tempfile::tempdir().expect("tempdir");
        let log = EmbeddedLog::open(
            dir.path(),
            EmbeddedOptions {
                sync,
                ..Default::default()
            },
        )
        .expect("open");
        log.ensure_topic(&TopicSpec {
            name: "t".into(),
            partitions: 6,
            retention_ms: None,
            compact: false,
        })
        .expect("topic");
        group.throughput(Throughput::Elements(500));
        group.bench_function(label, |b| {
            b.iter_batched(
                || records(500),
                |batch| log.append("t", batch).expect("append"),
                BatchSize::SmallInput,
            )
        });
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let log = EmbeddedLog::open(
        dir.path(),
        EmbeddedOptions {
            sync: false,
            ..Default::default()
        },
    )
    .expect("open");
    log.ensure_topic(&TopicSpec {
        name: "t".into(),
        partitions: 1,
        retention_ms: None,
        compact: false,
    })
    .expect("topic");
    log.append("t", records(20_000)).expect("append");
    group.throughput(Throughput::Elements(20_000));
    group.bench_function("read_20000", |b| {
        b.iter(|| {
            let mut reader = log.reader("t", 0, 0).expect("reader");
            let mut n = 0;
            while n < 20_000 {
                n += reader
                    .next_batch(1_000, std::time::Duration::ZERO)
                    .expect("read")
                    .len();
            }
            n
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
