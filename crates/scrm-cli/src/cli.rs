//! Command-line arguments. Only non-secret settings have flags; secrets come from the
//! environment or files (see docs/configuration.md).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "scrm",
    version,
    about = "Event-sourced stream processor for WhatsApp social CRM"
)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub(crate) global: Global,
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Args)]
pub(crate) struct Global {
    /// TOML configuration file.
    #[arg(long, global = true, env = "SCRM_CONFIG")]
    pub(crate) config: Option<PathBuf>,
    /// Folder of the embedded log (used when no brokers are configured) [default: ./scrm-data].
    #[arg(long, global = true)]
    pub(crate) data_dir: Option<PathBuf>,
    /// Kafka bootstrap servers; without them scrm uses the embedded log.
    #[arg(long, global = true)]
    pub(crate) brokers: Option<String>,
    /// Prefix of every topic name.
    #[arg(long, global = true)]
    pub(crate) topic_prefix: Option<String>,
    /// Partitions of the topics scrm creates.
    #[arg(long, global = true)]
    pub(crate) partitions: Option<u32>,
    /// Region of phone numbers written without a country code (HK, TW, BR, FR...).
    #[arg(long, global = true)]
    pub(crate) region: Option<scrm_identity::Region>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Create or check the topics.
    Topics {
        #[command(subcommand)]
        action: TopicsAction,
    },
    /// Read JSON lines on stdin and append them as validated Avro records.
    Produce(ProduceArgs),
    /// Print records of a topic as JSON lines.
    Tail(TailArgs),
    /// Generate a realistic stream of customer events and run it through the event log.
    Demo(DemoArgs),
    /// Run the stateful processor: per-customer state, timers, automations, CRM commands.
    Process(ProcessArgs),
    /// Run scrm as one service: the processor, the HTTP API, and the WhatsApp edge (the
    /// webhook gateway, the sender and the media fetcher) when its secrets are configured.
    Serve(ProcessArgs),
    /// Run the WhatsApp webhook gateway (and the media fetcher when a Cloud API token is
    /// configured) with the HTTP API's health and metrics.
    Gateway(EdgeArgs),
    /// Run the WhatsApp sender: automation triggers → Cloud API messages.
    Sender(EdgeArgs),
    /// Run a CRM sink: CRM commands → the outside system (docs/crm.md).
    Sink(SinkArgs),
    /// Print what scrm knows about a customer, as JSON.
    Customer(CustomerArgs),
    /// Check a rule pack, or print the default one.
    Rules {
        #[command(subcommand)]
        action: RulesAction,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum RulesAction {
    /// Load and check a rule pack: every problem with file:line:column; nothing else runs.
    Check {
        /// The rule pack (TOML).
        pack: std::path::PathBuf,
    },
    /// Print the default rule pack, to start your own from.
    Default,
}

#[derive(Debug, Args)]
pub(crate) struct ProcessArgs {
    /// Time is event time only: no wall clock, deterministic (replays, tests). Overrides
    /// `processor.time`.
    #[arg(long)]
    pub(crate) event_time: bool,
    /// Stop once every partition has applied everything in its inputs.
    #[arg(long)]
    pub(crate) exit_when_caught_up: bool,
    /// HTTP API listen address (`/metrics`, `/healthz`, `/readyz`, `/customers/{key}`);
    /// overrides `api.listen`. Port 0 picks a free port, printed on stderr.
    #[arg(long)]
    pub(crate) listen: Option<std::net::SocketAddr>,
    /// Don't serve the HTTP API.
    #[arg(long)]
    pub(crate) no_api: bool,
    /// The rule pack (TOML); overrides `processor.rule_pack`. SIGHUP reloads it.
    #[arg(long)]
    pub(crate) rules: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct EdgeArgs {
    /// HTTP listen address (health, metrics, and the webhook for `gateway`); overrides
    /// `api.listen`. Port 0 picks a free port, printed on stderr.
    #[arg(long)]
    pub(crate) listen: Option<std::net::SocketAddr>,
    /// The rule pack whose policy the sender rechecks triggers with; overrides
    /// `processor.rule_pack`.
    #[arg(long)]
    pub(crate) rules: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct SinkArgs {
    /// Which sink.
    #[arg(long, value_enum)]
    pub(crate) crm: CrmSink,
    /// HTTP listen address (health and metrics); overrides `api.listen`. Port 0 picks a
    /// free port, printed on stderr.
    #[arg(long)]
    pub(crate) listen: Option<std::net::SocketAddr>,
}

/// The CRM sinks `scrm sink --crm` runs.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub(crate) enum CrmSink {
    /// JSON, signed the Standard Webhooks way, to `crm.webhook.url`.
    Webhook,
    /// HubSpot, through a private app (`SCRM_CRM_HUBSPOT_TOKEN`; docs/crm.md).
    Hubspot,
}

#[derive(Debug, Args)]
pub(crate) struct CustomerArgs {
    /// Phone number (any usual notation, spaces too: `9123 4567`; the default region
    /// applies) or BSUID.
    #[arg(required = true, num_args = 1..)]
    pub(crate) key: Vec<String>,
    /// Ask a running scrm over HTTP (e.g. `http://127.0.0.1:8080`) instead of reading the
    /// local state store. The bearer token comes from `SCRM_API_TOKEN` or `api.token_file`.
    #[arg(long)]
    pub(crate) url: Option<String>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum TopicsAction {
    /// Create every topic with its partitions, retention and cleanup policy; refuse topics
    /// whose settings would lose data.
    Create,
    /// Show every topic and whether it matches what scrm needs.
    List,
}

#[derive(Debug, Args)]
pub(crate) struct ProduceArgs {
    /// Topic: `conversation`, `behavior`, `transaction`, `crm-updates` (or any scrm topic,
    /// by short or full name).
    #[arg(long)]
    pub(crate) topic: String,
    /// Print `{"line":N,"partition":P,"offset":O}` on stdout for every record once it is
    /// durable.
    #[arg(long)]
    pub(crate) acks: bool,
    /// Lines per durable batch.
    #[arg(long, default_value_t = 500)]
    pub(crate) batch: usize,
    /// Don't send rejected lines to the dead-letter topic (they are still reported).
    #[arg(long)]
    pub(crate) no_dlq: bool,
    /// Input lines: JSON records, or base64 of records already Avro-encoded
    /// (single-object or Confluent framing).
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub(crate) format: Format,
}

/// How records appear on a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    /// One JSON object per line (docs/schemas.md describes the mapping).
    Json,
    /// Base64 of the record bytes exactly as on the wire.
    AvroBase64,
}

#[derive(Debug, Args)]
pub(crate) struct TailArgs {
    /// Topic, by short or full name.
    #[arg(long)]
    pub(crate) topic: String,
    /// First record time: RFC 3339, a date (2026-11-21), or relative (-7d, -12h, -30m).
    // A relative time starts with `-`: it is a value here, not a flag.
    #[arg(long, allow_hyphen_values = true)]
    pub(crate) from: Option<String>,
    /// Records before this time only (same forms as --from).
    #[arg(long, allow_hyphen_values = true)]
    pub(crate) to: Option<String>,
    /// Only this partition.
    #[arg(long)]
    pub(crate) partition: Option<u32>,
    /// Stop after this many records.
    #[arg(long)]
    pub(crate) max: Option<u64>,
    /// Keep waiting for new records.
    #[arg(long, short = 'f')]
    pub(crate) follow: bool,
    /// Wrap each record with its partition, offset, timestamp and key.
    #[arg(long)]
    pub(crate) meta: bool,
    /// Print records as JSON or as base64 of their bytes.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub(crate) format: Format,
}

#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    /// Number of customers.
    #[arg(long, default_value_t = 2_000)]
    pub(crate) customers: usize,
    /// Days of history.
    #[arg(long, default_value_t = 14)]
    pub(crate) days: u32,
    /// Seed of the generator (same seed, same events).
    #[arg(long, default_value_t = 42)]
    pub(crate) seed: u64,
}
