//! `[crm]`: the CRM sinks. Each sink is off until its address and secret are configured;
//! secrets come from the environment or from files, never from this file or the command
//! line.

use std::num::NonZeroU32;
use std::path::PathBuf;
use std::time::Duration;

use base64::Engine as _;
use scrm_config::{ConfigError, Env, Secret, Section};
use serde::{Deserialize, Serialize};

use crate::mapping::FieldMapping;
use crate::SinkKind;

/// The CRM sinks.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct CrmConfig {
    /// `[crm.webhook]`: JSON for any other system, signed the Standard Webhooks way.
    pub webhook: WebhookConfig,
}

/// The signed webhook sink.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct WebhookConfig {
    /// Where the webhooks are posted (`https://crm.example.com/hooks/scrm`). Env
    /// `SCRM_CRM_WEBHOOK_URL`. Unset: the sink is off.
    pub url: Option<String>,
    /// File with the signing secret, `whsec_` and the base64 of 24 to 64 random bytes
    /// (the Standard Webhooks form). Env `SCRM_CRM_WEBHOOK_SECRET` first.
    pub secret_file: Option<PathBuf>,
    /// A request unanswered after this many milliseconds counts as a transport failure
    /// and is retried (default 10 000).
    pub timeout_ms: u64,
    /// Requests in flight at once (default 8).
    pub concurrency: usize,
    /// Requests per second at most; unset: as fast as the receiver answers.
    pub requests_per_second: Option<NonZeroU32>,
    /// Commands handed to the sink at once (default 100).
    pub max_batch: usize,
    /// How contact fields are named and filled for this receiver.
    pub mapping: FieldMapping,
    #[serde(skip)]
    secret: Option<Secret>,
}

impl Default for WebhookConfig {
    fn default() -> Self {
        WebhookConfig {
            url: None,
            secret_file: None,
            timeout_ms: 10_000,
            concurrency: 8,
            requests_per_second: None,
            max_batch: 100,
            mapping: FieldMapping::default(),
            secret: None,
        }
    }
}

impl Section for CrmConfig {
    const NAME: &'static str = "crm";

    fn apply_env(&mut self, env: &Env) -> Result<(), ConfigError> {
        let w = &mut self.webhook;
        if let Some(url) = env.get("SCRM_CRM_WEBHOOK_URL") {
            w.url = Some(url);
        }
        w.secret = env.secret(
            "SCRM_CRM_WEBHOOK_SECRET",
            "crm.webhook.secret_file",
            w.secret_file.as_deref(),
        )?;
        Ok(())
    }

    fn validate(&self) -> Result<(), ConfigError> {
        self.webhook.validate()
    }
}

impl CrmConfig {
    /// Whether the `kind` sink's settings are complete.
    pub fn enabled(&self, kind: SinkKind) -> bool {
        match kind {
            SinkKind::Webhook => self.webhook.enabled(),
        }
    }

    /// Commands handed to the `kind` sink at once.
    pub fn max_batch(&self, kind: SinkKind) -> usize {
        match kind {
            SinkKind::Webhook => self.webhook.max_batch,
        }
    }
}

impl WebhookConfig {
    /// The signing secret, if configured.
    pub fn secret(&self) -> Option<&Secret> {
        self.secret.as_ref()
    }

    /// Sets the signing secret (tests; a service reads it through [`Section::apply_env`]).
    pub fn with_secret(mut self, secret: Secret) -> Self {
        self.secret = Some(secret);
        self
    }

    /// Whether the sink runs: an address is configured (validation then requires the
    /// secret).
    pub fn enabled(&self) -> bool {
        self.url.is_some()
    }

