//! One module per subcommand.

mod customer;
mod demo;
mod gateway;
mod process;
mod produce;
mod rules;
mod tail;
mod topics;

use std::process::ExitCode;

use scrm_app::{App, Config, Overrides};
use scrm_config::Env;

use crate::cli::{Cli, Command};

pub(crate) fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    // Checking a rule pack needs no configuration, log or store.
    if let Command::Rules { action } = cli.command {
        return rules::run(action);
    }
    let app = App::new(Config::load(
        cli.global.config.as_deref(),
        &Env::process(),
        &overrides(&cli),
    )?)?;
    match cli.command {
        Command::Topics { action } => topics::run(&app, action),
        Command::Produce(args) => produce::run(&app, args),
        Command::Tail(args) => tail::run(&app, args),
        Command::Demo(args) => demo::run(&app, args),
        Command::Process(args) => process::run(&app, args, false),
        Command::Serve(args) => process::run(&app, args, true),
        Command::Gateway(_) => gateway::run_gateway(&app),
        Command::Sender(_) => gateway::run_sender(&app),
        Command::Sink(args) => gateway::run_sink(&app, &args),
        Command::Customer(args) => customer::run(&app, args),
        Command::Rules { .. } => unreachable!("handled above"),
    }
}

/// The flags that override the file and the environment: the global ones and a
/// service's `--listen` and `--rules`.
fn overrides(cli: &Cli) -> Overrides {
    let g = &cli.global;
    let (listen, rule_pack) = match &cli.command {
        Command::Process(a) | Command::Serve(a) => (a.listen, a.rules.clone()),
        Command::Gateway(a) | Command::Sender(a) => (a.listen, a.rules.clone()),
        Command::Sink(a) => (a.listen, None),
        _ => (None, None),
    };
    Overrides {
        data_dir: g.data_dir.clone(),
        brokers: g.brokers.clone(),
        topic_prefix: g.topic_prefix.clone(),
        partitions: g.partitions,
        region: g.region,
        rule_pack,
        listen,
    }
}
