//! `scrm process` and `scrm serve`: the processor with its HTTP API (and, in `serve`, the
//! WhatsApp edge), until SIGTERM. The service itself is `scrm_app::Service`; this module
//! installs the signal handlers and reports.

use std::process::ExitCode;
use std::sync::Arc;

use scrm_app::{App, RunMode, Service, ServiceKind};
use tokio_util::sync::CancellationToken;

use crate::cli::ProcessArgs;

pub(crate) fn run(app: &App, args: ProcessArgs, serve: bool) -> anyhow::Result<ExitCode> {
    let run = RunMode {
        event_time: args.event_time,
        exit_when_caught_up: args.exit_when_caught_up,
    };
    let api = !args.no_api;
    let kind = if serve {
        ServiceKind::Serve { run, api }
    } else {
        ServiceKind::Process { run, api }
    };
    let service = Service::start(app, kind)?;
    report(&service);
    if let Some(addr) = service.api_addr() {
        eprintln!("scrm: API listening on http://{addr}");
    }
    let runtime = service.runtime();
    runtime.spawn(stop_on_signal(service.shutdown()));
    if let Some(handle) = service.processor() {
        runtime.spawn(reload_on_hangup(
            handle,
            app.config.processor.rule_pack.clone(),
            service.shutdown(),
        ));
    }
    service.run()?;
    eprintln!("scrm: processor stopped; all work committed");
    Ok(ExitCode::SUCCESS)
}

/// What the service left off, and why.
pub(crate) fn report(service: &Service) {
    for note in service.notes() {
        eprintln!("scrm: {note}");
    }
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
