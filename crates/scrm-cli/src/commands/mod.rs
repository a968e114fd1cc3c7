//! One module per subcommand.

mod customer;
mod demo;
mod edge;
mod gateway;
mod process;
mod produce;
mod rules;
mod tail;
mod topics;

use std::process::ExitCode;

use crate::cli::{Cli, Command};
use crate::context::Context;

pub(crate) fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    // Checking a rule pack needs no configuration, log or store.
    if let Command::Rules { action } = cli.command {
        return rules::run(action);
    }
    let ctx = Context::new(&cli.global)?;
    match cli.command {
        Command::Topics { action } => topics::run(&ctx, action),
        Command::Produce(args) => produce::run(&ctx, args),
        Command::Tail(args) => tail::run(&ctx, args),
        Command::Demo(args) => demo::run(&ctx, args),
        Command::Process(args) => process::run(&ctx, args, false),
        Command::Serve(args) => process::run(&ctx, args, true),
        Command::Gateway(args) => gateway::run_gateway(&ctx, args),
        Command::Sender(args) => gateway::run_sender(&ctx, args),
        Command::Customer(args) => customer::run(&ctx, args),
        Command::Rules { .. } => unreachable!("handled above"),
    }
}
