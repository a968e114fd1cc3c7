//! The dead letter of input scrm refuses at its edge: a line of `scrm produce`, a webhook
//! body the gateway cannot map. The original bytes are kept exactly as received, the reason
//! is in the record and in the `scrm.error.*` headers (so a consumer can route without
//! decoding), and the id is a hash of the bytes, so the same input refused twice gives the
//! same dead letter.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use scrm_log::Record;

use crate::ingest::{Ingest, Rejection};

/// What was refused, by whom and why.
#[derive(Debug, Clone, Copy)]
pub struct Refused<'a> {
    /// The component that refused it (`scrm produce`, `gateway`).
    pub source: &'a str,
    /// The topic it was meant for, if any.
    pub topic: Option<&'a str>,
    /// `DECODE`, `VALIDATION` or `OTHER` (the dead-letter schema's `ErrorKind`).
    pub kind: &'a str,
    /// The error, naming the field at fault.
    pub reason: &'a str,
    /// The bytes exactly as received.
    pub bytes: &'a [u8],
    /// When it was refused, UTC milliseconds.
    pub at_ms: i64,
}

/// The dead-letter record of `refused`, built with `dlq` (an [`Ingest`] of the dead-letter
/// topic).
pub fn dead_letter(dlq: &Ingest, refused: &Refused<'_>) -> Result<Record, Rejection> {
    let json = serde_json::json!({
        "dead_letter_id": format!(
            "{}:{}:{:016x}",
            refused.source,
            refused.topic.unwrap_or("-"),
            stable_id(refused.bytes)
        ),
        "failed_at": refused.at_ms,
        "source": refused.source,
        "error_kind": refused.kind,
        "error": refused.reason,
        "original_topic": refused.topic,
        "original_value": BASE64.encode(refused.bytes),
    });
    Ok(dlq
        .json(&json)?
        .with_header("scrm.error.kind", refused.kind)
        .with_header("scrm.error.reason", refused.reason)
        .with_header("scrm.error.source", refused.source))
}

/// A stable 64-bit id of some bytes (FNV-1a): the same bytes always give the same id.
pub fn stable_id(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}
