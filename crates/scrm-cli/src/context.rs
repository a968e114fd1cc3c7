//! What every subcommand needs: the configuration, the event log it names, the codec.

use std::time::Duration;

use anyhow::Context as _;
use scrm_config::Config;
use scrm_identity::Region;
use scrm_ingest::Ingest;
use scrm_log::{
    EmbeddedLog, EmbeddedOptions, EnsureOutcome, EventLog, KafkaConfig, KafkaLog, LogError,
    TopicSpec,
};
use scrm_schema::registry::{RegistryClient, RegistryConfig};
use scrm_schema::{Cleanup, Codec, KnownSchema, TopicKind};

use crate::cli::Global;

pub(crate) struct Context {
    pub(crate) config: Config,
    pub(crate) region: Region,
    pub(crate) codec: std::sync::Arc<Codec>,
}

/// Whether a command only reads (and may then share an embedded log with a running scrm).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    ReadWrite,
    ReadOnly,
}

/// A codec as the configuration says: single-object framing, or the Confluent framing
/// with the configured registry.
pub(crate) fn make_codec(config: &Config) -> anyhow::Result<Codec> {
    let registry = if config.schema.registry_url.is_empty() {
        None
    } else {
        Some(RegistryClient::new(RegistryConfig {
            url: config.schema.registry_url.clone(),
            username: config.schema.registry_username.clone(),
            password: config.schema.registry_password().map(str::to_owned),
            timeout: Duration::from_secs(10),
        })?)
    };
    Ok(Codec::new(scrm_schema::Catalog::embedded(), registry))
}

impl Context {
    pub(crate) fn new(global: &Global) -> anyhow::Result<Self> {
        let mut config = Config::load(global.config.as_deref())?;
        if let Some(v) = &global.data_dir {
            config.log.data_dir = v.clone();
        }
        if let Some(v) = &global.brokers {
            config.log.brokers = v.clone();
        }
        if let Some(v) = &global.topic_prefix {
            config.log.topic_prefix = v.clone();
        }
        if let Some(v) = global.partitions {
            config.log.partitions = v;
        }
        if let Some(v) = &global.region {
            config.identity.default_region = v.clone();
        }
        config.validate()?;
        let region: Region = config
            .identity
            .default_region
            .parse()
            .map_err(|e| anyhow::anyhow!("identity.default_region: {e}"))?;
        let codec = std::sync::Arc::new(make_codec(&config)?);
        Ok(Self {
            config,
            region,
            codec,
        })
    }

    pub(crate) fn open_log(&self, access: Access) -> anyhow::Result<Box<dyn EventLog>> {
        let log = &self.config.log;
        if self.config.uses_kafka() {
            let mut kafka = KafkaConfig::new(log.brokers.clone());
            kafka.replication_factor = log.replication_factor;
            kafka.properties = log.kafka_properties.clone();
            if let Some(password) = log.kafka_sasl_password() {
                kafka
                    .properties
                    .insert("sasl.password".into(), password.to_owned());
            }
            return Ok(Box::new(KafkaLog::connect(kafka)?));
        }
        let options = EmbeddedOptions {
            sync: log.fsync,
            block_cache_bytes: log.block_cache_mib << 20,
            write_buffer_bytes: log.write_buffer_mib << 20,
        };
        match EmbeddedLog::open(&log.data_dir, options) {
            Ok(l) => Ok(Box::new(l)),
            // Reading beside a running scrm is fine: follow its writes read-only.
            Err(LogError::Locked { .. }) if access == Access::ReadOnly => {
                Ok(Box::new(EmbeddedLog::open_secondary(&log.data_dir)?))
            }
            Err(e) => Err(e)
                .with_context(|| format!("opening the embedded log in {}", log.data_dir.display())),
        }
    }

    /// An [`Ingest`] of `kind` that refuses event times outside the configured bounds
    /// (`[time_bounds]`), read against the system clock: what every door of this binary uses.
    pub(crate) fn ingest(&self, kind: TopicKind) -> anyhow::Result<Ingest> {
        Ok(Ingest::new(
            self.codec.clone(),
            kind,
            self.value_schema(kind)?,
            self.topic_name(kind),
            self.region,
        )
        .with_time_bounds(self.config.time_bounds, scrm_time::SystemClock::shared()))
    }

    pub(crate) fn topic_name(&self, kind: TopicKind) -> String {
        kind.name(&self.config.log.topic_prefix)
    }

    pub(crate) fn spec(&self, kind: TopicKind) -> TopicSpec {
        let (retention_ms, compact) = match kind.cleanup() {
            Cleanup::Delete { retention_ms } => (Some(retention_ms), false),
            Cleanup::Compact => (None, true),
        };
        TopicSpec {
            name: self.topic_name(kind),
            partitions: self.config.log.partitions,
            retention_ms,
            compact,
        }
    }

    /// Creates the topics or checks them; errors name every topic that can't be used.
    pub(crate) fn ensure_topics(
        &self,
        log: &dyn EventLog,
        kinds: &[TopicKind],
    ) -> anyhow::Result<Vec<(TopicKind, EnsureOutcome)>> {
        let mut outcomes = Vec::new();
        let mut refused = Vec::new();
        for &kind in kinds {
            match log.ensure_topic(&self.spec(kind)) {
                Ok(outcome) => outcomes.push((kind, outcome)),
                Err(e @ LogError::TopicMismatch { .. }) => refused.push(e.to_string()),
                Err(e) => return Err(e.into()),
            }
        }
        if !refused.is_empty() {
            anyhow::bail!(
                "refusing to use topics whose settings would lose or misplace data:\n  {}\nFix the topics (or the configured partitions) and run again.",
                refused.join("\n  ")
            );
        }
        Ok(outcomes)
    }

    pub(crate) fn value_schema(&self, kind: TopicKind) -> anyhow::Result<&'static KnownSchema> {
        let name = kind
            .value_schema()
            .with_context(|| format!("{kind} carries scrm's internal state, not an Avro schema"))?;
        self.codec
            .catalog()
            .current(name)
            .with_context(|| format!("schema {name} missing from this build"))
    }

    /// Resolves `--topic` (short, base or full name).
    pub(crate) fn topic_kind(&self, arg: &str) -> anyhow::Result<TopicKind> {
        if let Some(kind) = TopicKind::from_topic(arg, &self.config.log.topic_prefix) {
            return Ok(kind);
        }
        arg.parse::<TopicKind>()
            .map_err(|e| anyhow::anyhow!("--topic: {e}"))
    }
}
