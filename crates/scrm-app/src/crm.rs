//! The CRM sinks as the configuration says: each a delivery worker of its own (own
//! ledger, own queue, own rate limit, so one failing CRM never slows another) following
//! the CRM command topic, on a thread of its own on the service's runtime.

use std::path::Path;

use scrm_crm::{HubspotParts, HubspotSink, SinkKind, WebhookParts, WebhookSink};
use scrm_schema::TopicKind;
use scrm_sink::{Destination, Worker, WorkerOptions, WorkerParts};
use scrm_time::{SharedClock, SystemClock};

use crate::edge::{on_thread, Running, WorkerThread};
use crate::{App, AppError};

impl App {
    /// The CRM sinks whose settings are complete.
    pub fn crm_sinks(&self) -> Vec<SinkKind> {
        SinkKind::ALL
            .into_iter()
            .filter(|kind| self.config.crm.enabled(*kind))
            .collect()
    }

    /// Starts the `kind` sink until `run.shutdown` is cancelled.
    pub fn spawn_crm_sink(
        &self,
        run: Running<'_>,
        kind: SinkKind,
    ) -> Result<WorkerThread, AppError> {
        let dir = self.edge_dir(&format!("crm-{}", kind.name()));
        let clock = SystemClock::shared();
        match kind {
            SinkKind::Webhook => {
                let sink = WebhookSink::new(WebhookParts {
                    config: self.config.crm.webhook.clone(),
                    codec: self.codec.clone(),
                    commands_schema: self.value_schema(TopicKind::CrmCommands)?,
                    clock: clock.clone(),
                })?;
                self.run_crm_sink(run, kind, &dir, clock, sink)
            }
            SinkKind::Hubspot => {
                let sink = HubspotSink::new(HubspotParts {
                    config: self.config.crm.hubspot.clone(),
                    codec: self.codec.clone(),
                    commands_schema: self.value_schema(TopicKind::CrmCommands)?,
                    clock: clock.clone(),
                    metrics: run.hubspot.clone(),
                })?;
                self.run_crm_sink(run, kind, &dir, clock, sink)
            }
        }
    }

    /// `destination`'s worker on a thread of its own.
    fn run_crm_sink<D: Destination>(
        &self,
        run: Running<'_>,
        kind: SinkKind,
        dir: &Path,
        clock: SharedClock,
        destination: D,
    ) -> Result<WorkerThread, AppError> {
        let dir = dir.to_path_buf();
        let worker = Worker::new(WorkerParts {
            destination,
            log: run.log.clone(),
            ledger_dir: dir.clone(),
            topic: self.topic_name(TopicKind::CrmCommands),
            partitions: self.partitions(),
            dlq: self.ingest(TopicKind::Dlq)?,
            clock,
            metrics: run.metrics.sink.clone(),
            options: WorkerOptions {
                max_batch: self.config.crm.max_batch(kind),
                ..WorkerOptions::default()
            },
        })
        .map_err(|source| AppError::Worker {
            what: kind.what(),
            dir: dir.clone(),
            source: Box::new(source),
        })?;
        on_thread(
            run,
            &format!("scrm-crm-{}", kind.name()),
            kind.what(),
            dir,
            worker.run(run.shutdown.clone()),
        )
    }
}
