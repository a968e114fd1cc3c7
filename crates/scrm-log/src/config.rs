//! `[log]`: where events are kept, and the one way the services open that log.

use std::collections::BTreeMap;
use std::path::PathBuf;

use scrm_config::{ConfigError, Env, Secret, Section};
use serde::{Deserialize, Serialize};

use crate::{EmbeddedLog, EmbeddedOptions, EventLog, KafkaConfig, KafkaLog, LogError};

/// Where events are kept.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    /// Kafka bootstrap servers (`host:port,...`). Empty (default): the embedded log in
    /// `data_dir`. Env: `SCRM_BROKERS`.
    pub brokers: String,
    /// Folder of the embedded log and of local state (default `./scrm-data`). Env:
    /// `SCRM_DATA_DIR`.
    pub data_dir: PathBuf,
    /// Prepended to every topic name, e.g. `shop1.` (default none). Env: `SCRM_TOPIC_PREFIX`.
    pub topic_prefix: String,
    /// Partitions of every topic scrm creates (default 6); inputs and changelog must
    /// match, so change it only before the first run. Env: `SCRM_PARTITIONS`.
    pub partitions: u32,
    /// Replication factor of topics scrm creates on Kafka; -1 (default) takes the broker's.
    pub replication_factor: i32,
    /// fsync the embedded log's write-ahead log before acknowledging an append (default true).
    pub fsync: bool,
    /// Block cache of the embedded log, MiB (default 64). Bounds its read memory.
    pub block_cache_mib: usize,
    /// Memtable size per column family of the embedded log, MiB (default 32). Bounds its
    /// write memory.
    pub write_buffer_mib: usize,
    /// Extra librdkafka properties (`security.protocol`, `sasl.mechanism`, ...). Secrets
    /// don't go here: use `SCRM_KAFKA_SASL_PASSWORD` or `kafka_sasl_password_file`.
    pub kafka_properties: BTreeMap<String, String>,
    /// File holding the SASL password. Env `SCRM_KAFKA_SASL_PASSWORD` takes precedence.
    pub kafka_sasl_password_file: Option<PathBuf>,
    #[serde(skip)]
    kafka_sasl_password: Option<Secret>,
}

impl Default for LogConfig {
    fn default() -> Self {
        let embedded = EmbeddedOptions::default();
        let kafka = KafkaConfig::new("");
        Self {
            brokers: String::new(),
            data_dir: PathBuf::from("./scrm-data"),
            topic_prefix: String::new(),
            partitions: 6,
            replication_factor: kafka.replication_factor,
            fsync: embedded.sync,
            block_cache_mib: embedded.block_cache_bytes >> 20,
            write_buffer_mib: embedded.write_buffer_bytes >> 20,
            kafka_properties: BTreeMap::new(),
            kafka_sasl_password_file: None,
            kafka_sasl_password: None,
        }
    }
}

impl Section for LogConfig {
    const NAME: &'static str = "log";

    fn apply_env(&mut self, env: &Env) -> Result<(), ConfigError> {
        env.set("SCRM_BROKERS", &mut self.brokers);
        env.parse("SCRM_DATA_DIR", &mut self.data_dir)?;
        env.set("SCRM_TOPIC_PREFIX", &mut self.topic_prefix);
        env.parse("SCRM_PARTITIONS", &mut self.partitions)?;
        self.kafka_sasl_password = env.secret(
            "SCRM_KAFKA_SASL_PASSWORD",
            "log.kafka_sasl_password_file",
            self.kafka_sasl_password_file.as_deref(),
        )?;
        Ok(())
    }

    fn validate(&self) -> Result<(), ConfigError> {
        if self.partitions == 0 {
            return Err(ConfigError::invalid("log.partitions", "must be at least 1"));
        }
        if let Some(key) = self
            .kafka_properties
            .keys()
            .find(|k| k.contains("password") || k.contains("secret"))
        {
            return Err(ConfigError::invalid(
                format!("log.kafka_properties.{key}"),
                "is a secret, and secrets don't belong in the config file; use SCRM_KAFKA_SASL_PASSWORD or log.kafka_sasl_password_file",
            ));
        }
        Ok(())
    }
}

