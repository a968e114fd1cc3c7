//! Checking `[[rule]]` entries: when a rule runs, its conditions and its actions.

use std::collections::{BTreeMap, BTreeSet};

use toml::Value;

use super::duration::format_duration;
use super::error::Problems;
use super::format::{OneOrMany, RuleEntry, Table};
use super::read::Reader;
use crate::action::Action;
use crate::condition::{Bounds, Condition, EventField};
use crate::effects::{Severity, TemplateCategory};
use crate::event_kind::EventKind;
use crate::rule::{Rule, RuleKind, Schedule};
use crate::text::{parse_moment, Scope, Text};

/// What rules are checked against.
pub(crate) struct RuleCx<'a> {
    pub(crate) intents: BTreeSet<String>,
    pub(crate) templates: &'a BTreeMap<String, (TemplateCategory, Vec<String>, usize)>,
    pub(crate) seasons: &'a BTreeMap<String, Vec<(u32, u32)>>,
    pub(crate) retention_ms: i64,
    /// Counters read by the rules, with the longest window each must answer.
    pub(crate) counters: BTreeMap<String, i64>,
}

const CONDITIONS: &[&str] = &[
    "intent",
    "count",
    "total",
    "consecutive",
    "since",
    "tag",
    "no_tag",
    "segment",
    "priority",
    "sentiment_below",
    "sentiment_above",
    "has_order",
    "order_status",
    "event_has",
    "unread_for",
    "opted_in",
    "opted_out",
    "in_season",
    "language",
    "not",
    "any",
    "median_response",
    "complaint_rate",
];

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

fn conditions(
    tables: &[Table],
    scope: Scope,
    rule: &str,
    cx: &mut RuleCx<'_>,
    problems: &mut Problems<'_>,
) -> Vec<Condition> {
    tables
        .iter()
        .filter_map(|t| condition(t.get_ref(), t.span().start, scope, rule, cx, problems))
        .collect()
}

fn bounds(r: &mut Reader<'_, '_, '_>, as_duration: bool) -> Bounds {
    let get = |r: &mut Reader<'_, '_, '_>, key: &str| {
        if as_duration {
            r.duration(key).map(|ms| ms as f64)
        } else {
            r.number(key)
        }
    };
    let b = Bounds {
        more_than: get(r, "more_than"),
        at_least: get(r, "at_least"),
        less_than: get(r, "less_than"),
        at_most: get(r, "at_most"),
    };
    let given = ["more_than", "at_least", "less_than", "at_most"]
        .iter()
        .any(|k| r.has(k));
    if b.is_empty() && !given {
        r.problem("needs a bound: more_than, at_least, less_than or at_most");
    } else if !b.satisfiable() {
        r.problem("impossible bounds: no value satisfies all of them");
    }
    b
}

fn intent_id(r: &mut Reader<'_, '_, '_>, id: &str, cx: &RuleCx<'_>) -> Option<String> {
    if cx.intents.contains(id) {
        Some(id.to_owned())
    } else {
        r.problem(format!(
            "unknown intent {id:?}; the pack's intents are: {}",
            cx.intents.iter().cloned().collect::<Vec<_>>().join(", ")
        ));
        None
    }
}

fn window(r: &mut Reader<'_, '_, '_>, cx: &RuleCx<'_>) -> Option<(i64, i64)> {
    let (from, to) = match (r.has("within"), r.has("between")) {
        (true, false) => (r.duration("within")?, 0),
        (false, true) => {
            let spans = r.strings("between")?;
            let [from, to] = spans.as_slice() else {
                r.problem("`between` takes two durations: [\"14d\", \"7d\"] counts from 14 days ago to 7 days ago");
                return None;
            };
            let parse =
                |r: &mut Reader<'_, '_, '_>, s: &str| match super::duration::parse_duration(s) {
                    Ok(ms) => Some(ms),
                    Err(e) => {
                        r.problem(format!("`between`: {e}"));
                        None
                    }
                };
            let (from, to) = (parse(r, from)?, parse(r, to)?);
            if from <= to {
                r.problem(format!(
                    "impossible window: `between` must go from further back to nearer ({} is not before {})",
                    format_duration(from), format_duration(to)
                ));
                return None;
            }
            (from, to)
        }
        _ => {
            r.problem("needs exactly one of `within` (a duration) or `between` ([from, to] durations ago)");
            return None;
        }
    };
    if from > cx.retention_ms {
        r.problem(format!(
            "impossible window of {}: state is kept {}",
            format_duration(from),
            format_duration(cx.retention_ms)
        ));
        return None;
    }
    Some((from, to))
}

