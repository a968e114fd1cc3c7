//! Where the Cloud API is and how to authenticate to it.

use std::time::Duration;

use serde::{Deserialize, Deserializer};
use thiserror::Error;

pub use scrm_config::Secret;

/// Connection settings of one business phone number on the Cloud API.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CloudApiConfig {
    /// Graph API base URL, without the version. Default `https://graph.facebook.com`.
    #[serde(default = "default_base_url")]
    pub base_url: String,
    /// A second base URL (a regional proxy, say) that takes the traffic while the
    /// primary is slow or failing. Default none: traffic stays on the primary.
    #[serde(default)]
    pub backup_url: Option<String>,
    /// Graph API version in request paths. Default `v21.0`.
    #[serde(default = "default_api_version")]
    pub api_version: String,
    /// The business phone number's id (not the number itself). Required.
    pub phone_number_id: String,
    /// System-user access token with `whatsapp_business_messaging`. Required.
    pub access_token: Secret,
    /// Timeout of one HTTP request, connect to last byte. Default 10 s (`timeout_ms`).
    #[serde(
        default = "default_timeout",
        rename = "timeout_ms",
        deserialize_with = "millis"
    )]
    pub timeout: Duration,
    /// Largest media download accepted, in bytes. Default 100 MB, WhatsApp's largest
    /// document size.
    #[serde(default = "default_max_media_bytes")]
    pub max_media_bytes: u64,
    /// A probe of the primary slower than this counts as a bad probe. Default 1.5 s
    /// (`slow_probe_ms`).
    #[serde(
        default = "default_slow_probe",
        rename = "slow_probe_ms",
        deserialize_with = "millis"
    )]
    pub slow_probe: Duration,
}

/// Default [`CloudApiConfig::max_media_bytes`]: 100 MB.
pub(crate) const DEFAULT_MAX_MEDIA_BYTES: u64 = 100 * 1024 * 1024;

fn default_base_url() -> String {
    "https://graph.facebook.com".to_owned()
}

fn default_api_version() -> String {
    "v21.0".to_owned()
}

fn default_timeout() -> Duration {
    Duration::from_secs(10)
}

fn default_max_media_bytes() -> u64 {
    DEFAULT_MAX_MEDIA_BYTES
}

fn default_slow_probe() -> Duration {
    crate::health::DEFAULT_SLOW_PROBE
}

fn millis<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    u64::deserialize(d).map(Duration::from_millis)
}

/// A configuration the client cannot work with.
#[derive(Debug, Error)]
pub enum ConfigError {
    /// A field has a value that cannot be right.
    #[error("cloud api config: {field} {reason}")]
    Invalid {
        /// The offending field.
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The HTTP client could not be built (TLS setup).
    #[error("cloud api config: cannot build the HTTP client: {0}")]
    Http(#[source] reqwest::Error),
}

impl CloudApiConfig {
    /// A configuration with every default and the two required fields.
    pub fn new(phone_number_id: impl Into<String>, access_token: Secret) -> Self {
        Self {
            base_url: default_base_url(),
            backup_url: None,
            api_version: default_api_version(),
            phone_number_id: phone_number_id.into(),
            access_token,
            timeout: default_timeout(),
            max_media_bytes: default_max_media_bytes(),
            slow_probe: default_slow_probe(),
        }
    }

    /// Checks what would otherwise fail on every request.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Invalid`] naming the first bad field.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |field, reason: &str| ConfigError::Invalid {
            field,
            reason: reason.to_owned(),
        };
        check_url(&self.base_url).map_err(|r| invalid("base_url", r))?;
        if let Some(backup) = &self.backup_url {
            check_url(backup).map_err(|r| invalid("backup_url", r))?;
        }
        // Both go into URL paths verbatim.
        check_segment(&self.api_version).map_err(|r| invalid("api_version", r))?;
        check_segment(&self.phone_number_id).map_err(|r| invalid("phone_number_id", r))?;
        if self.access_token.expose().trim().is_empty() {
            return Err(invalid("access_token", "is empty"));
        }
        if self.timeout.is_zero() {
            return Err(invalid("timeout_ms", "must be positive"));
        }
        Ok(())
    }
}

fn check_url(url: &str) -> Result<(), &'static str> {
    if url.starts_with("https://") || url.starts_with("http://") {
        Ok(())
    } else {
        Err("must start with https:// or http://")
    }
}

/// Whether `s` is usable as one URL path segment as it is.
pub(crate) fn check_segment(s: &str) -> Result<(), &'static str> {
    if s.is_empty() {
        Err("is empty")
    } else if !s
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
    {
        Err("may only hold letters, digits, '.', '_' and '-'")
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_never_prints() {
        let t = Secret::new("EAAG-secret");
        assert_eq!(format!("{t:?} {t}"), "*** ***");
        let c = CloudApiConfig::new("123", t);
        assert!(!format!("{c:?}").contains("secret"));
    }

    #[test]
    fn deserializes_with_defaults() {
        let c: CloudApiConfig =
            serde_json::from_str(r#"{"phone_number_id":"123","access_token":"tok"}"#)
                .expect("valid config");
        assert_eq!(c.base_url, "https://graph.facebook.com");
        assert_eq!(c.api_version, "v21.0");
        assert_eq!(c.timeout, Duration::from_secs(10));
        assert_eq!(c.slow_probe, Duration::from_millis(1500));
        assert_eq!(c.access_token.expose(), "tok");
        c.validate().expect("defaults are valid");
    }

    #[test]
    fn rejects_unknown_fields_and_bad_values() {
        let unknown = serde_json::from_str::<CloudApiConfig>(
            r#"{"phone_number_id":"1","access_token":"t","nope":1}"#,
        );
        assert!(unknown.is_err());
        let mut c = CloudApiConfig::new("12/3", Secret::new("t"));
        assert!(matches!(
            c.validate(),
            Err(ConfigError::Invalid {
                field: "phone_number_id",
                ..
            })
        ));
        c.phone_number_id = "123".into();
        c.base_url = "graph.facebook.com".into();
        assert!(c.validate().is_err());
    }
}
