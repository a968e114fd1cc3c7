//! scrm's configuration: one TOML file (`--config`, default none) overlaid by `SCRM_*`
//! environment variables, then by the few non-secret command-line flags. Every field is
//! documented here; docs/configuration.md is the reference generated from these comments.
//!
//! Secrets (registry password, SASL password) are read from the environment or from a
//! file named in the config, never from the command line, and `Debug` never prints them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use thiserror::Error;

/// A secret value (a token, a password, an app secret): the one secret type of scrm.
/// `Debug` and `Display` print `***`, so it never reaches a log line; [`Secret::expose`] is
/// the one way to read it. It deserializes from a plain string and deliberately does not
/// serialize.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself, for the header or handshake that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

impl std::fmt::Display for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Secret)
    }
}

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// toml's message names the line and column.
    #[error("config file {path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("environment variable {name}={value:?}: {reason}")]
    Env {
        name: String,
        value: String,
        reason: String,
    },
    #[error("cannot read secret file {path} (named by {field}): {source}")]
    SecretFile {
        field: String,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("config: {0}")]
    Invalid(String),
}

/// The whole configuration.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub log: LogConfig,
    pub identity: IdentityConfig,
    pub schema: SchemaConfig,
    pub processor: ProcessorConfig,
    pub api: ApiConfig,
    pub whatsapp: WhatsappConfig,
    /// The event times believed from outside, by every door (`scrm produce`, `scrm demo`,
    /// the webhook gateway) and again by the processor: `occurred_at` at most
    /// `max_ahead_ms` ahead of the wall clock (default 10 minutes; env
    /// `SCRM_MAX_AHEAD_MS`), not before `earliest_ms` (default 2009-01-01). A door refuses
    /// a record outside with the reason; the processor sends one to the dead-letter topic
    /// (kind `TIME`) without moving stream time, so one producer's bad clock or unit
    /// mistake cannot expire a partition's customers or fire its timers early.
    pub time_bounds: scrm_time::TimeBounds,
}

/// The WhatsApp edge: the webhook gateway, the Cloud API sender and the media fetcher.
/// Secrets (verify token, app secret, access token) come from the environment or from
/// files, never from this file or the command line.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WhatsappConfig {
    /// The webhook's path on the API server.
    pub webhook_path: String,
    /// Webhook bodies larger than this are refused (413).
    pub body_limit_bytes: usize,
    /// Days the gateway remembers event ids to drop Meta's retries.
    pub dedup_days: u64,
    /// File with the webhook verify token. Env `SCRM_WHATSAPP_VERIFY_TOKEN` first.
    pub verify_token_file: Option<PathBuf>,
    /// File with the Meta app secret the webhooks are signed with. Env
    /// `SCRM_WHATSAPP_APP_SECRET` first.
    pub app_secret_file: Option<PathBuf>,
    /// Graph API base URL. Env `SCRM_GRAPH_URL`.
    pub graph_url: String,
    /// Backup base URL the sender switches to after 3 slow probes of the primary.
    pub backup_graph_url: Option<String>,
    /// Graph API version.
    pub api_version: String,
    /// The business number's phone-number id. Env `SCRM_WHATSAPP_PHONE_NUMBER_ID`.
    pub phone_number_id: String,
    /// File with the Cloud API access token. Env `SCRM_WHATSAPP_ACCESS_TOKEN` first.
    pub access_token_file: Option<PathBuf>,
    /// Messages per second to the business number's Cloud API (Meta's default is 80).
    pub messages_per_second: u32,
    /// A probe slower than this counts as slow for the endpoint health.
    pub slow_probe_ms: u64,
    /// Seconds between probes of the primary endpoint.
    pub probe_interval_s: u64,
    /// What an empty template parameter (an unknown first name) is sent as.
    pub empty_parameter: String,
    /// Where media copies are kept; default `<data_dir>/media`.
    pub media_dir: Option<PathBuf>,
    /// For `scrm sender` on its own: the customer API of the running processor
    /// (`http://host:8080`), whose state the sender rechecks triggers against. The bearer
    /// token is the API's (`SCRM_API_TOKEN`).
    pub state_url: Option<String>,
    #[serde(skip)]
    verify_token: Option<Secret>,
    #[serde(skip)]
    app_secret: Option<Secret>,
    #[serde(skip)]
    access_token: Option<Secret>,
}

