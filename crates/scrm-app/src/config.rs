//! The whole configuration file: one table per component, each the component's own
//! [`Section`], read in one order — the file, then `SCRM_*` variables, then the secret
//! files they or the file name, then the few command-line flags — and validated once, when
//! everything is in.

use std::path::{Path, PathBuf};

use scrm_config::{ConfigError, Env, Section};
use scrm_crm::CrmConfig;
use scrm_http::ApiConfig;
use scrm_identity::{IdentityConfig, Region};
use scrm_log::LogConfig;
use scrm_processor::ProcessorConfig;
use scrm_schema::SchemaConfig;
use scrm_time::TimeBounds;
use scrm_whatsapp::WhatsappConfig;
use serde::{Deserialize, Serialize};

/// The whole configuration.
#[derive(Debug, Clone, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub log: LogConfig,
    pub identity: IdentityConfig,
    pub schema: SchemaConfig,
    pub processor: ProcessorConfig,
    pub api: ApiConfig,
    pub whatsapp: WhatsappConfig,
    /// The CRM sinks (docs/crm.md).
    pub crm: CrmConfig,
    /// The event times believed from outside, by every door (`scrm produce`, `scrm demo`,
    /// the webhook gateway) and again by the processor: `occurred_at` at most
    /// `max_ahead_ms` ahead of the wall clock (default 10 minutes; env
    /// `SCRM_MAX_AHEAD_MS`), not before `earliest_ms` (default 2009-01-01). A door refuses
    /// a record outside with the reason; the processor sends one to the dead-letter topic
    /// (kind `TIME`) without moving stream time, so one producer's bad clock or unit
    /// mistake cannot expire a partition's customers or fire its timers early.
    pub time_bounds: TimeBounds,
}

/// The command-line flags that override the file and the environment (none of them a
/// secret).
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub data_dir: Option<PathBuf>,
    pub brokers: Option<String>,
    pub topic_prefix: Option<String>,
    pub partitions: Option<u32>,
    pub region: Option<Region>,
    /// `--rules`: the rule pack, over `processor.rule_pack`.
    pub rule_pack: Option<PathBuf>,
    /// `--listen`: the API's address, over `api.listen`.
    pub listen: Option<std::net::SocketAddr>,
}

impl Config {
    /// Reads `path` if given (else the defaults), applies `env` and then `overrides`, and
    /// validates the result.
    pub fn load(
        path: Option<&Path>,
        env: &Env,
        overrides: &Overrides,
    ) -> Result<Config, ConfigError> {
        let mut config: Config = match path {
            Some(path) => scrm_config::parse_file(path)?,
            None => Config::default(),
        };
        config.apply_env(env)?;
        config.apply(overrides);
        config.validate()?;
        Ok(config)
    }

    /// Every section's `SCRM_*` variables and secrets.
    pub fn apply_env(&mut self, env: &Env) -> Result<(), ConfigError> {
        self.log.apply_env(env)?;
        self.identity.apply_env(env)?;
        self.schema.apply_env(env)?;
        self.processor.apply_env(env)?;
        self.api.apply_env(env)?;
        self.whatsapp.apply_env(env)?;
        self.crm.apply_env(env)?;
        self.time_bounds.apply_env(env)
    }

    /// The command-line flags, last.
    pub fn apply(&mut self, overrides: &Overrides) {
        let o = overrides.clone();
        if let Some(v) = o.data_dir {
            self.log.data_dir = v;
        }
        if let Some(v) = o.brokers {
            self.log.brokers = v;
        }
        if let Some(v) = o.topic_prefix {
            self.log.topic_prefix = v;
        }
        if let Some(v) = o.partitions {
            self.log.partitions = v;
        }
        if let Some(v) = o.region {
            self.identity.default_region = v;
        }
        if let Some(v) = o.rule_pack {
            self.processor.rule_pack = Some(v);
        }
        if let Some(v) = o.listen {
            self.api.listen = v;
        }
    }

