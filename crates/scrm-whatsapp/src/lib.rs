//! The WhatsApp edge of scrm: what comes in from WhatsApp and what goes out to it.
//!
//! - [`gateway`]: the webhook HTTP routes. Signed posts from the Cloud API are mapped to
//!   conversation events (by `scrm-whatsapp-webhook`), deduplicated against Meta's retries
//!   ([`gateway::seen`]) and answered 200 only once durably in the log, appended through
//!   the group-commit [`appender`].
//! - [`sender`]: the automation triggers' destination: judges each again against the
//!   customer's current state, sends it through the Cloud API (`scrm-whatsapp-cloudapi`) within
//!   the number's throughput limit, handles Meta's error codes and records each result as
//!   a conversation event.
//! - [`media`]: copies inbound media through the Graph API, re-encoding images over 5 MB.
//! - [`config`]: the `[whatsapp]` section of the configuration file.
//!
//! The sender and the media fetcher are `Destination`s of the delivery worker
//! (`scrm-sink`), which reads their topic, keeps their ledger (offsets, finished ids,
//! waiting work, events owed to the log) in one synced write per batch, and owns their
//! retries, clock and shutdown.
//! - [`metrics`]: the Prometheus families of all of it, the workers' `scrm_sink_*` too.
//!
//! The pure parts (webhook mapping, signature, error classification, the recheck) live in
//! `scrm-whatsapp-webhook`, `scrm-whatsapp-cloudapi` and `scrm-rules`; this crate is the I/O around them.

pub mod appender;
pub mod config;
pub mod gateway;
pub mod media;
pub mod metrics;
pub mod sender;

pub use appender::Appender;
pub use config::WhatsappConfig;
pub use gateway::{Gateway, GatewayOptions};
pub use media::{MediaFetcher, MediaItem, MediaParts};
pub use metrics::Metrics;
pub use scrm_sink::{SinkError, Worker};
pub use sender::{CustomerStates, HttpStates, Sender, SenderOptions, SenderParts};