impl Default for WhatsappConfig {
    fn default() -> Self {
        Self {
            webhook_path: "/webhook".into(),
            body_limit_bytes: 3 << 20,
            dedup_days: 7,
            verify_token_file: None,
            app_secret_file: None,
            graph_url: "https://graph.facebook.com".into(),
            backup_graph_url: None,
            api_version: "v21.0".into(),
            phone_number_id: String::new(),
            access_token_file: None,
            messages_per_second: 80,
            slow_probe_ms: 1500,
            probe_interval_s: 30,
            empty_parameter: "🙂".into(),
            media_dir: None,
            state_url: None,
            verify_token: None,
            app_secret: None,
            access_token: None,
        }
    }
}

impl WhatsappConfig {
    /// The webhook verify token, if configured.
    pub fn verify_token(&self) -> Option<&Secret> {
        self.verify_token.as_ref()
    }

    /// The app secret webhooks are signed with, if configured.
    pub fn app_secret(&self) -> Option<&Secret> {
        self.app_secret.as_ref()
    }

    /// The Cloud API access token, if configured.
    pub fn access_token(&self) -> Option<&Secret> {
        self.access_token.as_ref()
    }

    /// Whether the gateway can run: both webhook secrets are set.
    pub fn gateway_enabled(&self) -> bool {
        self.verify_token.is_some() && self.app_secret.is_some()
    }

    /// Whether the sender can run: a phone-number id and an access token are set.
    pub fn sender_enabled(&self) -> bool {
        !self.phone_number_id.is_empty() && self.access_token.is_some()
    }
}

/// The stateful processor (`scrm process`, `scrm serve`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ProcessorConfig {
    /// Consumer group shared by the processor instances on Kafka. Env: `SCRM_GROUP_ID`.
    pub group_id: String,
    /// Records applied per commit. A commit writes state, offsets and outputs in one
    /// RocksDB batch, then appends the outputs and the changelog.
    pub batch_records: usize,
    /// Longest time a batch stays open before it is committed, ms.
    pub commit_interval_ms: u64,
    /// `live` (default): timers also fire on the wall clock when a partition is idle, and a
    /// record waits at most `grace_ms` for a silent input that might hold an earlier one.
    /// `event`: time is event time only (replays; deterministic).
    pub time: TimeMode,
    /// How late, in ms, a record may arrive on one input relative to the others and still be
    /// applied in event-time order; an idle partition's stream time follows the wall clock
    /// minus this. Env: `SCRM_GRACE_MS`.
    pub grace_ms: i64,
    /// fsync the state store at every commit. Without it, a power loss (not a process
    /// crash) can lose the last commits; outputs are then re-sent with the same ids.
    pub fsync: bool,
    /// Block cache of the state store, MiB: bounds its read memory.
    pub block_cache_mib: usize,
    /// Memtable size per state table, MiB (4 tables, up to `max_write_buffers` each):
    /// bounds its write memory.
    pub write_buffer_mib: usize,
    /// Memtables per state table before writes wait for a flush.
    pub max_write_buffers: i32,
    /// The rule pack (TOML, docs/rules.md); the built-in default pack when unset. Reloaded
    /// on SIGHUP. Env: `SCRM_RULE_PACK`.
    pub rule_pack: Option<PathBuf>,
}

/// How the processor's clock works.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TimeMode {
    Live,
    Event,
}

impl Default for ProcessorConfig {
    fn default() -> Self {
        Self {
            group_id: "scrm-processor".into(),
            batch_records: 2_000,
            commit_interval_ms: 200,
            time: TimeMode::Live,
            grace_ms: 2_000,
            fsync: true,
            block_cache_mib: 64,
            write_buffer_mib: 16,
            max_write_buffers: 2,
            rule_pack: None,
        }
    }
}

/// The HTTP API: `/metrics`, `/healthz`, `/readyz`, `/customers/{key}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ApiConfig {
    /// Listen address. Env: `SCRM_API_LISTEN`.
    pub listen: String,
    /// File holding the bearer token of the customer API. Env `SCRM_API_TOKEN` takes
    /// precedence. Without a token the customer API refuses every request.
    pub token_file: Option<PathBuf>,
    #[serde(skip)]
    token: Option<Secret>,
}

impl Default for ApiConfig {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".into(),
            token_file: None,
            token: None,
        }
    }
}

impl ApiConfig {
    /// The customer API's bearer token, if one is configured.
    pub fn token(&self) -> Option<&str> {
        self.token.as_ref().map(Secret::expose)
    }
}

