//! The processor as the configuration says: its state store, its rule pack, its outputs'
//! encoder and its metrics, over a log the caller opened.

use std::sync::Arc;

use prometheus_client::registry::Registry;
use scrm_log::EventLog;
use scrm_processor::{
    Metrics, OutputEncoder, Processor, ProcessorHandle, RunMode, StateLookup, SystemClock, Topics,
};
use scrm_rules::RulePack;
use scrm_schema::TopicKind;
use scrm_state::{RocksStore, StateStore};

use crate::{App, AppError};

/// A processor ready to run, with what the API and the edge read beside it.
#[derive(Debug)]
pub struct BuiltProcessor {
    pub processor: Processor,
    pub store: Arc<dyn StateStore>,
    pub metrics: Metrics,
    /// The processor's metric families; the edge and the API add theirs.
    pub registry: Registry,
}

impl App {
    /// The rule pack in force: `processor.rule_pack` (or `--rules`), else the built-in
    /// default pack.
    pub fn rule_pack(&self) -> Result<RulePack, AppError> {
        match &self.config.processor.rule_pack {
            Some(path) => Ok(RulePack::load(path)?),
            None => Ok(RulePack::default_pack()),
        }
    }

    /// Creates or checks every topic, opens the state store in [`App::state_dir`] and
    /// builds the processor over `log`.
    pub fn processor(
        &self,
        log: Arc<dyn EventLog>,
        run: RunMode,
    ) -> Result<BuiltProcessor, AppError> {
        let cfg = &self.config.processor;
        let pack = self.rule_pack()?;
        self.ensure_topics(log.as_ref(), &TopicKind::ALL)?;
        let dir = self.state_dir();
        let store: Arc<dyn StateStore> = Arc::new(RocksStore::open(&dir, &cfg.store()).map_err(
            |source| AppError::Open {
                what: "the state store",
                dir: dir.clone(),
                source: Box::new(source),
            },
        )?);
        let out = OutputEncoder::new(
            self.config.schema.codec()?,
            Topics::new(&self.config.log.topic_prefix),
        );
        let metrics = Metrics::default();
        let mut registry = Registry::default();
        metrics.register(&mut registry);
        let processor = Processor::new(
            log,
            store.clone(),
            Arc::new(pack),
            Arc::new(out),
            cfg.options(self.config.time_bounds, run),
            Arc::new(SystemClock),
            metrics.clone(),
        );
        Ok(BuiltProcessor {
            processor,
            store,
            metrics,
            registry,
        })
    }

    /// Customers' current state in `store`, read through the running processor's `handle`
    /// when there is one (its uncommitted batch), else as committed.
    pub fn state_lookup(
        &self,
        store: Arc<dyn StateStore>,
        handle: Option<ProcessorHandle>,
    ) -> StateLookup {
        StateLookup::new(store, self.partitions(), self.region(), handle)
    }
}

/// The processor's store, as the sender reads a customer's current state.
#[derive(Debug)]
pub(crate) struct LocalStates(pub(crate) StateLookup);

impl scrm_whatsapp::CustomerStates for LocalStates {
    fn get(&self, customer: &str) -> Result<Option<scrm_state::CustomerState>, String> {
        self.0
            .state(customer)
            .map(|found| found.map(|(state, _)| state))
            .map_err(|e| e.to_string())
    }
}
