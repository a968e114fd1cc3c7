//! scrm composed. Each component owns its section of the configuration file
//! (`scrm_log::LogConfig`, `scrm_processor::ProcessorConfig`, `scrm_whatsapp::WhatsappConfig`,
//! ...); this crate puts them together and builds the services from the result, so the
//! binary only parses arguments and reports.
//!
//! - [`config`]: the whole file, read as file → `SCRM_*` environment → secret files →
//!   command-line flags, validated once.
//! - [`app`]: [`App`], the configuration made usable: codec, log, topics, doors.
//! - [`processor`]: the processor with its state store, pack, encoder and metrics.
//! - [`edge`]: the WhatsApp gateway's routes, the Cloud API client, the sender and the
//!   media fetcher.
//! - [`service`]: a running service (`process`, `serve`, `gateway`, `sender`): its runtime,
//!   HTTP API, workers, readiness and a shutdown that stops all of it.

pub mod app;
pub mod config;
mod crm;
pub mod edge;
pub mod processor;
pub mod service;

use std::path::PathBuf;

pub use app::App;
pub use config::{Config, Overrides};
pub use processor::BuiltProcessor;
pub use scrm_crm::SinkKind;
pub use scrm_log::Access;
pub use scrm_processor::RunMode;
pub use service::{Service, ServiceKind};

/// Why a service could not be built or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Config(#[from] scrm_config::ConfigError),
    #[error("{what}: {source}")]
    Log {
        what: String,
        #[source]
        source: Box<scrm_log::LogError>,
    },
    #[error(
        "refusing to use topics whose settings would lose or misplace data:\n  {}\nFix the topics (or the configured partitions) and run again.",
        .0.join("\n  ")
    )]
    Topics(Vec<String>),
    #[error(transparent)]
    Codec(Box<scrm_schema::CodecError>),
    #[error("{0} carries scrm's internal state, not an Avro schema")]
    NotAvro(scrm_schema::TopicKind),
    #[error("schema {0} missing from this build")]
    MissingSchema(&'static str),
    #[error(transparent)]
    Pack(Box<scrm_rules::pack::PackError>),
    #[error("opening {what} in {}: {source}", dir.display())]
    Open {
        what: &'static str,
        dir: PathBuf,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("{what} (ledger in {}): {source}", dir.display())]
    Worker {
        what: &'static str,
        dir: PathBuf,
        #[source]
        source: Box<scrm_sink::SinkError>,
    },
    #[error(transparent)]
    CloudApi(Box<scrm_whatsapp_cloudapi::ConfigError>),
    #[error(transparent)]
    Webhook(Box<scrm_crm::webhook::WebhookError>),
    #[error(transparent)]
    Hubspot(Box<scrm_crm::hubspot::HubspotError>),
    /// The service cannot run as configured; the message says what to set.
    #[error("{0}")]
    NotConfigured(String),
    #[error("listening on {addr}: {source}")]
    Listen {
        addr: std::net::SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("starting a thread or the runtime: {0}")]
    Thread(#[source] std::io::Error),
    #[error("processor: {0}")]
    Processor(Box<scrm_processor::ProcessError>),
    #[error("the {0} panicked")]
    Panicked(&'static str),
}

/// Large errors are kept boxed so every `Result` of this crate stays small.
macro_rules! boxed_from {
    ($($error:ty => $variant:ident),* $(,)?) => {$(
        impl From<$error> for AppError {
            fn from(e: $error) -> Self {
                AppError::$variant(Box::new(e))
            }
        }
    )*};
}

boxed_from! {
    scrm_schema::CodecError => Codec,
    scrm_rules::pack::PackError => Pack,
    scrm_processor::ProcessError => Processor,
    scrm_crm::webhook::WebhookError => Webhook,
    scrm_crm::hubspot::HubspotError => Hubspot,
    scrm_whatsapp_cloudapi::ConfigError => CloudApi,
}