    pub fn timeout(&self) -> Duration {
        Duration::from_millis(self.timeout_ms)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |field: &str, reason: String| {
            Err(ConfigError::invalid(format!("crm.webhook.{field}"), reason))
        };
        if let Err(reason) = self.mapping.check() {
            return invalid("mapping", reason);
        }
        for (field, value) in [
            ("timeout_ms", self.timeout_ms),
            ("concurrency", self.concurrency as u64),
            ("max_batch", self.max_batch as u64),
        ] {
            if value == 0 {
                return invalid(field, "must be at least 1".into());
            }
        }
        let Some(url) = &self.url else {
            return Ok(());
        };
        match reqwest::Url::parse(url) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.has_host() => {}
            Ok(_) => return invalid("url", format!("{url:?} is not an http(s) address")),
            Err(e) => return invalid("url", format!("{url:?}: {e}")),
        }
        let Some(secret) = &self.secret else {
            return invalid(
                "secret_file",
                "crm.webhook.url is set but there is no signing secret: set SCRM_CRM_WEBHOOK_SECRET or crm.webhook.secret_file".into(),
            );
        };
        check_secret(secret.expose()).or_else(|reason| invalid("secret_file", reason))
    }
}

/// A Standard Webhooks secret: `whsec_` and the base64 of 24 to 64 bytes.
pub fn check_secret(secret: &str) -> Result<(), String> {
    let Some(encoded) = secret.trim().strip_prefix("whsec_") else {
        return Err("the signing secret must start with whsec_ (then base64 of 24 to 64 random bytes, e.g. from `openssl rand -base64 32`)".into());
    };
    match base64::engine::general_purpose::STANDARD.decode(encoded) {
        Ok(key) if (24..=64).contains(&key.len()) => Ok(()),
        Ok(key) => Err(format!(
            "the signing secret's key is {} bytes; it must be 24 to 64",
            key.len()
        )),
        Err(e) => Err(format!(
            "the signing secret after whsec_ is not base64: {e}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    fn loaded(toml: &str, env: &[(&str, &str)]) -> Result<CrmConfig, ConfigError> {
        let mut c: CrmConfig = scrm_config::parse_str(toml, Path::new("scrm.toml"))?;
        c.apply_env(&Env::from_pairs(env))?;
        c.validate()?;
        Ok(c)
    }

    #[test]
    fn off_by_default_on_with_an_address_and_a_secret() {
        let c = loaded("", &[]).unwrap();
        assert!(!c.webhook.enabled());
        assert_eq!(c.webhook.mapping.defaults["level"], "New Customer");
        let c = loaded(
            "[webhook]\nurl = \"http://127.0.0.1:9/hooks\"\n",
            &[("SCRM_CRM_WEBHOOK_SECRET", SECRET)],
        )
        .unwrap();
        assert!(c.webhook.enabled());
        assert!(
            !format!("{c:?}").contains("MfKQ"),
            "the secret is not in Debug"
        );
        let c = loaded(
            "",
            &[
                ("SCRM_CRM_WEBHOOK_URL", "https://crm.example.com/h"),
                ("SCRM_CRM_WEBHOOK_SECRET", SECRET),
            ],
        )
        .unwrap();
        assert_eq!(c.webhook.url.as_deref(), Some("https://crm.example.com/h"));
    }

    #[test]
    fn bad_settings_name_their_field() {
        let err = |toml: &str, env: &[(&str, &str)]| loaded(toml, env).unwrap_err().to_string();
        let e = err("[webhook]\nurl = \"http://127.0.0.1:9/\"\n", &[]);
        assert!(
            e.contains("crm.webhook.secret_file") && e.contains("SCRM_CRM_WEBHOOK_SECRET"),
            "{e}"
        );
        let e = err(
            "[webhook]\nurl = \"ftp://x/\"\n",
            &[("SCRM_CRM_WEBHOOK_SECRET", SECRET)],
        );
        assert!(e.contains("crm.webhook.url"), "{e}");
        let e = err(
            "[webhook]\nurl = \"http://127.0.0.1:9/\"\n",
            &[("SCRM_CRM_WEBHOOK_SECRET", "hunter2")],
        );
        assert!(e.contains("whsec_") && !e.contains("hunter2"), "{e}");
        let e = err(
            "[webhook]\nurl = \"http://127.0.0.1:9/\"\n",
            &[("SCRM_CRM_WEBHOOK_SECRET", "whsec_c2hvcnQ=")],
        );
        assert!(e.contains("5 bytes"), "{e}");
        let e = err("[webhook]\nconcurrency = 0\n", &[]);
        assert!(e.contains("crm.webhook.concurrency"), "{e}");
        let e = err("[webhook]\nretries = 3\n", &[]);
        assert!(e.contains("retries") && e.contains("line"), "{e}");
    }
}