/// Whether a command only reads (and may then share an embedded log with a running scrm).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    ReadWrite,
    ReadOnly,
}

impl LogConfig {
    /// True when events go to Kafka rather than the embedded log.
    pub fn uses_kafka(&self) -> bool {
        !self.brokers.trim().is_empty()
    }

    /// The SASL password, if one is configured.
    pub fn kafka_sasl_password(&self) -> Option<&Secret> {
        self.kafka_sasl_password.as_ref()
    }

    /// The librdkafka client settings, the SASL password among its properties.
    pub fn kafka(&self) -> KafkaConfig {
        let mut kafka = KafkaConfig::new(self.brokers.clone());
        kafka.replication_factor = self.replication_factor;
        kafka.properties = self.kafka_properties.clone();
        if let Some(password) = &self.kafka_sasl_password {
            kafka
                .properties
                .insert("sasl.password".into(), password.expose().to_owned());
        }
        kafka
    }

    /// The embedded log's settings.
    pub fn embedded(&self) -> EmbeddedOptions {
        EmbeddedOptions {
            sync: self.fsync,
            block_cache_bytes: self.block_cache_mib << 20,
            write_buffer_bytes: self.write_buffer_mib << 20,
        }
    }

    /// Opens the configured log: Kafka when brokers are set, else the embedded log in
    /// `data_dir`. A reader (`Access::ReadOnly`) beside a running scrm that holds the
    /// embedded log follows its writes read-only instead of failing on the lock.
    pub fn open(&self, access: Access) -> Result<Box<dyn EventLog>, LogError> {
        if self.uses_kafka() {
            return Ok(Box::new(KafkaLog::connect(self.kafka())?));
        }
        match EmbeddedLog::open(&self.data_dir, self.embedded()) {
            Ok(log) => Ok(Box::new(log)),
            Err(LogError::Locked { .. }) if access == Access::ReadOnly => {
                Ok(Box::new(EmbeddedLog::open_secondary(&self.data_dir)?))
            }
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn defaults_are_the_embedded_logs_own() {
        let c: LogConfig = scrm_config::parse_str("", Path::new("s.toml")).unwrap();
        assert!(!c.uses_kafka());
        assert_eq!(c.partitions, 6);
        let (mine, theirs) = (c.embedded(), EmbeddedOptions::default());
        assert_eq!(mine.sync, theirs.sync);
        assert_eq!(mine.block_cache_bytes, theirs.block_cache_bytes);
        assert_eq!(mine.write_buffer_bytes, theirs.write_buffer_bytes);
    }

    #[test]
    fn env_overrides_and_the_password_reaches_librdkafka_only() {
        let mut c: LogConfig =
            scrm_config::parse_str("brokers = \"a:9092\"\n", Path::new("s.toml")).unwrap();
        c.apply_env(&Env::from_pairs(&[
            ("SCRM_BROKERS", "b:9092"),
            ("SCRM_KAFKA_SASL_PASSWORD", "pw"),
        ]))
        .unwrap();
        assert_eq!(c.brokers, "b:9092");
        let kafka = c.kafka();
        assert_eq!(kafka.properties["sasl.password"], "pw");
        assert!(!format!("{c:?}{kafka:?}").contains("\"pw\""));
        let err = c
            .apply_env(&Env::from_pairs(&[("SCRM_PARTITIONS", "many")]))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("SCRM_PARTITIONS") && err.contains("many"),
            "{err}"
        );
    }

    #[test]
    fn secrets_in_kafka_properties_and_zero_partitions_are_refused() {
        let c: LogConfig = scrm_config::parse_str(
            "[kafka_properties]\n\"sasl.password\" = \"x\"\n",
            Path::new("s.toml"),
        )
        .unwrap();
        let err = c.validate().unwrap_err().to_string();
        assert!(err.contains("log.kafka_properties.sasl.password"), "{err}");
        let c = LogConfig {
            partitions: 0,
            ..LogConfig::default()
        };
        assert!(c
            .validate()
            .unwrap_err()
            .to_string()
            .contains("log.partitions"));
    }
}
