//! Reading untrusted JSON: typed accessors that never panic and that fail with a
//! [`ParseError`] naming the JSON path at fault
//! (`entry[0].changes[1].value.messages[0].timestamp`).
//!
//! The path is a chain of [`Path`] links on the stack, one per level of the walk, rendered
//! to a string only when an error is built: a good body allocates nothing for it. A JSON
//! `null` counts as absent everywhere, as Meta leaves optional fields out or sets them null
//! depending on the product.

use std::fmt;

use serde_json::{Map, Value};
use thiserror::Error;

/// A webhook body that could not be mapped, with the JSON path at fault.
///
/// `path` is empty when the body as a whole is at fault (not JSON). Displays as
/// `{path}: {reason}`, with `body` standing in for an empty path, e.g.
/// `entry[0].changes[0].value.messages[0].id: missing`.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{}: {reason}", if .path.is_empty() { "body" } else { .path.as_str() })]
pub struct ParseError {
    /// Where in the body: keys joined with `.`, array indexes as `[i]`; empty for the
    /// whole body.
    pub path: String,
    /// What is wrong there.
    pub reason: String,
}

impl ParseError {
    pub(crate) fn at(path: &Path<'_>, reason: impl Into<String>) -> ParseError {
        ParseError {
            path: path.to_string(),
            reason: reason.into(),
        }
    }
}

/// The result type of the readers.
pub(crate) type Read<T> = Result<T, ParseError>;

/// One step of the walk from the root of the body.
#[derive(Debug, Clone, Copy)]
enum Segment<'a> {
    Root,
    Key(&'a str),
    Index(usize),
}

/// Where a value sits in the body, as a chain of links back to the root.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Path<'a> {
    parent: Option<&'a Path<'a>>,
    segment: Segment<'a>,
}

impl<'a> Path<'a> {
    /// The body itself.
    pub(crate) const ROOT: Path<'static> = Path {
        parent: None,
        segment: Segment::Root,
    };

    /// The member `key` of the object at this path.
    pub(crate) fn key(&'a self, key: &'a str) -> Path<'a> {
        Path {
            parent: Some(self),
            segment: Segment::Key(key),
        }
    }

    /// The element `index` of the array at this path.
    pub(crate) fn index(&'a self, index: usize) -> Path<'a> {
        Path {
            parent: Some(self),
            segment: Segment::Index(index),
        }
    }
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut segments = Vec::new();
        let mut link = Some(self);
        while let Some(p) = link {
            segments.push(p.segment);
            link = p.parent;
        }
        let mut first = true;
        for segment in segments.iter().rev() {
            match segment {
                Segment::Root => continue,
                Segment::Key(k) if first => f.write_str(k)?,
                Segment::Key(k) => write!(f, ".{k}")?,
                Segment::Index(i) => write!(f, "[{i}]")?,
            }
            first = false;
        }
        Ok(())
    }
}

/// "a string", "an object"...: the JSON type of a value, for "expected X, found Y".
pub(crate) fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn expected(path: &Path<'_>, what: &str, found: &Value) -> ParseError {
    ParseError::at(path, format!("expected {what}, found {}", type_name(found)))
}

/// The member `key`, `None` when absent or null.
pub(crate) fn member<'v>(obj: &'v Map<String, Value>, key: &str) -> Option<&'v Value> {
    obj.get(key).filter(|v| !v.is_null())
}

/// The value as an object.
pub(crate) fn as_object<'v>(value: &'v Value, path: &Path<'_>) -> Read<&'v Map<String, Value>> {
    value
        .as_object()
        .ok_or_else(|| expected(path, "an object", value))
}

/// The value as an array.
pub(crate) fn as_array<'v>(value: &'v Value, path: &Path<'_>) -> Read<&'v [Value]> {
    value
        .as_array()
        .map(Vec::as_slice)
        .ok_or_else(|| expected(path, "an array", value))
}

/// The value as a string.
pub(crate) fn as_str<'v>(value: &'v Value, path: &Path<'_>) -> Read<&'v str> {
    value
        .as_str()
        .ok_or_else(|| expected(path, "a string", value))
}

fn required<'v>(obj: &'v Map<String, Value>, key: &str, path: &Path<'_>) -> Read<&'v Value> {
    member(obj, key).ok_or_else(|| ParseError::at(&path.key(key), "missing"))
}

/// The object member `key` of `obj` (at `path`), which must be present.
pub(crate) fn req_object<'v>(
    obj: &'v Map<String, Value>,
    key: &str,
    path: &Path<'_>,
) -> Read<&'v Map<String, Value>> {
    as_object(required(obj, key, path)?, &path.key(key))
}

/// The object member `key`, `None` when absent.
pub(crate) fn opt_object<'v>(
    obj: &'v Map<String, Value>,
    key: &str,
    path: &Path<'_>,
) -> Read<Option<&'v Map<String, Value>>> {
    member(obj, key)
        .map(|v| as_object(v, &path.key(key)))
        .transpose()
}

/// The array member `key`, which must be present.
pub(crate) fn req_array<'v>(
    obj: &'v Map<String, Value>,
    key: &str,
    path: &Path<'_>,
) -> Read<&'v [Value]> {
    as_array(required(obj, key, path)?, &path.key(key))
}

