//! Shared by the integration tests: JSON in the "produce JSON" form → Avro value with
//! scrm-schema → (optionally) bytes through the real codec and back → `Event`.

#![allow(dead_code, unreachable_pub)]

use apache_avro::types::Value;
use scrm_events::{Event, EventError, InputTopic};
use scrm_schema::json::{json_to_avro, Names};
use scrm_schema::{Codec, KnownSchema};
use serde_json::Value as Json;

/// 2026-11-02T14:05:00.123Z.
pub const T0: i64 = 1_793_628_300_123;
pub const T0_TEXT: &str = "2026-11-02T14:05:00.123Z";

pub fn schema(topic: InputTopic) -> &'static KnownSchema {
    scrm_schema::Catalog::embedded()
        .current(topic.record_name())
        .expect("current schema of an input topic")
}

/// The Avro value scrm-schema makes of a JSON event.
pub fn value_of(topic: InputTopic, json: &Json) -> Value {
    let schema = schema(topic);
    let names = Names::of(&schema.schema);
    json_to_avro(&schema.schema, &names, json)
        .unwrap_or_else(|e| panic!("test JSON does not fit {}: {e}\n{json:#}", schema.full_name))
}

/// Encodes with the single-object codec and decodes again, as the processor reads it.
pub fn through_codec(codec: &Codec, topic: InputTopic, value: &Value) -> Value {
    let schema = schema(topic);
    let bytes = codec
        .encode(topic.base_name(), schema, value)
        .expect("encode");
    codec.decode(&bytes, schema).expect("decode")
}

/// Decodes a JSON event both from its value and after a trip through the codec; both must
/// agree.
pub fn decode(topic: InputTopic, json: &Json) -> Event {
    let value = value_of(topic, json);
    let direct = Event::from_avro(topic, &value)
        .unwrap_or_else(|e| panic!("decoding failed: {e}\n{json:#}"));
    let codec = Codec::single_object();
    let back = through_codec(&codec, topic, &value);
    let via_codec = Event::from_avro(topic, &back).expect("decoding after the codec");
    assert_eq!(direct, via_codec, "codec round trip changed the event");
    direct
}

/// The error for a JSON event whose value is then damaged by `damage`.
pub fn error_after(topic: InputTopic, json: &Json, damage: impl FnOnce(&mut Value)) -> EventError {
    let mut value = value_of(topic, json);
    damage(&mut value);
    match Event::from_avro(topic, &value) {
        Ok(event) => panic!("damaged value decoded: {event:?}"),
        Err(e) => e,
    }
}

/// The value at a path of field names: each name steps into a record field, unwrapping
/// unions on the way (not the last one).
pub fn at_path<'v>(value: &'v mut Value, path: &[&str]) -> &'v mut Value {
    let mut v = value;
    for name in path {
        v = unwrap_union(v);
        match v {
            Value::Record(fields) => {
                v = &mut fields
                    .iter_mut()
                    .find(|(n, _)| n == name)
                    .unwrap_or_else(|| panic!("no field {name}"))
                    .1;
            }
            other => panic!("not a record at {name}: {other:?}"),
        }
    }
    v
}

/// The fields of the record at `path`, unwrapping a union around it.
pub fn record_at<'v>(value: &'v mut Value, path: &[&str]) -> &'v mut Vec<(String, Value)> {
    match unwrap_union(at_path(value, path)) {
        Value::Record(fields) => fields,
        other => panic!("not a record at {path:?}: {other:?}"),
    }
}

pub fn unwrap_union(value: &mut Value) -> &mut Value {
    match value {
        Value::Union(_, inner) => inner,
        other => other,
    }
}

/// An envelope of `topic` around a one-key payload object.
pub fn envelope(payload: Json) -> Json {
    serde_json::json!({
        "event_id": "ev-1",
        "customer": "+85291234567",
        "occurred_at": T0,
        "source": "test",
        "payload": payload,
    })
}

/// Checks the envelope fields of [`envelope`].
pub fn assert_envelope(event: &Event) {
    assert_eq!(event.event_id, "ev-1");
    assert_eq!(event.customer, "+85291234567");
    assert_eq!(event.occurred_at_ms, T0);
    assert_eq!(event.source, "test");
}
