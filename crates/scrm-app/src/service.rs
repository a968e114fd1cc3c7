//! A running service: the runtime, the HTTP API (health, metrics, the customer API, the
//! webhook), the delivery workers and, for `process` and `serve`, the processor — started
//! from an [`App`] and stopped, all of it, by one [`CancellationToken`].
//!
//! Starting binds the API and spawns the workers; [`Service::run`] then does the main work
//! on the calling thread until the token is cancelled (by a signal handler the binary
//! installs, or by a test), and returns once every part has stopped, what was durable
//! still durable.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use prometheus_client::registry::Registry;
use scrm_crm::{HubspotMetrics, SinkKind};
use scrm_http::{ApiState, ComponentHandle, Health};
use scrm_log::{Access, EventLog};
use scrm_processor::{Processor, ProcessorHandle, RunMode};
use scrm_schema::TopicKind;
use scrm_whatsapp::{HttpStates, Metrics as EdgeMetrics};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::edge::{Running, WorkerThread};
use crate::processor::LocalStates;
use crate::{App, AppError};

/// Which service to run.
#[derive(Debug, Clone, Copy)]
pub enum ServiceKind {
    /// `scrm process`: the processor and its API.
    Process { run: RunMode, api: bool },
    /// `scrm serve`: the processor, its API, the WhatsApp edge and the CRM sinks as far
    /// as their secrets are configured.
    Serve { run: RunMode, api: bool },
    /// `scrm gateway`: the webhook gateway (and the media fetcher when a Cloud API token is
    /// configured), with health and metrics.
    Gateway,
    /// `scrm sender`: the sender on its own, rechecking triggers against the customer API
    /// of a processor that runs elsewhere (`whatsapp.state_url`).
    Sender,
    /// `scrm sink --crm NAME`: one CRM sink on its own, with health and metrics.
    Sink { crm: SinkKind },
}

/// A started service.
#[derive(Debug)]
pub struct Service {
    runtime: tokio::runtime::Runtime,
    shutdown: CancellationToken,
    health: Health,
    api: Option<(SocketAddr, JoinHandle<std::io::Result<()>>)>,
    workers: Vec<(&'static str, WorkerThread)>,
    processor: Option<Processor>,
    notes: Vec<String>,
    /// The HubSpot sink's budget and waits (`scrm_hubspot_*`), on the service's `/metrics`.
    hubspot: HubspotMetrics,
}

impl Service {
    /// Opens the log, builds every part `kind` has and binds the API (on
    /// `api.listen`; port 0 picks a free one, see [`Service::api_addr`]).
    pub fn start(app: &App, kind: ServiceKind) -> Result<Service, AppError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(AppError::Thread)?;
        let mut service = Service {
            runtime,
            shutdown: CancellationToken::new(),
            health: Health::new(),
            api: None,
            workers: Vec::new(),
            processor: None,
            notes: Vec::new(),
            hubspot: HubspotMetrics::default(),
        };
        match kind {
            ServiceKind::Process { run, api } => service.start_processor(app, run, api, false)?,
            ServiceKind::Serve { run, api } => service.start_processor(app, run, api, true)?,
            ServiceKind::Gateway => service.start_gateway(app)?,
            ServiceKind::Sender => service.start_sender(app)?,
            ServiceKind::Sink { crm } => service.start_sink(app, crm)?,
        }
        Ok(service)
    }

    /// Where the API listens, when the service has one.
    pub fn api_addr(&self) -> Option<SocketAddr> {
        self.api.as_ref().map(|(addr, _)| *addr)
    }

    /// Cancelling it stops the service.
    pub fn shutdown(&self) -> CancellationToken {
        self.shutdown.clone()
    }

    /// The service's runtime, for signal handlers and the like.
    pub fn runtime(&self) -> tokio::runtime::Handle {
        self.runtime.handle().clone()
    }

    /// The processor's handle (rule-pack reloads, readiness), in `process` and `serve`.
    pub fn processor(&self) -> Option<ProcessorHandle> {
        self.processor.as_ref().map(Processor::handle)
    }

