//! Configuration of the operator/API server: where it listens and the bearer token that
//! guards the customer-state API.

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};

use serde::Deserialize;
use subtle::ConstantTimeEq;

/// The default listen address: loopback only, so a fresh install exposes nothing to the
/// network until an operator chooses to.
pub const DEFAULT_LISTEN: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(Ipv4Addr::LOCALHOST), 8080);

/// Settings of the operator/API HTTP server.
///
/// Deserialises from the `[http]`-style table of the scrm configuration; unknown fields are
/// rejected so a misspelt `tokne` fails loudly instead of silently disabling the API.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiConfig {
    /// Address and port the server binds, e.g. `"0.0.0.0:8080"`. Serves `/healthz`,
    /// `/readyz`, `/metrics` and `/customers/{key}`. Default `127.0.0.1:8080`.
    #[serde(default = "default_listen")]
    pub listen: SocketAddr,
    /// Bearer token that clients of `/customers/{key}` must send as
    /// `Authorization: Bearer <token>`. When absent (or empty) the customer API answers
    /// 503: customer data is never served without authentication. Health and metrics
    /// endpoints are not guarded by it.
    #[serde(default)]
    pub token: Option<Secret>,
}

fn default_listen() -> SocketAddr {
    DEFAULT_LISTEN
}

impl Default for ApiConfig {
    fn default() -> Self {
        Self {
            listen: DEFAULT_LISTEN,
            token: None,
        }
    }
}

/// A string that must not end up in logs: its `Debug` output is `***` and it has no
/// `Display`. Read it with [`Secret::expose`] only where the raw value is needed.
///
/// Equality (`==`) runs in time independent of the content (only unequal lengths return
/// early), so it is safe for checking presented credentials.
#[derive(Clone, Default, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The raw secret. Callers must not log or echo it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the secret is the empty string (treated as "not configured").
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

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        self.0.as_bytes().ct_eq(other.0.as_bytes()).into()
    }
}

impl Eq for Secret {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_debug_is_redacted() {
        let secret = Secret::new("hunter2-very-secret");
        assert_eq!(format!("{secret:?}"), "***");
        assert_eq!(format!("{secret:#?}"), "***");
        assert_eq!(secret.expose(), "hunter2-very-secret");
        assert_eq!(secret, Secret::from("hunter2-very-secret"));
        assert_ne!(secret, Secret::from("hunter2-very-secreT"));
        assert_ne!(secret, Secret::from("hunter2"));
    }

    #[test]
    fn config_debug_does_not_leak_token() {
        let config = ApiConfig {
            listen: "127.0.0.1:9000".parse().unwrap(),
            token: Some(Secret::new("s3cr3t-token")),
        };
        let debug = format!("{config:?}");
        assert!(!debug.contains("s3cr3t-token"), "{debug}");
        assert!(debug.contains("***"), "{debug}");
    }

    #[test]
    fn config_deserialises_with_defaults() {
        let config: ApiConfig = serde_json::from_str("{}").unwrap();
        assert_eq!(config, ApiConfig::default());
        assert_eq!(config.listen, DEFAULT_LISTEN);

        let config: ApiConfig =
            serde_json::from_str(r#"{"listen": "0.0.0.0:9100", "token": "abc"}"#).unwrap();
        assert_eq!(config.listen.port(), 9100);
        assert_eq!(config.token.as_ref().map(Secret::expose), Some("abc"));
    }

    #[test]
    fn config_rejects_unknown_fields() {
        let err = serde_json::from_str::<ApiConfig>(r#"{"tokne": "abc"}"#).unwrap_err();
        assert!(err.to_string().contains("tokne"), "{err}");
    }
}
