//! Avro binary encoding with map entries in key order.
//!
//! The Avro specification leaves the order of map entries open; apache-avro follows the
//! iteration order of a `HashMap`, which changes from process to process. scrm promises
//! byte-identical outputs for the same input (output dedup and replays compare bytes), so a
//! value holding a map of two or more entries is written again here, with sorted keys. The
//! value has already been validated against its schema by apache-avro's writer, so this
//! writer only serializes.

use apache_avro::types::Value;

/// Whether `value` holds a map whose entry order apache-avro would leave to chance.
pub(crate) fn has_unordered_map(value: &Value) -> bool {
    match value {
        Value::Map(m) => m.len() > 1 || m.values().any(has_unordered_map),
        Value::Union(_, v) => has_unordered_map(v),
        Value::Array(items) => items.iter().any(has_unordered_map),
        Value::Record(fields) => fields.iter().any(|(_, v)| has_unordered_map(v)),
        _ => false,
    }
}

fn long(n: i64, out: &mut Vec<u8>) {
    let mut z = ((n << 1) ^ (n >> 63)) as u64;
    loop {
        if z < 0x80 {
            out.push(z as u8);
            return;
        }
        out.push((z as u8 & 0x7f) | 0x80);
        z >>= 7;
    }
}

fn bytes(b: &[u8], out: &mut Vec<u8>) {
    long(b.len() as i64, out);
    out.extend_from_slice(b);
}

/// Writes `value` in Avro binary encoding, map entries sorted by key.
pub(crate) fn write(value: &Value, out: &mut Vec<u8>) -> Result<(), String> {
    match value {
        Value::Null => {}
        Value::Boolean(b) => out.push(u8::from(*b)),
        Value::Int(n) | Value::Date(n) | Value::TimeMillis(n) => long(i64::from(*n), out),
        Value::Long(n)
        | Value::TimeMicros(n)
        | Value::TimestampMillis(n)
        | Value::TimestampMicros(n)
        | Value::TimestampNanos(n)
        | Value::LocalTimestampMillis(n)
        | Value::LocalTimestampMicros(n)
        | Value::LocalTimestampNanos(n) => long(*n, out),
        Value::Float(f) => out.extend_from_slice(&f.to_le_bytes()),
        Value::Double(f) => out.extend_from_slice(&f.to_le_bytes()),
        Value::Bytes(b) => bytes(b, out),
        Value::String(s) => bytes(s.as_bytes(), out),
        Value::Uuid(u) => bytes(u.to_string().as_bytes(), out),
        Value::Fixed(_, b) => out.extend_from_slice(b),
        Value::Enum(i, _) => long(i64::from(*i), out),
        Value::Union(i, v) => {
            long(i64::from(*i), out);
            write(v, out)?;
        }
        Value::Array(items) => {
            if !items.is_empty() {
                long(items.len() as i64, out);
                for item in items {
                    write(item, out)?;
                }
            }
            out.push(0);
        }
        Value::Map(entries) => {
            if !entries.is_empty() {
                long(entries.len() as i64, out);
                let mut sorted: Vec<(&String, &Value)> = entries.iter().collect();
                sorted.sort_by(|a, b| a.0.cmp(b.0));
                for (k, v) in sorted {
                    bytes(k.as_bytes(), out);
                    write(v, out)?;
                }
            }
            out.push(0);
        }
        Value::Record(fields) => {
            for (_, v) in fields {
                write(v, out)?;
            }
        }
        other => return Err(format!("cannot write {other:?} canonically")),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    #[test]
    #[allow(deprecated)] // the plain datum functions are the shortest reference here
    fn maps_are_written_in_key_order_and_match_apache_avro_otherwise() {
        let schema = apache_avro::Schema::parse_str(
            r#"{"type":"record","name":"R","fields":[
                {"name":"m","type":{"type":"map","values":["null","string"]}},
                {"name":"a","type":{"type":"array","items":"long"}},
                {"name":"t","type":{"type":"long","logicalType":"timestamp-millis"}}]}"#,
        )
        .unwrap();
        let value = |keys: &[&str]| {
            let m: HashMap<String, Value> = keys
                .iter()
                .map(|k| {
                    (
                        k.to_string(),
                        Value::Union(1, Box::new(Value::String(k.repeat(2)))),
                    )
                })
                .collect();
            Value::Record(vec![
                ("m".into(), Value::Map(m)),
                (
                    "a".into(),
                    Value::Array(vec![Value::Long(-3), Value::Long(300)]),
                ),
                ("t".into(), Value::TimestampMillis(1_780_000_000_000)),
            ])
        };
        let keys = ["zeta", "alpha", "mu", "beta", "omega", "kappa"];
        let mut first = Vec::new();
        write(&value(&keys), &mut first).unwrap();
        for _ in 0..20 {
            let mut again = Vec::new();
            let mut shuffled = keys;
            shuffled.reverse();
            write(&value(&shuffled), &mut again).unwrap();
            assert_eq!(again, first);
        }
        let decoded = apache_avro::from_avro_datum(&schema, &mut first.as_slice(), None).unwrap();
        assert_eq!(decoded, value(&keys));
        // Without a map, the bytes are apache-avro's own.
        let single = value(&["only"]);
        let mut ours = Vec::new();
        write(&single, &mut ours).unwrap();
        assert_eq!(ours, apache_avro::to_avro_datum(&schema, single).unwrap());
    }
}
