//! Checking `[[rule]]` entries: when a rule runs, its conditions and its actions.

use std::collections::{BTreeMap, BTreeSet};

use toml::Value;

use super::conditions::conditions;
use super::duration::format_duration;
use super::error::Problems;
use super::format::{OneOrMany, RuleEntry, Table};
use super::read::Reader;
use crate::action::Action;
use crate::effects::{Severity, TemplateCategory};
use crate::event_kind::EventKind;
use crate::rule::{Rule, RuleKind, Schedule};
use crate::text::{Scope, Text};

/// What rules are checked against.
pub(crate) struct RuleCx<'a> {
    pub(crate) intents: BTreeSet<String>,
    pub(crate) templates: &'a BTreeMap<String, (TemplateCategory, Vec<String>, usize)>,
    pub(crate) seasons: &'a BTreeMap<String, Vec<(u32, u32)>>,
    pub(crate) retention_ms: i64,
    /// Counters read by the rules, with the longest window each must answer.
    pub(crate) counters: BTreeMap<String, i64>,
}

const ACTIONS: &[&str] = &[
    "tag",
    "untag",
    "segment",
    "priority",
    "pause",
    "resume",
    "send_template",
    "send_text",
    "crm_upsert",
    "crm_task",
    "crm_note",
    "alert",
];

fn kinds(
    spec: &OneOrMany,
    at: usize,
    what: &str,
    problems: &mut Problems<'_>,
) -> BTreeSet<EventKind> {
    let mut out = BTreeSet::new();
    for name in spec.items() {
        match EventKind::parse(name) {
            Some(k) => {
                out.insert(k);
            }
            None => problems.at(
                at,
                format!(
                    "`{what}`: unknown event kind {name:?}; known: {}",
                    EventKind::ALL.map(|k| k.name()).join(", ")
                ),
            ),
        }
    }
    out
}

pub(crate) fn rule(
    entry: &toml::Spanned<RuleEntry>,
    cx: &mut RuleCx<'_>,
    problems: &mut Problems<'_>,
) -> Option<Rule> {
    let at = entry.span().start;
    let r = entry.get_ref();
    let id = r.id.get_ref().clone();
    let before = problems_len(problems);
    if id.is_empty()
        || !id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        problems.at(
            r.id.span().start,
            format!(
                "rule id {id:?} must be lowercase letters, digits and _ (it is part of output ids)"
            ),
        );
    }
    let scope = match &r.scope {
        None => Scope::Customers,
        Some(s) => match s.get_ref().as_str() {
            "customers" => Scope::Customers,
            "agents" => Scope::Agents,
            "business" => Scope::Business,
            other => {
                problems.at(
                    s.span().start,
                    format!(
                        "rule {id}: unknown scope {other:?}; use customers, agents or business"
                    ),
                );
                Scope::Customers
            }
        },
    };
    let kind = match (&r.on, &r.schedule) {
        (Some(_), Some(s)) => {
            problems.at(s.span().start, format!("rule {id}: has both `on` and `schedule`; a rule runs on events or on a schedule, not both"));
            None
        }
        (None, None) => {
            problems.at(
                at,
                format!("rule {id}: needs `on` (event kinds) or `schedule`"),
            );
            None
        }
        (Some(on), None) => {
            if let Some(s) = &r.scope {
                problems.at(
                    s.span().start,
                    format!("rule {id}: `scope` is for scheduled rules"),
                );
            }
            let on_kinds = kinds(on.get_ref(), on.span().start, "on", problems);
            match &r.wait {
                None => {
                    for (key, present) in [
                        ("unless", r.unless.is_some()),
                        ("when_due", !r.when_due.is_empty()),
                        ("restart", r.restart.is_some()),
                    ] {
                        if present {
                            problems.at(at, format!("rule {id}: `{key}` needs `wait`"));
                        }
                    }
                    Some(RuleKind::OnEvent { on: on_kinds })
                }
                Some(wait) => {
                    let wait_ms = duration(wait, problems);
                    if let Some(ms) = wait_ms {
                        if ms > cx.retention_ms {
                            problems.at(wait.span().start, format!(
                                "rule {id}: impossible wait of {}: a customer's state is kept {} after their last event",
                                wait.get_ref(), format_duration(cx.retention_ms)
                            ));
                        }
                    }
                    let unless = r
                        .unless
                        .as_ref()
                        .map(|u| kinds(u.get_ref(), u.span().start, "unless", problems))
                        .unwrap_or_default();
                    let when_due = conditions(&r.when_due, Scope::Customers, &id, cx, problems);
                    Some(RuleKind::Wait {
                        on: on_kinds,
                        wait_ms: wait_ms.unwrap_or(1),
                        unless,
                        restart: r.restart.unwrap_or(true),
                        when_due,
                    })
                }
            }
        }
        (None, Some(s)) => {
            if r.wait.is_some() || r.unless.is_some() {
                problems.at(
                    s.span().start,
                    format!("rule {id}: a scheduled rule cannot `wait`; use `since` conditions"),
                );
            }
            schedule(s, problems).map(|schedule| RuleKind::Scheduled { schedule, scope })
        }
    };
    let scope = match kind {
        Some(RuleKind::Scheduled { scope, .. }) => scope,
        _ => Scope::Customers,
    };
    let when = conditions(&r.when, scope, &id, cx, problems);
    if r.then.is_empty() {
        problems.at(
            at,
            format!("rule {id}: `then` is empty; a rule must do something"),
        );
    }
    let then: Vec<Action> = r
        .then
        .iter()
        .filter_map(|t| action(t, scope, &id, cx, problems))
        .collect();
    let once_per_ms = r.once_per.as_ref().and_then(|o| duration(o, problems));
    if problems_len(problems) > before {
        return None;
    }
    Some(Rule {
        id,
        description: r.description.clone(),
        line: super::error::position(problems_text(problems), at).0,
        kind: kind?,
        when,
        then,
        once_per_ms,
    })
}

