//! `scrm gateway` and `scrm sender`: the WhatsApp edge on its own, beside processors that
//! run elsewhere (Kafka). On the embedded log, run `scrm serve`, which has all of it in one
//! process.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use prometheus_client::registry::Registry;
use scrm_http::{ApiState, Health, Secret};
use scrm_log::EventLog;
use scrm_schema::TopicKind;
use scrm_whatsapp::{HttpStates, Metrics};
use tokio_util::sync::CancellationToken;

use super::{edge, process};
use crate::cli::EdgeArgs;
use crate::context::{Access, Context};

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?)
}

fn listen(ctx: &Context, args: &EdgeArgs) -> anyhow::Result<SocketAddr> {
    let listen = args
        .listen
        .clone()
        .unwrap_or_else(|| ctx.config.api.listen.clone());
    listen
        .parse()
        .with_context(|| format!("api.listen {listen:?} is not an address:port"))
}

pub(crate) fn run_gateway(ctx: &Context, args: EdgeArgs) -> anyhow::Result<ExitCode> {
    let log: Arc<dyn EventLog> = Arc::from(ctx.open_log(Access::ReadWrite)?);
    ctx.ensure_topics(log.as_ref(), &[TopicKind::Conversation, TopicKind::Dlq])?;
    let metrics = Metrics::default();
    let mut registry = Registry::default();
    metrics.register(&mut registry);
    let Some(webhook) = edge::gateway(ctx, &log, &metrics)? else {
        anyhow::bail!(
            "the gateway needs the webhook verify token and app secret: set SCRM_WHATSAPP_VERIFY_TOKEN and SCRM_WHATSAPP_APP_SECRET (or whatsapp.verify_token_file / whatsapp.app_secret_file)"
        );
    };
    let runtime = runtime()?;
    let shutdown = CancellationToken::new();
    runtime.spawn(process::stop_on_signal(shutdown.clone()));
    let media = match edge::cloud_client(ctx)? {
        Some(client) => Some(edge::spawn_media(
            &edge::Running {
                ctx,
                log: &log,
                metrics: &metrics,
                runtime: &runtime,
                shutdown: &shutdown,
            },
            client,
        )?),
        None => {
            eprintln!("scrm: no Cloud API access token: inbound media is not copied");
            None
        }
    };
    let health = Health::new();
    let app = ApiState::new(health.clone(), Arc::new(registry))
        .router()
        .merge(webhook);
    let addr = listen(ctx, &args)?;
    let listener = runtime
        .block_on(scrm_http::bind(addr))
        .with_context(|| format!("listening on {addr}"))?;
    eprintln!(
        "scrm: gateway listening on http://{}{}",
        listener.local_addr()?,
        ctx.config.whatsapp.webhook_path
    );
    health
        .component("gateway")
        .set_ready(true, "accepting webhooks");
    let served = runtime.block_on(scrm_http::serve(listener, app, shutdown.clone()));
    shutdown.cancel();
    if let Some(media) = media {
        media
            .join()
            .map_err(|_| anyhow::anyhow!("the media fetcher panicked"))??;
    }
    served?;
    eprintln!("scrm: gateway stopped");
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn run_sender(ctx: &Context, args: EdgeArgs) -> anyhow::Result<ExitCode> {
    let Some(client) = edge::cloud_client(ctx)? else {
        anyhow::bail!(
            "the sender needs whatsapp.phone_number_id (or SCRM_WHATSAPP_PHONE_NUMBER_ID) and an access token (SCRM_WHATSAPP_ACCESS_TOKEN or whatsapp.access_token_file)"
        );
    };
    let Some(state_url) = ctx.config.whatsapp.state_url.as_deref() else {
        anyhow::bail!(
            "the sender rechecks each trigger against the customer's state: set whatsapp.state_url to a running processor's API (or run `scrm serve`, which has the sender inside)"
        );
    };
    let token = ctx.config.api.token().context(
        "whatsapp.state_url needs the API's bearer token (SCRM_API_TOKEN or api.token_file)",
    )?;
    let states =
        Arc::new(HttpStates::new(state_url, Secret::new(token)).map_err(|e| anyhow::anyhow!(e))?);
    let pack = Arc::new(super::rules::load(
        args.rules.as_deref(),
        ctx.config.processor.rule_pack.as_deref(),
    )?);
    let log: Arc<dyn EventLog> = Arc::from(ctx.open_log(Access::ReadWrite)?);
    ctx.ensure_topics(
        log.as_ref(),
        &[TopicKind::Triggers, TopicKind::Conversation, TopicKind::Dlq],
    )?;
    let metrics = Metrics::default();
    let mut registry = Registry::default();
    metrics.register(&mut registry);
    let runtime = runtime()?;
    let shutdown = CancellationToken::new();
    runtime.spawn(process::stop_on_signal(shutdown.clone()));
    let sender = edge::spawn_sender(
        &edge::Running {
            ctx,
            log: &log,
            metrics: &metrics,
            runtime: &runtime,
            shutdown: &shutdown,
        },
        client,
        states,
        pack,
    )?;
    let health = Health::new();
    let app = ApiState::new(health.clone(), Arc::new(registry)).router();
    let addr = listen(ctx, &args)?;
    let listener = runtime
        .block_on(scrm_http::bind(addr))
        .with_context(|| format!("listening on {addr}"))?;
    eprintln!(
        "scrm: sender running; health and metrics on http://{}",
        listener.local_addr()?
    );
    health.component("sender").set_ready(true, "sending");
    let server = runtime.spawn(scrm_http::serve(listener, app, shutdown.clone()));
    let result = sender
        .join()
        .map_err(|_| anyhow::anyhow!("the sender panicked"))?;
    shutdown.cancel();
    let _ = runtime.block_on(server);
    result?;
    eprintln!("scrm: sender stopped; every result recorded");
    Ok(ExitCode::SUCCESS)
}
