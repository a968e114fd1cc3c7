//! The WhatsApp edge as the configuration says: the webhook gateway's routes, the sender
//! and the media fetcher, for `scrm gateway`, `scrm sender` and `scrm serve`.

use std::num::NonZeroU32;
use std::path::PathBuf;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use anyhow::Context as _;
use scrm_ingest::Ingest;
use scrm_log::EventLog;
use scrm_rules::RulePack;
use scrm_schema::TopicKind;
use scrm_time::SystemClock;
use scrm_whatsapp::{
    Appender, CustomerStates, Gateway, GatewayOptions, MediaFetcher, MediaParts, Metrics, Sender,
    SenderOptions, SenderParts,
};
use scrm_whatsapp_cloudapi::{CloudApiConfig, CloudClient, Secret, Throttle};
use tokio_util::sync::CancellationToken;

use crate::context::Context;

fn ingest(ctx: &Context, kind: TopicKind) -> anyhow::Result<Ingest> {
    ctx.ingest(kind)
}

fn edge_dir(ctx: &Context, name: &str) -> PathBuf {
    ctx.config.log.data_dir.join("edge").join(name)
}

/// The webhook routes, or `None` when the webhook secrets are not configured.
pub(crate) fn gateway(
    ctx: &Context,
    log: &Arc<dyn EventLog>,
    metrics: &Metrics,
) -> anyhow::Result<Option<axum::Router>> {
    let w = &ctx.config.whatsapp;
    let (Some(verify_token), Some(app_secret)) = (w.verify_token(), w.app_secret()) else {
        return Ok(None);
    };
    let dir = edge_dir(ctx, "gateway-seen");
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let seen =
        scrm_whatsapp::gateway::seen::Seen::open(&dir, Duration::from_secs(w.dedup_days * 86_400))
            .with_context(|| format!("opening the gateway's seen ids in {}", dir.display()))?;
    let gateway = Gateway::new(
        GatewayOptions {
            path: w.webhook_path.clone(),
            verify_token: verify_token.clone(),
            app_secret: app_secret.clone(),
            body_limit_bytes: w.body_limit_bytes,
            partitions: ctx.config.log.partitions,
        },
        ingest(ctx, TopicKind::Conversation)?,
        ingest(ctx, TopicKind::Dlq)?,
        seen,
        Appender::start(log.clone(), 4096),
        metrics.clone(),
    );
    Ok(Some(gateway.router()))
}

/// The Cloud API client, or `None` when the phone-number id or access token is missing.
pub(crate) fn cloud_client(ctx: &Context) -> anyhow::Result<Option<CloudClient>> {
    let w = &ctx.config.whatsapp;
    let Some(token) = w.access_token().filter(|_| w.sender_enabled()) else {
        return Ok(None);
    };
    let mut config = CloudApiConfig::new(w.phone_number_id.clone(), Secret::new(token.expose()));
    config.base_url = w.graph_url.trim_end_matches('/').to_owned();
    config.backup_url = w.backup_graph_url.clone();
    config.api_version = w.api_version.clone();
    config.slow_probe = Duration::from_millis(w.slow_probe_ms);
    Ok(Some(CloudClient::new(config)?))
}

/// What the edge's threads share with the process.
pub(crate) struct Running<'a> {
    pub(crate) ctx: &'a Context,
    pub(crate) log: &'a Arc<dyn EventLog>,
    pub(crate) metrics: &'a Metrics,
    pub(crate) runtime: &'a tokio::runtime::Runtime,
    /// Stops the threads when cancelled.
    pub(crate) shutdown: &'a CancellationToken,
}

/// Starts the sender on its own thread; it stops when `shutdown` is cancelled.
pub(crate) fn spawn_sender(
    run: &Running<'_>,
    client: CloudClient,
    states: Arc<dyn CustomerStates>,
    pack: Arc<RulePack>,
) -> anyhow::Result<JoinHandle<anyhow::Result<()>>> {
    let Running {
        ctx,
        log,
        metrics,
        runtime,
        shutdown,
    } = *run;
    let w = &ctx.config.whatsapp;
    let dir = edge_dir(ctx, "sender");
    let clock = SystemClock::shared();
    let mut options = SenderOptions::new(
        ctx.topic_name(TopicKind::Triggers),
        ctx.config.log.partitions,
    );
    options.empty_parameter = w.empty_parameter.clone();
    let per_second =
        NonZeroU32::new(w.messages_per_second).context("whatsapp.messages_per_second")?;
    {
        let client = client.clone();
        let interval = Duration::from_secs(w.probe_interval_s.max(1));
        let shutdown = shutdown.clone();
        let on_backup = metrics.on_backup.clone();
        runtime.spawn(async move {
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
    let worker = Sender::worker(SenderParts {
        log: log.clone(),
        ledger_dir: dir.clone(),
        client,
        throttle: Throttle::new(per_second, clock.clone()),
        states,
        pack,
        codec: ctx.codec.clone(),
        triggers_schema: ctx.value_schema(TopicKind::Triggers)?,
        conversation: ingest(ctx, TopicKind::Conversation)?,
        dlq: ingest(ctx, TopicKind::Dlq)?,
        options,
        metrics: metrics.clone(),
        clock,
    })
    .with_context(|| format!("starting the sender with its ledger in {}", dir.display()))?;
    on_thread(
        run,
        "scrm-sender",
        "whatsapp sender",
        worker.run(shutdown.clone()),
    )
}

/// Runs a delivery worker on a thread of its own, on the shared runtime; the thread's
/// result names the worker.
fn on_thread<E>(
    run: &Running<'_>,
    thread: &str,
    what: &'static str,
    work: impl std::future::Future<Output = Result<(), E>> + Send + 'static,
) -> anyhow::Result<JoinHandle<anyhow::Result<()>>>
where
    E: std::error::Error + Send + Sync + 'static,
{
    let handle = run.runtime.handle().clone();
    Ok(std::thread::Builder::new()
        .name(thread.into())
        .spawn(move || handle.block_on(work).context(what))?)
}

/// Starts the media fetcher on its own thread; it stops when `shutdown` is cancelled.
pub(crate) fn spawn_media(
    run: &Running<'_>,
    client: CloudClient,
) -> anyhow::Result<JoinHandle<anyhow::Result<()>>> {
    let Running {
        ctx,
        log,
        metrics,
        runtime: _,
        shutdown,
    } = *run;
    let dir = edge_dir(ctx, "media-ledger");
    let media_dir = ctx
        .config
        .whatsapp
        .media_dir
        .clone()
        .unwrap_or_else(|| ctx.config.log.data_dir.join("media"));
    let worker = MediaFetcher::worker(MediaParts {
        log: log.clone(),
        ledger_dir: dir.clone(),
        client,
        codec: ctx.codec.clone(),
        conversation_schema: ctx.value_schema(TopicKind::Conversation)?,
        conversation: ingest(ctx, TopicKind::Conversation)?,
        dlq: ingest(ctx, TopicKind::Dlq)?,
        partitions: ctx.config.log.partitions,
        dir: media_dir,
        metrics: metrics.clone(),
        clock: SystemClock::shared(),
    })
    .with_context(|| {
        format!(
            "starting the media fetcher with its ledger in {}",
            dir.display()
        )
    })?;
    on_thread(
        run,
        "scrm-media",
        "media fetcher",
        worker.run(shutdown.clone()),
    )
}
