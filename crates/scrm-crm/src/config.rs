//! `[crm]`: the CRM sinks. Each sink is off until its address and secret are configured
//! (HubSpot: its private app token); secrets come from the environment or from files,
//! never from this file or the command line.

use std::num::NonZeroU32;
use std::path::PathBuf;
use std::time::Duration;

use base64::Engine as _;
use scrm_config::{ConfigError, Env, Secret, Section};
use serde::{Deserialize, Serialize};

use crate::hubspot::properties::{default_mapping, DealStages};
use crate::mapping::FieldMapping;
use crate::SinkKind;

/// The CRM sinks.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct CrmConfig {
    /// `[crm.webhook]`: JSON for any other system, signed the Standard Webhooks way.
    pub webhook: WebhookConfig,
    /// `[crm.hubspot]`: HubSpot, through a private app (docs/crm.md).
    pub hubspot: HubspotConfig,
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

/// The HubSpot sink.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct HubspotConfig {
    /// HubSpot's API (default `https://api.hubapi.com`). Env `SCRM_CRM_HUBSPOT_URL`; the
    /// tests and the demo point it at the local HubSpot server.
    pub url: String,
    /// File with the private app's access token (`pat-…`). Env `SCRM_CRM_HUBSPOT_TOKEN`
    /// first. No token: the sink is off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_file: Option<PathBuf>,
    /// A request unanswered after this many milliseconds counts as a transport failure
    /// and is retried (default 10 000).
    pub timeout_ms: u64,
    /// Requests per second at most (default 8). A private app may make 100 requests per
    /// 10 seconds on Free and Starter (190 on Professional and Enterprise); 8 a second
    /// with a burst of 8 stays below the smallest, and HubSpot's own
    /// `X-HubSpot-RateLimit-*` headers tighten it further when they say so.
    pub requests_per_second: NonZeroU32,
    /// Commands handed to the sink at once (default 100, HubSpot's batch limit: a batch
    /// is one upsert request per kind of object).
    pub max_batch: usize,
    /// Percent of the account's daily request limit left to its other apps (default 10):
    /// when `X-HubSpot-RateLimit-Daily-Remaining` is down to it, deliveries pause until
    /// the limit resets (they wait; none is dead). 0 uses the whole budget.
    pub daily_reserve_percent: u8,
    /// The HubSpot account's time zone, as an IANA name (default `UTC`; HubSpot: Settings,
    /// Account defaults): the daily limit resets at midnight there.
    pub time_zone: String,
    /// When HubSpot refuses the token (401: revoked, rotated), how long the commands wait
    /// before they are tried again, in milliseconds (default 300 000). Set a new token and
    /// restart the sink meanwhile; after the worker's attempts they go to the dead letters.
    pub auth_retry_ms: u64,
    /// The pipeline deals go to (default `default`, HubSpot's sales pipeline).
    pub deal_pipeline: String,
    /// The stage ids of that pipeline for scrm's deal stages.
    pub deal_stages: DealStages,
    /// The pipeline tickets (quote requests, complaints) go to (default `0`, HubSpot's
    /// support pipeline).
    pub ticket_pipeline: String,
    /// The stage of new tickets (default `1`, "New" in the support pipeline).
    pub ticket_stage: String,
    /// How contact fields are named in HubSpot (default: HubSpot's own properties where
    /// it has them, `scrm_…` custom properties otherwise; docs/crm.md).
    pub mapping: FieldMapping,
    #[serde(skip)]
    token: Option<Secret>,
}

impl Default for HubspotConfig {
    fn default() -> Self {
        HubspotConfig {
            url: "https://api.hubapi.com".into(),
            token_file: None,
            timeout_ms: 10_000,
            requests_per_second: NonZeroU32::new(8).expect("8 is not 0"),
            max_batch: 100,
            daily_reserve_percent: 10,
            time_zone: "UTC".into(),
            auth_retry_ms: 300_000,
            deal_pipeline: "default".into(),
            deal_stages: DealStages::default(),
            ticket_pipeline: "0".into(),
            ticket_stage: "1".into(),
            mapping: default_mapping(),
            token: None,
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
        let h = &mut self.hubspot;
        env.set("SCRM_CRM_HUBSPOT_URL", &mut h.url);
        // An empty token (an empty file) is no token.
        h.token = env
            .secret(
                "SCRM_CRM_HUBSPOT_TOKEN",
                "crm.hubspot.token_file",
                h.token_file.as_deref(),
            )?
            .map(|t| Secret::new(t.expose().trim()))
            .filter(|t| !t.is_empty());
        Ok(())
    }

    fn validate(&self) -> Result<(), ConfigError> {
        self.webhook.validate()?;
        self.hubspot.validate()
    }
}

impl CrmConfig {
    /// Whether the `kind` sink's settings are complete.
    pub fn enabled(&self, kind: SinkKind) -> bool {
        match kind {
            SinkKind::Webhook => self.webhook.enabled(),
            SinkKind::Hubspot => self.hubspot.enabled(),
        }
    }

