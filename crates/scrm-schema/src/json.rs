//! JSON ↔ Avro values, guided by the schema: how `scrm produce` reads JSON lines and
//! `scrm tail` prints records.
//!
//! The mapping (docs/schemas.md has examples):
//! - a union of several records is an object with one key, the branch's short or full name
//!   (`{"TextContent": {"body": "hi"}}`), as in Avro's own JSON encoding;
//! - a nullable field (`["null", T]`) is the plain value or `null`, and may be left out when
//!   its default is null;
//! - `timestamp-millis` is an RFC 3339 string (`2026-11-21T14:00:00.000Z`); epoch
//!   milliseconds are accepted on input;
//! - `bytes` is base64; enums are their symbol.
//!
//! Errors carry the dotted path of the field at fault.

use std::collections::HashMap;

use apache_avro::schema::{Name, Schema, UnionSchema};
use apache_avro::types::Value;
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value as Json};

use crate::FieldError;

/// Named types of one schema, so that references (`"type": "PaymentMethod"`) resolve.
#[derive(Debug)]
pub struct Names<'s> {
    by_name: HashMap<Name, &'s Schema>,
}

impl<'s> Names<'s> {
    pub fn of(schema: &'s Schema) -> Names<'s> {
        let by_name = apache_avro::schema::ResolvedSchema::try_from(schema)
            .map(|r| r.get_names().iter().map(|(n, s)| (n.clone(), *s)).collect())
            .unwrap_or_default();
        Names { by_name }
    }

    fn deref<'a>(&'a self, schema: &'a Schema) -> &'a Schema {
        match schema {
            Schema::Ref { name } => self.by_name.get(name).copied().unwrap_or(schema),
            other => other,
        }
    }
}

/// Converts a JSON value to an Avro value of `schema`.
pub fn json_to_avro(schema: &Schema, names: &Names<'_>, json: &Json) -> Result<Value, FieldError> {
    to_avro(names.deref(schema), names, json, &mut String::new())
}

/// Converts an Avro value of `schema` to JSON (the inverse of [`json_to_avro`]).
pub fn avro_to_json(schema: &Schema, names: &Names<'_>, value: &Value) -> Json {
    to_json(names.deref(schema), names, value)
}

fn type_name(json: &Json) -> &'static str {
    match json {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    }
}

fn expected(path: &str, what: &str, json: &Json) -> FieldError {
    FieldError::new(path, format!("expected {what}, found {}", type_name(json)))
}

fn with_segment<T>(path: &mut String, segment: &str, f: impl FnOnce(&mut String) -> T) -> T {
    let len = path.len();
    if !path.is_empty() && !segment.starts_with('[') {
        path.push('.');
    }
    path.push_str(segment);
    let out = f(path);
    path.truncate(len);
    out
}

