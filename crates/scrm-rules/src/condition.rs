//! Conditions of a rule over the customer's state, the current event and, for scheduled
//! rules about agents or the business, the partition's aggregates. Evaluation is pure.

use std::collections::BTreeSet;

use scrm_events::{Event, Payload};
use scrm_state::model::RESPONSE_BUCKET_S;
use scrm_state::{CustomerState, DayStats, PartitionStats};

use crate::event_kind::EventKind;

/// A bound on a number: every bound given must hold.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Bounds {
    pub more_than: Option<f64>,
    pub at_least: Option<f64>,
    pub less_than: Option<f64>,
    pub at_most: Option<f64>,
}

impl Bounds {
    pub fn holds(&self, x: f64) -> bool {
        self.more_than.is_none_or(|b| x > b)
            && self.at_least.is_none_or(|b| x >= b)
            && self.less_than.is_none_or(|b| x < b)
            && self.at_most.is_none_or(|b| x <= b)
    }

    pub fn is_empty(&self) -> bool {
        *self == Bounds::default()
    }

    /// Whether some number satisfies every bound.
    pub fn satisfiable(&self) -> bool {
        let pick = |a: Option<f64>, b: Option<f64>, f: fn(f64, f64) -> f64| match (a, b) {
            (Some(a), Some(b)) => Some(f(a, b)),
            (a, b) => a.or(b),
        };
        let low = pick(self.more_than, self.at_least, f64::max);
        let high = pick(self.less_than, self.at_most, f64::min);
        match (low, high) {
            (Some(low), Some(high)) if low < high => true,
            (Some(low), Some(high)) if low == high => {
                // Both ends closed: only `at_least x` with `at_most x`.
                self.more_than != Some(low) && self.less_than != Some(high)
            }
            (Some(_), Some(_)) => false,
            _ => true,
        }
    }
}

/// A moment in the customer's history that `since` measures from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Moment {
    FirstSeen,
    LastEvent,
    LastInbound,
    LastOutbound,
    LastAgent,
    Handoff,
    OptedIn,
    OptedOut,
    /// The latest event of a kind.
    Kind(EventKind),
    /// The last time a rule fired.
    Fired(String),
}

impl Moment {
    pub fn at(&self, state: &CustomerState) -> Option<i64> {
        match self {
            Moment::FirstSeen => Some(state.first_seen_ms),
            Moment::LastEvent => Some(state.last_event_ms),
            Moment::LastInbound => state.last_inbound_ms,
            Moment::LastOutbound => state.last_outbound_ms,
            Moment::LastAgent => state.last_agent_ms,
            Moment::Handoff => state.handoff_ms,
            Moment::OptedIn => state.opted_in_at_ms,
            Moment::OptedOut => state.opted_out_at_ms,
            Moment::Kind(kind) => state.marks.get(kind.name()).copied(),
            Moment::Fired(rule) => state.marks.get(&fired_mark(rule)).copied(),
        }
    }
}

/// Mark under which the last firing of `rule` is remembered.
pub fn fired_mark(rule: &str) -> String {
    format!("rule:{rule}")
}

/// A field the current event may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventField {
    Sku,
    Campaign,
    Tracking,
    Text,
    Location,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// The current inbound message has one of these intents.
    Intent(BTreeSet<String>),
    /// Events counted by `counter` between `from_ms` and `to_ms` before now.
    Count {
        counter: String,
        from_ms: i64,
        to_ms: i64,
        bounds: Bounds,
    },
    /// Inbound messages with an intent, over the customer's whole kept history.
    Total {
        intent: String,
        bounds: Bounds,
    },
    /// Inbound messages in a row, up to the current one, with an intent.
    Consecutive {
        intent: String,
        bounds: Bounds,
    },
    /// Time since a moment (ms); `or_never` decides when it never happened.
    Since {
        moment: Moment,
        bounds: Bounds,
        or_never: bool,
    },
    Tag(String),
    NoTag(String),
    Segment(String),
    Priority(String),
    SentimentBelow(f32),
    SentimentAbove(f32),
    HasOrder(bool),
    /// Status of the latest order is one of these.
    OrderStatus(BTreeSet<String>),
    EventHas(EventField),
    /// An outbound message not read for this long.
    UnreadFor(i64),
    OptedIn(bool),
    OptedOut(bool),
    /// Today (business time) is inside the named season.
    InSeason(Vec<(u32, u32)>),
    /// The customer's language starts with this code.
    Language(String),
    Not(Box<Condition>),
    Any(Vec<Condition>),
    /// Agents scope: median response time over the last `days` local days.
    MedianResponse {
        days: i64,
        bounds: Bounds,
        min_replies: u64,
    },
    /// Business scope: the complaint rate exceeded the bounds on each of the last `days`
    /// complete local days.
    ComplaintRate {
        days: i64,
        bounds: Bounds,
        min_inbound: u64,
    },
}

