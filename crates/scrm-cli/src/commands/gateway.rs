//! `scrm gateway`, `scrm sender` and `scrm sink`: the WhatsApp edge and the CRM sinks on
//! their own, beside processors that run elsewhere (Kafka). On the embedded log, run
//! `scrm serve`, which has all of it in one process.

use std::process::ExitCode;

use scrm_app::{App, Service, ServiceKind, SinkKind};

use crate::cli::{CrmSink, SinkArgs};

use super::process::{report, stop_on_signal};

pub(crate) fn run_gateway(app: &App) -> anyhow::Result<ExitCode> {
    let service = Service::start(app, ServiceKind::Gateway)?;
    report(&service);
    if let Some(addr) = service.api_addr() {
        eprintln!(
            "scrm: gateway listening on http://{addr}{}",
            app.config.whatsapp.webhook_path
        );
    }
    service.runtime().spawn(stop_on_signal(service.shutdown()));
    service.run()?;
    eprintln!("scrm: gateway stopped");
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn run_sender(app: &App) -> anyhow::Result<ExitCode> {
    let service = Service::start(app, ServiceKind::Sender)?;
    report(&service);
    if let Some(addr) = service.api_addr() {
        eprintln!("scrm: sender running; health and metrics on http://{addr}");
    }
    service.runtime().spawn(stop_on_signal(service.shutdown()));
    service.run()?;
    eprintln!("scrm: sender stopped; every result recorded");
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn run_sink(app: &App, args: &SinkArgs) -> anyhow::Result<ExitCode> {
    let crm = match args.crm {
        CrmSink::Webhook => SinkKind::Webhook,
        CrmSink::Hubspot => SinkKind::Hubspot,
    };
    let service = Service::start(app, ServiceKind::Sink { crm })?;
    report(&service);
    if let Some(addr) = service.api_addr() {
        eprintln!(
            "scrm: {} sink running; health and metrics on http://{addr}",
            crm.name()
        );
    }
    service.runtime().spawn(stop_on_signal(service.shutdown()));
    service.run()?;
    eprintln!("scrm: {} sink stopped; every answer recorded", crm.name());
    Ok(ExitCode::SUCCESS)
}
