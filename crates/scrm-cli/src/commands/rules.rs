//! `scrm rules check PACK` and `scrm rules default`: the rule pack without running it.

use std::process::ExitCode;

use scrm_rules::{RuleKind, RulePack, Scope, DEFAULT_PACK};

use crate::cli::RulesAction;

pub(crate) fn run(action: RulesAction) -> anyhow::Result<ExitCode> {
    match action {
        RulesAction::Default => {
            print!("{DEFAULT_PACK}");
            Ok(ExitCode::SUCCESS)
        }
        RulesAction::Check { pack } => match RulePack::load(&pack) {
            Ok(pack) => {
                println!(
                    "{}: rule pack {:?} is valid: {} rules, {} intents, {} templates, time zone {}",
                    pack.file,
                    pack.name,
                    pack.rules.len(),
                    pack.analyzer.intent_ids().count(),
                    pack.templates.len(),
                    pack.business.time_zone
                );
                for rule in &pack.rules {
                    let when = match &rule.kind {
                        RuleKind::OnEvent { on } => {
                            format!(
                                "on {}",
                                on.iter().map(|k| k.name()).collect::<Vec<_>>().join(", ")
                            )
                        }
                        RuleKind::Wait { on, wait_ms, .. } => format!(
                            "{} after {}",
                            scrm_rules::pack::format_duration(*wait_ms),
                            on.iter().map(|k| k.name()).collect::<Vec<_>>().join(", ")
                        ),
                        RuleKind::Scheduled { schedule, scope } => format!(
                            "{} at {} over {}",
                            schedule
                                .weekday
                                .map_or("daily".to_owned(), |d| format!("{d:?}s")),
                            schedule.at,
                            match scope {
                                Scope::Customers => "customers",
                                Scope::Agents => "agents",
                                Scope::Business => "the business",
                            }
                        ),
                    };
                    println!("  line {:>4}  {:<28} {when}", rule.line, rule.id);
                }
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => {
                eprintln!("{e}");
                eprintln!(
                    "scrm: the rule pack has {} problem(s); nothing was loaded",
                    e.problems.len()
                );
                Ok(ExitCode::from(2))
            }
        },
    }
}
