//! `[whatsapp]`: the webhook gateway, the Cloud API sender and the media fetcher. The
//! Cloud API client's own defaults (`scrm_whatsapp_cloudapi::CloudApiConfig`) and the
//! sender's are the defaults here; this section only names them in the file.

use std::path::PathBuf;
use std::time::Duration;

use scrm_config::{ConfigError, Env, Secret, Section};
use scrm_whatsapp_cloudapi::{CloudApiConfig, DEFAULT_PER_SECOND};
use serde::{Deserialize, Serialize};

use crate::SenderOptions;

/// The WhatsApp edge. Secrets (verify token, app secret, access token) come from the
/// environment or from files, never from this file or the command line.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct WhatsappConfig {
    /// The webhook's path on the API server (default `/webhook`).
    pub webhook_path: String,
    /// Webhook bodies larger than this are refused with 413 (default 3 MiB).
    pub body_limit_bytes: usize,
    /// Days the gateway remembers event ids to drop Meta's retries (default 7).
    pub dedup_days: u64,
    /// File with the webhook verify token. Env `SCRM_WHATSAPP_VERIFY_TOKEN` first.
    pub verify_token_file: Option<PathBuf>,
    /// File with the Meta app secret the webhooks are signed with. Env
    /// `SCRM_WHATSAPP_APP_SECRET` first.
    pub app_secret_file: Option<PathBuf>,
    /// Graph API base URL (default `https://graph.facebook.com`). Env `SCRM_GRAPH_URL`.
    pub graph_url: String,
    /// Backup base URL the sender switches to after 3 slow probes of the primary.
    pub backup_graph_url: Option<String>,
    /// Graph API version (default `v21.0`).
    pub api_version: String,
    /// The business number's phone-number id. Env `SCRM_WHATSAPP_PHONE_NUMBER_ID`.
    pub phone_number_id: String,
    /// File with the Cloud API access token. Env `SCRM_WHATSAPP_ACCESS_TOKEN` first.
    pub access_token_file: Option<PathBuf>,
    /// Messages per second to the business number's Cloud API (default 80, Meta's).
    pub messages_per_second: u32,
    /// A probe slower than this, ms, counts as slow for the endpoint health (default 1500).
    pub slow_probe_ms: u64,
    /// Seconds between probes of the primary endpoint (default 30).
    pub probe_interval_s: u64,
    /// What an empty template parameter (an unknown first name) is sent as (default 🙂).
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
        let cloud = CloudApiConfig::new(String::new(), Secret::default());
        let sender = SenderOptions::new(String::new(), 1);
        Self {
            webhook_path: "/webhook".into(),
            body_limit_bytes: 3 << 20,
            dedup_days: 7,
            verify_token_file: None,
            app_secret_file: None,
            graph_url: cloud.base_url,
            backup_graph_url: cloud.backup_url,
            api_version: cloud.api_version,
            phone_number_id: String::new(),
            access_token_file: None,
            messages_per_second: DEFAULT_PER_SECOND.get(),
            slow_probe_ms: u64::try_from(cloud.slow_probe.as_millis()).unwrap_or(u64::MAX),
            probe_interval_s: 30,
            empty_parameter: sender.empty_parameter,
            media_dir: None,
            state_url: None,
            verify_token: None,
            app_secret: None,
            access_token: None,
        }
    }
}

impl Section for WhatsappConfig {
    const NAME: &'static str = "whatsapp";

    fn apply_env(&mut self, env: &Env) -> Result<(), ConfigError> {
        env.set("SCRM_GRAPH_URL", &mut self.graph_url);
        env.set("SCRM_WHATSAPP_PHONE_NUMBER_ID", &mut self.phone_number_id);
        self.verify_token = env.secret(
            "SCRM_WHATSAPP_VERIFY_TOKEN",
            "whatsapp.verify_token_file",
            self.verify_token_file.as_deref(),
        )?;
        self.app_secret = env.secret(
            "SCRM_WHATSAPP_APP_SECRET",
            "whatsapp.app_secret_file",
            self.app_secret_file.as_deref(),
        )?;
        self.access_token = env.secret(
            "SCRM_WHATSAPP_ACCESS_TOKEN",
            "whatsapp.access_token_file",
            self.access_token_file.as_deref(),
        )?;
        Ok(())
    }