fn to_avro(
    schema: &Schema,
    names: &Names<'_>,
    json: &Json,
    path: &mut String,
) -> Result<Value, FieldError> {
    let schema = names.deref(schema);
    match (schema, json) {
        (Schema::Null, Json::Null) => Ok(Value::Null),
        (Schema::Boolean, Json::Bool(b)) => Ok(Value::Boolean(*b)),
        (Schema::Int, Json::Number(n)) => n
            .as_i64()
            .and_then(|v| i32::try_from(v).ok())
            .map(Value::Int)
            .ok_or_else(|| FieldError::new(path, format!("expected a 32-bit integer, found {n}"))),
        (Schema::Long, Json::Number(n)) => n
            .as_i64()
            .map(Value::Long)
            .ok_or_else(|| FieldError::new(path, format!("expected an integer, found {n}"))),
        (Schema::Float, Json::Number(n)) => Ok(Value::Float(n.as_f64().unwrap_or(f64::NAN) as f32)),
        (Schema::Double, Json::Number(n)) => Ok(Value::Double(n.as_f64().unwrap_or(f64::NAN))),
        (Schema::String, Json::String(s)) => Ok(Value::String(s.clone())),
        (Schema::Bytes, Json::String(s)) => BASE64
            .decode(s)
            .map(Value::Bytes)
            .map_err(|e| FieldError::new(path, format!("expected base64 bytes: {e}"))),
        (Schema::TimestampMillis, Json::Number(n)) => {
            n.as_i64().map(Value::TimestampMillis).ok_or_else(|| {
                FieldError::new(path, format!("expected epoch milliseconds, found {n}"))
            })
        }
        (Schema::TimestampMillis, Json::String(s)) => DateTime::parse_from_rfc3339(s)
            .map(|t| Value::TimestampMillis(t.timestamp_millis()))
            .map_err(|e| {
                FieldError::new(
                    path,
                    format!("`{s}` is not an RFC 3339 time like 2026-11-21T14:00:00Z ({e})"),
                )
            }),
        (Schema::TimestampMillis, other) => Err(expected(
            path,
            "a timestamp (RFC 3339 string or epoch milliseconds)",
            other,
        )),
        (Schema::Enum(e), Json::String(s)) => match e.symbols.iter().position(|sym| sym == s) {
            Some(i) => Ok(Value::Enum(i as u32, s.clone())),
            None => Err(FieldError::new(
                path,
                format!("`{s}` is not one of {}", e.symbols.join(", ")),
            )),
        },
        (Schema::Array(a), Json::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                with_segment(path, &format!("[{i}]"), |p| {
                    to_avro(&a.items, names, item, p)
                })
            })
            .collect::<Result<_, _>>()
            .map(Value::Array),
        (Schema::Map(m), Json::Object(obj)) => obj
            .iter()
            .map(|(k, v)| {
                with_segment(path, k, |p| {
                    Ok((k.clone(), to_avro(&m.types, names, v, p)?))
                })
            })
            .collect::<Result<_, _>>()
            .map(Value::Map),
        (Schema::Union(u), _) => union_to_avro(u, names, json, path),
        (Schema::Record(r), Json::Object(obj)) => {
            if let Some(unknown) = obj.keys().find(|k| !r.lookup.contains_key(*k)) {
                let known: Vec<_> = r.fields.iter().map(|f| f.name.as_str()).collect();
                return Err(with_segment(path, unknown, |p| {
                    FieldError::new(
                        p,
                        format!("unknown field; {} has: {}", r.name.name(), known.join(", ")),
                    )
                }));
            }
            let mut fields = Vec::with_capacity(r.fields.len());
            for field in &r.fields {
                let value = with_segment(path, &field.name, |p| {
                    match (obj.get(&field.name), &field.default) {
                        (Some(v), _) => to_avro(&field.schema, names, v, p),
                        (None, Some(default)) => to_avro(&field.schema, names, default, p),
                        (None, None) => Err(FieldError::new(p, "missing required field")),
                    }
                })?;
                fields.push((field.name.clone(), value));
            }
            Ok(Value::Record(fields))
        }
        (Schema::Null, other) => Err(expected(path, "null", other)),
        (Schema::Boolean, other) => Err(expected(path, "a boolean", other)),
        (Schema::Int | Schema::Long | Schema::Float | Schema::Double, other) => {
            Err(expected(path, "a number", other))
        }
        (Schema::String | Schema::Enum(_), other) => Err(expected(path, "a string", other)),
        (Schema::Bytes, other) => Err(expected(path, "a base64 string", other)),
        (Schema::Array(_), other) => Err(expected(path, "an array", other)),
        (Schema::Map(_) | Schema::Record(_), other) => Err(expected(path, "an object", other)),
        (other, _) => Err(FieldError::new(
            path,
            format!("schema type {other:?} is not supported in JSON"),
        )),
    }
}

/// The name a union branch is known by in JSON: short name for named types, the type for
/// the rest.
fn branch_names(schema: &Schema) -> (String, Option<String>) {
    match schema.name() {
        Some(n) => (n.name().to_owned(), Some(n.fullname(None))),
        None => (format!("{schema:?}").to_lowercase(), None),
    }
}

