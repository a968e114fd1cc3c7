//! Codec throughput on generated traffic: JSON → Avro (what `scrm produce` does per line),
//! Avro value → single-object bytes, and bytes → value (what every consumer does).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use scrm_schema::json::{json_to_avro, Names};
use scrm_schema::{Catalog, Codec};

fn bench(c: &mut Criterion) {
    let codec = Codec::single_object();
    let schema = Catalog::embedded()
        .current("ConversationEvent")
        .expect("schema");
    let names = Names::of(&schema.schema);
    let events: Vec<serde_json::Value> = scrm_gen::Generator::new(scrm_gen::GenConfig {
        customers: 200,
        days: 2,
        ..Default::default()
    })
    .filter(|e| e.topic == scrm_gen::Topic::Conversation)
    .map(|e| e.json)
    .take(1_000)
    .collect();
    let values: Vec<_> = events
        .iter()
        .map(|j| json_to_avro(&schema.schema, &names, j).expect("valid"))
        .collect();
    let encoded: Vec<Vec<u8>> = values
        .iter()
        .map(|v| codec.encode("t", schema, v).expect("encodes"))
        .collect();

    let mut group = c.benchmark_group("codec");
    group.throughput(Throughput::Elements(events.len() as u64));
    group.bench_function("json_to_avro", |b| {
        b.iter(|| {
            events
                .iter()
                .filter(|j| json_to_avro(&schema.schema, &names, j).is_ok())
                .count()
        })
    });
    group.bench_function("encode_single_object", |b| {
        b.iter(|| {
            values
                .iter()
                .map(|v| codec.encode("t", schema, v).expect("encodes").len())
                .sum::<usize>()
        })
    });
    group.bench_function("decode_single_object", |b| {
        b.iter(|| {
            encoded
                .iter()
                .map(|bytes| codec.decode(bytes, schema).is_ok() as usize)
                .sum::<usize>()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