fn problems_len(p: &Problems<'_>) -> usize {
    p.len()
}

fn problems_text<'t>(p: &Problems<'t>) -> &'t str {
    p.text()
}

fn duration(s: &toml::Spanned<String>, problems: &mut Problems<'_>) -> Option<i64> {
    match super::duration::parse_duration(s.get_ref()) {
        Ok(ms) if ms > 0 => Some(ms),
        Ok(_) => {
            problems.at(
                s.span().start,
                format!("duration {:?} must be longer than zero", s.get_ref()),
            );
            None
        }
        Err(e) => {
            problems.at(s.span().start, e);
            None
        }
    }
}

fn schedule(
    s: &toml::Spanned<super::format::ScheduleEntry>,
    problems: &mut Problems<'_>,
) -> Option<Schedule> {
    let at = s.span().start;
    let e = s.get_ref();
    let time = match e.at.parse::<scrm_locale::LocalTime>() {
        Ok(t) => Some(t),
        Err(err) => {
            problems.at(at, format!("schedule: `at` = {:?}: {err}", e.at));
            None
        }
    };
    let weekday = match (e.every.as_str(), &e.day) {
        ("day", None) => Some(None),
        ("day", Some(_)) => {
            problems.at(at, "schedule: `day` is for `every = \"week\"`");
            None
        }
        ("week", Some(d)) => match scrm_locale::parse_weekday(d) {
            Ok(w) => Some(Some(w)),
            Err(err) => {
                problems.at(at, format!("schedule: {err}"));
                None
            }
        },
        ("week", None) => {
            problems.at(at, "schedule: `every = \"week\"` needs `day` (mon … sun)");
            None
        }
        (other, _) => {
            problems.at(
                at,
                format!("schedule: `every` = {other:?}; use \"day\" or \"week\""),
            );
            None
        }
    };
    Some(Schedule {
        weekday: weekday?,
        at: time?,
    })
}

