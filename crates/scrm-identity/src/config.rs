//! `[identity]`: how customer keys are recognised.

use scrm_config::{ConfigError, Env, Section};
use serde::{Deserialize, Serialize};

use crate::Region;

/// How customer keys are recognised.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct IdentityConfig {
    /// Region of numbers written without a country code (`91234567` in HK is
    /// `+85291234567`): an ISO 3166 two-letter code, default `HK`. Env:
    /// `SCRM_DEFAULT_REGION`.
    pub default_region: Region,
}

impl Default for IdentityConfig {
    fn default() -> Self {
        Self {
            default_region: Region::HK,
        }
    }
}

impl Section for IdentityConfig {
    const NAME: &'static str = "identity";

    fn apply_env(&mut self, env: &Env) -> Result<(), ConfigError> {
        env.parse("SCRM_DEFAULT_REGION", &mut self.default_region)
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn region_is_checked_in_the_file_and_in_the_environment() {
        let c: IdentityConfig =
            scrm_config::parse_str("default_region = \"tw\"\n", Path::new("s.toml")).unwrap();
        assert_eq!(c.default_region, Region::TW);
        let err = scrm_config::parse_str::<IdentityConfig>(
            "default_region = \"XX\"\n",
            Path::new("s.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("line 1"), "{err}");
        let mut c = IdentityConfig::default();
        let err = c
            .apply_env(&Env::from_pairs(&[("SCRM_DEFAULT_REGION", "Narnia")]))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("SCRM_DEFAULT_REGION") && err.contains("Narnia"),
            "{err}"
        );
        c.apply_env(&Env::from_pairs(&[("SCRM_DEFAULT_REGION", "br")]))
            .unwrap();
        assert_eq!(c.default_region, Region::BR);
    }
}
