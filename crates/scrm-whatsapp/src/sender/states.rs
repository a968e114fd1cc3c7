//! Where the sender reads a customer's current state for the recheck: the processor's
//! store when it runs in the same process (`scrm serve`), or the customer API of a running
//! processor (`scrm sender` on its own).

use scrm_config::Secret;
use scrm_state::CustomerState;

/// A customer's current state, by key; `Ok(None)` when the processor knows nothing of them.
pub trait CustomerStates: Send + Sync + std::fmt::Debug {
    fn get(&self, customer: &str) -> Result<Option<CustomerState>, String>;
}

/// The customer API (`GET {url}/customers/{key}` with a bearer token) of a running scrm.
#[derive(Debug)]
pub struct HttpStates {
    url: String,
    token: Secret,
    client: reqwest::blocking::Client,
}

impl HttpStates {
    pub fn new(url: &str, token: Secret) -> Result<Self, String> {
        let client = reqwest::blocking::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .map_err(|e| e.to_string())?;
        Ok(HttpStates {
            url: url.trim_end_matches('/').to_owned(),
            token,
            client,
        })
    }
}

impl CustomerStates for HttpStates {
    fn get(&self, customer: &str) -> Result<Option<CustomerState>, String> {
        let url = format!("{}/customers/{}", self.url, customer.replace('+', "%2B"));
        let response = self
            .client
            .get(&url)
            .bearer_auth(self.token.expose())
            .send()
            .map_err(|e| format!("customer API: {e}"))?;
        match response.status().as_u16() {
            404 => Ok(None),
            200 => response
                .json::<CustomerState>()
                .map(Some)
                .map_err(|e| format!("customer API: unexpected answer: {e}")),
            status => Err(format!("customer API: HTTP {status}")),
        }
    }
}