/// What a condition can look at.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    pub state: &'a CustomerState,
    pub event: Option<&'a Event>,
    pub now_ms: i64,
    /// Month and day of `now_ms` in the business's time zone.
    pub today: (u32, u32),
}

impl Condition {
    pub fn holds(&self, f: &Facts<'_>) -> bool {
        let state = f.state;
        match self {
            Condition::Intent(ids) => {
                matches!(f.event.map(|e| &e.payload), Some(Payload::Inbound(_)))
                    && ids.iter().any(|i| state.last_inbound_keywords.contains(i))
            }
            Condition::Count {
                counter,
                from_ms,
                to_ms,
                bounds,
            } => {
                let n = state.counters.get(counter).map_or(0, |c| {
                    if *to_ms == 0 {
                        c.count_within(*from_ms, f.now_ms)
                    } else {
                        c.count_between(f.now_ms - from_ms, f.now_ms - to_ms)
                    }
                });
                bounds.holds(n as f64)
            }
            Condition::Total { intent, bounds } => {
                bounds.holds(f64::from(state.keywords.get(intent).copied().unwrap_or(0)))
            }
            Condition::Consecutive { intent, bounds } => bounds.holds(f64::from(
                state.consecutive.get(intent).copied().unwrap_or(0),
            )),
            Condition::Since {
                moment,
                bounds,
                or_never,
            } => match moment.at(state) {
                Some(at) => bounds.holds((f.now_ms - at) as f64),
                None => *or_never,
            },
            Condition::Tag(t) => state.tags.contains(t),
            Condition::NoTag(t) => !state.tags.contains(t),
            Condition::Segment(s) => state.segment.as_deref() == Some(s),
            Condition::Priority(p) => state.priority.as_deref() == Some(p),
            Condition::SentimentBelow(x) => state.sentiment.is_some_and(|s| s < *x),
            Condition::SentimentAbove(x) => state.sentiment.is_some_and(|s| s > *x),
            Condition::HasOrder(want) => state.orders.is_empty() != *want,
            Condition::OrderStatus(statuses) => state
                .latest_order()
                .is_some_and(|o| statuses.contains(&o.status)),
            Condition::EventHas(field) => f.event.is_some_and(|e| has_field(e, *field)),
            Condition::UnreadFor(ms) => state.last_outbound_ms.is_some_and(|out| {
                let read = state.marks.get(EventKind::Read.name()).copied();
                let replied = state.last_inbound_ms;
                read.is_none_or(|r| r < out)
                    && replied.is_none_or(|r| r < out)
                    && f.now_ms - out > *ms
            }),
            Condition::OptedIn(want) => is_opted_in(state) == *want,
            Condition::OptedOut(want) => state.opted_out_at_ms.is_some() == *want,
            Condition::InSeason(ranges) => ranges.iter().any(|&(from, to)| {
                let today = f.today.0 * 100 + f.today.1;
                if from <= to {
                    (from..=to).contains(&today)
                } else {
                    today >= from || today <= to
                }
            }),
            Condition::Language(code) => state
                .language
                .as_deref()
                .is_some_and(|l| l == code || l.starts_with(&format!("{code}_"))),
            Condition::Not(c) => !c.holds(f),
            Condition::Any(cs) => cs.iter().any(|c| c.holds(f)),
            // Aggregates are evaluated with `holds_for_agent` / `holds_for_business`.
            Condition::MedianResponse { .. } | Condition::ComplaintRate { .. } => false,
        }
    }