/// The array member `key`, empty when absent.
pub(crate) fn opt_array<'v>(
    obj: &'v Map<String, Value>,
    key: &str,
    path: &Path<'_>,
) -> Read<&'v [Value]> {
    member(obj, key).map_or(Ok(&[]), |v| as_array(v, &path.key(key)))
}

/// The string member `key`, which must be present.
pub(crate) fn req_str<'v>(
    obj: &'v Map<String, Value>,
    key: &str,
    path: &Path<'_>,
) -> Read<&'v str> {
    as_str(required(obj, key, path)?, &path.key(key))
}

/// The string member `key`, which must be present and not empty (ids and keys).
pub(crate) fn req_id<'v>(obj: &'v Map<String, Value>, key: &str, path: &Path<'_>) -> Read<&'v str> {
    let s = req_str(obj, key, path)?;
    if s.is_empty() {
        return Err(ParseError::at(&path.key(key), "must not be empty"));
    }
    Ok(s)
}

/// The string member `key`, `None` when absent.
pub(crate) fn opt_str<'v>(
    obj: &'v Map<String, Value>,
    key: &str,
    path: &Path<'_>,
) -> Read<Option<&'v str>> {
    member(obj, key)
        .map(|v| as_str(v, &path.key(key)))
        .transpose()
}

/// The string member `key`, `None` when absent or empty (identifiers Meta may blank out).
pub(crate) fn opt_nonempty_str<'v>(
    obj: &'v Map<String, Value>,
    key: &str,
    path: &Path<'_>,
) -> Read<Option<&'v str>> {
    Ok(opt_str(obj, key, path)?.filter(|s| !s.is_empty()))
}

/// A whole number given as a JSON integer or as a string of decimal digits (Meta writes
/// timestamps and some limits as strings).
pub(crate) fn integer(value: &Value, path: &Path<'_>) -> Read<i64> {
    match value {
        Value::Number(n) => n
            .as_i64()
            .ok_or_else(|| ParseError::at(path, format!("expected a whole number, found {n}"))),
        Value::String(s) => s.trim().parse::<i64>().map_err(|_| {
            ParseError::at(
                path,
                format!("expected a whole number, found the string {:?}", clip(s)),
            )
        }),
        other => Err(expected(path, "a whole number", other)),
    }
}

/// A whole number that fits an Avro `int`.
pub(crate) fn int32(value: &Value, path: &Path<'_>) -> Read<i32> {
    let n = integer(value, path)?;
    i32::try_from(n).map_err(|_| ParseError::at(path, format!("{n} is out of the 32-bit range")))
}

/// A Unix time in seconds (string or number) as UTC milliseconds.
pub(crate) fn seconds_to_millis(value: &Value, path: &Path<'_>) -> Read<i64> {
    let seconds = integer(value, path)?;
    seconds
        .checked_mul(1000)
        .ok_or_else(|| ParseError::at(path, format!("{seconds} seconds is out of range")))
}

/// The member `key` as Unix seconds, which must be present; returns (seconds, millis).
pub(crate) fn req_seconds(
    obj: &Map<String, Value>,
    key: &str,
    path: &Path<'_>,
) -> Read<(i64, i64)> {
    let value = required(obj, key, path)?;
    let at = path.key(key);
    Ok((integer(value, &at)?, seconds_to_millis(value, &at)?))
}

/// A string cut to 64 characters, for quoting input in error messages.
pub(crate) fn clip(s: &str) -> String {
    let mut out: String = s.chars().take(64).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn paths_render_like_json_pointers_in_dotted_form() {
        let root = Path::ROOT;
        assert_eq!(root.to_string(), "");
        let entry = root.key("entry");
        let first = entry.index(0);
        let changes = first.key("changes");
        let second = changes.index(1);
        let value = second.key("value");
        assert_eq!(value.to_string(), "entry[0].changes[1].value");
    }

    #[test]
    fn errors_name_the_member() {
        let obj = json!({"id": 7, "timestamp": "17x", "empty": "", "null": null});
        let obj = obj.as_object().cloned().unwrap_or_default();
        let root = Path::ROOT;
        let at = root.key("messages");
        let at = at.index(0);
        let err = req_str(&obj, "id", &at).err();
        assert_eq!(
            err.map(|e| e.to_string()).as_deref(),
            Some("messages[0].id: expected a string, found a number")
        );
        let err = req_seconds(&obj, "timestamp", &at).err();
        assert_eq!(
            err.map(|e| e.reason).as_deref(),
            Some("expected a whole number, found the string \"17x\"")
        );
        assert!(req_id(&obj, "empty", &at).is_err());
        assert_eq!(opt_str(&obj, "null", &at), Ok(None));
        assert_eq!(
            req_str(&obj, "null", &at)
                .err()
                .map(|e| e.to_string())
                .as_deref(),
            Some("messages[0].null: missing")
        );
    }

    #[test]
    fn integers_come_as_numbers_or_strings_and_overflow_is_an_error() {
        let root = Path::ROOT;
        assert_eq!(integer(&json!(1_780_000_000), &root), Ok(1_780_000_000));
        assert_eq!(integer(&json!(" 1780000000 "), &root), Ok(1_780_000_000));
        assert!(integer(&json!(1.5), &root).is_err());
        assert!(int32(&json!(1_i64 << 40), &root).is_err());
        assert!(seconds_to_millis(&json!(i64::MAX), &root).is_err());
        assert_eq!(
            ParseError::at(&root, "expected value at line 1 column 1").to_string(),
            "body: expected value at line 1 column 1"
        );
    }
}
