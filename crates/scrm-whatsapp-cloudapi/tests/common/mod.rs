//! Shared set-up: a mock Cloud API and a client pointed at it.

#![allow(dead_code)] // each test binary uses a different part

use scrm_whatsapp_cloudapi::mock::{MockCloud, MockOptions};
use scrm_whatsapp_cloudapi::{CloudApiConfig, CloudClient, Secret};

pub(crate) async fn mock() -> MockCloud {
    MockCloud::start(MockOptions::default())
        .await
        .expect("bind 127.0.0.1:0")
}

pub(crate) fn config_for(mock: &MockCloud) -> CloudApiConfig {
    let opts = mock.options();
    let mut config = CloudApiConfig::new(
        opts.phone_number_id.clone(),
        Secret::new(opts.token.clone()),
    );
    config.base_url = mock.url().to_owned();
    config.api_version = opts.api_version.clone();
    config
}

pub(crate) fn client_for(mock: &MockCloud) -> CloudClient {
    CloudClient::new(config_for(mock)).expect("valid config")
}
