//! The WhatsApp edge of scrm, without the I/O: what a gateway needs to accept a WhatsApp
//! Cloud API webhook and turn it into scrm events. It answers Meta's subscription
//! handshake, checks the `X-Hub-Signature-256` of each POST, and maps the raw body to
//! `scrm.conversation.ConversationEvent` records, as the JSON `scrm produce` takes
//! (`{"event_id", "customer", "occurred_at", "source": "whatsapp-webhook", "payload":
//! {"InboundMessage": {...}}}`). Someone else owns the HTTP server, Kafka and retries; every
//! function here is pure, synchronous and total: no input makes it panic.
//!
//! How the modules fit, in the order a POST meets them:
//! - [`handshake`]: [`verify_subscription`] answers the `GET ?hub.mode=subscribe` Meta sends
//!   when the webhook URL is saved;
//! - [`signature`]: [`verify_signature`] checks the HMAC-SHA256 of the raw body against the
//!   app secret before anything reads it; [`sign`] makes the header for tests;
//! - `parse` ([`parse`]) walks `entry[].changes[]` and hands each change to the module of
//!   its field: `messages` (inbound messages, with `contacts` to match senders to profile
//!   names and BSUIDs, and `content` for the body of each WhatsApp message type, `money`
//!   for order prices in minor units), `statuses` (delivery statuses of outbound
//!   messages) and `capability` (`business_capability_update`, the messaging limit);
//! - [`times`]: [`check_times`] refuses a body whose times are not believed (a
//!   millisecond timestamp where Meta sends seconds, a clock far ahead), naming the path;
//! - `read` has the accessors that read untrusted JSON and fail with a [`ParseError`]
//!   naming the path at fault (`entry[0].changes[1].value.messages[0].timestamp`);
//! - [`fixtures`] holds realistic bodies of every kind, for tests here and in other crates.
//!
//! ```
//! use scrm_whatsapp_webhook::{fixtures, parse, sign, verify_signature};
//!
//! let body = fixtures::get("text").unwrap_or_default().as_bytes();
//! let header = sign(b"app-secret", body); // what Meta sends as X-Hub-Signature-256
//! verify_signature(b"app-secret", Some(&header), body)?;
//! let parsed = parse(body, 1_780_041_601_000)?;
//! assert_eq!(parsed.events[0].customer, "+85291234567");
//! assert_eq!(parsed.events[0].event_id, parsed.events[0].json["event_id"]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![forbid(unsafe_code)]
#![warn(unreachable_pub, missing_debug_implementations, missing_docs)]

mod capability;
mod contacts;
mod content;
pub mod fixtures;
pub mod handshake;
mod messages;
mod money;
mod parse;
mod read;
pub mod signature;
mod statuses;
pub mod times;

pub use handshake::{verify_subscription, HandshakeError, MAX_CHALLENGE_LEN};
pub use money::minor_digits;
pub use parse::{parse, Mapped, MappedKind, Parsed, BUSINESS_KEY, MAX_EVENTS, SOURCE};
pub use read::ParseError;
pub use signature::{sign, verify_signature, SignatureError, SIGNATURE_HEADER};
pub use times::check_times;
