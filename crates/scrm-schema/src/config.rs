//! `[schema]`: the wire format of records, and the codec it makes.

use std::path::PathBuf;
use std::time::Duration;

use scrm_config::{ConfigError, Env, Secret, Section};
use serde::{Deserialize, Serialize};

use crate::registry::{RegistryClient, RegistryConfig};
use crate::{Catalog, Codec, CodecError};

/// Wire format of records.
#[derive(Debug, Clone, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct SchemaConfig {
    /// Confluent schema registry URL. Empty (default): Avro single-object encoding, no
    /// registry. Env: `SCRM_SCHEMA_REGISTRY_URL`.
    pub registry_url: String,
    /// Registry user name (default none). Env: `SCRM_SCHEMA_REGISTRY_USERNAME`.
    pub registry_username: Option<String>,
    /// File holding the registry password. Env `SCRM_SCHEMA_REGISTRY_PASSWORD` takes
    /// precedence.
    pub registry_password_file: Option<PathBuf>,
    #[serde(skip)]
    registry_password: Option<Secret>,
}

impl Section for SchemaConfig {
    const NAME: &'static str = "schema";

    fn apply_env(&mut self, env: &Env) -> Result<(), ConfigError> {
        env.set("SCRM_SCHEMA_REGISTRY_URL", &mut self.registry_url);
        if let Some(user) = env.get("SCRM_SCHEMA_REGISTRY_USERNAME") {
            self.registry_username = Some(user);
        }
        self.registry_password = env.secret(
            "SCRM_SCHEMA_REGISTRY_PASSWORD",
            "schema.registry_password_file",
            self.registry_password_file.as_deref(),
        )?;
        Ok(())
    }
}

impl SchemaConfig {
    /// The registry password, if one is configured.
    pub fn registry_password(&self) -> Option<&Secret> {
        self.registry_password.as_ref()
    }

    /// The codec this configuration names: single-object framing, or the Confluent framing
    /// with the configured registry.
    pub fn codec(&self) -> Result<Codec, CodecError> {
        let registry = if self.registry_url.is_empty() {
            None
        } else {
            Some(RegistryClient::new(RegistryConfig {
                url: self.registry_url.clone(),
                username: self.registry_username.clone(),
                password: self.registry_password.clone(),
                timeout: Duration::from_secs(10),
            })?)
        };
        Ok(Codec::new(Catalog::embedded(), registry))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_comes_from_env_or_file_and_never_prints() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pw");
        std::fs::write(&file, "s3cret\n").unwrap();
        let mut c = SchemaConfig {
            registry_password_file: Some(file),
            ..SchemaConfig::default()
        };
        c.apply_env(&Env::from_pairs(&[])).unwrap();
        assert_eq!(c.registry_password().map(Secret::expose), Some("s3cret"));
        c.apply_env(&Env::from_pairs(&[(
            "SCRM_SCHEMA_REGISTRY_PASSWORD",
            "fromenv",
        )]))
        .unwrap();
        assert_eq!(c.registry_password().map(Secret::expose), Some("fromenv"));
        assert!(!format!("{c:?}").contains("fromenv"));
    }
}