    /// What is off and why (missing secrets), for the operator.
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// Runs until the shutdown token is cancelled (or the processor exits when caught up,
    /// or a worker stops on an error), then stops every part and waits for it.
    pub fn run(self) -> Result<(), AppError> {
        let Service {
            runtime,
            shutdown,
            health: _,
            api,
            workers,
            processor,
            notes: _,
            hubspot: _,
        } = self;
        let result = match &processor {
            Some(processor) => processor
                .run(&|| shutdown.is_cancelled())
                .map_err(AppError::from),
            None => {
                runtime.block_on(async {
                    while !shutdown.is_cancelled()
                        && !workers.iter().any(|(_, w)| w.is_finished())
                        && !api.as_ref().is_some_and(|(_, task)| task.is_finished())
                    {
                        tokio::select! {
                            _ = shutdown.cancelled() => {}
                            _ = tokio::time::sleep(Duration::from_millis(100)) => {}
                        }
                    }
                });
                Ok(())
            }
        };
        shutdown.cancel();
        let mut first_error = result.err();
        for (what, worker) in workers {
            let outcome = worker.join().unwrap_or(Err(AppError::Panicked(what)));
            if let Err(e) = outcome {
                tracing::error!(error = %e, "{what} stopped with an error");
                first_error.get_or_insert(e);
            }
        }
        if let Some((addr, task)) = api {
            match runtime.block_on(task) {
                Ok(Ok(())) => {}
                Ok(Err(source)) => {
                    first_error.get_or_insert(AppError::Listen { addr, source });
                }
                Err(_) => {
                    first_error.get_or_insert(AppError::Panicked("HTTP API"));
                }
            }
        }
        runtime.shutdown_timeout(Duration::from_secs(1));
        first_error.map_or(Ok(()), Err)
    }

