//! `[api]`: where the HTTP API listens and the customer API's token.

use std::net::SocketAddr;
use std::path::PathBuf;

use scrm_config::{ConfigError, Env, Secret, Section};
use serde::{Deserialize, Serialize};

/// The HTTP API: `/metrics`, `/healthz`, `/readyz`, `/customers/{key}`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ApiConfig {
    /// Listen address, `ip:port` (default `127.0.0.1:8080`). Env: `SCRM_API_LISTEN`.
    pub listen: SocketAddr,
    /// File holding the bearer token of the customer API. Env `SCRM_API_TOKEN` takes
    /// precedence. Without a token the customer API refuses every request.
    pub token_file: Option<PathBuf>,
    #[serde(skip)]
    token: Option<Secret>,
}

impl Default for ApiConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            token_file: None,
            token: None,
        }
    }
}

impl Section for ApiConfig {
    const NAME: &'static str = "api";

    fn apply_env(&mut self, env: &Env) -> Result<(), ConfigError> {
        env.parse("SCRM_API_LISTEN", &mut self.listen)?;
        self.token = env.secret(
            "SCRM_API_TOKEN",
            "api.token_file",
            self.token_file.as_deref(),
        )?;
        Ok(())
    }
}

impl ApiConfig {
    /// The customer API's bearer token, if one is configured.
    pub fn token(&self) -> Option<&Secret> {
        self.token.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn listen_must_be_an_address_in_the_file_and_the_environment() {
        let err =
            scrm_config::parse_str::<ApiConfig>("listen = \"localhost\"\n", Path::new("s.toml"))
                .unwrap_err()
                .to_string();
        assert!(err.contains("line 1"), "{err}");
        let mut c = ApiConfig::default();
        let err = c
            .apply_env(&Env::from_pairs(&[("SCRM_API_LISTEN", "8080")]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("SCRM_API_LISTEN"), "{err}");
        c.apply_env(&Env::from_pairs(&[
            ("SCRM_API_LISTEN", "0.0.0.0:9000"),
            ("SCRM_API_TOKEN", "t0k"),
        ]))
        .unwrap();
        assert_eq!(c.listen.port(), 9000);
        assert_eq!(c.token().map(Secret::expose), Some("t0k"));
    }
}
