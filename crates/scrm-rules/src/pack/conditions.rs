//! Checking a rule's conditions (`when`, `when_due`): each `[[rule.when]]` table becomes
//! a [`Condition`], or problems that name the key and its line.

use std::collections::BTreeSet;

use toml::Value;

use super::duration::format_duration;
use super::error::Problems;
use super::format::Table;
use super::read::Reader;
use super::rules::RuleCx;
use crate::condition::{Bounds, Condition, EventField};
use crate::event_kind::EventKind;
use crate::text::{parse_moment, Scope};

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

pub(super) fn conditions(
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
