//! The WhatsApp edge as the configuration says: the webhook gateway's routes, the Cloud
//! API client, and the sender and the media fetcher, each a delivery worker on a thread of
//! its own on the service's runtime.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use scrm_log::EventLog;
use scrm_rules::RulePack;
use scrm_schema::TopicKind;
use scrm_time::SystemClock;
use scrm_whatsapp::gateway::seen::Seen;
use scrm_whatsapp::{
    Appender, CustomerStates, Gateway, GatewayOptions, MediaFetcher, MediaParts, Metrics, Sender,
    SenderOptions, SenderParts,
};
use scrm_whatsapp_cloudapi::{CloudClient, Throttle};
use tokio_util::sync::CancellationToken;

use crate::{App, AppError};

/// A worker's thread: its result names the worker.
pub type WorkerThread = JoinHandle<Result<(), AppError>>;

/// What the edge's workers share with the process that runs them.
#[derive(Debug, Clone, Copy)]
pub struct Running<'a> {
    pub log: &'a Arc<dyn EventLog>,
    pub metrics: &'a Metrics,
    /// The HubSpot sink's budget and waits, registered where the service builds `/metrics`.
    pub hubspot: &'a scrm_crm::HubspotMetrics,
    pub runtime: &'a tokio::runtime::Runtime,
    /// Stops the workers when cancelled (also inside a backoff wait).
    pub shutdown: &'a CancellationToken,
}

impl App {
    /// The webhook routes, or `None` when the webhook secrets are not configured.
    pub fn gateway(
        &self,
        log: &Arc<dyn EventLog>,
        metrics: &Metrics,
    ) -> Result<Option<axum::Router>, AppError> {
        let w = &self.config.whatsapp;
        let (Some(verify_token), Some(app_secret)) = (w.verify_token(), w.app_secret()) else {
            return Ok(None);
        };
        let dir = self.edge_dir("gateway-seen");
        let open = |source: Box<dyn std::error::Error + Send + Sync>| AppError::Open {
            what: "the gateway's seen ids",
            dir: dir.clone(),
            source,
        };
        std::fs::create_dir_all(&dir).map_err(|e| open(Box::new(e)))?;
        let seen = Seen::open(&dir, w.dedup_horizon()).map_err(|e| open(Box::new(e)))?;
        let gateway = Gateway::new(
            GatewayOptions {
                path: w.webhook_path.clone(),
                verify_token: verify_token.clone(),
                app_secret: app_secret.clone(),
                body_limit_bytes: w.body_limit_bytes,
                partitions: self.partitions(),
            },
            self.ingest(TopicKind::Conversation)?,
            self.ingest(TopicKind::Dlq)?,
            seen,
            Appender::start(log.clone(), 4096),
            metrics.clone(),
        );
        Ok(Some(gateway.router()))
    }

    /// The Cloud API client, or `None` when the phone-number id or access token is missing.
    pub fn cloud_client(&self) -> Result<Option<CloudClient>, AppError> {
        match self.config.whatsapp.cloud_api() {
            Some(config) => Ok(Some(CloudClient::new(config)?)),
            None => Ok(None),
        }
    }

    /// Starts the sender, and the prober that watches the primary Graph endpoint, until
    /// `run.shutdown` is cancelled.
    pub fn spawn_sender(
        &self,
        run: Running<'_>,
        client: CloudClient,
        states: Arc<dyn CustomerStates>,
        pack: Arc<RulePack>,
    ) -> Result<WorkerThread, AppError> {
        let w = &self.config.whatsapp;
        let dir = self.edge_dir("sender");
        let clock = SystemClock::shared();
        let mut options =
            SenderOptions::new(self.topic_name(TopicKind::Triggers), self.partitions());
        options.empty_parameter = w.empty_parameter.clone();
        let per_second = NonZeroU32::new(w.messages_per_second).unwrap_or(NonZeroU32::MIN);
        spawn_prober(run, &client, Duration::from_secs(w.probe_interval_s.max(1)));
        let worker = Sender::worker(SenderParts {
            log: run.log.clone(),
            ledger_dir: dir.clone(),
            client,
            throttle: Throttle::new(per_second, clock.clone()),
            states,
            pack,
            codec: self.codec.clone(),
            triggers_schema: self.value_schema(TopicKind::Triggers)?,
            conversation: self.ingest(TopicKind::Conversation)?,
            dlq: self.ingest(TopicKind::Dlq)?,
            options,
            metrics: run.metrics.clone(),
            clock,
        })
        .map_err(|source| AppError::Worker {
            what: "the whatsapp sender",
            dir: dir.clone(),
            source: Box::new(source),
        })?;
        on_thread(
            run,
            "scrm-sender",
            "whatsapp sender",
            dir,
            worker.run(run.shutdown.clone()),
        )
    }

    /// Starts the media fetcher until `run.shutdown` is cancelled.
    pub fn spawn_media(
        &self,
        run: Running<'_>,
        client: CloudClient,
    ) -> Result<WorkerThread, AppError> {
        let dir = self.edge_dir("media-ledger");
        let media_dir = self
            .config
            .whatsapp
            .media_dir
            .clone()
            .unwrap_or_else(|| self.config.log.data_dir.join("media"));
        let worker = MediaFetcher::worker(MediaParts {
            log: run.log.clone(),
            ledger_dir: dir.clone(),
            client,
            codec: self.codec.clone(),
            conversation_schema: self.value_schema(TopicKind::Conversation)?,
            conversation: self.ingest(TopicKind::Conversation)?,
            dlq: self.ingest(TopicKind::Dlq)?,
            partitions: self.partitions(),
            dir: media_dir,
            metrics: run.metrics.clone(),
            clock: SystemClock::shared(),
        })
        .map_err(|source| AppError::Worker {
            what: "the media fetcher",
            dir: dir.clone(),
            source: Box::new(source),
        })?;
        on_thread(
            run,
            "scrm-media",
            "media fetcher",
            dir,
            worker.run(run.shutdown.clone()),
        )
    }
}

/// Probes the primary endpoint and mirrors whether the client is on the backup into
/// `scrm_whatsapp_on_backup`, until shutdown.
fn spawn_prober(run: Running<'_>, client: &CloudClient, interval: Duration) {
    let client = client.clone();
    let shutdown = run.shutdown.clone();
    let on_backup = run.metrics.on_backup.clone();
    run.runtime.spawn(async move {
        let watch = async {
            loop {
                on_backup.set(i64::from(client.health().is_on_backup()));
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        };
        tokio::select! {
            _ = scrm_whatsapp_cloudapi::run_prober(&client, interval, shutdown.cancelled()) => {}
            _ = watch => {}
        }
    });
}

/// Runs a delivery worker on a thread of its own, on the shared runtime.
pub(crate) fn on_thread(
    run: Running<'_>,
    thread: &str,
    what: &'static str,
    dir: std::path::PathBuf,
    work: impl std::future::Future<Output = Result<(), scrm_sink::SinkError>> + Send + 'static,
) -> Result<WorkerThread, AppError> {
    let handle = run.runtime.handle().clone();
    std::thread::Builder::new()
        .name(thread.into())
        .spawn(move || {
            handle.block_on(work).map_err(|source| AppError::Worker {
                what,
                dir,
                source: Box::new(source),
            })
        })
        .map_err(AppError::Thread)
}