/// Where events are kept.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    /// Kafka bootstrap servers (`host:port,...`). Empty: the embedded log in `data_dir`.
    /// Env: `SCRM_BROKERS`.
    pub brokers: String,
    /// Folder of the embedded log and of local state. Env: `SCRM_DATA_DIR`.
    pub data_dir: PathBuf,
    /// Prepended to every topic name, e.g. `shop1.`. Env: `SCRM_TOPIC_PREFIX`.
    pub topic_prefix: String,
    /// Partitions of every topic scrm creates; inputs and changelog must match, so change it
    /// only before the first run. Env: `SCRM_PARTITIONS`.
    pub partitions: u32,
    /// Replication factor of topics scrm creates on Kafka; -1 takes the broker default.
    pub replication_factor: i32,
    /// fsync the embedded log's write-ahead log before acknowledging an append.
    pub fsync: bool,
    /// Block cache of the embedded log, MiB. Bounds its read memory.
    pub block_cache_mib: usize,
    /// Memtable size per column family of the embedded log, MiB. Bounds its write memory.
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
        Self {
            brokers: String::new(),
            data_dir: PathBuf::from("./scrm-data"),
            topic_prefix: String::new(),
            partitions: 6,
            replication_factor: -1,
            fsync: true,
            block_cache_mib: 64,
            write_buffer_mib: 32,
            kafka_properties: BTreeMap::new(),
            kafka_sasl_password_file: None,
            kafka_sasl_password: None,
        }
    }
}

impl LogConfig {
    /// The SASL password, if one is configured.
    pub fn kafka_sasl_password(&self) -> Option<&str> {
        self.kafka_sasl_password.as_ref().map(Secret::expose)
    }
}

/// How customer keys are recognised.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct IdentityConfig {
    /// Region of numbers written without a country code (`91234567` in HK is
    /// `+85291234567`). ISO 3166 two-letter code. Env: `SCRM_DEFAULT_REGION`.
    pub default_region: String,
}

impl Default for IdentityConfig {
    fn default() -> Self {
        Self {
            default_region: "HK".into(),
        }
    }
}

/// Wire format of records.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct SchemaConfig {
    /// Confluent schema registry URL. Empty: Avro single-object encoding, no registry.
    /// Env: `SCRM_SCHEMA_REGISTRY_URL`.
    pub registry_url: String,
    /// Registry user name. Env: `SCRM_SCHEMA_REGISTRY_USERNAME`.
    pub registry_username: Option<String>,
    /// File holding the registry password. Env `SCRM_SCHEMA_REGISTRY_PASSWORD` takes
    /// precedence.
    pub registry_password_file: Option<PathBuf>,
    #[serde(skip)]
    registry_password: Option<Secret>,
}

impl SchemaConfig {
    pub fn registry_password(&self) -> Option<&str> {
        self.registry_password.as_ref().map(Secret::expose)
    }
}

impl Config {
    /// Reads `path` if given, then applies the environment.
    pub fn load(path: Option<&Path>) -> Result<Config, ConfigError> {
        let mut config = match path {
            Some(path) => Self::parse_file(path)?,
            None => Config::default(),
        };
        config.apply_env(|name| std::env::var(name).ok())?;
        config.load_secrets(|name| std::env::var(name).ok())?;
        config.validate()?;
        Ok(config)
    }