fn union_to_avro(
    u: &UnionSchema,
    names: &Names<'_>,
    json: &Json,
    path: &mut String,
) -> Result<Value, FieldError> {
    let variants = u.variants();
    let null_index = variants.iter().position(|s| matches!(s, Schema::Null));
    if json.is_null() {
        return match null_index {
            Some(i) => Ok(Value::Union(i as u32, Box::new(Value::Null))),
            None => Err(FieldError::new(path, "must not be null")),
        };
    }
    let non_null: Vec<usize> = (0..variants.len())
        .filter(|i| Some(*i) != null_index)
        .collect();
    if let (Some(_), [only]) = (null_index, &non_null[..]) {
        let only = *only;
        // A nullable field: the plain value.
        return to_avro(&variants[only], names, json, path)
            .map(|v| Value::Union(only as u32, Box::new(v)));
    }
    let choices = || {
        non_null
            .iter()
            .map(|&i| branch_names(names.deref(&variants[i])).0)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let Json::Object(obj) = json else {
        return Err(FieldError::new(
            path,
            format!(
                "expected an object with one key naming the branch ({}), found {}",
                choices(),
                type_name(json)
            ),
        ));
    };
    let mut entries = obj.iter();
    let (Some((key, inner)), None) = (entries.next(), entries.next()) else {
        return Err(FieldError::new(
            path,
            format!(
                "expected exactly one key naming the branch ({}), found {} keys",
                choices(),
                obj.len()
            ),
        ));
    };
    let index = non_null.iter().copied().find(|&i| {
        let (short, full) = branch_names(names.deref(&variants[i]));
        &short == key || full.as_deref() == Some(key.as_str())
    });
    match index {
        Some(i) => with_segment(path, key, |p| to_avro(&variants[i], names, inner, p))
            .map(|v| Value::Union(i as u32, Box::new(v))),
        None => Err(FieldError::new(
            path,
            format!(
                "`{key}` is not a branch of this union; expected one of {}",
                choices()
            ),
        )),
    }
}

/// RFC 3339 with milliseconds, in UTC: the one time format scrm prints.
pub fn format_millis(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(SecondsFormat::Millis, true))
        .unwrap_or_else(|| ms.to_string())
}

fn to_json(schema: &Schema, names: &Names<'_>, value: &Value) -> Json {
    let schema = names.deref(schema);
    match (schema, value) {
        (_, Value::Null) => Json::Null,
        (_, Value::Boolean(b)) => Json::Bool(*b),
        (_, Value::Int(i)) => Json::from(*i),
        (_, Value::Long(l)) => Json::from(*l),
        (_, Value::Float(f)) => Json::from(*f as f64),
        (_, Value::Double(d)) => Json::from(*d),
        (_, Value::String(s)) => Json::String(s.clone()),
        (_, Value::Bytes(b)) => Json::String(BASE64.encode(b)),
        (_, Value::Enum(_, sym)) => Json::String(sym.clone()),
        (_, Value::TimestampMillis(ms)) => Json::String(format_millis(*ms)),
        (Schema::Array(a), Value::Array(items)) => {
            Json::Array(items.iter().map(|v| to_json(&a.items, names, v)).collect())
        }
        (Schema::Map(m), Value::Map(entries)) => {
            let mut keys: Vec<_> = entries.keys().collect();
            keys.sort();
            Json::Object(
                keys.into_iter()
                    .map(|k| (k.clone(), to_json(&m.types, names, &entries[k])))
                    .collect(),
            )
        }
        (Schema::Union(u), Value::Union(i, inner)) => {
            let variants = u.variants();
            let Some(branch) = variants.get(*i as usize) else {
                return Json::Null;
            };
            let nullable =
                variants.len() == 2 && variants.iter().any(|s| matches!(s, Schema::Null));
            let inner_json = to_json(branch, names, inner);
            if nullable || inner_json.is_null() {
                inner_json
            } else {
                let mut obj = Map::new();
                obj.insert(branch_names(names.deref(branch)).0, inner_json);
                Json::Object(obj)
            }
        }
        (Schema::Record(r), Value::Record(fields)) => Json::Object(
            r.fields
                .iter()
                .zip(fields)
                .map(|(f, (name, v))| (name.clone(), to_json(&f.schema, names, v)))
                .collect(),
        ),
        (_, other) => Json::String(format!("{other:?}")),
    }
}
