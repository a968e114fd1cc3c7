//! Looking up a customer's state: for `GET /customers/{key}` and `scrm customer`.

use std::sync::Arc;

use scrm_http::{CustomerLookup, LookupError};
use scrm_identity::Region;
use scrm_state::keys::{self, Table};
use scrm_state::{CustomerState, StateStore};
use serde_json::{json, Value};

use crate::runtime::ProcessorHandle;

/// Finds customers in the state store, by key or by a number as people write it.
pub struct StateLookup {
    store: Arc<dyn StateStore>,
    partitions: u32,
    region: Region,
    /// When serving from a running processor: only partitions it owns and has restored.
    processor: Option<ProcessorHandle>,
}

impl std::fmt::Debug for StateLookup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StateLookup")
            .field("partitions", &self.partitions)
            .finish()
    }
}

impl StateLookup {
    pub fn new(
        store: Arc<dyn StateStore>,
        partitions: u32,
        region: Region,
        processor: Option<ProcessorHandle>,
    ) -> Self {
        Self {
            store,
            partitions,
            region,
            processor,
        }
    }

    /// The customer's state as JSON, `None` when unknown.
    pub fn find(&self, input: &str) -> Result<Option<Value>, LookupError> {
        Ok(self
            .state(input)?
            .map(|(state, partition)| to_json(&state, partition)))
    }

    /// The customer's state and partition, `None` when unknown.
    pub fn state(&self, input: &str) -> Result<Option<(CustomerState, u32)>, LookupError> {
        let key = scrm_identity::normalize(input, self.region)
            .map_err(|e| LookupError::BadKey(e.to_string()))?;
        let key = key.as_str();
        let partition = scrm_log::partition_for_key(key.as_bytes(), self.partitions);
        if let Some(processor) = &self.processor {
            match processor.owned().get(&partition) {
                Some(true) => {}
                Some(false) => {
                    return Err(LookupError::NotReady(format!(
                        "partition {partition} is being restored"
                    )))
                }
                None => {
                    return Err(LookupError::NotReady(format!(
                        "partition {partition} is served by another instance"
                    )))
                }
            }
        }
        let row =
            keys::customer_key(partition, key).map_err(|e| LookupError::BadKey(e.to_string()))?;
        let bytes = self
            .store
            .get(Table::Customers, &row)
            .map_err(|e| LookupError::Internal(e.to_string()))?;
        let Some(bytes) = bytes else {
            return Ok(None);
        };
        let state =
            CustomerState::decode(&bytes).map_err(|e| LookupError::Internal(e.to_string()))?;
        Ok(Some((state, partition)))
    }
}

impl CustomerLookup for StateLookup {
    fn lookup(&self, key: &str) -> Result<Option<Value>, LookupError> {
        self.find(key)
    }
}

/// The JSON shape of a customer's state: the state's fields, times as RFC 3339 strings
/// next to the millisecond values, and the partition.
pub fn to_json(state: &CustomerState, partition: u32) -> Value {
    let mut value = serde_json::to_value(state).expect("state serializes");
    let at = |ms: Option<i64>| ms.map(scrm_schema::json::format_millis);
    value["partition"] = json!(partition);
    value["times"] = json!({
        "first_seen": at(Some(state.first_seen_ms)),
        "last_event": at(Some(state.last_event_ms)),
        "last_inbound": at(state.last_inbound_ms),
        "last_outbound": at(state.last_outbound_ms),
        "paused_until": at(state.paused_until_ms),
        "opted_out_at": at(state.opted_out_at_ms),
    });
    value
}
