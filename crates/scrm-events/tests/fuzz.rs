//! `Event::from_avro` never panics: on arbitrary value trees, and on real events (from
//! scrm-gen) with one node replaced, removed or relabelled. Every error displays a path.

mod common;

use std::sync::OnceLock;

use apache_avro::types::Value;
use proptest::collection::{hash_map, vec};
use proptest::prelude::*;
use scrm_events::{Event, InputTopic};

/// Field names of the schemas, so random records sometimes look like real ones.
const NAMES: &[&str] = &[
    "event_id",
    "customer",
    "occurred_at",
    "source",
    "payload",
    "wamid",
    "content",
    "body",
    "kind",
    "media_id",
    "caption",
    "latitude",
    "longitude",
    "reply_id",
    "title",
    "contacts",
    "name",
    "phones",
    "catalog_id",
    "items",
    "sku",
    "quantity",
    "unit_price_minor",
    "currency",
    "text",
    "whatsapp_type",
    "sent_by",
    "status",
    "error_code",
    "direction",
    "url",
    "order_id",
    "lines",
    "total_minor",
    "payment_method",
    "eta",
    "skus",
    "crm",
    "object_type",
    "object_id",
    "modified_at",
    "fields",
    "message_wamid",
    "emoji",
];

fn field_name() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::sample::select(NAMES).prop_map(str::to_owned),
        1 => "[a-z_]{0,6}",
    ]
}

fn arb_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Boolean),
        any::<i32>().prop_map(Value::Int),
        any::<i64>().prop_map(Value::Long),
        any::<f32>().prop_map(Value::Float),
        any::<f64>().prop_map(Value::Double),
        ".{0,8}".prop_map(Value::String),
        vec(any::<u8>(), 0..4).prop_map(Value::Bytes),
        any::<i64>().prop_map(Value::TimestampMillis),
        any::<i64>().prop_map(Value::TimestampMicros),
        (any::<u32>(), "[A-Z_]{0,10}").prop_map(|(i, s)| Value::Enum(i, s)),
        (0u32..12, "[A-Z_]{0,10}").prop_map(|(i, s)| Value::Enum(i, s)),
    ];
    leaf.prop_recursive(5, 96, 8, |inner| {
        prop_oneof![
            (0u32..10, inner.clone()).prop_map(|(i, v)| Value::Union(i, Box::new(v))),
            (any::<u32>(), inner.clone()).prop_map(|(i, v)| Value::Union(i, Box::new(v))),
            vec(inner.clone(), 0..4).prop_map(Value::Array),
            hash_map("[a-z]{0,3}", inner.clone(), 0..4).prop_map(Value::Map),
            vec((field_name(), inner), 0..10).prop_map(Value::Record),
        ]
    })
}

fn arb_topic() -> impl Strategy<Value = InputTopic> {
    proptest::sample::select(InputTopic::all().to_vec())
}

/// A few hundred real event values of every topic.
fn samples() -> &'static [(InputTopic, Value)] {
    static SAMPLES: OnceLock<Vec<(InputTopic, Value)>> = OnceLock::new();
    SAMPLES.get_or_init(|| {
        let cfg = scrm_gen::GenConfig {
            customers: 40,
            days: 2,
            ..scrm_gen::GenConfig::default()
        };
        scrm_gen::Generator::new(cfg)
            .take(400)
            .map(|ev| {
                let topic: InputTopic = ev.topic.base_name().parse().expect("input topic");
                (topic, common::value_of(topic, &ev.json))
            })
            .collect()
    })
}

/// How to get to one node of a value.
#[derive(Debug, Clone)]
enum Step {
    Field(usize),
    Union,
    Item(usize),
    Entry(String),
}

fn node_paths(v: &Value, prefix: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    out.push(prefix.clone());
    let mut visit = |step: Step, child: &Value, prefix: &mut Vec<Step>| {
        prefix.push(step);
        node_paths(child, prefix, out);
        prefix.pop();
    };
    match v {
        Value::Record(fields) => {
            for (i, (_, f)) in fields.iter().enumerate() {
                visit(Step::Field(i), f, prefix);
            }
        }
        Value::Union(_, inner) => visit(Step::Union, inner, prefix),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                visit(Step::Item(i), item, prefix);
            }
        }
        Value::Map(m) => {
            for (k, item) in m {
                visit(Step::Entry(k.clone()), item, prefix);
            }
        }
        _ => {}
    }
}

fn node_mut<'v>(mut v: &'v mut Value, path: &[Step]) -> &'v mut Value {
    for step in path {
        v = match (step, v) {
            (Step::Field(i), Value::Record(fields)) => &mut fields[*i].1,
            (Step::Union, Value::Union(_, inner)) => inner,
            (Step::Item(i), Value::Array(items)) => &mut items[*i],
            (Step::Entry(k), Value::Map(m)) => m.get_mut(k).expect("entry"),
            _ => unreachable!("paths come from the same value"),
        };
    }
    v
}

#[derive(Debug, Clone)]
enum Mutation {
    Replace(Value),
    RemoveField(usize),
    Relabel(u32),
    Rename(usize, String),
}

fn arb_mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        arb_value().prop_map(Mutation::Replace),
        any::<usize>().prop_map(Mutation::RemoveField),
        prop_oneof![0u32..10, any::<u32>()].prop_map(Mutation::Relabel),
        (any::<usize>(), field_name()).prop_map(|(i, n)| Mutation::Rename(i, n)),
    ]
}

fn apply(node: &mut Value, mutation: Mutation) {
    match (mutation, node) {
        (Mutation::RemoveField(i), Value::Record(fields)) if !fields.is_empty() => {
            let i = i % fields.len();
            fields.remove(i);
        }
        (Mutation::Rename(i, name), Value::Record(fields)) if !fields.is_empty() => {
            let i = i % fields.len();
            fields[i].0 = name;
        }
        (Mutation::Relabel(index), Value::Union(i, _) | Value::Enum(i, _)) => *i = index,
        (Mutation::Replace(new), node) => *node = new,
        (_, node) => *node = Value::Null,
    }
}

fn check(topic: InputTopic, value: &Value) {
    match Event::from_avro(topic, value) {
        Ok(event) => {
            assert!(!event.event_id.is_empty() && !event.customer.is_empty());
            assert!(scrm_events::Payload::KINDS.contains(&event.kind()));
            assert_eq!(event.topic(), topic);
        }
        Err(e) => {
            let text = e.to_string();
            assert!(text.contains(": "), "{text}");
            assert!(!e.path().to_string().is_empty());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_values_never_panic(topic in arb_topic(), value in arb_value()) {
        check(topic, &value);
    }

    #[test]
    fn arbitrary_payloads_never_panic(topic in arb_topic(), payload in arb_value(), index in 0usize..400) {
        let samples = samples();
        let mut value = samples[index % samples.len()].1.clone();
        *common::at_path(&mut value, &["payload"]) = payload;
        check(topic, &value);
    }

    #[test]
    fn damaged_events_never_panic(
        index in 0usize..400,
        node in any::<usize>(),
        mutation in arb_mutation(),
        other_topic in any::<bool>(),
        topic in arb_topic(),
    ) {
        let samples = samples();
        let (own_topic, good) = &samples[index % samples.len()];
        let mut value = good.clone();
        let mut paths = Vec::new();
        node_paths(&value, &mut Vec::new(), &mut paths);
        let path = &paths[node % paths.len()];
        apply(node_mut(&mut value, path), mutation);
        check(if other_topic { topic } else { *own_topic }, &value);
    }
}