fn action(
    t: &Table,
    scope: Scope,
    rule: &str,
    cx: &RuleCx<'_>,
    problems: &mut Problems<'_>,
) -> Option<Action> {
    let table = t.get_ref();
    let mut verbs: Vec<&str> = ACTIONS
        .iter()
        .copied()
        .filter(|k| table.contains_key(*k))
        .collect();
    // `priority` is also a parameter of `crm_task`.
    if verbs.contains(&"crm_task") {
        verbs.retain(|v| *v != "priority");
    }
    let mut r = Reader::new(table, t.span().start, "action", problems);
    let [verb] = verbs.as_slice() else {
        if verbs.is_empty() {
            r.problem(format!(
                "rule {rule}: no action in {:?}; an action is one of: {}",
                table.keys().collect::<Vec<_>>(),
                ACTIONS.join(", ")
            ));
        } else {
            r.problem(format!(
                "rule {rule}: one action per table, found {}",
                verbs.join(" and ")
            ));
        }
        return None;
    };
    if scope != Scope::Customers && *verb != "alert" {
        r.problem(format!("rule {rule}: a rule about agents or the business can only raise an `alert`, not `{verb}`"));
        return None;
    }
    let text = |r: &mut Reader<'_, '_, '_>, s: &str| match Text::parse(s, scope) {
        Ok(t) => Some(t),
        Err(e) => {
            r.problem(e);
            None
        }
    };
    let a = match *verb {
        "tag" => Action::Tag(r.string("tag")?),
        "untag" => Action::Untag(r.string("untag")?),
        "segment" => {
            let s = r.string("segment")?;
            Action::Segment((!s.is_empty()).then_some(s))
        }
        "priority" => {
            let p = r.string("priority")?;
            if !["high", "normal", "low"].contains(&p.as_str()) {
                r.problem(format!("priority {p:?}: use high, normal or low"));
                return None;
            }
            Action::Priority(p)
        }
        "pause" => Action::Pause(r.duration("pause")?),
        "resume" => {
            r.boolean("resume")?;
            Action::Resume
        }
        "send_template" => {
            let name = r.string("send_template")?;
            let Some((category, languages, count)) = cx.templates.get(&name) else {
                r.problem(format!("unknown template {name:?}; declare it under [templates.{name}] with its category and languages"));
                return None;
            };
            let raw = r.strings("variables").unwrap_or_default();
            if raw.len() != *count {
                r.problem(format!(
                    "template {name:?} takes {count} variable(s), {} given",
                    raw.len()
                ));
                return None;
            }
            let variables: Option<Vec<Text>> = raw.iter().map(|v| text(&mut r, v)).collect();
            let notification = r.string("notification").unwrap_or_else(|| name.clone());
            let best_hour = match r.string("timing").as_deref() {
                None | Some("now") => false,
                Some("best_hour") => true,
                Some(other) => {
                    r.problem(format!(
                        "`timing` = {other:?}: use \"now\" or \"best_hour\""
                    ));
                    return None;
                }
            };
            if best_hour && *category != TemplateCategory::Marketing {
                r.problem("`timing = \"best_hour\"` is for marketing templates");
                return None;
            }
            Action::SendTemplate {
                template: name,
                category: *category,
                languages: languages.clone(),
                variables: variables?,
                notification,
                best_hour,
            }
        }
        "send_text" => {
            let texts = r.table("send_text")?;
            let mut out = BTreeMap::new();
            for (lang, v) in texts {
                match v {
                    Value::String(s) => {
                        out.insert(lang.clone(), text(&mut r, s)?);
                    }
                    other => {
                        r.problem(format!(
                            "`send_text.{lang}` must be a string, found {other}"
                        ));
                        return None;
                    }
                }
            }
            if out.is_empty() {
                r.problem("`send_text` needs a text per language: { en = \"…\", pt = \"…\" }");
                return None;
            }
            let fallback_template = r.string("fallback_template");
            if let Some(f) = &fallback_template {
                if !cx.templates.contains_key(f) {
                    r.problem(format!(
                        "unknown fallback template {f:?}; declare it under [templates.{f}]"
                    ));
                    return None;
                }
            }
            let notification = r.string("notification").unwrap_or_else(|| rule.to_owned());
            Action::SendText {
                texts: out,
                fallback_template,
                notification,
            }
        }
        "crm_upsert" => {
            let fields = r.table("crm_upsert")?;
            let mut out = BTreeMap::new();
            for (k, v) in fields {
                match v {
                    Value::String(s) => {
                        out.insert(k.clone(), Some(text(&mut r, s)?));
                    }
                    Value::Boolean(false) => {
                        out.insert(k.clone(), None);
                    }
                    other => {
                        r.problem(format!("`crm_upsert.{k}` must be a string (or false to clear it), found {other}"));
                        return None;
                    }
                }
            }
            Action::CrmUpsert { fields: out }
        }
        "crm_task" => {
            let subject = r.string("crm_task")?;
            let subject = text(&mut r, &subject)?;
            let body = match r.string("body") {
                Some(b) => Some(text(&mut r, &b)?),
                None => None,
            };
            let due_in_ms = if r.has("due_in") {
                Some(r.duration("due_in")?)
            } else {
                None
            };
            let priority = r.string("priority");
            Action::CrmTask {
                subject,
                body,
                due_in_ms,
                priority,
            }
        }
        "crm_note" => {
            let body = r.string("crm_note")?;
            Action::CrmNote {
                body: text(&mut r, &body)?,
            }
        }
        "alert" => {
            let kind = r.string("alert")?;
            let severity = match r.string("severity").as_deref() {
                None | Some("warning") => Severity::Warning,
                Some("info") => Severity::Info,
                Some("critical") => Severity::Critical,
                Some(other) => {
                    r.problem(format!("severity {other:?}: use info, warning or critical"));
                    return None;
                }
            };
            let message = r.string("message").unwrap_or_else(|| kind.clone());
            let message = text(&mut r, &message)?;
            let subject = match r.string("subject") {
                Some(s) => Some(text(&mut r, &s)?),
                None => None,
            };
            Action::Alert {
                kind,
                severity,
                subject,
                message,
            }
        }
        _ => unreachable!("every action key is handled"),
    };
    r.finish(&format!("see docs/rules.md for what `{verb}` accepts"));
    Some(a)
}
