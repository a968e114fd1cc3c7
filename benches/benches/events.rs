//! Typed events from Avro: bytes → value → `Event`, what the processor does per record.

mod common;

use common::topic_of;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use scrm_events::{Event, InputTopic};
use scrm_schema::json::{json_to_avro, Names};
use scrm_schema::{Catalog, Codec};

fn bench(c: &mut Criterion) {
    let codec = Codec::single_object();
    let records: Vec<(InputTopic, Vec<u8>)> = scrm_gen::Generator::new(scrm_gen::GenConfig {
        customers: 200,
        days: 3,
        ..Default::default()
    })
    .take(2_000)
    .map(|e| {
        let schema = Catalog::embedded()
            .current(e.topic.schema_name())
            .expect("schema");
        let value =
            json_to_avro(&schema.schema, &Names::of(&schema.schema), &e.json).expect("valid");
        (
            topic_of(e.topic),
            codec.encode("t", schema, &value).expect("encodes"),
        )
    })
    .collect();
    let values: Vec<_> = records
        .iter()
        .map(|(t, bytes)| {
            let schema = Catalog::embedded().current(t.full_name()).expect("schema");
            (*t, codec.decode(bytes, schema).expect("decodes"))
        })
        .collect();

    let mut group = c.benchmark_group("events");
    group.throughput(Throughput::Elements(records.len() as u64));
    group.bench_function("from_avro", |b| {
        b.iter(|| {
            values
                .iter()
                .filter(|(t, v)| Event::from_avro(*t, v).is_ok())
                .count()
        })
    });
    group.bench_function("decode_and_from_avro", |b| {
        b.iter(|| {
            records
                .iter()
                .filter(|(t, bytes)| {
                    let schema = Catalog::embedded().current(t.full_name()).expect("schema");
                    codec
                        .decode(bytes, schema)
                        .is_ok_and(|v| Event::from_avro(*t, &v).is_ok())
                })
                .count()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
