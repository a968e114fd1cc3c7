//! The WhatsApp edge of scrm: what comes in from WhatsApp and what goes out to it.
//!
//! - [`gateway`]: the webhook HTTP routes. Signed posts from the Cloud API are mapped to
//!   conversation events (by `scrm-webhook`), deduplicated against Meta's retries
//!   ([`gateway::seen`]) and answered 200 only once durably in the log, appended through
//!   the group-commit [`appender`].
//! - [`sender`]: follows the automation triggers, judges each again against the
//!   customer's current state, sends it through the Cloud API (`scrm-cloudapi`) within
//!   the number's throughput limit, handles Meta's error codes and records each result as
//!   a conversation event.
//! - [`media`]: copies inbound media through the Graph API, re-encoding images over 5 MB.
//! - [`follow`] and [`ledger`]: how the sender and the media fetcher read a topic and keep
//!   what they did (offsets, finished ids, waiting work, events owed to the log) in one
//!   atomic local write per step, so a crash neither loses nor repeats anything.
//! - [`metrics`]: their Prometheus families.
//!
//! The pure parts (webhook mapping, signature, error classification, the recheck) live in
//! `scrm-webhook`, `scrm-cloudapi` and `scrm-rules`; this crate is the I/O around them.

pub mod appender;
pub mod follow;
pub mod gateway;
pub mod ledger;
pub mod media;
pub mod metrics;
pub mod sender;

pub use appender::Appender;
pub use follow::WorkerError;
pub use gateway::{Gateway, GatewayOptions};
pub use ledger::Ledger;
pub use media::{MediaFetcher, MediaParts};
pub use metrics::Metrics;
pub use sender::{CustomerStates, HttpStates, Sender, SenderOptions, SenderParts};
