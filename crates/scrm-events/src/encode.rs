//! Building `apache_avro::types::Value`s of the output schemas, in exactly the form the
//! decoder in `decode` reads and `scrm_schema::Codec` writes: records with their fields in
//! schema order, `["null", T]` as a union (index 0 for null), `timestamp-millis` as
//! `TimestampMillis`, enums with their index and symbol, maps from sorted maps (the codec
//! writes map entries sorted, so the bytes do not depend on `HashMap` order).

use std::collections::BTreeMap;

use apache_avro::types::Value;

use crate::decode::AvroEnum;

/// A record value; `fields` in schema order.
pub(crate) fn record<const N: usize>(fields: [(&'static str, Value); N]) -> Value {
    Value::Record(
        fields
            .into_iter()
            .map(|(name, value)| (name.to_owned(), value))
            .collect(),
    )
}

pub(crate) fn string(s: &str) -> Value {
    Value::String(s.to_owned())
}

pub(crate) fn timestamp(ms: i64) -> Value {
    Value::TimestampMillis(ms)
}

pub(crate) fn enumeration<E: AvroEnum>(symbol: E) -> Value {
    Value::Enum(symbol.index(), symbol.avro_symbol().to_owned())
}

/// `["null", T]`.
pub(crate) fn nullable<T>(value: Option<T>, encode: impl FnOnce(T) -> Value) -> Value {
    match value {
        None => Value::Union(0, Box::new(Value::Null)),
        Some(v) => Value::Union(1, Box::new(encode(v))),
    }
}

pub(crate) fn opt_string(value: &Option<String>) -> Value {
    nullable(value.as_deref(), string)
}

/// Branch `index` of a union.
pub(crate) fn branch(index: u32, value: Value) -> Value {
    Value::Union(index, Box::new(value))
}

pub(crate) fn array<T>(items: &[T], encode: impl FnMut(&T) -> Value) -> Value {
    Value::Array(items.iter().map(encode).collect())
}

pub(crate) fn strings(items: &[String]) -> Value {
    array(items, |s| string(s))
}

pub(crate) fn map<T>(entries: &BTreeMap<String, T>, mut encode: impl FnMut(&T) -> Value) -> Value {
    Value::Map(
        entries
            .iter()
            .map(|(k, v)| (k.clone(), encode(v)))
            .collect(),
    )
}
