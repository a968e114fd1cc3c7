//! What every part of scrm's configuration is made of, and nothing of any one part: the
//! [`Section`] a component's settings implement (a documented TOML table with
//! `deny_unknown_fields` and its defaults in one place), the [`Env`] its `SCRM_*` variables
//! and secret files are read through, the one [`Secret`] type, and the errors that name the
//! file, line, variable or field at fault.
//!
//! Each component owns its section (`scrm_log::LogConfig`, `scrm_processor::ProcessorConfig`,
//! ...); `scrm-app` composes them into the whole file and wires the services from it.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::de::DeserializeOwned;
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

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
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
    /// A value the types accept but the component cannot use; `field` is its dotted path
    /// in the file (`processor.batch_records`).
    #[error("config: {field} {reason}")]
    Invalid { field: String, reason: String },
}

impl ConfigError {
    /// `field` (`section.key`) is unusable for `reason` ("must be at least 1").
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        ConfigError::Invalid {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

/// One table of the configuration file, owned by the component it configures.
///
/// The struct is the documentation: every field has a doc comment naming its default and
/// its `SCRM_*` variable, `#[serde(deny_unknown_fields, default)]` refuses a misspelt key
/// with its line, and `Default` is the only place the defaults are written (taken from the
/// component's own options where it has them).
pub trait Section: Default + DeserializeOwned {
    /// The table's name in the file (`log`, `processor`), as errors name its fields.
    const NAME: &'static str;

    /// Applies the section's `SCRM_*` variables and reads its secrets (variable first,
    /// then the file the config names).
    fn apply_env(&mut self, env: &Env) -> Result<(), ConfigError> {
        let _ = env;
        Ok(())
    }

    /// Refuses values the types accept but the component cannot use, naming the field.
    fn validate(&self) -> Result<(), ConfigError> {
        Ok(())
    }
}

/// Where `SCRM_*` variables come from: the process environment, or (in tests) a table, so
/// no test has to touch the process's own environment.
pub struct Env {
    get: Lookup,
}

/// How [`Env`] looks a variable up.
type Lookup = Box<dyn Fn(&str) -> Option<String> + Send + Sync>;

impl std::fmt::Debug for Env {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Env")
    }
}

impl Env {
    /// The process environment.
    pub fn process() -> Self {
        Self::from_fn(|name| std::env::var(name).ok())
    }

    /// Variables looked up through `get`.
    pub fn from_fn(get: impl Fn(&str) -> Option<String> + Send + Sync + 'static) -> Self {
        Self { get: Box::new(get) }
    }

    /// Exactly these variables, for tests.
    pub fn from_pairs(pairs: &[(&str, &str)]) -> Self {
        let table: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Self::from_fn(move |name| {
            table
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        })
    }

    /// The variable's value, if set.
    pub fn get(&self, name: &str) -> Option<String> {
        (self.get)(name)
    }

    /// Sets `target` from `name` when the variable is set.
    pub fn set(&self, name: &str, target: &mut String) {
        if let Some(v) = self.get(name) {
            *target = v;
        }
    }

    /// Parses `name` into `target` when the variable is set; a value that does not parse
    /// is an error naming the variable, its value and what was expected.
    pub fn parse<T>(&self, name: &str, target: &mut T) -> Result<(), ConfigError>
    where
        T: FromStr,
        T::Err: std::fmt::Display,
    {
        if let Some(v) = self.get(name) {
            *target = v.parse().map_err(|e: T::Err| ConfigError::Env {
                name: name.into(),
                value: v.clone(),
                reason: e.to_string(),
            })?;
        }
        Ok(())
    }

    /// A secret: the variable `name` when set, else the contents of `file` (the config's
    /// `field`, trailing newline dropped), else none.
    pub fn secret(
        &self,
        name: &str,
        field: &str,
        file: Option<&Path>,
    ) -> Result<Option<Secret>, ConfigError> {
        if let Some(v) = self.get(name) {
            return Ok(Some(Secret(v)));
        }
        let Some(path) = file else {
            return Ok(None);
        };
        std::fs::read_to_string(path)
            .map(|s| Some(Secret(s.trim_end_matches(['\n', '\r']).to_owned())))
            .map_err(|source| ConfigError::SecretFile {
                field: field.into(),
                path: path.into(),
                source,
            })
    }
}

/// Reads a configuration file as `T`; toml's message names the line and column.
pub fn parse_file<T: DeserializeOwned>(path: &Path) -> Result<T, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.into(),
        source,
    })?;
    parse_str(&text, path)
}

/// Parses `text` (read from `path`, which the errors name) as `T`.
pub fn parse_str<T: DeserializeOwned>(text: &str, path: &Path) -> Result<T, ConfigError> {
    toml::from_str(text).map_err(|e| ConfigError::Parse {
        path: path.into(),
        message: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_parse_names_the_variable_and_value() {
        let env = Env::from_pairs(&[("SCRM_N", "many")]);
        let mut n = 6u32;
        let err = env.parse("SCRM_N", &mut n).unwrap_err().to_string();
        assert!(err.contains("SCRM_N") && err.contains("many"), "{err}");
        assert_eq!(n, 6);
        let env = Env::from_pairs(&[("SCRM_N", "3")]);
        env.parse("SCRM_N", &mut n).unwrap();
        assert_eq!(n, 3);
        env.parse("SCRM_UNSET", &mut n).unwrap();
        assert_eq!(n, 3);
    }

    #[test]
    fn secrets_come_from_env_first_then_file_and_never_print() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pw");
        std::fs::write(&file, "s3cret\n").unwrap();
        let none = Env::from_pairs(&[]);
        let from_file = none.secret("SCRM_PW", "x.pw_file", Some(&file)).unwrap();
        assert_eq!(from_file.as_ref().map(Secret::expose), Some("s3cret"));
        let env = Env::from_pairs(&[("SCRM_PW", "fromenv")]);
        let from_env = env.secret("SCRM_PW", "x.pw_file", Some(&file)).unwrap();
        assert_eq!(from_env.as_ref().map(Secret::expose), Some("fromenv"));
        assert_eq!(format!("{from_env:?}"), "Some(***)");
        assert_eq!(none.secret("SCRM_PW", "x.pw_file", None).unwrap(), None);
        let err = none
            .secret("SCRM_PW", "x.pw_file", Some(&dir.path().join("missing")))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("x.pw_file") && err.contains("missing"),
            "{err}"
        );
    }

    #[derive(Debug, Default, Deserialize)]
    #[serde(deny_unknown_fields, default)]
    struct Table {
        partitions: u32,
    }

    #[test]
    fn parse_errors_name_file_line_and_key() {
        let err = parse_str::<Table>("partitions = 3\nbrokerz = 1\n", Path::new("scrm.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("scrm.toml"), "{err}");
        assert!(err.contains("line 2"), "{err}");
        assert!(err.contains("brokerz"), "{err}");
        let err = parse_str::<Table>("partitions = \"six\"\n", Path::new("s.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 1"), "{err}");
    }
}