    pub fn parse_file(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.into(),
            source,
        })?;
        Self::parse_str(&text, path)
    }

    pub fn parse_str(text: &str, path: &Path) -> Result<Config, ConfigError> {
        toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: path.into(),
            message: e.to_string(),
        })
    }

    /// Applies `SCRM_*` variables read through `get` (a parameter so tests need not touch
    /// the process environment).
    pub fn apply_env(&mut self, get: impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        if let Some(v) = get("SCRM_BROKERS") {
            self.log.brokers = v;
        }
        if let Some(v) = get("SCRM_DATA_DIR") {
            self.log.data_dir = v.into();
        }
        if let Some(v) = get("SCRM_TOPIC_PREFIX") {
            self.log.topic_prefix = v;
        }
        if let Some(v) = get("SCRM_PARTITIONS") {
            self.log.partitions = v.parse().map_err(|_| ConfigError::Env {
                name: "SCRM_PARTITIONS".into(),
                value: v.clone(),
                reason: "expected a whole number of partitions".into(),
            })?;
        }
        if let Some(v) = get("SCRM_GROUP_ID") {
            self.processor.group_id = v;
        }
        if let Some(v) = get("SCRM_GRACE_MS") {
            self.processor.grace_ms = v.parse().map_err(|e| ConfigError::Env {
                name: "SCRM_GRACE_MS".into(),
                value: v.clone(),
                reason: format!("{e}"),
            })?;
        }
        if let Some(v) = get("SCRM_MAX_AHEAD_MS") {
            self.time_bounds.max_ahead_ms = v.parse().map_err(|e| ConfigError::Env {
                name: "SCRM_MAX_AHEAD_MS".into(),
                value: v.clone(),
                reason: format!("{e}"),
            })?;
        }
        if let Some(v) = get("SCRM_RULE_PACK") {
            self.processor.rule_pack = Some(v.into());
        }
        if let Some(v) = get("SCRM_API_LISTEN") {
            self.api.listen = v;
        }
        if let Some(v) = get("SCRM_DEFAULT_REGION") {
            self.identity.default_region = v;
        }
        if let Some(v) = get("SCRM_SCHEMA_REGISTRY_URL") {
            self.schema.registry_url = v;
        }
        if let Some(v) = get("SCRM_SCHEMA_REGISTRY_USERNAME") {
            self.schema.registry_username = Some(v);
        }
        if let Some(v) = get("SCRM_GRAPH_URL") {
            self.whatsapp.graph_url = v;
        }
        if let Some(v) = get("SCRM_WHATSAPP_PHONE_NUMBER_ID") {
            self.whatsapp.phone_number_id = v;
        }
        Ok(())
    }

    fn load_secrets(&mut self, get: impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        let read = |field: &str, path: &Option<PathBuf>| -> Result<Option<Secret>, ConfigError> {
            match path {
                Some(p) => std::fs::read_to_string(p)
                    .map(|s| Some(Secret(s.trim_end_matches(['\n', '\r']).to_owned())))
                    .map_err(|source| ConfigError::SecretFile {
                        field: field.into(),
                        path: p.clone(),
                        source,
                    }),
                None => Ok(None),
            }
        };
        self.schema.registry_password = match get("SCRM_SCHEMA_REGISTRY_PASSWORD") {
            Some(v) => Some(Secret(v)),
            None => read(
                "schema.registry_password_file",
                &self.schema.registry_password_file,
            )?,
        };
        self.api.token = match get("SCRM_API_TOKEN") {
            Some(v) => Some(Secret(v)),
            None => read("api.token_file", &self.api.token_file)?,
        };
        let w = &mut self.whatsapp;
        w.verify_token = match get("SCRM_WHATSAPP_VERIFY_TOKEN") {
            Some(v) => Some(Secret(v)),
            None => read("whatsapp.verify_token_file", &w.verify_token_file)?,
        };
        w.app_secret = match get("SCRM_WHATSAPP_APP_SECRET") {
            Some(v) => Some(Secret(v)),
            None => read("whatsapp.app_secret_file", &w.app_secret_file)?,
        };
        w.access_token = match get("SCRM_WHATSAPP_ACCESS_TOKEN") {
            Some(v) => Some(Secret(v)),
            None => read("whatsapp.access_token_file", &w.access_token_file)?,
        };
        self.log.kafka_sasl_password = match get("SCRM_KAFKA_SASL_PASSWORD") {
            Some(v) => Some(Secret(v)),
            None => read(
                "log.kafka_sasl_password_file",
                &self.log.kafka_sasl_password_file,
            )?,
        };
        Ok(())
    }

    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.processor.batch_records == 0 {
            return Err(ConfigError::Invalid(
                "processor.batch_records must be at least 1".into(),
            ));
        }
        if self.processor.grace_ms < 0 {
            return Err(ConfigError::Invalid(
                "processor.grace_ms must not be negative".into(),
            ));
        }
        if self.time_bounds.max_ahead_ms < 0 {
            return Err(ConfigError::Invalid(
                "time_bounds.max_ahead_ms must not be negative".into(),
            ));
        }
        if self.whatsapp.messages_per_second == 0 {
            return Err(ConfigError::Invalid(
                "whatsapp.messages_per_second must be at least 1".into(),
            ));
        }
        if !self.whatsapp.webhook_path.starts_with('/') {
            return Err(ConfigError::Invalid(format!(
                "whatsapp.webhook_path {:?} must start with /",
                self.whatsapp.webhook_path
            )));
        }
        if self.log.partitions == 0 {
            return Err(ConfigError::Invalid(
                "log.partitions must be at least 1".into(),
            ));
        }
        if let Some(key) = self
            .log
            .kafka_properties
            .keys()
            .find(|k| k.contains("password") || k.contains("secret"))
        {
            return Err(ConfigError::Invalid(format!(
                "log.kafka_properties.{key}: secrets don't belong in the config file; use SCRM_KAFKA_SASL_PASSWORD or log.kafka_sasl_password_file"
            )));
        }
        Ok(())
    }

    /// True when events go to Kafka rather than the embedded log.
    pub fn uses_kafka(&self) -> bool {
        !self.log.brokers.trim().is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_embedded_log() {
        let c = Config::parse_str("", Path::new("x.toml")).unwrap();
        assert!(!c.uses_kafka());
        assert_eq!(c.log.partitions, 6);
        assert_eq!(c.identity.default_region, "HK");
    }

    #[test]
    fn unknown_field_names_file_and_line() {
        let err = Config::parse_str(
            "[log]\npartitions = 3\nbrokerz = \"x\"\n",
            Path::new("scrm.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("scrm.toml"), "{err}");
        assert!(err.contains("line 3"), "{err}");
        assert!(err.contains("brokerz"), "{err}");
    }

    #[test]
    fn wrong_type_is_reported() {
        let err = Config::parse_str("[log]\npartitions = \"six\"\n", Path::new("s.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 2"), "{err}");
    }

    #[test]
    fn one_set_of_time_bounds_for_doors_and_processor() {
        let c = Config::parse_str("", Path::new("s.toml")).unwrap();
        assert_eq!(c.time_bounds, scrm_time::TimeBounds::default());
        let mut c = Config::parse_str(
            "[time_bounds]\nmax_ahead_ms = 60000\nearliest_ms = 0\n",
            Path::new("s.toml"),
        )
        .unwrap();
        assert_eq!(c.time_bounds.max_ahead_ms, 60_000);
        assert_eq!(c.time_bounds.earliest_ms, 0);
        c.apply_env(|n| (n == "SCRM_MAX_AHEAD_MS").then(|| "7200000".to_owned()))
            .unwrap();
        assert_eq!(c.time_bounds.max_ahead_ms, 7_200_000);
        c.time_bounds.max_ahead_ms = -1;
        let err = c.validate().unwrap_err().to_string();
        assert!(err.contains("time_bounds.max_ahead_ms"), "{err}");
        let err = Config::parse_str("[time_bounds]\nmax_ahead = 1\n", Path::new("s.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 2") && err.contains("max_ahead"), "{err}");
    }

    #[test]
    fn env_overrides_file_and_bad_env_is_named() {
        let mut c =
            Config::parse_str("[log]\nbrokers = \"a:9092\"\n", Path::new("s.toml")).unwrap();
        c.apply_env(|n| (n == "SCRM_BROKERS").then(|| "b:9092".to_owned()))
            .unwrap();
        assert_eq!(c.log.brokers, "b:9092");
        let err = c
            .apply_env(|n| (n == "SCRM_PARTITIONS").then(|| "many".to_owned()))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("SCRM_PARTITIONS") && err.contains("many"),
            "{err}"
        );
    }

    #[test]
    fn secrets_come_from_env_or_file_and_never_print() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pw");
        std::fs::write(&file, "s3cret\n").unwrap();
        let mut c = Config::default();
        c.schema.registry_password_file = Some(file);
        c.load_secrets(|_| None).unwrap();
        assert_eq!(c.schema.registry_password(), Some("s3cret"));
        c.load_secrets(|n| (n == "SCRM_SCHEMA_REGISTRY_PASSWORD").then(|| "fromenv".to_owned()))
            .unwrap();
        assert_eq!(c.schema.registry_password(), Some("fromenv"));
        assert!(!format!("{c:?}").contains("fromenv"));
    }

    #[test]
    fn secrets_in_kafka_properties_are_refused() {
        let c = Config::parse_str(
            "[log.kafka_properties]\n\"sasl.password\" = \"x\"\n",
            Path::new("s.toml"),
        )
        .unwrap();
        assert!(c
            .validate()
            .unwrap_err()
            .to_string()
            .contains("sasl.password"));
    }
}