fn counter_name(r: &mut Reader<'_, '_, '_>, name: &str, cx: &RuleCx<'_>) -> Option<String> {
    let known =
        ["inbound", "outbound", "interactions"].contains(&name) || EventKind::parse(name).is_some();
    if known {
        return Some(name.to_owned());
    }
    match name.strip_prefix("intent:") {
        Some(id) => intent_id(r, id, cx).map(|id| crate::fold::counters::intent(&id)),
        None => {
            r.problem(format!(
                "unknown counter {name:?}; use inbound, outbound, interactions, intent:<id> or an event kind"
            ));
            None
        }
    }
}

fn condition(
    table: &toml::Table,
    at: usize,
    scope: Scope,
    rule: &str,
    cx: &mut RuleCx<'_>,
    problems: &mut Problems<'_>,
) -> Option<Condition> {
    let subjects: Vec<&str> = CONDITIONS
        .iter()
        .copied()
        .filter(|k| table.contains_key(*k))
        .collect();
    let mut r = Reader::new(table, at, "condition", problems);
    let [subject] = subjects.as_slice() else {
        if subjects.is_empty() {
            let keys: Vec<&String> = table.keys().collect();
            r.problem(format!(
                "rule {rule}: no condition in {keys:?}; a condition is one of: {}",
                CONDITIONS.join(", ")
            ));
        } else {
            r.problem(format!(
                "rule {rule}: one condition per table, found {}; list them separately in `when`",
                subjects.join(" and ")
            ));
        }
        return None;
    };
    let aggregate = matches!(
        *subject,
        "median_response" | "complaint_rate" | "not" | "any"
    );
    let wanted = match *subject {
        "median_response" => Scope::Agents,
        "complaint_rate" => Scope::Business,
        _ => Scope::Customers,
    };
    if (!aggregate || matches!(*subject, "median_response" | "complaint_rate")) && wanted != scope {
        r.problem(format!(
            "rule {rule}: `{subject}` is not available in a rule with scope {}",
            match scope {
                Scope::Customers => "customers (the default)",
                Scope::Agents => "agents",
                Scope::Business => "business",
            }
        ));
        return None;
    }
    let c = match *subject {
        "intent" => {
            let ids = r.strings("intent")?;
            let ids: Option<BTreeSet<String>> =
                ids.iter().map(|i| intent_id(&mut r, i, cx)).collect();
            Condition::Intent(ids?)
        }
        "count" => {
            let name = r.string("count")?;
            let counter = counter_name(&mut r, &name, cx)?;
            let (from_ms, to_ms) = window(&mut r, cx)?;
            let horizon = cx.counters.entry(counter.clone()).or_insert(0);
            *horizon = (*horizon).max(from_ms);
            Condition::Count {
                counter,
                from_ms,
                to_ms,
                bounds: bounds(&mut r, false),
            }
        }
        "total" | "consecutive" => {
            let id = r.string(subject)?;
            let intent = intent_id(&mut r, &id, cx)?;
            let bounds = bounds(&mut r, false);
            if *subject == "total" {
                Condition::Total { intent, bounds }
            } else {
                Condition::Consecutive { intent, bounds }
            }
        }
        "since" => {
            let name = r.string("since")?;
            let moment = match parse_moment(&name) {
                Ok(m) => m,
                Err(e) => {
                    r.problem(e);
                    return None;
                }
            };
            let or_never = r.boolean("or_never").unwrap_or(false);
            Condition::Since {
                moment,
                bounds: bounds(&mut r, true),
                or_never,
            }
        }
        "tag" => Condition::Tag(r.string("tag")?),
        "no_tag" => Condition::NoTag(r.string("no_tag")?),
        "segment" => Condition::Segment(r.string("segment")?),
        "priority" => Condition::Priority(r.string("priority")?),
        "sentiment_below" | "sentiment_above" => {
            let x = r.number(subject)?;
            if !(0.0..=1.0).contains(&x) {
                r.problem(format!("`{subject}` = {x}: sentiment is between 0 and 1"));
                return None;
            }
            if *subject == "sentiment_below" {
                Condition::SentimentBelow(x as f32)
            } else {
                Condition::SentimentAbove(x as f32)
            }
        }
        "has_order" => Condition::HasOrder(r.boolean("has_order")?),
        "order_status" => {
            let statuses = r.strings("order_status")?;
            for s in &statuses {
                if !["placed", "paid", "shipped", "delivered", "returned"].contains(&s.as_str()) {
                    r.problem(format!("unknown order status {s:?}; use placed, paid, shipped, delivered or returned"));
                    return None;
                }
            }
            Condition::OrderStatus(statuses.into_iter().collect())
        }
        "event_has" => {
            let field = r.string("event_has")?;
            Condition::EventHas(match field.as_str() {
                "sku" => EventField::Sku,
                "campaign" => EventField::Campaign,
                "tracking" => EventField::Tracking,
                "text" => EventField::Text,
                "location" => EventField::Location,
                other => {
                    r.problem(format!("unknown event field {other:?}; use sku, campaign, tracking, text or location"));
                    return None;
                }
            })
        }
        "unread_for" => Condition::UnreadFor(r.duration("unread_for")?),
        "opted_in" => Condition::OptedIn(r.boolean("opted_in")?),
        "opted_out" => Condition::OptedOut(r.boolean("opted_out")?),
        "in_season" => {
            let name = r.string("in_season")?;
            match cx.seasons.get(&name) {
                Some(ranges) => Condition::InSeason(ranges.clone()),
                None => {
                    r.problem(format!(
                        "unknown season {name:?}; declare it under [seasons]"
                    ));
                    return None;
                }
            }
        }
        "language" => Condition::Language(r.string("language")?),
        "not" => {
            let inner = r.table("not")?;
            let at = r.at;
            r.finish("`not` takes one condition table");
            return condition(inner, at, scope, rule, cx, problems)
                .map(|c| Condition::Not(Box::new(c)));
        }
        "any" => {
            let Some(Value::Array(items)) = r.value("any") else {
                r.problem("`any` takes a list of condition tables");
                return None;
            };
            let at = r.at;
            r.finish("`any` takes a list of condition tables");
            let mut cs = Vec::new();
            for item in items {
                match item {
                    Value::Table(t) => cs.push(condition(t, at, scope, rule, cx, problems)?),
                    other => {
                        problems.at(
                            at,
                            format!("condition: `any` takes condition tables, found {other}"),
                        );
                        return None;
                    }
                }
            }
            return Some(Condition::Any(cs));
        }
        "median_response" => {
            let period = r.duration("median_response")?;
            let min_replies = r.number("min_replies").unwrap_or(1.0).max(0.0) as u64;
            let days = days_of(&mut r, period)?;
            Condition::MedianResponse {
                days,
                bounds: bounds(&mut r, true),
                min_replies,
            }
        }
        "complaint_rate" => {
            let period = r.duration("complaint_rate")?;
            let days = days_of(&mut r, period)?;
            let min_inbound = r.number("min_inbound").unwrap_or(1.0).max(0.0) as u64;
            let b = bounds(&mut r, false);
            Condition::ComplaintRate {
                days,
                bounds: b,
                min_inbound,
            }
        }
        _ => unreachable!("every condition key is handled"),
    };
    r.finish(&format!("see docs/rules.md for what `{subject}` accepts"));
    Some(c)
}

fn days_of(r: &mut Reader<'_, '_, '_>, period_ms: i64) -> Option<i64> {
    const DAY: i64 = 86_400_000;
    if period_ms % DAY != 0 || period_ms / DAY > 7 {
        r.problem(format!(
            "impossible window of {}: aggregates are kept per day for 7 days; use 1d … 7d",
            format_duration(period_ms)
        ));
        return None;
    }
    Some(period_ms / DAY)
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