    /// For rules about agents: whether `agent`'s figures up to local day `today` hold.
    pub fn holds_for_agent(&self, stats: &PartitionStats, agent: &str, today: i64) -> bool {
        match self {
            Condition::MedianResponse {
                days,
                bounds,
                min_replies,
            } => match median_response_ms(stats, agent, today, *days) {
                Some((median, replies)) => replies >= *min_replies && bounds.holds(median as f64),
                None => false,
            },
            Condition::Not(c) => !c.holds_for_agent(stats, agent, today),
            Condition::Any(cs) => cs.iter().any(|c| c.holds_for_agent(stats, agent, today)),
            _ => false,
        }
    }

    /// For rules about the business: whether the figures up to local day `today` hold.
    pub fn holds_for_business(&self, stats: &PartitionStats, today: i64) -> bool {
        match self {
            Condition::ComplaintRate {
                days,
                bounds,
                min_inbound,
            } => (1..=*days).all(|back| {
                let day = stats.days.get(&(today - back));
                day.is_some_and(|d| {
                    u64::from(d.inbound) >= *min_inbound && bounds.holds(complaint_rate(d))
                })
            }),
            Condition::Not(c) => !c.holds_for_business(stats, today),
            Condition::Any(cs) => cs.iter().any(|c| c.holds_for_business(stats, today)),
            _ => false,
        }
    }
}

/// Whether the customer has opted in and not opted out since.
pub fn is_opted_in(state: &CustomerState) -> bool {
    match (state.opted_in_at_ms, state.opted_out_at_ms) {
        (Some(_), None) => true,
        (Some(i), Some(o)) => i > o,
        _ => false,
    }
}

fn has_field(event: &Event, field: EventField) -> bool {
    match (&event.payload, field) {
        (Payload::LinkClick(c), EventField::Sku) => c.sku.is_some(),
        (Payload::LinkClick(c), EventField::Campaign) => c.campaign.is_some(),
        (Payload::ProductView(_) | Payload::AddToCart(_), EventField::Sku) => true,
        (Payload::OrderShipped(_), EventField::Tracking) => true,
        (Payload::Inbound(m), EventField::Text) => m.text().is_some(),
        (Payload::Inbound(m), EventField::Location) => {
            matches!(m.content, scrm_events::Content::Location { .. })
        }
        _ => false,
    }
}

/// Complaints per inbound message of a day.
pub fn complaint_rate(day: &DayStats) -> f64 {
    if day.inbound == 0 {
        0.0
    } else {
        f64::from(day.complaints) / f64::from(day.inbound)
    }
}

/// Median response time (ms, to the bucket's middle) and number of replies of `agent` over
/// the `days` complete local days before `today`.
pub fn median_response_ms(
    stats: &PartitionStats,
    agent: &str,
    today: i64,
    days: i64,
) -> Option<(i64, u64)> {
    let mut merged = std::collections::BTreeMap::<u32, u64>::new();
    for (_, day) in stats.days.range(today - days..today) {
        for (bucket, n) in day.agent_responses.get(agent).into_iter().flatten() {
            *merged.entry(*bucket).or_insert(0) += u64::from(*n);
        }
    }
    let total: u64 = merged.values().sum();
    if total == 0 {
        return None;
    }
    let mut seen = 0;
    for (bucket, n) in &merged {
        seen += n;
        if seen * 2 >= total {
            let mid_s = i64::from(*bucket) * i64::from(RESPONSE_BUCKET_S)
                + i64::from(RESPONSE_BUCKET_S) / 2;
            return Some((mid_s * 1000, total));
        }
    }
    None
}

/// Agents with figures in the `days` local days before `today`.
pub fn agents_seen(stats: &PartitionStats, today: i64, days: i64) -> BTreeSet<String> {
    stats
        .days
        .range(today - days..today)
        .flat_map(|(_, d)| d.agent_responses.keys().cloned())
        .collect()
}