    fn validate(&self) -> Result<(), ConfigError> {
        if self.messages_per_second == 0 {
            return Err(ConfigError::invalid(
                "whatsapp.messages_per_second",
                "must be at least 1",
            ));
        }
        if !self.webhook_path.starts_with('/') {
            return Err(ConfigError::invalid(
                "whatsapp.webhook_path",
                format!("{:?} must start with /", self.webhook_path),
            ));
        }
        if let Some(cloud) = self.cloud_api() {
            cloud.validate().map_err(|e| match e {
                scrm_whatsapp_cloudapi::ConfigError::Invalid { field, reason } => {
                    ConfigError::invalid(format!("whatsapp.{}", file_key(field)), reason)
                }
                other => ConfigError::invalid("whatsapp", other.to_string()),
            })?;
        }
        Ok(())
    }
}

/// The key in this section of a Cloud API client field.
fn file_key(client_field: &str) -> &str {
    match client_field {
        "base_url" => "graph_url",
        "backup_url" => "backup_graph_url",
        "access_token" => "access_token_file",
        other => other,
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

    /// How long the gateway remembers an event id.
    pub fn dedup_horizon(&self) -> Duration {
        Duration::from_secs(self.dedup_days.saturating_mul(86_400))
    }

    /// The Cloud API client's settings, or `None` while the phone-number id or the access
    /// token is missing.
    pub fn cloud_api(&self) -> Option<CloudApiConfig> {
        let token = self
            .access_token
            .clone()
            .filter(|_| self.sender_enabled())?;
        let mut cloud = CloudApiConfig::new(self.phone_number_id.clone(), token);
        cloud.base_url = self.graph_url.trim_end_matches('/').to_owned();
        cloud.backup_url = self.backup_graph_url.clone();
        cloud.api_version = self.api_version.clone();
        cloud.slow_probe = Duration::from_millis(self.slow_probe_ms);
        Some(cloud)
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn the_defaults_are_the_clients_and_the_senders_own() {
        let c: WhatsappConfig = scrm_config::parse_str("", Path::new("s.toml")).unwrap();
        assert!(c.cloud_api().is_none() && !c.gateway_enabled());
        let c = {
            let mut c = c;
            c.apply_env(&Env::from_pairs(&[
                ("SCRM_WHATSAPP_PHONE_NUMBER_ID", "1055"),
                ("SCRM_WHATSAPP_ACCESS_TOKEN", "EAAG"),
            ]))
            .unwrap();
            c
        };
        let ours = c.cloud_api().expect("phone-number id and token are set");
        let theirs = CloudApiConfig::new("1055", Secret::new("EAAG"));
        assert_eq!(ours.base_url, theirs.base_url);
        assert_eq!(ours.api_version, theirs.api_version);
        assert_eq!(ours.slow_probe, theirs.slow_probe);
        assert_eq!(ours.access_token.expose(), "EAAG");
        assert_eq!(c.messages_per_second, DEFAULT_PER_SECOND.get());
        assert!(!format!("{c:?}").contains("EAAG"));
    }

    #[test]
    fn a_bad_client_field_is_named_by_its_key_in_this_section() {
        let mut c: WhatsappConfig = scrm_config::parse_str(
            "graph_url = \"graph.facebook.com\"\nphone_number_id = \"1055\"\n",
            Path::new("s.toml"),
        )
        .unwrap();
        c.validate()
            .expect("without a token the client is off and not checked");
        c.apply_env(&Env::from_pairs(&[("SCRM_WHATSAPP_ACCESS_TOKEN", "t")]))
            .unwrap();
        let err = c.validate().unwrap_err().to_string();
        assert!(err.contains("whatsapp.graph_url"), "{err}");
        c.graph_url = "http://127.0.0.1:1".into();
        c.validate().unwrap();
        c.webhook_path = "webhook".into();
        let err = c.validate().unwrap_err().to_string();
        assert!(err.contains("whatsapp.webhook_path"), "{err}");
    }
}