    fn running<'a>(&'a self, log: &'a Arc<dyn EventLog>, metrics: &'a EdgeMetrics) -> Running<'a> {
        Running {
            log,
            metrics,
            hubspot: &self.hubspot,
            runtime: &self.runtime,
            shutdown: &self.shutdown,
        }
    }

    fn bind(&mut self, app: &App, router: axum::Router) -> Result<(), AppError> {
        let addr = app.config.api.listen;
        let listener = self
            .runtime
            .block_on(scrm_http::bind(addr))
            .and_then(|l| Ok((l.local_addr()?, l)))
            .map_err(|source| AppError::Listen { addr, source })?;
        let (bound, listener) = listener;
        let task = self
            .runtime
            .spawn(scrm_http::serve(listener, router, self.shutdown.clone()));
        self.api = Some((bound, task));
        Ok(())
    }

    fn start_processor(
        &mut self,
        app: &App,
        run: RunMode,
        api: bool,
        edge: bool,
    ) -> Result<(), AppError> {
        let log = app.open_log(Access::ReadWrite)?;
        let built = app.processor(log.clone(), run)?;
        let mut registry = built.registry;
        let handle = built.processor.handle();
        let mut webhook = None;
        if edge {
            let metrics = EdgeMetrics::default();
            metrics.register(&mut registry);
            self.hubspot.register(&mut registry);
            webhook = app.gateway(&log, &metrics)?;
            if webhook.is_none() {
                self.notes
                    .push("WhatsApp webhook secrets not configured: the gateway is off".into());
            }
            match app.cloud_client()? {
                Some(client) => {
                    let states = Arc::new(LocalStates(
                        app.state_lookup(built.store.clone(), Some(handle.clone())),
                    ));
                    let sender = app.spawn_sender(
                        self.running(&log, &metrics),
                        client.clone(),
                        states,
                        handle.pack(),
                    )?;
                    self.workers.push(("whatsapp sender", sender));
                    let media = app.spawn_media(self.running(&log, &metrics), client)?;
                    self.workers.push(("media fetcher", media));
                }
                None => self.notes.push(
                    "no Cloud API phone-number id or access token: the sender and media fetcher are off"
                        .into(),
                ),
            }
            let sinks = app.crm_sinks();
            if sinks.is_empty() {
                self.notes.push(
                    "no CRM sink configured (crm.hubspot token, crm.webhook url and secret): CRM commands wait in their topic"
                        .into(),
                );
            }
            for kind in sinks {
                let sink = app.spawn_crm_sink(self.running(&log, &metrics), kind)?;
                self.workers.push((kind.what(), sink));
            }
        }
        if api {
            let lookup = app.state_lookup(built.store.clone(), Some(handle.clone()));
            let mut router = ApiState::new(self.health.clone(), Arc::new(registry))
                .with_customers(Arc::new(lookup))
                .with_token(app.config.api.token().cloned())
                .router();
            if let Some(webhook) = webhook {
                router = router.merge(webhook);
            }
            self.bind(app, router)?;
        }
        self.watch_readiness(handle);
        self.processor = Some(built.processor);
        Ok(())
    }

    /// Reports the processor's readiness (every owned partition restored) every 200 ms.
    fn watch_readiness(&self, handle: ProcessorHandle) {
        let component: ComponentHandle = self.health.component("processor");
        let shutdown = self.shutdown.clone();
        self.runtime.spawn(async move {
            while !shutdown.is_cancelled() {
                let owned = handle.owned();
                let restoring = owned.values().filter(|restored| !**restored).count();
                let detail = format!("{} partitions, {restoring} restoring", owned.len());
                component.set_ready(handle.is_ready(), detail);
                tokio::select! {
                    _ = shutdown.cancelled() => {}
                    _ = tokio::time::sleep(Duration::from_millis(200)) => {}
                }
            }
        });
    }

    fn start_gateway(&mut self, app: &App) -> Result<(), AppError> {
        let log = app.open_log(Access::ReadWrite)?;
        app.ensure_topics(log.as_ref(), &[TopicKind::Conversation, TopicKind::Dlq])?;
        let metrics = EdgeMetrics::default();
        let mut registry = Registry::default();
        metrics.register(&mut registry);
        let Some(webhook) = app.gateway(&log, &metrics)? else {
            return Err(AppError::NotConfigured(
                "the gateway needs the webhook verify token and app secret: set SCRM_WHATSAPP_VERIFY_TOKEN and SCRM_WHATSAPP_APP_SECRET (or whatsapp.verify_token_file / whatsapp.app_secret_file)".into(),
            ));
        };
        match app.cloud_client()? {
            Some(client) => {
                let media = app.spawn_media(self.running(&log, &metrics), client)?;
                self.workers.push(("media fetcher", media));
            }
            None => self
                .notes
                .push("no Cloud API access token: inbound media is not copied".into()),
        }
        let router = ApiState::new(self.health.clone(), Arc::new(registry))
            .router()
            .merge(webhook);
        self.bind(app, router)?;
        self.health
            .component("gateway")
            .set_ready(true, "accepting webhooks");
        Ok(())
    }

    fn start_sink(&mut self, app: &App, kind: SinkKind) -> Result<(), AppError> {
        if !app.config.crm.enabled(kind) {
            return Err(AppError::NotConfigured(kind.needs().into()));
        }
        let log = app.open_log(Access::ReadWrite)?;
        app.ensure_topics(log.as_ref(), &[TopicKind::CrmCommands, TopicKind::Dlq])?;
        let metrics = EdgeMetrics::default();
        let mut registry = Registry::default();
        metrics.sink.register(&mut registry);
        if kind == SinkKind::Hubspot {
            self.hubspot.register(&mut registry);
        }
        let sink = app.spawn_crm_sink(self.running(&log, &metrics), kind)?;
        self.workers.push((kind.what(), sink));
        let router = ApiState::new(self.health.clone(), Arc::new(registry)).router();
        self.bind(app, router)?;
        self.health
            .component(kind.name())
            .set_ready(true, "delivering");
        Ok(())
    }

    fn start_sender(&mut self, app: &App) -> Result<(), AppError> {
        let Some(client) = app.cloud_client()? else {
            return Err(AppError::NotConfigured(
                "the sender needs whatsapp.phone_number_id (or SCRM_WHATSAPP_PHONE_NUMBER_ID) and an access token (SCRM_WHATSAPP_ACCESS_TOKEN or whatsapp.access_token_file)".into(),
            ));
        };
        let Some(state_url) = app.config.whatsapp.state_url.as_deref() else {
            return Err(AppError::NotConfigured(
                "the sender rechecks each trigger against the customer's state: set whatsapp.state_url to a running processor's API (or run `scrm serve`, which has the sender inside)".into(),
            ));
        };
        let token = app.config.api.token().ok_or_else(|| {
            AppError::NotConfigured(
                "whatsapp.state_url needs the API's bearer token (SCRM_API_TOKEN or api.token_file)"
                    .into(),
            )
        })?;
        let states = Arc::new(HttpStates::new(state_url, token.clone()).map_err(|e| {
            AppError::NotConfigured(format!("whatsapp.state_url {state_url:?}: {e}"))
        })?);
        let pack = Arc::new(app.rule_pack()?);
        let log = app.open_log(Access::ReadWrite)?;
        app.ensure_topics(
            log.as_ref(),
            &[TopicKind::Triggers, TopicKind::Conversation, TopicKind::Dlq],
        )?;
        let metrics = EdgeMetrics::default();
        let mut registry = Registry::default();
        metrics.register(&mut registry);
        let sender = app.spawn_sender(self.running(&log, &metrics), client, states, pack)?;
        self.workers.push(("whatsapp sender", sender));
        let router = ApiState::new(self.health.clone(), Arc::new(registry)).router();
        self.bind(app, router)?;
        self.health.component("sender").set_ready(true, "sending");
        Ok(())
    }
}