    /// Commands handed to the `kind` sink at once.
    pub fn max_batch(&self, kind: SinkKind) -> usize {
        match kind {
            SinkKind::Webhook => self.webhook.max_batch,
            SinkKind::Hubspot => self.hubspot.max_batch,
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

impl HubspotConfig {
    /// The private app's token, if configured.
    pub fn token(&self) -> Option<&Secret> {
        self.token.as_ref()
    }

    /// Sets the token (tests; a service reads it through [`Section::apply_env`]).
    pub fn with_token(mut self, token: Secret) -> Self {
        self.token = Some(token);
        self
    }

    /// Whether the sink runs: a token is configured.
    pub fn enabled(&self) -> bool {
        self.token.is_some()
    }

    pub fn timeout(&self) -> Duration {
        Duration::from_millis(self.timeout_ms)
    }

    /// The account's time zone.
    pub fn zone(&self) -> Result<chrono_tz::Tz, String> {
        self.time_zone.parse::<chrono_tz::Tz>().map_err(|_| {
            format!(
                "{:?} is not an IANA time zone (e.g. Asia/Hong_Kong, America/Sao_Paulo, UTC)",
                self.time_zone
            )
        })
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |field: &str, reason: String| {
            Err(ConfigError::invalid(format!("crm.hubspot.{field}"), reason))
        };
        if let Err(reason) = self.mapping.check() {
            return invalid("mapping", reason);
        }
        for (field, value) in [
            ("timeout_ms", self.timeout_ms),
            ("max_batch", self.max_batch as u64),
            ("auth_retry_ms", self.auth_retry_ms),
        ] {
            if value == 0 {
                return invalid(field, "must be at least 1".into());
            }
        }
        if self.daily_reserve_percent > 100 {
            return invalid("daily_reserve_percent", "is a percentage: 0 to 100".into());
        }
        if let Err(reason) = self.zone() {
            return invalid("time_zone", reason);
        }
        for (field, value) in [
            ("deal_pipeline", &self.deal_pipeline),
            ("deal_stages.open", &self.deal_stages.open),
            ("deal_stages.won", &self.deal_stages.won),
            ("ticket_pipeline", &self.ticket_pipeline),
            ("ticket_stage", &self.ticket_stage),
        ] {
            if value.trim().is_empty() {
                return invalid(field, "is empty".into());
            }
        }
        match reqwest::Url::parse(&self.url) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.has_host() => Ok(()),
            Ok(_) => invalid("url", format!("{:?} is not an http(s) address", self.url)),
            Err(e) => invalid("url", format!("{:?}: {e}", self.url)),
        }
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

    #[test]
    fn hubspot_is_on_with_a_token_and_names_a_bad_setting() {
        let c = loaded("", &[]).unwrap();
        assert!(!c.hubspot.enabled());
        assert_eq!(c.hubspot.requests_per_second.get(), 8);
        assert_eq!(c.hubspot.mapping.rename["name"], "firstname");
        let c = loaded(
            "[hubspot]\ntime_zone = \"Asia/Hong_Kong\"\n",
            &[("SCRM_CRM_HUBSPOT_TOKEN", "pat-na1-0c4e\n")],
        )
        .unwrap();
        assert!(c.hubspot.enabled());
        assert_eq!(c.hubspot.token().unwrap().expose(), "pat-na1-0c4e");
        assert!(
            !format!("{c:?}").contains("0c4e"),
            "the token is not in Debug"
        );
        assert_eq!(c.hubspot.zone().unwrap(), chrono_tz::Tz::Asia__Hong_Kong);

        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("hubspot");
        std::fs::write(&file, "pat-eu1-77\n").unwrap();
        let toml = format!("[hubspot]\ntoken_file = {:?}\n", file.display().to_string());
        let c = loaded(&toml, &[]).unwrap();
        assert_eq!(c.hubspot.token().unwrap().expose(), "pat-eu1-77");
        std::fs::write(&file, "\n").unwrap();
        assert!(
            !loaded(&toml, &[]).unwrap().hubspot.enabled(),
            "an empty file is no token"
        );

        let err = |toml: &str| loaded(toml, &[]).unwrap_err().to_string();
        let e = err("[hubspot]\ntime_zone = \"Mars/Olympus\"\n");
        assert!(
            e.contains("crm.hubspot.time_zone") && e.contains("Mars"),
            "{e}"
        );
        let e = err("[hubspot]\ndaily_reserve_percent = 101\n");
        assert!(e.contains("crm.hubspot.daily_reserve_percent"), "{e}");
        let e = err("[hubspot.deal_stages]\nopen = \" \"\n");
        assert!(e.contains("crm.hubspot.deal_stages.open"), "{e}");
        let e = err("[hubspot]\nurl = \"api.hubapi.com\"\n");
        assert!(e.contains("crm.hubspot.url"), "{e}");
        let e = err("[hubspot]\nrequests_per_second = 0\n");
        assert!(e.contains("requests_per_second"), "{e}");
        let e = err("[hubspot]\napi_key = \"x\"\n");
        assert!(e.contains("api_key") && e.contains("line"), "{e}");
    }
}
