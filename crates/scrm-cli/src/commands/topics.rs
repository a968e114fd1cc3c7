//! `scrm topics create|list`.

use std::process::ExitCode;

use scrm_log::EnsureOutcome;
use scrm_schema::TopicKind;

use crate::cli::TopicsAction;
use scrm_app::{Access, App as Context};

pub(crate) fn run(ctx: &Context, action: TopicsAction) -> anyhow::Result<ExitCode> {
    match action {
        TopicsAction::Create => {
            let log = ctx.open_log(Access::ReadWrite)?;
            for (kind, outcome) in ctx.ensure_topics(log.as_ref(), &TopicKind::ALL)? {
                let what = match outcome {
                    EnsureOutcome::Created => "created",
                    EnsureOutcome::AlreadyCorrect => "exists, settings match",
                };
                println!("{:<32} {what}", ctx.topic_name(kind));
            }
            Ok(ExitCode::SUCCESS)
        }
        TopicsAction::List => {
            let log = ctx.open_log(Access::ReadOnly)?;
            let mut all_good = true;
            for kind in TopicKind::ALL {
                let wanted = ctx.spec(kind);
                let line = match log.describe_topic(&wanted.name)? {
                    None => {
                        all_good = false;
                        "missing (run `scrm topics create`)".to_owned()
                    }
                    Some(existing) => {
                        let problems = wanted.problems_with(&existing);
                        let retention = existing
                            .retention_ms
                            .map(|r| format!("{:.0} days", r as f64 / 86_400_000.0))
                            .unwrap_or_else(|| "for ever".into());
                        let policy = if existing.compact {
                            "compact"
                        } else {
                            "delete"
                        };
                        let mut line = format!(
                            "{} partitions, {policy}, retention {retention}",
                            existing.partitions
                        );
                        if !problems.is_empty() {
                            all_good = false;
                            line.push_str(&format!(" — NOT USABLE: {}", problems.join("; ")));
                        }
                        line
                    }
                };
                println!("{:<32} {line}", wanted.name);
            }
            Ok(if all_good {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
    }
}
