//! What every producer at scrm's edge (`scrm produce`, the demo, the WhatsApp webhook
//! gateway and sender) does to its input before it reaches the log: JSON (or an Avro record
//! in either framing) is checked against the topic's schema, the customer key is normalized
//! to E.164 or accepted as a BSUID, and the result is one whole record or a [`Rejection`]
//! naming the field at fault. Nothing is half-written.
//!
//! - [`ingest`]: [`Ingest`], JSON or Avro → validated [`scrm_log::Record`], with the
//!   plausibility check of `occurred_at` ([`scrm_time::TimeBounds`]) at the door.
//! - [`dead_letter`]: the dead letter of refused input, with its original bytes and the
//!   reason in the record and in `scrm.error.*` headers.

#![forbid(unsafe_code)]
#![warn(unreachable_pub, missing_debug_implementations)]

pub mod dead_letter;
pub mod ingest;

pub use dead_letter::{dead_letter, stable_id, Refused};
pub use ingest::{Ingest, Rejection, TimeCheck};
