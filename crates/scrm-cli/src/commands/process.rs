//! `scrm process` and `scrm serve`: the processor with its HTTP API, until SIGTERM.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use prometheus_client::registry::Registry;
use scrm_config::TimeMode as ConfigTime;
use scrm_http::{ApiState, Health, Secret};
use scrm_log::EventLog;
use scrm_processor::{
    Metrics, OutputEncoder, Processor, ProcessorOptions, StateLookup, SystemClock, TimeMode, Topics,
};
use scrm_schema::TopicKind;
use scrm_state::{RocksOptions, RocksStore, StateStore};
use tokio_util::sync::CancellationToken;

use crate::cli::ProcessArgs;
use crate::context::{make_codec, Access, Context};

/// Where local state lives: `<data_dir>/state`, beside the embedded log.
pub(crate) fn state_dir(ctx: &Context) -> std::path::PathBuf {
    ctx.config.log.data_dir.join("state")
}

/// A processor over `log` as the configuration says, with its state store and metrics.
pub(crate) struct Built {
    pub(crate) processor: Processor,
    pub(crate) store: Arc<dyn StateStore>,
    pub(crate) metrics: Metrics,
    pub(crate) registry: Registry,
}

pub(crate) fn build(
    ctx: &Context,
    log: Arc<dyn EventLog>,
    event_time: bool,
    exit_when_caught_up: bool,
    rules: Option<&std::path::Path>,
) -> anyhow::Result<Built> {
    let cfg = &ctx.config.processor;
    let pack = super::rules::load(rules, cfg.rule_pack.as_deref())?;
    ctx.ensure_topics(log.as_ref(), &TopicKind::ALL)?;
    let dir = state_dir(ctx);
    let store: Arc<dyn StateStore> = Arc::new(
        RocksStore::open(
            &dir,
            &RocksOptions {
                block_cache_bytes: cfg.block_cache_mib << 20,
                write_buffer_bytes: cfg.write_buffer_mib << 20,
                max_write_buffers: cfg.max_write_buffers,
            },
        )
        .with_context(|| format!("opening the state store in {}", dir.display()))?,
    );
    let time = if event_time || cfg.time == ConfigTime::Event {
        TimeMode::Event
    } else {
        TimeMode::Live {
            grace_ms: cfg.grace_ms,
        }
    };
    let options = ProcessorOptions {
        group_id: cfg.group_id.clone(),
        batch_records: cfg.batch_records,
        commit_interval: Duration::from_millis(cfg.commit_interval_ms),
        time,
        fsync: cfg.fsync,
        exit_when_caught_up,
        time_bounds: ctx.config.time_bounds,
    };
    let out = OutputEncoder::new(
        make_codec(&ctx.config)?,
        Topics::new(&ctx.config.log.topic_prefix),
    );
    let metrics = Metrics::default();
    let mut registry = Registry::default();
    metrics.register(&mut registry);
    let processor = Processor::new(
        log,
        store.clone(),
        Arc::new(pack),
        Arc::new(out),
        options,
        Arc::new(SystemClock),
        metrics.clone(),
    );
    Ok(Built {
        processor,
        store,
        metrics,
        registry,
    })
}

/// The processor's store, as the sender reads a customer's current state.
#[derive(Debug)]
struct LocalStates(StateLookup);

impl scrm_whatsapp::CustomerStates for LocalStates {
    fn get(&self, customer: &str) -> Result<Option<scrm_state::CustomerState>, String> {
        self.0
            .state(customer)
            .map(|found| found.map(|(state, _)| state))
            .map_err(|e| e.to_string())
    }
}

