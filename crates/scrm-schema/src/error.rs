use thiserror::Error;

/// A value that does not fit its schema, located by a dotted path such as
/// `payload.OrderPlaced.lines[1].quantity`.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("field `{path}`: {message}")]
pub struct FieldError {
    /// Where in the record, `.`-separated, with `[i]` for array items.
    pub path: String,
    /// What is wrong, in plain words.
    pub message: String,
}

impl FieldError {
    pub(crate) fn new(path: &str, message: impl Into<String>) -> Self {
        Self {
            path: if path.is_empty() {
                "(record)".to_owned()
            } else {
                path.to_owned()
            },
            message: message.into(),
        }
    }
}

/// Everything that can go wrong turning bytes into values and back.
///
/// `is_user_error` separates bad input (goes to the dead-letter topic) from failures of
/// scrm or its surroundings (retried or reported).
#[derive(Debug, Error)]
pub enum CodecError {
    #[error("record is empty (0 bytes)")]
    Empty,
    #[error(
        "unknown wire format: first bytes {found} are neither Avro single-object (C3 01) nor Confluent (00)"
    )]
    UnknownMagic { found: String },
    #[error("record is truncated: {what} needs {needed} bytes, only {available} present")]
    Truncated {
        what: &'static str,
        needed: usize,
        available: usize,
    },
    #[error("unknown schema fingerprint {fingerprint:#018x}: no known release of any scrm schema has it")]
    UnknownFingerprint { fingerprint: u64 },
    #[error("record was written with schema {writer} and cannot be read as {reader}: {reason}")]
    Incompatible {
        writer: String,
        reader: String,
        reason: String,
    },
    #[error("record body does not match its schema {schema}: {reason}")]
    Malformed { schema: String, reason: String },
    #[error(transparent)]
    Field(#[from] FieldError),
    #[error("cannot encode value as {schema}: {reason}")]
    Encode { schema: String, reason: String },
    #[error("record uses Confluent schema id {id} but no schema registry is configured")]
    NoRegistry { id: u32 },
    #[error("schema registry {url}: {reason}")]
    Registry {
        url: String,
        reason: String,
        retriable: bool,
    },
}

impl CodecError {
    /// True when the record itself is at fault (dead-letter it), false when scrm or the
    /// registry is (retry, or stop and report).
    pub fn is_user_error(&self) -> bool {
        !matches!(
            self,
            CodecError::Registry { .. } | CodecError::Encode { .. }
        )
    }
}
