//! scrm's WhatsApp Cloud API client: everything between "send this message to that
//! customer" and Meta's Graph API, plus a local mock of the API for tests.
//!
//! [`message`] turns an [`OutgoingMessage`] into the exact JSON of
//! `POST /{version}/{phone-number-id}/messages`, refusing what the API would reject
//! (an empty template parameter, an over-long text) before anything is sent.
//! [`CloudClient`] (in `client`) sends it, downloads inbound media and probes the API; it
//! takes the base URL for every call from [`EndpointHealth`] (in `health`), which moves
//! traffic to a backup endpoint while the primary is slow and back once it recovers.
//! Failures come back as [`SendError`] / [`MediaError`] (in `errors`), and
//! [`SendError::class`] says what the caller should do next: fall back to a template,
//! back off, retry later, or stop. The pacing parts are pure and read scrm's one injected
//! clock (`scrm_time::SharedClock`): [`Throttle`] caps messages per second per business number (governor), while
//! [`PairPacing`] and [`Backoff`] (in `pacing`) slow down after Meta's pair-rate and
//! throughput errors. [`fit_image`] (in `media`) re-encodes images that exceed
//! WhatsApp's size limit. [`mock`] is an axum server on `127.0.0.1:0` that implements the
//! subset of the Cloud API scrm uses, validating requests as strictly as Meta does; other
//! crates' tests and benchmarks use it, so it is compiled always.
#![forbid(unsafe_code)]
#![warn(unreachable_pub, missing_debug_implementations, missing_docs)]

mod client;
mod config;
mod errors;
mod health;
mod media;
pub mod message;
pub mod mock;
mod pacing;
mod throttle;

pub use client::{CloudClient, MediaFile, Sent};
pub use config::{CloudApiConfig, ConfigError, Secret};
pub use errors::{classify, ApiError, ErrorClass, MediaError, SendError};
pub use health::{run_prober, EndpointHealth, DEFAULT_SLOW_PROBE, SWITCH_AFTER};
pub use media::{fit_image, Fitted, MAX_IMAGE_BYTES};
pub use message::{MessageBody, OutgoingMessage, ValidationError};
pub use pacing::{Backoff, PairPacing, PAIR_BACKOFF_MAX, PAIR_BACKOFF_START};
pub use throttle::{Throttle, DEFAULT_PER_SECOND};