pub(crate) fn run(ctx: &Context, args: ProcessArgs, serve: bool) -> anyhow::Result<ExitCode> {
    let log: Arc<dyn EventLog> = Arc::from(ctx.open_log(Access::ReadWrite)?);
    let Built {
        processor,
        store,
        mut registry,
        ..
    } = build(
        ctx,
        log.clone(),
        args.event_time,
        args.exit_when_caught_up,
        args.rules.as_deref(),
    )?;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let shutdown = CancellationToken::new();
    runtime.spawn(stop_on_signal(shutdown.clone()));

    // The WhatsApp edge, in `scrm serve`, as far as its secrets are configured.
    let edge_metrics = scrm_whatsapp::Metrics::default();
    let mut webhook = None;
    let mut edge_threads = Vec::new();
    if serve {
        edge_metrics.register(&mut registry);
        webhook = super::edge::gateway(ctx, &log, &edge_metrics)?;
        if webhook.is_none() {
            eprintln!("scrm: WhatsApp webhook secrets not configured: the gateway is off");
        }
        match super::edge::cloud_client(ctx)? {
            Some(client) => {
                let states = Arc::new(LocalStates(StateLookup::new(
                    store.clone(),
                    ctx.config.log.partitions,
                    ctx.region,
                    Some(processor.handle()),
                )));
                let running = super::edge::Running {
                    ctx,
                    log: &log,
                    metrics: &edge_metrics,
                    runtime: &runtime,
                    shutdown: &shutdown,
                };
                edge_threads.push(super::edge::spawn_sender(
                    &running,
                    client.clone(),
                    states,
                    processor.handle().pack(),
                )?);
                edge_threads.push(super::edge::spawn_media(&running, client)?);
            }
            None => eprintln!(
                "scrm: no Cloud API phone-number id or access token: the sender and media fetcher are off"
            ),
        }
    }
    let health = Health::new();
    let api = if args.no_api {
        None
    } else {
        let listen = args
            .listen
            .clone()
            .unwrap_or_else(|| ctx.config.api.listen.clone());
        let addr: SocketAddr = listen
            .parse()
            .with_context(|| format!("api.listen {listen:?} is not an address:port"))?;
        let lookup = StateLookup::new(
            store,
            ctx.config.log.partitions,
            ctx.region,
            Some(processor.handle()),
        );
        let state = ApiState::new(health.clone(), Arc::new(registry))
            .with_customers(Arc::new(lookup))
            .with_token(ctx.config.api.token().map(Secret::new));
        let mut router = state.router();
        if let Some(webhook) = webhook.take() {
            router = router.merge(webhook);
        }
        let listener = runtime
            .block_on(scrm_http::bind(addr))
            .with_context(|| format!("listening on {addr}"))?;
        eprintln!("scrm: API listening on http://{}", listener.local_addr()?);
        Some(runtime.spawn(scrm_http::serve(listener, router, shutdown.clone())))
    };

    let pack_path = args
        .rules
        .clone()
        .or(ctx.config.processor.rule_pack.clone());
    runtime.spawn(reload_on_hangup(
        processor.handle(),
        pack_path,
        shutdown.clone(),
    ));
    let component = health.component("processor");
    let handle = processor.handle();
    let ready_watch = {
        let shutdown = shutdown.clone();
        runtime.spawn(async move {
            while !shutdown.is_cancelled() {
                let owned = handle.owned();
                let restoring = owned.values().filter(|r| !**r).count();
                let detail = format!("{} partitions, {restoring} restoring", owned.len());
                component.set_ready(handle.is_ready(), detail);
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        })
    };
    let result = processor.run(&|| shutdown.is_cancelled());
    shutdown.cancel();
    for thread in edge_threads {
        match thread.join() {
            Ok(Ok(())) => {}
            Ok(Err(e)) => eprintln!("scrm: {e:#}"),
            Err(_) => eprintln!("scrm: a WhatsApp edge thread panicked"),
        }
    }
    if let Some(api) = api {
        let _ = runtime.block_on(api);
    }
    let _ = runtime.block_on(ready_watch);
    result.context("processor")?;
    eprintln!("scrm: processor stopped; all work committed");
    Ok(ExitCode::SUCCESS)
}

pub(crate) async fn stop_on_signal(shutdown: CancellationToken) {
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(error = %e, "cannot listen for SIGTERM");
            return;
        }
    };
    tokio::select! {
        _ = term.recv() => {}
        _ = tokio::signal::ctrl_c() => {}
        _ = shutdown.cancelled() => return,
    }
    eprintln!("scrm: stopping: draining in-flight work");
    shutdown.cancel();
}

/// Reloads the rule pack on SIGHUP. A pack that does not load is reported and the running
/// one stays in force.
async fn reload_on_hangup(
    handle: scrm_processor::ProcessorHandle,
    path: Option<std::path::PathBuf>,
    shutdown: CancellationToken,
) {
    let mut hangup = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()) {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(error = %e, "cannot listen for SIGHUP; the rule pack cannot be reloaded");
            return;
        }
    };
    loop {
        tokio::select! {
            _ = hangup.recv() => {}
            _ = shutdown.cancelled() => return,
        }
        let Some(path) = &path else {
            eprintln!("scrm: SIGHUP: running the built-in default pack; nothing to reload");
            continue;
        };
        match scrm_rules::RulePack::load(path) {
            Ok(pack) => {
                eprintln!(
                    "scrm: SIGHUP: rule pack {} reloaded ({} rules); partitions switch after their next commit",
                    path.display(),
                    pack.rules.len()
                );
                handle.reload(Arc::new(pack));
            }
            Err(e) => eprintln!("scrm: SIGHUP: {e}\nscrm: the rule pack was not reloaded; the running one stays in force"),
        }
    }
}
