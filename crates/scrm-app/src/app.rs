//! [`App`]: the configuration made usable — the codec, the region, the log it names, the
//! topics and the doors (ingests) every service shares.

use std::path::PathBuf;
use std::sync::Arc;

use scrm_identity::Region;
use scrm_ingest::Ingest;
use scrm_log::{Access, EnsureOutcome, EventLog, LogError, TopicSpec};
use scrm_schema::{Cleanup, Codec, KnownSchema, TopicKind};

use crate::{AppError, Config};

/// What every service and command of scrm starts from.
#[derive(Debug)]
pub struct App {
    pub config: Config,
    pub codec: Arc<Codec>,
}

impl App {
    /// The codec the configuration names; the log is opened later, by who needs it.
    pub fn new(config: Config) -> Result<Self, AppError> {
        let codec = Arc::new(config.schema.codec()?);
        Ok(Self { config, codec })
    }

    /// Region of numbers written without a country code.
    pub fn region(&self) -> Region {
        self.config.identity.default_region
    }

    /// Partitions of every topic.
    pub fn partitions(&self) -> u32 {
        self.config.log.partitions
    }

    /// Opens the configured event log.
    pub fn open_log(&self, access: Access) -> Result<Arc<dyn EventLog>, AppError> {
        let log = &self.config.log;
        log.open(access).map(Arc::from).map_err(|source| {
            let what = if log.uses_kafka() {
                format!("connecting to Kafka at {}", log.brokers)
            } else {
                format!("opening the embedded log in {}", log.data_dir.display())
            };
            AppError::Log {
                what,
                source: Box::new(source),
            }
        })
    }

    /// Where the processor's local state lives: `<data_dir>/state`, beside the embedded log.
    pub fn state_dir(&self) -> PathBuf {
        self.config.log.data_dir.join("state")
    }

    /// Where an edge worker keeps its ledger: `<data_dir>/edge/<name>`.
    pub fn edge_dir(&self, name: &str) -> PathBuf {
        self.config.log.data_dir.join("edge").join(name)
    }

    /// An [`Ingest`] of `kind` that refuses event times outside the configured bounds
    /// (`[time_bounds]`), read against the system clock: what every door uses.
    pub fn ingest(&self, kind: TopicKind) -> Result<Ingest, AppError> {
        Ok(Ingest::new(
            self.codec.clone(),
            kind,
            self.value_schema(kind)?,
            self.topic_name(kind),
            self.region(),
        )
        .with_time_bounds(self.config.time_bounds, scrm_time::SystemClock::shared()))
    }

    pub fn topic_name(&self, kind: TopicKind) -> String {
        kind.name(&self.config.log.topic_prefix)
    }

    /// The settings scrm creates `kind`'s topic with.
    pub fn spec(&self, kind: TopicKind) -> TopicSpec {
        let (retention_ms, compact) = match kind.cleanup() {
            Cleanup::Delete { retention_ms } => (Some(retention_ms), false),
            Cleanup::Compact => (None, true),
        };
        TopicSpec {
            name: self.topic_name(kind),
            partitions: self.partitions(),
            retention_ms,
            compact,
        }
    }

    /// Creates the topics or checks them; the error names every topic that can't be used.
    pub fn ensure_topics(
        &self,
        log: &dyn EventLog,
        kinds: &[TopicKind],
    ) -> Result<Vec<(TopicKind, EnsureOutcome)>, AppError> {
        let mut outcomes = Vec::new();
        let mut refused = Vec::new();
        for &kind in kinds {
            match log.ensure_topic(&self.spec(kind)) {
                Ok(outcome) => outcomes.push((kind, outcome)),
                Err(e @ LogError::TopicMismatch { .. }) => refused.push(e.to_string()),
                Err(source) => {
                    return Err(AppError::Log {
                        what: format!("creating topic {}", self.topic_name(kind)),
                        source: Box::new(source),
                    })
                }
            }
        }
        if !refused.is_empty() {
            return Err(AppError::Topics(refused));
        }
        Ok(outcomes)
    }

    /// The current value schema of `kind`'s topic.
    pub fn value_schema(&self, kind: TopicKind) -> Result<&'static KnownSchema, AppError> {
        let name = kind.value_schema().ok_or(AppError::NotAvro(kind))?;
        self.codec
            .catalog()
            .current(name)
            .ok_or(AppError::MissingSchema(name))
    }

    /// Resolves a topic argument: short, base or full name.
    pub fn topic_kind(&self, arg: &str) -> Result<TopicKind, String> {
        if let Some(kind) = TopicKind::from_topic(arg, &self.config.log.topic_prefix) {
            return Ok(kind);
        }
        arg.parse::<TopicKind>().map_err(|e| e.to_string())
    }
}