    /// Every section's checks, the first failure naming its field.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.log.validate()?;
        self.identity.validate()?;
        self.schema.validate()?;
        self.processor.validate()?;
        self.api.validate()?;
        self.whatsapp.validate()?;
        self.crm.validate()?;
        self.time_bounds.validate()
    }

    /// True when events go to Kafka rather than the embedded log.
    pub fn uses_kafka(&self) -> bool {
        self.log.uses_kafka()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("scrm.toml");
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    #[test]
    fn file_then_env_then_flags() {
        let (_dir, path) =
            file("[log]\npartitions = 3\nbrokers = \"a:9092\"\ntopic_prefix = \"f.\"\n");
        let env = Env::from_pairs(&[("SCRM_BROKERS", "b:9092"), ("SCRM_TOPIC_PREFIX", "e.")]);
        let flags = Overrides {
            topic_prefix: Some("flag.".into()),
            ..Overrides::default()
        };
        let c = Config::load(Some(&path), &env, &flags).unwrap();
        assert_eq!(c.log.partitions, 3, "from the file");
        assert_eq!(c.log.brokers, "b:9092", "the environment over the file");
        assert_eq!(c.log.topic_prefix, "flag.", "the flag over both");
    }

    #[test]
    fn errors_name_the_file_and_line_the_variable_or_the_field() {
        let (_dir, path) = file("[log]\npartitions = 3\nbrokerz = \"x\"\n");
        let err = Config::load(Some(&path), &Env::from_pairs(&[]), &Overrides::default())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("scrm.toml") && err.contains("line 3") && err.contains("brokerz"),
            "{err}"
        );
        let (_dir, path) = file("[procesor]\nbatch_records = 1\n");
        let err = Config::load(Some(&path), &Env::from_pairs(&[]), &Overrides::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 1") && err.contains("procesor"), "{err}");
        let err = Config::load(
            None,
            &Env::from_pairs(&[("SCRM_PARTITIONS", "many")]),
            &Overrides::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("SCRM_PARTITIONS") && err.contains("many"),
            "{err}"
        );
        let flags = Overrides {
            partitions: Some(0),
            ..Overrides::default()
        };
        let err = Config::load(None, &Env::from_pairs(&[]), &flags)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("log.partitions"),
            "a flag is validated too: {err}"
        );
        let err = Config::load(
            None,
            &Env::from_pairs(&[("SCRM_MAX_AHEAD_MS", "-5")]),
            &Overrides::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("time_bounds.max_ahead_ms"), "{err}");
    }

    #[test]
    fn secrets_are_read_once_everything_is_in_and_never_print() {
        let dir = tempfile::tempdir().unwrap();
        let token = dir.path().join("api-token");
        std::fs::write(&token, "from-file\n").unwrap();
        let (_d, path) = file(&format!(
            "[api]\ntoken_file = {:?}\n[whatsapp]\napp_secret_file = {:?}\n",
            token.display().to_string(),
            dir.path().join("missing").display().to_string()
        ));
        let env = Env::from_pairs(&[("SCRM_WHATSAPP_APP_SECRET", "from-env")]);
        let c = Config::load(Some(&path), &env, &Overrides::default()).unwrap();
        assert_eq!(c.api.token().map(|s| s.expose()), Some("from-file"));
        assert_eq!(
            c.whatsapp.app_secret().map(|s| s.expose()),
            Some("from-env"),
            "the variable first: the missing file is not read"
        );
        let shown = format!("{c:?}");
        assert!(
            !shown.contains("from-file") && !shown.contains("from-env"),
            "{shown}"
        );
        let err = Config::load(Some(&path), &Env::from_pairs(&[]), &Overrides::default())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("whatsapp.app_secret_file") && err.contains("missing"),
            "{err}"
        );
    }

    #[test]
    fn one_set_of_time_bounds_for_doors_and_processor() {
        let (_dir, path) = file("[time_bounds]\nmax_ahead_ms = 60000\nearliest_ms = 0\n");
        let c = Config::load(Some(&path), &Env::from_pairs(&[]), &Overrides::default()).unwrap();
        assert_eq!(
            (c.time_bounds.max_ahead_ms, c.time_bounds.earliest_ms),
            (60_000, 0)
        );
        let options = c
            .processor
            .options(c.time_bounds, scrm_processor::RunMode::default());
        assert_eq!(options.time_bounds, c.time_bounds);
    }
}
